//! End-to-end tests of the `kubectl-diagnose` binary: what users and CI pipelines see — the report,
//! the JSON contract, exit codes, and one-line errors on bad input.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn bin() -> Command {
    let mut c = Command::cargo_bin("kubectl-diagnose").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR").env("COLUMNS", "140");
    c
}

const EXAMPLE: &str = "testdata/examples/crashloop-port-conflict.txt";

fn json_of(args: &[&str]) -> (Value, i32) {
    let out = bin()
        .args(args)
        .args(["-o", "json"])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code().unwrap_or(-1))
}

fn stderr_line(out: &std::process::Output) -> String {
    let s = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        s.trim_end().lines().count(),
        1,
        "expected one error line, got: {s}"
    );
    assert!(!s.contains("panicked"), "{s}");
    s
}

#[test]
fn example_from_readme_names_the_port_conflict_first_and_exits_1() {
    let out = bin().args(["file", EXAMPLE]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    // The first card is rank 1: severity, cause and rule id, then the quoted log line.
    let first = s
        .lines()
        .position(|l| l.starts_with("#1 "))
        .unwrap_or_else(|| panic!("no rank-1 card in:\n{s}"));
    let card: Vec<&str> = s.lines().skip(first).take(6).collect();
    let card = card.join("\n");
    assert!(card.starts_with("#1 critical"), "{card}");
    assert!(card.contains("[port-already-in-use]"), "{card}");
    assert!(card.contains("bind() to"), "{card}");
    assert!(s.contains("Port 80 is already taken"), "{s}");
    assert!(
        !s.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn json_report_has_the_documented_shape() {
    let (v, code) = json_of(&["file", EXAMPLE]);
    assert_eq!(code, 1);
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["tool"]["name"], "kubectl-diagnose");
    assert_eq!(v["subject"]["kind"], "Pod");
    let findings = v["findings"].as_array().expect("findings[]");
    assert!(findings.len() >= 2, "cause and symptom expected: {v:#}");
    assert_eq!(findings[0]["id"], "port-already-in-use");
    assert_eq!(findings[0]["captures"]["port"], "80");
    assert_eq!(v["summary"]["topCause"], "port-already-in-use");
    for (i, f) in findings.iter().enumerate() {
        assert_eq!(f["rank"], i + 1);
        for key in ["id", "title", "severity", "category", "kind", "fix"] {
            assert!(f[key].is_string(), "finding {i} lacks string {key}: {f:#}");
        }
        assert!(
            ["critical", "warning", "info"].contains(&f["severity"].as_str().unwrap()),
            "{f:#}"
        );
        let ev = f["evidence"].as_array().expect("evidence[]");
        assert!(!ev.is_empty());
        for e in ev {
            assert!(e["text"].is_string() && e["source"].is_string());
            assert!(e["provenance"]["input"].is_string());
            assert!(e["provenance"]["line"].as_u64().unwrap_or(0) >= 1, "{e:#}");
        }
        assert!(!f["references"].as_array().expect("references[]").is_empty());
    }
    let crash = findings
        .iter()
        .find(|f| f["id"] == "crash-loop-back-off")
        .expect("the symptom is still reported");
    assert_eq!(crash["explainedBy"][0], "port-already-in-use");
    assert!(v["notChecked"].is_array() && v["inputs"].is_array());
}

#[test]
fn stdin_gives_the_same_diagnosis_as_the_file() {
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE)).unwrap();
    let out = bin()
        .args(["file", "-", "-o", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (f, _) = json_of(&["file", EXAMPLE]);
    let ids = |v: &Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&v), ids(&f));
    assert_eq!(v["inputs"][0]["name"], "-");
}

#[test]
fn fail_on_sets_the_threshold_for_exit_1() {
    bin()
        .args(["file", EXAMPLE, "--fail-on", "never"])
        .assert()
        .code(0);
    bin()
        .args(["file", EXAMPLE, "--fail-on", "critical"])
        .assert()
        .code(1);
    bin()
        .args(["file", "testdata/healthy/describe-running.txt"])
        .assert()
        .code(0);
    bin()
        .args([
            "file",
            "testdata/rules/node-image-gc-failed/fires-events.txt",
            "--fail-on",
            "critical",
        ])
        .assert()
        .code(0);
}

#[test]
fn empty_input_is_a_one_line_error_with_exit_2() {
    let out = bin().args(["file", "-"]).write_stdin("").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = stderr_line(&out);
    assert!(e.contains("is empty"), "{e}");
}

#[test]
fn binary_input_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("core.bin");
    std::fs::write(&p, b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00").unwrap();
    let out = bin().arg("file").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains("looks binary"));
}

#[test]
fn missing_file_names_the_path_and_exits_2() {
    let out = bin()
        .args(["file", "no/such/describe.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = stderr_line(&out);
    assert!(e.contains("no/such/describe.txt"), "{e}");
}

#[test]
fn malformed_rule_file_is_refused_with_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.yaml"),
        "id: broken-rule\ntitle: t\nseverity: critical\ncategory: runtime\ndetects: d\nwhy: w\n\
         fix: f\nreferences: [{url: 'https://example.invalid'}]\nmatch:\n  log:\n    text: 'unclosed('\n",
    )
    .unwrap();
    let out = bin()
        .args(["file", EXAMPLE, "--rules"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = stderr_line(&out);
    assert!(e.contains("broken.yaml:11:"), "{e}");
    assert!(e.contains("invalid regex"), "{e}");
}

#[test]
fn a_user_rule_with_a_builtin_id_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("port-already-in-use.yaml"),
        r#"id: port-already-in-use
title: Team override for port {{port}}
severity: warning
category: runtime
explains: [crash-loop-back-off]
detects: A bind failure.
why: Our sidecar takes the port.
fix: Ask team X to move port {{port}}.
references: [{url: "https://wiki.example.invalid/ports"}]
match:
  log: { text: 'bind\(\) to \S+:(?P<port>\d+) failed' }
"#,
    )
    .unwrap();
    let (v, _) = json_of(&["file", EXAMPLE, "--rules", dir.path().to_str().unwrap()]);
    let f = &v["findings"].as_array().unwrap();
    let mine = f.iter().find(|x| x["id"] == "port-already-in-use").unwrap();
    assert_eq!(mine["title"], "Team override for port 80");
    assert_eq!(mine["severity"], "warning");
    assert_eq!(
        f.iter()
            .filter(|x| x["id"] == "port-already-in-use")
            .count(),
        1
    );
}

#[test]
fn control_characters_from_logs_are_escaped_in_the_table() {
    // ANSI colour sequences are stripped while parsing; what remains (bell, backspace, a bare ESC,
    // bidi overrides) must reach the terminal only as visible escapes.
    let text = "$ kubectl logs web-1 -c web --previous\n\
                \x07\x08nginx: [emerg] bind() to 0.0.0.0:8080 failed (98: Address in use) \u{202e}gnp.exe\n";
    let out = bin()
        .args(["file", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    for raw in ['\x07', '\x08', '\u{202e}'] {
        assert!(!s.contains(raw), "raw {raw:?} reached the terminal: {s:?}");
    }
    assert!(s.contains("\\x07\\x08nginx"), "{s}");
    assert!(s.contains("\\u{202e}"), "{s}");
    assert!(s.contains("8080"), "{s}");
}

#[test]
fn help_documents_exit_codes_and_the_file_command() {
    let out = bin().arg("--help").output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("Exit codes:") && s.contains("2  error"), "{s}");
    assert!(s.contains("file"), "{s}");
    let out = bin().args(["file", "--help"]).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("--fail-on") && s.contains("--rules"), "{s}");
}

#[test]
fn every_help_reads_at_80_columns_without_rewrapped_blocks() {
    // Wider terminals get the same 80 columns; the Examples and Exit codes blocks are wrapped by
    // hand, so clap must never re-wrap them (a continuation line it makes loses the indentation).
    for args in [
        &[][..],
        &["file"][..],
        &["pod"][..],
        &["namespace"][..],
        &["rules"][..],
        &["mcp"][..],
        &["man"][..],
        &["completions"][..],
    ] {
        let out = bin()
            .args(args)
            .arg("--help")
            .env("COLUMNS", "200")
            .output()
            .unwrap();
        let s = String::from_utf8(out.stdout).unwrap();
        let what = format!("{args:?} --help");
        for line in s.lines() {
            assert!(line.chars().count() <= 80, "{what}: {line:?}");
        }
        let Some((_, tail)) = s.split_once("\nExamples:\n") else {
            panic!("{what} has no Examples block:\n{s}");
        };
        for line in tail.lines().filter(|l| !l.is_empty()) {
            let block_line = line.ends_with(':')
                || line.starts_with("  #")
                || line.starts_with("  kubectl")
                || line.starts_with("  source ")
                || line.starts_with("  claude ")
                || line.starts_with("  pbpaste ")
                || ["  0  ", "  1  ", "  2  ", "     "]
                    .iter()
                    .any(|p| line.starts_with(p));
            assert!(block_line, "{what}: a re-wrapped line {line:?}\n{s}");
        }
    }
}

#[test]
fn table_and_json_snapshots_of_the_readme_example() {
    let run = |args: &[&str]| {
        let out = bin().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(s.contains("port-already-in-use"), "{s}");
        s
    };
    insta::assert_snapshot!("example_table", run(&["file", EXAMPLE]));
    insta::assert_snapshot!("example_json", run(&["file", EXAMPLE, "-o", "json"]));
}

#[test]
fn a_50_mb_single_line_is_cut_and_reported_not_fatal() {
    let mut text = "x".repeat(50 * 1024 * 1024);
    text.push_str("\nnginx: [emerg] bind() to 0.0.0.0:81 failed (98: Address in use)\n");
    let out = bin()
        .args(["file", "-", "-o", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["captures"]["port"], "81");
    let nc = v["notChecked"].as_array().unwrap();
    assert!(
        nc.iter().any(|n| n["what"] == "line 1 of -"
            && n["reason"]
                .as_str()
                .unwrap()
                .contains("longer than 65536 bytes")),
        "{nc:?}"
    );
}

#[test]
fn invalid_utf8_is_replaced_and_the_rest_still_diagnosed() {
    let mut bytes = b"$ kubectl logs web-1 -c web --previous\n".to_vec();
    bytes.extend_from_slice(b"\xff\xfe\xc3 garbage\n");
    bytes.extend_from_slice(b"nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n");
    let (code, v) = {
        let out = bin()
            .args(["file", "-", "-o", "json"])
            .write_stdin(bytes)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        )
    };
    assert_eq!(code, Some(1));
    assert_eq!(v["findings"][0]["id"], "port-already-in-use");
    assert_eq!(v["findings"][0]["evidence"][0]["provenance"]["line"], 3);
}

#[test]
fn a_directory_with_a_binary_file_is_diagnosed_and_says_what_was_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE),
        dir.path().join("describe.txt"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("heap.hprof"),
        b"JAVA PROFILE 1.0.2\x00\x00\x00\x04",
    )
    .unwrap();
    let out = bin()
        .args(["file", "-o", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["id"], "port-already-in-use");
    let skipped = v["notChecked"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["what"].as_str().unwrap().ends_with("heap.hprof"));
    assert!(skipped, "{:#}", v["notChecked"]);
}

#[test]
fn truncated_json_with_a_finding_elsewhere_is_reported_as_not_checked() {
    let text = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"web-0\",\n  \"namespace\": \"shop\"\n$ kubectl logs web-0 --previous\nnginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n";
    let out = bin()
        .args(["file", "-", "-o", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["id"], "port-already-in-use");
    let nc = v["notChecked"].as_array().unwrap();
    assert!(
        nc.iter().any(|n| n["reason"]
            .as_str()
            .unwrap()
            .contains("could not be parsed")),
        "{nc:?}"
    );
}

#[test]
fn truncated_json_and_nothing_else_is_an_error_naming_what_was_not_read() {
    // Issue 9: "no known failure found" with exit 0 would hide that the pod was never read.
    let text = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"web-0\", \"namespace\": \"shop\"},\n  \"status\": {\"phase\": \"Runn";
    let out = bin()
        .args(["file", "-", "-o", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("lines 1-5 of -")
            && err.contains("could not be parsed")
            && err.contains("incomplete"),
        "{err}"
    );
}

#[test]
fn completions_cover_every_subcommand_for_each_shell() {
    // bash asks the binary itself (`__complete`), so its script names no subcommand; what it
    // completes is tested by driving bash in tests/completion.rs.
    let out = bin().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("complete -F _kubectl_diagnose kubectl-diagnose"),
        "{s}"
    );
    assert!(s.contains("__complete"), "{s}");
    for shell in ["zsh", "fish", "powershell"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let s = String::from_utf8(out.stdout).unwrap();
        for sub in ["file", "pod", "namespace", "rules"] {
            assert!(s.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(s.contains("fail-on"), "{shell} completion lacks flags");
    }
    let out = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let out = bin().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.starts_with(".ie") || s.contains(".TH kubectl-diagnose"),
        "{}",
        &s[..200.min(s.len())]
    );
    for sub in [
        "kubectl-diagnose-file",
        "kubectl-diagnose-pod",
        "kubectl-diagnose-namespace",
    ] {
        assert!(s.contains(sub), "man page lacks {sub}");
    }
    assert!(s.contains("fail\\-on") || s.contains("fail-on"));
}

#[test]
fn krew_release_packages_binary_and_license_with_a_matching_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin("kubectl-diagnose");
    // The test binary is a debug build, not stripped and linked against this machine's glibc:
    // release.sh refuses it as a release...
    let refused = std::process::Command::new("bash")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("krew/release.sh")
        .arg(&binary)
        .arg(dir.path())
        .env_remove("KREW_RELEASE_UNCHECKED")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        why.contains("newer than 2.17") || why.contains("not stripped"),
        "{why}"
    );
    // ...and packages it when told the checks do not apply.
    let out = std::process::Command::new("bash")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("krew/release.sh")
        .arg(&binary)
        .arg(dir.path())
        .env("KREW_RELEASE_UNCHECKED", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let archive = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .expect("archive");
    let bytes = std::fs::read(&archive).unwrap();
    let mut entries: Vec<String> = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]))
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        ["LICENSE", "kubectl-diagnose", "kubectl_complete-diagnose"]
    );
    let manifest: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(dir.path().join("diagnose.yaml")).unwrap())
            .unwrap();
    assert_eq!(manifest["kind"], "Plugin");
    assert_eq!(manifest["metadata"]["name"], "diagnose");
    let platform = &manifest["spec"]["platforms"][0];
    assert_eq!(platform["bin"], "kubectl-diagnose");
    let sha = platform["sha256"].as_str().unwrap();
    let sum = std::process::Command::new("sha256sum")
        .arg(&archive)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&sum.stdout).starts_with(sha),
        "sha256 mismatch"
    );
    assert!(platform["files"]
        .as_sequence()
        .unwrap()
        .iter()
        .any(|f| f["from"] == "LICENSE"));
}

#[test]
fn detected_platform_gets_its_documented_fix_first_and_generic_clusters_the_generic_one() {
    let (v, _) = json_of(&[
        "file",
        "testdata/rules/image-pull-registry-timeout/fires-describe.txt",
    ]);
    assert_eq!(v["platform"]["id"], "tencent-eks", "{:#}", v["platform"]);
    assert!(!v["platform"]["reasons"].as_array().unwrap().is_empty());
    let f = &v["findings"][0];
    assert_eq!(f["id"], "image-pull-registry-timeout");
    assert_eq!(f["fixPlatform"], "tencent-eks");
    assert!(
        f["fix"].as_str().unwrap().contains("TCR console"),
        "{}",
        f["fix"]
    );
    assert!(f["genericFix"].as_str().unwrap().contains("NAT gateway"));
    assert!(
        f["fixZh"].as_str().unwrap().contains("公网"),
        "{}",
        f["fixZh"]
    );

    let generic = "LAST SEEN   TYPE      REASON   OBJECT           MESSAGE\n\
        2m          Warning   Failed   pod/web-5d4f7-xk2lp   Failed to pull image \"registry.example.com/shop/web:1.2\": rpc error: code = Unknown desc = failed to pull and unpack image \"registry.example.com/shop/web:1.2\": failed to resolve reference \"registry.example.com/shop/web:1.2\": failed to do request: Head \"https://registry.example.com/v2/shop/web/manifests/1.2\": dial tcp 10.20.0.15:443: i/o timeout\n";
    let out = bin()
        .args(["file", "-", "-o", "json"])
        .write_stdin(generic)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["platform"].is_null(), "{:#}", v["platform"]);
    let f = &v["findings"][0];
    assert_eq!(f["id"], "image-pull-registry-timeout");
    assert!(f.get("fixPlatform").is_none());
    let fix = f["fix"].as_str().unwrap();
    assert!(
        fix.contains("10.20.0.15") && fix.contains("a private address"),
        "{fix}"
    );
    assert!(!fix.contains("TCR console"), "{fix}");
}

#[test]
fn lang_zh_shows_the_seed_documents_chinese_fix() {
    let out = bin()
        .args([
            "file",
            "testdata/rules/image-pull-registry-timeout/fires-describe.txt",
            "--lang",
            "zh",
        ])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("内网访问"), "{s}");
    let out = bin()
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .args([
            "file",
            "testdata/rules/image-pull-registry-timeout/fires-describe.txt",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout).unwrap().contains("内网访问"),
        "LANG=zh_CN should select zh"
    );
}

#[test]
fn rules_test_and_lint_pass_on_the_builtin_catalog() {
    let out = bin().args(["rules", "test"]).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{s}");
    let last = s.lines().last().unwrap_or("");
    assert!(last.ends_with(" 0 failed"), "{last}");
    let out = bin().args(["rules", "lint"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("0 error(s)"));
    let out = bin()
        .args(["rules", "show", "image-pull-registry-timeout"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    for heading in [
        "## What it detects",
        "## Why it happens",
        "## How to fix it",
        "## References",
        "## Match",
        "## Examples",
    ] {
        assert!(s.contains(heading), "rules show lacks {heading}:\n{s}");
    }
    assert!(
        s.contains("### On Tencent Cloud TKE Serverless (EKS) (tencent-eks)"),
        "{s}"
    );
}

#[test]
fn rules_test_and_lint_catch_a_users_broken_rule() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path();
    std::fs::write(
        rules.join("team-db-down.yaml"),
        "id: team-db-down\ntitle: Database {{host}} is down\nseverity: critical\ncategory: network\n\
         detects: d\nwhy: w\nfix: Page the DB team about {{host}}.\nreferences: [{url: 'https://wiki.example.invalid/db'}]\n\
         match:\n  log: { text: 'FATAL: could not reach (?P<host>\\S+)' }\n",
    )
    .unwrap();
    std::fs::create_dir(rules.join("team-db-down")).unwrap();
    std::fs::write(
        rules.join("team-db-down/fires-log.txt"),
        "$ kubectl logs api-0 --previous\n2024-04-03 07:52:42 FATAL: could not reach db.shop.svc\n",
    )
    .unwrap();
    // A near miss that DOES fire: the test must report it.
    std::fs::write(
        rules.join("team-db-down/ok-warning.txt"),
        "$ kubectl logs api-0\n2024-04-03 07:52:42 FATAL: could not reach cache.shop.svc\n",
    )
    .unwrap();
    let out = bin().args(["rules", "test"]).arg(rules).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(
        s.contains("ok   team-db-down") && s.contains("fired at rank 1"),
        "{s}"
    );
    assert!(
        s.contains("FAIL team-db-down") && s.contains("fired on a near miss"),
        "{s}"
    );

    std::fs::write(rules.join("broken.yaml"), "id: Broken Rule\ntitle: t\n").unwrap();
    let out = bin().args(["rules", "lint"]).arg(rules).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(s.contains("broken.yaml:") && s.contains("error"), "{s}");
}

/// `rules test rules`, run where `rules/` holds a rule with a built-in's id: the directory's rule
/// is tested although its path is spelled like the built-in's (`rules/oom-killed.yaml`).
#[test]
fn rules_test_tests_a_directory_spelled_like_the_builtins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules/oom-killed.yaml"),
        dir.path().join("rules/oom-killed.yaml"),
    )
    .unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["rules", "test", "rules"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("1 rules,"), "{s}");
    assert!(s.contains("no fixtures found for `oom-killed`"), "{s}");
    assert_eq!(out.status.code(), Some(1), "{s}");
}

#[test]
fn a_scheduled_pod_is_not_blamed_for_another_nodes_pressure() {
    let doc = |pressured: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api-0\n  namespace: shop\nspec:\n  nodeName: node-a\n\
             status:\n  phase: Running\n  containerStatuses:\n  - name: api\n    ready: false\n    restartCount: 0\n\
             \x20   state:\n      running:\n        startedAt: \"2024-04-03T07:50:00Z\"\n---\n\
             apiVersion: v1\nkind: Node\nmetadata:\n  name: {pressured}\nstatus:\n  conditions:\n\
             \x20 - type: DiskPressure\n    status: \"True\"\n    reason: KubeletHasDiskPressure\n\
             \x20   message: kubelet has disk pressure\n    lastTransitionTime: \"2024-04-03T07:40:00Z\"\n"
        )
    };
    let ids = |text: String| -> Vec<String> {
        let out = bin()
            .args(["file", "-", "-o", "json"])
            .write_stdin(text)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!ids(doc("node-b")).contains(&"node-disk-pressure".to_string()));
    assert!(ids(doc("node-a")).contains(&"node-disk-pressure".to_string()));
}

#[test]
fn a_closed_pipe_keeps_the_diagnosis_exit_code() {
    // `kubectl-diagnose file x | head` under `set -o pipefail`: the reader goes away, the failure
    // found must still be the exit code (1), not 0.
    let exe = assert_cmd::cargo::cargo_bin("kubectl-diagnose");
    let mut child = std::process::Command::new(exe)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "file",
            "testdata/examples/crashloop-port-conflict.txt",
            "--color",
            "never",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn error_messages_escape_control_characters_from_input() {
    let tmp = tempfile::tempdir().unwrap();
    let name = tmp.path().join("evil\x1b]52;c;ZWNobyBoaQ==\x07\x1b[2J.txt");
    let out = bin().arg("file").arg(&name).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(err.contains("evil"), "{err}");
}

#[test]
fn thousands_of_user_rules_load_and_lint_agrees_with_the_loader() {
    // Issue 9: past ~1,500 user rules the combined prefilter exceeded the regex size limit and no
    // file was named, while `rules lint` passed the same directory.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2000 {
        std::fs::write(
            dir.path().join(format!("upstream-{i:04}-refused.yaml")),
            format!(
                r#"id: upstream-{i:04}-refused
title: "Upstream {i:04} refused the connection on port {{{{port}}}}"
severity: warning
category: network
detects: |
  The upstream {i:04} refused connections.
why: |
  It is down.
fix: |
  Start upstream {i:04}.
references:
  - url: https://example.com/runbooks/{i:04}
    title: Runbook {i:04}
match:
  any:
    - log: {{ text: 'upstream-{i:04}\.svc(?:\.cluster\.local)?:(?P<port>\d+): connect: (?:connection refused|no route to host|[a-z ]+ timed out after \d+ ?(?:ms|s))' }}
"#
            ),
        )
        .unwrap();
    }
    let rules = dir.path().to_str().unwrap();
    let lint = bin().args(["rules", "lint"]).arg(rules).output().unwrap();
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    let paste = dir.path().join("app.log");
    std::fs::write(
        &paste,
        "$ kubectl logs web-0 --previous\ndial tcp upstream-1718.svc.cluster.local:8443: connect: connection refused\n",
    )
    .unwrap();
    let out = bin()
        .args([
            "file",
            paste.to_str().unwrap(),
            "-o",
            "json",
            "--rules",
            rules,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"upstream-1718-refused"), "{ids:?}");
    assert!(!ids.contains(&"upstream-1717-refused"), "{ids:?}");
}

#[test]
fn a_named_pipe_is_read_once_from_its_first_byte() {
    // Issue 9: `kubectl-diagnose file <(kubectl describe pod x)` dropped the first 262 bytes (the
    // `Name:` header) and a pipe with a writer could hang: the path was opened twice.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("describe.pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo only reads the NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let text =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE)).unwrap();
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        // Blocks until the reader opens the pipe; a second open would never find a writer.
        let mut w = std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .unwrap();
        let _ = w.write_all(&text);
    });
    let out = bin()
        .args(["file", fifo.to_str().unwrap(), "-o", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    writer.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The pod's name comes from the `Name:` line, the paste's first bytes.
    assert_eq!(
        v["subject"]["name"], "port-conflict-5b7f9c6d8-m4t2w",
        "{v:#}"
    );
    assert_eq!(v["findings"][0]["id"], "port-already-in-use");
}

#[test]
fn random_bytes_without_nul_are_refused_as_binary() {
    // Issue 9: 10 MB of random bytes with no NUL were scanned as free text for 54 s, exit 0.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("blob.bin");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..2 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x as u8).max(1)
        })
        .collect();
    std::fs::write(&p, bytes).unwrap();
    let out = bin().arg("file").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("looks binary") && err.contains("control bytes"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
