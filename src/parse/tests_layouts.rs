//! Tests of layouts taught for issue 8's weak shapes: kubectl 0.x event tables, the error `kubectl
//! logs` prints for a container that never started, chat and test-runner wrappers, the event
//! recorder's klog line, and the e2e framework's event dump. Each input keeps the verbatim shape of
//! the line it was taken from (the public thread is named above each test).

use crate::evidence::{ContainerState, When};

use super::tests_paste::{formats, parse_text};

// https://github.com/kubernetes/kubernetes/issues/3431 (kubectl 0.x, 2015: absolute times, tabs,
// lower camel case reasons, `%!v(MISSING)` for a column kubectl had no value for).
#[test]
fn events_table_of_kubectl_0_x() {
    let text = "Time\t\t\t\tFrom\t\t\t\t\t\t\t\t\tSubobjectPath\tReason\t\tMessage\nThu, 12 Feb 2015 18:34:09 +0000\t{kubelet k8s-node-1.c.example.internal}\t\t\tfailedSync\tError syncing pod, skipping: mkdir /var/lib/kubelet/pods/bb1ee0e8-b2e5-11e4-bfb6-42010af0101c: no space left on device\t%!v(MISSING)\nThu, 12 Feb 2015 18:34:10 +0000\t{scheduler }\t\t\t\t\t\t\t\t\t\tscheduled\tSuccessfully assigned cloud-user-debug to k8s-node-1.c.example.internal\t\t\t%!v(MISSING)\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["events-table"]);
    assert_eq!(ev.events.len(), 2);
    let e = &ev.events[0];
    assert_eq!(e.reason.as_deref(), Some("FailedSync"));
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.source.as_deref(), Some("kubelet"));
    assert_eq!(e.last_seen, Some(When::Absolute(1_423_766_049)));
    assert!(
        e.message.ends_with("no space left on device"),
        "{}",
        e.message
    );
    let e = &ev.events[1];
    assert_eq!(e.reason.as_deref(), Some("Scheduled"));
    assert_eq!(e.type_.as_deref(), Some("Normal"));
    assert_eq!(e.source.as_deref(), Some("scheduler"));
}

// https://github.com/kubernetes/kubernetes/issues/11453 (describe of 2015: FirstSeen and LastSeen
// are dates, no Type column).
#[test]
fn describe_events_with_absolute_first_and_last_seen() {
    let text = "Name:\t\t\t\tmysql\nNamespace:\t\t\tdefault\nStatus:\t\t\t\tPending\nEvents:\n  FirstSeen\t\t\t\tLastSeen\t\t\tCount\tFrom\t\tSubobjectPath\tReason\t\t\tMessage\n  Fri, 17 Jul 2015 10:30:55 -0700\tFri, 17 Jul 2015 10:31:10 -0700\t5\t{scheduler }\t\t\tfailedScheduling\tFailed for reason PodFitsResources and possibly others\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 1);
    let e = &ev.events[0];
    assert_eq!(e.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.count, Some(5));
    assert_eq!(e.first_seen, Some(When::Absolute(1_437_154_255)));
    assert_eq!(e.last_seen, Some(When::Absolute(1_437_154_270)));
    assert_eq!(
        e.message,
        "Failed for reason PodFitsResources and possibly others"
    );
    // A weekday without a date is not a time.
    assert!(super::events::parse_event_line("Thu, nothing happened here today at all").is_none());
}

// https://github.com/zalando-incubator/stackset-controller/issues/25,
// https://github.com/kubernetes/kubernetes/issues/30148 (2016, `Error from server:` without the
// status), and kubelet's other wordings (kubelet_pods.go `validateContainerLogStatus`).
#[test]
fn kubectl_logs_of_a_container_waiting_to_start() {
    let text = "% kubectl logs -n shop stackset-controller-56449647cf-rtjt8\nError from server (BadRequest): container \"stackset-controller\" in pod \"stackset-controller-56449647cf-rtjt8\" is waiting to start: trying and failing to pull image\nzsh: exit 1     kubectl logs stackset-controller-56449647cf-rtjt8\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    let c = &ev.containers[0];
    assert_eq!(c.name, "stackset-controller");
    assert_eq!(
        c.pod.as_deref(),
        Some("shop/stackset-controller-56449647cf-rtjt8")
    );
    assert_eq!(c.image, None);
    assert_eq!(c.provenance.line, Some(2));
    assert_eq!(
        c.state,
        Some(ContainerState::Waiting {
            reason: Some("ImagePullBackOff".into()),
            message: None
        })
    );
    for (line, reason) in [
        ("`kubectl logs upload upload\nError from server: container \"upload\" in pod \"upload\" is waiting to start: trying and failing to pull image`", "ImagePullBackOff"),
        ("Error from server (BadRequest): container \"app\" in pod \"app-pod\" is waiting to start: image can't be pulled", "ErrImagePull"),
        ("Error from server (BadRequest): container \"app\" in pod \"web-0\" is waiting to start: ContainerCreating", "ContainerCreating"),
        ("**Error from server (BadRequest): container \"manager\" in pod \"m-675c7f8bf-4rkpk\" is waiting to start: CreateContainerConfigError**", "CreateContainerConfigError"),
    ] {
        let (ev, _) = parse_text(line);
        assert_eq!(ev.containers.len(), 1, "{line}");
        let ContainerState::Waiting { reason: r, .. } = ev.containers[0].state.clone().unwrap() else {
            panic!("{line}: not waiting");
        };
        assert_eq!(r.as_deref(), Some(reason), "{line}");
    }
    // Not a state: a container that terminated, and sentences about the error.
    for line in [
        "Error from server (BadRequest): container \"app\" in pod \"web-0\" is terminated",
        "the container is waiting to start: trying and failing to pull image",
        "Error from server (BadRequest): container \"app\" in pod \"web-0\" is waiting to start: no logs yet",
    ] {
        let (ev, _) = parse_text(line);
        assert!(ev.containers.is_empty(), "{line}");
    }
}

// https://github.com/kata-containers/kata-containers/issues/10872 (bats TAP diagnostics: `# ` before
// every line of the describe output, inside an indented fence).
#[test]
fn output_commented_out_by_a_test_runner() {
    let text = "    ```\n      #     State:      Terminated\n      #       Reason:   StartError\n      #       Message:  failed to start containerd task \"afd43e77fae0\": No such file or directory (os error 2)\n     ```\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    let Some(ContainerState::Terminated {
        reason, message, ..
    }) = &ev.containers[0].state
    else {
        panic!("not terminated: {:?}", ev.containers[0].state);
    };
    assert_eq!(reason.as_deref(), Some("StartError"));
    assert!(message
        .as_deref()
        .unwrap_or("")
        .starts_with("failed to start containerd task"));
    // A root prompt and a YAML comment are not commented-out output.
    let (ev, s) = parse_text("# kubectl -n web get po\nNAME    READY   STATUS             RESTARTS   AGE\nweb-0   0/1     CrashLoopBackOff   5          3m\n");
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert_eq!(ev.containers.len(), 1);
    let (ev, _) = parse_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-0\n#   a comment\nstatus:\n  phase: Running\n");
    assert_eq!(ev.pods.len(), 1);
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Running"));
}

// https://github.com/Project-HAMi/HAMi/issues/71 (one describe event row in inline code marks).
#[test]
fn event_row_in_inline_code_marks() {
    let (ev, s) = parse_text("`  Warning  UnexpectedAdmissionError  10s   kubelet  Allocate failed due to rpc error: code = Unavailable desc = error reading from server: EOF, which is unexpected`");
    assert_eq!(formats(&s), vec!["event-lines"]);
    assert_eq!(ev.events.len(), 1);
    assert_eq!(
        ev.events[0].reason.as_deref(),
        Some("UnexpectedAdmissionError")
    );
    assert!(ev.events[0].message.ends_with("which is unexpected"));
    // Backticks inside a line stay.
    let t = super::lines::unwrap_paste("run `kubectl get pods` first");
    assert_eq!(t, "run `kubectl get pods` first");
}

fn message_of(text: &str) -> crate::evidence::TextMessage {
    let (ev, _) = parse_text(text);
    assert!(!ev.messages.is_empty(), "no message in {text}");
    ev.messages[0].clone()
}

// https://github.com/kubernetes/autoscaler/issues/3503 (cluster autoscaler) and
// https://github.com/kubernetes/kubernetes/issues/62134 (kube-controller-manager behind a `[pod]`
// prefix): client-go's event recorder line.
#[test]
fn event_recorder_klog_line() {
    let m = message_of("I0910 18:42:33.914842       1 event.go:281] Event(v1.ObjectReference{Kind:\"Pod\", Namespace:\"test\", Name:\"test-69c4886596-pssfj\", UID:\"bb1cd249-0fd3-42b9-bc01-f22b0bbafa64\", APIVersion:\"v1\", ResourceVersion:\"11897361\", FieldPath:\"\"}): type: 'Normal' reason: 'NotTriggerScaleUp' pod didn't trigger scale-up (it wouldn't fit if a new node is added): 1 node(s) didn't match node selector");
    assert_eq!(m.reason.as_deref(), Some("NotTriggerScaleUp"));
    assert_eq!(m.type_.as_deref(), Some("Normal"));
    assert_eq!(m.object_kind.as_deref(), Some("Pod"));
    assert!(m.message.starts_with("pod didn't trigger scale-up"));
    assert_eq!(m.provenance.format, "journal");
    let m = message_of("[kube-controller-manager-54d5759bd-jb9wv] I0404 18:33:16.892774       1 event.go:218] Event(v1.ObjectReference{Kind:\"Job\", Namespace:\"default\", Name:\"sleeptest\", UID:\"3cdb843e\", APIVersion:\"batch\", ResourceVersion:\"149879950\", FieldPath:\"\"}): type: 'Warning' reason: 'DeadlineExceeded' Job was active longer than specified deadline");
    assert_eq!(m.reason.as_deref(), Some("DeadlineExceeded"));
    assert_eq!(m.object_kind.as_deref(), Some("Job"));
    assert_eq!(m.message, "Job was active longer than specified deadline");
    // klog's structured form of the same line.
    let m = message_of(
        r#"I0101 10:00:00.000000       1 event.go:307] "Event occurred" object="default/web-0" fieldPath="" kind="Pod" apiVersion="v1" type="Warning" reason="FailedScheduling" message="0/3 nodes are available: 3 Insufficient cpu.""#,
    );
    assert_eq!(m.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(m.type_.as_deref(), Some("Warning"));
    assert_eq!(m.message, "0/3 nodes are available: 3 Insufficient cpu.");
}

// Console and log-viewer prefixes before a klog line (corpus cases l105: Rancher 1.x's log viewer,
// l107: a CoreOS boot console).
#[test]
fn event_recorder_line_behind_console_prefixes() {
    let m = message_of("12/6/2016 1:24:29 PMI1206 12:24:29.656195       1 event.go:217] Event(api.ObjectReference{Kind:\"Pod\", Namespace:\"shop\", Name:\"web-1\", UID:\"ec77699a\", APIVersion:\"v1\", ResourceVersion:\"5056\", FieldPath:\"\"}): type: 'Warning' reason: 'FailedScheduling' no nodes available to schedule pods");
    assert_eq!(m.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(m.message, "no nodes available to schedule pods");
    let m = message_of("[ 4830.150820] bootkube[5]: I0109 11:21:46.606298 5 event.go:217] Event(api.ObjectReference{Kind:\"Pod\", Namespace:\"kube-system\", Name:\"kube-dns-1\", UID:\"e77def6c\", APIVersion:\"v1\", ResourceVersion:\"58\", FieldPath:\"\"}): type: 'Warning' reason: 'FailedScheduling' no nodes available to schedule pods");
    assert_eq!(m.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(m.object_kind.as_deref(), Some("Pod"));
    // A kernel console line without a klog header is plain text: no event is made up from it.
    let m = message_of("[ 4830.150820] something else happened here");
    assert_eq!(m.reason, None);
    assert!(m.message.contains("something else happened here"));
}

// https://github.com/gardener/gardener/issues/2920 (the e2e framework's event dump in logfmt).
#[test]
fn e2e_framework_event_dump() {
    let m = message_of(
        r#"time="2020-09-29T13:22:25Z" level=info msg="At 2020-09-29 12:23:48 +0000 UTC - event for reserve-capacity-54cf556d6b-6f8xt: {default-scheduler } FailedScheduling: 0/3 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.""#,
    );
    assert_eq!(m.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(m.type_.as_deref(), Some("Warning"));
    assert_eq!(m.source.as_deref(), Some("default-scheduler"));
    assert_eq!(
        m.message,
        "0/3 nodes are available: 1 Insufficient memory, 2 Insufficient cpu."
    );
    let m = message_of(
        r#"time="2020-09-29T13:22:25Z" level=info msg="At 2020-09-29 12:24:12 +0000 UTC - event for node-1: {kube-proxy node-1} Starting: Starting kube-proxy.""#,
    );
    assert_eq!(m.type_.as_deref(), Some("Normal"));
}

// https://github.com/kubernetes/minikube/issues/6246 (`* ` of `minikube logs`), kubelet's eviction
// manager in both klog forms, containerd/kubelet/crictl failing RunPodSandbox
// (https://github.com/coredns/coredns/issues/6091, https://github.com/kubernetes-sigs/cri-tools/issues/1255).
#[test]
fn component_log_lines_for_failures_they_also_record_as_events() {
    let m = message_of("* E0108 22:07:45.954949       1 factory.go:660] Error scheduling default/mini-kafka-0: pod has unbound immediate PersistentVolumeClaims; retrying");
    assert_eq!(m.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(
        m.message,
        "pod has unbound immediate PersistentVolumeClaims"
    );
    let m = message_of("* E0108 22:07:45.954750       1 scheduler.go:481] error selecting node for pod: pod has unbound immediate PersistentVolumeClaims");
    assert_eq!(m.reason.as_deref(), Some("FailedScheduling"));
    let m = message_of("Apr 12 09:28:14 node-1 kubelet[14260]: W0412 09:28:14.744599   14260 eviction_manager.go:333] eviction manager: attempting to reclaim ephemeral-storage");
    assert_eq!(m.reason.as_deref(), Some("EvictionThresholdMet"));
    assert_eq!(m.object_kind.as_deref(), Some("Node"));
    assert_eq!(m.message, "Attempting to reclaim ephemeral-storage");
    let m = message_of(
        r#"Sep 28 05:37:59 team kubelet[2865036]: I0928 05:37:59.659033 2865036 eviction_manager.go:369] "Eviction manager: attempting to reclaim" resourceName="ephemeral-storage""#,
    );
    assert_eq!(m.reason.as_deref(), Some("EvictionThresholdMet"));
    assert_eq!(m.message, "Attempting to reclaim ephemeral-storage");
    let m = message_of(
        r#"May 11 16:09:21 k8s-master01 containerd[765]: time="2023-05-11T16:09:21.839669754+08:00" level=error msg="RunPodSandbox for &PodSandboxMetadata{Name:coredns-f5cb5585b-s2bxk,Uid:eeb63f47,Namespace:kube-system,Attempt:0,} failed, error" error="failed to setup network for sandbox \"f1f5708a\": plugin type=\"calico\" failed (add): netplugin failed with no error message: signal: killed""#,
    );
    assert_eq!(m.reason.as_deref(), Some("FailedCreatePodSandBox"));
    assert!(m.message.contains("failed to setup network for sandbox"));
    let m = message_of(
        r#"FATA[0000] run pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "9d2d48a4": plugin type="calico" failed (add): pods "nginx-sandbox" not found"#,
    );
    assert_eq!(m.reason.as_deref(), Some("FailedCreatePodSandBox"));
    assert_eq!(m.type_.as_deref(), Some("Warning"));
    // Near misses: a successful sandbox, an application's own `[name]` prefix, a bullet.
    for line in [
        r#"time="2023-05-11T16:09:21Z" level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:web-0,} returns sandbox id \"f1f5\"""#,
        "[worker-1] eviction manager: attempting to reclaim ephemeral-storage",
        "* Error scheduling is a sentence here",
    ] {
        let (ev, _) = parse_text(line);
        assert!(
            ev.messages.iter().all(|m| m.reason.is_none()),
            "{line}: {:?}",
            ev.messages
        );
    }
}

// https://github.com/kubernetes/kubernetes/pull/3044 (v1beta1 of 2014: `termination`, `OOM Killed`).
#[test]
fn container_state_of_the_2014_api() {
    let text = "```\n        \"oom-test\": {\n            \"state\": {\n                \"termination\": {\n                    \"exitCode\": 137,\n                    \"reason\": \"OOM Killed\",\n                    \"startedAt\": \"2014-12-18T23:22:25Z\",\n                    \"finishedAt\": \"2014-12-18T23:22:26Z\"\n                }\n            },\n```\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    let Some(ContainerState::Terminated {
        reason, exit_code, ..
    }) = &ev.containers[0].state
    else {
        panic!("not terminated: {:?}", ev.containers[0].state);
    };
    assert_eq!(reason.as_deref(), Some("OOM Killed"));
    assert_eq!(*exit_code, Some(137));
}

// kubelet's event aggregator prefixes a message standing for several similar events; the failure
// is what follows (corpus volume-mount-msg-nfs-no-such-file-1, sandbox event rows).
#[test]
fn combined_from_similar_events_prefix() {
    let m = message_of("(combined from similar events): MountVolume.SetUp failed for volume \"pvc-e4b3\" : mount failed: exit status 32 Output: mount.nfs: mounting 192.168.137.121:/nfs/data failed, reason given by server: No such file or directory");
    assert_eq!(m.reason.as_deref(), Some("FailedMount"));
    assert!(m.message.starts_with("MountVolume.SetUp failed"));
    let (ev, _) = parse_text("  Warning  FailedCreatePodSandBox  2m52s (x35156 over 5d7h)  kubelet, 10.1.121.33  (combined from similar events): Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"ab12\": plugin type=\"calico\" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized");
    assert_eq!(ev.events.len(), 1);
    assert!(ev.events[0]
        .message
        .starts_with("Failed to create pod sandbox: rpc error"));
}

// https://github.com/kubernetes/kubernetes/issues/66237 (`systemctl status kubelet -l` in a Chinese
// locale: `7月 16 19:05:15 host kubelet[3450]: `).
#[test]
fn journal_lines_with_chinese_month_names() {
    let m = message_of("7月 16 19:05:15 test-0.localdomain kubelet[3450]: E0716 19:05:15.040853    3450 remote_image.go:108] PullImage \"10.0.30.220:9980/test/k8s-device-plugin:1.9\" from image service failed: rpc error: code = Unknown desc = failed to register layer: symlink ../libnvidia-ml.so.1 /var/lib/docker/overlay2/abc/diff/usr/lib64/libnvidia-ml.so: no such file or directory");
    assert_eq!(m.source.as_deref(), Some("kubelet"));
    assert_eq!(m.type_.as_deref(), Some("Warning"));
    assert!(m.message.starts_with("PullImage \"10.0.30.220:9980"));
    assert_eq!(m.provenance.format, "journal");
    // Not a month: a number of days.
    let (ev, _) = parse_text(
        "13月 16 19:05:15 test-0 kubelet[3450]: E0716 19:05:15.040853    3450 x.go:1] boom failed",
    );
    assert!(ev.messages.iter().all(|m| m.source.is_none()));
}

// `kubectl get pod -o jsonpath` prints the bare value after the command line (issue 8: "-o jsonpath
// output"); `[*]` prints one value per container, a filter selects one by name.
#[test]
fn jsonpath_output_after_its_command() {
    let (ev, _) = parse_text("$ kubectl get pod web-0 -n shop -o jsonpath='{.status.containerStatuses[*].lastState.terminated.reason}'\nOOMKilled Completed\n");
    assert_eq!(ev.containers.len(), 2);
    assert_eq!(ev.containers[0].pod.as_deref(), Some("shop/web-0"));
    assert_eq!(ev.containers[0].provenance.line, Some(2));
    assert!(matches!(
        &ev.containers[0].last_state,
        Some(ContainerState::Terminated { reason: Some(r), .. }) if r == "OOMKilled"
    ));
    let (ev, _) = parse_text("$ kubectl get po web-0 -o=jsonpath='{.status.initContainerStatuses[?(@.name==\"init-db\")].state.waiting.reason}'\n\nCrashLoopBackOff\n$ kubectl get pods web-0 -o jsonpath={.status.phase}\nPending\n");
    assert_eq!(ev.containers.len(), 1);
    assert_eq!(ev.containers[0].name, "init-db");
    assert_eq!(ev.containers[0].kind, crate::evidence::ContainerKind::Init);
    assert_eq!(ev.pods.len(), 1);
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Pending"));
    // Another resource, another command, or no command: a bare word is not a state.
    for text in [
        "$ kubectl get node n1 -o jsonpath='{.status.phase}'\nPending\n",
        "$ kubectl describe pod web-0\nOOMKilled\n",
        "OOMKilled\n",
        "$ kubectl get pod web-0 -o jsonpath='{.status.containerStatuses[*].state.waiting.reason}'\nno such pod here\n",
    ] {
        let (ev, _) = parse_text(text);
        assert!(ev.containers.is_empty() && ev.pods.is_empty(), "{text}");
    }
}

// kubelet's sync result and start-failure templates in journal lines: the container's waiting
// state (kubelet pkg/kubelet/container/sync_result.go, kuberuntime_manager.go).
#[test]
fn container_failures_in_kubelet_journal_lines() {
    let (ev, _) = parse_text("Dec 01 10:00:00 node-1 kubelet[1234]: E1201 10:00:00.000000    1234 pod_workers.go:186] Error syncing pod 0f1e (\"web-0_default(0f1e)\"), skipping: failed to \"StartContainer\" for \"app\" with CreateContainerConfigError: \"secret \\\"db-pass\\\" not found\"\nDec 01 10:00:10 node-1 kubelet[1234]: E1201 10:00:10.000000    1234 pod_workers.go:186] Error syncing pod 0f1e (\"web-0_default(0f1e)\"), skipping: failed to \"StartContainer\" for \"app\" with CreateContainerConfigError: \"secret \\\"db-pass\\\" not found\"\n");
    assert_eq!(ev.containers.len(), 1, "repeats are one container");
    let c = &ev.containers[0];
    assert_eq!(c.name, "app");
    assert_eq!(c.provenance.format, "journal");
    assert_eq!(
        c.state,
        Some(ContainerState::Waiting {
            reason: Some("CreateContainerConfigError".into()),
            message: Some("secret \"db-pass\" not found".into())
        })
    );
    let (ev, _) = parse_text(
        r#"E1201 10:00:00.000000    1234 kuberuntime_manager.go:1256] "Unhandled Error" err="init container &Container{Name:init-db,Image:busybox:1.36,Command:[sh],} start failed in pod web-0_default(0f1e): CreateContainerError: context deadline exceeded" logger="UnhandledError""#,
    );
    assert_eq!(ev.containers.len(), 1);
    let c = &ev.containers[0];
    assert_eq!(c.name, "init-db");
    assert_eq!(c.kind, crate::evidence::ContainerKind::Init);
    assert_eq!(c.image.as_deref(), Some("busybox:1.36"));
    assert!(
        matches!(&c.state, Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "CreateContainerError")
    );
    // A sentence about StartContainer is not a failure.
    let (ev, _) = parse_text("we failed to \"StartContainer\" for \"my app\" with no luck: \"x\"");
    assert!(ev.containers.is_empty());
}

// https://github.com/kubernetes/kubernetes/issues/10861 (kubectl 1.0 describe: `Last Termination
// State:`, the infra container's subobject path `implicitly required container POD`).
#[test]
fn describe_of_kubectl_1_0() {
    let text = "Name:\t\t\t\tsimmemleak-hra99\nNamespace:\t\t\tdefault\nStatus:\t\t\t\tRunning\nContainers:\n  simmemleak:\n    Image:\tsaadali/simmemleak\n    State:\t\tRunning\n      Started:\t\tTue, 07 Jul 2015 12:54:41 -0700\n    Last Termination State:\tTerminated\n      Reason:\t\t\tOOM Killed\n      Exit Code:\t\t137\n    Ready:\t\tFalse\n    Restart Count:\t5\nEvents:\n  FirstSeen\t\t\t\tLastSeen\t\t\tCount\tFrom\t\t\t\t\tSubobjectPath\t\t\t\tReason\t\tMessage\n  Tue, 07 Jul 2015 12:53:51 -0700\tTue, 07 Jul 2015 12:53:51 -0700\t1\t{kubelet kubernetes-minion-tf0f}\timplicitly required container POD\tpulled\t\tPod container image \"gcr.io/google_containers/pause:0.8.0\" already present on machine\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.containers.len(), 1);
    let c = &ev.containers[0];
    assert!(matches!(c.state, Some(ContainerState::Running { .. })));
    assert!(matches!(
        &c.last_state,
        Some(ContainerState::Terminated { reason: Some(r), exit_code: Some(137), .. }) if r == "OOM Killed"
    ));
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].reason.as_deref(), Some("Pulled"));
    assert_eq!(ev.events[0].type_.as_deref(), Some("Normal"));
    assert!(ev.events[0].message.starts_with("Pod container image"));
}

// `kubectl logs --prefix` (also with `-l`): each line names its pod and container.
#[test]
fn kubectl_logs_with_prefix() {
    let (ev, s) = parse_text("$ kubectl logs -n shop -l app=web --prefix --previous\n[pod/web-0/app] nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n[pod/web-1/sidecar] ready\n");
    assert_eq!(formats(&s), vec!["log"]);
    assert_eq!(ev.logs.len(), 2);
    assert_eq!(ev.logs[0].pod.as_deref(), Some("web-0"));
    assert_eq!(ev.logs[0].container.as_deref(), Some("app"));
    assert_eq!(ev.logs[0].previous, Some(true));
    assert!(ev.logs[0].text.starts_with("nginx: [emerg]"));
    assert_eq!(ev.logs[1].container.as_deref(), Some("sidecar"));
    // Without a command line, and a bracket that is not a prefix.
    let (ev, _) = parse_text("[pod/web-0/app] started\n[pod web-0] not a prefix\n");
    assert_eq!(ev.logs[0].container.as_deref(), Some("app"));
    assert_eq!(ev.logs[0].previous, None);
    assert!(ev.logs[1].free_text);
}

// Fences: ```diff blocks (each line starts with `+`), four backticks, and `'''`.
#[test]
fn diff_and_other_fences() {
    let text = "````diff\n+Events:\n+  FirstSeen\t\t\t\tLastSeen\t\t\tCount\tFrom\t\tSubobjectPath\tReason\t\t\tMessage\n+  Thu, 09 Jul 2015 23:56:21 -0700\tFri, 10 Jul 2015 00:01:30 -0700\t21\t{scheduler }\t\t\tfailedScheduling\tFailed for reason PodFitsResources and possibly others\n+```\n````\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(ev.events[0].count, Some(21));
    let (_, s) = parse_text("'''\nNAME    READY   STATUS   RESTARTS   AGE\nweb-0   0/1     Error    0          4m\n'''\nsome text after\n");
    assert_eq!(formats(&s), vec!["get-pods", "free-text"]);
    // A `+` outside a diff block stays.
    let (ev, _) = parse_text("+Events:\n");
    assert!(ev.events.is_empty());
}

// A `state:` map's inside pasted alone (corpus start-error-yaml-containercannotrun-mkdir-file-exists-d164).
#[test]
fn terminated_map_pasted_alone() {
    let (ev, s) = parse_text("```yaml\n      terminated:\n        exitCode: 128\n        message: 'mkdir /mnt/hdfs_mulan: file exists'\n        reason: ContainerCannotRun\n```\n");
    assert_eq!(formats(&s), vec!["yaml"]);
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Terminated { reason: Some(r), exit_code: Some(128), .. }) if r == "ContainerCannotRun"
    ));
}

// A hand-trimmed container block (`Reason:` under `State:` without indentation) and a whole
// describe that lost its indentation (pasted outside a code block on GitHub).
#[test]
fn describe_that_lost_its_indentation() {
    let (ev, _) = parse_text("    State: Terminated\n    Reason: OOMKilled\n    Restart Count: 2\n    Limits:\n      memory: 128Mi\n");
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Terminated { reason: Some(r), .. }) if r == "OOMKilled"
    ));
    let text = "Name: wordpress-5bbd7fd785-p4s9r\nNamespace: default\nNode: node-1/192.168.43.166\nLabels: app=wordpress\npod-template-hash=5bbd7fd785\ntier=frontend\nStatus: Running\nContainers:\nwordpress:\nContainer ID: docker://e5554cdd3362\nImage: wordpress:4.8-apache\nState: Running\nStarted: Sun, 09 Aug 2020 12:17:29 +0530\nLast State: Terminated\nReason: Error\nExit Code: 1\nReady: True\nRestart Count: 19\nEnvironment:\nWORDPRESS_DB_HOST: wordpress-mysql\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["describe-pod"]);
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Running"));
    assert!(ev.pods[0]
        .labels
        .iter()
        .any(|(k, v)| k == "tier" && v == "frontend"));
    let c = &ev.containers[0];
    assert_eq!(c.name, "wordpress");
    assert_eq!(c.restart_count, Some(19));
    assert_eq!(c.image.as_deref(), Some("wordpress:4.8-apache"));
    assert!(matches!(
        &c.last_state,
        Some(ContainerState::Terminated { reason: Some(r), exit_code: Some(1), .. }) if r == "Error"
    ));
}

// Event rows behind a timestamper or a clock, and the absolute times old kubectl printed
// (corpus probe-oc-get-events-watch-timestamped-d38, probe-oc-get-events-2017-row-readiness-d40,
// scheduling-2015-get-events-matchnodeselector-d140, image-not-found-dashboard-events-code2-d15).
#[test]
fn event_rows_with_times_before_or_in_them() {
    let e = super::events::parse_event_line("Jan 22 14:23:28 0s      Warning   Unhealthy                      pod/router-default-8549fc67ff-5dt75    Readiness probe failed: Get \"http://10.129.4.8:1936/healthz/ready\": context deadline exceeded").unwrap();
    assert_eq!(e.reason.as_deref(), Some("Unhealthy"));
    assert_eq!(
        e.object_name.as_deref(),
        Some("router-default-8549fc67ff-5dt75")
    );
    let e = super::events::parse_event_line("2017-06-12 12:08:10 +0530 IST   2017-06-12 12:03:50 +0530 IST   14        config-server-1-k40fc   Pod       spec.containers{spring-boot}   Warning   Unhealthy   {kubelet 192.168.64.4}   Readiness probe failed: Get http://172.17.0.3:8080/health: net/http: request canceled").unwrap();
    assert_eq!(e.count, Some(14));
    assert_eq!(e.last_seen, Some(When::Absolute(1_497_249_490)));
    assert_eq!(e.source.as_deref(), Some("kubelet"));
    let e = super::events::parse_event_line("Wed, 01 Jul 2015 19:11:22 -0700   Wed, 01 Jul 2015 19:16:30 -0700   13        testpod4                                       Pod                                                              failedScheduling   {scheduler }                       Failed for reason MatchNodeSelector and possibly others").unwrap();
    assert_eq!(e.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(e.object_name.as_deref(), Some("testpod4"));
    let m = message_of("3:05:26 PM  Warning  Failed   Failed to pull image \"aerokube/logger:cad1\": rpc error: code = 2 desc = manifest unknown: manifest unknown");
    assert_eq!(m.reason.as_deref(), Some("Failed"));
    assert!(m.message.starts_with("Failed to pull image"));
    // A clock alone, a date that is not one, and prose starting with a month are not rows.
    assert!(super::events::parse_event_line("Jan 22 was when it started failing").is_none());
    assert!(super::events::parse_event_line("Wed, nothing here").is_none());
}

// An event row quoted in prose (corpus scheduling-quoted-message-untolerated-control-plane-d174),
// kubelet's prober lines before 1.4 (corpus probe-2015-journal-readiness-failed-killed-d144), and
// a JSON string broken over lines (corpus image-auth-json-waiting-signature-validation-d67).
#[test]
fn quoted_rows_old_prober_lines_and_broken_json_strings() {
    let (ev, _) = parse_text("\" Warning  FailedScheduling  61s (x2 over 6m23s)  default-scheduler  0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..\"");
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].reason.as_deref(), Some("FailedScheduling"));
    assert!(ev.events[0].message.ends_with("scheduling.."));
    let m = message_of("Jun 12 09:49:11 k8s-master kubelet[22333]: I0612 09:49:11.818095   22333 prober.go:142] Readiness probe for \"liveness-exec_default:liveness\" failed (failure): HTTP probe failed with statuscode: 503");
    assert_eq!(m.reason.as_deref(), Some("Unhealthy"));
    assert_eq!(
        m.message,
        "Readiness probe failed: HTTP probe failed with statuscode: 503"
    );
    let (ev, _) = parse_text("{\n  \"waiting\": {\n    \"message\": \"Back-off pulling image \\\"quay.io/crio/unsigned:latest\\\": SignatureValidationFailed: Source\n image rejected: A signature was required, but no signature exists\",\n    \"reason\": \"ImagePullBackOff\"\n  }\n}\n");
    assert!(matches!(
        &ev.containers[0].state,
        Some(ContainerState::Waiting { reason: Some(r), message: Some(m) }) if r == "ImagePullBackOff" && m.contains("Source image rejected")
    ));
}

// `kubectl describe event NAME` (corpus scheduling-describe-event-object-predicates-counts-d139),
// cut before its `Reason:` value: the message's wording names the reason.
#[test]
fn describe_of_an_event_object() {
    let text = "Name:             resource-test-bdfcd9f5-g8jq5.157e0a42f7ead471\nNamespace:        default\nLabels:           <none>\nAnnotations:      <none>\nAPI Version:      v1\nCount:            12\nFirst Timestamp:  2019-01-28T14:43:24Z\nInvolved Object:\n  API Version:       v1\n  Kind:              Pod\n  Name:              resource-test-bdfcd9f5-g8jq5\nKind:                Event\nLast Timestamp:      2019-01-28T14:45:34Z\nMessage:             No nodes are available that match all of the predicates: Insufficient cpu (19), Insufficient memory (19), PodToleratesNodeTaints (10).\nReason:\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 1);
    let e = &ev.events[0];
    assert_eq!(e.reason.as_deref(), Some("FailedScheduling"));
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.count, Some(12));
    assert!(e.message.starts_with("No nodes are available"));
    assert!(ev.pods.is_empty());
}

// A structured klog line cut by a pager inside its last value (corpus
// admission-journal-predicate-failed-outofcpu-d93): the message and what there is of the value.
#[test]
fn structured_klog_line_cut_inside_a_value() {
    let m = message_of(
        r#"Nov 14 04:15:27 node-1 kubelet[5163]: E1114 04:15:27.638990    5163 kuberuntime_manager.go:1] "Failed to pull image" err="rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nope\": not fou"#,
    );
    assert_eq!(m.reason.as_deref(), Some("Failed"));
    assert!(
        m.message
            .starts_with("Failed to pull image: rpc error: code = NotFound"),
        "{}",
        m.message
    );
    assert!(
        m.message.ends_with("nginx:nope\": not fou"),
        "{}",
        m.message
    );
}

// kubectl 0.x `get pods` (https://github.com/kubernetes/kubernetes/pull/7981): a pod's row, then
// one row per container with its state and message.
#[test]
fn get_pods_of_kubectl_0_x() {
    let text = "POD       IP          CONTAINER(S)   IMAGE(S)    HOST                  LABELS    STATUS    CREATED          MESSAGE\nfoo       10.0.0.53                              127.0.0.1/127.0.0.1   <none>    Pending   About a minute   \n                      bar1           fooimage1                                   Waiting                    Error: image library/fooimage1:latest not found\n                      bar2           fooimage2                                   Running                    last termination: exit code 1\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["get-pods"]);
    assert_eq!(ev.pods.len(), 1);
    assert_eq!(ev.pods[0].phase.as_deref(), Some("Pending"));
    assert_eq!(ev.containers.len(), 2);
    let c = &ev.containers[0];
    assert_eq!(
        (c.name.as_str(), c.pod.as_deref(), c.image.as_deref()),
        ("bar1", Some("foo"), Some("fooimage1"))
    );
    assert!(
        matches!(&c.state, Some(ContainerState::Waiting { message: Some(m), .. }) if m == "Error: image library/fooimage1:latest not found")
    );
    assert!(matches!(
        &ev.containers[1].last_state,
        Some(ContainerState::Terminated {
            exit_code: Some(1),
            ..
        })
    ));
}

// A pod's status pasted without its metadata next to the describe of one pod is that pod's
// (corpus job-json-status-deadline-exceeded-and-old-describe-d133); with two pods it stays unnamed.
#[test]
fn unnamed_status_next_to_one_named_pod() {
    let status = "    \"status\": {\n        \"phase\": \"Failed\",\n        \"message\": \"Pod was active on the node longer than specified deadline\",\n        \"reason\": \"DeadlineExceeded\"\n    }\n";
    let (ev, _) = parse_text(&format!("```\nName:\t\t\t\tfoo\nNamespace:\t\t\tshop\nNode:\t\t\t\te2e-minion-y38q/\nStatus:\t\t\t\tFailed\n```\n```\n{status}```\n"));
    assert_eq!(ev.pods.len(), 2);
    assert!(ev
        .pods
        .iter()
        .all(|p| p.name.as_deref() == Some("foo") && p.namespace.as_deref() == Some("shop")));
    let (ev, _) = parse_text(&format!("NAME    READY   STATUS   RESTARTS   AGE\nweb-0   0/1     Error    0          4m\nweb-1   0/1     Error    0          4m\n```\n{status}```\n"));
    assert!(ev.pods.iter().any(|p| p.name.is_none()));
}

// https://errornotes.dev/en/errors/kubernetes/fix-kubernetes-error-03-nodes-are-available-1-insufficient-cpu-2-insufficient-me
// (corpus insufficient-cpu-memory-describe-vertical-events-i94): a page rendered the Events table
// one field per line; dashboards' event details (Lens, Headlamp, the OpenShift console) copy with
// a colon after each field.
#[test]
fn events_printed_one_field_per_line() {
    let text = "$ kubectl describe pod my-app-7f45b6d-abcde\n...\nEvents:\nType Warning\nReason FailedScheduling\nMessage 0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.\n";
    let (ev, _) = parse_text(text);
    let e = ev
        .events
        .iter()
        .find(|e| e.reason.as_deref() == Some("FailedScheduling"))
        .expect("the fields make one event");
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert!(e
        .message
        .starts_with("0/3 nodes are available: 1 Insufficient cpu"));
    // with colons, more fields, two events, a message wrapped over two lines
    let text = "Type:     Warning\nReason:   BackOff\nObject:   pod/web-0\nFrom:     kubelet\nAge:      3m (x12 over 10m)\nMessage:  Back-off restarting\n  failed container app in pod web-0\n\nType: Normal\nReason: Pulled\nMessage: Successfully pulled image \"nginx\"\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 2, "{:?}", ev.events);
    let e = &ev.events[0];
    assert_eq!(e.reason.as_deref(), Some("BackOff"));
    assert_eq!(e.source.as_deref(), Some("kubelet"));
    assert_eq!(e.count, Some(12));
    assert_eq!(e.object_name.as_deref(), Some("web-0"));
    assert_eq!(e.object_kind.as_deref(), Some("Pod"));
    assert_eq!(
        e.message,
        "Back-off restarting\nfailed container app in pod web-0"
    );
    assert_eq!(ev.events[1].reason.as_deref(), Some("Pulled"));
    // a pod's describe fields (`Status:`, `Reason: Evicted`, `Message:`) are not an event: no
    // `Type Warning|Normal` line starts them; a `Type` that is not an event type starts nothing
    let (ev, _) =
        parse_text("Reason:   Evicted\nMessage:  The node was low on resource: memory.\n");
    assert!(ev.events.is_empty());
    let (ev, _) = parse_text("Type: Opaque\nReason: Bad\nMessage: x\n");
    assert!(ev.events.is_empty());
    // without a message there is no event
    let (ev, _) = parse_text("Type: Warning\nReason: BackOff\n\n");
    assert!(ev.events.is_empty());
}

// https://github.com/camunda/camunda-platform-helm/issues/1846 (corpus camunda-identity-missing-secret-describe-cut-i50):
// an excerpt cut inside the waiting reason.
#[test]
fn a_container_reason_cut_short_is_the_one_it_starts() {
    let text = "Name:             web-0\nNamespace:        default\nStatus:           Pending\nContainers:\n  app:\n    Image:          camunda/identity:8.5.1\n    State:          Waiting\n      Reason:       CreateContainerConfigE\n";
    let (ev, _) = parse_text(text);
    let c = ev
        .containers
        .iter()
        .find(|c| c.name == "app")
        .expect("the container");
    assert!(matches!(
        &c.state,
        Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "CreateContainerConfigError"
    ));
    // ambiguous (CreateContainerError / CreateContainerConfigError) or unknown: kept as pasted
    for (cut, kept) in [
        ("CreateContainer", "CreateContainer"),
        ("SomethingElse", "SomethingElse"),
        ("Crash", "Crash"),
    ] {
        let (ev, _) = parse_text(&text.replace("CreateContainerConfigE", cut));
        let c = ev
            .containers
            .iter()
            .find(|c| c.name == "app")
            .expect("the container");
        assert!(
            matches!(&c.state, Some(ContainerState::Waiting { reason: Some(r), .. }) if r == kept),
            "{cut}: {:?}",
            c.state
        );
    }
}

// Log tailers' prefixes: kubetail (`sed "s/^/[${pod}${display_name}] /"`, the container after the
// pod when there are several) and stern (`{{.PodName}} {{.ContainerName}} {{.Message}}`, the
// namespace first with --all-namespaces), beside `kubectl logs --prefix`.
#[test]
fn kubetail_and_stern_prefixes_name_the_pod_and_container() {
    for (line, pod, container) in [
        (
            "[web-7d9f8c6b5-x2k4p] Traceback (most recent call last):",
            "web-7d9f8c6b5-x2k4p",
            None,
        ),
        (
            "[web-7d9f8c6b5-x2k4p app] Traceback (most recent call last):",
            "web-7d9f8c6b5-x2k4p",
            Some("app"),
        ),
        (
            "web-7d9f8c6b5-x2k4p app Traceback (most recent call last):",
            "web-7d9f8c6b5-x2k4p",
            Some("app"),
        ),
        (
            "db-0 postgres Traceback (most recent call last):",
            "db-0",
            Some("postgres"),
        ),
        (
            "shop web-7d9f8c6b5-x2k4p app Traceback (most recent call last):",
            "shop/web-7d9f8c6b5-x2k4p",
            Some("app"),
        ),
    ] {
        let (ev, _) = parse_text(&format!("{line}\n"));
        let l = ev
            .logs
            .iter()
            .find(|l| l.text == "Traceback (most recent call last):")
            .unwrap_or_else(|| panic!("{line}: {:?}", ev.logs));
        assert_eq!(l.pod.as_deref(), Some(pod), "{line}");
        assert_eq!(l.container.as_deref(), container, "{line}");
    }
    // not a tailer's prefix: a Java thread, a log level, a word that is not a generated pod name
    for line in [
        "[main] INFO org.springframework.boot.SpringApplication - Starting",
        "[INFO] Building jar",
        "[my-app] started",
        "web-server app started",
    ] {
        let (ev, _) = parse_text(&format!("{line}\n"));
        assert!(
            ev.logs.iter().all(|l| l.pod.is_none()),
            "{line}: {:?}",
            ev.logs
        );
    }
}

// Event tables copied from a web UI: the cells come tab-separated, in the UI's column order and
// spelling. OpenLens/Freelens' overview has `Type  Message  Involved Object  Count  Source  Age
// Last Seen` (no Reason); Argo CD's resource events `Reason  Message  Count  First Occurred  Last
// Occurred` (no Type).
#[test]
fn ui_event_tables_copied_with_tabs() {
    let text = "Type\tMessage\tNamespace\tInvolved Object\tSource\tCount\tAge\tLast Seen\nWarning\tBack-off restarting failed container app in pod web-0_default(1234)\tdefault\tPod web-0\tkubelet node-1\t14\t6m\t3m12s\nWarning\tError: secret \"db-creds\" not found\tdefault\tPod web-0\tkubelet node-1\t3\t7m\t6m\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 2, "{:?}", ev.events);
    let e = &ev.events[0];
    assert_eq!(
        e.reason.as_deref(),
        Some("BackOff"),
        "implied by the message"
    );
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(e.object_kind.as_deref(), Some("Pod"));
    assert_eq!(e.object_name.as_deref(), Some("web-0"));
    assert_eq!(e.source.as_deref(), Some("kubelet"));
    assert_eq!(e.count, Some(14));
    assert_eq!(ev.events[1].message, "Error: secret \"db-creds\" not found");
    let text = "REASON\tMESSAGE\tCOUNT\tFIRST OCCURRED\tLAST OCCURRED\nFailed\tError: secret \"db-creds\" not found\t14\t5 minutes ago\t3 minutes ago\n";
    let (ev, _) = parse_text(text);
    assert_eq!(ev.events.len(), 1);
    assert_eq!(ev.events[0].reason.as_deref(), Some("Failed"));
    assert_eq!(ev.events[0].count, Some(14));
    // not an event table: no Message column, or a row that does not fit the header
    let (ev, _) = parse_text("NAME\tREADY\tSTATUS\tRESTARTS\tAGE\nweb-0\t0/1\tPending\t0\t5m\n");
    assert!(ev.events.is_empty());
    let (ev, _) = parse_text("Type\tMessage\tCount\nnot-a-type\tsomething\t1\n");
    assert!(ev.events.is_empty());
}

// `kubectl get events -o custom-columns=LASTSEEN:.lastTimestamp,...` prints the timestamp itself; a
// table retyped by hand may keep only its clock time.
#[test]
fn events_table_with_timestamps_or_clock_times_as_last_seen() {
    let text = "LASTSEEN               TYPE      REASON    OBJECT      MESSAGE\n2024-05-01T10:00:00Z   Warning   BackOff   pod/web-0   Back-off restarting failed container\n10:02:00Z              Warning   BackOff   pod/web-0   Back-off restarting failed container web in pod web-0\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["events-table"]);
    assert_eq!(ev.events.len(), 2);
    assert_eq!(ev.events[0].last_seen, Some(When::Absolute(1_714_557_600)));
    assert_eq!(ev.events[0].reason.as_deref(), Some("BackOff"));
    assert_eq!(ev.events[1].last_seen, None);
    assert!(ev.events[1].message.ends_with("in pod web-0"));
}

// An event table retyped as Markdown with the old `kubectl get events` columns in another order
// (SOURCE last, `{daemon-set }` with its space) and clock times for LAST SEEN (the layout of
// https://github.com/kubernetes/kubernetes/issues/28535).
#[test]
fn markdown_event_table_with_source_last_and_clock_times() {
    let text = "| LastSeen | Ct | Name | Kind | Reason | Message | Source |\n| --- | --- | --- | --- | --- | --- | --- |\n| 10:01:21Z | 1 | worker-4 | Node | Starting | Starting kubelet. | {kubelet worker-4} |\n| 10:01:22 | 1 | metrics-proxy | DS | SuccessfulCreate | Created pod: metrics-proxy-x1c9q | {daemon-set } |\n| 10:01:22 | 1 | metrics-proxy | DS | FailedPlacement | failed to place pod on \"worker-4\": host port conflict | {daemonset-controller } |\n";
    let (ev, _) = parse_text(text);
    let e = ev
        .events
        .iter()
        .find(|e| e.reason.as_deref() == Some("FailedPlacement"))
        .expect("the FailedPlacement row");
    assert_eq!(
        e.message,
        "failed to place pod on \"worker-4\": host port conflict"
    );
    assert_eq!(e.object_kind.as_deref(), Some("DaemonSet"));
    assert_eq!(e.source.as_deref(), Some("daemonset-controller"));
}

// An event row whose message was printed on the next line, indented (a runbook's
// `kubectl describe pvc` events; the row ends with its source column), as corpus-q's q120 has it:
// https://grokdatum.github.io/grokdevops-wiki/library/runbooks/kubernetes/pvc-pending
#[test]
fn event_row_with_its_message_on_the_next_line() {
    let text = "Events:\n  Warning  ProvisioningFailed  90s   persistentvolume-controller\n    storageclass.storage.k8s.io \"fast-ssd\" not found\n";
    let (ev, s) = parse_text(text);
    assert_eq!(formats(&s), vec!["events-table"]);
    assert_eq!(ev.events.len(), 1);
    let e = &ev.events[0];
    assert_eq!(e.reason.as_deref(), Some("ProvisioningFailed"));
    assert_eq!(e.source.as_deref(), Some("persistentvolume-controller"));
    assert_eq!(
        e.message,
        "storageclass.storage.k8s.io \"fast-ssd\" not found"
    );
}

// A CI job's log read with `kubectl logs`: OpenShift CI's monitor line for an event that repeated
// is still that event (the layout of corpus-h's h114, under a `kubectl logs` prompt).
#[test]
fn a_relayed_event_in_a_container_log_is_still_an_event() {
    let text = "$ kubectl logs e2e-runner -n ci\nevent happened 56 times, something is wrong: ns/shop pod/web-6747df4b84-bc96x node/worker-1 - reason/BackOff Back-off restarting failed container\n";
    let (ev, _) = parse_text(text);
    assert!(ev
        .messages
        .iter()
        .any(|m| m.reason.as_deref() == Some("BackOff")));
    assert!(ev
        .logs
        .iter()
        .all(|l| l.pod.as_deref() == Some("ci/e2e-runner") && !l.free_text));
}
