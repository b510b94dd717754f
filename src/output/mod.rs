//! Output formats: every renderer over the same ranked findings, for one pod ([`Diagnosis`]) or many
//! ([`SweepReport`]).
//!
//! One renderer per file; this module dispatches ([`render_pod`], [`render_sweep`]) and holds the
//! helpers they share:
//!
//! - `table` (`table.rs`): the human report (`crate::report` for one pod; a grouped, compact table
//!   for a sweep);
//! - `json` / `yaml` (`json.rs`): the versioned machine contract (`schema/report.schema.json`), one
//!   document kind per report (`PodDiagnosis`, `SweepReport`);
//! - `junit` (`junit.rs`): JUnit XML for CI test reporters, one test case per pod, failing at
//!   `--fail-on`;
//! - `sarif` (`sarif.rs`): SARIF 2.1.0 for code-scanning viewers, one result per finding;
//! - `github` (`github.rs`): GitHub Actions workflow commands, one annotation per finding;
//! - `markdown` (`markdown.rs`): for pasting into a ticket;
//! - `agent`: packed for a model's context window within a token budget (`crate::agent`).
//!
//! Text from logs and events is untrusted. Every human format escapes control characters and bidi
//! overrides with [`escape_terminal`], then applies its own syntax's escaping (XML entities, workflow
//! command percent-encoding, Markdown backslashes and code spans). JSON, YAML and SARIF rely on their
//! encoders.

use crate::engine::{EvidenceItem, Finding};
use crate::evidence::NotChecked;
use crate::next_steps::NextStep;
use crate::report::{
    escape_terminal, plural, shape_of, truncate, ClusterInfo, Diagnosis, PodJson, Subject,
    TableOptions, SCHEMA_VERSION,
};
use crate::rules::{Reference, RuleKind, Severity};
use crate::sweep::{pod_key, Group, Scope, SweepReport};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

mod build;
pub mod cards;
mod github;
mod json;
mod junit;
mod markdown;
mod sarif;
mod table;

pub use build::{live_sweep_report, pasted_sweep_report};
use github::github;
pub use github::{
    append_step_summary, github_escape_data, github_escape_property, MAX_PER_LEVEL,
    STEP_SUMMARY_LIMIT,
};
use json::{sweep_json_text, sweep_yaml_text, write_sweep_json, yaml_of_json};
use junit::{junit, pod_properties, sweep_properties};
pub use markdown::{md_code, md_inline, MAX_MARKDOWN_CHARS};
use markdown::{pod_markdown, sweep_markdown};
pub use sarif::{check_artifact_path, MAX_MESSAGE_CHARS, MAX_RESULTS};
use sarif::{pod_sarif_properties, sarif, sweep_sarif_properties};
use table::sweep_table;

/// Output format (`-o/--output`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Yaml,
    Junit,
    Sarif,
    Github,
    Markdown,
    // Packed for a model's context window within `--budget` tokens (`crate::agent`); no doc
    // comment: clap would print it in `--help` as this value's help, alone among the formats.
    Agent,
}

const TOOL_NAME: &str = "kubectl-diagnose";
const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The SARIF `$schema` of version 2.1.0.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Render one pod's diagnosis. `fail_on` is the severity at or above which a finding fails the pod
/// (`None`: never); only formats that have a notion of failure (JUnit) use it.
pub fn render_pod(d: &Diagnosis, f: Format, t: &TableOptions, fail_on: Option<Severity>) -> String {
    match f {
        Format::Table => d.to_table(t),
        Format::Json => d.to_json(),
        Format::Yaml => yaml_of_json(&d.to_json()),
        Format::Junit => junit(
            &[d],
            junit::Healthy {
                names: &[],
                count: 0,
            },
            &pod_properties(d),
            &d.not_checked,
            false,
            t,
            fail_on,
        ),
        Format::Sarif => {
            let run = sarif::Run {
                live: d.cluster.is_some(),
                cluster: d.cluster.as_ref(),
                namespace: d.subject.as_ref().and_then(|s| s.namespace.as_deref()),
                artifact: t.sarif_artifact.as_deref(),
            };
            sarif(&[d], &d.not_checked, pod_sarif_properties(d), t, &run)
        }
        Format::Github => github(
            &[d],
            &d.not_checked,
            d.cluster.is_some(),
            &pod_summary(d),
            t,
        ),
        Format::Markdown => pod_markdown(d, t),
        Format::Agent => crate::agent::render_pod(d, crate::agent::DEFAULT_BUDGET),
    }
}

/// Render a sweep (many pods). Same formats and threshold as [`render_pod`]; healthy pods are counted,
/// never listed.
pub fn render_sweep(
    r: &SweepReport,
    f: Format,
    t: &TableOptions,
    fail_on: Option<Severity>,
) -> String {
    let pods: Vec<&Diagnosis> = r.pods.iter().collect();
    match f {
        Format::Table => sweep_table(r, t),
        Format::Json => sweep_json_text(r),
        Format::Yaml => sweep_yaml_text(r),
        Format::Junit => junit(
            &pods,
            junit::Healthy {
                names: &r.healthy,
                count: r.healthy_pods,
            },
            &sweep_properties(r),
            &sweep_not_checked(r),
            true,
            t,
            fail_on,
        ),
        Format::Sarif => {
            let run = sarif::Run {
                live: r.cluster.is_some(),
                cluster: r.cluster.as_ref(),
                namespace: r.scope.namespace.as_deref(),
                artifact: t.sarif_artifact.as_deref(),
            };
            sarif(
                &pods,
                &sweep_not_checked(r),
                sweep_sarif_properties(r),
                t,
                &run,
            )
        }
        Format::Github => github(
            &pods,
            &sweep_not_checked(r),
            r.cluster.is_some(),
            &sweep_summary_line(r),
            t,
        ),
        Format::Markdown => sweep_markdown(r, t),
        Format::Agent => crate::agent::render_sweep(r, crate::agent::DEFAULT_BUDGET),
    }
}

/// [`render_sweep`] written to `w`. JSON, the format CI and scripts read big sweeps in, is
/// streamed (the whole document is never built as one string); the other formats are rendered
/// and written.
pub fn write_sweep(
    r: &SweepReport,
    f: Format,
    t: &TableOptions,
    fail_on: Option<Severity>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    if f == Format::Json {
        return write_sweep_json(r, w);
    }
    w.write_all(render_sweep(r, f, t, fail_on).as_bytes())?;
    w.flush()
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// `Pod ns/name`, or `Pasted input (a.txt, b.txt)` when the input names no single pod.
fn subject_label(d: &Diagnosis) -> String {
    match d.subject.as_ref().and_then(Subject::label) {
        Some(label) => label,
        None => {
            let names = input_names(d);
            if names.is_empty() {
                "Pasted input".to_string()
            } else {
                format!("Pasted input ({names})")
            }
        }
    }
}

fn input_names(d: &Diagnosis) -> String {
    d.inputs
        .iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `namespace/name` for a pod, else the input names (never empty).
fn pod_ref(d: &Diagnosis) -> String {
    match &d.subject {
        Some(Subject { name: Some(_), .. }) => pod_key(d),
        _ => {
            let names = input_names(d);
            if names.is_empty() {
                "input".to_string()
            } else {
                names
            }
        }
    }
}

fn fails(d: &Diagnosis, fail_on: Option<Severity>) -> bool {
    matches!((fail_on, d.worst()), (Some(t), Some(w)) if w >= t)
}

fn fix_text<'a>(f: &'a Finding, t: &TableOptions) -> &'a str {
    match (&f.fix_zh, t.chinese) {
        (Some(z), true) => z,
        _ => &f.fix,
    }
}

/// Evidence to show: one item per shape (lines differing only in numbers say the same thing), at
/// most `max`, and how many items are not shown.
pub(crate) fn shown_evidence(f: &Finding, max: usize) -> (Vec<&EvidenceItem>, usize) {
    let mut shapes = Vec::new();
    let mut shown = Vec::new();
    for e in &f.evidence {
        let shape = shape_of(&e.text);
        if !shapes.contains(&shape) {
            shapes.push(shape);
            shown.push(e);
        }
    }
    shown.truncate(max.max(1));
    let hidden = f.evidence.len() - shown.len() + f.evidence_omitted;
    (shown, hidden)
}

/// Collapse whitespace runs (newlines included) to single spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn severity_counts(pods: &[&Diagnosis]) -> (usize, usize, usize) {
    let count = |s| pods.iter().filter(|d| d.worst() == Some(s)).count();
    (
        count(Severity::Critical),
        count(Severity::Warning),
        count(Severity::Info),
    )
}

/// Not-checked items of a sweep: the sweep's own, then each pod's, without repeats.
fn sweep_not_checked(r: &SweepReport) -> Vec<NotChecked> {
    let mut out: Vec<NotChecked> = Vec::new();
    for n in r
        .not_checked
        .iter()
        .chain(r.pods.iter().flat_map(|d| &d.not_checked))
    {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// `namespace shop`, `all namespaces`, `dump ./cluster-dump`, with selectors.
pub fn scope_label(s: &Scope) -> String {
    let mut out = match s.kind.as_str() {
        "namespace" => format!("namespace {}", s.namespace.as_deref().unwrap_or("-")),
        "all-namespaces" => "all namespaces".to_string(),
        "dump" => format!("dump {}", s.source.as_deref().unwrap_or("-")),
        "workload" => format!(
            "{} in namespace {}",
            s.source.as_deref().unwrap_or("-"),
            s.namespace.as_deref().unwrap_or("-")
        ),
        "" => "sweep".to_string(),
        other => other.to_string(),
    };
    let mut sel = Vec::new();
    if let Some(l) = &s.label_selector {
        sel.push(format!("-l {l}"));
    }
    if let Some(f) = &s.field_selector {
        sel.push(format!("--field-selector {f}"));
    }
    if !sel.is_empty() {
        out.push_str(&format!(" ({})", sel.join(", ")));
    }
    out
}

fn sweep_headline(r: &SweepReport) -> String {
    format!(
        "{}: {}, {} healthy, {} need attention",
        scope_label(&r.scope),
        plural(r.total_pods, "pod"),
        r.healthy_pods,
        r.pods.len()
    )
}

fn sweep_totals(r: &SweepReport) -> String {
    let pods: Vec<&Diagnosis> = r.pods.iter().collect();
    let (c, w, i) = severity_counts(&pods);
    let unknown = r.pods.iter().filter(|d| d.findings.is_empty()).count();
    let findings: usize = r.pods.iter().map(|d| d.findings.len()).sum();
    format!(
        "{}: {} healthy, {} need attention ({c} critical, {w} warning, {i} info, {unknown} with no \
         known failure); {}",
        plural(r.total_pods, "pod"),
        r.healthy_pods,
        r.pods.len(),
        plural(findings, "finding")
    )
}

fn pod_summary(d: &Diagnosis) -> String {
    let count = |s| d.findings.iter().filter(|f| f.severity == s).count();
    let top = d
        .top()
        .map(|f| format!("; top cause {}", f.id))
        .unwrap_or_default();
    format!(
        "{TOOL_NAME}: {}: {} ({} critical, {} warning, {} info){top}; {} not checked",
        one_line(&escape_terminal(&subject_label(d))),
        plural(d.findings.len(), "finding"),
        count(Severity::Critical),
        count(Severity::Warning),
        count(Severity::Info),
        plural(d.not_checked.len(), "item"),
    )
}

fn sweep_summary_line(r: &SweepReport) -> String {
    format!(
        "{TOOL_NAME}: {}; {} not checked",
        one_line(&escape_terminal(&sweep_totals_with_scope(r))),
        plural(sweep_not_checked(r).len(), "item")
    )
}

fn sweep_totals_with_scope(r: &SweepReport) -> String {
    format!("{}: {}", scope_label(&r.scope), sweep_totals(r))
}

fn cluster_line(c: &ClusterInfo) -> String {
    format!(
        "Read from context {} ({}), namespace {}: {}",
        c.context,
        c.server,
        c.namespace,
        c.budget()
    )
}

/// `   history: ...` / `   node context: ...` lines of a finding that is not current (else empty).
fn context_text(f: &Finding) -> String {
    let mut s = String::new();
    if let Some(h) = &f.history {
        s.push_str(&format!(
            "   history: {}, resolved since: {}\n",
            h.when
                .as_deref()
                .map(|w| format!("last seen {w}"))
                .unwrap_or_else(|| "happened earlier".to_string()),
            h.resolved_by.join("; ")
        ));
    }
    if let Some(u) = &f.unrelated {
        s.push_str(&format!(
            "   node context, not this pod's cause: {}\n",
            u.reason
        ));
    }
    s
}

/// Next steps as plain text lines (empty when none).
/// Whether evidence was read from a file (not stdin, not the API).
fn from_file(e: &EvidenceItem, live: bool) -> bool {
    !live && !e.provenance.input.is_empty() && e.provenance.input != "-"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_naturally() {
        let s = Scope {
            kind: "namespace".into(),
            namespace: Some("shop".into()),
            label_selector: Some("app=web".into()),
            ..Default::default()
        };
        assert_eq!(scope_label(&s), "namespace shop (-l app=web)");
        let s = Scope {
            kind: "dump".into(),
            source: Some("dump.tar.gz".into()),
            ..Default::default()
        };
        assert_eq!(scope_label(&s), "dump dump.tar.gz");
    }
}
