//! The terminal report of a sweep (one pod is `Diagnosis::to_table` in `crate::report`).
//!
//! One block per group of pods that share a top cause: the cause, the pods, the full fix once
//! (never cut), its references, then each pod's evidence briefly. Pods with no known failure, or
//! with history only, are listed after the groups. Every line is wrapped at the width by
//! `crate::wrap` (pod names, commands and URLs are never split); quoted text is escaped first.

use super::cards::{self, paint};
use super::*;
use crate::i18n::Texts;
use crate::wrap;

/// Evidence characters quoted per pod in a group block.
const POD_EVIDENCE_CHARS: usize = 200;

fn headline(r: &SweepReport, t: &Texts) -> String {
    if t.zh {
        format!(
            "{}：共 {} 个 Pod，{} 个健康，{} 个需要处理",
            scope_label(&r.scope),
            r.total_pods,
            r.healthy_pods,
            r.pods.len()
        )
    } else {
        sweep_headline(r)
    }
}

fn totals(r: &SweepReport, t: &Texts) -> String {
    if !t.zh {
        return format!("Totals: {}", sweep_totals(r));
    }
    let pods: Vec<&Diagnosis> = r.pods.iter().collect();
    let (c, w, i) = severity_counts(&pods);
    let unknown = r.pods.iter().filter(|d| d.findings.is_empty()).count();
    let findings: usize = r.pods.iter().map(|d| d.findings.len()).sum();
    format!(
        "合计：共 {} 个 Pod，{} 个健康，{} 个需要处理（{c} 个严重，{w} 个警告，{i} 个提示，\
         {unknown} 个未发现已知故障）；{findings} 项发现",
        r.total_pods,
        r.healthy_pods,
        r.pods.len()
    )
}

/// The pod's finding for a group's cause.
fn finding_of<'a>(d: &'a Diagnosis, cause: &str) -> Option<&'a Finding> {
    d.findings.iter().find(|f| f.id == cause && f.is_current())
}

pub(super) fn sweep_table(r: &SweepReport, o: &TableOptions) -> String {
    let t = Texts::of(o.chinese);
    let width = cards::measure(o.width);
    let colon = t.colon();
    let sep = if t.zh { "：" } else { ": " };
    let mut out = String::new();
    out.push_str(&paint(
        o.color,
        &wrap::block(&escape_terminal(&headline(r, t)), width, "", "  "),
        colored::Colorize::bold,
    ));
    let by_key = |k: &str| r.pods.iter().find(|d| pod_key(d) == k);

    for g in &r.groups {
        out.push('\n');
        // `critical  2 pods: Title [rule-id]`
        let sev = t.severity(g.severity);
        let n = t.count(g.pods.len(), "pod", " Pod");
        let text = format!("{n}{sep}{} [{}]", escape_terminal(&g.title), g.cause);
        cards::headline(&mut out, "", g.severity, sev, &text, width, o.color);
        let pods: Vec<&Diagnosis> = g.pods.iter().filter_map(|k| by_key(k)).collect();
        out.push_str(&wrap::block(
            &escape_terminal(&g.pods.join(", ")),
            width,
            &format!("   {}{sep}", if t.zh { "Pod" } else { "Pods" }),
            "     ",
        ));

        // The fix once: the first pod's (names filled in for it).
        let first = pods
            .iter()
            .find_map(|d| finding_of(d, &g.cause).map(|f| (d, f)));
        if let Some((d, f)) = first {
            let text = cards::fix_text(f, o, t);
            let same = pods
                .iter()
                .all(|p| finding_of(p, &g.cause).is_none_or(|x| cards::fix_text(x, o, t) == text));
            let label = if same || pods.len() < 2 {
                format!("{}{colon}", t.fix)
            } else if t.zh {
                format!(
                    "{}（命令中的名称属于 {}；其他 Pod 换成各自的名称）{colon}",
                    t.fix,
                    escape_terminal(&pod_key(d))
                )
            } else {
                format!(
                    "{} (names filled in for {}; use each pod's own for the others){colon}",
                    t.fix,
                    escape_terminal(&pod_key(d))
                )
            };
            out.push_str(&paint(
                o.color,
                &wrap::block(&label, width, "   ", "     "),
                colored::Colorize::underline,
            ));
            out.push_str(&cards::steps_block(
                &cards::fix_steps(&text),
                width,
                "     ",
            ));
            if let Some(p) = &f.fix_platform {
                out.push_str(&wrap::block(&t.platform_fix(p), width, "     ", "     "));
            }
            if !f.references.is_empty() {
                out.push_str(&paint(
                    o.color,
                    &format!("   {}{colon}\n", t.see),
                    colored::Colorize::underline,
                ));
                for x in &f.references {
                    out.push_str(&wrap::block(
                        &escape_terminal(&x.to_string()),
                        width,
                        "     - ",
                        "       ",
                    ));
                }
            }
        }

        // Each pod's evidence, briefly.
        out.push_str(&paint(
            o.color,
            &format!("   {}{colon}\n", t.evidence),
            colored::Colorize::underline,
        ));
        for d in &pods {
            let Some(e) = finding_of(d, &g.cause).and_then(|f| f.evidence.first()) else {
                continue;
            };
            let first = format!("     {}{sep}", escape_terminal(&pod_key(d)));
            let quote = format!(
                "\"{}\"",
                escape_terminal(&truncate(&e.text, POD_EVIDENCE_CHARS))
            );
            out.push_str(&wrap::block(&quote, width, &first, "       "));
            out.push_str(&paint(
                o.color,
                &wrap::block(
                    &format!("— {}", escape_terminal(&e.provenance.location())),
                    width,
                    "       ",
                    "         ",
                ),
                colored::Colorize::dimmed,
            ));
        }
        // What else the group's pods show, by rule id.
        let mut others: Vec<(String, usize)> = Vec::new();
        for d in &pods {
            for f in d.findings.iter().filter(|f| f.id != g.cause) {
                match others.iter_mut().find(|(id, _)| *id == f.id) {
                    Some((_, n)) => *n += 1,
                    None => others.push((f.id.clone(), 1)),
                }
            }
        }
        if !others.is_empty() {
            let list: Vec<String> = others
                .iter()
                .map(|(id, n)| format!("{id} ({})", t.count(*n, "pod", " Pod")))
                .collect();
            let head = if t.zh { "   另见：" } else { "   Also: " };
            out.push_str(&paint(
                o.color,
                &wrap::block(&list.join(", "), width, head, "     "),
                colored::Colorize::dimmed,
            ));
        }
    }

    // Pods in no group: nothing found, or only history and node context.
    let unknown: Vec<String> = r
        .pods
        .iter()
        .filter(|d| d.findings.is_empty())
        .map(pod_key)
        .collect();
    let past: Vec<String> = r
        .pods
        .iter()
        .filter(|d| !d.findings.is_empty() && d.top().is_none())
        .map(pod_key)
        .collect();
    let past_label = if t.zh {
        "当前没有故障（只有历史或节点背景）"
    } else {
        "no current failure (history or node context only)"
    };
    for (pods, what) in [(&unknown, t.no_failure), (&past, past_label)] {
        if pods.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&wrap::block(
            &format!("{}{sep}{what}", t.count(pods.len(), "pod", " Pod")),
            width,
            "",
            "   ",
        ));
        out.push_str(&wrap::block(
            &escape_terminal(&pods.join(", ")),
            width,
            "   ",
            "   ",
        ));
    }
    if !r.pods.is_empty() {
        out.push('\n');
        let note = if t.zh {
            "每个 Pod 的全部发现、证据和修复方法见 -o json。"
        } else {
            "Every finding of every pod, with all its evidence, is in -o json."
        };
        out.push_str(&paint(
            o.color,
            &wrap::block(note, width, "", ""),
            colored::Colorize::dimmed,
        ));
    }

    let steps: Vec<(String, &NextStep)> = r
        .pods
        .iter()
        .flat_map(|d| d.next_steps.iter().map(move |n| (pod_key(d), n)))
        .collect();
    if !steps.is_empty() {
        out.push_str(&paint(o.color, t.next_steps, colored::Colorize::cyan));
        out.push('\n');
        const SHOWN: usize = 10;
        let more = steps.len().saturating_sub(SHOWN);
        for (pod, n) in steps.into_iter().take(SHOWN) {
            // The command is never wrapped: on the pod's line if it fits, else on its own.
            let head = format!("  {}{sep}", escape_terminal(&pod));
            let cmd = format!("$ {}", escape_terminal(&n.command));
            if wrap::width(&head) + wrap::width(&cmd) <= width {
                out.push_str(&format!("{head}{cmd}\n"));
            } else {
                out.push_str(&format!("{}\n    {cmd}\n", head.trim_end()));
            }
        }
        if more > 0 {
            out.push_str(&format!("  {}\n", t.more_in_json(more)));
        }
    }
    out.push_str(&crate::report::not_checked_in(
        &sweep_not_checked(r),
        o.color,
        t,
        Some(width),
    ));
    if let Some(c) = &r.cluster {
        out.push_str(&paint(
            o.color,
            &wrap::block(&escape_terminal(&t.read_from(c)), width, "", "  "),
            colored::Colorize::dimmed,
        ));
    }
    out.push_str(&paint(
        o.color,
        &wrap::block(&escape_terminal(&totals(r, t)), width, "", "  "),
        colored::Colorize::bold,
    ));
    out
}
