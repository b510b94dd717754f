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

pub(super) fn github(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping_follows_the_runner_rules() {
        assert_eq!(github_escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(github_escape_property("a: b, c\n"), "a%3A b%2C c%0A");
    }
}
