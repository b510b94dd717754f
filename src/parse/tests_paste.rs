//! Tests of what people really paste: fragments, old and other layouts, chat wrappers, encodings.
//! Inputs are verbatim in format (lines of kubectl, kubelet, containerd output as printed); where a
//! sample was taken from a public thread its URL is given.

use super::*;
use crate::evidence::{ContainerKind, ContainerState};

pub(super) fn parse_text(text: &str) -> (Evidence, InputSummary) {
    let mut ev = Evidence::new();
    let s = parse_reader("p.txt", text.as_bytes(), &KeepAll, &mut ev).expect("parses");
    (ev, s)
}

pub(super) fn formats(s: &InputSummary) -> Vec<&str> {
    s.segments.iter().map(|s| s.format.as_str()).collect()
}

fn terminated_reason(c: &crate::evidence::ContainerStatus) -> Option<&str> {
    for st in [&c.state, &c.last_state].into_iter().flatten() {
        if let ContainerState::Terminated { reason, .. } = st {
            return reason.as_deref();
        }
    }
    None
}

#[test]
fn fenced_quoted_and_bold_wrappers_are_taken_off() {
    let text = "> ```\n> Events:\n>   Type     Reason     Age   From     Message\n>   ----     ------     ----  ----     -------\n>   Warning  BackOff    2m    kubelet  Back-off restarting failed container app in pod web-0_default(0f1e)\n> ```\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["events-table"]);
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].reason.as_deref(), Some("BackOff"));
    // line numbers are those of the original paste
    assert_eq!(ev.events[0].provenance.line, Some(5));
}

#[test]
fn utf16_with_bom_and_cr_only_line_ends() {
    let text = "LAST SEEN   TYPE      REASON    OBJECT      MESSAGE\r5m          Warning   BackOff   pod/web-0   Back-off pulling image \"nginx:1.99\"\r";
    let mut le = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
    }
    let mut ev = Evidence::new();
    let s = parse_reader("ps.txt", &le[..], &KeepAll, &mut ev).expect("decodes UTF-16LE");
    assert_eq!(formats(&s), vec!["events-table"]);
    assert_eq!(
        ev.events[0].message,
        "Back-off pulling image \"nginx:1.99\""
    );
    assert_eq!(s.lines, 2);
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        be.extend_from_slice(&u.to_be_bytes());
    }
    let mut ev = Evidence::new();
    parse_reader("ps.txt", &be[..], &KeepAll, &mut ev).expect("decodes UTF-16BE");
    assert_eq!(ev.events.len(), 1);
    // a UTF-8 BOM and non-breaking spaces
    let text = "\u{feff}Name:\u{a0}\u{a0}\u{a0}web-0\nNamespace:\u{a0}default\nNode:         node-1/10.0.0.1\nStatus:     Running\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].name.as_deref(), Some("web-0"));
}

#[test]
fn lone_state_and_last_state_blocks() {
    // https://github.com/kubernetes/kubernetes/issues/131530 (layout)
    let text = "```\nState:          Terminated\n  Reason:       OOMKilled\n  Exit Code:    0\n  Started:      Tue, 29 Apr 2025 13:43:32 +0800\n  Finished:     Tue, 29 Apr 2025 14:10:51 +0800\nReady:          False\nRestart Count:  0\n```\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["describe-pod"]);
    assert_eq!(ev.containers.len(), 1);
    let c = &ev.containers[0];
    assert_eq!(terminated_reason(c), Some("OOMKilled"));
    assert_eq!(c.ready, Some(false));
    assert_eq!(c.restart_count, Some(0));
    assert_eq!(c.name, "");
    // indented Last State alone, with the container's name line before it
    let text = "  app:\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n    Ready:          False\n    Restart Count:  4\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    assert_eq!(ev.containers[0].name, "app");
    assert!(matches!(
        ev.containers[0].last_state,
        Some(ContainerState::Terminated {
            exit_code: Some(137),
            ..
        })
    ));
    assert_eq!(ev.containers[0].restart_count, Some(4));
}

#[test]
fn container_block_indented_with_tabs_and_a_multiline_message() {
    let text = "Containers:\n\tweb:\n\t\tImage:\tnginx\n\t\tState:\tWaiting\n\t\t\tReason:\tCrashLoopBackOff\n\t\tLast State:\tTerminated\n\t\t\tReason:\tError\n\t\t\tMessage:\tpanic: boom\ngoroutine 1 [running]:\n\t\t\tExit Code:\t2\n\t\tReady:\tFalse\n\t\tRestart Count:\t7\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    let c = &ev.containers[0];
    assert_eq!(c.name, "web");
    assert!(
        matches!(&c.state, Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "CrashLoopBackOff")
    );
    match &c.last_state {
        Some(ContainerState::Terminated {
            message: Some(m),
            exit_code,
            ..
        }) => {
            assert!(m.contains("goroutine 1"));
            assert_eq!(*exit_code, Some(2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(c.restart_count, Some(7));
}

#[test]
fn conditions_alone_pod_or_node() {
    let pod = "Conditions:\n  Type              Status\n  Initialized       True\n  Ready             False\n  ContainersReady   False\n  PodScheduled      True\n";
    let (ev, _) = parse_text(pod);
    assert_eq!(ev.pod_conditions.len(), 4);
    assert!(ev.node_conditions.is_empty());
    let node = "Conditions:\n  Type             Status    LastHeartbeatTime                 LastTransitionTime                Reason              Message\n  ----             ------    -----------------                 ------------------                ------              -------\n  MemoryPressure   Unknown   Mon, 01 Jul 2024 09:00:00 +0000   Mon, 01 Jul 2024 09:05:00 +0000   NodeStatusUnknown   Kubelet stopped posting node status.\n  Ready            Unknown   Mon, 01 Jul 2024 09:00:00 +0000   Mon, 01 Jul 2024 09:05:00 +0000   NodeStatusUnknown   Kubelet stopped posting node status.\n";
    let (ev, _) = parse_text(node);
    assert_eq!(ev.node_conditions.len(), 2);
    assert_eq!(ev.node_conditions[1].status, "Unknown");
    assert_eq!(
        ev.node_conditions[1].reason.as_deref(),
        Some("NodeStatusUnknown")
    );
}

#[test]
fn describe_indented_as_a_markdown_code_block() {
    let text = "    Name:         web-0\n    Namespace:    default\n    Status:       Running\n    Containers:\n      web:\n        State:          Waiting\n          Reason:       CrashLoopBackOff\n    Events:\n      Type     Reason   Age   From     Message\n      ----     ------   ----  ----     -------\n      Warning  BackOff  1m    kubelet  Back-off restarting failed container web in pod web-0_default(1)\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["describe-pod"]);
    assert_eq!(ev.pods[0].name.as_deref(), Some("web-0"));
    assert_eq!(ev.containers[0].name, "web");
    assert_eq!(ev.events.len(), 1);
}

#[test]
fn events_without_header_and_wrapped_messages() {
    let text = "Events:\n  Warning  Failed     3m (x4 over 5m)  kubelet, node-1  Failed to pull image \"registry.example.com/app:1\": rpc error: code = Unknown desc = failed to pull and unpack image \"registry.example.com/app:1\": failed to resolve reference \"registry.example.com/app:1\": failed to do request: Head \"https://registry.example.com/v2/app/manifests/1\":\ndial tcp 10.0.0.5:443: i/o timeout\n  Normal   BackOff    2m               kubelet, node-1  Back-off pulling image \"registry.example.com/app:1\"\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 2);
    assert!(ev.events[0].message.ends_with("i/o timeout"));
    assert!(!ev.events[0].message.contains('\n'));
    assert_eq!(ev.events[0].source.as_deref(), Some("kubelet"));
    assert_eq!(ev.events[1].reason.as_deref(), Some("BackOff"));
}

#[test]
fn old_event_layouts() {
    // kubectl get events of kubectl <= 1.5: LASTSEEN FIRSTSEEN COUNT NAME KIND SUBOBJECT REASON SOURCE
    // MESSAGE, without header (https://github.com/kubernetes/kubernetes/issues/17487)
    let text = "28m         9s         170       nginx            Pod                     spec.containers{nginx}      Unhealthy          {kubelet 127.0.0.1}         Liveness probe failed: <html>\n<head><title>404 Not Found</title></head>\n</html>\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 1);
    let e = &ev.events[0];
    assert_eq!(e.reason.as_deref(), Some("Unhealthy"));
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.count, Some(170));
    assert_eq!(e.source.as_deref(), Some("kubelet"));
    assert_eq!(e.object_kind.as_deref(), Some("Pod"));
    // a long row: the next lines continue its message (joined as a terminal wrap would be)
    assert!(e.message.starts_with("Liveness probe failed: <html>"));
    assert!(e
        .message
        .contains("<head><title>404 Not Found</title></head>"));
    // old describe: FirstSeen LastSeen Count From SubObjectPath Type Reason Message, tab separated
    let text = "Events:\n  FirstSeen\tLastSeen\tCount\tFrom\t\t\tSubObjectPath\t\tType\t\tReason\t\tMessage\n  ---------\t--------\t-----\t----\t\t\t-------------\t\t--------\t------\t\t-------\n  1m\t\t1m\t\t1\t{default-scheduler }\t\t\t\tNormal\t\tScheduled\tSuccessfully assigned web-0 to node-1\n  1m\t\t10s\t\t5\t{kubelet node-1}\tspec.containers{web}\tWarning\t\tBackOff\t\tBack-off pulling image \"nginx:nope\"\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 2);
    assert_eq!(ev.events[0].source.as_deref(), Some("default-scheduler"));
    assert_eq!(ev.events[1].count, Some(5));
    assert_eq!(
        ev.events[1].message,
        "Back-off pulling image \"nginx:nope\""
    );
    // `kubelet, node-1` in From, rows without the header
    let text = "  1h\t1m\t30\tkubelet, node-1\tspec.containers{web}\tWarning\tUnhealthy\tReadiness probe failed: HTTP probe failed with statuscode: 503\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].reason.as_deref(), Some("Unhealthy"));
    // get events -A, no header
    let text = "default   5m   Warning   FailedScheduling   pod/web-0   0/3 nodes are available: 3 Insufficient cpu.\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events[0].object_name.as_deref(), Some("web-0"));
    // describe of kubectl >= 1.35: the field path starts the message
    let text = "  Warning  Unhealthy  3m  kubelet  spec.containers{app}: Liveness probe failed: HTTP probe failed with statuscode: 500\n";
    let (ev, _) = parse_text(text);
    assert_eq!(
        ev.events[0].message,
        "Liveness probe failed: HTTP probe failed with statuscode: 500"
    );
}

#[test]
fn get_pods_rows_become_pods_and_containers() {
    // https://github.com/hmcts/cnp-flux-config/pull/28772 (layout)
    let text = "kubectl get pods\nNAME                                                 READY   STATUS      RESTARTS      AGE\ntax-tribunals-application-base-74464f6b98-2kj6g      0/1     OOMKilled   4 (57s ago)   2m40s\nweb-1   0/1   Init:CrashLoopBackOff   3   5m\nweb-2   1/1   Running   0   5m\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert_eq!(ev.pods.len(), 3);
    assert_eq!(ev.containers.len(), 2);
    let c = &ev.containers[0];
    assert_eq!(terminated_reason(c), Some("OOMKilled"));
    assert_eq!(c.restart_count, Some(4));
    assert_eq!(c.provenance.format, "get-pods");
    assert_eq!(c.provenance.line, Some(3));
    assert_eq!(ev.containers[1].kind, ContainerKind::Init);
    assert_eq!(ev.pods[2].phase.as_deref(), Some("Running"));
    // -A without header; a pod-level reason
    // https://github.com/kubernetes/kubernetes/issues/72502 (layout)
    let text = "rook-ceph            rook-ceph-osd-25-967d79b58-c5pkp                                  0/1     NodeAffinity   0          16d\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].namespace.as_deref(), Some("rook-ceph"));
    assert_eq!(ev.pods[0].reason.as_deref(), Some("NodeAffinity"));
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Failed"));
    assert!(ev.containers.is_empty());
}

#[test]
fn get_nodes_rows_become_ready_conditions() {
    // https://github.com/colebrooke/kubernetes-nagios/pull/11 (layout)
    let text = "$ kubectl get nodes\nNAME        STATUS       ROLES                      AGE    VERSION\ndocker01   Ready          controlplane,etcd,worker   421d   v1.17.4\ndocker02   NotReady   controlplane,etcd,worker   421d   v1.17.4\nnode-3   Ready,SchedulingDisabled   worker   3d   v1.29.1\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-nodes"]);
    assert_eq!(ev.node_conditions.len(), 3);
    assert_eq!(ev.node_conditions[1].node.as_deref(), Some("docker02"));
    assert_eq!(ev.node_conditions[1].status, "False");
    assert_eq!(ev.taints.len(), 1);
    assert_eq!(ev.taints[0].key, "node.kubernetes.io/unschedulable");
}

#[test]
fn yaml_and_json_fragments_read_by_shape() {
    // https://github.com/kubernetes/kubernetes/issues/92245 (Job status)
    let text = "```yaml\nstatus:\n    conditions:\n    - lastProbeTime: \"2020-06-18T06:06:48Z\"\n      lastTransitionTime: \"2020-06-18T06:06:48Z\"\n      message: Job has reached the specified backoff limit\n      reason: BackoffLimitExceeded\n      status: \"True\"\n      type: Failed\n    failed: 5\n```\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 1);
    let e = &ev.events[0];
    assert_eq!(e.object_kind.as_deref(), Some("Job"));
    assert_eq!(e.reason.as_deref(), Some("BackoffLimitExceeded"));
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.message, "Job has reached the specified backoff limit");
    assert_eq!(e.provenance.format, "job-condition");
    assert_eq!(e.provenance.line, Some(7));
    // a whole Job
    let text = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nstatus:\n  conditions:\n  - type: Failed\n    status: \"True\"\n    reason: DeadlineExceeded\n    message: Job was active longer than specified deadline\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events[0].reason.as_deref(), Some("DeadlineExceeded"));
    assert_eq!(ev.events[0].object_name.as_deref(), Some("pi"));
    // https://github.com/elastic/cloud-on-k8s/issues/1076: first line less indented
    let text = " lastState:\n      terminated:\n        exitCode: 255\n        reason: OOMKilled\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    assert_eq!(terminated_reason(&ev.containers[0]), Some("OOMKilled"));
    // https://github.com/goharbor/harbor-operator/issues/82: a containerStatuses list alone
    let text = "containerStatuses:\n  - image: minio/minio:RELEASE.2020-08-13T02-39-50Z\n    lastState: {}\n    name: minio\n    ready: false\n    restartCount: 0\n    state:\n      waiting:\n        message: container has runAsNonRoot and image will run as root\n        reason: CreateContainerConfigError\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers[0].name, "minio");
    assert!(
        matches!(&ev.containers[0].state, Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "CreateContainerConfigError")
    );
    // JSON member without braces
    let text = "\"containerStatuses\": [\n  {\n    \"name\": \"app\",\n    \"state\": {\"waiting\": {\"reason\": \"CrashLoopBackOff\"}},\n    \"restartCount\": 9\n  }\n],\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    assert_eq!(ev.containers[0].restart_count, Some(9));
    // a pod status block with phase and reason
    let text = "status:\n  message: 'The node was low on resource: ephemeral-storage. '\n  phase: Failed\n  reason: Evicted\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.pods[0].reason.as_deref(), Some("Evicted"));
}

#[test]
fn journal_and_klog_lines_become_messages() {
    let text = "Nov 23 10:00:00 node-1 kubelet[1234]: E1123 10:00:00.000000    1234 pod_workers.go:1298] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"app\\\" with CrashLoopBackOff: \\\"back-off 5m0s restarting failed container=app pod=web-0_default(0f1e)\\\"\" pod=\"default/web-0\" podUID=0f1e\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.messages.len(), 1);
    let m = &ev.messages[0];
    assert_eq!(m.provenance.format, "journal");
    assert_eq!(m.pod.as_deref(), Some("default/web-0"));
    assert_eq!(m.source.as_deref(), Some("kubelet"));
    assert!(m.message.contains("with CrashLoopBackOff"));
    // the same line is still a free-text line for log rules
    assert_eq!(ev.logs.len(), 1);
    assert!(ev.logs[0].free_text);
}

#[test]
fn application_log_lines_are_not_events() {
    // A log line that merely mentions kubelet words keeps no reason.
    let text = "2024-05-01 10:00:00 INFO retrying, Back-off 10s before the next attempt\n";
    let (ev, _) = parse_text(text);
    assert!(ev.events.is_empty());
    assert!(ev.messages.iter().all(|m| m.reason.is_none()));
}

#[test]
fn markdown_tables_and_cut_section_headers() {
    // A rendered Markdown table copied from an issue: `Type | Reason | Age | Source | Message`.
    let text = "Type | Reason | Age | Source | Message\n-- | -- | -- | -- | --\nWarning | FailedScheduling | 21h13m | default-scheduler | 0/4 nodes are available: 4 Insufficient cpu.\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["events-table"]);
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(
        ev.events[0].message,
        "0/4 nodes are available: 4 Insufficient cpu."
    );
    // describe node with `[...]` where `Conditions:` was
    let text = "Name:               node-1\nRoles:              master\n[...]\n  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message\n  ----             ------  -----------------                 ------------------                ------                       -------\n  Ready            False   Mon, 03 Jun 2019 13:54:18 +0000   Sun, 02 Jun 2019 21:39:37 +0000   KubeletNotReady              PLEG is not healthy: pleg was last seen active 16h17m50.791825508s ago\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.node_conditions.len(), 1);
    assert_eq!(ev.node_conditions[0].node.as_deref(), Some("node-1"));
    assert_eq!(ev.node_conditions[0].status, "False");
    // emphasis around a STATUS cell
    let text = "NAME                          READY     STATUS         RESTARTS   AGE\nhello-node-1538117351-qfewi   0/1       **_**ErrImagePull**_**   0          3m\n";
    let (ev, _) = parse_text(text);
    assert!(
        matches!(&ev.containers[0].state, Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "ErrImagePull")
    );
}

#[test]
fn a_closing_fence_ends_a_yaml_document() {
    // the TKE Serverless FAQ pastes two YAML blocks, the second a condition item whose first line is
    // less indented than the rest
    let text = "```yaml\nspec:\n   taints:\n   - effect: NoSchedule\n     key: node.kubernetes.io/network-unavailable\n```\n\n```yaml\n- lastHeartbeatTime: \"2021-04-20T07:55:28Z\"\n      lastTransitionTime: \"2021-04-20T07:00:16Z\"\n      message: eklet node has insufficient IP available of subnet subnet-bok73g4c\n      reason: EKLetHasInsufficientSubnetIP\n      status: \"True\"\n      type: NetworkUnavailable\n```\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["yaml", "yaml"]);
    assert_eq!(ev.taints.len(), 1);
    assert_eq!(ev.node_conditions.len(), 1);
    assert_eq!(
        ev.node_conditions[0].reason.as_deref(),
        Some("EKLetHasInsufficientSubnetIP")
    );
    assert!(ev.not_checked.is_empty());
}

// Corpus case n84: a describe whose line breaks were lost, glued to its command line.
#[test]
fn output_glued_to_its_command_line_is_read() {
    let (ev, _) = parse_text("$ kubectl describe pod tikv-0 ... Events: Type Reason Age From Message ---- ------ ---- ---- ------- Warning FailedScheduling 3m (x106 over 33m) default-scheduler 0/4 nodes are available: 2 Insufficient cpu, 3 Insufficient memory.\n");
    assert!(ev.messages.iter().any(|m| m
        .message
        .contains("0/4 nodes are available: 2 Insufficient cpu")));
    // Glued without the spaces around `Events:` (a blog's copy of a terminal).
    let (ev, _) = parse_text("[root@master-01 ~]# kubectl describe pod web-5d9f ...Events:Type Reason Age From Message---- ------ ---- ---- -------Normal Scheduled 40s default-scheduler Successfully assigned default/web-5d9f to 10.0.0.7Warning FailedCreatePodSandBox 28s (x4 over 37s) kubelet, 10.0.0.7 Failed create pod sandbox: rpc error: code = Unknown desc = failed to start sandbox container for pod \"web-5d9f\": Error response from daemon: OCI runtime create failed: unknown\n");
    assert!(ev
        .messages
        .iter()
        .any(|m| m.message.contains("Failed create pod sandbox: rpc error")));
    // A command line alone gives nothing.
    let (ev, _) = parse_text("$ kubectl describe pod tikv-0 -n db\n");
    assert!(ev.messages.is_empty() && ev.logs.is_empty());
}

// Describe's `Limits:` / `Requests:` blocks are the pod's `requests`.
#[test]
fn describe_limits_and_requests_are_the_pods_requests() {
    let text = "Name:         infer-0\nNamespace:    ml\nNode:         <none>\nStatus:       Pending\nContainers:\n  server:\n    Image:      example/server:1\n    Limits:\n      cpu:             4\n      nvidia.com/gpu:  2\n    Requests:\n      cpu:             2\n      nvidia.com/gpu:  2\n    Environment:       <none>\n";
    let (ev, _) = parse_text(text);
    let p = &ev.pods[0];
    assert!(p
        .requests
        .contains(&("nvidia.com/gpu".to_string(), "2".to_string())));
    assert!(p.requests.contains(&("cpu".to_string(), "4".to_string())));
    assert!(p.requests.contains(&("cpu".to_string(), "2".to_string())));
    assert!(!p.requests.iter().any(|(k, _)| k == "Environment"));
}

// A paste quoted without the space after `>` keeps its columns: kubectl 0.x printed a pod's
// container on a continuation row aligned under the header (origin issue paste, corpus-l l117).
#[test]
fn quote_markers_without_their_space_keep_the_columns() {
    let listing = "POD              IP           CONTAINER(S)   IMAGE(S)        HOST                    LABELS         STATUS    CREATED     MESSAGE\nno-image-5fo07   10.246.1.9                                  10.245.1.3/10.245.1.3   run=no-image   Pending   4 minutes   \n                              no-image       openshift/foo                                          Waiting               Error: image openshift/foo:latest not found\n";
    let waiting = |text: &str| {
        let (ev, _) = parse_text(text);
        ev.containers.iter().find_map(|c| match &c.state {
            Some(ContainerState::Waiting { message, .. }) => message.clone(),
            _ => None,
        })
    };
    let plain = waiting(listing);
    assert!(
        plain.as_deref().is_some_and(|m| m.contains("not found")),
        "{plain:?}"
    );
    for prefix in [">", "> ", ">> "] {
        let quoted: String = listing.lines().map(|l| format!("{prefix}{l}\n")).collect();
        assert_eq!(waiting(&quoted), plain, "quoted with {prefix:?}");
    }
}
