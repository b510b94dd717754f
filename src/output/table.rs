//! The terminal sweep table (one pod is `Diagnosis::to_table` in `crate::report`).

use super::*;

// ---------------------------------------------------------------------------------------------
// Table (sweep; one pod is `Diagnosis::to_table`)

pub(super) fn sweep_table(r: &SweepReport, t: &TableOptions) -> String {
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
