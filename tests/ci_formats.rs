//! The CI report formats checked against what consumes them, for every input kind the binary
//! reads: a pod file, stdin, a healthy pod, a cluster-info dump, a support bundle, several files,
//! and (against the in-test API server) a live pod, a healthy live pod, a namespace sweep, a healthy
//! namespace, a partial read (events and nodes forbidden) and a workload.
//!
//! - SARIF: the official SARIF 2.1.0 schema (tests/validators/) and GitHub code scanning's
//!   documented ingestion rules;
//! - JUnit: Jenkins xUnit's `junit-10.xsd` with `xmllint --schema` (a missing xmllint fails the
//!   test when CI=true, else the XSD check alone is skipped with a message);
//! - JSON: `schema/report.schema.json`;
//! - GitHub annotations: at most 10 per level, one per finding group;
//! - Markdown: within GitHub's comment limit.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use support::{ApiServer, Forbid, Options};

const FORMATS: [&str; 5] = ["json", "sarif", "junit", "github", "markdown"];

struct Out {
    case: &'static str,
    format: &'static str,
    code: i32,
    stdout: String,
    stderr: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    let mut c = Command::cargo_bin("kubectl-diagnose").expect("binary");
    c.current_dir(root())
        .env_remove("KUBECONFIG")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120));
    c
}

fn run(case: &'static str, format: &'static str, args: &[&str], stdin: Option<&Path>) -> Out {
    let mut c = bin();
    c.args(args).args(["-o", format]);
    if let Some(p) = stdin {
        c.write_stdin(std::fs::read(root().join(p)).expect("stdin fixture"));
    }
    let o = c.output().expect("runs");
    Out {
        case,
        format,
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

type Case = (&'static str, Vec<&'static str>, Option<&'static str>);

fn file_cases() -> Vec<Case> {
    vec![
        (
            "pod file",
            vec!["file", "testdata/examples/crashloop-port-conflict.txt"],
            None,
        ),
        (
            "stdin",
            vec!["file", "-"],
            Some("testdata/examples/registry-timeout-events.txt"),
        ),
        (
            "healthy pod file",
            vec!["file", "testdata/healthy/pod-running.yaml"],
            None,
        ),
        (
            "cluster-info dump",
            vec!["file", "testdata/dumps/cluster-info"],
            None,
        ),
        (
            "support bundle",
            vec!["file", "testdata/dumps/support-bundle"],
            None,
        ),
        (
            "several files",
            vec![
                "file",
                "testdata/examples/crashloop-port-conflict.txt",
                "testdata/examples/registry-timeout-events.txt",
            ],
            None,
        ),
    ]
}

/// (case, scenario, options, args after `--kubeconfig`)
fn live_cases() -> Vec<(&'static str, &'static str, Options, Vec<&'static str>)> {
    vec![
        (
            "live pod",
            "port-conflict",
            Options::default(),
            vec!["pod", "port-conflict-5b7f9c6d8-m4t2w"],
        ),
        (
            "live healthy pod",
            "healthy",
            Options::default(),
            vec!["pod", "catalog-6d8f7c9b4-q9w2e"],
        ),
        ("live sweep", "sweep", Options::default(), vec!["namespace"]),
        (
            "live healthy namespace",
            "healthy",
            Options::default(),
            vec!["namespace"],
        ),
        (
            "partial sweep",
            "sweep",
            Options {
                forbidden: vec![Forbid::new("events", None), Forbid::new("nodes", None)],
                ..Options::default()
            },
            vec!["namespace"],
        ),
        (
            "workload",
            "workloads",
            Options::default(),
            vec!["deploy/web"],
        ),
    ]
}

/// Every case in every format, computed once for all the tests of this file.
fn outputs() -> &'static [Out] {
    static OUT: OnceLock<Vec<Out>> = OnceLock::new();
    OUT.get_or_init(|| {
        let mut out = Vec::new();
        for (case, args, stdin) in file_cases() {
            for f in FORMATS {
                out.push(run(case, f, &args, stdin.map(Path::new)));
            }
        }
        for (case, scenario, opts, args) in live_cases() {
            let server = ApiServer::start(scenario, opts);
            let dir = tempfile::tempdir().expect("tempdir");
            let kc = server.write_kubeconfig(dir.path(), "shop");
            let kc = kc.to_string_lossy().into_owned();
            let mut full = vec!["--kubeconfig", kc.as_str()];
            full.extend(args.iter().copied());
            for f in FORMATS {
                out.push(run(case, f, &full, None));
            }
        }
        for o in &out {
            assert!(
                o.code == 0 || o.code == 1,
                "{} -o {} exits {}:\n{}\n{}",
                o.case,
                o.format,
                o.code,
                o.stdout,
                o.stderr
            );
        }
        out
    })
}

fn of(format: &str) -> impl Iterator<Item = &'static Out> + '_ {
    outputs().iter().filter(move |o| o.format == format)
}

fn json_validator(path: &str) -> jsonschema::Validator {
    let mut text = std::fs::read_to_string(root().join(path)).expect("schema file");
    // The official SARIF schema's `run.language` pattern has a stray `]`, which ECMA-262's
    // Unicode mode (used by the meta-schema's `regex` format check) refuses; a lone `]` is a
    // literal in every other dialect, so escape it: same language, and nothing else changes.
    text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
    );
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn schema_errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn json_of(o: &Out) -> Value {
    serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("{} -o {}: not JSON: {e}\n{}", o.case, o.format, o.stdout))
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_of_every_input_kind_validates_against_the_report_schema() {
    let v = json_validator("schema/report.schema.json");
    let mut kinds = BTreeSet::new();
    for o in of("json") {
        let doc = json_of(o);
        let errors = schema_errors(&v, &doc);
        assert!(errors.is_empty(), "{}: {}", o.case, errors.join("\n"));
        kinds.insert(format!(
            "{}/{}",
            doc["kind"].as_str().unwrap_or("?"),
            doc["scope"]["kind"].as_str().unwrap_or("-")
        ));
    }
    // Pod reports and every sweep scope the inputs produce were seen.
    for k in [
        "PodDiagnosis/-",
        "SweepReport/namespace",
        "SweepReport/workload",
        "SweepReport/cluster-info-dump",
        "SweepReport/support-bundle",
        "SweepReport/files",
    ] {
        assert!(kinds.contains(k), "no {k} among {kinds:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// GitHub code scanning's documented ingestion rules (hard limits and what its upload rejects).
fn github_sarif_problems(doc: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let runs = doc["runs"].as_array().cloned().unwrap_or_default();
    if runs.is_empty() || runs.len() > 20 {
        p.push(format!("{} runs (1..=20)", runs.len()));
    }
    for run in &runs {
        let driver = &run["tool"]["driver"];
        for key in ["name", "version", "informationUri"] {
            if !driver[key].is_string() {
                p.push(format!("tool.driver.{key} missing"));
            }
        }
        let rules = driver["rules"].as_array().cloned().unwrap_or_default();
        let ids: BTreeSet<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        if ids.len() != rules.len() {
            p.push("duplicate rule ids".into());
        }
        for r in &rules {
            if !r["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://"))
            {
                p.push(format!("rule {} has no https helpUri", r["id"]));
            }
            if r["help"]["text"].as_str().is_none_or(str::is_empty) {
                p.push(format!("rule {} has no help text", r["id"]));
            }
            if r["properties"]["tags"]
                .as_array()
                .is_some_and(|t| t.len() > 20)
            {
                p.push(format!("rule {} has more than 20 tags", r["id"]));
            }
        }
        let category = run["automationDetails"]["id"].as_str().unwrap_or("");
        if !category.starts_with("kubectl-diagnose/") || !category.ends_with('/') {
            p.push(format!("automationDetails.id {category:?}"));
        }
        let results = run["results"].as_array().cloned().unwrap_or_default();
        if results.len() > kubectl_diagnose::output::MAX_RESULTS {
            p.push(format!("{} results", results.len()));
        }
        let mut prints = BTreeSet::new();
        for r in &results {
            let id = r["ruleId"].as_str().unwrap_or("");
            if !ids.contains(id) {
                p.push(format!("ruleId {id:?} not in tool.driver.rules"));
            }
            if let Some(i) = r["ruleIndex"].as_u64() {
                if rules.get(i as usize).and_then(|x| x["id"].as_str()) != Some(id) {
                    p.push(format!("ruleIndex {i} is not {id}"));
                }
            }
            let text = r["message"]["text"].as_str().unwrap_or("");
            if text.is_empty() || text.chars().count() > kubectl_diagnose::output::MAX_MESSAGE_CHARS
            {
                p.push(format!("{id}: message of {} chars", text.chars().count()));
            }
            let locs = r["locations"].as_array().cloned().unwrap_or_default();
            if locs.is_empty() || locs.len() > 1000 {
                p.push(format!("{id}: {} locations", locs.len()));
            }
            for l in &locs {
                let uri = l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("");
                let bad = uri.is_empty()
                    || uri.starts_with('/')
                    || uri.split('/').next().is_some_and(|s| s.contains(':'))
                    || uri
                        .split('/')
                        .any(|s| s == ".." || s == "." || s.is_empty());
                if bad {
                    p.push(format!("{id}: location uri {uri:?}"));
                }
                if l["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .is_none_or(|n| n < 1)
                {
                    p.push(format!("{id}: no region.startLine"));
                }
            }
            let fp = r["partialFingerprints"].to_string();
            if r["partialFingerprints"]
                .as_object()
                .is_none_or(|o| o.is_empty())
            {
                p.push(format!("{id}: no partialFingerprints"));
            } else if !prints.insert(fp.clone()) {
                p.push(format!("{id}: fingerprint {fp} twice"));
            }
        }
    }
    if doc.to_string().contains("file://") {
        p.push("an absolute file:// URI".into());
    }
    p
}

#[test]
fn sarif_of_every_input_kind_validates_and_meets_github_ingestion_rules() {
    let v = json_validator("tests/validators/sarif-2.1.0-rtm.5.json");
    let mut located = 0;
    for o in of("sarif") {
        let doc = json_of(o);
        let errors = schema_errors(&v, &doc);
        assert!(
            errors.is_empty(),
            "{}: not SARIF 2.1.0:\n{}",
            o.case,
            errors.join("\n")
        );
        let problems = github_sarif_problems(&doc);
        assert!(
            problems.is_empty(),
            "{}: GitHub would reject or cut:\n{}\n{}",
            o.case,
            problems.join("\n"),
            o.stdout
        );
        located += doc["runs"][0]["results"].as_array().map_or(0, |r| r.len());
    }
    assert!(located > 10, "too few results were checked: {located}");
}

fn uris(doc: &Value) -> Vec<(String, u64)> {
    doc["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let pl = &r["locations"][0]["physicalLocation"];
            (
                pl["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                pl["region"]["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn sarif_of(case: &str) -> Value {
    json_of(
        of("sarif")
            .find(|o| o.case == case)
            .unwrap_or_else(|| panic!("no case {case}")),
    )
}

#[test]
fn sarif_locations_are_the_input_file_or_a_pseudo_path_never_a_label() {
    // A file input: the file itself, relative, at the evidence's line.
    let file = uris(&sarif_of("pod file"));
    assert!(!file.is_empty());
    for (u, line) in &file {
        assert_eq!(u, "testdata/examples/crashloop-port-conflict.txt");
        assert!(*line >= 1);
    }
    assert!(
        file.iter().any(|(_, l)| *l > 1),
        "evidence lines are kept: {file:?}"
    );
    // Stdin and live reads: the object's pseudo-path.
    for case in [
        "stdin",
        "live pod",
        "live sweep",
        "partial sweep",
        "workload",
    ] {
        let u = uris(&sarif_of(case));
        assert!(!u.is_empty(), "{case} has results");
        for (uri, line) in u {
            assert!(uri.starts_with("k8s/"), "{case}: {uri}");
            assert_eq!(uri.split('/').count(), 4, "{case}: {uri}");
            assert_eq!(line, 1, "{case}: {uri}");
        }
    }
    let live = uris(&sarif_of("live pod"));
    assert_eq!(live[0].0, "k8s/shop/pod/port-conflict-5b7f9c6d8-m4t2w");
    // A dump's pods are found in files of the dump: each result names one of them.
    for (uri, _) in uris(&sarif_of("cluster-info dump")) {
        assert!(
            uri.starts_with("testdata/dumps/cluster-info/") || uri.starts_with("k8s/"),
            "{uri}"
        );
        assert!(
            root().join(&uri).is_file() || uri.starts_with("k8s/"),
            "{uri}"
        );
    }
    // One category per cluster and namespace.
    let cat = |c: &str| {
        sarif_of(c)["runs"][0]["automationDetails"]["id"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(cat("live sweep"), cat("partial sweep"));
    assert!(
        cat("live sweep").ends_with("/shop/"),
        "{}",
        cat("live sweep")
    );
    assert!(cat("pod file").starts_with("kubectl-diagnose/file/"));
}

#[test]
fn sarif_fingerprints_are_stable_across_runs() {
    let prints = |doc: &Value| -> Vec<String> {
        doc["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| r["partialFingerprints"].to_string())
            .collect()
    };
    let first = prints(&sarif_of("live sweep"));
    let server = ApiServer::start("sweep", Options::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let kc = kc.to_string_lossy().into_owned();
    let again = run(
        "again",
        "sarif",
        &["--kubeconfig", kc.as_str(), "namespace"],
        None,
    );
    assert!(!first.is_empty());
    assert_eq!(first, prints(&json_of(&again)));
}

#[test]
fn sarif_artifact_locates_every_result_and_refuses_paths_outside_the_repository() {
    let o = bin()
        .args([
            "file",
            "testdata/examples/crashloop-port-conflict.txt",
            "-o",
            "sarif",
            "--sarif-artifact",
            "./deploy/web.yaml",
        ])
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    let u = uris(&doc);
    assert!(!u.is_empty());
    assert!(
        u.iter().all(|(p, l)| p == "deploy/web.yaml" && *l == 1),
        "{u:?}"
    );
    for bad in [
        "/etc/web.yaml",
        "../web.yaml",
        "a/../../b.yaml",
        "https://x/y.yaml",
    ] {
        let o = bin()
            .args(["file", "testdata/examples/crashloop-port-conflict.txt"])
            .args(["-o", "sarif", "--sarif-artifact", bad])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(o.stdout.is_empty(), "{bad}");
        assert!(err.contains("--sarif-artifact"), "{bad}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// JUnit

fn xmllint() -> Option<PathBuf> {
    let ok = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(PathBuf::from("xmllint"));
    }
    assert!(
        std::env::var("CI").ok().as_deref() != Some("true"),
        "xmllint is missing (Debian: apt-get install libxml2-utils); CI must validate JUnit"
    );
    eprintln!("xmllint is missing: the junit-10.xsd check is skipped (it fails when CI=true)");
    None
}

fn count_tag(xml: &str, tag: &str) -> usize {
    xml.matches(&format!("<{tag}")).count() - xml.matches(&format!("<{tag}s")).count()
}

#[test]
fn junit_of_every_input_kind_is_valid_against_junit_10_xsd() {
    let lint = xmllint();
    let dir = tempfile::tempdir().expect("tempdir");
    let xsd = root().join("tests/validators/junit-10.xsd");
    for (i, o) in of("junit").enumerate() {
        let x = &o.stdout;
        assert!(x.starts_with("<?xml"), "{}: {x}", o.case);
        assert!(
            !x.contains("tests=\"0\""),
            "{}: an empty suite:\n{x}",
            o.case
        );
        assert!(count_tag(x, "testcase") >= 1, "{}:\n{x}", o.case);
        for tag in ["<testsuite ", "<testcase "] {
            for el in x.split(tag).skip(1) {
                let head = el.split('>').next().unwrap_or("");
                assert!(
                    head.contains(" time=\""),
                    "{}: {tag} without time: {head}",
                    o.case
                );
            }
        }
        assert!(x.len() < 5 * 1024 * 1024, "{}: {} bytes", o.case, x.len());
        if let Some(lint) = &lint {
            let path = dir.path().join(format!("{i}.xml"));
            std::fs::write(&path, x).expect("write");
            let out = std::process::Command::new(lint)
                .args(["--noout", "--schema"])
                .arg(&xsd)
                .arg(&path)
                .output()
                .expect("xmllint runs");
            assert!(
                out.status.success(),
                "{}: invalid against junit-10.xsd:\n{}\n{x}",
                o.case,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn the_xsd_check_can_fail() {
    // The validator itself rejects what Jenkins' xunit rejects (so the test above can fail).
    let Some(lint) = xmllint() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.xml");
    std::fs::write(
        &path,
        "<?xml version=\"1.0\"?><testsuites skipped=\"0\"><testsuite name=\"x\" tests=\"1\">\
         <testcase name=\"a\"/></testsuite></testsuites>",
    )
    .expect("write");
    let out = std::process::Command::new(lint)
        .args(["--noout", "--schema"])
        .arg(root().join("tests/validators/junit-10.xsd"))
        .arg(&path)
        .output()
        .expect("xmllint runs");
    assert!(!out.status.success());
}

#[test]
fn healthy_pods_are_passing_testcases() {
    let find = |case: &str| {
        of("junit")
            .find(|o| o.case == case)
            .unwrap_or_else(|| panic!("no {case}"))
    };
    // The healthy namespace: every pod is a passing test case, none fails.
    let x = &find("live healthy namespace").stdout;
    let json = json_of(
        of("json")
            .find(|o| o.case == "live healthy namespace")
            .expect("json"),
    );
    let total = json["summary"]["pods"].as_u64().unwrap_or(0) as usize;
    assert!(total > 0, "{json}");
    assert_eq!(count_tag(x, "testcase"), total, "{x}");
    assert_eq!(count_tag(x, "failure"), 0, "{x}");
    // A sweep: failing pods fail, healthy ones pass, all are counted.
    let x = &find("live sweep").stdout;
    let json = json_of(of("json").find(|o| o.case == "live sweep").expect("json"));
    let total = json["summary"]["pods"].as_u64().unwrap_or(0) as usize;
    let healthy = json["summary"]["healthy"].as_u64().unwrap_or(0) as usize;
    assert!(healthy > 0 && total > healthy, "{json}");
    assert_eq!(count_tag(x, "testcase"), total, "{x}");
    assert!(x.contains(&format!("tests=\"{total}\"")), "{x}");
    assert!(count_tag(x, "failure") >= 1, "{x}");
}

// ---------------------------------------------------------------------------------------------
// GitHub annotations

#[test]
fn github_annotations_stay_within_the_per_step_limits() {
    for o in of("github") {
        let mut per_level: BTreeMap<&str, usize> = BTreeMap::new();
        let lines: Vec<&str> = o.stdout.lines().collect();
        // The last line is the plain summary; every other line is a workflow command.
        let (_, commands) = lines.split_last().expect("a summary line");
        for line in commands {
            assert!(
                line.starts_with("::"),
                "{}: not a workflow command: {line}",
                o.case
            );
            let level = line[2..].split([' ', ':']).next().unwrap_or("");
            *per_level.entry(level).or_default() += 1;
        }
        for level in ["error", "warning"] {
            let n = per_level.get(level).copied().unwrap_or(0);
            assert!(
                n <= 10,
                "{}: {n} {level} annotations:\n{}",
                o.case,
                o.stdout
            );
        }
        let total: usize = ["error", "warning", "notice"]
            .iter()
            .map(|l| per_level.get(l).copied().unwrap_or(0))
            .sum();
        assert!(total <= 50, "{}: {total} annotations", o.case);
    }
    // A sweep's group is one annotation that lists its pods.
    let sweep = of("github")
        .find(|o| o.case == "live sweep")
        .expect("sweep");
    let json = json_of(of("json").find(|o| o.case == "live sweep").expect("json"));
    let groups = json["groups"].as_array().cloned().unwrap_or_default();
    for g in groups
        .iter()
        .filter(|g| g["pods"].as_array().is_some_and(|p| p.len() > 1))
    {
        let cause = g["cause"].as_str().unwrap_or("");
        let lines: Vec<&str> = sweep
            .stdout
            .lines()
            .filter(|l| l.starts_with("::") && l.contains(&format!("::[{cause}]")))
            .collect();
        assert_eq!(lines.len(), 1, "{cause}: {lines:?}");
        for p in g["pods"].as_array().cloned().unwrap_or_default() {
            let p = p.as_str().unwrap_or("");
            assert!(
                lines[0].contains(p),
                "{cause} does not list {p}: {}",
                lines[0]
            );
        }
    }
}

#[test]
fn github_output_appends_the_markdown_report_to_the_step_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").expect("write");
    let o = bin()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "file",
            "testdata/examples/crashloop-port-conflict.txt",
            "-o",
            "github",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("step summary"), "{stderr}");
    let text = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        text.starts_with("earlier step\n## kubectl-diagnose"),
        "{text}"
    );
    assert!(text.contains("port-already-in-use"), "{text}");
    // Without the variable nothing is said.
    let o = bin()
        .args([
            "file",
            "testdata/examples/crashloop-port-conflict.txt",
            "-o",
            "github",
        ])
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("step summary"));
}

// ---------------------------------------------------------------------------------------------
// Markdown

#[test]
fn markdown_of_every_input_kind_fits_a_github_comment() {
    for o in of("markdown") {
        assert!(
            o.stdout.chars().count() <= 65_536,
            "{}: {} chars",
            o.case,
            o.stdout.chars().count()
        );
        assert!(!o.stdout.trim().is_empty(), "{}", o.case);
    }
    let sweep = of("markdown")
        .find(|o| o.case == "live sweep")
        .expect("sweep");
    let table = sweep.stdout.find("| ").unwrap_or(usize::MAX);
    let details = sweep.stdout.find("<details>").unwrap_or(0);
    assert!(table < details, "summary table first:\n{}", sweep.stdout);
    assert_eq!(
        sweep.stdout.matches("<details>").count(),
        sweep.stdout.matches("</details>").count()
    );
    let _ = &sweep.stderr;
}
