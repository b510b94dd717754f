//! Reports: renderers over the same ranked [`Diagnosis`].
//!
//! The terminal report is for people: one card per finding (`crate::cards`), wrapped by
//! `crate::wrap` without splitting commands or URLs, colour only when stdout is a terminal and
//! `NO_COLOR` is unset, in English or Chinese (`crate::i18n`); JSON is the versioned machine contract (`schemaVersion`, documented in the README). Text
//! that came from logs and events is untrusted: before it reaches a terminal every control character
//! (ESC, CR, BEL, C1 controls) and bidi override is escaped by [`escape_terminal`]. JSON output needs
//! no such escaping — the JSON encoder escapes control characters itself.

use crate::engine::Finding;
use crate::evidence::NotChecked;
use crate::i18n::Texts;
use crate::next_steps::NextStep;
use crate::output::cards::paint;
use crate::parse::InputSummary;
use crate::rules::{RuleKind, Severity};
use crate::wrap;
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

impl Subject {
    /// `Pod ns/name` (`Kind name` without a namespace), or `None` when the object has no name.
    pub fn label(&self) -> Option<String> {
        let name = self.name.as_deref()?;
        let ns = self
            .namespace
            .as_deref()
            .map(|ns| format!("{ns}/"))
            .unwrap_or_default();
        Some(format!("{} {ns}{name}", self.kind))
    }
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

    /// The headline of the human report: who, and the top cause or that none was found.
    pub fn headline(&self, t: &Texts) -> String {
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
            _ => t.pasted_input.to_string(),
        };
        let sep = if t.zh { "：" } else { ": " };
        let causes = self
            .findings
            .iter()
            .filter(|f| f.kind == RuleKind::Cause)
            .count();
        let symptoms = self.findings.len() - causes;
        let past = self.findings.iter().filter(|f| !f.is_current()).count();
        if self.findings.is_empty() {
            format!("{who}{sep}{}", t.no_failure)
        } else if self.top().is_none() {
            format!("{who}{sep}{}", t.no_current_failure(past))
        } else {
            format!(
                "{who}{sep}{}{}{}",
                self.findings
                    .first()
                    .map(|f| escape_terminal(&f.title))
                    .unwrap_or_default(),
                if t.zh { "" } else { " " },
                t.causes_symptoms(causes, symptoms)
            )
        }
    }

    /// The human report: a headline, one card per ranked finding (`crate::cards`), and what was
    /// read or not checked, wrapped at the width (at most [`crate::output::cards::MEASURE`] columns) without
    /// ever splitting a command, a URL, a rule id or a name.
    pub fn to_table(&self, opts: &TableOptions) -> String {
        let t = Texts::of(opts.chinese);
        let width = crate::output::cards::measure(opts.width);
        let para = |s: &str| -> String { wrap::block(s, width, "", "  ") };
        let mut out = String::new();
        out.push_str(&paint(
            opts.color,
            &para(&self.headline(t)),
            colored::Colorize::bold,
        ));
        if let Some(p) = &self.platform {
            out.push_str(&para(&format!(
                "{}{}{}{} ({} {})",
                t.platform,
                if t.zh { "：" } else { ": " },
                p.name,
                if p.china_region { t.china_region } else { "" },
                t.from(),
                escape_terminal(&p.reasons.join("; "))
            )));
        }

        if self.findings.is_empty() {
            out.push_str(&para(t.nothing_matched));
        } else {
            for f in &self.findings {
                out.push('\n');
                out.push_str(&crate::output::cards::card(f, &self.findings, opts, t));
            }
            out.push('\n');
        }

        out.push_str(&next_steps_in(&self.next_steps, opts.color, t, Some(width)));
        out.push_str(&not_checked_in(
            &self.not_checked,
            opts.color,
            t,
            Some(width),
        ));
        if let Some(c) = &self.cluster {
            out.push_str(&paint(
                opts.color,
                &para(&escape_terminal(&t.read_from(c))),
                colored::Colorize::dimmed,
            ));
        }
        for i in &self.inputs {
            let segs: Vec<String> = i
                .segments
                .iter()
                .map(|s| format!("{} {}-{}", s.format, s.first_line, s.last_line))
                .collect();
            let what = if segs.is_empty() {
                t.nothing_recognised.to_string()
            } else {
                segs.join(", ")
            };
            out.push_str(&paint(
                opts.color,
                &para(&t.read_input(&escape_terminal(&i.name), i.lines as usize, &what)),
                colored::Colorize::dimmed,
            ));
        }
        out
    }
}

/// The "Next steps:" section of a report: each command, then why (empty when none), in a
/// language, wrapped at `width` when given (the command itself is never split).
pub(crate) fn next_steps_in(
    steps: &[NextStep],
    color: bool,
    t: &Texts,
    width: Option<usize>,
) -> String {
    if steps.is_empty() {
        return String::new();
    }
    let mut out = paint(color, t.next_steps, colored::Colorize::cyan);
    out.push('\n');
    for s in steps {
        let cmd = format!("  $ {}", escape_terminal(&s.command));
        out.push_str(&paint(color, &cmd, colored::Colorize::bold));
        out.push('\n');
        let why = escape_terminal(&s.why);
        match width {
            Some(w) => out.push_str(&wrap::block(&why, w, "    ", "    ")),
            None => out.push_str(&format!("    {why}\n")),
        }
    }
    out
}

/// The "Not checked:" section of a report (empty when everything was checked), in a language,
/// wrapped at `width` when given.
pub(crate) fn not_checked_in(
    items: &[NotChecked],
    color: bool,
    t: &Texts,
    width: Option<usize>,
) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut out = paint(color, t.not_checked, colored::Colorize::yellow);
    out.push('\n');
    for n in items {
        let line = format!(
            "{}: {}",
            escape_terminal(&n.what),
            escape_terminal(&n.reason)
        );
        match width {
            Some(w) => out.push_str(&wrap::block(&line, w, "  - ", "    ")),
            None => out.push_str(&format!("  - {line}\n")),
        }
    }
    out
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
    /// `--sarif-artifact`: the repository-relative manifest every SARIF result is located in
    /// (checked by `crate::output::check_artifact_path`).
    pub sarif_artifact: Option<String>,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            color: false,
            width: 120,
            max_evidence: 3,
            chinese: false,
            sarif_artifact: None,
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
