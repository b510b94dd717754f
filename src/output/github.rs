//! GitHub Actions workflow commands: annotations and a summary notice.

use super::*;

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

/// Annotations GitHub shows per level (error, warning, notice) in one step.
pub const MAX_PER_LEVEL: usize = 10;
/// Pods named in one group's annotation (the rest are counted).
const MAX_PODS_NAMED: usize = 20;
/// Our bound on one annotation's message, in characters.
const MAX_MESSAGE: usize = 4_000;

/// Findings with the same rule across pods: one annotation.
struct AnnotationGroup<'a> {
    finding: &'a Finding,
    first: &'a Diagnosis,
    severity: Severity,
    pods: Vec<String>,
}

/// Findings worth an annotation: current (not history, not another node's context) and not a
/// symptom another finding of the pod explains. Grouped by rule, worst first, then largest group.
fn annotation_groups<'a>(pods: &[&'a Diagnosis]) -> Vec<AnnotationGroup<'a>> {
    let mut groups: Vec<AnnotationGroup> = Vec::new();
    for d in pods {
        for f in &d.findings {
            if !f.is_current() || !f.explained_by.is_empty() {
                continue;
            }
            match groups.iter_mut().find(|g| g.finding.id == f.id) {
                Some(g) => {
                    g.severity = g.severity.max(f.severity);
                    g.pods.push(pod_ref(d));
                }
                None => groups.push(AnnotationGroup {
                    finding: f,
                    first: d,
                    severity: f.severity,
                    pods: vec![pod_ref(d)],
                }),
            }
        }
    }
    groups.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| b.pods.len().cmp(&a.pods.len()))
            .then_with(|| a.finding.id.cmp(&b.finding.id))
    });
    groups
}

fn pods_text(pods: &[String]) -> String {
    if pods.len() == 1 {
        return pods[0].clone();
    }
    let mut s = format!(
        "{}: {}",
        plural(pods.len(), "pod"),
        pods.iter()
            .take(MAX_PODS_NAMED)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    if pods.len() > MAX_PODS_NAMED {
        s.push_str(&format!(" and {} more", pods.len() - MAX_PODS_NAMED));
    }
    s
}

fn command(level: &str, props: &[String], message: &str) -> String {
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(","))
    };
    format!(
        "::{level}{props}::{}\n",
        github_escape_data(&escape_terminal(&truncate(message, MAX_MESSAGE)))
    )
}

/// One annotation per finding group (the pods it affects listed, the full fix, newlines kept as
/// `%0A`), at most [`MAX_PER_LEVEL`] per level: what does not fit is folded into one notice that
/// says how many groups were left out and which. Then one notice with the next steps, one warning
/// with what was not checked, and the summary line.
pub(super) fn github(
    pods: &[&Diagnosis],
    not_checked: &[NotChecked],
    live: bool,
    summary: &str,
    t: &TableOptions,
) -> String {
    let mut out = String::new();
    let next_steps: Vec<String> = pods
        .iter()
        .flat_map(|d| {
            d.next_steps
                .iter()
                .map(move |n| format!("{}: {} — {}", pod_ref(d), n.command, n.why))
        })
        .collect();
    // Room per level: the not-checked warning, the next-steps notice and the fold notice are
    // annotations too.
    let room = |level: &str| match level {
        "warning" => MAX_PER_LEVEL - usize::from(!not_checked.is_empty()),
        "notice" => MAX_PER_LEVEL - usize::from(!next_steps.is_empty()) - 1,
        _ => MAX_PER_LEVEL,
    };
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    let mut folded: Vec<String> = Vec::new();
    for g in annotation_groups(pods) {
        let f = g.finding;
        let level = github_level(g.severity);
        let n = shown.entry(level).or_default();
        if *n >= room(level) {
            folded.push(format!("{} ({})", f.id, plural(g.pods.len(), "pod")));
            continue;
        }
        *n += 1;
        let mut props = vec![format!(
            "title={}",
            github_escape_property(&escape_terminal(&format!("{} [{}]", f.title, f.id)))
        )];
        let top = f.evidence.first();
        let file = top
            .filter(|e| !live && g.first.cluster.is_none() && from_file(e, false))
            .and_then(|e| {
                sarif::repo_relative(&e.provenance.input).map(|p| (p, e.provenance.line))
            });
        if let Some((path, line)) = file {
            props.push(format!(
                "file={}",
                github_escape_property(&escape_terminal(&path))
            ));
            if let Some(l) = line {
                props.push(format!("line={l}"));
            }
        }
        let mut message = format!("[{}] {}", f.id, pods_text(&g.pods));
        if let Some(e) = top {
            message.push_str(&format!(
                "\nEvidence: \"{}\" ({}, {})",
                truncate(&one_line(&e.text), 300),
                e.label,
                e.provenance.location()
            ));
        }
        message.push_str(&format!("\nFix: {}", fix_text(f, t).trim()));
        out.push_str(&command(level, &props, &message));
    }
    if !next_steps.is_empty() {
        out.push_str(&command(
            "notice",
            &["title=Next steps".to_string()],
            &next_steps.join("\n"),
        ));
    }
    if !folded.is_empty() {
        let head = format!(
            "{} not annotated (GitHub shows {MAX_PER_LEVEL} annotations per level per step; \
             -o markdown or -o json has them all): ",
            plural(folded.len(), "more finding group"),
        );
        // Name as many groups as the message holds, whole, then say how many are left.
        let budget = MAX_MESSAGE.saturating_sub(head.len() + 40);
        let mut listed: Vec<&str> = Vec::new();
        let mut used = 0;
        for g in &folded {
            if used + g.len() + 2 > budget {
                break;
            }
            used += g.len() + 2;
            listed.push(g);
        }
        let mut message = head + &listed.join(", ");
        if listed.len() < folded.len() {
            message.push_str(&format!(", and {} more", folded.len() - listed.len()));
        }
        out.push_str(&command(
            "notice",
            &["title=More causes".to_string()],
            &message,
        ));
    }
    if !not_checked.is_empty() {
        let items: Vec<String> = not_checked
            .iter()
            .map(|n| format!("{}: {}", n.what, n.reason))
            .collect();
        out.push_str(&command(
            "warning",
            &["title=Not checked".to_string()],
            &items.join("\n"),
        ));
    }
    out.push_str(&github_escape_data(summary));
    out.push('\n');
    out
}

/// GitHub's limit on a step's job summary (`GITHUB_STEP_SUMMARY`), in bytes.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// Append a Markdown report to the step summary file at `path`, within what is left of
/// [`STEP_SUMMARY_LIMIT`] (cut at a line, with a note, when it does not fit). Returns the bytes
/// written.
pub fn append_step_summary(path: &std::path::Path, markdown: &str) -> std::io::Result<usize> {
    use std::io::Write;
    let used = std::fs::metadata(path)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    let room = STEP_SUMMARY_LIMIT.saturating_sub(used);
    let mut text = format!("{}\n", markdown.trim_end());
    if text.len() > room {
        let note = "\n\n*(cut: GitHub's 1 MiB step summary limit; -o markdown has the rest)*\n";
        let mut cut = room.saturating_sub(note.len());
        while cut > 0 && !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let keep = text[..cut].rfind('\n').map(|i| i + 1).unwrap_or(0);
        text = if room >= note.len() {
            format!("{}{note}", &text[..keep])
        } else {
            String::new()
        };
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(text.len())
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
    fn the_step_summary_stays_within_its_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("summary.md");
        std::fs::write(&path, "x".repeat(STEP_SUMMARY_LIMIT - 1000)).expect("write");
        let big = "line of the report\n".repeat(1000);
        let n = append_step_summary(&path, &big).expect("append");
        let len = std::fs::metadata(&path).expect("file").len() as usize;
        assert!(len <= STEP_SUMMARY_LIMIT, "{len}");
        assert!(n > 0 && n < big.len());
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.ends_with("-o markdown has the rest)*\n"),
            "{}",
            &text[text.len() - 200..]
        );
        // A small report is appended whole.
        let small = dir.path().join("small.md");
        append_step_summary(&small, "# ok").expect("append");
        assert_eq!(std::fs::read_to_string(&small).expect("read"), "# ok\n");
    }
}
