//! Say what to send next: when the evidence shows a symptom but not its cause, the exact command
//! whose output would decide it, with the pod, namespace, container and node names from the
//! evidence filled in (`<pod>`-style placeholders only when the evidence does not name them).
//!
//! Each step is decided from what is present and absent in the evidence (documented in the README,
//! "Next steps"):
//! - **the log of a crashed container** (`kubectl logs POD -n NS -c C --previous`; without
//!   `--previous` when it has not restarted; the same for a failing init container): a container
//!   crashed (CrashLoopBackOff, a restart, or a non-zero exit) and no log was given, and nothing else
//!   says why: no specific termination reason (`OOMKilled`, `ContainerCannotRun`, ...), no
//!   termination message, and no current cause backed by more than the container's exit code;
//! - **the pod's YAML** (`kubectl get pod POD -n NS -o yaml`): the pod came from `kubectl describe`,
//!   which prints a waiting container's reason and a condition's status but not their messages, and no
//!   current cause explains them;
//! - **the pod's events** (`kubectl get events -n NS --field-selector involvedObject.name=POD`): only
//!   a status was given (no event at all), it shows trouble, and no current cause explains it. Events
//!   are kept for one hour by default, so the command must run soon after the failure;
//! - **the node** (`kubectl describe node NODE`): the pod's own evidence points at its node (evicted,
//!   node lost or shut down, status Unknown, a sandbox or network event, a node-category finding) but
//!   no condition or taint of that node was given.
//!
//! In live mode (evidence read from the API) the tool has already fetched the pod, its events, its
//! node and the logs of failing containers: a step is suggested only for what could not be fetched
//! (forbidden, timed out), as recorded in the evidence's "not checked" list.

use crate::engine::Finding;
use crate::evidence::{ContainerKind, ContainerState, ContainerStatus, Evidence};
use crate::parse::InputSummary;
use crate::rules::{RuleKind, Source};
use serde::Serialize;

/// One command to run next and why its output would decide the diagnosis.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NextStep {
    /// The exact command, names filled in from the evidence.
    pub command: String,
    /// Why: what the evidence lacks and what the output will show.
    pub why: String,
}

/// Termination reasons that only say "it exited": the log has the real reason.
const VAGUE_REASONS: &[&str] = &[
    "",
    "Error",
    "Completed",
    "Unknown",
    "ContainerStatusUnknown",
];

/// Pod reasons that point at the node.
const NODE_REASONS: &[&str] = &[
    "Evicted",
    "NodeLost",
    "NodeAffinity",
    "OutOfcpu",
    "OutOfmemory",
    "OutOfpods",
    "UnexpectedAdmissionError",
    "Shutdown",
    "NodeShutdown",
    "Terminated",
];

/// Event reasons about the pod that point at its node.
const NODE_EVENTS: &[&str] = &[
    "Evicted",
    "NodeNotReady",
    "FailedCreatePodSandBox",
    "NetworkNotReady",
    "TaintManagerEviction",
    "ImageGCFailed",
    "FreeDiskSpaceFailed",
    "EvictionThresholdMet",
];

/// The steps for one diagnosis, most useful first.
pub fn suggest(ev: &Evidence, findings: &[Finding], inputs: &[InputSummary]) -> Vec<NextStep> {
    let cx = Cx::new(ev, findings, inputs);
    let mut out: Vec<NextStep> = Vec::new();
    let mut push = |s: NextStep| {
        if !out.iter().any(|o| o.command == s.command) {
            out.push(s);
        }
    };
    for s in cx.logs() {
        push(s);
    }
    if let Some(s) = cx.yaml() {
        push(s);
    }
    if let Some(s) = cx.events() {
        push(s);
    }
    if let Some(s) = cx.node() {
        push(s);
    }
    out
}

struct Cx<'a> {
    ev: &'a Evidence,
    findings: &'a [Finding],
    live: bool,
    /// A log was pasted (even if none of its lines was kept).
    log_given: bool,
    /// Some current cause says why, beyond an exit code.
    decisive: bool,
    /// A whole `kubectl describe pod` was given, with its Events section (`Events:
    /// <none>` when they expired), so asking for events would show nothing new.
    full_describe: bool,
}

impl<'a> Cx<'a> {
    fn new(ev: &'a Evidence, findings: &'a [Finding], inputs: &[InputSummary]) -> Cx<'a> {
        let live = ev.pods.iter().any(|p| p.provenance.format == "api");
        let log_given = ev.logs.iter().any(|l| !l.free_text)
            || inputs
                .iter()
                .any(|i| i.segments.iter().any(|s| s.format == "log"));
        let decisive = findings
            .iter()
            .any(|f| f.is_current() && f.kind == RuleKind::Cause && decisive(ev, f));
        let full_describe = ev.pods.iter().any(|p| p.name.is_some() && p.events_shown);
        Cx {
            ev,
            findings,
            live,
            log_given,
            decisive,
            full_describe,
        }
    }

    /// In live mode: whether fetching `what` failed (its "not checked" entry).
    fn not_fetched(&self, what: &str) -> bool {
        self.ev.not_checked.iter().any(|n| n.what.contains(what))
    }

    /// `-n NS` and the pod name for an item naming `ns/name` (or nothing: the one pod).
    fn pod_of(&self, key: Option<&str>) -> (String, String) {
        let (ns, name) = match key {
            Some(k) => match k.split_once('/') {
                Some((ns, n)) => (Some(ns.to_string()), Some(n.to_string())),
                None => (self.namespace(), Some(k.to_string())),
            },
            None => (self.namespace(), self.pod_name()),
        };
        (
            safe(ns.as_deref(), "<namespace>"),
            safe(name.as_deref(), "<pod>"),
        )
    }

    fn pod_name(&self) -> Option<String> {
        let mut names = self.ev.pods.iter().filter_map(|p| p.name.clone());
        let first = names.next()?;
        names.all(|n| n == first).then_some(first)
    }

    fn namespace(&self) -> Option<String> {
        self.ev.pods.iter().find_map(|p| p.namespace.clone())
    }

    /// Logs of crashed containers whose log was not given.
    fn logs(&self) -> Vec<NextStep> {
        let mut out = Vec::new();
        if self.decisive || (!self.live && self.log_given) {
            return out;
        }
        let mut seen: Vec<(&Option<String>, &str)> = Vec::new();
        for c in &self.ev.containers {
            if seen.contains(&(&c.pod, c.name.as_str())) {
                continue;
            }
            seen.push((&c.pod, c.name.as_str()));
            let Some(how) = crashed(c) else { continue };
            if termination_says_why(c) {
                continue;
            }
            let restarted = c.restart_count.unwrap_or(0) > 0
                || matches!(&c.state, Some(ContainerState::Waiting { reason: Some(r), .. }) if r.contains("CrashLoopBackOff"));
            let previous = if restarted { "previous " } else { "" };
            if self.live && !self.not_fetched(&format!("{previous}log of container {}", c.name)) {
                continue;
            }
            let (ns, pod) = self.pod_of(c.pod.as_deref());
            let container = safe(Some(&c.name), "<container>");
            let command = format!(
                "kubectl logs {pod} -n {ns} -c {container}{}",
                if restarted { " --previous" } else { "" }
            );
            let why = match c.kind {
                ContainerKind::Init => format!(
                    "init container {container} {how} and its log was not given: its last lines say \
                     why it failed; the app containers wait until it succeeds"
                ),
                _ => format!(
                    "container {container} {how} and nothing given says why: the last lines of its \
                     {}log do",
                    if restarted { "previous run's " } else { "" }
                ),
            };
            out.push(NextStep { command, why });
        }
        if out.is_empty() && self.ev.containers.is_empty() && !self.live {
            // Only events: a back-off restarting a container that has no status here.
            for e in &self.ev.events {
                let Some(rest) = e
                    .message
                    .strip_prefix("Back-off restarting failed container")
                else {
                    continue;
                };
                let name = rest.split_whitespace().next();
                let container = safe(name, "<container>");
                let (ns, pod) = self.pod_of(None);
                out.push(NextStep {
                    command: format!("kubectl logs {pod} -n {ns} -c {container} --previous"),
                    why: format!(
                        "kubelet is restarting container {container} after it crashed, and nothing \
                         given says why: the last lines of its previous run's log do"
                    ),
                });
                break;
            }
        }
        out
    }

    /// The pod's YAML, when `kubectl describe` hid the messages that would say why.
    fn yaml(&self) -> Option<NextStep> {
        if self.live || self.decisive {
            return None;
        }
        let from_describe = |f: &str| f.starts_with("describe");
        let waiting = self.ev.containers.iter().find_map(|c| match &c.state {
            Some(ContainerState::Waiting {
                reason: Some(r),
                message: None,
            }) if from_describe(&c.provenance.format)
                && !matches!(
                    r.as_str(),
                    "ContainerCreating" | "PodInitializing" | "CrashLoopBackOff"
                ) =>
            {
                Some(format!("container {} is waiting with reason {r}", c.name))
            }
            _ => None,
        });
        let condition = self.ev.pod_conditions.iter().find_map(|c| {
            (c.status == "False"
                && c.message.is_none()
                && from_describe(&c.provenance.format)
                && matches!(
                    c.type_.as_str(),
                    "PodScheduled" | "Initialized" | "ContainersReady" | "Ready"
                )
                && !self
                    .ev
                    .events
                    .iter()
                    .any(|e| e.type_.as_deref() == Some("Warning")))
            .then(|| format!("condition {} is False", c.type_))
        });
        let what = waiting.or(condition)?;
        let (ns, pod) = self.pod_of(None);
        Some(NextStep {
            command: format!("kubectl get pod {pod} -n {ns} -o yaml"),
            why: format!(
                "{what}, and `kubectl describe` prints only reasons and statuses, not their \
                 messages: status.containerStatuses[].state.waiting.message and \
                 status.conditions[].message in the YAML say why"
            ),
        })
    }

    /// The pod's events, when only its status was given.
    fn events(&self) -> Option<NextStep> {
        if self.live {
            if !self.not_fetched("events of the pod") {
                return None;
            }
        } else if !self.ev.events.is_empty()
            || self.decisive
            || !self.troubled()
            || self.full_describe
        {
            return None;
        }
        let (ns, pod) = self.pod_of(None);
        Some(NextStep {
            command: format!(
                "kubectl get events -n {ns} --field-selector involvedObject.name={pod}"
            ),
            why: "only the pod's status was given; its events say what the scheduler and kubelet \
                  saw (scheduling, pull, mount, probe and sandbox errors). Events are kept for one \
                  hour by default (kube-apiserver --event-ttl): run it soon after the failure"
                .to_string(),
        })
    }

    /// Whether the status shows anything wrong.
    fn troubled(&self) -> bool {
        self.ev.pods.iter().any(|p| {
            matches!(p.phase.as_deref(), Some("Pending" | "Failed" | "Unknown"))
                || p.reason.is_some()
        }) || self.ev.containers.iter().any(|c| {
            crashed(c).is_some()
                || matches!(&c.state, Some(ContainerState::Waiting { .. }))
                || c.ready == Some(false)
        })
    }

    /// The node, when the pod's evidence points at it and none of the node's was given.
    fn node(&self) -> Option<NextStep> {
        let node = self.ev.pods.iter().find_map(|p| p.node_name.clone());
        let hint = self
            .ev
            .pods
            .iter()
            .find_map(|p| {
                p.reason
                    .as_deref()
                    .filter(|r| NODE_REASONS.contains(r))
                    .map(|r| format!("the pod's reason is {r}"))
                    .or_else(|| {
                        (p.phase.as_deref() == Some("Unknown"))
                            .then(|| "the pod's status is Unknown".to_string())
                    })
            })
            .or_else(|| {
                self.ev.events.iter().find_map(|e| {
                    let r = e.reason.as_deref()?;
                    (NODE_EVENTS.contains(&r) && e.object_kind.as_deref() != Some("Node"))
                        .then(|| format!("the pod has a {r} event"))
                })
            })
            .or_else(|| {
                self.findings
                    .iter()
                    .find(|f| f.is_current() && f.category == "node")
                    .map(|f| format!("finding {} is about the node", f.id))
            })?;
        if self.live {
            if !self.not_fetched("conditions and taints of") {
                return None;
            }
        } else {
            let about = |n: &Option<String>| match (&node, n) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            if self.ev.node_conditions.iter().any(|c| about(&c.node))
                || self.ev.taints.iter().any(|t| about(&t.node))
            {
                return None;
            }
        }
        let name = safe(node.as_deref(), "<node>");
        Some(NextStep {
            command: format!("kubectl describe node {name}"),
            why: format!(
                "{hint}, but no condition of node {name} was given: its conditions (Ready, \
                 MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable), taints and events \
                 say whether the node is the cause"
            ),
        })
    }
}

/// How a container crashed, when it did: `is in CrashLoopBackOff`, `exited with code 1`. A
/// container Running and Ready now is not crashed (an old termination is history).
fn crashed(c: &ContainerStatus) -> Option<String> {
    if matches!(c.state, Some(ContainerState::Running { .. })) && c.ready == Some(true) {
        return None;
    }
    let code = |s: &Option<ContainerState>| match s {
        Some(ContainerState::Terminated {
            exit_code, reason, ..
        }) if exit_code.is_some_and(|x| x != 0)
            || reason.as_deref().is_some_and(|r| r != "Completed") =>
        {
            Some(match exit_code {
                Some(x) => format!("exited with code {x}"),
                None => format!("terminated ({})", reason.as_deref().unwrap_or("-")),
            })
        }
        _ => None,
    };
    if let Some(ContainerState::Waiting {
        reason: Some(r), ..
    }) = &c.state
    {
        if r.contains("CrashLoopBackOff") {
            return Some(match code(&c.last_state) {
                Some(x) => format!("is in CrashLoopBackOff (last run {x})"),
                None => "is in CrashLoopBackOff".to_string(),
            });
        }
    }
    code(&c.state).or_else(|| {
        code(&c.last_state)
            .filter(|_| {
                c.restart_count.unwrap_or(0) > 0
                    || !matches!(c.state, Some(ContainerState::Running { .. }))
            })
            .map(|x| format!("restarted (last run {x})"))
    })
}

/// Whether the runtime already said why the container ended (a specific reason or a message).
fn termination_says_why(c: &ContainerStatus) -> bool {
    [&c.state, &c.last_state].iter().any(|s| match s {
        Some(ContainerState::Terminated {
            reason, message, ..
        }) => {
            !VAGUE_REASONS.contains(&reason.as_deref().unwrap_or(""))
                || message.as_deref().is_some_and(|m| !m.trim().is_empty())
        }
        _ => false,
    })
}

/// A cause that says why beyond an exit code: backed by any evidence other than container
/// statuses, or by a container status whose reason is specific.
fn decisive(ev: &Evidence, f: &Finding) -> bool {
    f.items.iter().any(|(s, i)| match s {
        Source::Container => termination_says_why(&ev.containers[*i]),
        _ => true,
    })
}

/// A name from the evidence if it looks like a Kubernetes name (safe to paste into a shell), else
/// the placeholder.
fn safe(name: Option<&str>, placeholder: &str) -> String {
    match name {
        Some(n)
            if !n.is_empty()
                && n.len() <= 253
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':')) =>
        {
            n.to_string()
        }
        _ => placeholder.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::evidence::{NotChecked, PodCondition, PodInfo, Provenance};
    use crate::rules::RuleSet;
    use std::sync::OnceLock;

    fn engine() -> &'static Engine {
        static E: OnceLock<Engine> = OnceLock::new();
        E.get_or_init(|| Engine::new(&RuleSet::builtin().expect("rules")).expect("engine"))
    }

    fn steps(ev: &Evidence) -> Vec<NextStep> {
        crate::diagnose(engine(), ev, Vec::new()).next_steps
    }

    fn commands(ev: &Evidence) -> Vec<String> {
        steps(ev).into_iter().map(|s| s.command).collect()
    }

    fn pod(format: &str) -> PodInfo {
        PodInfo {
            name: Some("api-7c9d8f6b5-qx2lm".into()),
            namespace: Some("shop".into()),
            phase: Some("Running".into()),
            node_name: Some("ip-10-0-3-7.ec2.internal".into()),
            provenance: Provenance::new("in.txt", Some(1), format),
            ..Default::default()
        }
    }

    fn crashing(kind: ContainerKind, format: &str) -> ContainerStatus {
        ContainerStatus {
probes: Default::default(),
            pod: Some("shop/api-7c9d8f6b5-qx2lm".into()),
            name: if kind == ContainerKind::Init {
                "migrate"
            } else {
                "api"
            }
            .into(),
            kind,
            image: Some("registry.example.com/api:1.4.2".into()),
            ready: Some(false),
            restart_count: Some(6),
            state: Some(ContainerState::Waiting {
                reason: Some("CrashLoopBackOff".into()),
                message: None,
            }),
            last_state: Some(ContainerState::Terminated {
                reason: Some("Error".into()),
                message: None,
                exit_code: Some(1),
                signal: None,
                finished_at: None,
            }),
            provenance: Provenance::new("in.txt", Some(10), format),
        }
    }

    #[test]
    fn a_crash_loop_without_a_log_asks_for_the_previous_log_and_the_events() {
        let mut ev = Evidence::new();
        ev.pods.push(pod("yaml"));
        ev.containers.push(crashing(ContainerKind::Regular, "yaml"));
        let s = steps(&ev);
        assert_eq!(
            s.iter().map(|s| s.command.as_str()).collect::<Vec<_>>(),
            [
                "kubectl logs api-7c9d8f6b5-qx2lm -n shop -c api --previous",
                "kubectl get events -n shop --field-selector involvedObject.name=api-7c9d8f6b5-qx2lm",
            ]
        );
        assert!(s[0].why.contains("exited with code 1"), "{}", s[0].why);
        assert!(s[1].why.contains("one hour"), "{}", s[1].why);
    }

    #[test]
    fn a_failing_init_container_asks_for_its_own_log() {
        let mut ev = Evidence::new();
        ev.pods.push(pod("yaml"));
        ev.containers.push(crashing(ContainerKind::Init, "yaml"));
        let s = steps(&ev);
        assert_eq!(
            s[0].command,
            "kubectl logs api-7c9d8f6b5-qx2lm -n shop -c migrate --previous"
        );
        assert!(
            s[0].why.starts_with("init container migrate"),
            "{}",
            s[0].why
        );
    }

    #[test]
    fn no_log_step_when_the_runtime_or_a_log_already_says_why() {
        let mut ev = Evidence::new();
        ev.pods.push(pod("yaml"));
        let mut c = crashing(ContainerKind::Regular, "yaml");
        c.last_state = Some(ContainerState::Terminated {
            reason: Some("OOMKilled".into()),
            message: None,
            exit_code: Some(137),
            signal: None,
            finished_at: None,
        });
        ev.containers.push(c);
        assert!(
            commands(&ev).iter().all(|c| !c.starts_with("kubectl logs")),
            "{:?}",
            commands(&ev)
        );

        let mut ev = Evidence::new();
        ev.pods.push(pod("yaml"));
        ev.containers.push(crashing(ContainerKind::Regular, "yaml"));
        ev.push_log(crate::evidence::LogLine {
            pod: Some("shop/api-7c9d8f6b5-qx2lm".into()),
            container: Some("api".into()),
            previous: Some(true),
            free_text: false,
            text: "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)".into(),
            repeats: 1,
            provenance: Provenance::new("in.txt", Some(30), "log"),
        });
        assert!(commands(&ev).is_empty(), "{:?}", commands(&ev));
    }

    #[test]
    fn describe_hides_the_waiting_message_so_ask_for_the_yaml() {
        let mut ev = Evidence::new();
        let mut p = pod("describe-pod");
        p.events_shown = true;
        ev.pods.push(p);
        let mut c = crashing(ContainerKind::Regular, "describe-pod");
        c.state = Some(ContainerState::Waiting {
            reason: Some("CreateContainerConfigError".into()),
            message: None,
        });
        c.last_state = None;
        c.restart_count = Some(0);
        ev.containers.push(c);
        let s = steps(&ev);
        let yaml = s
            .iter()
            .find(|s| s.command == "kubectl get pod api-7c9d8f6b5-qx2lm -n shop -o yaml")
            .unwrap_or_else(|| panic!("{s:?}"));
        assert!(
            yaml.why.contains("CreateContainerConfigError"),
            "{}",
            yaml.why
        );
        // A whole describe, its Events section included: no events step.
        assert!(
            s.iter()
                .all(|s| !s.command.starts_with("kubectl get events")),
            "{s:?}"
        );
    }

    #[test]
    fn a_pending_pod_whose_describe_hides_the_scheduler_message_asks_for_the_yaml() {
        let mut ev = Evidence::new();
        let mut p = pod("describe-pod");
        p.phase = Some("Pending".into());
        p.node_name = None;
        p.events_shown = true;
        ev.pods.push(p);
        ev.pod_conditions.push(PodCondition {
            pod: None,
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: None,
            message: None,
            provenance: Provenance::new("in.txt", Some(30), "describe-pod"),
        });
        assert_eq!(
            commands(&ev),
            ["kubectl get pod api-7c9d8f6b5-qx2lm -n shop -o yaml"]
        );
        // The same describe cut off before its Events section: the events may still say why.
        ev.pods[0].events_shown = false;
        assert_eq!(
            commands(&ev),
            [
                "kubectl get pod api-7c9d8f6b5-qx2lm -n shop -o yaml",
                "kubectl get events -n shop --field-selector involvedObject.name=api-7c9d8f6b5-qx2lm"
            ]
        );
    }

    #[test]
    fn an_eviction_without_node_evidence_asks_for_the_node() {
        let mut ev = Evidence::new();
        let mut p = pod("yaml");
        p.phase = Some("Failed".into());
        p.reason = Some("Evicted".into());
        p.message = Some(
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91604Ki."
                .into(),
        );
        ev.pods.push(p);
        let c = commands(&ev);
        assert!(
            c.contains(&"kubectl describe node ip-10-0-3-7.ec2.internal".to_string()),
            "{c:?}"
        );
        // With the node's conditions given, it is not asked for.
        ev.node_conditions.push(crate::evidence::NodeCondition {
            node: Some("ip-10-0-3-7.ec2.internal".into()),
            type_: "MemoryPressure".into(),
            status: "True".into(),
            ..Default::default()
        });
        assert!(commands(&ev)
            .iter()
            .all(|c| !c.starts_with("kubectl describe node")));
    }

    #[test]
    fn live_mode_asks_only_for_what_could_not_be_fetched() {
        let mut ev = Evidence::new();
        ev.pods.push(pod("api"));
        ev.containers.push(crashing(ContainerKind::Regular, "api"));
        assert!(
            commands(&ev).is_empty(),
            "fetched already: {:?}",
            commands(&ev)
        );
        ev.not_checked.push(NotChecked {
            what: "previous log of container api".into(),
            reason: "forbidden by RBAC; allow `get pods/log in namespace \"shop\"` to check it"
                .into(),
        });
        ev.not_checked.push(NotChecked {
            what: "events of the pod".into(),
            reason: "the request timed out after 10s".into(),
        });
        assert_eq!(
            commands(&ev),
            [
                "kubectl logs api-7c9d8f6b5-qx2lm -n shop -c api --previous",
                "kubectl get events -n shop --field-selector involvedObject.name=api-7c9d8f6b5-qx2lm",
            ]
        );
    }

    #[test]
    fn names_that_are_not_kubernetes_names_become_placeholders() {
        assert_eq!(safe(Some("web-0"), "<pod>"), "web-0");
        assert_eq!(safe(Some("web; rm -rf /"), "<pod>"), "<pod>");
        assert_eq!(safe(Some("$(id)"), "<pod>"), "<pod>");
        assert_eq!(safe(None, "<node>"), "<node>");
    }
}
