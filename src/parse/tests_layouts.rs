//! Tests of layouts taught for issue 8's weak shapes: kubectl 0.x event tables, the error `kubectl
//! logs` prints for a container that never started, chat and test-runner wrappers, the event
//! recorder's klog line, and the e2e framework's event dump. Each input keeps the verbatim shape of
//! the line it was taken from (the public thread is named above each test).

use super::*;
use crate::evidence::{ContainerState, When};

fn parse_text(text: &str) -> (Evidence, InputSummary) {
    let mut ev = Evidence::new();
    let s = parse_reader("p.txt", text.as_bytes(), &KeepAll, &mut ev).expect("parses");
    (ev, s)
}

fn formats(s: &InputSummary) -> Vec<&str> {
    s.segments.iter().map(|s| s.format.as_str()).collect()
}

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
    assert!(e.message.ends_with("no space left on device"), "{}", e.message);
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
    assert_eq!(e.message, "Failed for reason PodFitsResources and possibly others");
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
