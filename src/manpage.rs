//! The man page, from the same clap definitions as `--help`.
//!
//! clap_mangen renders NAME, SYNOPSIS, DESCRIPTION, OPTIONS (one section per help heading) and
//! SUBCOMMANDS; what `--help` prints after the options (its `Examples:` and `Exit codes:` blocks)
//! would land in a section called EXTRA. Here those blocks become the sections man pages have:
//! EXAMPLES and EXIT STATUS, plus ENVIRONMENT (the variables the program reads), so `man
//! kubectl-diagnose` reads like other tools' pages.

use clap_mangen::Man;
use std::io::Write;

/// The environment variables the program reads, with what each does: `(name, meaning)`.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "KUBECONFIG",
        "Kubeconfig files to merge (a list, like kubectl); files that do not exist are skipped. \
         Without it and without --kubeconfig: ~/.kube/config (HOME, or USERPROFILE on Windows).",
    ),
    (
        "KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT",
        "Inside a pod with no kubeconfig: the API server, reached with the pod's service account.",
    ),
    (
        "KUBECTL_DIAGNOSE_SERVICE_ACCOUNT_DIR",
        "Where the service account's token, ca.crt and namespace are read from (default \
         /var/run/secrets/kubernetes.io/serviceaccount).",
    ),
    (
        "KUBECTL_PATH",
        "Set by kubectl for the plugins it runs: messages then say `kubectl diagnose`.",
    ),
    (
        "NO_COLOR",
        "When set and not empty, --color auto never colours.",
    ),
    (
        "COLUMNS",
        "Width of the terminal report (before the terminal's own width; --width wins over both). \
         Piped output is 80 columns wide otherwise.",
    ),
    (
        "LC_ALL, LC_MESSAGES, LANG",
        "The first one set chooses the report's language when --lang is not given: zh_* is \
         Chinese, anything else English.",
    ),
];

/// The ENVIRONMENT block of `--help`.
pub fn environment_help() -> String {
    let mut s = String::from("Environment:\n");
    for (k, v) in ENVIRONMENT {
        s.push_str(&format!("  {k}\n      {v}\n"));
    }
    s
}

/// Text safe as a roff text line: backslashes escaped, a leading `.` or `'` neutralised, dashes
/// made real minus signs (so options can be searched and copied).
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

/// The blocks of an `after_help` text, by heading line (`Examples:` → lines under it).
fn blocks(after: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in after.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            out.push((line.trim_end_matches(':').to_string(), Vec::new()));
        } else if let Some((_, lines)) = out.last_mut() {
            lines.push(line.to_string());
        }
    }
    out
}

/// One page: clap_mangen's sections, then EXAMPLES, EXIT STATUS, ENVIRONMENT from `after_help`.
fn page(cmd: clap::Command, w: &mut Vec<u8>) -> std::io::Result<()> {
    let after = cmd
        .get_after_help()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let man = Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(w)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(w)?;
    }
    let parts = blocks(&after);
    for (title, lines) in &parts {
        match title.as_str() {
            "Examples" => {
                writeln!(w, ".SH EXAMPLES")?;
                for l in lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
                    match l.strip_prefix('#') {
                        // kubectl's habit: a `# what it does` line, then the command.
                        Some(c) => writeln!(w, ".PP\n{}", roff_text(c.trim()))?,
                        None => writeln!(w, ".RS 4\n.nf\n{}\n.fi\n.RE", roff_text(l))?,
                    }
                }
            }
            "Exit codes" => {
                writeln!(w, ".SH \"EXIT STATUS\"")?;
                for l in lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
                    match l.split_once("  ") {
                        Some((code, text)) if code.chars().all(|c| c.is_ascii_digit()) => {
                            writeln!(w, ".TP\n.B {code}\n{}", roff_text(text.trim()))?
                        }
                        _ => writeln!(w, "{}", roff_text(l))?,
                    }
                }
            }
            _ => {}
        }
    }
    writeln!(w, ".SH ENVIRONMENT")?;
    for (k, v) in ENVIRONMENT {
        writeln!(w, ".TP\n.B {}\n{}", roff_text(k), roff_text(v))?;
    }
    if let Some(v) = cmd.get_version() {
        writeln!(w, ".SH VERSION\n{}", roff_text(v))?;
    }
    Ok(())
}

/// The man page of `cmd` and of each of its subcommands (`kubectl-diagnose-pod`, ...).
pub fn render(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let name = cmd.get_name().to_string();
    let version = cmd.get_version().map(str::to_string);
    page(cmd.clone(), &mut out)?;
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let mut sub = sub.clone().name(format!("{name}-{}", sub.get_name()));
        if let Some(v) = &version {
            sub = sub.version(v.clone());
        }
        page(sub, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_lines_cannot_start_a_request() {
        assert_eq!(roff_text(".kube/config"), "\\&.kube/config");
        assert_eq!(roff_text("a\\b -n"), "a\\eb \\-n");
    }

    #[test]
    fn after_help_splits_into_headed_blocks() {
        let b = blocks("Examples:\n  # a\n  kubectl a\n\nExit codes:\n  0  ok\n");
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].0, "Examples");
        assert_eq!(b[0].1, ["  # a", "  kubectl a", ""]);
        assert_eq!(b[1].1[0], "  0  ok");
    }
}
