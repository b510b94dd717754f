//! Building the reports the renderers take, shared by the CLI (`main.rs`) and the MCP server
//! (`crate::mcp`) so both report the same thing for the same input.

use crate::engine::Engine;
use crate::evidence::Evidence;
use crate::live::{SweepGathered, SweepTarget};
use crate::report::ClusterInfo;
use crate::sweep::{Scope, SweepReport};

/// A live namespace (or `-A`) sweep's report from what [`crate::live::Cluster::sweep`] gathered.
pub fn live_sweep_report(g: SweepGathered, target: &SweepTarget, engine: &Engine) -> SweepReport {
    let pods = g
        .evidence()
        .map(|ev| crate::diagnose(engine, &ev, Vec::new()))
        .collect();
    let scope = Scope {
        kind: if target.all_namespaces {
            "all-namespaces"
        } else {
            "namespace"
        }
        .into(),
        namespace: g.namespace.clone(),
        label_selector: target.label_selector.clone(),
        field_selector: target.field_selector.clone(),
        source: None,
    };
    let mut r = SweepReport::new(scope, g.total, g.healthy, pods, g.not_checked);
    r.healthy = g.healthy_names;
    r.cluster = Some(ClusterInfo {
        context: g.context,
        namespace: g.namespace.unwrap_or_else(|| "(all)".into()),
        server: g.server,
        requests: g.requests,
        repeated_logs: g.repeated_logs,
    });
    r
}

/// Pasted evidence that names several pods as a sweep (each pod diagnosed on its own evidence,
/// healthy ones counted and named, evidence naming no pod kept only when it proves something);
/// `None` when it names at most one pod (then it is one pod's report).
pub fn pasted_sweep_report(
    engine: &Engine,
    ev: &Evidence,
    kind: &str,
    source: &str,
) -> Option<SweepReport> {
    // One pod (or none): a pod's report, without splitting (or copying) the evidence.
    if crate::evidence::named_pods(ev) <= 1 {
        return None;
    }
    let parts = crate::evidence::split_by_pod(ev);
    let named = parts.iter().filter(|p| !p.pods.is_empty()).count();
    if named <= 1 {
        return None;
    }
    let now = ev
        .newest_absolute()
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
    let mut healthy = 0;
    let mut healthy_names = Vec::new();
    let mut pods = Vec::new();
    for part in &parts {
        match part.pods.first() {
            Some(p) if crate::sweep::is_healthy(p, part, now) => {
                healthy += 1;
                healthy_names.extend(p.key());
            }
            Some(_) => pods.push(crate::diagnose(engine, part, Vec::new())),
            None => {
                // Evidence that names no pod: reported only when it proves something.
                let d = crate::diagnose(engine, part, Vec::new());
                if !d.findings.is_empty() {
                    pods.push(d);
                }
            }
        }
    }
    let scope = Scope {
        kind: kind.to_string(),
        source: Some(source.to_string()),
        ..Scope::default()
    };
    let mut not_checked = ev.not_checked.clone();
    not_checked.dedup();
    let mut r = SweepReport::new(scope, named, healthy, pods, not_checked);
    r.healthy = healthy_names;
    Some(r)
}
