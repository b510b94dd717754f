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
