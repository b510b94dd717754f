//! Ranking: cause before symptom, then severity, corroboration, recency and a stable tie-break.
//!
//! The order (documented for rule authors in `rules/README.md` and pinned by the tests below):
//! 0. every current finding before history and unrelated node context (`crate::history`); a cause
//!    explains only symptoms of the same kind (a resolved cause does not explain a current symptom);
//! 1. a finding that a fired cause explains (`explains:` in the cause's rule: a symptom, or a generic
//!    cause such as `go-panic` that a specific one accounts for) goes below every finding that is not
//!    explained — it stays in the report as context;
//!    Next, a scheduling reason that rules out every node (its `nodes` capture equals its `total`
//!    capture: `0/6 nodes are available: ... 6 Insufficient nvidia.com/gpu`) before the others,
//!    whatever their severity: it must be fixed whatever else is listed;
//! 2. higher severity first;
//! 3. at equal severity, a cause before a symptom; then the scheduling reason that rules out more
//!    nodes (its `nodes` capture, counted only with a `total`: `0/7 nodes are available: 1 Too many
//!    pods, 5 Insufficient memory` puts the memory shortage before the pod limit); the pod's own
//!    node selector ([`PLACEMENT_RULES`]) ruling out only some nodes, when a reason about the nodes
//!    it picks fired ([`PICKED_NODE_REASONS`]), ranks as a warning at most with no count;
//! 4. more corroboration first: distinct kinds of source that agree (events, container status, logs,
//!    node conditions, ...) plus the symptoms the cause explains;
//! 5. more recent evidence first (smallest age of any evidence item; unknown ages last);
//! 6. rule id, so the output never changes between runs.
//!
//! A fallback cause ([`FALLBACK_CAUSES`]: `application-fatal-error`, a fatal line of any program)
//! is explained by every other current cause of severity warning or critical that fired, and by an
//! info cause that quotes one of its lines (`image-pull-no-space-left` on podman's `Error: ...: no
//! space left on device`), except the causes it explains itself; and (after step 1) it ranks below
//! every other finding of severity warning or critical, symptoms included
//! (`failed-create-pod-sandbox` names a failure more precisely than crictl's `FATA[0000]` line), yet
//! above info findings: whatever names the failure more precisely ranks above it, benign context
//! below. A current fallback that another cause explains is left out of the report: the specific
//! cause quotes the same failure more precisely.

use crate::engine::Finding;
use crate::rules::{RuleKind, Severity};
use std::cmp::Ordering;

/// Generic last-resort causes: each is explained by every other current cause of severity warning
/// or above that fired (and that it does not explain itself), so any rule that names the failure
/// ranks above it.
pub const FALLBACK_CAUSES: &[&str] = &["application-fatal-error"];

/// Probe failures: what kubelet sees of an application that is not healthy, not why. A current
/// cause of severity warning or critical found in the application's own log (a line the probe
/// finding does not quote itself) explains them: the application's cause first, then the probe,
/// then the loop the probe causes.
pub const PROBE_CAUSES: &[&str] = &[
    "liveness-probe-failed",
    "readiness-probe-failed",
    "startup-probe-failed",
];

/// Whether `f` is a current cause read from a log line that `probe` does not quote: the
/// application's own account of why it is unhealthy.
fn explains_probe(f: &Finding, probe: &Finding) -> bool {
    f.kind == RuleKind::Cause
        && f.is_current()
        && f.severity >= Severity::Warning
        && !PROBE_CAUSES.contains(&f.id.as_str())
        && !FALLBACK_CAUSES.contains(&f.id.as_str())
        && !probe.rule_explains.contains(&f.id)
        && f.evidence
            .iter()
            .any(|e| e.source == crate::rules::Source::Log)
        && !shares_evidence(f, probe)
}

/// Link causes and symptoms, then sort and number the findings (rank 1 is the top cause).
pub fn rank(mut findings: Vec<Finding>) -> Vec<Finding> {
    let fired: Vec<(String, bool)> = findings
        .iter()
        .map(|f| (f.id.clone(), f.is_current()))
        .collect();
    let fallbacks: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.kind == RuleKind::Cause && f.is_current() && FALLBACK_CAUSES.contains(&f.id.as_str())
        })
        .collect();
    let links: Vec<(String, Vec<String>, bool)> = findings
        .iter()
        .filter(|f| f.kind == RuleKind::Cause)
        .map(|f| {
            let mut explains = f.rule_explains.clone();
            // A specific current cause explains the fallbacks that fired (not one that explains
            // it): any of severity warning or critical, and an info one that read the same line.
            if f.is_current() && !FALLBACK_CAUSES.contains(&f.id.as_str()) {
                for fb in &fallbacks {
                    if !fb.rule_explains.contains(&f.id)
                        && !explains.contains(&fb.id)
                        && (f.severity >= Severity::Warning || shares_evidence(f, fb))
                    {
                        explains.push(fb.id.clone());
                    }
                }
            }
            // Not a probe failure a rule already accounts for (`vault-sealed` explains the
            // readiness probe that reports the seal): that cause says more than a log line.
            for p in findings.iter().filter(|p| {
                PROBE_CAUSES.contains(&p.id.as_str())
                    && p.is_current()
                    && !findings.iter().any(|g| {
                        g.id != f.id
                            && g.kind == RuleKind::Cause
                            && g.is_current()
                            && g.rule_explains.contains(&p.id)
                    })
            }) {
                if !explains.contains(&p.id) && explains_probe(f, p) {
                    explains.push(p.id.clone());
                }
            }
            (f.id.clone(), explains, f.is_current())
        })
        .collect();
    for f in &mut findings {
        let current = f.is_current();
        // A cause explains fired symptoms and fired generic causes (`go-panic` explained by
        // `file-permission-denied`); rule loading refuses cycles of `explains` links.
        if f.kind == RuleKind::Cause {
            let own = links
                .iter()
                .find(|(id, _, _)| *id == f.id)
                .map(|(_, ex, _)| ex.clone())
                .unwrap_or_default();
            f.explains = own
                .iter()
                .filter(|t| **t != f.id && fired.iter().any(|(id, c)| id == *t && *c == current))
                .cloned()
                .collect();
            f.explains.sort();
        }
        f.explained_by = links
            .iter()
            .filter(|(id, ex, c)| *id != f.id && ex.contains(&f.id) && *c == current)
            .map(|(id, _, _)| id.clone())
            .collect();
    }
    // A current fallback that a specific cause of severity warning or above explains, and whose
    // symptoms another cause explains too, adds nothing the specific cause does not say (it quotes the same failure, less
    // precisely): it is left out of the report.
    let explained_elsewhere = |by: &str, id: &String| {
        findings
            .iter()
            .any(|g| g.id == *id && g.explained_by.iter().any(|e| e != by))
    };
    let dropped: Vec<String> = findings
        .iter()
        .filter(|f| {
            FALLBACK_CAUSES.contains(&f.id.as_str())
                && f.is_current()
                && f.explained_by.iter().any(|by| {
                    findings
                        .iter()
                        .any(|g| g.id == *by && g.severity >= Severity::Warning)
                })
                && f.explains.iter().all(|id| explained_elsewhere(&f.id, id))
        })
        .map(|f| f.id.clone())
        .collect();
    if !dropped.is_empty() {
        findings.retain(|f| !dropped.contains(&f.id));
        for f in &mut findings {
            f.explains.retain(|id| !dropped.contains(id));
            f.explained_by.retain(|id| !dropped.contains(id));
        }
    }
    // The pod's node selector ruling out only some nodes is by design when another reason says
    // what is wrong with the nodes it picks (their resources, their GPU taint).
    let picked_nodes_fail = findings
        .iter()
        .any(|f| f.is_current() && PICKED_NODE_REASONS.contains(&f.id.as_str()));
    findings.sort_by(|a, b| compare(a, b, picked_nodes_fail));
    // Order `explained_by` by rank so the first one is the top cause.
    let order: Vec<String> = findings.iter().map(|f| f.id.clone()).collect();
    for (i, f) in findings.iter_mut().enumerate() {
        f.rank = i + 1;
        f.explained_by
            .sort_by_key(|id| order.iter().position(|o| o == id).unwrap_or(usize::MAX));
    }
    findings
}

/// Whether two findings quote the same item (same source, text and place in the input).
fn shares_evidence(a: &Finding, b: &Finding) -> bool {
    a.evidence.iter().any(|x| {
        b.evidence
            .iter()
            .any(|y| x.source == y.source && x.text == y.text && x.provenance == y.provenance)
    })
}

/// Whether the scheduler says this reason rules out every node: the `nodes` capture of a scheduling
/// rule (`6 Insufficient nvidia.com/gpu`) equals its `total` capture (`0/6 nodes are available`).
/// Such a reason must be fixed whatever else is listed (reasons overlap: `3 node(s) didn't match node
/// selector, 6 Insufficient nvidia.com/gpu` of 6 nodes), so it ranks first among its peers.
fn blocks_every_node(f: &Finding) -> bool {
    let num = |k: &str| -> Option<u64> { f.captures.get(k).and_then(|v| v.trim().parse().ok()) };
    matches!((num("nodes"), num("total")), (Some(n), Some(t)) if t > 0 && n >= t)
}

/// The pod's own node placement (node selector / node affinity). When it rules out only some nodes
/// and a [`PICKED_NODE_REASONS`] rule fired, it narrowed the choice by design (`9 node(s) didn't
/// match node selector, 3 Insufficient memory`: the selector picks 3 nodes, which are full), so it
/// ranks as a warning at most and its count is not compared. Inter-pod anti-affinity and topology
/// spread are not in it: more replicas than allowed places is a failure of its own.
pub const PLACEMENT_RULES: &[&str] = &["node-affinity-mismatch"];

/// What can be wrong with the nodes a selector picks: their free resources, their pod limit, the
/// taint of GPU nodes (`2 node(s) didn't match Pod's node affinity/selector, 1 node(s) had
/// untolerated taint {nvidia.com/gpu: true}`), the host port the pod asks for taken there (`1
/// node(s) didn't have free ports for the requested pod ports, 13 node(s) didn't match Pod's node
/// affinity/selector`: a DaemonSet-like pod pinned to its node), their memory, disk or PID pressure.
pub const PICKED_NODE_REASONS: &[&str] = &[
    "insufficient-node-resources",
    "insufficient-nvidia-gpu",
    "insufficient-extended-resource",
    "too-many-pods",
    "untolerated-nvidia-gpu-taint",
    "host-port-conflict",
    "node-disk-pressure",
    "node-memory-pressure",
    "node-pid-pressure",
];

/// A placement rule ([`PLACEMENT_RULES`]) that rules out only some of the nodes the scheduler
/// counted, while a reason about the picked nodes fired.
fn narrowed_by_design(f: &Finding, picked_nodes_fail: bool) -> bool {
    let num = |k: &str| -> Option<u64> { f.captures.get(k).and_then(|v| v.trim().parse().ok()) };
    picked_nodes_fail
        && PLACEMENT_RULES.contains(&f.id.as_str())
        && matches!((num("nodes"), num("total")), (Some(n), Some(t)) if n < t)
}

/// The severity a finding ranks with: its own, except that a placement that narrowed the choice
/// by design ([`narrowed_by_design`]) ranks as a warning at most, like a dedicated pool's taint:
/// the reason the picked nodes fail is the one to fix.
fn rank_severity(f: &Finding, picked_nodes_fail: bool) -> Severity {
    if narrowed_by_design(f, picked_nodes_fail) {
        f.severity.min(Severity::Warning)
    } else {
        f.severity
    }
}

/// How many nodes the scheduler says this reason rules out (`5 Insufficient memory` of `0/7 nodes
/// are available`): the `nodes` capture of a finding that also captured `total`; 0 otherwise. At
/// equal severity the reason that rules out more nodes is the one most of the cluster needs fixed.
fn nodes_ruled_out(f: &Finding, picked_nodes_fail: bool) -> u64 {
    if !f.captures.contains_key("total") || narrowed_by_design(f, picked_nodes_fail) {
        return 0;
    }
    f.captures
        .get("nodes")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn score(f: &Finding) -> usize {
    f.corroboration + f.explains.len()
}

fn freshest(f: &Finding) -> Option<u64> {
    f.evidence.iter().filter_map(|e| e.age_seconds).min()
}

/// Among findings nothing explains: 0 for severity warning or critical, 1 for a fallback cause, 2 for
/// info, so a fallback goes below whatever else is wrong and above benign context. Explained findings
/// keep the order of the keys that follow (severity first).
fn tier(f: &Finding) -> u8 {
    if !f.explained_by.is_empty() {
        0
    } else if FALLBACK_CAUSES.contains(&f.id.as_str()) {
        1
    } else if f.severity >= Severity::Warning {
        0
    } else {
        2
    }
}

fn compare(a: &Finding, b: &Finding, picked_nodes_fail: bool) -> Ordering {
    let explained = |f: &Finding| !f.explained_by.is_empty();
    let symptom = |f: &Finding| f.kind == RuleKind::Symptom;
    b.is_current()
        .cmp(&a.is_current())
        .then_with(|| explained(a).cmp(&explained(b)))
        .then_with(|| blocks_every_node(b).cmp(&blocks_every_node(a)))
        .then_with(|| tier(a).cmp(&tier(b)))
        .then_with(|| rank_severity(b, picked_nodes_fail).cmp(&rank_severity(a, picked_nodes_fail)))
        .then_with(|| symptom(a).cmp(&symptom(b)))
        .then_with(|| {
            nodes_ruled_out(b, picked_nodes_fail).cmp(&nodes_ruled_out(a, picked_nodes_fail))
        })
        .then_with(|| score(b).cmp(&score(a)))
        .then_with(|| match (freshest(a), freshest(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EvidenceItem;
    use crate::evidence::Provenance;
    use crate::rules::{Severity, Source};

    fn finding(id: &str, sev: Severity, kind: RuleKind, explains: &[&str]) -> Finding {
        Finding {
            rule_explains: explains.iter().map(|s| s.to_string()).collect(),
            ..crate::test_support::finding(id, sev, kind)
        }
    }

    fn aged(mut f: Finding, age: u64) -> Finding {
        f.evidence.push(EvidenceItem {
            source: Source::Event,
            text: String::new(),
            label: String::new(),
            provenance: Provenance::default(),
            container: None,
            previous: None,
            node: None,
            count: None,
            age_seconds: Some(age),
        });
        f
    }

    fn ids(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.id.as_str()).collect()
    }

    #[test]
    fn cause_ranks_above_the_symptom_it_explains_even_when_less_severe() {
        let out = rank(vec![
            finding(
                "crash-loop-back-off",
                Severity::Critical,
                RuleKind::Symptom,
                &[],
            ),
            finding(
                "liveness-probe-failed",
                Severity::Warning,
                RuleKind::Cause,
                &["crash-loop-back-off"],
            ),
        ]);
        assert_eq!(ids(&out), ["liveness-probe-failed", "crash-loop-back-off"]);
        assert_eq!(out[0].explains, ["crash-loop-back-off"]);
        assert_eq!(out[1].explained_by, ["liveness-probe-failed"]);
        assert_eq!((out[0].rank, out[1].rank), (1, 2));
    }

    #[test]
    fn an_application_cause_in_its_log_explains_the_probe_failure() {
        let line = |f: Finding, source: Source, text: &str| -> Finding {
            let mut f = aged(f, 5);
            f.evidence[0].source = source;
            f.evidence[0].text = text.to_string();
            f
        };
        let probe = || {
            line(
                finding(
                    "liveness-probe-failed",
                    Severity::Critical,
                    RuleKind::Cause,
                    &["crash-loop-back-off"],
                ),
                Source::Event,
                "Liveness probe failed: HTTP probe failed with statuscode: 503",
            )
        };
        let app = |text: &str| {
            line(
                finding(
                    "dependency-connection-refused",
                    Severity::Critical,
                    RuleKind::Cause,
                    &[],
                ),
                Source::Log,
                text,
            )
        };
        let loop_ = || {
            finding(
                "crash-loop-back-off",
                Severity::Critical,
                RuleKind::Symptom,
                &[],
            )
        };
        // The application's log says why: its cause, then the probe, then the loop.
        let out = rank(vec![
            loop_(),
            probe(),
            app("dial tcp 10.0.0.7:5432: connect: connection refused"),
        ]);
        assert_eq!(
            ids(&out),
            [
                "dependency-connection-refused",
                "liveness-probe-failed",
                "crash-loop-back-off"
            ]
        );
        assert_eq!(out[1].explained_by, ["dependency-connection-refused"]);
        // A probe failure a rule already explains (`vault-sealed` reads the probe's output) keeps
        // that explanation only: a log cause beside it does not claim it too.
        let out = rank(vec![
            probe(),
            app("dial tcp 10.0.0.7:5432: connect: connection refused"),
            line(
                finding(
                    "vault-sealed",
                    Severity::Critical,
                    RuleKind::Cause,
                    &["liveness-probe-failed"],
                ),
                Source::Log,
                "Sealed true",
            ),
        ]);
        let p = out
            .iter()
            .find(|f| f.id == "liveness-probe-failed")
            .unwrap();
        assert_eq!(p.explained_by, ["vault-sealed"]);
        // A cause that only read the probe's own output (the same quoted line) does not.
        let out = rank(vec![
            probe(),
            line(
                finding(
                    "dependency-connection-refused",
                    Severity::Critical,
                    RuleKind::Cause,
                    &[],
                ),
                Source::Event,
                "Liveness probe failed: HTTP probe failed with statuscode: 503",
            ),
        ]);
        assert!(out.iter().all(|f| f.explained_by.is_empty()));
        // Nor does a cause read from the container's status rather than a log.
        let out = rank(vec![
            probe(),
            line(
                finding(
                    "exit-code-1-application-error",
                    Severity::Warning,
                    RuleKind::Cause,
                    &[],
                ),
                Source::Container,
                "Terminated: Error, exit code 1",
            ),
        ]);
        assert_eq!(out[0].id, "liveness-probe-failed");
        assert!(out.iter().all(|f| f.explained_by.is_empty()));
    }

    #[test]
    fn unexplained_symptom_is_still_reported_and_ranked_by_severity() {
        let out = rank(vec![
            finding(
                "node-image-gc-failed",
                Severity::Warning,
                RuleKind::Cause,
                &[],
            ),
            finding(
                "crash-loop-back-off",
                Severity::Critical,
                RuleKind::Symptom,
                &[],
            ),
        ]);
        assert_eq!(ids(&out), ["crash-loop-back-off", "node-image-gc-failed"]);
        assert!(out[0].explained_by.is_empty());
    }

    #[test]
    fn at_equal_severity_cause_before_symptom_then_corroboration_then_recency_then_id() {
        let mut strong = finding("b-cause", Severity::Critical, RuleKind::Cause, &[]);
        strong.corroboration = 3;
        let out = rank(vec![
            finding("a-symptom", Severity::Critical, RuleKind::Symptom, &[]),
            aged(
                finding("c-cause", Severity::Critical, RuleKind::Cause, &[]),
                600,
            ),
            aged(
                finding("d-cause", Severity::Critical, RuleKind::Cause, &[]),
                30,
            ),
            finding("e-cause", Severity::Critical, RuleKind::Cause, &[]),
            strong,
        ]);
        assert_eq!(
            ids(&out),
            ["b-cause", "d-cause", "c-cause", "e-cause", "a-symptom"]
        );
    }

    #[test]
    fn ranking_is_stable_whatever_the_input_order() {
        let make = || {
            vec![
                finding("x", Severity::Warning, RuleKind::Cause, &[]),
                finding("y", Severity::Warning, RuleKind::Cause, &[]),
                finding("z", Severity::Info, RuleKind::Symptom, &[]),
            ]
        };
        let a = rank(make());
        let mut rev = make();
        rev.reverse();
        let b = rank(rev);
        assert_eq!(ids(&a), ids(&b));
    }

    #[test]
    fn a_cause_explaining_a_symptom_gains_corroboration() {
        let out = rank(vec![
            finding("a-cause", Severity::Critical, RuleKind::Cause, &[]),
            finding("b-cause", Severity::Critical, RuleKind::Cause, &["s"]),
            finding("s", Severity::Critical, RuleKind::Symptom, &[]),
        ]);
        assert_eq!(ids(&out), ["b-cause", "a-cause", "s"]);
    }

    #[test]
    fn a_specific_cause_ranks_above_the_generic_cause_it_explains() {
        let out = rank(vec![
            finding(
                "go-panic",
                Severity::Critical,
                RuleKind::Cause,
                &["crash-loop-back-off"],
            ),
            finding(
                "file-permission-denied",
                Severity::Warning,
                RuleKind::Cause,
                &["crash-loop-back-off", "go-panic"],
            ),
            finding(
                "crash-loop-back-off",
                Severity::Critical,
                RuleKind::Symptom,
                &[],
            ),
        ]);
        assert_eq!(
            ids(&out),
            ["file-permission-denied", "go-panic", "crash-loop-back-off"]
        );
        assert_eq!(out[0].explains, ["crash-loop-back-off", "go-panic"]);
        assert_eq!(out[1].explained_by, ["file-permission-denied"]);
        // The generic cause still explains its own symptoms.
        assert_eq!(out[1].explains, ["crash-loop-back-off"]);
        assert_eq!(out[2].explained_by, ["file-permission-denied", "go-panic"]);
    }

    #[test]
    fn a_fallback_cause_ranks_below_any_other_current_cause_and_above_what_it_explains() {
        let fallback = || {
            finding(
                "application-fatal-error",
                Severity::Warning,
                RuleKind::Cause,
                &["crash-loop-back-off", "exit-code-1-application-error"],
            )
        };
        let symptom = || {
            finding(
                "crash-loop-back-off",
                Severity::Critical,
                RuleKind::Symptom,
                &[],
            )
        };
        // A warning cause that does not name it (and would lose the id tie-break) still ranks above.
        let out = rank(vec![
            fallback(),
            finding("z-specific", Severity::Warning, RuleKind::Cause, &[]),
            symptom(),
        ]);
        // Both explained ones follow, by severity as before.
        assert_eq!(
            ids(&out),
            [
                "z-specific",
                "crash-loop-back-off",
                "application-fatal-error"
            ]
        );
        assert_eq!(out[0].explains, ["application-fatal-error"]);
        assert_eq!(out[2].explained_by, ["z-specific"]);
        assert_eq!(out[1].explained_by, ["application-fatal-error"]);
        // When the specific cause also explains what the fallback explains, the fallback adds
        // nothing and is left out.
        let out = rank(vec![
            fallback(),
            finding(
                "port-already-in-use",
                Severity::Critical,
                RuleKind::Cause,
                &["crash-loop-back-off"],
            ),
            symptom(),
        ]);
        assert_eq!(ids(&out), ["port-already-in-use", "crash-loop-back-off"]);
        assert_eq!(out[0].explains, ["crash-loop-back-off"]);
        assert_eq!(out[1].explained_by, ["port-already-in-use"]);
        // Alone, it is the top cause and explains the generic exit-code cause and the symptom.
        let out = rank(vec![
            finding(
                "exit-code-1-application-error",
                Severity::Warning,
                RuleKind::Cause,
                &[],
            ),
            symptom(),
            fallback(),
        ]);
        assert_eq!(out[0].id, "application-fatal-error");
        assert!(out[0].explained_by.is_empty());
        assert_eq!(
            out[0].explains,
            ["crash-loop-back-off", "exit-code-1-application-error"]
        );
        // An info cause (benign context) and a symptom do not push it down; a cause it explains
        // does not explain it back.
        let out = rank(vec![
            finding("benign", Severity::Info, RuleKind::Cause, &[]),
            finding(
                "exit-code-1-application-error",
                Severity::Warning,
                RuleKind::Cause,
                &[],
            ),
            fallback(),
        ]);
        assert_eq!(out[0].id, "application-fatal-error");
        assert!(out[0].explained_by.is_empty());
        assert!(out
            .iter()
            .all(|f| !f.explains.contains(&"benign".to_string())));
        assert_eq!(out[1].id, "benign");
        // A warning symptom it does not explain (crictl's FATA line about a sandbox) ranks above it,
        // though a cause ranks above a symptom at equal severity otherwise.
        let out = rank(vec![
            fallback(),
            finding(
                "failed-create-pod-sandbox",
                Severity::Warning,
                RuleKind::Symptom,
                &[],
            ),
        ]);
        assert_eq!(
            ids(&out),
            ["failed-create-pod-sandbox", "application-fatal-error"]
        );
        // An info cause that quotes the same line names it more precisely; one that quotes other
        // evidence (benign context) does not.
        let line = |f: Finding, text: &str| -> Finding {
            let mut f = aged(f, 5);
            f.evidence[0].source = Source::Log;
            f.evidence[0].text = text.to_string();
            f
        };
        let fatal = "Error: committing the image: write /usr/bin/chsh: no space left on device";
        let out = rank(vec![
            line(fallback(), fatal),
            line(
                finding(
                    "image-pull-no-space-left",
                    Severity::Info,
                    RuleKind::Cause,
                    &[],
                ),
                fatal,
            ),
            line(
                finding("benign", Severity::Info, RuleKind::Cause, &[]),
                "nameserver limits exceeded",
            ),
        ]);
        assert_eq!(
            ids(&out),
            [
                "image-pull-no-space-left",
                "benign",
                "application-fatal-error"
            ]
        );
        assert_eq!(out[2].explained_by, ["image-pull-no-space-left"]);
        assert!(out[1].explains.is_empty());
    }

    #[test]
    fn a_generic_cause_alone_keeps_its_rank() {
        let out = rank(vec![
            finding("go-panic", Severity::Critical, RuleKind::Cause, &[]),
            finding("other", Severity::Warning, RuleKind::Cause, &["go-panic-x"]),
        ]);
        assert_eq!(ids(&out), ["go-panic", "other"]);
        assert!(out[0].explained_by.is_empty());
    }

    #[test]
    fn the_scheduling_reason_that_rules_out_every_node_ranks_first() {
        let with_nodes = |id: &str, n: &str, t: &str| {
            let mut f = finding(id, Severity::Warning, RuleKind::Cause, &[]);
            f.captures.insert("nodes".into(), n.into());
            f.captures.insert("total".into(), t.into());
            f
        };
        // `0/6 nodes are available: 3 node(s) didn't match node selector, 6 Insufficient nvidia.com/gpu.`
        let mut corroborated = with_nodes("a-node-affinity", "3", "6");
        corroborated.severity = Severity::Critical;
        corroborated.corroboration = 2;
        let out = rank(vec![
            corroborated.clone(),
            with_nodes("b-insufficient-gpu", "6", "6"),
            finding("c-no-count", Severity::Critical, RuleKind::Cause, &[]),
        ]);
        assert_eq!(
            ids(&out),
            ["b-insufficient-gpu", "a-node-affinity", "c-no-count"]
        );
        // Disjoint reasons (1 + 2 of 3 nodes): none rules out every node; at equal severity the
        // one that rules out more nodes comes first, whatever the rule ids.
        let out = rank(vec![
            with_nodes("a-gpu-taint", "1", "3"),
            with_nodes("b-insufficient-gpu", "2", "3"),
        ]);
        assert_eq!(ids(&out), ["b-insufficient-gpu", "a-gpu-taint"]);
    }

    #[test]
    fn more_nodes_ruled_out_ranks_first_only_at_equal_severity() {
        let with_nodes = |id: &str, sev: Severity, n: &str, t: Option<&str>| {
            let mut f = finding(id, sev, RuleKind::Cause, &[]);
            f.captures.insert("nodes".into(), n.into());
            if let Some(t) = t {
                f.captures.insert("total".into(), t.into());
            }
            f
        };
        // `0/7 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint
        // {node.kubernetes.io/not-ready: }, 5 Insufficient memory.`
        let out = rank(vec![
            with_nodes("a-not-ready-taint", Severity::Critical, "1", Some("7")),
            with_nodes("b-too-many-pods", Severity::Critical, "1", Some("7")),
            with_nodes("c-insufficient-memory", Severity::Critical, "5", Some("7")),
        ]);
        assert_eq!(
            ids(&out),
            [
                "c-insufficient-memory",
                "a-not-ready-taint",
                "b-too-many-pods"
            ]
        );
        // A reason that is usually by design (warning: a dedicated pool's taint) stays below a
        // critical one even when it rules out more nodes; a count without `total` (an older
        // scheduler's `Insufficient cpu (9)`) is not compared.
        let out = rank(vec![
            with_nodes("a-dedicated-taint", Severity::Warning, "3", Some("5")),
            with_nodes("b-insufficient-cpu", Severity::Critical, "2", Some("5")),
        ]);
        assert_eq!(ids(&out), ["b-insufficient-cpu", "a-dedicated-taint"]);
        let out = rank(vec![
            with_nodes("a-first", Severity::Critical, "1", Some("5")),
            with_nodes("b-no-total", Severity::Critical, "9", None),
        ]);
        assert_eq!(ids(&out), ["a-first", "b-no-total"]);
        // The pod's node selector narrows the nodes by design when a reason about the nodes it
        // picks fired: its count is not compared and it ranks as a warning at most.
        let out = rank(vec![
            with_nodes(
                "untolerated-nvidia-gpu-taint",
                Severity::Critical,
                "1",
                Some("3"),
            ),
            with_nodes("node-affinity-mismatch", Severity::Critical, "2", Some("3")),
        ]);
        assert_eq!(
            ids(&out),
            ["untolerated-nvidia-gpu-taint", "node-affinity-mismatch"]
        );
        // `0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) didn't match Pod's
        // node affinity/selector, ...`: the GPU shortage (a warning) before the selector.
        let out = rank(vec![
            with_nodes("node-affinity-mismatch", Severity::Critical, "1", Some("3")),
            with_nodes("insufficient-nvidia-gpu", Severity::Warning, "1", Some("3")),
        ]);
        assert_eq!(
            ids(&out),
            ["insufficient-nvidia-gpu", "node-affinity-mismatch"]
        );
        // Without such a reason the selector keeps its severity and count (`1 node(s) didn't match
        // pod affinity/anti-affinity, 19 node(s) didn't match node selector`).
        let out = rank(vec![
            with_nodes("a-pod-affinity", Severity::Critical, "1", Some("20")),
            with_nodes(
                "node-affinity-mismatch",
                Severity::Critical,
                "19",
                Some("20"),
            ),
        ]);
        assert_eq!(ids(&out), ["node-affinity-mismatch", "a-pod-affinity"]);
        // Ruling out every node, a placement rule keeps its severity (and ranks first).
        let out = rank(vec![
            with_nodes("node-affinity-mismatch", Severity::Critical, "3", Some("3")),
            with_nodes("a-other", Severity::Critical, "1", Some("3")),
        ]);
        assert_eq!(ids(&out), ["node-affinity-mismatch", "a-other"]);
    }
}
