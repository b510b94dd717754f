//! Tests of the layouts and wrappers taught for issue 8's hold-out misses: terminal UI boxes,
//! Markdown bold inside a row, one-line code blocks, tools' event prefixes, scheduler messages
//! quoted, cut or wrapped, and `kubectl get all` rows. Each input keeps the verbatim shape of the
//! line it was taken from (the public thread is named above each test); the variants beside it are
//! the same layout as other versions and tools print it.

use crate::evidence::{ContainerKind, ContainerState};

use super::lines::unwrap_paste;
use super::tests_paste::{formats, parse_text};
use super::text::analyse;

// k9s' log view (https://github.com/sai3010/Typesense-Kubernetes-Operator/issues/32): `│ ... │` around every line,
// a box's top with a title, a right border lost in the copy.
#[test]
fn terminal_ui_box_borders_are_taken_off() {
    assert_eq!(
        unwrap_paste("│ Traceback (most recent call last):                    │"),
        "Traceback (most recent call last):"
    );
    assert_eq!(
        unwrap_paste("│   File \"/usr/local/bin/kopf\", line 8, in <module>     │"),
        "  File \"/usr/local/bin/kopf\", line 8, in <module>"
    );
    // cut on the right
    assert_eq!(unwrap_paste("│ sys.exit(main())"), "sys.exit(main())");
    // heavy and double borders (other TUIs)
    assert_eq!(unwrap_paste("┃ OOMKilled ┃"), "OOMKilled");
    assert_eq!(unwrap_paste("║ Exit Code: 137 ║"), "Exit Code: 137");
    // rules of the box: blank
    assert_eq!(unwrap_paste("┌──────────────────────────┐"), "");
    assert_eq!(unwrap_paste("└──────────────────────────┘"), "");
    assert_eq!(
        unwrap_paste("┌──────── Logs(default/web-0:app)[tail] ────────┐"),
        ""
    );
    // text that only contains box characters inside stays as it is
    assert_eq!(unwrap_paste("a │ b"), "a │ b");
    assert_eq!(unwrap_paste("│x"), "│x");
    let text = "│ Traceback (most recent call last):                                │\n│   File \"/app/main.py\", line 3, in <module>                        │\n│     raise RuntimeError(\"boom\")                                  │\n│ RuntimeError: boom                                                │\n";
    let (ev, _) = parse_text(text);
    assert!(ev
        .logs
        .iter()
        .any(|l| l.text == "Traceback (most recent call last):"));
    assert!(ev.logs.iter().any(|l| l.text == "RuntimeError: boom"));
}

// https://github.com/zalando/postgres-operator/issues/1974 (corpus probe-readiness-503-patroni-events-e3):
// bold around the last cells of a describe event row.
#[test]
fn markdown_bold_around_some_cells() {
    let text = "```\n  Normal   Started           7m42s                   kubelet            Started container postgres\n  Warning  Unhealthy         **2m52s (x13 over 6m42s)  kubelet            Readiness probe failed: HTTP probe failed with statuscode: 503**\n```\n";
    let (ev, _) = parse_text(text);
    let e = ev
        .events
        .iter()
        .find(|e| e.reason.as_deref() == Some("Unhealthy"))
        .expect("the bold row is an event");
    assert_eq!(
        e.message,
        "Readiness probe failed: HTTP probe failed with statuscode: 503"
    );
    assert_eq!(e.count, Some(13));
    // bold around one cell, around the reason
    assert_eq!(
        unwrap_paste("  Warning  **BackOff**  2m  kubelet  Back-off restarting failed container"),
        "  Warning  BackOff  2m  kubelet  Back-off restarting failed container"
    );
    // Python's `**kwargs` is not bold; an unpaired mark stays
    assert_eq!(
        unwrap_paste("    return self.main(*args, **kwargs)"),
        "    return self.main(*args, **kwargs)"
    );
    assert_eq!(unwrap_paste("2 ** 10 = 1024"), "2 ** 10 = 1024");
}

// https://github.com/SSU-DCN/podmigration-operator/issues/9 (corpus sched-taint-and-selector-podmigration-e81):
// a code block opened and closed on the line, the event's source column before the message.
#[test]
fn one_line_code_blocks() {
    assert_eq!(
        unwrap_paste("``` default-scheduler  0/2 nodes are available: 1 Insufficient cpu.```"),
        "default-scheduler  0/2 nodes are available: 1 Insufficient cpu."
    );
    assert_eq!(
        unwrap_paste("```Back-off restarting failed container```"),
        "Back-off restarting failed container"
    );
    // a closing fence glued to the last line keeps the line's indentation
    assert_eq!(
        unwrap_paste("  Warning  BackOff  2m  kubelet  Back-off restarting failed container```"),
        "  Warning  BackOff  2m  kubelet  Back-off restarting failed container"
    );
    // fences with an info string stay fences
    assert_eq!(unwrap_paste("```yaml"), super::lines::FENCE);
    assert_eq!(unwrap_paste("```"), super::lines::FENCE);
    let (ev, _) = parse_text("``` default-scheduler  0/2 nodes are available: 1 node(s) didn't match node selector, 1 node(s) had taint {key1: value1}, that the pod didn't tolerate.```\n");
    let m = &ev.messages[0];
    assert_eq!(m.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(m.source.as_deref(), Some("default-scheduler"));
    assert!(m.message.starts_with("0/2 nodes are available: 1 node(s)"));
}

// https://github.com/tilt-dev/tilt/issues/6347: Tilt relays a pod's events as `[event: pod
// ns/name] message`.
#[test]
fn tool_event_prefixes() {
    let a = analyse("[event: pod dev-nilesh/vuex-backend-prototyping-dev-56df545fc8-7fjrh] Liveness probe failed: Get \"http://10.51.230.85:8000/api/v1/ping\": dial tcp 10.51.230.85:8000: connect: connection refused").unwrap();
    assert_eq!(a.reason.as_deref(), Some("Unhealthy"));
    assert_eq!(
        a.pod.as_deref(),
        Some("dev-nilesh/vuex-backend-prototyping-dev-56df545fc8-7fjrh")
    );
    assert!(a.message.starts_with("Liveness probe failed: Get"));
    let a = analyse("[K8s EVENT: Pod web-0 (ns: default)] Back-off restarting failed container app in pod web-0_default(0f1e)").unwrap();
    assert_eq!(a.reason.as_deref(), Some("BackOff"));
    let a = analyse(
        "[event: pod/web-0] Readiness probe failed: HTTP probe failed with statuscode: 503",
    )
    .unwrap();
    assert_eq!(a.pod.as_deref(), Some("web-0"));
    assert_eq!(a.reason.as_deref(), Some("Unhealthy"));
    // any other bracket is left alone
    let a = analyse("[eventbus] Liveness of queue checked").unwrap();
    assert_eq!(a.message, "[eventbus] Liveness of queue checked");
    assert_eq!(a.reason, None);
}

// Scheduler messages as people quote them: in quotes with a final period (corpus
// sched-tolerates-taints-insufficient-memory-e7, 1.9's predicate names), behind `Error : ` in
// backticks (OpenShift Online, corpus e79), and the reasons alone without their `0/N nodes are
// available:` head (corpus e89).
#[test]
fn scheduler_messages_quoted_labelled_or_cut() {
    let a =
        analyse("\"0/3 nodes are available: 1 PodToleratesNodeTaints, 3 Insufficient memory.\".")
            .unwrap();
    assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(
        a.message,
        "0/3 nodes are available: 1 PodToleratesNodeTaints, 3 Insufficient memory."
    );
    let a = analyse(
        "Error : `0/260 nodes are available: 255 Insufficient memory, 5 MatchNodeSelector.`",
    )
    .unwrap();
    assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
    assert!(a.message.starts_with("0/260 nodes are available: 255"));
    let a = analyse("1 node(s) didn't have free ports for the requested pod ports, 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate.").unwrap();
    assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(a.message, "0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate.");
    let a = analyse("3 Insufficient cpu, 2 MatchNodeSelector, 1 PodToleratesNodeTaints.").unwrap();
    assert!(a
        .message
        .starts_with("0/6 nodes are available: 3 Insufficient cpu"));
    // counts of other things are not scheduler reasons; quoted application output stays quoted
    assert_eq!(analyse("3 pods restarted, 2 failed").unwrap().reason, None);
    assert_eq!(analyse("1 Insufficient funds").unwrap().reason, None);
    assert_eq!(analyse("2 Nodes were checked").unwrap().reason, None);
    let a = analyse("\"connection refused\"").unwrap();
    assert_eq!(a.message, "\"connection refused\"");
}

// https://github.com/istio/istio/issues/13111 (corpus sched-insufficient-memory-aks-istio-e6): a FailedScheduling
// row the terminal broke after `available:`.
#[test]
fn scheduler_message_wrapped_after_its_colon() {
    let text = "Warning  FailedScheduling  53s (x16 over 4m8s)  default-scheduler  0/2 nodes are available:\n2 Insufficient memory.\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 1);
    assert_eq!(
        ev.events[0].message,
        "0/2 nodes are available: 2 Insufficient memory."
    );
}

// `kubectl get all` (https://github.com/kubernetes/ingress-nginx/issues/7599, corpus d109) and `kubectl get pods -A`
// pasted indented without its header (https://github.com/open-edge-platform/geti_v2/issues/146, corpus e28): rows named
// `pod/NAME`.
#[test]
fn get_all_rows_named_by_kind() {
    let text = "NAME                                           READY   STATUS             RESTARTS   AGE   IP               NODE   NOMINATED NODE   READINESS GATES\npod/ingress-nginx-controller-7bdb68759-gwn4j   0/1     CrashLoopBackOff   10         28m   202.61.194.162   nc03   <none>           <none>\n\nNAME                                         TYPE           CLUSTER-IP      EXTERNAL-IP   PORT(S)                      AGE   SELECTOR\nservice/ingress-nginx-controller-admission   ClusterIP      10.0.0.1   <none>        443/TCP                      28m   app=x\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s)[0], "get-pods");
    assert_eq!(
        ev.pods[0].name.as_deref(),
        Some("ingress-nginx-controller-7bdb68759-gwn4j")
    );
    assert_eq!(ev.pods[0].node_name.as_deref(), Some("nc03"));
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "CrashLoopBackOff"
    ));
    let text = "      impt           pod/reloader-5c5fb754d4-7mgj8                       1/1     Running     0                57m\n      impt           pod/user-directory-646bbbc878-lf4tq                 2/3     OOMKilled   16 (5m13s ago)   57m\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods.len(), 2);
    assert_eq!(ev.pods[1].namespace.as_deref(), Some("impt"));
    let c = &ev.containers[0];
    assert_eq!(c.restart_count, Some(16));
    assert_eq!(c.kind, ContainerKind::Regular);
    assert!(matches!(
        &c.state,
        Some(ContainerState::Terminated { reason: Some(r), .. }) if r == "OOMKilled"
    ));
}

// https://github.com/kubernetes/community/issues/780 (corpus crashloop-completed-exit0-yaml-sleep-expired-e87,
// the termination-message demo): a containerStatuses fragment whose indentation a chat flattened,
// with Markdown bold on some keys. Its states are read key by key.
#[test]
fn flattened_container_statuses_are_read_key_by_key() {
    let text = "      **containerStatuses**:\n          - containerID: docker://9649c26527cf\n           image: debian\n           imageID: docker-pullable://docker.io/debian@sha256:7d067f77d2ae\n          **lastState**:\n          terminated:\n          containerID: docker://9649c26527cf\n          exitCode: 0\n          finishedAt: 2017-07-05T17:00:22Z\n          reason: Completed\n          startedAt: 2017-07-05T17:00:12Z\n          name: dt-termination-demo\n         ready: false\n         restartCount: 30\n         state:\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    // recovered, so not reported as unread (which would refuse the diagnosis)
    assert!(ev.not_checked.is_empty(), "{:?}", ev.not_checked);
    let c = &ev.containers[0];
    assert_eq!(c.name, "dt-termination-demo");
    assert_eq!(c.restart_count, Some(30));
    assert_eq!(c.ready, Some(false));
    assert!(c.state.is_none());
    assert!(matches!(
        &c.last_state,
        Some(ContainerState::Terminated { reason: Some(r), exit_code: Some(0), .. }) if r == "Completed"
    ));
    // two init containers, flattened, one waiting in CrashLoopBackOff
    let text = "initContainerStatuses:\n- name: migrate\nready: false\nrestartCount: 4\nstate:\nwaiting:\nmessage: back-off 1m20s restarting failed container=migrate\nreason: CrashLoopBackOff\nlastState:\nterminated:\nexitCode: 1\nreason: Error\n- name: wait-db\nready: true\nrestartCount: 0\nstate:\nterminated:\nexitCode: 0\nreason: Completed\n";
    let (ev, _) = parse_text(text);
    let migrate = ev.containers.iter().find(|c| c.name == "migrate").unwrap();
    assert_eq!(migrate.kind, ContainerKind::Init);
    assert!(matches!(
        &migrate.state,
        Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "CrashLoopBackOff"
    ));
    assert!(matches!(
        &migrate.last_state,
        Some(ContainerState::Terminated {
            exit_code: Some(1),
            ..
        })
    ));
    assert!(ev.containers.iter().any(|c| c.name == "wait-db"));
    // keys that look alike outside containerStatuses are not statuses
    let text = "spec:\nstate:\nterminated:\nreason: Error\nrestartCount: 3\n";
    let (ev, _) = parse_text(text);
    assert!(ev
        .containers
        .iter()
        .all(|c| c.restart_count.is_none() && c.state.is_none()));
}

// STATUS of an init container in `kubectl get pods`: every form kubectl prints (printers.go:
// `Init:<reason>`, `Init:ExitCode:<n>`, `Init:Signal:<n>`, `Init:<done>/<total>`).
#[test]
fn init_statuses_of_get_pods() {
    for (status, reason) in [
        ("Init:Error", "Error"),
        ("Init:OOMKilled", "OOMKilled"),
        ("Init:ContainerStatusUnknown", "ContainerStatusUnknown"),
        ("Init:ErrImagePull", "ErrImagePull"),
        ("Init:CrashLoopBackOff", "CrashLoopBackOff"),
        (
            "Init:CreateContainerConfigError",
            "CreateContainerConfigError",
        ),
    ] {
        let (ev, _) = parse_text(&format!(
            "test-cj-1524651720-24tcc                         0/1       {status}              0          6s\n"
        ));
        let c = &ev.containers[0];
        assert_eq!(c.kind, ContainerKind::Init, "{status}");
        let got = match &c.state {
            Some(ContainerState::Waiting { reason, .. })
            | Some(ContainerState::Terminated { reason, .. }) => reason.clone(),
            _ => None,
        };
        assert_eq!(got.as_deref(), Some(reason), "{status}");
    }
    let (ev, _) = parse_text("web-0   0/1   Init:ExitCode:2   0   6s\n");
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Terminated {
            exit_code: Some(2),
            ..
        })
    ));
    let (ev, _) = parse_text("web-0   0/1   Init:1/3   0   6s\n");
    assert!(ev.containers.is_empty());
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Pending"));
}

// https://github.com/kubernetes/kubernetes/issues/96630 (corpus d66): `kubectl describe job`
// has a `Start Time:` and its pod template's `Containers:`, yet it is the Job's describe; how many
// of its pods failed is a line the matchers see.
#[test]
fn describe_job_is_not_a_pod() {
    let text = "Name:           test-job\nNamespace:      default\nSelector:       controller-uid=ef8172b2\nParallelism:    1\nCompletions:    4\nStart Time:     Thu, 19 Nov 2020 17:47:50 +0000\nPods Statuses:  0 Running / 3 Succeeded / 5 Failed\nPod Template:\n  Labels:  job-name=test-job\n  Containers:\n   main:\n    Image:      busybox\n    Port:       <none>\nEvents:\n  Type     Reason                Age   From            Message\n  ----     ------                ----  ----            -------\n  Warning  BackoffLimitExceeded  2m    job-controller  Job has reached the specified backoff limit\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["describe"]);
    assert!(ev.pods.is_empty());
    assert!(ev
        .logs
        .iter()
        .any(|l| l.text == "Pods Statuses:  0 Running / 3 Succeeded / 5 Failed"));
    let e = &ev.events[0];
    assert_eq!(e.object_kind.as_deref(), Some("Job"));
    assert_eq!(e.object_name.as_deref(), Some("test-job"));
    // a pod's describe keeps being a pod's
    let (ev, s) = parse_text("Name:         web-0\nNamespace:    default\nStart Time:   Thu, 19 Nov 2020 17:47:50 +0000\nStatus:       Running\n");
    assert_eq!(formats(&s), vec!["describe-pod"]);
    assert_eq!(ev.pods.len(), 1);
}

// Labels and quotes around a message as people (and Chinese-locale consoles) write them.
#[test]
fn labels_and_quotes_around_a_message() {
    for line in [
        "Error : 0/260 nodes are available: 255 Insufficient memory, 5 MatchNodeSelector.",
        "报错：0/3 nodes are available: 3 Insufficient cpu.",
        "错误信息: “0/3 nodes are available: 3 Insufficient cpu.”",
        "Pod status message: '0/3 nodes are available: 3 Insufficient cpu.'",
        "「0/3 nodes are available: 3 Insufficient cpu.」。",
    ] {
        let a = analyse(line).unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"), "{line}");
        assert!(a.message.starts_with("0/"), "{line}: {}", a.message);
    }
    // a label before a message that names nothing stays
    let a = analyse("Error: connection reset by peer").unwrap();
    assert_eq!(a.message, "Error: connection reset by peer");
    // a long sentence with a colon is not a label
    let a = analyse(
        "the scheduler said this morning at ten: 0/3 nodes are available: 3 Insufficient cpu.",
    )
    .unwrap();
    assert_eq!(a.reason, None);
}

// kubectl 0.19-1.0 titled STATUS `REASON` (as printed in OpenShift 3.0 walkthroughs and the 0.19
// getting-started guides):
// `NAME  READY  REASON  RESTARTS  AGE`.
#[test]
fn get_pods_of_kubectl_1_0_with_a_reason_column() {
    let text = "NAME                       READY     REASON    RESTARTS   AGE\ndocker-registry-1-deploy   0/1       Pending   0          47s\nweb-1                      0/1       CrashLoopBackOff   7          12m\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert_eq!(ev.pods.len(), 2);
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Pending"));
    assert_eq!(ev.containers[0].restart_count, Some(7));
}

// k9s' pod view as copied from the terminal (the box around it, the sorted column's arrow, the
// `●` of an active port-forward, metrics columns, a right edge cut off), in the column layout k9s
// prints (`NAMESPACE NAME PF READY STATUS RESTARTS [CPU MEM %CPU/R ...] IP NODE [AGE]`); the rows
// are made up in that layout.
#[test]
fn k9s_pod_view() {
    let text = "┌──────────────── Pods(all)[11] ────────────────┐\n│ NAMESPACE↑          NAME                                        PF READY STATUS   RESTARTS IP          NODE     │\n│ solo-setup     console-557956d575-4r5xm                    ●  1/1   Running         0 10.244.0.5  solo-con │\n│ kube-system    coredns-5d78c9869d-6cfbg                       0/1   CrashLoopBackOff  12 10.244.0.4  solo-con │\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert_eq!(ev.pods.len(), 2);
    assert_eq!(ev.pods[1].namespace.as_deref(), Some("kube-system"));
    assert_eq!(ev.pods[1].node_name.as_deref(), Some("solo-con"));
    let c = &ev.containers[0];
    assert_eq!(c.restart_count, Some(12));
    assert!(matches!(
        &c.state,
        Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "CrashLoopBackOff"
    ));
    // with metrics columns, without namespace
    let text = "NAME↑                                      PF READY STATUS   RESTARTS CPU  MEM %CPU/R %CPU/L %MEM/R %MEM/L IP             NODE       AGE\nweb-7d9c6f5b4-x2x9z                        ●  0/1   OOMKilled       3  39  264     15    n/a    n/a    n/a 10.56.137.72   master-002 5m\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].node_name.as_deref(), Some("master-002"));
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Terminated { reason: Some(r), .. }) if r == "OOMKilled"
    ));
}

// k9s 0.27 and later print RESTARTS before STATUS (`PF READY RESTARTS STATUS`, as in public k9s
// screen copies of a kind and a GKE cluster), mark a cell that changed with `Δ`, and end with AGE
// after the metrics; users also copy rows without the header. Rows made up in that layout.
#[test]
fn k9s_pod_view_restarts_before_status() {
    let text = "┌────────────── Pods(default)[3] ──────────────┐\n│ NAME↑                                 PF READY RESTARTS STATUS            CPU  MEM %CPU/R %CPU/L %MEM/R %MEM/L IP            NODE          AGE      │\n│ api-7f9c6d8b54-x2kqp                  ●  0/1Δ         7 CrashLoopBackOff    0    0    n/a    n/a    n/a    n/a 10.24.3.17    gke-pool-a1   26m      │\n│ web-5d8c7b9f6d-q4wzn                  ●  1/1          0 Running             3   41      2    n/a     12    n/a 10.24.3.18    gke-pool-a1   26h      │\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert_eq!(ev.pods.len(), 2);
    assert_eq!(ev.pods[0].node_name.as_deref(), Some("gke-pool-a1"));
    assert_eq!(
        ev.pods[0].listed_status.as_deref(),
        Some("CrashLoopBackOff")
    );
    assert_eq!(ev.pods[1].phase.as_deref(), Some("Running"));
    let c = &ev.containers[0];
    assert_eq!(c.restart_count, Some(7));
    assert_eq!(c.ready, Some(false));
    assert!(matches!(
        &c.state,
        Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "CrashLoopBackOff"
    ));
    // rows without the header (and the box's left edge lost on the first one), namespace first
    let text = "monitoring   prometheus-server-6b9f7c8d5-k2x8w   ●  1/2          9 CrashLoopBackOff   10.0.12.4   ip-10-0-12-9.ec2.internal   41m   │\n│ monitoring   grafana-7c9d8b6f5-p9q2r             ●  1/1          0 Running            10.0.12.7   ip-10-0-12-9.ec2.internal   41m   │\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert_eq!(ev.pods.len(), 2);
    assert_eq!(
        ev.pods[0].name.as_deref(),
        Some("prometheus-server-6b9f7c8d5-k2x8w")
    );
    assert_eq!(ev.pods[0].namespace.as_deref(), Some("monitoring"));
    assert_eq!(ev.containers[0].restart_count, Some(9));
    // older k9s rows without the header: RESTARTS after STATUS, then the IP where kubectl has AGE
    let text = "│ kube-system    coredns-5d78c9869d-6cfbg              ●  0/1   CrashLoopBackOff  12 10.244.0.4  solo-con │\nkube-system    etcd-solo-control-plane                  1/1   Running            0 172.18.0.2  solo-con\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods.len(), 2);
    assert_eq!(ev.pods[0].name.as_deref(), Some("coredns-5d78c9869d-6cfbg"));
    assert_eq!(ev.containers[0].restart_count, Some(12));
    // ... but not any words that happen to look like a row
    let (ev, _) = parse_text("box 1/2 Running 3 apples today\n");
    assert!(ev.pods.is_empty());
    // kubectl's own row never has a count between READY and STATUS: not read as k9s
    let (ev, _) = parse_text("web-1   0/1   CrashLoopBackOff   5 (41s ago)   3m\n");
    assert_eq!(ev.containers[0].restart_count, Some(5));
}

// `kubectl logs --timestamps` and the CRI log files kubelet writes (`/var/log/pods/.../0.log`,
// format of the CRI logging spec: time, stream, P/F tag, text): log matchers see the text.
#[test]
fn timestamped_and_cri_log_lines() {
    use super::logs::log_body;
    assert_eq!(
        log_body("2024-05-01T10:00:00.123456789Z Traceback (most recent call last):"),
        "Traceback (most recent call last):"
    );
    assert_eq!(
        log_body(
            "2016-10-06T00:17:09.669794202Z stdout F panic: runtime error: index out of range"
        ),
        "panic: runtime error: index out of range"
    );
    assert_eq!(
        log_body("2016-10-06T00:17:09.669794202+02:00 stderr P partial line"),
        "partial line"
    );
    assert_eq!(log_body("2024-05-01T10:00:00Z hello"), "hello");
    // not a runtime's prefix: left as it is
    assert_eq!(
        log_body("2024-05-01 10:00:00,123 ERROR db down"),
        "2024-05-01 10:00:00,123 ERROR db down"
    );
    assert_eq!(log_body("2024-05-01T10:00:0 x"), "2024-05-01T10:00:0 x");
    assert_eq!(log_body("2024-05-01T10:00:0é x"), "2024-05-01T10:00:0é x");
    assert_eq!(
        log_body("2024-05-01T10:00:00.1Zoops x"),
        "2024-05-01T10:00:00.1Zoops x"
    );
    let text = "$ kubectl logs web-0 --previous --timestamps\n2024-05-01T10:00:00.1Z Traceback (most recent call last):\n2024-05-01T10:00:00.1Z   File \"/app/main.py\", line 3, in <module>\n2024-05-01T10:00:00.1Z KeyError: 'DATABASE_URL'\n";
    let (ev, _) = parse_text(text);
    assert!(ev
        .logs
        .iter()
        .any(|l| l.text == "Traceback (most recent call last):" && l.previous == Some(true)));
    assert!(ev.logs.iter().any(|l| l.text == "KeyError: 'DATABASE_URL'"));
}

// Log lines written as JSON: docker's json-file driver (`/var/lib/docker/containers/*/*-json.log`,
// `/var/log/containers` on docker nodes) and applications' structured logs (zap's field names).
#[test]
fn json_log_lines_are_read_as_their_text() {
    let text = "{\"log\":\"Traceback (most recent call last):\\n\",\"stream\":\"stderr\",\"time\":\"2024-05-01T10:00:00.1Z\"}\n{\"log\":\"  File \\\"/app/main.py\\\", line 3, in \\u003cmodule\\u003e\\n\",\"stream\":\"stderr\",\"time\":\"2024-05-01T10:00:00.1Z\"}\n{\"log\":\"KeyError: 'DATABASE_URL'\\n\",\"stream\":\"stderr\",\"time\":\"2024-05-01T10:00:00.1Z\"}\n";
    let (ev, _) = parse_text(text);
    let texts: Vec<&str> = ev.logs.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "Traceback (most recent call last):",
            "  File \"/app/main.py\", line 3, in <module>",
            "KeyError: 'DATABASE_URL'"
        ]
    );
    assert_eq!(ev.logs[2].provenance.line, Some(3));
    let (ev, _) = parse_text("{\"level\":\"error\",\"ts\":1714557600.1,\"caller\":\"main.go:42\",\"msg\":\"failed to connect to database\",\"error\":\"dial tcp 10.0.0.5:5432: connect: connection refused\"}\n");
    assert_eq!(
        ev.logs[0].text,
        "failed to connect to database: dial tcp 10.0.0.5:5432: connect: connection refused"
    );
    // a fatal level is kept after the first line (zap, logrus, slog spell it differently);
    // info, error and zap's development-only dpanic are not
    for (level, tail) in [
        ("fatal", " level=fatal"),
        ("FATAL", " level=fatal"),
        ("panic", " level=panic"),
        ("CRITICAL", " level=critical"),
        ("error", ""),
        ("dpanic", ""),
    ] {
        let (ev, _) = parse_text(&format!("{{\"level\":\"{level}\",\"msg\":\"cannot parse bundle\",\"error\":\"yaml: line 12\"}}\n"));
        assert_eq!(
            ev.logs[0].text,
            format!("cannot parse bundle: yaml: line 12{tail}"),
            "{level}"
        );
    }
    let (ev, _) = parse_text("{\"severity\":\"fatal\",\"message\":\"boom\",\"stacktrace\":\"main.main()\\n\\t/app/main.go:12\"}\n");
    assert_eq!(ev.logs[0].text, "boom: main.main() level=fatal");
    // other JSON objects stay as they are
    let (ev, _) = parse_text("{\"user\":\"bob\",\"msg\":\"hi\"}\n");
    assert_eq!(ev.logs[0].text, "{\"user\":\"bob\",\"msg\":\"hi\"}");
}

// https://github.com/kubernetes/kubernetes/issues/66755 (corpus
// sandbox-journal-html-escaped-no-command-d5): a journal copied from an HTML page's source.
#[test]
fn html_entities_are_unescaped() {
    assert_eq!(
        unwrap_paste("CreatePodSandbox for pod &quot;kube-flannel-ds-5k9vn_kube-system(ac69)&quot; failed: rpc error"),
        "CreatePodSandbox for pod \"kube-flannel-ds-5k9vn_kube-system(ac69)\" failed: rpc error"
    );
    assert_eq!(
        unwrap_paste("in &lt;module&gt; &#39;x&#39; &#x27;y&#x27; a &amp;&amp; b &amp;quot;"),
        "in <module> 'x' 'y' a && b &quot;"
    );
    // a bare ampersand stays
    assert_eq!(unwrap_paste("a & b &c"), "a & b &c");
}

// The `kubectl describe KIND NAME` line before a describe cut down to its events (corpus
// admission-webhook-empty-error-creating-rs-e47) names the object the events are about.
#[test]
fn describe_command_names_the_object_of_its_events() {
    let text = "```\n$ kubectl describe rs toolbox-84b4c6f7f6\n......\nEvents:\n  Type     Reason        Age                From                   Message\n  ----     ------        ----               ----                   -------\n  Warning  FailedCreate  7s (x13 over 28s)  replicaset-controller  Error creating: \n```\n";
    let (ev, _) = parse_text(text);
    let e = &ev.events[0];
    assert_eq!(e.object_kind.as_deref(), Some("ReplicaSet"));
    assert_eq!(e.object_name.as_deref(), Some("toolbox-84b4c6f7f6"));
    let (ev, _) = parse_text("kubectl describe statefulset/web -n shop\nEvents:\n  Type     Reason        Age   From                    Message\n  Warning  FailedCreate  7s    statefulset-controller  create Pod web-0 in StatefulSet web failed error: pods \"web-0\" is forbidden\n");
    assert_eq!(ev.events[0].object_kind.as_deref(), Some("StatefulSet"));
    // another command in between: the events are not attributed
    let (ev, _) = parse_text("$ kubectl describe rs toolbox\n$ kubectl get events\nEvents:\n  Type     Reason        Age   From                   Message\n  Warning  FailedCreate  7s    replicaset-controller  Error creating: x\n");
    assert_eq!(ev.events[0].object_kind, None);
}

// Markdown italics around a pasted table (https://github.com/kubernetes/kubernetes/issues/84272,
// corpus f94: `_NAME ... AGE` / `... 2m20s_`).
#[test]
fn markdown_italics_around_a_table() {
    let text = "**[root@master 10-24]# kubectl get po/test-6**\n_NAME     READY   STATUS         RESTARTS   AGE\ntest-6   3/4     ErrImagePull   0          2m20s_\n";
    let (ev, s) = parse_text(text);
    assert!(formats(&s).contains(&"get-pods"), "{:?}", formats(&s));
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "ErrImagePull"
    ));
    assert_eq!(
        unwrap_paste("*Warning  BackOff  2m  kubelet  Back-off restarting failed container*"),
        "Warning  BackOff  2m  kubelet  Back-off restarting failed container"
    );
    // words with underscores, bullets and single words stay
    assert_eq!(unwrap_paste("_private_field  set"), "_private_field  set");
    assert_eq!(unwrap_paste("* item one"), "* item one");
    assert_eq!(unwrap_paste("snake_case_"), "snake_case_");
}

// `kubectl get pod NAME` (no namespace column) and the same pod's describe in one paste
// (https://github.com/kubernetes/kubernetes/issues/32682, corpus f86): one pod, not two; and
// kubectl <= 1.4's `Terminating (expires <date>)`.
#[test]
fn listed_pod_takes_the_namespace_of_its_describe() {
    let text = "kubectl get pod environment-slave-3377531c7fb89\nNAME                              READY     STATUS        RESTARTS   AGE\nenvironment-slave-3377531c7fb89   0/1       CrashLoopBackOff   3          5d\n\nName:                  environment-slave-3377531c7fb89\nNamespace:                 default\nStatus:                Terminating (expires Fri, 09 Sep 2016 00:34:02 +0100)\nIP:\n";
    let (ev, _) = parse_text(text);
    assert!(ev
        .pods
        .iter()
        .all(|p| p.namespace.as_deref() == Some("default")));
    assert_eq!(
        ev.containers[0].pod.as_deref(),
        Some("default/environment-slave-3377531c7fb89")
    );
    let d = ev.pods.iter().find(|p| p.deletion.is_some()).unwrap();
    assert_eq!(
        d.deletion,
        Some(crate::evidence::When::Absolute(1_473_377_642))
    );
    // two namespaces for the name: the listed pod stays without one
    let text = "NAME    READY   STATUS    RESTARTS   AGE\nweb-0   0/1     Pending   0          5m\n\nName:         web-0\nNamespace:    a\nStatus:       Pending\nIP:\n\nName:         web-0\nNamespace:    b\nStatus:       Pending\nIP:\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].namespace, None);
}

// A message hard-wrapped by a console copy (OpenShift's event view,
// https://github.com/kubernetes-sigs/nfs-subdir-external-provisioner/issues/102, corpus f100): the
// pieces are one message.
#[test]
fn hard_wrapped_messages_are_joined() {
    let text = "MountVolume.SetUp failed for volume \"nfs-client-root\" : mount failed: exit status 32 Mounting command: \nsystemd-run Mounting arguments: --description=Kubernetes transient mount for \n/var/data/kubelet/pods/daa62ce4/volumes/kubernetes.io~nfs/nfs-client-root --scope -- \nmount -t nfs 10.254.0.1:/nfs-share/ /var/data/kubelet/pods/daa62ce4/volumes/kubernetes.io~nfs/nfs-client-root Output:\n Running scope as unit run-68677.scope. mount.nfs: Connection timed out\nnext thing\n";
    let (ev, _) = parse_text(text);
    let m = &ev.messages[0];
    assert_eq!(m.reason.as_deref(), Some("FailedMount"));
    assert!(m.message.starts_with("MountVolume.SetUp failed"));
    assert!(
        m.message.ends_with(
            "Output: Running scope as unit run-68677.scope. mount.nfs: Connection timed out"
        ),
        "{}",
        m.message
    );
    assert!(!m.message.contains("next thing"));
    // a line that starts a message of its own is not a continuation
    let text = "Unable to attach or mount volumes: unmounted volumes=[data], \nBack-off restarting failed container app in pod web-0_default(1)\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.messages.len(), 2);
    // nor a line after one that ended a sentence
    let text = "Liveness probe failed: HTTP probe failed with statuscode: 500\nsome other text\n";
    let (ev, _) = parse_text(text);
    assert_eq!(
        ev.messages[0].message,
        "Liveness probe failed: HTTP probe failed with statuscode: 500"
    );
}

// kubectl 1.7 and older showed a waiting reason that was the error itself in STATUS
// (https://github.com/GoogleCloudPlatform/continuous-deployment-on-kubernetes/issues/89, corpus
// f127).
#[test]
fn get_pods_status_holding_a_message() {
    let text = "NAME                       READY     STATUS                                                RESTARTS   AGE\njenkins-1477518649-gjvmk   0/1       Couldn't find key options in Secret jenkins/jenkins   0          23m\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "Couldn't find key options in Secret jenkins/jenkins"
    ));
    let text = "NAMESPACE   NAME    READY     STATUS                                     RESTARTS   AGE\nci          web-0   0/1       Image: nginx:9 is not ready on the node   0          2m\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].namespace.as_deref(), Some("ci"));
    assert_eq!(ev.containers[0].restart_count, Some(0));
    // headerless, such a line is not a row
    let (ev, _) = parse_text("web-0   0/1   waiting for the db to come up   0   2m\n");
    assert!(ev.containers.is_empty());
}

// `Terminating` in get pods is what describe shows as `Status: Terminating`: the same pod status
// (https://github.com/kubernetes/kubernetes/issues/24819 rows, corpus f87, between `...` cuts).
#[test]
fn terminating_rows_keep_their_status() {
    let text = "```\n...\nmy-nginx-3869474375-oj1i0    0/1       Terminating   0          20h\nmy-nginx-3869474375-oui1w    0/1       Terminating   0          20h\n...\n```\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert_eq!(ev.pods.len(), 2);
    assert!(ev
        .pods
        .iter()
        .all(|p| p.phase.as_deref() == Some("Terminating")));
    let (ev, _) =
        parse_text("Name:    web-0\nNamespace:  default\nStatus:  Terminating (lasts 2h)\nIP:\n");
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Terminating"));
}

// A describe cut right after its `Name:` down to the container's state
// (https://github.com/broadinstitute/gnomad-browser/pull/1410, corpus g98: `Name: x` / `<snip>` /
// `    State: Running` / `    Last State: Terminated` ...): the state block is still read.
#[test]
fn describe_cut_after_its_name_down_to_a_state() {
    let text = "Name:             gnomad-api-blue-775f4c6d7d-25fwx\n<snip>\n    State:          Running\n      Started:      Wed, 07 Feb 2024 10:15:12 -0500\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    assert!(matches!(
        &ev.containers[0].last_state,
        Some(ContainerState::Terminated { reason: Some(r), exit_code: Some(137), .. }) if r == "OOMKilled"
    ));
    // a confirmed describe is not cut by its containers' states
    let (ev, s) = parse_text("Name:         web-0\nNamespace:    default\nContainers:\n  app:\n    State:          Running\n");
    assert_eq!(formats(&s), vec!["describe-pod"]);
    assert_eq!(ev.containers[0].name, "app");
}

// `kubectl get -o json pod X | gron | grep ...` (https://github.com/sapcc/helm-charts/pull/7808,
// corpus g128): each assignment is the value of its path, as `-o jsonpath` prints it.
#[test]
fn gron_assignments_are_read_as_jsonpath_values() {
    let text = "$ k get -o json pod test-imagepullbackoff-6c787c4445-hrt4h | gron | grep ImagePullBackOff\njson.status.containerStatuses[0].state.waiting.reason = \"ImagePullBackOff\";\njson.status.initContainerStatuses[1].lastState.terminated.exitCode = 3;\njson.status.phase = \"Pending\";\njson.status = {};\n";
    let (ev, _) = parse_text(text);
    assert!(ev.containers.iter().any(|c| c.kind == ContainerKind::Regular
        && matches!(&c.state, Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "ImagePullBackOff")));
    assert!(ev.containers.iter().any(|c| c.kind == ContainerKind::Init
        && matches!(
            &c.last_state,
            Some(ContainerState::Terminated {
                exit_code: Some(3),
                ..
            })
        )));
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Pending"));
    assert_eq!(super::logs::gron_line("json.status = {};"), None);
    assert_eq!(super::logs::gron_line("jsonb = 1;"), None);
}
