//! The card layout of the terminal report: one block per finding.
//!
//! A table of five columns cannot show a command or a URL whole below ~200 columns (its cells split
//! them mid-token, and a split command cannot be pasted), so the single-pod report is cards at every
//! width; text is wrapped at the terminal's width, at most [`MEASURE`] columns (longer lines are
//! hard to read).
//!
//! A card reads top-down: a headline with rank, severity, cause and rule id; the quoted evidence with
//! where it came from; the fix as steps; the references as a short list. Every line is wrapped at
//! the width by [`crate::wrap`], which never breaks a command, a URL, a rule id or a name. A symptom
//! that a current cause explains gets a short card (its cause's fix comes first), so the cause of
//! a crash loop is on the first screen. Quoted text is escaped (`escape_terminal`) before it is
//! laid out.

use super::shown_evidence;
use crate::engine::Finding;
use crate::i18n::Texts;
use crate::report::{escape_terminal, truncate, TableOptions};
use crate::rules::{RuleKind, Severity};
use crate::wrap;

/// The widest a card's text is wrapped, whatever the terminal's width.
pub const MEASURE: u16 = 120;

/// The width text is wrapped at for a terminal `width` columns wide.
pub fn measure(width: u16) -> usize {
    usize::from(width.min(MEASURE))
}

/// Paint `s` when colour is on, line by line (so a pager or a cut never leaves a style open).
pub(crate) fn paint(
    color: bool,
    s: &str,
    f: fn(colored::ColoredString) -> colored::ColoredString,
) -> String {
    if !color {
        return s.to_string();
    }
    s.split('\n')
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                f(colored::Colorize::normal(l)).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn severity_colored(color: bool, sev: Severity, text: &str) -> String {
    if !color {
        return text.to_string();
    }
    use colored::Colorize;
    match sev {
        Severity::Critical => text.red().bold().to_string(),
        Severity::Warning => text.yellow().bold().to_string(),
        Severity::Info => text.blue().to_string(),
    }
}

/// One step of a fix: its marker (`1.`, `-`, or none for a lead sentence) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub marker: String,
    pub text: String,
}

/// A list marker at the start of a fix line: `1.`, `2)`, `-`, `*`, `•`.
fn marker_of(line: &str) -> Option<(String, &str)> {
    let t = line.trim_start();
    for b in ["- ", "* ", "• "] {
        if let Some(rest) = t.strip_prefix(b) {
            return Some(("-".into(), rest));
        }
    }
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() && digits.len() <= 2 {
        let after = &t[digits.len()..];
        for p in [". ", ") "] {
            if let Some(rest) = after.strip_prefix(p) {
                return Some((format!("{digits}."), rest));
            }
        }
    }
    None
}

/// Sentences of a prose paragraph, split outside code spans and parentheses.
pub fn sentences(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut code = false;
    let mut depth = 0i32;
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        match c {
            '`' => code = !code,
            '(' | '（' if !code => depth += 1,
            ')' | '）' if !code => depth -= 1,
            _ => {}
        }
        if code || depth > 0 {
            continue;
        }
        let next = chars.get(i + 1).copied();
        let end = match c {
            '。' | '！' | '？' => true,
            '.' | '!' | '?' => next.is_none_or(char::is_whitespace) && !abbreviation(&cur),
            _ => false,
        };
        if end {
            let t = cur.trim().to_string();
            if !t.is_empty() {
                out.push(t);
            }
            cur.clear();
        }
    }
    let t = cur.trim().to_string();
    if !t.is_empty() {
        out.push(t);
    }
    out
}

fn abbreviation(cur: &str) -> bool {
    let last = cur.split_whitespace().last().unwrap_or("");
    let last = last.trim_start_matches(['(', '"']);
    matches!(last, "e.g." | "i.e." | "etc." | "vs." | "cf." | "no.")
}

/// A fix as steps. Lines the rule already numbers or bullets keep their markers, other lines
/// stay as lead or closing text. A fix written as prose becomes a lead sentence and numbered
/// steps, one per sentence.
pub fn fix_steps(fix: &str) -> Vec<Step> {
    let lines: Vec<&str> = fix
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.iter().any(|l| marker_of(l).is_some()) {
        return lines
            .iter()
            .map(|l| match marker_of(l) {
                Some((m, rest)) => Step {
                    marker: m,
                    text: rest.trim().to_string(),
                },
                None => Step {
                    marker: String::new(),
                    text: l.to_string(),
                },
            })
            .collect();
    }
    let all: Vec<String> = lines.iter().flat_map(|l| sentences(l)).collect();
    if all.len() <= 2 {
        return all
            .into_iter()
            .map(|text| Step {
                marker: String::new(),
                text,
            })
            .collect();
    }
    let mut out = vec![Step {
        marker: String::new(),
        text: all[0].clone(),
    }];
    for (i, s) in all[1..].iter().enumerate() {
        out.push(Step {
            marker: format!("{}.", i + 1),
            text: s.clone(),
        });
    }
    out
}

/// Render the fix steps under `indent`, wrapped at `width`.
pub(crate) fn steps_block(steps: &[Step], width: usize, indent: &str) -> String {
    let mut out = String::new();
    for s in steps {
        if s.marker.is_empty() {
            out.push_str(&wrap::block(&s.text, width, indent, indent));
        } else {
            let first = format!("{indent}{} ", s.marker);
            let rest = " ".repeat(wrap::width(&first));
            out.push_str(&wrap::block(&s.text, width, &first, &rest));
        }
    }
    out
}

/// The fix text shown for a finding in the chosen language, with what history or node context
/// says before it (escaped).
pub(crate) fn fix_text(f: &Finding, opts: &TableOptions, t: &Texts) -> String {
    let text = match (&f.fix_zh, opts.chinese) {
        (Some(z), true) => z,
        _ => &f.fix,
    };
    let mut s = String::new();
    if let Some(h) = &f.history {
        s.push_str(&t.over(&escape_terminal(&h.resolved_by.join("; "))));
        s.push_str(t.if_it_comes_back);
    }
    if let Some(u) = &f.unrelated {
        s.push_str(&t.not_this_pods_cause(&escape_terminal(&u.reason)));
        s.push_str(t.for_pods_it_affects);
    }
    s.push_str(&escape_terminal(text));
    s
}

/// The notes under a finding's headline: history, node context, symptom status.
fn notes(f: &Finding, all: &[Finding], t: &Texts) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(h) = &f.history {
        v.push(t.history(h.when.as_deref().map(escape_terminal).as_deref()));
    }
    if f.unrelated.is_some() {
        v.push(t.node_context.to_string());
    }
    if f.kind == RuleKind::Symptom {
        if f.explained_by.is_empty() {
            v.push(t.symptom_unexplained.to_string());
        } else if !explained_by_current(f, all) {
            v.push(t.explained_by(&explainer_ranks(f, all)));
        }
    }
    v
}

/// `#1, #3`: the ranks of the findings that explain `f`.
pub(crate) fn explainer_ranks(f: &Finding, all: &[Finding]) -> String {
    f.explained_by
        .iter()
        .filter_map(|id| all.iter().find(|x| &x.id == id))
        .map(|x| format!("#{}", x.rank))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A current symptom that a current cause in the same report explains.
fn explained_by_current(f: &Finding, all: &[Finding]) -> bool {
    f.kind == RuleKind::Symptom
        && f.is_current()
        && f.explained_by
            .iter()
            .any(|id| all.iter().any(|x| &x.id == id && x.is_current()))
}

/// A headline `PREFIX severity  text`, the text wrapped under itself (indented 3 columns) and bold,
/// the severity coloured.
pub(crate) fn headline(
    out: &mut String,
    prefix: &str,
    severity: Severity,
    sev: &str,
    text: &str,
    width: usize,
    color: bool,
) {
    let lead = format!("{prefix}{sev}  ");
    for (i, l) in wrap::wrap(text, width, &lead, "   ").iter().enumerate() {
        if i == 0 {
            let rest = l.get(lead.len()..).unwrap_or_default();
            out.push_str(&format!(
                "{prefix}{}  {}\n",
                severity_colored(color, severity, sev),
                paint(color, rest, colored::Colorize::bold)
            ));
        } else {
            out.push_str(&paint(color, l, colored::Colorize::bold));
            out.push('\n');
        }
    }
}

/// One finding as a card, wrapped at `width`.
pub fn card(f: &Finding, all: &[Finding], opts: &TableOptions, t: &Texts) -> String {
    let width = measure(opts.width);
    let mut out = String::new();
    // Headline: `#1 critical  Title [rule-id]`, the title wrapped under itself.
    let rank = format!("#{} ", f.rank);
    let sev = t.severity(f.severity);
    let title = format!("{} [{}]", escape_terminal(&f.title), f.id);
    headline(&mut out, &rank, f.severity, sev, &title, width, opts.color);
    let ind = "   ";
    for n in notes(f, all, t) {
        out.push_str(&paint(
            opts.color,
            &wrap::block(&n, width, ind, ind),
            colored::Colorize::dimmed,
        ));
    }

    // A symptom its cause explains: one line of evidence and a pointer to the cause.
    if explained_by_current(f, all) {
        out.push_str(&wrap::block(
            &t.fix_that_first(&explainer_ranks(f, all), &f.id),
            width,
            ind,
            ind,
        ));
        if let Some(e) = shown_evidence(f, 1).0.first() {
            out.push_str(&evidence_lines(e, width, ind, opts.color));
        }
        return out;
    }

    let (shown, hidden) = shown_evidence(f, opts.max_evidence);
    if !shown.is_empty() {
        out.push_str(&paint(
            opts.color,
            &format!("{ind}{}{}\n", t.evidence, t.colon()),
            colored::Colorize::underline,
        ));
        for e in shown {
            out.push_str(&evidence_lines(e, width, "     ", opts.color));
        }
        if hidden > 0 {
            out.push_str(&format!("     {}\n", t.more_in_json(hidden)));
        }
    }

    out.push_str(&paint(
        opts.color,
        &format!("{ind}{}{}\n", t.fix, t.colon()),
        colored::Colorize::underline,
    ));
    out.push_str(&steps_block(
        &fix_steps(&fix_text(f, opts, t)),
        width,
        "     ",
    ));
    if let Some(p) = &f.fix_platform {
        out.push_str(&wrap::block(&t.platform_fix(p), width, "     ", "     "));
    }
    if !f.references.is_empty() {
        out.push_str(&paint(
            opts.color,
            &format!("{ind}{}{}\n", t.see, t.colon()),
            colored::Colorize::underline,
        ));
        for r in &f.references {
            out.push_str(&wrap::block(
                &escape_terminal(&r.to_string()),
                width,
                "     - ",
                "       ",
            ));
        }
    }
    out
}

/// A quoted evidence line and, under it, where it came from.
fn evidence_lines(
    e: &crate::engine::EvidenceItem,
    width: usize,
    indent: &str,
    color: bool,
) -> String {
    let quote = format!("\"{}\"", escape_terminal(&truncate(&e.text, 300)));
    let mut out = wrap::block(&quote, width, indent, &format!("{indent} "));
    let whence = format!(
        "— {}, {}",
        escape_terminal(&e.label),
        escape_terminal(&e.provenance.location())
    );
    let sub = format!("{indent}  ");
    out.push_str(&paint(
        color,
        &wrap::block(&whence, width, &sub, &format!("{sub}  ")),
        colored::Colorize::dimmed,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_fixes_keep_their_numbers_and_lead_lines() {
        let s = fix_steps("Find out why:\n1. `kubectl logs x`.\n2. Then this.\nDone.");
        let m: Vec<&str> = s.iter().map(|x| x.marker.as_str()).collect();
        assert_eq!(m, ["", "1.", "2.", ""]);
        assert_eq!(s[1].text, "`kubectl logs x`.");
    }

    #[test]
    fn prose_fixes_become_a_lead_and_numbered_steps() {
        let s = fix_steps(
            "Port 80 is taken. Find who holds it (`ss -ltnp`. e.g. nginx). Then free it, e.g. by \
             moving it. Recreate the workload.",
        );
        let m: Vec<&str> = s.iter().map(|x| x.marker.as_str()).collect();
        assert_eq!(m, ["", "1.", "2.", "3."], "{s:?}");
        assert_eq!(s[1].text, "Find who holds it (`ss -ltnp`. e.g. nginx).");
    }

    #[test]
    fn short_prose_stays_prose() {
        let s = fix_steps("Just do it. Really.");
        assert!(s.iter().all(|x| x.marker.is_empty()));
    }

    #[test]
    fn chinese_sentences_split_at_full_stops() {
        assert_eq!(
            sentences("先查看日志。再重启（见 a。b）。"),
            ["先查看日志。", "再重启（见 a。b）。"]
        );
    }
}
