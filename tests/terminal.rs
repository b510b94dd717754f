//! The terminal report people read: the card layout at 80 and 160 columns and in Chinese
//! (snapshots), its length against `kubectl describe`, and that no command, URL or rule id of any
//! rule's fix is ever split across lines at any width from 60 to 200.

use assert_cmd::Command;
use kubectl_diagnose::report::{Diagnosis, TableOptions};
use kubectl_diagnose::rules::RuleSet;
use kubectl_diagnose::wrap;
use kubectl_diagnose::{diagnose, engine::Engine, evidence::Evidence, parse};
use std::path::Path;

const EXAMPLE: &str = "testdata/examples/crashloop-port-conflict.txt";

fn bin() -> Command {
    let mut c = Command::cargo_bin("kubectl-diagnose").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    c
}

fn run(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("runs");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn cards_at_80_columns() {
    let s = run(&["file", EXAMPLE, "--width", "80"]);
    insta::assert_snapshot!("example_80", s);
}

#[test]
fn cards_at_160_columns() {
    let s = run(&["file", EXAMPLE, "--width", "160"]);
    insta::assert_snapshot!("example_160", s);
}

#[test]
fn cards_in_chinese() {
    let s = run(&["file", EXAMPLE, "--width", "80", "--lang", "zh"]);
    insta::assert_snapshot!("example_80_zh", s);
}

#[test]
fn piped_output_is_80_columns_and_columns_overrides_it() {
    let piped = run(&["file", EXAMPLE]);
    assert_eq!(piped, run(&["file", EXAMPLE, "--width", "80"]));
    let mut c = bin();
    let wide = c
        .env("COLUMNS", "160")
        .args(["file", EXAMPLE])
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&wide.stdout),
        run(&["file", EXAMPLE, "--width", "160"])
    );
}

/// `kubectl describe pod` of the example's pod is 52 lines (the pasted describe, lines 2-98 of the
/// file, is longer only because of its Events table); the diagnosis must be clearly shorter, with
/// the cause and its rule id in the first 24 lines (one screen).
#[test]
fn one_crash_looping_pod_at_80_columns_is_shorter_than_describe_with_the_cause_first() {
    let s = run(&["file", EXAMPLE, "--width", "80"]);
    let n = s.lines().count();
    assert!(n <= 45, "{n} lines:\n{s}");
    let screen: Vec<&str> = s.lines().take(24).collect();
    let screen = screen.join("\n");
    assert!(screen.contains("[port-already-in-use]"), "{screen}");
    assert!(
        s.lines()
            .next()
            .unwrap_or("")
            .contains("Container cannot bind port 80"),
        "{s}"
    );
    assert!(
        s.lines().all(|l| wrap::width(l) <= 80 || unbreakable(l)),
        "{s}"
    );
}

#[test]
fn chinese_translates_the_report_strings_not_only_the_fix() {
    let s = run(&["file", EXAMPLE, "--width", "100", "--lang", "zh"]);
    for word in [
        "严重",
        "证据：",
        "修复方法：",
        "参考：",
        "（1 个原因，1 个症状）",
        "已读取",
        "平台：",
    ] {
        assert!(s.contains(word), "missing {word}:\n{s}");
    }
    for english in [
        "critical",
        "Evidence:",
        "Fix:",
        "See:",
        "1 cause",
        "Read testdata",
    ] {
        assert!(!s.contains(english), "untranslated {english}:\n{s}");
    }
    // The Chinese fix, with the real names filled in.
    assert!(
        s.contains("kubectl logs port-conflict-5b7f9c6d8-m4t2w"),
        "{s}"
    );
    assert!(s.contains("容器 web 也声明了端口 80/TCP"), "{s}");
}

#[test]
fn the_fix_names_the_pod_and_the_container_that_holds_the_port() {
    let s = run(&["file", EXAMPLE, "--width", "120"]);
    assert!(
        s.contains(
            "`kubectl get pod port-conflict-5b7f9c6d8-m4t2w -n cce-burst-demo -o jsonpath='{.spec.containers[*].ports}'`"
        ),
        "{s}"
    );
    assert!(s.contains("container web declares port 80/TCP too"), "{s}");
    assert!(!s.contains("<pod>"), "{s}");
}

#[test]
fn untrusted_evidence_is_escaped_in_cards() {
    let (_engine, mut d) = example();
    for f in &mut d.findings {
        for e in &mut f.evidence {
            e.text = format!("\x1b]0;pwned\x07\x1b[2J\u{202e} {}", e.text);
            e.label = format!("\x1b[31m{}", e.label);
        }
    }
    for width in [60, 80, 160] {
        let s = d.to_table(&TableOptions {
            width,
            ..TableOptions::default()
        });
        assert!(
            !s.contains('\x1b') && !s.contains('\x07') && !s.contains('\u{202e}'),
            "{s}"
        );
        assert!(s.contains("\\x1b]0;pwned\\x07"), "{s}");
        assert!(s.contains("\\u{202e}"), "{s}");
    }
}

/// A line that is wider than the width only because it holds one piece that cannot be split: a
/// marker or label, then a single code span, URL or name.
fn unbreakable(line: &str) -> bool {
    let atoms = wrap::atoms(line.trim());
    atoms.len() <= 2
}

fn engine() -> Engine {
    Engine::new(&RuleSet::builtin().expect("built-in rules load")).expect("engine builds")
}

fn example() -> (Engine, Diagnosis) {
    let engine = engine();
    let mut ev = Evidence::new();
    let inputs = parse::parse_path(Path::new(EXAMPLE), &engine, &mut ev).expect("parses");
    let d = diagnose(&engine, &ev, inputs);
    (engine, d)
}

/// Code spans (paired backticks) and URLs of a text: what must stay on one line.
fn unsplittable(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split('`').collect();
        for (i, p) in parts.iter().enumerate() {
            if i % 2 == 1 && i + 1 < parts.len() && !p.is_empty() {
                out.push(format!("`{p}`"));
            }
        }
        for w in line.split_whitespace() {
            if let Some(at) = w.find("http://").or_else(|| w.find("https://")) {
                let url: String = w[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_graphic() && *c != '`' && *c != ')')
                    .collect();
                out.push(url);
            }
        }
    }
    out
}

/// Every rule's fix (generic, Chinese, per platform) and references, rendered in a card at every
/// width from 60 to 200: each command and URL is whole on one line, the rule id too, and a line
/// wider than the width holds one unbreakable piece only.
#[test]
fn no_command_url_or_rule_id_of_any_rule_is_split_at_any_width() {
    let (_engine, d) = example();
    let set = RuleSet::builtin().expect("rules");
    let template = d.findings[0].clone();
    let mut checked = 0usize;
    for r in &set.rules {
        let mut fixes: Vec<(String, bool)> = vec![(r.fix.to_string(), false)];
        if let Some(z) = &r.fix_zh {
            fixes.push((z.to_string(), true));
        }
        for pf in r.platforms.values() {
            fixes.push((pf.fix.clone(), false));
            if let Some(z) = &pf.fix_zh {
                fixes.push((z.clone(), true));
            }
        }
        for (fix, chinese) in fixes {
            let mut f = template.clone();
            f.id = r.id.clone();
            f.title = r.title.clone();
            f.fix = fix.clone();
            f.fix_zh = chinese.then(|| fix.clone());
            f.references = r.references.clone();
            let refs: String = f.references.iter().map(|x| x.to_string() + "\n").collect();
            let mut wanted = unsplittable(&fix);
            wanted.extend(unsplittable(&refs));
            wanted.push(format!("[{}]", r.id));
            let mut dd = d.clone();
            dd.findings = vec![f];
            dd.findings[0].rank = 1;
            dd.findings[0].explained_by.clear();
            for width in 60u16..=200 {
                let opts = TableOptions {
                    width,
                    chinese,
                    ..TableOptions::default()
                };
                let out = dd.to_table(&opts);
                let limit = usize::from(width.min(kubectl_diagnose::output::cards::MEASURE));
                for w in &wanted {
                    assert!(
                        out.lines().any(|l| l.contains(w.as_str())),
                        "rule {} at {width} columns splits {w}:\n{out}",
                        r.id
                    );
                    checked += 1;
                }
                for l in out.lines() {
                    assert!(
                        wrap::width(l) <= limit || unbreakable(l),
                        "rule {} at {width} columns: line too wide: {l:?}",
                        r.id
                    );
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} checks");
}

/// `--help` of every command: the report's options under their own heading, after the cluster
/// options (whose `next_help_heading` used to claim them), and an Examples section.
#[test]
fn help_puts_report_options_under_their_own_heading_with_examples() {
    for args in [
        vec!["--help"],
        vec!["pod", "--help"],
        vec!["namespace", "--help"],
        vec!["file", "--help"],
    ] {
        let s = run(&args);
        let report = s
            .find("\nReport options:\n")
            .unwrap_or_else(|| panic!("{args:?}: no Report options heading:\n{s}"));
        if let Some(cluster) = s.find("\nCluster options") {
            assert!(cluster < report, "{args:?}:\n{s}");
        }
        for flag in [
            "\n  -o, --output <",
            "\n      --fail-on <",
            "\n      --rules <",
            "\n      --color <",
            "\n      --lang <",
            "\n      --width <",
        ] {
            let at = s
                .find(flag)
                .unwrap_or_else(|| panic!("{args:?}: no {flag:?}:\n{s}"));
            assert!(
                at > report,
                "{args:?}: {flag:?} before Report options:\n{s}"
            );
        }
        assert!(s.contains("\nExamples:\n"), "{args:?}:\n{s}");
        assert!(s.contains("\nExit codes:\n"), "{args:?}:\n{s}");
    }
}

/// The man page has the sections man pages have, not clap_mangen's EXTRA.
#[test]
fn man_page_has_examples_exit_status_and_environment() {
    let s = run(&["man"]);
    let pages = s.matches(".SH NAME").count();
    assert!(pages >= 6, "{pages} pages");
    assert!(!s.contains(".SH EXTRA"), "{s}");
    assert_eq!(s.matches(".SH ENVIRONMENT").count(), pages);
    // Every page of a command that diagnoses has examples and exit codes.
    assert!(s.matches(".SH EXAMPLES").count() >= 5, "{s}");
    assert!(s.matches(".SH \"EXIT STATUS\"").count() >= 4, "{s}");
    for var in ["KUBECONFIG", "NO_COLOR", "LANG", "KUBECTL_PATH", "COLUMNS"] {
        assert!(s.contains(&format!(".B {var}")) || s.contains(var), "{var}");
    }
    assert!(s.contains(".TP\n.B 2\n"), "exit status 2 is listed");
}
