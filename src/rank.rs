//! Ranking: cause before symptom, then severity, corroboration, recency and a stable tie-break.
//!
//! The order (documented for rule authors in `rules/README.md` and pinned by the tests below):
//! 0. every current finding before history and unrelated node context (`crate::history`); a cause
//!    explains only symptoms of the same kind (a resolved cause does not explain a current symptom);
//! 1. a symptom that a fired cause explains (`explains:` in the cause's rule) goes below every
//!    finding that is not such an explained symptom — it stays in the report as context;
//! 2. higher severity first;
//! 3. at equal severity, a cause before a symptom;
//! 4. more corroboration first: distinct kinds of source that agree (events, container status, logs,
//!    node conditions, ...) plus the symptoms the cause explains;
//! 5. more recent evidence first (smallest age of any evidence item; unknown ages last);
//! 6. rule id, so the output never changes between runs.

use crate::engine::Finding;
use crate::rules::RuleKind;
use std::cmp::Ordering;

/// Link causes and symptoms, then sort and number the findings (rank 1 is the top cause).
pub fn rank(mut findings: Vec<Finding>) -> Vec<Finding> {
    let fired: Vec<(String, RuleKind, bool)> = findings
        .iter()
        .map(|f| (f.id.clone(), f.kind, f.is_current()))
        .collect();
    let links: Vec<(String, Vec<String>, bool)> = findings
        .iter()
        .filter(|f| f.kind == RuleKind::Cause)
        .map(|f| (f.id.clone(), f.rule_explains.clone(), f.is_current()))
        .collect();
    for f in &mut findings {
        let current = f.is_current();
        if f.kind == RuleKind::Cause {
            f.explains = f
                .rule_explains
                .iter()
                .filter(|t| {
                    fired
                        .iter()
                        .any(|(id, k, c)| id == *t && *k == RuleKind::Symptom && *c == current)
                })
                .cloned()
                .collect();
            f.explains.sort();
        } else {
            f.explained_by = links
                .iter()
                .filter(|(_, ex, c)| ex.contains(&f.id) && *c == current)
                .map(|(id, _, _)| id.clone())
                .collect();
        }
    }
    findings.sort_by(compare);
    // Order `explained_by` by rank so the first one is the top cause.
    let order: Vec<String> = findings.iter().map(|f| f.id.clone()).collect();
    for (i, f) in findings.iter_mut().enumerate() {
        f.rank = i + 1;
        f.explained_by
            .sort_by_key(|id| order.iter().position(|o| o == id).unwrap_or(usize::MAX));
    }
    findings
}

fn score(f: &Finding) -> usize {
    f.corroboration + f.explains.len()
}

fn freshest(f: &Finding) -> Option<u64> {
    f.evidence.iter().filter_map(|e| e.age_seconds).min()
}

fn compare(a: &Finding, b: &Finding) -> Ordering {
    let explained = |f: &Finding| !f.explained_by.is_empty();
    let symptom = |f: &Finding| f.kind == RuleKind::Symptom;
    b.is_current()
        .cmp(&a.is_current())
        .then_with(|| explained(a).cmp(&explained(b)))
        .then_with(|| b.severity.cmp(&a.severity))
        .then_with(|| symptom(a).cmp(&symptom(b)))
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
    use std::collections::BTreeMap;

    fn finding(id: &str, sev: Severity, kind: RuleKind, explains: &[&str]) -> Finding {
        Finding {
            rank: 0,
            id: id.into(),
            title: id.into(),
            severity: sev,
            category: "runtime".into(),
            kind,
            detects: String::new(),
            why: String::new(),
            fix: String::new(),
            fix_zh: None,
            fix_platform: None,
            generic_fix: None,
            captures: BTreeMap::new(),
            evidence: vec![],
            evidence_omitted: 0,
            explains: vec![],
            explained_by: vec![],
            corroboration: 1,
            references: vec![],
            history: None,
            unrelated: None,
            rule_explains: explains.iter().map(|s| s.to_string()).collect(),
            items: vec![],
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
}
