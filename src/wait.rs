//! `--wait`: decide, from a pod's current state, whether to stop waiting.
//!
//! CI runs `kubectl apply -f app.yaml && kubectl diagnose namespace prod -l app=web --wait 5m`: wait
//! until the pods are Ready (exit 0), until a failure is diagnosed that will not resolve by itself
//! (exit 1, with the diagnosis), or until time runs out (exit 1, saying what it was still waiting
//! for). The waiting loop lives in the CLI (it polls the API every [`POLL_INTERVAL`] with one GET or
//! LIST); this module holds the pure decisions so they can be tested without a cluster.
//!
//! Transient states are waited through: ContainerCreating, PodInitializing, a first pull in progress,
//! a pod not yet scheduled without a scheduling failure. A pod whose state shows trouble (a waiting
//! reason other than those, a failed container, restarts, an Unschedulable condition, phase Failed)
//! is diagnosed; the wait fails only when that diagnosis has a **critical** finding — warnings (a
//! FailedScheduling while the autoscaler adds a GPU node) and info findings (disk space being
//! reclaimed) may still resolve, so they are waited through and reported if time runs out.

use crate::evidence::{ContainerState, Evidence};
use crate::report::Diagnosis;
use crate::rules::Severity;
use std::time::Duration;

/// How often `--wait` polls the API.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Waiting reasons that are part of normal start-up.
const TRANSIENT_WAITING: &[&str] = &["ContainerCreating", "PodInitializing", ""];

/// Where one pod stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodState {
    /// Running with every container ready, or Succeeded.
    Ready,
    /// Starting normally; the string says what it is waiting for.
    Starting(String),
    /// Something looks wrong: diagnose it. The string says what.
    Trouble(String),
}

/// Classify one pod from its own evidence (pod, conditions, containers).
pub fn classify(ev: &Evidence) -> PodState {
    let Some(pod) = ev.pods.first() else {
        return PodState::Trouble("the pod has no status".into());
    };
    match pod.phase.as_deref() {
        Some("Succeeded") => return PodState::Ready,
        Some("Failed") => {
            return PodState::Trouble(format!(
                "phase Failed{}",
                pod.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ))
        }
        _ => {}
    }
    if let Some(c) = ev
        .pod_conditions
        .iter()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False")
    {
        if c.reason.as_deref() == Some("Unschedulable") {
            return PodState::Trouble(format!(
                "unschedulable: {}",
                c.message.as_deref().unwrap_or("")
            ));
        }
    }
    for c in &ev.containers {
        match &c.state {
            Some(ContainerState::Waiting { reason, .. }) => {
                let r = reason.as_deref().unwrap_or("");
                if !TRANSIENT_WAITING.contains(&r) {
                    return PodState::Trouble(format!("container {} is waiting: {r}", c.name));
                }
            }
            Some(ContainerState::Terminated {
                exit_code: Some(code),
                reason,
                ..
            }) if *code != 0 => {
                return PodState::Trouble(format!(
                    "container {} terminated: {} (exit code {code})",
                    c.name,
                    reason.as_deref().unwrap_or("Error")
                ))
            }
            _ => {}
        }
        if c.restart_count.unwrap_or(0) > 0 && c.ready != Some(true) {
            return PodState::Trouble(format!(
                "container {} restarted {} times",
                c.name,
                c.restart_count.unwrap_or(0)
            ));
        }
    }
    let regular: Vec<_> = ev
        .containers
        .iter()
        .filter(|c| c.kind == crate::evidence::ContainerKind::Regular)
        .collect();
    let ready = pod.phase.as_deref() == Some("Running")
        && !regular.is_empty()
        && regular.iter().all(|c| c.ready == Some(true))
        && !ev
            .pod_conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status != "True");
    if ready {
        return PodState::Ready;
    }
    let what = ev
        .containers
        .iter()
        .find_map(|c| match &c.state {
            Some(ContainerState::Waiting {
                reason: Some(r), ..
            }) => Some(format!("{r} ({})", c.name)),
            _ => None,
        })
        .or_else(|| {
            regular
                .iter()
                .find(|c| c.ready != Some(true))
                .map(|c| format!("container {} to become ready", c.name))
        })
        .unwrap_or_else(|| pod.phase.clone().unwrap_or_else(|| "Pending".into()));
    PodState::Starting(what)
}

/// Whether a diagnosis ends the wait as a failure: a critical finding will not resolve by itself.
pub fn is_terminal_failure(d: &Diagnosis) -> bool {
    d.findings.iter().any(|f| f.severity == Severity::Critical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ContainerStatus, PodCondition, PodInfo};

    fn ev(phase: &str, state: Option<ContainerState>, ready: bool, restarts: u32) -> Evidence {
        let mut e = Evidence::new();
        e.pods.push(PodInfo {
            name: Some("web-1".into()),
            phase: Some(phase.into()),
            ..Default::default()
        });
        e.containers.push(ContainerStatus {
probes: Default::default(),
            pod: None,
            name: "web".into(),
            kind: Default::default(),
            image: None,
            ready: Some(ready),
            restart_count: Some(restarts),
            state,
            last_state: None,
            provenance: Default::default(),
        });
        e
    }

    fn waiting(r: &str) -> Option<ContainerState> {
        Some(ContainerState::Waiting {
            reason: Some(r.into()),
            message: None,
        })
    }

    #[test]
    fn start_up_states_are_waited_through() {
        assert_eq!(
            classify(&ev("Pending", waiting("ContainerCreating"), false, 0)),
            PodState::Starting("ContainerCreating (web)".into())
        );
        let running = Some(ContainerState::Running { started_at: None });
        assert_eq!(
            classify(&ev("Running", running.clone(), false, 0)),
            PodState::Starting("container web to become ready".into())
        );
        assert_eq!(classify(&ev("Running", running, true, 0)), PodState::Ready);
        assert_eq!(classify(&ev("Succeeded", None, false, 0)), PodState::Ready);
    }

    #[test]
    fn trouble_is_diagnosed() {
        assert!(matches!(
            classify(&ev("Pending", waiting("ImagePullBackOff"), false, 0)),
            PodState::Trouble(_)
        ));
        assert!(matches!(
            classify(&ev("Running", waiting("CrashLoopBackOff"), false, 3)),
            PodState::Trouble(_)
        ));
        let mut e = ev("Pending", None, false, 0);
        e.pod_conditions.push(PodCondition {
            pod: None,
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: Some("Unschedulable".into()),
            message: Some("0/3 nodes are available".into()),
            provenance: Default::default(),
        });
        assert!(matches!(classify(&e), PodState::Trouble(m) if m.contains("0/3 nodes")));
    }
}
