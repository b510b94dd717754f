//! Markdown for pasting into a ticket or a pull-request comment.

use super::*;

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
pub(super) fn markdown_pod(out: &mut String, d: &Diagnosis, level: usize, t: &TableOptions) {
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

pub(super) fn sweep_markdown(r: &SweepReport, t: &TableOptions) -> String {
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
}
