//! Reports: renderers over the same ranked [`Diagnosis`].
//!
//! The table is for people (comfy-table, colour only when stdout is a terminal and `NO_COLOR` is
//! unset); JSON is the versioned machine contract (`schemaVersion`, documented in the README). Text
//! that came from logs and events is untrusted: before it reaches a terminal every control character
//! (ESC, CR, BEL, C1 controls) and bidi override is escaped by [`escape_terminal`]. JSON output needs
//! no such escaping — the JSON encoder escapes control characters itself.

use crate::engine::Finding;
use crate::evidence::NotChecked;
use crate::next_steps::NextStep;
use crate::parse::InputSummary;
use crate::rules::{RuleKind, Severity};
use comfy_table::{
    presets, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table, Width,
};
use serde::Serialize;

/// Version of the JSON report shape. Bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// What was diagnosed.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Where a live diagnosis read its evidence.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterInfo {
    pub context: String,
    pub namespace: String,
    pub server: String,
    /// API requests made (all GET).
    pub requests: usize,
    /// Current logs fetched but not scanned: the same text as the container's previous log (a
    /// crash-looping container), whose lines were scanned once.
    #[serde(skip_serializing_if = "is_zero_usize")]
    pub repeated_logs: usize,
}

fn is_zero_usize(n: &usize) -> bool {
    *n == 0
}

impl ClusterInfo {
    /// `6 GET requests`, and the repeated logs when there were any.
    pub fn budget(&self) -> String {
        match self.repeated_logs {
            0 => format!("{} GET requests", self.requests),
            n => format!(
                "{} GET requests ({n} current log{} identical to the previous one, scanned once)",
                self.requests,
                if n == 1 { "" } else { "s" }
            ),
        }
    }
}

/// A complete, ranked diagnosis ready to render.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    pub subject: Option<Subject>,
    pub inputs: Vec<InputSummary>,
    pub findings: Vec<Finding>,
    pub not_checked: Vec<NotChecked>,
    /// Commands whose output would decide what the evidence leaves open (`crate::next_steps`).
    pub next_steps: Vec<NextStep>,
    /// Set in live mode.
    pub cluster: Option<ClusterInfo>,
    /// The platform the evidence shows, if any (its documented fixes are shown first).
    pub platform: Option<crate::platform::Detection>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    schema_version: u32,
    /// `PodDiagnosis` (a sweep report says `SweepReport`).
    kind: &'static str,
    tool: Tool,
    #[serde(flatten)]
    body: PodJson<'a>,
}

/// The pod report without its envelope (`schemaVersion`, `kind`, `tool`): the shape of each entry
/// of a sweep report's `pods` (see `crate::formats`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodJson<'a> {
    subject: &'a Option<Subject>,
    platform: &'a Option<crate::platform::Detection>,
    summary: Summary,
    findings: &'a [Finding],
    next_steps: &'a [NextStep],
    not_checked: &'a [NotChecked],
    inputs: &'a [InputSummary],
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: &'a Option<ClusterInfo>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    findings: usize,
    critical: usize,
    warning: usize,
    info: usize,
    top_cause: Option<String>,
}

impl Diagnosis {
    /// Highest severity among findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    fn summary(&self) -> Summary {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        Summary {
            findings: self.findings.len(),
            critical: count(Severity::Critical),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
            // History and unrelated node context are never the top cause.
            top_cause: self.top().map(|f| f.id.clone()),
        }
    }

    /// The top current finding: rank 1 unless every finding is history or unrelated context.
    pub fn top(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.is_current())
    }

    /// The body of the JSON report, without the envelope.
    pub fn json_body(&self) -> PodJson<'_> {
        PodJson {
            subject: &self.subject,
            platform: &self.platform,
            summary: self.summary(),
            findings: &self.findings,
            next_steps: &self.next_steps,
            not_checked: &self.not_checked,
            inputs: &self.inputs,
            cluster: &self.cluster,
        }
    }

    /// The JSON report (pretty-printed, newline-terminated).
    pub fn to_json(&self) -> String {
        let r = JsonReport {
            schema_version: SCHEMA_VERSION,
            kind: "PodDiagnosis",
            tool: Tool {
                name: "kubectl-diagnose",
                version: env!("CARGO_PKG_VERSION"),
            },
            body: self.json_body(),
        };
        let mut s = serde_json::to_string_pretty(&r).unwrap_or_else(|e| {
            // Serialising plain data cannot fail; keep the contract if it somehow does.
            format!(
                "{{\"schemaVersion\":{SCHEMA_VERSION},\"error\":{:?}}}",
                e.to_string()
            )
        });
        s.push('\n');
        s
    }

    /// The human report: a headline, the ranked table, and what was read or not checked.
    pub fn to_table(&self, opts: &TableOptions) -> String {
        let paint = |s: &str, f: fn(colored::ColoredString) -> colored::ColoredString| {
            if opts.color {
                f(colored::Colorize::normal(s)).to_string()
            } else {
                s.to_string()
            }
        };
        let mut out = String::new();
        let who = match &self.subject {
            Some(Subject {
                kind,
                name: Some(n),
                namespace,
            }) => format!(
                "{} {}{}",
                kind,
                namespace
                    .as_deref()
                    .map(|ns| format!("{}/", escape_terminal(ns)))
                    .unwrap_or_default(),
                escape_terminal(n)
            ),
            _ => "Pasted input".to_string(),
        };
        let causes = self
            .findings
            .iter()
            .filter(|f| f.kind == RuleKind::Cause)
            .count();
        let symptoms = self.findings.len() - causes;
        let past = self.findings.iter().filter(|f| !f.is_current()).count();
        let headline = if self.findings.is_empty() {
            format!("{who}: no known failure found")
        } else if self.top().is_none() {
            format!(
                "{who}: no current failure found ({} below: resolved earlier, or about the node only)",
                plural(past, "finding")
            )
        } else {
            format!(
                "{who}: {} ({}, {})",
                self.findings
                    .first()
                    .map(|f| escape_terminal(&f.title))
                    .unwrap_or_default(),
                plural(causes, "cause"),
                plural(symptoms, "symptom")
            )
        };
        out.push_str(&paint(&headline, colored::Colorize::bold));
        out.push('\n');
        if let Some(p) = &self.platform {
            out.push_str(&format!(
                "Platform: {}{} (from {})\n",
                p.name,
                if p.china_region { ", China region" } else { "" },
                escape_terminal(&p.reasons.join("; "))
            ));
        }

        if !self.findings.is_empty() {
            let mut table = new_table(opts);
            table.set_header(vec!["#", "SEVERITY", "CAUSE", "EVIDENCE", "FIX"]);
            table.set_constraints(vec![
                ColumnConstraint::ContentWidth,
                ColumnConstraint::ContentWidth,
                ColumnConstraint::UpperBoundary(Width::Percentage(22)),
                ColumnConstraint::UpperBoundary(Width::Percentage(36)),
                ColumnConstraint::LowerBoundary(Width::Percentage(30)),
            ]);
            for f in &self.findings {
                let mut sev = Cell::new(f.severity.as_str());
                if opts.color {
                    sev = sev.fg(match f.severity {
                        Severity::Critical => Color::Red,
                        Severity::Warning => Color::Yellow,
                        Severity::Info => Color::Blue,
                    });
                }
                table.add_row(vec![
                    Cell::new(f.rank).set_alignment(CellAlignment::Right),
                    sev,
                    Cell::new(cause_cell(f, &self.findings)),
                    Cell::new(evidence_cell(f, opts.max_evidence)),
                    Cell::new(fix_cell(f, opts.chinese)),
                ]);
            }
            out.push_str(&table.to_string());
            out.push('\n');
        } else {
            out.push_str(
                "None of the rules matched the evidence. Paste more of it (the Events of \
                 `kubectl describe pod`, `kubectl logs --previous`, the node's YAML), or add a rule \
                 with --rules DIR.\n",
            );
        }

        out.push_str(&next_steps_block(&self.next_steps, opts.color));
        out.push_str(&not_checked_block(&self.not_checked, opts.color));
        if let Some(c) = &self.cluster {
            out.push_str(&cluster_block(c, opts.color));
        }
        for i in &self.inputs {
            let segs: Vec<String> = i
                .segments
                .iter()
                .map(|s| format!("{} {}-{}", s.format, s.first_line, s.last_line))
                .collect();
            out.push_str(&paint(
                &format!(
                    "Read {}: {} ({})",
                    escape_terminal(&i.name),
                    plural(i.lines as usize, "line"),
                    if segs.is_empty() {
                        "nothing recognised".to_string()
                    } else {
                        segs.join(", ")
                    }
                ),
                colored::Colorize::dimmed,
            ));
            out.push('\n');
        }
        out
    }
}

/// The "Next steps:" section of a table report: each command, then why (empty when none).
pub(crate) fn next_steps_block(steps: &[NextStep], color: bool) -> String {
    if steps.is_empty() {
        return String::new();
    }
    let head = "Next steps (their output would decide it):";
    let mut out = if color {
        colored::Colorize::cyan(head).to_string()
    } else {
        head.to_string()
    };
    out.push('\n');
    for s in steps {
        let cmd = format!("  $ {}", escape_terminal(&s.command));
        if color {
            out.push_str(&colored::Colorize::bold(cmd.as_str()).to_string());
        } else {
            out.push_str(&cmd);
        }
        out.push_str(&format!("\n    {}\n", escape_terminal(&s.why)));
    }
    out
}

/// The "Not checked:" section of a table report (empty when everything was checked).
pub(crate) fn not_checked_block(items: &[NotChecked], color: bool) -> String {
    if items.is_empty() {
        return String::new();
    }
    let head = "Not checked:";
    let mut out = if color {
        colored::Colorize::yellow(head).to_string()
    } else {
        head.to_string()
    };
    out.push('\n');
    for n in items {
        out.push_str(&format!(
            "  - {}: {}\n",
            escape_terminal(&n.what),
            escape_terminal(&n.reason)
        ));
    }
    out
}

/// The line saying where a live report read its evidence.
pub(crate) fn cluster_block(c: &ClusterInfo, color: bool) -> String {
    let line = escape_terminal(&format!(
        "Read from context {} ({}), namespace {}: {}",
        c.context,
        c.server,
        c.namespace,
        c.budget()
    ));
    let mut out = if color {
        colored::Colorize::dimmed(line.as_str()).to_string()
    } else {
        line
    };
    out.push('\n');
    out
}

/// A table in the report's style: condensed UTF-8 borders, wrapped to the width, styled only when
/// colour is on.
pub(crate) fn new_table(opts: &TableOptions) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_width(opts.width);
    if opts.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

/// Rendering choices for the table.
#[derive(Debug, Clone)]
pub struct TableOptions {
    pub color: bool,
    pub width: u16,
    /// Evidence lines shown per finding (the rest are counted).
    pub max_evidence: usize,
    /// Show the Chinese fix (the seed document's words) instead of the English one when the rule has
    /// it (`--lang zh`).
    pub chinese: bool,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            color: false,
            width: 120,
            max_evidence: 3,
            chinese: false,
        }
    }
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn cause_cell(f: &Finding, all: &[Finding]) -> String {
    let mut s = format!("{}\n[{}]", escape_terminal(&f.title), f.id);
    if let Some(h) = &f.history {
        s.push_str(&format!(
            "\nhistory: {}, resolved since",
            h.when
                .as_deref()
                .map(|w| format!("last seen {}", escape_terminal(w)))
                .unwrap_or_else(|| "happened earlier".to_string())
        ));
    }
    if f.unrelated.is_some() {
        s.push_str("\nnode context: not this pod's cause");
    }
    if f.kind == RuleKind::Symptom {
        if f.explained_by.is_empty() {
            s.push_str("\nsymptom; no known cause matched");
        } else {
            let ranks: Vec<String> = f
                .explained_by
                .iter()
                .filter_map(|id| all.iter().find(|x| &x.id == id))
                .map(|x| format!("#{}", x.rank))
                .collect();
            s.push_str(&format!("\nsymptom, explained by {}", ranks.join(", ")));
        }
    }
    s
}

fn evidence_cell(f: &Finding, max: usize) -> String {
    // Lines that differ only in numbers (timestamps, pids) say the same thing: show one of each
    // shape; the JSON report keeps every item.
    let mut shapes = Vec::new();
    let mut shown = Vec::new();
    for e in &f.evidence {
        let shape = shape_of(&e.text);
        if !shapes.contains(&shape) {
            shapes.push(shape);
            shown.push(e);
        }
    }
    let mut lines = Vec::new();
    for e in shown.iter().take(max) {
        lines.push(format!(
            "\"{}\"\n  — {}\n    {}",
            escape_terminal(&truncate(&e.text, 300)),
            escape_terminal(&e.label),
            escape_terminal(&e.provenance.location())
        ));
    }
    let hidden = f.evidence.len() - shown.len().min(max) + f.evidence_omitted;
    if hidden > 0 {
        lines.push(format!("(+{hidden} more in -o json)"));
    }
    lines.join("\n")
}

/// Text with every run of digits replaced, to fold lines that differ only by timestamps or ids.
pub(crate) fn shape_of(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_digits = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
}

fn fix_cell(f: &Finding, chinese: bool) -> String {
    let text = match (&f.fix_zh, chinese) {
        (Some(z), true) => z,
        _ => &f.fix,
    };
    let mut s = String::new();
    if let Some(h) = &f.history {
        s.push_str(&format!(
            "Over: {}.\nIf it comes back: ",
            escape_terminal(&h.resolved_by.join("; "))
        ));
    }
    if let Some(u) = &f.unrelated {
        s.push_str(&format!(
            "Not this pod's cause: {}. For pods it affects: ",
            escape_terminal(&u.reason)
        ));
    }
    s.push_str(&escape_terminal(text));
    if let Some(p) = &f.fix_platform {
        s.push_str(&format!(
            "\n(the {p} fix; -o json also has the generic one)"
        ));
    }
    let refs: Vec<String> = f.references.iter().map(|r| r.to_string()).collect();
    if !refs.is_empty() {
        s.push_str("\nSee: ");
        s.push_str(&escape_terminal(&refs.join("; ")));
    }
    s
}

pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max_chars).collect();
    t.push('…');
    t
}

/// Make untrusted text safe for a terminal: control characters (except newline, which the table
/// lays out), C1 controls and bidirectional overrides become visible escapes like `\x1b`.
pub fn escape_terminal(s: &str) -> String {
    let needs = s.chars().any(|c| is_unsafe(c) && c != '\n');
    if !needs {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\n' || !is_unsafe(c) {
            out.push(c);
        } else if c == '\t' {
            out.push_str("    ");
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_ansi_and_carriage_returns_but_keeps_text() {
        assert_eq!(
            escape_terminal("ok \x1b[31mred\x1b[0m\rover"),
            "ok \\x1b[31mred\\x1b[0m\\x0dover"
        );
        assert_eq!(escape_terminal("日志 plain"), "日志 plain");
        assert_eq!(escape_terminal("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(escape_terminal("bell\x07"), "bell\\x07");
        assert_eq!(escape_terminal("c1\u{9b}x"), "c1\\x9bx");
    }

    #[test]
    fn lines_differing_only_in_numbers_share_a_shape() {
        assert_eq!(
            shape_of("2019/04/03 07:52:42 [emerg] 24#24: bind() to 0.0.0.0:80 failed"),
            shape_of("2019/04/03 07:52:43 [emerg] 25#25: bind() to 0.0.0.0:80 failed")
        );
        assert_ne!(
            shape_of("bind() failed"),
            shape_of("still could not bind()")
        );
    }

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("镜像拉取失败", 2), "镜像…");
    }
}
