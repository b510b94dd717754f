//! Output formats: every renderer over the same ranked findings, for one pod ([`Diagnosis`]) or many
//! ([`SweepReport`]).
//!
//! - `table`: the human report (`crate::report` for one pod; a grouped, compact table for a sweep);
//! - `json` / `yaml`: the versioned machine contract (`schema/report.schema.json`), one document kind
//!   per report (`PodDiagnosis`, `SweepReport`);
//! - `junit`: JUnit XML for CI test reporters, one test case per pod, failing at `--fail-on`;
//! - `sarif`: SARIF 2.1.0 for code-scanning viewers, one result per finding;
//! - `github`: GitHub Actions workflow commands, one annotation per finding;
//! - `markdown`: for pasting into a ticket;
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
use comfy_table::Width;
use comfy_table::{Cell, Color, ColumnConstraint};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

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
    /// Packed for a model's context window within `--budget` tokens (`crate::agent`).
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
        Format::Junit => junit(&[d], &pod_properties(d), &d.not_checked, false, t, fail_on),
        Format::Sarif => sarif(&[d], &d.not_checked, pod_sarif_properties(d), t),
        Format::Github => github(
            &[d],
            &d.not_checked,
            d.cluster.is_some(),
            &pod_summary(d),
            t,
        ),
        Format::Markdown => {
            let mut out = format!("## {TOOL_NAME}: {}\n\n", md_inline(&subject_label(d)));
            markdown_pod(&mut out, d, 3, t);
            out
        }
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
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&sweep_json(r)).unwrap_or_else(|e| {
                format!(
                    "{{\"schemaVersion\":{SCHEMA_VERSION},\"kind\":\"SweepReport\",\"error\":{:?}}}",
                    e.to_string()
                )
            });
            s.push('\n');
            s
        }
        Format::Yaml => serde_yaml::to_string(&sweep_json(r))
            .unwrap_or_else(|e| format!("schemaVersion: {SCHEMA_VERSION}\nerror: {e:?}\n")),
        Format::Junit => junit(
            &pods,
            &sweep_properties(r),
            &sweep_not_checked(r),
            true,
            t,
            fail_on,
        ),
        Format::Sarif => sarif(&pods, &sweep_not_checked(r), sweep_sarif_properties(r), t),
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

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// `Pod ns/name`, or `Pasted input (a.txt, b.txt)` when the input names no single pod.
fn subject_label(d: &Diagnosis) -> String {
    match &d.subject {
        Some(Subject {
            kind,
            name: Some(n),
            namespace,
        }) => format!(
            "{kind} {}{n}",
            namespace
                .as_deref()
                .map(|ns| format!("{ns}/"))
                .unwrap_or_default()
        ),
        _ => {
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

/// First non-empty line of a text, trimmed.
fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// Evidence to show: one item per shape (lines differing only in numbers say the same thing), at
/// most `max`, and how many items are not shown.
fn shown_evidence(f: &Finding, max: usize) -> (Vec<&EvidenceItem>, usize) {
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
        "Read from context {} ({}), namespace {}: {} GET requests",
        c.context, c.server, c.namespace, c.requests
    )
}

// ---------------------------------------------------------------------------------------------
// Table (sweep; one pod is `Diagnosis::to_table`)

fn sweep_table(r: &SweepReport, t: &TableOptions) -> String {
    let paint = |s: &str, f: fn(colored::ColoredString) -> colored::ColoredString| {
        if t.color {
            f(colored::Colorize::normal(s)).to_string()
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    out.push_str(&paint(
        &escape_terminal(&sweep_headline(r)),
        colored::Colorize::bold,
    ));
    out.push('\n');

    if !r.groups.is_empty() {
        out.push('\n');
        for g in &r.groups {
            out.push_str(&format!(
                "{}: {} [{}] ({})\n",
                plural(g.pods.len(), "pod"),
                escape_terminal(&g.title),
                g.cause,
                g.severity
            ));
            out.push_str(&format!("  {}\n", escape_terminal(&g.pods.join(", "))));
        }
    }
    let unknown: Vec<String> = r
        .pods
        .iter()
        .filter(|d| d.findings.is_empty())
        .map(pod_key)
        .collect();
    if !unknown.is_empty() {
        out.push_str(&format!(
            "{}: no known failure found\n  {}\n",
            plural(unknown.len(), "pod"),
            escape_terminal(&unknown.join(", "))
        ));
    }

    if !r.pods.is_empty() {
        out.push('\n');
        let mut table = crate::report::new_table(t);
        table.set_header(vec!["POD", "SEVERITY", "TOP CAUSE", "EVIDENCE", "FIX"]);
        table.set_constraints(vec![
            ColumnConstraint::UpperBoundary(Width::Percentage(20)),
            ColumnConstraint::ContentWidth,
            ColumnConstraint::UpperBoundary(Width::Percentage(22)),
            ColumnConstraint::UpperBoundary(Width::Percentage(30)),
            ColumnConstraint::LowerBoundary(Width::Percentage(20)),
        ]);
        for d in &r.pods {
            let pod = Cell::new(escape_terminal(&pod_key(d)));
            let Some(top) = d.findings.first() else {
                table.add_row(vec![
                    pod,
                    Cell::new("-"),
                    Cell::new("no known failure found"),
                    Cell::new(""),
                    Cell::new(""),
                ]);
                continue;
            };
            let mut sev = Cell::new(top.severity.as_str());
            if t.color {
                sev = sev.fg(match top.severity {
                    Severity::Critical => Color::Red,
                    Severity::Warning => Color::Yellow,
                    Severity::Info => Color::Blue,
                });
            }
            let mut cause = format!("{}\n[{}]", escape_terminal(&top.title), top.id);
            if top.history.is_some() {
                cause.push_str("\nhistory: resolved since");
            } else if top.unrelated.is_some() {
                cause.push_str("\nnode context: not this pod's cause");
            }
            if d.findings.len() > 1 {
                let rest: Vec<&str> = d.findings[1..].iter().map(|f| f.id.as_str()).collect();
                cause.push_str(&format!(
                    "\n+{} more: {}",
                    d.findings.len() - 1,
                    rest.join(", ")
                ));
            }
            let evidence = top
                .evidence
                .first()
                .map(|e| {
                    format!(
                        "\"{}\"\n  — {}",
                        escape_terminal(&truncate(&e.text, 200)),
                        escape_terminal(&e.provenance.location())
                    )
                })
                .unwrap_or_default();
            table.add_row(vec![
                pod,
                sev,
                Cell::new(cause),
                Cell::new(evidence),
                Cell::new(escape_terminal(&truncate(
                    first_line(fix_text(top, t)),
                    300,
                ))),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
        out.push_str(&paint(
            "Every finding of every pod, with all its evidence and the full fix, is in -o json.",
            colored::Colorize::dimmed,
        ));
        out.push('\n');
    }

    let steps: Vec<(String, &NextStep)> = r
        .pods
        .iter()
        .flat_map(|d| d.next_steps.iter().map(move |n| (pod_key(d), n)))
        .collect();
    if !steps.is_empty() {
        out.push_str(&paint(
            "Next steps (their output would decide it; why: in -o json):",
            colored::Colorize::cyan,
        ));
        out.push('\n');
        const SHOWN: usize = 10;
        let more = steps.len().saturating_sub(SHOWN);
        for (pod, n) in steps.into_iter().take(SHOWN) {
            out.push_str(&format!(
                "  {}: $ {}\n",
                escape_terminal(&pod),
                escape_terminal(&n.command)
            ));
        }
        if more > 0 {
            out.push_str(&format!("  (+{more} more in -o json)\n"));
        }
    }
    out.push_str(&crate::report::not_checked_block(
        &sweep_not_checked(r),
        t.color,
    ));
    if let Some(c) = &r.cluster {
        out.push_str(&crate::report::cluster_block(c, t.color));
    }
    out.push_str(&paint(
        &format!("Totals: {}", escape_terminal(&sweep_totals(r))),
        colored::Colorize::bold,
    ));
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// JSON / YAML

#[derive(Serialize)]
struct ToolJson {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SweepJson<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: ToolJson,
    scope: &'a Scope,
    summary: SweepSummary,
    groups: &'a [Group],
    pods: Vec<PodEntry<'a>>,
    not_checked: &'a [NotChecked],
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: &'a Option<ClusterInfo>,
}

/// Pods by their worst finding: `critical + warning + info + (pods with no finding) == unhealthy`.
#[derive(Serialize)]
struct SweepSummary {
    pods: usize,
    healthy: usize,
    unhealthy: usize,
    critical: usize,
    warning: usize,
    info: usize,
}

/// One pod of a sweep: the pod report without `schemaVersion` and `tool`.
#[derive(Serialize)]
struct PodEntry<'a> {
    kind: &'static str,
    #[serde(flatten)]
    body: PodJson<'a>,
}

fn sweep_json(r: &SweepReport) -> SweepJson<'_> {
    let pods: Vec<&Diagnosis> = r.pods.iter().collect();
    let (critical, warning, info) = severity_counts(&pods);
    SweepJson {
        schema_version: SCHEMA_VERSION,
        kind: "SweepReport",
        tool: ToolJson {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        scope: &r.scope,
        summary: SweepSummary {
            pods: r.total_pods,
            healthy: r.healthy_pods,
            unhealthy: r.pods.len(),
            critical,
            warning,
            info,
        },
        groups: &r.groups,
        pods: r
            .pods
            .iter()
            .map(|d| PodEntry {
                kind: "PodDiagnosis",
                body: d.json_body(),
            })
            .collect(),
        not_checked: &r.not_checked,
        cluster: &r.cluster,
    }
}

/// The pod JSON report as YAML. Going through `serde_yaml::Value` (an ordered map) keeps the keys in
/// the JSON report's order, so both are the same document by construction.
fn yaml_of_json(json: &str) -> String {
    serde_json::from_str::<serde_yaml::Value>(json)
        .map_err(|e| e.to_string())
        .and_then(|v| serde_yaml::to_string(&v).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| format!("schemaVersion: {SCHEMA_VERSION}\nerror: {e:?}\n"))
}

// ---------------------------------------------------------------------------------------------
// JUnit XML

fn pod_properties(d: &Diagnosis) -> Vec<(String, String)> {
    let mut p = vec![("subject".to_string(), subject_label(d))];
    if let Some(pl) = &d.platform {
        p.push(("platform".into(), pl.id.to_string()));
    }
    p.push(("notChecked".into(), d.not_checked.len().to_string()));
    p
}

fn sweep_properties(r: &SweepReport) -> Vec<(String, String)> {
    vec![
        ("scope".into(), scope_label(&r.scope)),
        ("totalPods".into(), r.total_pods.to_string()),
        ("healthyPods".into(), r.healthy_pods.to_string()),
        ("unhealthyPods".into(), r.pods.len().to_string()),
        ("notChecked".into(), sweep_not_checked(r).len().to_string()),
    ]
}

/// Make text representable in XML 1.0: control characters and bidi overrides become visible
/// escapes (as for a terminal); the two non-characters XML forbids are escaped too.
fn xml_safe(s: &str) -> String {
    escape_terminal(s)
        .chars()
        .map(|c| match c {
            '\u{fffe}' | '\u{ffff}' => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// A finding as plain text: rank, severity, title, evidence lines, fix, references.
fn finding_text(f: &Finding, t: &TableOptions) -> String {
    let mut s = format!("{}. [{}] {} [{}]", f.rank, f.severity, f.title, f.id);
    if f.kind == RuleKind::Symptom && !f.explained_by.is_empty() {
        s.push_str(&format!(" (symptom of {})", f.explained_by.join(", ")));
    }
    s.push('\n');
    s.push_str(&context_text(f));
    let (shown, hidden) = shown_evidence(f, t.max_evidence);
    for e in shown {
        s.push_str(&format!(
            "   evidence: \"{}\" ({}, {})\n",
            truncate(&e.text, 500),
            e.label,
            e.provenance.location()
        ));
    }
    if hidden > 0 {
        s.push_str(&format!("   (+{hidden} more evidence items in -o json)\n"));
    }
    s.push_str("   fix: ");
    s.push_str(&fix_text(f, t).trim().replace('\n', "\n        "));
    s.push('\n');
    let refs: Vec<String> = f.references.iter().map(|r| r.to_string()).collect();
    if !refs.is_empty() {
        s.push_str(&format!("   see: {}\n", refs.join("; ")));
    }
    s
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
fn next_steps_text(steps: &[NextStep]) -> String {
    if steps.is_empty() {
        return String::new();
    }
    let mut s = String::from("Next steps:\n");
    for n in steps {
        s.push_str(&format!("- {}\n  {}\n", n.command, n.why));
    }
    s
}

fn not_checked_text(nc: &[NotChecked]) -> String {
    let mut s = String::from("Not checked:\n");
    for n in nc {
        s.push_str(&format!("- {}: {}\n", n.what, n.reason));
    }
    s
}

/// `not_checked` goes to the suite's `<system-out>`; with `per_case`, each pod's own items also go
/// to its test case (a sweep), so a partial read shows where it happened.
fn junit(
    pods: &[&Diagnosis],
    props: &[(String, String)],
    not_checked: &[NotChecked],
    per_case: bool,
    t: &TableOptions,
    fail_on: Option<Severity>,
) -> String {
    let failures = pods
        .iter()
        .filter(|d| fails(d, fail_on))
        .count()
        .to_string();
    let tests = pods.len().to_string();
    let counts = [
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", "0"),
        ("skipped", "0"),
    ];
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = (|| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("testsuites")
            .with_attribute(("name", TOOL_NAME))
            .with_attributes(counts)
            .write_inner_content(|w| {
                w.create_element("testsuite")
                    .with_attribute(("name", TOOL_NAME))
                    .with_attributes(counts)
                    .write_inner_content(|w| {
                        if !props.is_empty() {
                            w.create_element("properties").write_inner_content(|w| {
                                for (k, v) in props {
                                    w.create_element("property")
                                        .with_attribute(("name", k.as_str()))
                                        .with_attribute(("value", xml_safe(&one_line(v)).as_str()))
                                        .write_empty()?;
                                }
                                Ok(())
                            })?;
                        }
                        for d in pods {
                            junit_case(w, d, per_case, t, fail_on)?;
                        }
                        if !not_checked.is_empty() {
                            w.create_element("system-out")
                                .write_text_content(BytesText::new(&xml_safe(
                                    &not_checked_text(not_checked),
                                )))?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })();
    match written {
        Ok(()) => {
            let mut s = String::from_utf8_lossy(&w.into_inner()).into_owned();
            s.push('\n');
            s
        }
        // Writing into memory does not fail; keep the output well-formed if it somehow does.
        Err(e) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{TOOL_NAME}\" \
             tests=\"0\" failures=\"0\" errors=\"1\"><!-- {} --></testsuites>\n",
            e.to_string().replace("--", "- -")
        ),
    }
}

fn junit_case(
    w: &mut Writer<Vec<u8>>,
    d: &Diagnosis,
    per_case: bool,
    t: &TableOptions,
    fail_on: Option<Severity>,
) -> std::io::Result<()> {
    let (classname, name) = match &d.subject {
        Some(Subject {
            name: Some(n),
            namespace,
            ..
        }) => (namespace.clone().unwrap_or_else(|| "-".into()), n.clone()),
        _ => ("-".to_string(), pod_ref(d)),
    };
    let (failing, rest): (Vec<&Finding>, Vec<&Finding>) = d
        .findings
        .iter()
        .partition(|f| fail_on.is_some_and(|th| f.severity >= th));
    let classname = xml_safe(&one_line(&classname));
    let name = xml_safe(&one_line(&name));
    w.create_element("testcase")
        .with_attribute(("classname", classname.as_str()))
        .with_attribute(("name", name.as_str()))
        .write_inner_content(|w| {
            if let Some(top) = failing.first() {
                let text: String = failing.iter().map(|f| finding_text(f, t)).collect();
                let message = xml_safe(&one_line(&top.title));
                w.create_element("failure")
                    .with_attribute(("message", message.as_str()))
                    .with_attribute(("type", top.id.as_str()))
                    .write_text_content(BytesText::new(&xml_safe(&text)))?;
            }
            let mut out: String = rest.iter().map(|f| finding_text(f, t)).collect();
            if d.findings.is_empty() {
                out.push_str("No known failure found.\n");
            }
            if !d.next_steps.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&next_steps_text(&d.next_steps));
            }
            if per_case && !d.not_checked.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&not_checked_text(&d.not_checked));
            }
            if !out.is_empty() {
                w.create_element("system-out")
                    .write_text_content(BytesText::new(&xml_safe(&out)))?;
            }
            Ok(())
        })?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0

fn pod_sarif_properties(d: &Diagnosis) -> Value {
    json!({ "subject": subject_label(d) })
}

fn sweep_sarif_properties(r: &SweepReport) -> Value {
    json!({
        "scope": scope_label(&r.scope),
        "totalPods": r.total_pods,
        "healthyPods": r.healthy_pods,
        "unhealthyPods": r.pods.len(),
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// FNV-1a, 64 bits: a fingerprint that is stable across runs, platforms and Rust versions.
fn fnv1a(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A file path as a URI reference: absolute paths become `file://` URIs, relative ones stay
/// relative; everything but unreserved characters and `/` is percent-encoded (so `:` cannot be
/// mistaken for a scheme).
fn path_uri(p: &str) -> String {
    let mut out = String::new();
    if p.starts_with('/') {
        out.push_str("file://");
    }
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether evidence was read from a file (not stdin, not the API).
fn from_file(e: &EvidenceItem, live: bool) -> bool {
    !live && !e.provenance.input.is_empty() && e.provenance.input != "-"
}

fn evidence_summary(e: &EvidenceItem) -> String {
    format!(
        "\"{}\" ({}, {})",
        truncate(&one_line(&e.text), 300),
        e.label,
        e.provenance.location()
    )
}

fn sarif(
    pods: &[&Diagnosis],
    not_checked: &[NotChecked],
    props: Value,
    t: &TableOptions,
) -> String {
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut results: Vec<Value> = Vec::new();
    for d in pods {
        let live = d.cluster.is_some();
        let who = pod_ref(d);
        for f in &d.findings {
            let rule_index = match index.get(&f.id) {
                Some(i) => *i,
                None => {
                    let mut rule = json!({
                        "id": f.id,
                        "shortDescription": { "text": f.title },
                        "fullDescription": { "text": f.detects.trim() },
                        "help": { "text": fix_text(f, t).trim() },
                        "defaultConfiguration": { "level": sarif_level(f.severity) },
                        "properties": {
                            "category": f.category,
                            "kind": f.kind.as_str(),
                            "tags": [f.category, f.kind.as_str()],
                        },
                    });
                    if let Some(url) = f.references.iter().find_map(|r| r.url.as_ref()) {
                        rule["helpUri"] = json!(url);
                    }
                    rules.push(rule);
                    index.insert(f.id.clone(), rules.len() - 1);
                    rules.len() - 1
                }
            };
            let mut message = f.title.clone();
            if let Some(e) = f.evidence.first() {
                message.push_str(": ");
                message.push_str(&evidence_summary(e));
            }
            let context = context_text(f);
            if !context.is_empty() {
                message.push_str(&format!(" ({})", one_line(&context)));
            }
            // The pod's next steps go with its first result.
            if f.rank == 1 {
                for n in &d.next_steps {
                    message.push_str(&format!("\nNext: {} ({})", n.command, n.why));
                }
            }
            let mut location = json!({});
            if let Some(e) = f.evidence.first().filter(|e| from_file(e, live)) {
                let mut phys =
                    json!({ "artifactLocation": { "uri": path_uri(&e.provenance.input) } });
                if let Some(line) = e.provenance.line {
                    phys["region"] = json!({ "startLine": line });
                }
                location["physicalLocation"] = phys;
            }
            if let Some(Subject { name: Some(n), .. }) = &d.subject {
                location["logicalLocations"] = json!([{
                    "name": n,
                    "fullyQualifiedName": pod_key(d),
                    "kind": "resource",
                }]);
            }
            let locations = if location.as_object().is_some_and(|o| o.is_empty()) {
                json!([])
            } else {
                json!([location])
            };
            results.push(json!({
                "ruleId": f.id,
                "ruleIndex": rule_index,
                "level": sarif_level(f.severity),
                "message": { "text": message },
                "locations": locations,
                "partialFingerprints": {
                    "rulePod/v1": fnv1a(&format!("{}\u{0}{}", f.id, who)),
                },
                "properties": {
                    "pod": who,
                    "rank": f.rank,
                    "severity": f.severity,
                    "kind": f.kind,
                    "explainedBy": f.explained_by,
                    "fix": fix_text(f, t).trim(),
                },
            }));
            if let Some(r) = results.last_mut() {
                if let Some(h) = &f.history {
                    r["properties"]["history"] = json!(h);
                }
                if let Some(u) = &f.unrelated {
                    r["properties"]["unrelated"] = json!(u);
                }
            }
        }
    }
    let notifications: Vec<Value> = not_checked
        .iter()
        .map(|n| {
            json!({
                "level": "warning",
                "descriptor": { "id": "not-checked" },
                "message": { "text": format!("Not checked: {}: {}", n.what, n.reason) },
            })
        })
        .collect();
    let mut driver = json!({
        "name": TOOL_NAME,
        "version": TOOL_VERSION,
        "semanticVersion": TOOL_VERSION,
        "rules": rules,
    });
    let uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let Some(u) = uri {
        driver["informationUri"] = json!(u);
    }
    let doc = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": props,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions workflow commands

/// Escape a workflow command's message (`::cmd::<message>`).
pub fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command property value (`::cmd key=<value>::`).
pub fn github_escape_property(s: &str) -> String {
    github_escape_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

fn github_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn github(
    pods: &[&Diagnosis],
    not_checked: &[NotChecked],
    live: bool,
    summary: &str,
    t: &TableOptions,
) -> String {
    let mut out = String::new();
    for d in pods {
        let who = pod_ref(d);
        for f in &d.findings {
            let mut props = vec![format!(
                "title={}",
                github_escape_property(&escape_terminal(&f.title))
            )];
            let top = f.evidence.first();
            if let Some(e) = top.filter(|e| from_file(e, live || d.cluster.is_some())) {
                props.push(format!(
                    "file={}",
                    github_escape_property(&escape_terminal(&e.provenance.input))
                ));
                if let Some(l) = e.provenance.line {
                    props.push(format!("line={l}"));
                }
            }
            let evidence = top
                .map(|e| format!("\"{}\"", truncate(&one_line(&e.text), 300)))
                .unwrap_or_else(|| f.title.clone());
            let message = format!(
                "{who}: {evidence} — {}",
                truncate(first_line(fix_text(f, t)), 300)
            );
            out.push_str(&format!(
                "::{} {}::{}\n",
                github_level(f.severity),
                props.join(","),
                github_escape_data(&escape_terminal(&message))
            ));
        }
    }
    for d in pods {
        for n in &d.next_steps {
            out.push_str(&format!(
                "::notice title=Next step::{}\n",
                github_escape_data(&escape_terminal(&format!(
                    "{}: {} — {}",
                    pod_ref(d),
                    n.command,
                    n.why
                )))
            ));
        }
    }
    for n in not_checked {
        out.push_str(&format!(
            "::warning title=Not checked::{}\n",
            github_escape_data(&escape_terminal(&format!("{}: {}", n.what, n.reason)))
        ));
    }
    out.push_str(&github_escape_data(summary));
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// Escape text for Markdown outside code: control characters, then every character that could
/// start markup (emphasis, links, HTML, tables, code).
pub fn md_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_terminal(s).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span holding any text on one line: the fence is longer than any backtick run inside, and
/// pipes are escaped so the span can sit in a table cell.
pub fn md_code(s: &str) -> String {
    let text = one_line(&escape_terminal(s));
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || longest > 0 {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

/// A rule's fix text as Markdown: it is written with `code` spans and numbered lists, which stay;
/// outside code spans, HTML-like `<...>` and other markup characters from captured text are
/// escaped, and a line cannot become a heading.
fn md_block(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in escape_terminal(s.trim()).lines() {
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
                out.push(c);
            } else if !in_code && matches!(c, '<' | '>' | '\\' | '*' | '_' | '[' | ']' | '|' | '~')
            {
                out.push('\\');
                out.push(c);
            } else {
                out.push(c);
            }
        }
        if in_code {
            // An unbalanced backtick would swallow the following lines.
            out.push('`');
        }
        out.push('\n');
    }
    // Lines starting with `#` would be headings.
    out.lines()
        .map(|l| {
            if l.trim_start().starts_with('#') {
                format!("\\{}", l.trim_start())
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn md_reference(r: &Reference) -> String {
    let mut parts = Vec::new();
    if let Some(c) = r.citation() {
        parts.push(md_inline(&c));
    }
    match (&r.url, &r.title) {
        (Some(u), t) => {
            let label = t.as_deref().unwrap_or(u);
            let url: String = u
                .chars()
                .map(|c| match c {
                    ' ' => "%20".to_string(),
                    '(' => "%28".to_string(),
                    ')' => "%29".to_string(),
                    '<' => "%3C".to_string(),
                    '>' => "%3E".to_string(),
                    c => c.to_string(),
                })
                .collect();
            parts.push(format!("[{}]({url})", md_inline(label)));
        }
        (None, Some(t)) => parts.push(md_inline(t)),
        (None, None) => {}
    }
    parts.join(" — ")
}

/// One pod: headline, platform, findings table, fixes, not checked, inputs. `level` is the heading
/// level of its sections.
fn markdown_pod(out: &mut String, d: &Diagnosis, level: usize, t: &TableOptions) {
    let h = "#".repeat(level);
    let causes = d
        .findings
        .iter()
        .filter(|f| f.kind == RuleKind::Cause)
        .count();
    match d.top() {
        None if !d.findings.is_empty() => out.push_str(&format!(
            "No current failure found: {} below resolved earlier or concern only the node.\n\n",
            plural(d.findings.len(), "finding")
        )),
        Some(top) => out.push_str(&format!(
            "**{}** ({}, {})\n\n",
            md_inline(&top.title),
            plural(causes, "cause"),
            plural(d.findings.len() - causes, "symptom")
        )),
        None => out.push_str("No known failure found: none of the rules matched the evidence.\n\n"),
    }
    if let Some(p) = &d.platform {
        out.push_str(&format!(
            "Platform: {}{} (from {})\n\n",
            md_inline(p.name),
            if p.china_region { ", China region" } else { "" },
            md_inline(&p.reasons.join("; "))
        ));
    }
    if !d.findings.is_empty() {
        out.push_str("| # | Severity | Cause | Evidence |\n|---:|---|---|---|\n");
        for f in &d.findings {
            let mut cause = format!("{} ({})", md_inline(&f.title), md_code(&f.id));
            if f.kind == RuleKind::Symptom {
                let ranks: Vec<String> = f
                    .explained_by
                    .iter()
                    .filter_map(|id| d.findings.iter().find(|x| &x.id == id))
                    .map(|x| format!("#{}", x.rank))
                    .collect();
                if ranks.is_empty() {
                    cause.push_str("<br>symptom; no known cause matched");
                } else {
                    cause.push_str(&format!("<br>symptom of {}", ranks.join(", ")));
                }
            }
            if let Some(hs) = &f.history {
                cause.push_str(&format!(
                    "<br>history: {}, resolved since: {}",
                    md_inline(
                        &hs.when
                            .as_deref()
                            .map(|w| format!("last seen {w}"))
                            .unwrap_or_else(|| "happened earlier".to_string())
                    ),
                    md_inline(&hs.resolved_by.join("; "))
                ));
            }
            if let Some(u) = &f.unrelated {
                cause.push_str(&format!(
                    "<br>node context, not this pod's cause: {}",
                    md_inline(&u.reason)
                ));
            }
            let (shown, hidden) = shown_evidence(f, t.max_evidence);
            let mut ev: Vec<String> = shown
                .iter()
                .map(|e| {
                    format!(
                        "{} — {}, {}",
                        md_code(&truncate(&e.text, 300)),
                        md_inline(&e.label),
                        md_code(&e.provenance.location())
                    )
                })
                .collect();
            if hidden > 0 {
                ev.push(format!("(+{hidden} more in `-o json`)"));
            }
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                f.rank,
                f.severity,
                cause,
                ev.join("<br>")
            ));
        }
        out.push_str(&format!("\n{h} Fixes\n\n"));
        for f in &d.findings {
            out.push_str(&format!("{h}# {}. {}\n\n", f.rank, md_inline(&f.title)));
            out.push_str(&md_block(fix_text(f, t)));
            out.push_str("\n\n");
            if let Some(p) = &f.fix_platform {
                out.push_str(&format!(
                    "_This is the {} fix; the JSON report also has the generic one._\n\n",
                    md_inline(p)
                ));
            }
            if !f.references.is_empty() {
                out.push_str("References:\n");
                for r in &f.references {
                    out.push_str(&format!("- {}\n", md_reference(r)));
                }
                out.push('\n');
            }
        }
    }
    if !d.next_steps.is_empty() {
        out.push_str(&format!("{h} Next steps\n\n"));
        for n in &d.next_steps {
            out.push_str(&format!(
                "- {} — {}\n",
                md_code(&n.command),
                md_inline(&n.why)
            ));
        }
        out.push('\n');
    }
    if !d.not_checked.is_empty() {
        out.push_str(&format!("{h} Not checked\n\n"));
        md_not_checked(out, &d.not_checked);
    }
    if let Some(c) = &d.cluster {
        out.push_str(&format!("{}\n\n", md_inline(&cluster_line(c))));
    }
    for i in &d.inputs {
        let segs: Vec<String> = i
            .segments
            .iter()
            .map(|s| format!("{} {}-{}", s.format, s.first_line, s.last_line))
            .collect();
        out.push_str(&format!(
            "Read {}: {} ({})\n",
            md_code(&i.name),
            plural(i.lines as usize, "line"),
            if segs.is_empty() {
                "nothing recognised".to_string()
            } else {
                md_inline(&segs.join(", "))
            }
        ));
    }
    if !d.inputs.is_empty() {
        out.push('\n');
    }
}

fn md_not_checked(out: &mut String, nc: &[NotChecked]) {
    for n in nc {
        out.push_str(&format!(
            "- **{}**: {}\n",
            md_inline(&n.what),
            md_inline(&n.reason)
        ));
    }
    out.push('\n');
}

fn sweep_markdown(r: &SweepReport, t: &TableOptions) -> String {
    let mut out = format!("## {TOOL_NAME}: {}\n\n", md_inline(&scope_label(&r.scope)));
    out.push_str(&format!("{}.\n\n", md_inline(&sweep_totals(r))));
    if !r.groups.is_empty() {
        out.push_str("### Causes\n\n| Pods | Severity | Cause | Which |\n|---:|---|---|---|\n");
        for g in &r.groups {
            let which: Vec<String> = g.pods.iter().map(|p| md_code(p)).collect();
            out.push_str(&format!(
                "| {} | {} | {} ({}) | {} |\n",
                g.pods.len(),
                g.severity,
                md_inline(&g.title),
                md_code(&g.cause),
                which.join(", ")
            ));
        }
        out.push('\n');
    }
    for d in &r.pods {
        out.push_str(&format!("### {}\n\n", md_inline(&subject_label(d))));
        // The sweep lists what was not checked once, below.
        let mut pod = d.clone();
        pod.not_checked.clear();
        markdown_pod(&mut out, &pod, 4, t);
    }
    let nc = sweep_not_checked(r);
    if !nc.is_empty() {
        out.push_str("### Not checked\n\n");
        md_not_checked(&mut out, &nc);
    }
    if let Some(c) = &r.cluster {
        out.push_str(&format!("{}\n", md_inline(&cluster_line(c))));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping_follows_the_runner_rules() {
        assert_eq!(github_escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(github_escape_property("a: b, c\n"), "a%3A b%2C c%0A");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(md_code("a|b"), "`a\\|b`");
        assert_eq!(md_code("say `hi`"), "`` say `hi` ``");
        assert_eq!(md_code("x\ny"), "`x y`");
        assert_eq!(
            md_inline("<img> *x* | [y]"),
            "\\<img\\> \\*x\\* \\| \\[y\\]"
        );
    }

    #[test]
    fn fix_text_keeps_code_and_escapes_markup_outside_it() {
        assert_eq!(
            md_block("Run `kubectl get pod <pod>` on <b>it</b>\n# not a heading"),
            "Run `kubectl get pod <pod>` on \\<b\\>it\\</b\\>\n\\# not a heading"
        );
        assert_eq!(md_block("odd ` tick"), "odd ` tick`");
    }

    #[test]
    fn uris_and_fingerprints_are_stable() {
        assert_eq!(path_uri("testdata/a b.txt"), "testdata/a%20b.txt");
        assert_eq!(path_uri("/tmp/x:y"), "file:///tmp/x%3Ay");
        assert_eq!(fnv1a(""), "cbf29ce484222325");
        assert_eq!(fnv1a("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn xml_text_has_no_forbidden_characters() {
        assert_eq!(xml_safe("a\x1bb\u{ffff}\n"), "a\\x1bb\\u{ffff}\n");
    }

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
