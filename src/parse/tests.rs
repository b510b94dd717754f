//! End-to-end tests of the text parsers over the fixtures in `testdata/parse/`.

use super::*;
use crate::evidence::{ContainerKind, ContainerState, When};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/parse/{}", env!("CARGO_MANIFEST_DIR"), name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse_bytes(name: &str, data: &[u8]) -> (Evidence, InputSummary) {
    let mut ev = Evidence::new();
    let s = parse_reader(name, data, &KeepAll, &mut ev).expect("parses");
    (ev, s)
}

fn parse(name: &str) -> (Evidence, InputSummary) {
    parse_bytes(name, &fixture(name))
}

/// 1-based number of the first fixture line containing `needle`.
fn line_of(name: &str, needle: &str) -> u64 {
    let text = String::from_utf8_lossy(&fixture(name)).into_owned();
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in {name}"))
}

/// 1-based number of the first line equal to `exact` after the first line containing `after`.
fn line_after(name: &str, after: &str, exact: &str) -> u64 {
    let start = line_of(name, after) as usize;
    let text = String::from_utf8_lossy(&fixture(name)).into_owned();
    text.lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| *l == exact)
        .map(|(i, _)| i as u64 + 1)
        .unwrap_or_else(|| panic!("{exact:?} not after {after:?} in {name}"))
}

fn formats(s: &InputSummary) -> Vec<&str> {
    s.segments.iter().map(|s| s.format.as_str()).collect()
}

/// Keeps only lines containing a word.
struct Contains(&'static str);
impl LineFilter for Contains {
    fn wants(&self, text: &str) -> bool {
        text.contains(self.0)
    }
}

#[test]
fn describe_pod_with_multiline_termination_message() {
    let f = "describe-pod-crashloop.txt";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["describe-pod"]);
    assert_eq!(s.segments[0].first_line, 1);
    assert_eq!(s.segments[0].last_line, s.lines);

    assert_eq!(ev.pods.len(), 1);
    let pod = &ev.pods[0];
    assert_eq!(pod.name.as_deref(), Some("web-7d9f8c6b5-x2x4p"));
    assert_eq!(pod.namespace.as_deref(), Some("default"));
    assert_eq!(pod.node_name.as_deref(), Some("ip-10-0-0-12.ec2.internal"));
    assert_eq!(pod.phase.as_deref(), Some("Running"));
    assert_eq!(
        pod.controlled_by.as_deref(),
        Some("ReplicaSet/web-7d9f8c6b5")
    );
    assert_eq!(
        pod.labels,
        vec![
            ("app".to_string(), "web".to_string()),
            ("pod-template-hash".to_string(), "7d9f8c6b5".to_string())
        ]
    );
    assert_eq!(
        pod.annotations,
        vec![(
            "kubectl.kubernetes.io/restartedAt".to_string(),
            "2024-05-01T09:54:58Z".to_string()
        )]
    );
    assert_eq!(pod.provenance.line, Some(line_of(f, "Status:")));

    assert_eq!(ev.containers.len(), 2);
    let init = &ev.containers[0];
    assert_eq!(init.name, "migrate");
    assert_eq!(init.kind, ContainerKind::Init);
    assert_eq!(init.ready, Some(true));
    match &init.state {
        Some(ContainerState::Terminated {
            reason, exit_code, ..
        }) => {
            assert_eq!(reason.as_deref(), Some("Completed"));
            assert_eq!(*exit_code, Some(0));
        }
        other => panic!("{other:?}"),
    }
    let web = &ev.containers[1];
    assert_eq!(web.name, "web");
    assert_eq!(web.kind, ContainerKind::Regular);
    assert_eq!(web.image.as_deref(), Some("registry.example.com/web:2.3.1"));
    assert_eq!(web.ready, Some(false));
    assert_eq!(web.restart_count, Some(5));
    assert_eq!(
        web.state,
        Some(ContainerState::Waiting {
            reason: Some("CrashLoopBackOff".into()),
            message: None
        })
    );
    assert_eq!(web.provenance.line, Some(line_of(f, "CrashLoopBackOff")));
    match &web.last_state {
        Some(ContainerState::Terminated {
            reason,
            message,
            exit_code,
            finished_at,
            ..
        }) => {
            assert_eq!(reason.as_deref(), Some("Error"));
            assert_eq!(*exit_code, Some(2));
            assert_eq!(
                finished_at.as_deref(),
                Some("Wed, 01 May 2024 10:01:13 +0000")
            );
            let m = message.as_deref().unwrap();
            assert!(m.starts_with("panic: failed to connect to database: dial tcp 10.96.14.3:5432"));
            assert!(m.contains("\n\ngoroutine 1 [running]:\nmain.main()\n"));
            assert!(m.ends_with("/src/cmd/web/main.go:42 +0x1c5"));
        }
        other => panic!("{other:?}"),
    }

    let conds: Vec<(&str, &str)> = ev
        .pod_conditions
        .iter()
        .map(|c| (c.type_.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(
        conds,
        vec![
            ("PodReadyToStartContainers", "True"),
            ("Initialized", "True"),
            ("Ready", "False"),
            ("ContainersReady", "False"),
            ("PodScheduled", "True")
        ]
    );

    assert_eq!(ev.events.len(), 6);
    let backoff = &ev.events[5];
    assert_eq!(backoff.type_.as_deref(), Some("Warning"));
    assert_eq!(backoff.reason.as_deref(), Some("BackOff"));
    assert_eq!(backoff.count, Some(10));
    assert_eq!(backoff.first_seen, Some(When::Age(240)));
    assert_eq!(backoff.last_seen, Some(When::Age(120)));
    assert_eq!(backoff.source.as_deref(), Some("kubelet"));
    assert_eq!(backoff.object_kind.as_deref(), Some("Pod"));
    assert_eq!(backoff.object_name.as_deref(), Some("web-7d9f8c6b5-x2x4p"));
    assert_eq!(
        backoff.message,
        "Back-off restarting failed container web in pod web-7d9f8c6b5-x2x4p_default(6d0b8a52-3c1e-4f7a-9b2d-1e5c8f0a7d34)"
    );
    assert_eq!(
        backoff.provenance.line,
        Some(line_of(f, "Back-off restarting"))
    );
    assert_eq!(backoff.provenance.format, "describe-pod");
    assert_eq!(backoff.provenance.input, f);
    assert_eq!(ev.events[0].source.as_deref(), Some("default-scheduler"));
    assert!(ev.logs.is_empty(), "{:?}", ev.logs);
}

#[test]
fn describe_node_conditions_taints_events() {
    let f = "describe-node-notready.txt";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["describe-node"]);
    assert!(ev.pods.is_empty());
    assert_eq!(ev.node_conditions.len(), 4);
    let ready = &ev.node_conditions[3];
    assert_eq!(ready.node.as_deref(), Some("ip-10-0-0-12.ec2.internal"));
    assert_eq!(ready.type_, "Ready");
    assert_eq!(ready.status, "False");
    assert_eq!(ready.reason.as_deref(), Some("KubeletNotReady"));
    assert_eq!(
        ready.message.as_deref(),
        Some("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized")
    );
    // Wed, 01 May 2024 09:50:02 +0000
    assert_eq!(ready.last_transition, Some(When::Absolute(1_714_557_002)));
    assert_eq!(ready.provenance.line, Some(line_of(f, "  Ready ")));

    let taints: Vec<(&str, Option<&str>, &str)> = ev
        .taints
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_deref(), t.effect.as_str()))
        .collect();
    assert_eq!(
        taints,
        vec![
            ("node.kubernetes.io/not-ready", None, "NoExecute"),
            ("node.kubernetes.io/network-unavailable", None, "NoSchedule"),
            ("dedicated", Some("gpu"), "NoSchedule"),
        ]
    );
    assert_eq!(
        ev.taints[2].provenance.line,
        Some(line_of(f, "dedicated=gpu"))
    );

    assert_eq!(ev.events.len(), 2);
    let gc = &ev.events[1];
    assert_eq!(gc.reason.as_deref(), Some("ContainerGCFailed"));
    assert_eq!(gc.count, Some(12));
    assert_eq!(gc.object_kind.as_deref(), Some("Node"));
    assert_eq!(gc.object_name.as_deref(), Some("ip-10-0-0-12.ec2.internal"));
    assert!(gc.message.ends_with("connect: connection refused\""));
}

#[test]
fn loose_event_lines() {
    let f = "event-lines.txt";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["event-lines", "free-text"]);
    assert_eq!(s.segments[0].first_line, 2);
    assert_eq!(s.segments[0].last_line, 4);
    assert_eq!(ev.events.len(), 3);
    let sync = &ev.events[0];
    assert_eq!(sync.reason.as_deref(), Some("FailedSync"));
    assert_eq!(sync.source.as_deref(), Some("kubelet"));
    assert_eq!(sync.last_seen, Some(When::Age(420)));
    assert!(sync.message.starts_with(
        "Error syncing pod failed to \"StartContainer\" for \"container-1\" with CrashLoopBackOff"
    ));
    assert_eq!(sync.provenance.line, Some(2));
    assert_eq!(sync.provenance.format, "event-lines");
    let disk = &ev.events[1];
    assert_eq!(disk.reason.as_deref(), Some("FreeDiskSpaceFailed"));
    assert_eq!(disk.source.as_deref(), Some("eklet"));
    assert_eq!(
        disk.message,
        "failed to garbage collect required amount of images. Wanted to free 4220828057 bytes, but freed 3889267064 bytes"
    );
    assert_eq!(ev.events[2].count, Some(5));
    // The prose after them is free text; the grep prompt line is not evidence.
    assert_eq!(ev.logs.len(), 1);
    assert!(ev.logs[0].free_text);
    assert_eq!(ev.logs[0].provenance.line, Some(6));
}

#[test]
fn get_events_tables() {
    let f = "get-events.txt";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["events-table", "events-table"]);
    assert_eq!(ev.events.len(), 9);
    let sched = &ev.events[0];
    assert_eq!(sched.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(sched.object_kind.as_deref(), Some("Pod"));
    assert_eq!(
        sched.object_name.as_deref(),
        Some("checkout-6b8f9c7d5-p4m2n")
    );
    assert_eq!(
        sched.message,
        "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/network-unavailable: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    );
    assert_eq!(sched.last_seen, Some(When::Age(14 * 60)));
    assert_eq!(sched.provenance.line, Some(3));
    let pull = &ev.events[2];
    assert!(pull
        .message
        .ends_with("dial tcp 54.236.113.205:443: i/o timeout"));
    let rs = &ev.events[6];
    assert_eq!(rs.object_kind.as_deref(), Some("ReplicaSet"));
    // -A table with a NAMESPACE column and an <unknown> age
    let mount = &ev.events[8];
    assert_eq!(mount.reason.as_deref(), Some("FailedMount"));
    assert_eq!(mount.last_seen, None);
    assert_eq!(
        mount.message,
        "MountVolume.SetUp failed for volume \"config\" : configmap \"api-config\" not found"
    );
    assert_eq!(mount.provenance.line, Some(line_of(f, "FailedMount")));
}

#[test]
fn get_events_wide_with_double_spaces_in_message() {
    let f = "get-events-wide.txt";
    let (ev, _) = parse(f);
    assert_eq!(ev.events.len(), 3);
    let probe = &ev.events[1];
    assert_eq!(probe.reason.as_deref(), Some("Unhealthy"));
    assert_eq!(
        probe.message,
        "Readiness probe failed: Status:  DOWN  (database: connection refused)"
    );
    assert_eq!(probe.source.as_deref(), Some("kubelet"));
    assert_eq!(probe.count, Some(9));
    assert_eq!(probe.first_seen, Some(When::Age(240)));
    assert_eq!(probe.last_seen, Some(When::Age(90)));
    assert_eq!(probe.object_name.as_deref(), Some("web-7d9f8c6b5-x2x4p"));
    assert_eq!(ev.events[0].source.as_deref(), Some("default-scheduler"));
    assert_eq!(ev.events[2].count, Some(10));
}

#[test]
fn kubectl_events_crlf_and_repeat_suffix() {
    for f in ["kubectl-events.txt", "kubectl-events-crlf.txt"] {
        let (ev, s) = parse(f);
        assert_eq!(formats(&s), vec!["events-table"], "{f}");
        assert_eq!(ev.events.len(), 3, "{f}");
        let backoff = &ev.events[1];
        assert_eq!(backoff.count, Some(10));
        assert_eq!(backoff.first_seen, Some(When::Age(240)));
        assert_eq!(backoff.object_kind.as_deref(), Some("Pod"));
        assert!(!backoff.message.ends_with('\r'));
        let sandbox = &ev.events[2];
        assert_eq!(sandbox.reason.as_deref(), Some("FailedCreatePodSandBox"));
        assert!(sandbox
            .message
            .ends_with("failed to assign an IP address to container"));
        assert_eq!(sandbox.provenance.line, Some(5));
    }
}

#[test]
fn ansi_colored_events() {
    let (ev, _) = parse("get-events-ansi.txt");
    assert_eq!(ev.events.len(), 9);
    assert_eq!(ev.events[0].type_.as_deref(), Some("Warning"));
    assert_eq!(ev.events[0].reason.as_deref(), Some("FailedScheduling"));
    assert!(ev.events.iter().all(|e| !e.message.contains('\x1b')));
}

#[test]
fn console_events_chinese_tab_separated() {
    let f = "console-events-zh.txt";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["console-events", "free-text"]);
    assert_eq!(ev.events.len(), 4);
    let e = &ev.events[0];
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.reason.as_deref(), Some("BackOff"));
    assert_eq!(e.message, "the failed container exited with ExitCode: 1");
    assert_eq!(e.count, Some(23));
    // 2019/06/24 14:46:07 with a truncated offset: read as UTC
    assert_eq!(e.first_seen, Some(When::Absolute(1_561_387_567)));
    assert_eq!(e.provenance.line, Some(2));
    assert_eq!(ev.events[1].reason.as_deref(), Some("FailedSync"));
    assert_eq!(ev.events[2].type_.as_deref(), Some("Normal"));
    assert_eq!(ev.events[2].reason.as_deref(), Some("Pulled"));
    let pull = &ev.events[3];
    assert_eq!(pull.reason.as_deref(), Some("Failed"));
    assert_eq!(pull.count, Some(3));
    assert_eq!(pull.last_seen, None);
    assert!(pull
        .message
        .starts_with("Failed to pull image \"library/euleros:2.2\""));
    assert_eq!(ev.logs.len(), 1);
    assert_eq!(ev.logs[0].text, "以上事件表明容器启动后立即退出。");
}

#[test]
fn console_events_english_space_separated() {
    let (ev, s) = parse("console-events-en.txt");
    assert_eq!(formats(&s), vec!["console-events"]);
    assert_eq!(ev.events.len(), 2);
    assert_eq!(ev.events[0].type_.as_deref(), Some("Warning"));
    assert_eq!(
        ev.events[0].message,
        "the failed container exited with ExitCode: 137"
    );
    assert_eq!(ev.events[0].count, Some(12));
    // 2023/11/02 09:31:55 GMT+08:00
    assert_eq!(ev.events[0].last_seen, Some(When::Absolute(1_698_888_715)));
    assert_eq!(ev.events[1].count, Some(12));
}

#[test]
fn pod_yaml() {
    let f = "pod-oomkilled.yaml";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["yaml"]);
    assert_eq!(ev.pods.len(), 1);
    let pod = &ev.pods[0];
    assert_eq!(pod.name.as_deref(), Some("api-5c6d7f8b9-qw7rt"));
    assert_eq!(pod.namespace.as_deref(), Some("shop"));
    assert_eq!(
        pod.uid.as_deref(),
        Some("9c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f")
    );
    assert_eq!(pod.phase.as_deref(), Some("Running"));
    assert_eq!(pod.node_name.as_deref(), Some("ip-10-0-1-33.ec2.internal"));
    assert_eq!(
        pod.controlled_by.as_deref(),
        Some("ReplicaSet/api-5c6d7f8b9")
    );
    assert!(pod.labels.contains(&("app".into(), "api".into())));
    assert_eq!(
        pod.provenance.line,
        Some(line_of(f, "  name: api-5c6d7f8b9-qw7rt"))
    );

    assert_eq!(ev.pod_conditions.len(), 3);
    let ready = &ev.pod_conditions[1];
    assert_eq!(ready.type_, "Ready");
    assert_eq!(ready.status, "False");
    assert_eq!(ready.reason.as_deref(), Some("ContainersNotReady"));
    assert_eq!(ready.provenance.line, Some(line_of(f, "type: Ready")));

    assert_eq!(ev.containers.len(), 2);
    let init = &ev.containers[0];
    assert_eq!(init.kind, ContainerKind::Init);
    assert_eq!(init.name, "wait-for-db");
    assert_eq!(init.last_state, None);
    let api = &ev.containers[1];
    assert_eq!(api.kind, ContainerKind::Regular);
    assert_eq!(api.restart_count, Some(7));
    assert_eq!(api.ready, Some(false));
    assert_eq!(
        api.provenance.line,
        Some(line_after(f, "containerStatuses:", "    name: api"))
    );
    assert_eq!(
        api.last_state,
        Some(ContainerState::Terminated {
            reason: Some("OOMKilled".into()),
            message: None,
            exit_code: Some(137),
            signal: None,
            finished_at: Some("2024-05-01T10:04:39Z".into()),
        })
    );
    match &api.state {
        Some(ContainerState::Waiting { reason, message }) => {
            assert_eq!(reason.as_deref(), Some("CrashLoopBackOff"));
            assert!(message.as_deref().unwrap().starts_with("back-off 5m0s"));
        }
        other => panic!("{other:?}"),
    }
    assert!(ev.logs.is_empty());
}

#[test]
fn json_event_list() {
    let f = "events-list.json";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["json"]);
    assert_eq!(s.segments[0].last_line, s.lines);
    assert_eq!(ev.events.len(), 2);
    let sched = &ev.events[0];
    assert_eq!(sched.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(sched.source.as_deref(), Some("default-scheduler"));
    assert_eq!(sched.object_kind.as_deref(), Some("Pod"));
    assert_eq!(
        sched.object_name.as_deref(),
        Some("checkout-6b8f9c7d5-p4m2n")
    );
    assert_eq!(sched.count, Some(1));
    assert_eq!(
        sched.provenance.line,
        Some(line_of(f, "\"message\": \"0/3 nodes"))
    );
    assert_eq!(sched.provenance.format, "json");
    let pull = &ev.events[1];
    assert_eq!(pull.count, Some(4));
    assert!(pull
        .message
        .starts_with("Failed to pull image \"nginx:1.25\": rpc error"));
    // 2024-05-01T10:00:05Z / 10:06:41Z
    assert_eq!(pull.first_seen, Some(When::Absolute(1_714_557_605)));
    assert_eq!(pull.last_seen, Some(When::Absolute(1_714_558_001)));
    assert_eq!(
        pull.provenance.line,
        Some(line_of(f, "\"message\": \"Failed to pull"))
    );
}

#[test]
fn events_k8s_io_v1_event() {
    let f = "event-v1.yaml";
    let (ev, _) = parse(f);
    assert_eq!(ev.events.len(), 1);
    let e = &ev.events[0];
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.reason.as_deref(), Some("Failed"));
    assert_eq!(e.count, Some(4));
    assert_eq!(e.source.as_deref(), Some("kubelet"));
    assert_eq!(e.object_kind.as_deref(), Some("Pod"));
    assert_eq!(e.object_name.as_deref(), Some("nginx-5d8c7b6f4-zx9kq"));
    assert_eq!(e.first_seen, Some(When::Absolute(1_714_557_605)));
    assert!(e
        .message
        .contains("dial tcp 54.236.113.205:443: i/o timeout"));
    assert!(e.message.contains("failed to pull and unpack image"));
    assert_eq!(e.provenance.line, Some(line_of(f, "note: ")));
}

#[test]
fn node_yaml_fragments_from_vendor_faq() {
    let f = "node-fragments.txt";
    let (ev, s) = parse(f);
    assert_eq!(
        formats(&s),
        vec!["free-text", "yaml", "free-text", "yaml", "free-text"]
    );
    assert_eq!(ev.taints.len(), 1);
    let t = &ev.taints[0];
    assert_eq!(t.key, "node.kubernetes.io/network-unavailable");
    assert_eq!(t.effect, "NoSchedule");
    assert_eq!(t.node, None);
    assert_eq!(
        t.provenance.line,
        Some(line_of(f, "key: node.kubernetes.io"))
    );
    // the mis-indented condition is recovered by re-indenting
    assert_eq!(ev.node_conditions.len(), 1);
    let c = &ev.node_conditions[0];
    assert_eq!(c.type_, "NetworkUnavailable");
    assert_eq!(c.status, "True");
    assert_eq!(c.reason.as_deref(), Some("EKLetHasInsufficientSubnetIP"));
    assert_eq!(
        c.message.as_deref(),
        Some("eklet node has insufficient IP available of subnet subnet-bok73g4c")
    );
    assert_eq!(c.last_transition, Some(When::Absolute(1_618_902_016)));
    assert_eq!(c.provenance.line, Some(line_of(f, "message: eklet")));
    assert!(ev.not_checked.is_empty(), "{:?}", ev.not_checked);
}

#[test]
fn truncated_yaml_keeps_the_complete_prefix_and_scans_the_rest_as_free_text() {
    let f = "truncated-pod.yaml";
    let (ev, s) = parse(f);
    // The pod and the part of its status before the cut are recovered...
    assert_eq!(ev.pods.len(), 1, "{:?}", ev.pods);
    assert_eq!(ev.pods[0].name.as_deref(), Some("api-5c6d7f8b9-qw7rt"));
    let exit_code = ev.containers.iter().find_map(|c| match &c.last_state {
        Some(ContainerState::Terminated { exit_code, .. }) => *exit_code,
        _ => None,
    });
    assert_eq!(exit_code, Some(137), "{:?}", ev.containers);
    // ...the cut is reported, with where it is...
    assert_eq!(ev.not_checked.len(), 1);
    let nc = &ev.not_checked[0];
    assert_eq!(nc.what, "lines 12-12 of truncated-pod.yaml");
    assert!(
        nc.reason
            .starts_with("YAML document starting at line 2 looks truncated (")
            && nc.reason.ends_with("the rest was scanned as free text")
            && !nc.reason.contains('\n'),
        "{}",
        nc.reason
    );
    assert_eq!(formats(&s), vec!["yaml"]);
    // ...and the unparsable tail is still scanned.
    let tail = ev
        .logs
        .iter()
        .find(|l| l.text.contains("exceeded its memory limit"))
        .expect("tail line kept as free text");
    assert!(tail.free_text);
    assert_eq!(tail.provenance.line, Some(12));
}

#[test]
fn mixed_describe_logs_and_node_yaml() {
    let f = "mixed-describe-logs-node.txt";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["describe-pod", "log", "yaml"]);
    let log_header = line_of(f, "$ kubectl logs");
    assert_eq!(s.segments[0].first_line, 2);
    assert_eq!(s.segments[0].last_line, log_header - 1);
    assert_eq!(s.segments[1].first_line, log_header);
    let node_cmd = line_of(f, "kubectl get node");
    assert_eq!(s.segments[1].last_line, node_cmd - 1);
    assert_eq!(s.segments[2].first_line, node_cmd + 1);
    assert_eq!(s.segments[2].last_line, s.lines);

    assert_eq!(ev.pods.len(), 1);
    assert_eq!(ev.containers.len(), 2);
    assert_eq!(ev.events.len(), 6);

    let panic_line = ev
        .logs
        .iter()
        .find(|l| l.text.starts_with("panic: "))
        .unwrap();
    assert_eq!(panic_line.container.as_deref(), Some("web"));
    assert_eq!(panic_line.previous, Some(true));
    assert!(!panic_line.free_text);
    assert_eq!(panic_line.provenance.format, "log");
    assert_eq!(panic_line.provenance.line, Some(log_header + 3));
    // tab-indented stack frame is a log line too
    assert!(ev
        .logs
        .iter()
        .any(|l| l.text == "\t/src/cmd/web/main.go:42 +0x1c5"));
    assert_eq!(ev.logs.len(), 6);

    assert_eq!(ev.taints.len(), 1);
    assert_eq!(
        ev.taints[0].node.as_deref(),
        Some("ip-10-0-0-12.ec2.internal")
    );
    assert_eq!(ev.taints[0].key, "node.kubernetes.io/disk-pressure");
    assert_eq!(ev.node_conditions.len(), 2);
    let dp = &ev.node_conditions[0];
    assert_eq!(dp.type_, "DiskPressure");
    assert_eq!(dp.status, "True");
    assert_eq!(
        dp.provenance.line,
        Some(line_of(f, "message: kubelet has disk pressure"))
    );
    assert_eq!(dp.provenance.format, "yaml");
}

#[test]
fn cluster_info_dump_markers_and_json() {
    let f = "cluster-info-dump.txt";
    let (ev, s) = parse(f);
    assert_eq!(formats(&s), vec!["json", "log", "log"]);
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].reason.as_deref(), Some("OOMKilling"));
    assert_eq!(ev.events[0].source.as_deref(), Some("kernel-monitor"));
    let oom = ev
        .logs
        .iter()
        .find(|l| l.text.contains("OutOfMemoryError"))
        .unwrap();
    assert_eq!(oom.container.as_deref(), Some("web"));
    assert_eq!(oom.previous, Some(false));
    assert_eq!(oom.provenance.line, Some(line_of(f, "OutOfMemoryError")));
    let envoy = ev
        .logs
        .iter()
        .find(|l| l.text.contains("health check failed"))
        .unwrap();
    assert_eq!(envoy.container.as_deref(), Some("istio-proxy"));
    assert!(ev.logs.iter().all(|l| !l.text.starts_with("====")));
}

#[test]
fn log_header_forms_set_container_and_previous() {
    let text =
        "[root@master-1 ~]# kubectl logs port-conflict-7d4fc654bb-tc9gw -n cce-burst-2425753f\n\
                Error: listen tcp :8080: bind: address already in use\n\
                $ kubectl describe pod x\n\
                Some trailing note\n\
                kubectl logs pod/x --container=app -p\n\
                fatal: config file /etc/app/config.yaml not found\n";
    let (ev, s) = parse_bytes("-", text.as_bytes());
    assert_eq!(formats(&s), vec!["log", "free-text", "log"]);
    assert_eq!(ev.logs.len(), 3);
    assert_eq!(ev.logs[0].container, None);
    assert_eq!(ev.logs[0].previous, Some(false));
    assert!(!ev.logs[0].free_text);
    assert!(ev.logs[1].free_text);
    assert_eq!(ev.logs[1].previous, None);
    assert_eq!(ev.logs[2].container.as_deref(), Some("app"));
    assert_eq!(ev.logs[2].previous, Some(true));
    assert_eq!(ev.logs[2].provenance.line, Some(6));
    assert_eq!(ev.logs[2].provenance.input, "-");
}

#[test]
fn filter_decides_which_lines_are_kept() {
    let f = "mixed-describe-logs-node.txt";
    let mut ev = Evidence::new();
    parse_reader(f, &fixture(f)[..], &Contains("panic"), &mut ev).unwrap();
    assert_eq!(ev.logs.len(), 1);
    // structured evidence is kept regardless of the filter
    assert_eq!(ev.events.len(), 6);
}

#[test]
fn a_log_line_like_name_colon_does_not_become_a_describe() {
    let text = "$ kubectl logs web-0\nName: alice\nhello world\nbye\n";
    let (ev, s) = parse_bytes("-", text.as_bytes());
    assert_eq!(formats(&s), vec!["log"]);
    assert!(ev.pods.is_empty());
    assert_eq!(ev.logs.len(), 3);
    assert!(ev.logs.iter().all(|l| !l.free_text));
    assert_eq!(ev.logs[0].text, "Name: alice");
    assert_eq!(ev.logs[0].provenance.line, Some(2));
}

#[test]
fn empty_and_whitespace_input_is_an_error() {
    let mut ev = Evidence::new();
    for data in [&b""[..], b"\n\n  \r\n\t\n"] {
        match parse_reader("empty.txt", data, &KeepAll, &mut ev) {
            Err(InputError::Empty { input }) => assert_eq!(input, "empty.txt"),
            other => panic!("{other:?}"),
        }
    }
    assert!(ev.is_empty());
}

#[test]
fn binary_input_is_an_error() {
    let mut data = b"\x1f\x8b\x08\x00\x00\x00\x00\x00".to_vec();
    data.extend_from_slice(&[0u8; 64]);
    let mut ev = Evidence::new();
    match parse_reader("dump.tar.gz", &data[..], &KeepAll, &mut ev) {
        Err(InputError::Binary { input, offset }) => {
            assert_eq!(input, "dump.tar.gz");
            assert_eq!(offset, 3);
        }
        other => panic!("{other:?}"),
    }
    // a NUL beyond the first 8 KiB is not binary detection's business
    let mut late = vec![b'a'; 9000];
    late.push(0);
    late.extend_from_slice(b"\nend\n");
    assert!(parse_reader("late.txt", &late[..], &KeepAll, &mut ev).is_ok());
}

#[test]
fn invalid_utf8_is_converted_lossily() {
    let data = b"Warning  BackOff  2m  kubelet  Back-off restarting failed container \xff\xfe web\nplain \xc3\x28 text\n";
    let (ev, s) = parse_bytes("latin1.txt", data);
    assert_eq!(s.lines, 2);
    assert_eq!(ev.events.len(), 1);
    assert!(ev.events[0].message.contains('\u{FFFD}'));
    assert_eq!(ev.logs.len(), 1);
    assert!(ev.logs[0].text.starts_with("plain \u{FFFD}"));
}

#[test]
fn very_long_line_is_cut_not_buffered() {
    let mut data = Vec::new();
    data.extend_from_slice("第一行\n".as_bytes());
    // 200 KB of multi-byte text on one line: the cut falls inside a character
    for _ in 0..(200 * 1024 / 3) {
        data.extend_from_slice("错".as_bytes());
    }
    data.extend_from_slice(b"\nlast line\n");
    let (ev, s) = parse_bytes("long.log", &data);
    assert_eq!(s.lines, 3);
    assert_eq!(s.bytes, data.len() as u64);
    assert_eq!(ev.not_checked.len(), 1);
    assert_eq!(ev.not_checked[0].what, "line 2 of long.log");
    assert_eq!(
        ev.not_checked[0].reason,
        "longer than 65536 bytes; only the first 64 KiB was scanned"
    );
    let long = &ev.logs[1];
    assert!(long.text.len() <= lines::MAX_LINE + 3);
    assert_eq!(ev.logs[2].text, "last line");
    assert_eq!(ev.logs[2].provenance.line, Some(3));
}

#[test]
fn line_and_byte_counts() {
    let (_, s) = parse_bytes("x", b"a\nb\nc");
    assert_eq!(s.lines, 3);
    assert_eq!(s.bytes, 5);
    assert_eq!(s.name, "x");
}

#[test]
fn yaml_that_is_not_evidence_is_scanned_as_text() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nstatus:\n  conditions:\n  - message: ReplicaSet \"web-7d9f8c6b5\" has timed out progressing.\n    reason: ProgressDeadlineExceeded\n    status: \"False\"\n    type: Progressing\n";
    let (ev, s) = parse_bytes("deploy.yaml", text.as_bytes());
    assert_eq!(formats(&s), vec!["yaml"]);
    let l = ev
        .logs
        .iter()
        .find(|l| l.text.contains("has timed out progressing"))
        .unwrap();
    assert!(l.free_text);
    assert_eq!(l.provenance.line, Some(7));
}

#[test]
fn multi_document_yaml_and_typed_lists() {
    let text = "apiVersion: v1\nkind: NodeList\nitems:\n- metadata:\n    name: n1\n  spec:\n    taints:\n    - effect: NoExecute\n      key: node.kubernetes.io/unreachable\n  status:\n    nodeInfo: {}\n- metadata:\n    name: n2\n  spec:\n    taints:\n    - effect: NoSchedule\n      key: node.kubernetes.io/unschedulable\n---\napiVersion: v1\nkind: PodList\nitems:\n- metadata:\n    name: p1\n  status:\n    phase: Pending\n";
    let (ev, s) = parse_bytes("list.yaml", text.as_bytes());
    assert_eq!(formats(&s), vec!["yaml", "yaml"]);
    assert_eq!(ev.taints.len(), 2);
    assert_eq!(ev.taints[0].node.as_deref(), Some("n1"));
    assert_eq!(ev.taints[0].provenance.line, Some(9));
    assert_eq!(ev.taints[1].node.as_deref(), Some("n2"));
    assert_eq!(ev.taints[1].provenance.line, Some(17));
    assert_eq!(ev.pods.len(), 1);
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Pending"));
    assert_eq!(ev.pods[0].provenance.line, Some(23));
}

#[test]
fn truncated_json_ends_at_the_next_prompt() {
    let text = "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n    \"metadata\": {\n$ kubectl logs web-0\nlistening on :8080\n";
    let (ev, s) = parse_bytes("t.json", text.as_bytes());
    // Read up to where it was cut (closed there), and the report says what was not read.
    assert_eq!(formats(&s), vec!["json", "log"]);
    assert_eq!(ev.not_checked.len(), 1);
    assert_eq!(ev.not_checked[0].what, "lines 1-4 of t.json");
    assert!(ev.not_checked[0]
        .reason
        .starts_with("JSON document could not be parsed whole: it is incomplete (cut in the paste?); read up to line 4"));
    let l = ev
        .logs
        .iter()
        .find(|l| l.text == "listening on :8080")
        .unwrap();
    assert_eq!(l.container, None);
    assert_eq!(l.previous, Some(false));
}

#[test]
fn directory_parsing_skips_binary_and_hidden_files() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("b");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(dir.path().join("a.txt"), fixture("event-lines.txt")).unwrap();
    std::fs::write(sub.join("c.json"), fixture("events-list.json")).unwrap();
    std::fs::write(
        dir.path().join("image.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .unwrap();
    std::fs::write(dir.path().join(".hidden"), b"Warning  X  1m  kubelet  y\n").unwrap();
    let mut ev = Evidence::new();
    let sums = parse_path(dir.path(), &KeepAll, &mut ev).unwrap();
    let names: Vec<String> = sums
        .iter()
        .map(|s| {
            Path::new(&s.name)
                .strip_prefix(dir.path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(names, vec!["a.txt", "b/c.json"]);
    assert_eq!(ev.events.len(), 5);
    assert_eq!(ev.not_checked.len(), 1);
    assert!(ev.not_checked[0].what.ends_with("image.png"));

    // a single binary file is an error
    let mut ev = Evidence::new();
    let err = parse_path(&dir.path().join("image.png"), &KeepAll, &mut ev).unwrap_err();
    assert!(matches!(err, InputError::Binary { .. }));
    // a directory with nothing readable is an error
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("x.bin"), b"\0").unwrap();
    assert!(parse_path(empty.path(), &KeepAll, &mut ev).is_err());
    // a missing path is an I/O error
    assert!(matches!(
        parse_path(&dir.path().join("nope"), &KeepAll, &mut ev),
        Err(InputError::Io { .. })
    ));
}

#[test]
fn never_panics_on_garbage() {
    // Every prefix of every fixture, plus some hostile lines.
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for f in [
        "describe-pod-crashloop.txt",
        "describe-node-notready.txt",
        "get-events-wide.txt",
        "console-events-zh.txt",
        "events-list.json",
        "node-fragments.txt",
    ] {
        let data = fixture(f);
        for cut in (0..data.len()).step_by(97) {
            inputs.push(data[..cut].to_vec());
        }
    }
    for s in [
        "Name: x\nNamespace: y\nContainers:\n  c:\n    State: Terminated\n      Message: a\n",
        "Events:\n  Type  Reason  Age  From  Message\n  Warning  错误  5m  kubelet  消息\n",
        "LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\n错误错误错误错误错误错误错误错误错误错误错误\n",
        "{\"apiVersion\": [[[[\n",
        "- type: x\n  status: 1\n  lastHeartbeatTime: 5\n",
        "事件类型\tK8S事件\n异常\n正常\t\t\t\t\t\t\t\t\n",
        "kubectl logs -c\n$ kubectl logs --container\nkubectl -n\n",
        "Warning  BackOff  99999999999999999999999d  kubelet, \n",
        "]\n}\n---\n...\n- \n",
    ] {
        inputs.push(s.as_bytes().to_vec());
    }
    for data in inputs {
        let mut ev = Evidence::new();
        let _ = parse_reader("fuzz", &data[..], &KeepAll, &mut ev);
    }
}

#[test]
fn oversized_document_is_skipped_and_reported() {
    // MAX_DOC is 1 MiB under test.
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\ndata:\n  big: |\n");
    while text.len() <= objects::MAX_DOC {
        text.push_str("    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
    }
    let end = text.lines().count();
    text.push_str("$ kubectl logs web-0\nready\n");
    let (ev, s) = parse_bytes("big.yaml", text.as_bytes());
    assert_eq!(formats(&s), vec!["yaml", "log"]);
    assert_eq!(ev.not_checked.len(), 1);
    assert_eq!(ev.not_checked[0].what, format!("lines 1-{end} of big.yaml"));
    assert_eq!(
        ev.not_checked[0].reason,
        "YAML document is larger than 1 MiB; it was skipped"
    );
    assert_eq!(ev.logs.len(), 1);
    assert_eq!(ev.logs[0].text, "ready");
}

#[test]
fn separators_and_prose_that_look_like_describe() {
    let text = "---\nName: John\nAge: 5\n---\n";
    let (ev, s) = parse_bytes("notes.txt", text.as_bytes());
    assert_eq!(formats(&s), vec!["free-text"]);
    assert!(ev.pods.is_empty());
    let texts: Vec<&str> = ev.logs.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, vec!["Name: John", "Age: 5"]);
    assert_eq!(ev.logs[1].provenance.line, Some(3));
}

#[test]
fn describe_other_kinds_and_bare_event_sections() {
    let text = "\
Name:                   web
Namespace:              default
CreationTimestamp:      Wed, 01 May 2024 09:50:00 +0000
Selector:               app=web
Replicas:               3 desired | 1 updated | 4 total | 2 available | 2 unavailable
StrategyType:           RollingUpdate
Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  12m   deployment-controller  Scaled up replica set web-7d9f8c6b5 to 1

Events:
  Type     Reason            Age                  From               Message
  ----     ------            ----                 ----               -------
  Warning  FailedScheduling  3m (x4 over 14m)     default-scheduler  0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.

  Type     Reason   Age  From     Message
  ----     ------   ---  ----     -------
  Warning  Evicted  1m   kubelet  The node was low on resource: ephemeral-storage. Threshold quantity: 2146223340, available: 1800484Ki.
Error: something went wrong
";
    let (ev, s) = parse_bytes("d.txt", text.as_bytes());
    // the table pasted right after the bare `Events:` section joins it
    assert_eq!(formats(&s), vec!["describe", "events-table", "free-text"]);
    assert_eq!(ev.events.len(), 3);
    assert_eq!(ev.events[0].reason.as_deref(), Some("ScalingReplicaSet"));
    // a describe with `StrategyType:` / `NewReplicaSet:` is a Deployment's
    assert_eq!(ev.events[0].object_kind.as_deref(), Some("Deployment"));
    assert_eq!(ev.events[0].provenance.format, "describe");
    let sched = &ev.events[1];
    assert_eq!(sched.count, Some(4));
    assert_eq!(sched.provenance.line, Some(15));
    assert_eq!(sched.provenance.format, "events-table");
    assert_eq!(ev.events[2].reason.as_deref(), Some("Evicted"));
    assert_eq!(ev.events[2].provenance.line, Some(19));
    assert_eq!(ev.logs.len(), 1);
    assert_eq!(ev.logs[0].provenance.line, Some(20));
}

#[test]
fn several_describes_old_from_column_and_unknown_keys() {
    let text = "\
Name:         db-0
Namespace:    data
Node:         <none>
Status:       Pending
Containers:
  postgres:
    Image:          postgres:16
    State:          Waiting
      Reason:       ContainerCreating
    Ready:          False
    Restart Count:  0
Events:         <none>

Name:         db-1
Namespace:    data
Node:         node-2/192.168.1.12
Status:       Failed
Reason:       Evicted
Message:      The node was low on resource: memory. Threshold quantity: 100Mi, available: 91552Ki. Container postgres was using 1670432Ki, request is 0, has larger consumption of request.
Frobnicate:   yes
Events:
  Type     Reason   Age   From              Message
  ----     ------   ----  ----              -------
  Warning  Evicted  44s   kubelet, node-2   The node was low on resource: memory.
";
    let (ev, s) = parse_bytes("pods.txt", text.as_bytes());
    assert_eq!(formats(&s), vec!["describe-pod", "describe-pod"]);
    assert_eq!(s.segments[0].last_line, 12);
    assert_eq!(s.segments[1].first_line, 14);
    assert_eq!(ev.pods.len(), 2);
    assert_eq!(ev.pods[0].node_name, None);
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Pending"));
    assert_eq!(
        ev.containers[0].state,
        Some(ContainerState::Waiting {
            reason: Some("ContainerCreating".into()),
            message: None
        })
    );
    let p = &ev.pods[1];
    assert_eq!(p.node_name.as_deref(), Some("node-2"));
    assert_eq!(p.reason.as_deref(), Some("Evicted"));
    assert!(p
        .message
        .as_deref()
        .unwrap()
        .starts_with("The node was low on resource: memory."));
    assert_eq!(p.provenance.line, Some(18));
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].source.as_deref(), Some("kubelet"));
    assert_eq!(ev.events[0].object_name.as_deref(), Some("db-1"));
    assert_eq!(ev.events[0].last_seen, Some(When::Age(44)));
    // an unknown top-level key is offered to the filter, so nothing is silently dropped
    assert_eq!(ev.logs.len(), 1);
    assert_eq!(ev.logs[0].text, "Frobnicate:   yes");
}

#[test]
fn pretty_json_in_a_log_stays_in_the_log() {
    let text = "$ kubectl logs api-0 -p\n{\n  \"level\": \"error\",\n  \"msg\": \"connection refused\"\n}\nshutting down\n";
    let (ev, s) = parse_bytes("-", text.as_bytes());
    assert_eq!(formats(&s), vec!["log"]);
    assert_eq!(s.segments[0].last_line, 6);
    assert_eq!(ev.logs.len(), 5);
    assert!(ev
        .logs
        .iter()
        .all(|l| !l.free_text && l.previous == Some(true)));
    assert_eq!(ev.logs[4].text, "shutting down");
}

/// A pod whose container was OOM-killed, as `kubectl get -o yaml` prints it, indented by `ind`.
fn oom_pod_yaml(name: &str, ind: &str) -> String {
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: x\nstatus:\n  phase: Running\n  containerStatuses:\n  - name: app\n    ready: false\n    restartCount: 5\n    lastState:\n      terminated:\n        reason: OOMKilled\n        exitCode: 137\n    state:\n      waiting:\n        reason: CrashLoopBackOff\n"
    );
    pod.lines().map(|l| format!("{ind}{l}\n")).collect()
}

#[test]
fn a_broken_yaml_document_is_recovered_in_a_bounded_number_of_parses() {
    // A value left open (an unclosed flow sequence) is reported only where the text ends, 40 lines
    // below where it opened: trying each shorter prefix in turn took one parse per line.
    let mut text = oom_pod_yaml("web-1", "");
    text.push_str("labels:\n");
    while text.len() < objects::MAX_WHOLE_DOC - 8 * 1024 {
        text.push_str("  app.kubernetes.io/component: storefront-frontend\n");
    }
    text.push_str("extra: [a,\n");
    for i in 0..40 {
        text.push_str(&format!("  c{i},\n"));
    }
    let (n0, b0) = objects::yaml_work();
    let (ev, _) = parse_bytes("broken.yaml", text.as_bytes());
    let (n, b) = objects::yaml_work();
    let (parses, bytes) = (n - n0, b - b0);
    assert!(
        parses <= 4,
        "{parses} parses of a {} byte document",
        text.len()
    );
    assert!(bytes <= 4 * text.len(), "{bytes} bytes parsed");
    // The part before the damage is still read.
    assert_eq!(ev.pods.len(), 1, "{:?}", ev.not_checked);
    assert!(ev.containers.iter().any(|c| matches!(
        &c.last_state,
        Some(ContainerState::Terminated { reason: Some(r), .. }) if r == "OOMKilled"
    )));
    assert!(
        ev.not_checked
            .iter()
            .any(|n| n.reason.contains("looks truncated")),
        "{:?}",
        ev.not_checked
    );
}

#[test]
fn a_large_broken_yaml_list_is_read_item_by_item_in_linear_work() {
    // Four MiB of pods in a List whose last item is cut off: each item is parsed once, the damage
    // costs one note, and nothing is parsed twice.
    let mut text = String::from("apiVersion: v1\nitems:\n");
    let mut pods = 0;
    while text.len() < 4 * 1024 * 1024 {
        let item = oom_pod_yaml(&format!("web-{pods}"), "  ");
        text.push('-');
        text.push_str(&item[1..]);
        pods += 1;
    }
    text.push_str("- apiVersion: v1\n  kind: Pod\n  metadata: {name: [cut\n");
    let (n0, b0) = objects::yaml_work();
    let mut ev = Evidence::new();
    let opts = StreamOptions {
        max_doc: Some(8 * 1024 * 1024),
        ..StreamOptions::default()
    };
    parse_stream("pods.yaml", text.as_bytes(), &KeepAll, &mut ev, opts).expect("reads");
    let (n, b) = objects::yaml_work();
    assert!(n - n0 <= pods + 2, "{} parses for {pods} items", n - n0);
    assert!(
        b - b0 <= text.len(),
        "{} bytes parsed of {}",
        b - b0,
        text.len()
    );
    assert_eq!(ev.pods.len(), pods);
    assert_eq!(ev.pods[1].provenance.line, Some(25));
    assert_eq!(ev.not_checked.len(), 1, "{:?}", ev.not_checked);
    assert!(
        ev.not_checked[0].reason.contains("could not be parsed"),
        "{:?}",
        ev.not_checked
    );
}

#[test]
fn a_yaml_object_too_big_to_parse_whole_is_read_field_by_field() {
    // A pod whose `data` field alone is larger than any object the API server stores: the field is
    // skipped with a note, the rest of the pod (its status) is still read.
    let pod = oom_pod_yaml("web-1", "");
    let (head, status) = pod.split_at(pod.find("status:").expect("status"));
    let mut text = String::from("# kubectl get pod web-1 -o yaml\n");
    text.push_str(head);
    text.push_str("data:\n");
    let mut i = 0;
    while text.len() < super::stream::MAX_ITEM as usize + 4096 {
        text.push_str(&format!("  k{i}: v\n"));
        i += 1;
    }
    text.push_str(status);
    let mut ev = Evidence::new();
    let opts = StreamOptions {
        max_doc: Some(8 * 1024 * 1024),
        ..StreamOptions::default()
    };
    parse_stream("big.yaml", text.as_bytes(), &KeepAll, &mut ev, opts).expect("reads");
    assert_eq!(ev.pods.len(), 1, "{:?}", ev.not_checked);
    assert_eq!(ev.pods[0].name.as_deref(), Some("web-1"));
    assert_eq!(ev.pods[0].provenance.line, Some(2));
    assert!(ev.containers.iter().any(|c| c.restart_count == Some(5)));
    assert_eq!(ev.not_checked.len(), 1, "{:?}", ev.not_checked);
    assert_eq!(ev.not_checked[0].what, "line 11 of big.yaml");
    assert!(
        ev.not_checked[0]
            .reason
            .contains("field `data` is larger than 2 MiB"),
        "{:?}",
        ev.not_checked
    );
}

// A pod's YAML: every container's `resources.limits` / `requests` are the pod's `requests`.
#[test]
fn pod_yaml_resources_are_the_pods_requests() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: train-0\nspec:\n  initContainers:\n  - name: init\n    image: busybox\n    resources:\n      requests:\n        memory: 64Mi\n  containers:\n  - name: trainer\n    image: example/trainer:1\n    resources:\n      limits:\n        nvidia.com/gpu: 1\nstatus:\n  phase: Pending\n";
    let mut ev = Evidence::new();
    parse_reader("p.yaml", yaml.as_bytes(), &KeepAll, &mut ev).expect("parses");
    let p = &ev.pods[0];
    assert!(p
        .requests
        .contains(&("nvidia.com/gpu".to_string(), "1".to_string())));
    assert!(p
        .requests
        .contains(&("memory".to_string(), "64Mi".to_string())));
}
