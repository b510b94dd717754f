#!/usr/bin/env python3
"""Deterministic large inputs for the scale benchmarks (scripts/bench-scale.sh).

  gen-scale.py dump DIR PODS      a `kubectl cluster-info dump --output-directory` layout with PODS
                                  pods (250 per namespace, 30 per node), 10 % failing, with events
                                  and container logs
  gen-scale.py events FILE MIB    a `kubectl get events -A` table of about MIB MiB
  gen-scale.py event-patterns OUT every `event: message:` regex of rules/*.yaml, one per line (the
                                  ripgrep comparison); prints their number (needs PyYAML)
  gen-scale.py serve PODS KUBECONFIG
                                  a plain-HTTP mock API server holding PODS pods (the dump's pods,
                                  events and nodes; logs of failing containers) that pages lists
                                  with limit/continue as the apiserver does; writes a kubeconfig
                                  for it and serves until killed

Same arguments, same bytes: the seed is fixed. Only the standard library is used.
"""

import json
import os
import random
import re
import sys

NS_PODS = 250
NODE_PODS = 30
T0 = "2024-04-03T04:45:00Z"


def pod_name(i):
    return "app-%d-%05d-x%04x" % (i % 37, i, (i * 2654435761) & 0xFFFF)


def ns_name(i):
    return "team-%03d" % (i // NS_PODS)


def node_name(i):
    return "10.0.%d.%d" % ((i // NODE_PODS) // 250, (i // NODE_PODS) % 250 + 1)


def failing(i):
    # One pod in ten: crash loops, image pulls, scheduling, probes, OOM.
    return i % 10 == 3


def kind_of_failure(i):
    return ["crash", "pull", "sched", "probe", "oom"][(i // 10) % 5]


def pod_object(i):
    name, ns = pod_name(i), ns_name(i)
    uid = "%08x-0000-4000-8000-%012x" % (i, i)
    meta = {
        "name": name,
        "namespace": ns,
        "uid": uid,
        "creationTimestamp": T0,
        "labels": {"app": "app-%d" % (i % 37), "pod-template-hash": "5d78c9869d"},
        "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "app-%d-5d78c9869d" % (i % 37),
             "uid": "c2e8a4f6-1b3d-4c5e-9f7a-%012x" % (i % 37), "controller": True}
        ],
    }
    spec = {
        "containers": [{"name": "app", "image": "registry.example.com/team/app:%d.0" % (i % 37),
                        "resources": {"limits": {"memory": "256Mi"}}}],
        "nodeName": node_name(i),
        "restartPolicy": "Always",
    }
    running = {"running": {"startedAt": "2024-04-03T04:46:00Z"}}
    cs = {"name": "app", "image": spec["containers"][0]["image"], "imageID": "", "ready": True,
          "restartCount": 0, "started": True, "state": running, "lastState": {}}
    conds = [{"type": t, "status": "True", "lastTransitionTime": T0}
             for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")]
    phase = "Running"
    if failing(i):
        k = kind_of_failure(i)
        cs["ready"] = False
        conds[1]["status"] = conds[2]["status"] = "False"
        if k == "crash":
            cs["restartCount"] = 12
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                       "message": "back-off 5m0s restarting failed container=app pod=%s_%s(%s)" % (name, ns, uid)}}
            cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error",
                                              "finishedAt": "2024-04-03T07:55:00Z"}}
        elif k == "oom":
            cs["restartCount"] = 7
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                       "message": "back-off 5m0s restarting failed container=app"}}
            cs["lastState"] = {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                              "finishedAt": "2024-04-03T07:55:00Z"}}
        elif k == "pull":
            phase = "Pending"
            cs["started"] = False
            cs["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                       "message": 'Back-off pulling image "%s"' % spec["containers"][0]["image"]}}
        elif k == "sched":
            phase = "Pending"
            del spec["nodeName"]
            conds = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                      "lastTransitionTime": T0,
                      "message": "0/%d nodes are available: 3 Insufficient cpu. preemption: 0/%d nodes are available: 3 No preemption victims found for incoming pod." % (NODE_PODS, NODE_PODS)}]
            cs = None
        elif k == "probe":
            cs["restartCount"] = 0
    status = {"phase": phase, "conditions": conds, "startTime": T0}
    if cs is not None:
        status["containerStatuses"] = [cs]
    if phase == "Running" or (cs is not None and kind_of_failure(i) != "sched"):
        status["hostIP"] = node_name(i)
        status["podIP"] = "172.16.%d.%d" % (i // 250 % 250, i % 250 + 1)
    return {"metadata": meta, "spec": spec, "status": status}


def event(i, n, reason, message, typ="Normal", kind="Pod", obj=None, ns=None, count=1):
    obj = obj or pod_name(i)
    ns = ns if ns is not None else ns_name(i)
    return {
        "metadata": {"name": "%s.%016x" % (obj, i * 16 + n), "namespace": ns, "creationTimestamp": T0},
        "involvedObject": {"kind": kind, "name": obj, "namespace": ns},
        "reason": reason, "message": message, "type": typ, "count": count,
        "firstTimestamp": T0, "lastTimestamp": "2024-04-03T07:55:00Z",
        "source": {"component": "kubelet", "host": node_name(i)},
    }


def pod_events(i):
    name, ns = pod_name(i), ns_name(i)
    img = "registry.example.com/team/app:%d.0" % (i % 37)
    k = kind_of_failure(i) if failing(i) else None
    if k == "sched":
        return [event(i, 0, "FailedScheduling",
                      "0/%d nodes are available: 3 Insufficient cpu. preemption: 0/%d nodes are available: 3 No preemption victims found for incoming pod." % (NODE_PODS, NODE_PODS),
                      "Warning", count=40)]
    out = [event(i, 0, "Scheduled", "Successfully assigned %s/%s to %s" % (ns, name, node_name(i)))]
    if k == "pull":
        out.append(event(i, 1, "Pulling", 'Pulling image "%s"' % img, count=9))
        out.append(event(i, 2, "Failed", 'Failed to pull image "%s": rpc error: code = Unknown desc = failed to pull and unpack image "%s": failed to resolve reference "%s": %s: not found' % (img, img, img, img), "Warning", count=9))
        out.append(event(i, 3, "BackOff", 'Back-off pulling image "%s"' % img, "Warning", count=120))
        return out
    out.append(event(i, 1, "Pulled", 'Container image "%s" already present on machine' % img))
    out.append(event(i, 2, "Created", "Created container app"))
    out.append(event(i, 3, "Started", "Started container app"))
    if k in ("crash", "oom"):
        out.append(event(i, 4, "BackOff", "Back-off restarting failed container app in pod %s_%s(%08x-0000-4000-8000-%012x)" % (name, ns, i, i), "Warning", count=150))
    if k == "probe":
        out.append(event(i, 4, "Unhealthy", "Readiness probe failed: Get \"http://172.16.%d.%d:8080/healthz\": dial tcp 172.16.%d.%d:8080: connect: connection refused" % (i // 250 % 250, i % 250 + 1, i // 250 % 250, i % 250 + 1), "Warning", count=300))
    return out


def node_object(n):
    name = node_name(n * NODE_PODS)
    conds = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    return {
        "metadata": {"name": name, "uid": "%08x-1111-4000-8000-%012x" % (n, n), "labels": {"kubernetes.io/hostname": name}},
        "spec": {},
        "status": {"conditions": [{"type": t, "status": s, "reason": r, "message": m,
                                   "lastTransitionTime": T0, "lastHeartbeatTime": "2024-04-03T07:58:31Z"}
                                  for t, s, r, m in conds]},
    }


def dump(out, pods):
    os.makedirs(out, exist_ok=True)
    nodes = (pods + NODE_PODS - 1) // NODE_PODS
    with open(os.path.join(out, "nodes.json"), "w") as f:
        json.dump({"kind": "NodeList", "apiVersion": "v1", "metadata": {},
                   "items": [node_object(n) for n in range(nodes)]}, f, indent=4)
    for start in range(0, pods, NS_PODS):
        idx = range(start, min(start + NS_PODS, pods))
        ns = ns_name(start)
        d = os.path.join(out, ns)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "pods.json"), "w") as f:
            json.dump({"kind": "PodList", "apiVersion": "v1", "metadata": {},
                       "items": [pod_object(i) for i in idx]}, f, indent=4)
        with open(os.path.join(d, "events.json"), "w") as f:
            json.dump({"kind": "EventList", "apiVersion": "v1", "metadata": {},
                       "items": [e for i in idx for e in pod_events(i)]}, f, indent=4)
        for name in ("replicasets", "deployments", "services", "daemonsets", "replication-controllers"):
            with open(os.path.join(d, name + ".json"), "w") as f:
                f.write('{"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []}\n')
        for i in idx:
            if not failing(i) and i % 25:
                continue
            p = os.path.join(d, pod_name(i))
            os.makedirs(p, exist_ok=True)
            with open(os.path.join(p, "logs.txt"), "w") as f:
                f.write("==== START logs for container app of pod %s/%s ====\n" % (ns, pod_name(i)))
                for k in range(20):
                    f.write("2024-04-03T07:54:%02d.000Z INFO handled request %d in %dms\n" % (k, k, k * 3 % 17))
                k = kind_of_failure(i)
                if failing(i) and k == "crash":
                    f.write("2024-04-03T07:54:59.000Z ERROR listen tcp 0.0.0.0:8080: bind: address already in use\n")
                f.write("==== END logs for container app of pod %s/%s ====\n" % (ns, pod_name(i)))


def events(out, mib):
    rng = random.Random(12)
    limit = mib * 1024 * 1024
    size = 0
    i = 0
    reasons_age = ["2m", "5m", "13m", "45m", "2h", "3h10m", "20h"]
    with open(out, "w") as f:
        head = "%-14s %-10s %-8s %-22s %-44s %s\n" % ("NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")
        f.write(head)
        size += len(head)
        while size < limit:
            for e in pod_events(i):
                line = "%-14s %-10s %-8s %-22s %-44s %s\n" % (
                    e["metadata"]["namespace"], rng.choice(reasons_age), e["type"], e["reason"],
                    "pod/" + e["involvedObject"]["name"], e["message"])
                f.write(line)
                size += len(line)
            i += 1


def event_patterns(out):
    import glob
    import yaml

    pats = []

    def walk(n):
        if isinstance(n, dict):
            ev = n.get("event")
            if isinstance(ev, dict) and isinstance(ev.get("message"), str):
                pats.append(ev["message"])
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for f in sorted(glob.glob(os.path.join(root, "rules", "*.yaml"))):
        with open(f) as fh:
            for doc in yaml.safe_load_all(fh):
                walk((doc or {}).get("match"))
    # rg joins the patterns into one alternation: capture names would clash.
    uniq = sorted(set(re.sub(r"\(\?P<\w+>", "(?:", p) for p in pats))

    # A pattern that matches any line (a rule keyed on the reason keeps the whole message) would make
    # rg's job trivial: left out.
    def matches_anything(p):
        try:
            return re.search(p, "zq xv") is not None
        except re.error:
            return False

    uniq = [p for p in uniq if not matches_anything(p)]
    with open(out, "w") as fh:
        fh.write("\n".join(uniq) + "\n")
    print(len(uniq))


def serve(pods, kubeconfig):
    import http.server
    import urllib.parse

    nodes = (pods + NODE_PODS - 1) // NODE_PODS
    all_events = [(i, k) for i in range(pods) for k in range(len(pod_events(i)))]

    def page(items, q, make):
        limit = int(q.get("limit", ["0"])[0] or 0) or len(items)
        start = int(q.get("continue", ["0"])[0] or 0)
        chunk = items[start:start + limit]
        meta = {"resourceVersion": "1000"}
        if start + limit < len(items):
            meta["continue"] = str(start + limit)
            meta["remainingItemCount"] = len(items) - start - limit
        return {"apiVersion": "v1", "metadata": meta, "items": [make(x) for x in chunk]}

    by_name = {(ns_name(i), pod_name(i)): i for i in range(pods)}

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def send(self, code, body, ctype="application/json"):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = urllib.parse.parse_qs(u.query)
            parts = u.path.strip("/").split("/")
            if u.path == "/api/v1/pods":
                body = page(list(range(pods)), q, pod_object)
            elif u.path == "/api/v1/nodes":
                body = page(list(range(nodes)), q, node_object)
            elif u.path == "/api/v1/events":
                evs = all_events
                if "involvedObject.kind=Node" in q.get("fieldSelector", [""])[0]:
                    evs = []
                body = page(evs, q, lambda x: pod_events(x[0])[x[1]])
            elif len(parts) == 6 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "pods":
                # One pod (`kubectl diagnose pod`, scripts/bench.sh startup).
                i = by_name.get((parts[3], parts[5]))
                if i is None:
                    return self.send(404, json.dumps({"kind": "Status", "code": 404, "message": "not found"}))
                body = pod_object(i)
            elif len(parts) == 4 and parts[:3] == ["api", "v1", "nodes"]:
                n = next((n for n in range(nodes) if node_name(n * NODE_PODS) == parts[3]), None)
                if n is None:
                    return self.send(404, json.dumps({"kind": "Status", "code": 404, "message": "not found"}))
                body = node_object(n)
            elif len(parts) == 7 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "pods" and parts[6] == "log":
                i = by_name.get((parts[3], parts[5]))
                if i is None:
                    return self.send(404, json.dumps({"kind": "Status", "code": 404, "message": "not found"}))
                lines = ["2024-04-03T07:54:%02d.000Z INFO handled request %d" % (k, k) for k in range(40)]
                if kind_of_failure(i) == "crash":
                    lines.append("2024-04-03T07:54:59.000Z ERROR listen tcp 0.0.0.0:8080: bind: address already in use")
                return self.send(200, "\n".join(lines) + "\n", "text/plain")
            else:
                return self.send(404, json.dumps({"kind": "Status", "code": 404, "message": "not found"}))
            self.send(200, json.dumps(body))

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    port = srv.server_address[1]
    with open(kubeconfig, "w") as f:
        f.write("""apiVersion: v1
kind: Config
clusters:
- name: mock
  cluster: {server: "http://127.0.0.1:%d"}
users:
- name: u
  user: {token: bench}
contexts:
- name: mock
  context: {cluster: mock, user: u, namespace: default}
current-context: mock
""" % port)
    srv.serve_forever()


def main():
    cmds = {"dump": 4, "events": 4, "event-patterns": 3, "serve": 4}
    if len(sys.argv) < 2 or cmds.get(sys.argv[1]) != len(sys.argv):
        sys.exit(__doc__)
    if sys.argv[1] == "dump":
        dump(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "events":
        events(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "event-patterns":
        event_patterns(sys.argv[2])
    else:
        serve(int(sys.argv[2]), sys.argv[3])


if __name__ == "__main__":
    main()
