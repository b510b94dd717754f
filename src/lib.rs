//! kubectl-diagnose: tells a Kubernetes user why a pod is failing and how to fix it.
//!
//! The pipeline: sources ([`parse`] for pasted text) produce [`evidence::Evidence`]; the
//! [`engine`] matches it against the declarative [`rules`]; findings are ranked cause-before-symptom
//! ([`rank`]) and rendered by [`report`]. Everything here is pure and testable without a cluster.

pub mod agent;
pub mod complete;
pub mod connect;
pub mod engine;
pub mod evidence;
pub mod fill;
pub mod output;
/// The former name of [`output`], kept so existing callers keep compiling.
pub use output as formats;
pub mod history;
pub mod i18n;
pub mod live;
pub mod manpage;
pub mod mcp;
pub mod next_steps;
pub mod nouns;
pub mod parse;
pub mod platform;
pub mod rank;
pub mod redact;
mod regex_facts;
pub mod report;
pub mod rules;
pub mod sweep;
#[cfg(test)]
mod test_support;
pub mod tooling;
pub mod wait;
pub mod workload;
pub mod wrap;

use engine::Engine;
use evidence::Evidence;
use parse::{InputSummary, LineFilter};
use report::{Diagnosis, Subject};

/// Lets the parsers keep only the log lines some rule can match.
impl LineFilter for Engine {
    fn wants(&self, text: &str) -> bool {
        self.wants_log_line(text)
    }
    fn rejects_line(&self, line: &str) -> bool {
        self.rejects_log_line(line)
    }
    fn wants_message(&self, text: &str, has_reason: bool) -> bool {
        Engine::wants_message(self, text, has_reason)
    }
    fn wants_event(&self, e: &evidence::Event) -> bool {
        Engine::wants_event(self, e)
    }
}

/// Evaluate, rank and package one evidence set.
pub fn diagnose(engine: &Engine, ev: &Evidence, inputs: Vec<InputSummary>) -> Diagnosis {
    // One pod on a known node: other nodes' conditions are not about it.
    let focused = evidence::focus(ev);
    let ev: &Evidence = &focused;
    let platform = platform::detect(ev);
    let mut findings = engine.evaluate_for(ev, platform.as_ref().and_then(|p| p.platform));
    // Resolved failures become history; node causes that cannot affect this pod become context.
    history::apply(engine, ev, &mut findings);
    let mut findings = rank::rank(findings);
    let subject = subject_of(ev);
    // Fixes name the pod, namespace, container and node the evidence gives, in every format.
    fill::fill_findings(&mut findings, ev, subject.as_ref());
    let next_steps = next_steps::suggest(ev, &findings, &inputs);
    let mut not_checked = ev.not_checked.clone();
    if ev.dropped_lines > 0 {
        not_checked.push(evidence::NotChecked {
            what: format!("{} matching log lines", ev.dropped_lines),
            reason: format!(
                "more than {} distinct matching lines; only the first were kept",
                evidence::MAX_KEPT_LOG_LINES
            ),
        });
    }
    Diagnosis {
        subject,
        inputs,
        findings,
        not_checked,
        next_steps,
        cluster: None,
        platform,
    }
}

/// The pod the evidence is about, when it names exactly one.
fn subject_of(ev: &Evidence) -> Option<Subject> {
    let mut names: Vec<(&Option<String>, &Option<String>)> = ev
        .pods
        .iter()
        .filter(|p| p.name.is_some())
        .map(|p| (&p.name, &p.namespace))
        .collect();
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    match names.as_slice() {
        [(name, ns)] => Some(Subject {
            kind: "Pod".into(),
            name: (*name).clone(),
            namespace: (*ns).clone(),
        }),
        _ => None,
    }
}
