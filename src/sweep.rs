//! Many pods at once: the report of a namespace sweep or of a dump directory.
//!
//! A sweep diagnoses every unhealthy pod in scope, each pod's findings ranked as for a single pod,
//! then groups pods by their top cause so that "12 pods: registry unreachable" reads as one
//! problem. Healthy pods are counted, not listed. This module is pure: the live sweep
//! (`crate::live`) and the dump reader (`crate::parse::dump`) fill a [`SweepReport`], and the
//! renderers in `crate::report` and `crate::formats` print it.

use crate::evidence::{ContainerState, Evidence, NotChecked, PodInfo};
// Moved to the evidence module (issue 11); re-exported for existing callers.
pub use crate::evidence::{focus, named_pods, split_by_pod};
use crate::report::{ClusterInfo, Diagnosis};
use crate::rules::Severity;
use serde::Serialize;

/// What a sweep covered.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// `namespace`, `all-namespaces` or `dump`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<String>,
    /// Dump directory or archive, for `dump`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Pods that share a top cause.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Rule id of the top finding of every pod in the group.
    pub cause: String,
    pub title: String,
    pub severity: Severity,
    /// `namespace/name` of each pod, sorted.
    pub pods: Vec<String>,
}

/// The diagnosis of many pods.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    pub scope: Scope,
    /// Pods looked at in total (healthy + diagnosed).
    pub total_pods: usize,
    /// Pods that were Running and Ready (or Succeeded): counted, not listed.
    pub healthy_pods: usize,
    /// One diagnosis per unhealthy pod, ordered by the severity of its top finding, then name.
    pub pods: Vec<Diagnosis>,
    /// Unhealthy pods grouped by their top cause, largest group first.
    pub groups: Vec<Group>,
    /// What could not be checked for the sweep as a whole (RBAC, timeouts, unreadable files).
    pub not_checked: Vec<NotChecked>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterInfo>,
    /// `namespace/name` of the healthy pods, when the reader kept them (JUnit reports each as a
    /// passing test case); may be shorter than `healthy_pods`.
    #[serde(skip)]
    pub healthy: Vec<String>,
}

impl SweepReport {
    /// Build from per-pod diagnoses (healthy pods already removed) and counts.
    pub fn new(
        scope: Scope,
        total_pods: usize,
        healthy_pods: usize,
        mut pods: Vec<Diagnosis>,
        not_checked: Vec<NotChecked>,
    ) -> SweepReport {
        pods.sort_by(|a, b| {
            b.worst()
                .cmp(&a.worst())
                .then_with(|| pod_key(a).cmp(&pod_key(b)))
        });
        let mut groups: Vec<Group> = Vec::new();
        for d in &pods {
            // A pod is grouped by its own top cause: history and unrelated node context never
            // group it (a pod with only those is listed, not grouped).
            let Some(top) = d.findings.iter().find(|f| f.is_current()) else {
                continue;
            };
            match groups.iter_mut().find(|g| g.cause == top.id) {
                Some(g) => g.pods.push(pod_key(d)),
                None => groups.push(Group {
                    cause: top.id.clone(),
                    title: top.title.clone(),
                    severity: top.severity,
                    pods: vec![pod_key(d)],
                }),
            }
        }
        for g in &mut groups {
            g.pods.sort();
        }
        groups.sort_by(|a, b| {
            b.pods
                .len()
                .cmp(&a.pods.len())
                .then_with(|| b.severity.cmp(&a.severity))
                .then_with(|| a.cause.cmp(&b.cause))
        });
        SweepReport {
            scope,
            total_pods,
            healthy_pods,
            pods,
            groups,
            not_checked,
            cluster: None,
            healthy: Vec::new(),
        }
    }

    /// Highest severity among all pods' findings.
    pub fn worst(&self) -> Option<Severity> {
        self.pods.iter().filter_map(|d| d.worst()).max()
    }
}

/// `namespace/name` of a diagnosed pod.
pub fn pod_key(d: &Diagnosis) -> String {
    match &d.subject {
        Some(s) => format!(
            "{}/{}",
            s.namespace.as_deref().unwrap_or("-"),
            s.name.as_deref().unwrap_or("-")
        ),
        None => "-/-".to_string(),
    }
}

/// Restarts within this window make a Running, Ready pod "restarting" (flapping) in a sweep.
pub const RESTART_WINDOW_SECS: i64 = 3600;

/// Whether a pod needs no diagnosis: Succeeded (a finished Job pod is not a failure), or Running with
/// every container running and ready, and none restarted within the last hour (a container that
/// restarted long ago and has been fine since is history, not a problem). `now` is the Unix time to
/// judge "recent" against.
pub fn is_healthy(pod: &PodInfo, ev: &Evidence, now: i64) -> bool {
    match pod.phase.as_deref() {
        Some("Succeeded") => return true,
        Some("Running") => {}
        _ => return false,
    }
    let containers: Vec<_> = ev
        .containers
        .iter()
        .filter(|c| c.kind == crate::evidence::ContainerKind::Regular)
        .collect();
    if containers.is_empty() {
        return false;
    }
    let ready_condition_false = ev
        .pod_conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status != "True");
    !ready_condition_false
        && containers.iter().all(|c| {
            c.ready == Some(true)
                && matches!(c.state, Some(ContainerState::Running { .. }))
                && !restarted_recently(c, now)
        })
}

fn restarted_recently(c: &crate::evidence::ContainerStatus, now: i64) -> bool {
    if c.restart_count.unwrap_or(0) == 0 {
        return false;
    }
    match &c.last_state {
        Some(ContainerState::Terminated {
            finished_at: Some(t),
            ..
        }) => chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| now - t.timestamp() < RESTART_WINDOW_SECS)
            .unwrap_or(true),
        // Restarted, but when is unknown: look at it.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Finding;
    use crate::report::Subject;
    use crate::rules::RuleKind;

    fn diag(ns: &str, name: &str, top: Option<(&str, Severity)>) -> Diagnosis {
        Diagnosis {
            subject: Some(Subject {
                kind: "Pod".into(),
                name: Some(name.into()),
                namespace: Some(ns.into()),
            }),
            inputs: vec![],
            findings: top
                .map(|(id, sev)| Finding {
                    rank: 1,
                    title: format!("title of {id}"),
                    category: "x".into(),
                    ..crate::test_support::finding(id, sev, RuleKind::Cause)
                })
                .into_iter()
                .collect(),
            not_checked: vec![],
            next_steps: vec![],
            cluster: None,
            platform: None,
        }
    }

    #[test]
    fn pods_are_grouped_by_top_cause_largest_group_first() {
        let r = SweepReport::new(
            Scope::default(),
            20,
            15,
            vec![
                diag(
                    "shop",
                    "web-2",
                    Some(("image-pull-registry-timeout", Severity::Critical)),
                ),
                diag(
                    "shop",
                    "api-1",
                    Some(("node-image-gc-failed", Severity::Warning)),
                ),
                diag(
                    "shop",
                    "web-1",
                    Some(("image-pull-registry-timeout", Severity::Critical)),
                ),
                diag(
                    "ops",
                    "cron-1",
                    Some(("image-pull-registry-timeout", Severity::Critical)),
                ),
                diag("shop", "odd", None),
            ],
            vec![],
        );
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.groups[0].cause, "image-pull-registry-timeout");
        assert_eq!(r.groups[0].pods, ["ops/cron-1", "shop/web-1", "shop/web-2"]);
        assert_eq!(r.groups[1].pods, ["shop/api-1"]);
        // Pods: critical first, then by name; the pod with no finding last.
        let order: Vec<String> = r.pods.iter().map(pod_key).collect();
        assert_eq!(
            order,
            [
                "ops/cron-1",
                "shop/web-1",
                "shop/web-2",
                "shop/api-1",
                "shop/odd"
            ]
        );
        assert_eq!(r.worst(), Some(Severity::Critical));
    }

    fn running(restarts: u32, finished: Option<&str>) -> (PodInfo, Evidence) {
        let pod = PodInfo {
            phase: Some("Running".into()),
            ..Default::default()
        };
        let mut ev = Evidence::new();
        ev.containers.push(crate::evidence::ContainerStatus {
probes: Default::default(),
            pod: None,
            name: "web".into(),
            kind: Default::default(),
            image: None,
            ready: Some(true),
            restart_count: Some(restarts),
            state: Some(ContainerState::Running { started_at: None }),
            last_state: finished.map(|f| ContainerState::Terminated {
                reason: Some("Error".into()),
                message: None,
                exit_code: Some(1),
                signal: None,
                finished_at: Some(f.into()),
            }),
            provenance: Default::default(),
        });
        (pod, ev)
    }

    #[test]
    fn split_by_pod_routes_items_to_their_pods() {
        use crate::evidence::{Event, LogLine, NodeCondition, Provenance};
        let mut ev = Evidence::new();
        for (name, node) in [("web-1", "n1"), ("web-2", "n2")] {
            ev.pods.push(PodInfo {
                name: Some(name.into()),
                namespace: Some("shop".into()),
                node_name: Some(node.into()),
                ..Default::default()
            });
            let (_, mut e) = running(0, None);
            e.containers[0].pod = Some(format!("shop/{name}"));
            ev.containers.extend(e.containers);
            ev.events.push(Event {
                object_kind: Some("Pod".into()),
                object_name: Some(name.into()),
                message: format!("event of {name}"),
                ..Default::default()
            });
        }
        ev.node_conditions.push(NodeCondition {
            node: Some("n2".into()),
            type_: "DiskPressure".into(),
            status: "True".into(),
            ..Default::default()
        });
        let log = |pod: Option<&str>, text: &str| LogLine {
            pod: pod.map(String::from),
            container: None,
            previous: None,
            free_text: pod.is_none(),
            text: text.into(),
            repeats: 1,
            provenance: Provenance::default(),
        };
        ev.push_log(log(Some("web-1"), "only web-1"));
        ev.push_log(log(None, "nobody's"));
        let parts = split_by_pod(&ev);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].events.len(), 1);
        assert_eq!(parts[0].events[0].message, "event of web-1");
        assert_eq!(parts[0].containers.len(), 1);
        assert_eq!(parts[0].logs.len(), 1);
        assert!(parts[0].node_conditions.is_empty());
        assert_eq!(
            parts[1].node_conditions.len(),
            1,
            "DiskPressure of n2 goes to web-2"
        );
        assert!(parts[2].pods.is_empty());
        assert_eq!(parts[2].logs[0].text, "nobody's");
    }

    #[test]
    fn a_scheduled_pod_sees_only_its_own_nodes_conditions() {
        use crate::evidence::NodeCondition;
        let mut ev = Evidence::new();
        ev.pods.push(PodInfo {
            name: Some("web-1".into()),
            node_name: Some("n1".into()),
            ..Default::default()
        });
        for n in ["n1", "n2"] {
            ev.node_conditions.push(NodeCondition {
                node: Some(n.into()),
                type_: "DiskPressure".into(),
                status: "True".into(),
                ..Default::default()
            });
        }
        ev.node_conditions.push(NodeCondition {
            node: None,
            type_: "NetworkUnavailable".into(),
            status: "True".into(),
            ..Default::default()
        });
        let parts = split_by_pod(&ev);
        assert_eq!(parts.len(), 1);
        let nodes: Vec<_> = parts[0]
            .node_conditions
            .iter()
            .map(|c| c.node.clone())
            .collect();
        assert_eq!(
            nodes,
            [Some("n1".to_string()), None],
            "n2 is not the pod's node"
        );
        // Unscheduled: every node stays.
        ev.pods[0].node_name = None;
        assert_eq!(split_by_pod(&ev)[0].node_conditions.len(), 3);
    }

    #[test]
    fn old_restarts_are_history_recent_ones_are_flapping() {
        let now = 1_712_131_200; // 2024-04-03T08:00:00Z
        let (p, e) = running(0, None);
        assert!(is_healthy(&p, &e, now));
        let (p, e) = running(3, Some("2024-04-02T08:00:00Z"));
        assert!(is_healthy(&p, &e, now), "a day-old restart is history");
        let (p, e) = running(3, Some("2024-04-03T07:55:00Z"));
        assert!(!is_healthy(&p, &e, now), "restarted five minutes ago");
        let (mut p, e) = running(0, None);
        p.phase = Some("Succeeded".into());
        assert!(
            is_healthy(&p, &e, now),
            "a finished Job pod is not a failure"
        );
        p.phase = Some("Pending".into());
        assert!(!is_healthy(&p, &e, now));
    }
}
