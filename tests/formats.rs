//! Every output format, on reports the library builds from the real fixtures: the JSON (pod and
//! sweep) validates against `schema/report.schema.json` and the schema rejects broken documents;
//! YAML is the same document as JSON; JUnit, SARIF, GitHub workflow commands and Markdown have the
//! structure their consumers expect and escape untrusted text. Snapshots pin one small report in
//! every format.

use kubectl_diagnose::engine::{EvidenceItem, Finding};
use kubectl_diagnose::evidence::{NotChecked, Provenance};
use kubectl_diagnose::formats::{render_pod, render_sweep, Format};
use kubectl_diagnose::parse::{InputSummary, Segment};
use kubectl_diagnose::report::{Diagnosis, Subject, TableOptions};
use kubectl_diagnose::rules::{Reference, RuleKind, RuleSet, Severity, Source};
use kubectl_diagnose::sweep::{pod_key, Scope, SweepReport};
use kubectl_diagnose::{diagnose, engine::Engine, evidence::Evidence, parse};
use quick_xml::events::Event;
use quick_xml::name::QName;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const ALL: [Format; 7] = [
    Format::Table,
    Format::Json,
    Format::Yaml,
    Format::Junit,
    Format::Sarif,
    Format::Github,
    Format::Markdown,
];

/// The built-in engine, compiled once for all tests.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(&RuleSet::builtin().expect("built-in rules load")).expect("engine builds")
    })
}

/// Diagnose one input file, named relative to the crate root so provenance is not machine-specific.
fn run(engine: &Engine, rel: &Path) -> Diagnosis {
    let mut ev = Evidence::new();
    let inputs = parse::parse_path(rel, engine, &mut ev)
        .unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
    diagnose(engine, &ev, inputs)
}

/// The example pastes and every rule's `fires-*` fixture (relative paths, sorted).
fn fixture_paths() -> Vec<PathBuf> {
    // Cargo runs integration tests in the crate root: relative paths keep provenance portable.
    let mut out = Vec::new();
    for e in std::fs::read_dir("testdata/examples").expect("examples") {
        out.push(e.expect("entry").path());
    }
    for dir in std::fs::read_dir("testdata/rules").expect("rule fixtures") {
        let dir = dir.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).expect("rule dir") {
            let p = f.expect("entry").path();
            if p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("fires-"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every fixture's diagnosis, computed once.
fn fixture_pods(engine: &Engine) -> Vec<Diagnosis> {
    static PODS: OnceLock<Vec<Diagnosis>> = OnceLock::new();
    PODS.get_or_init(|| {
        let paths = fixture_paths();
        assert!(
            paths.len() > 20,
            "expected the fixture corpus, found {}",
            paths.len()
        );
        paths.iter().map(|p| run(engine, p)).collect()
    })
    .clone()
}

fn examples(engine: &Engine) -> Vec<Diagnosis> {
    [
        "testdata/examples/crashloop-port-conflict.txt",
        "testdata/examples/registry-timeout-events.txt",
    ]
    .iter()
    .map(|p| run(engine, Path::new(p)))
    .collect()
}

fn sweep_of(pods: Vec<Diagnosis>) -> SweepReport {
    let n = pods.len();
    SweepReport::new(
        Scope {
            kind: "namespace".into(),
            namespace: Some("shop".into()),
            ..Default::default()
        },
        n + 4,
        4,
        pods,
        vec![NotChecked {
            what: "events of namespace shop".into(),
            reason:
                "forbidden: User \"ci\" cannot list resource \"events\"; grant get/list on events"
                    .into(),
        }],
    )
}

fn opts() -> TableOptions {
    TableOptions {
        width: 100,
        ..TableOptions::default()
    }
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json"),
    )
    .expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema is a valid draft 2020-12 schema")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON: {e}\n{s}"))
}

// ---------------------------------------------------------------------------------------------
// JSON and YAML

#[test]
fn every_pod_report_validates_against_the_schema() {
    let e = engine();
    let v = validator();
    let mut with_findings = 0;
    for d in fixture_pods(e) {
        let doc = json_of(&render_pod(&d, Format::Json, &opts(), None));
        assert_eq!(doc["schemaVersion"], 1);
        assert_eq!(doc["kind"], "PodDiagnosis");
        assert_eq!(
            doc["findings"].as_array().map(Vec::len),
            Some(d.findings.len())
        );
        assert_valid(&v, &doc, &format!("pod report of {:?}", d.inputs[0].name));
        with_findings += usize::from(!d.findings.is_empty());
    }
    assert!(with_findings > 20, "fixtures should fire rules");
}

#[test]
fn sweep_reports_validate_against_the_schema() {
    let e = engine();
    let v = validator();
    let pods = fixture_pods(e);
    let n = pods.len();
    let r = sweep_of(pods);
    let doc = json_of(&render_sweep(&r, Format::Json, &opts(), None));
    assert_valid(&v, &doc, "sweep of every fixture");
    assert_eq!(doc["kind"], "SweepReport");
    assert_eq!(doc["summary"]["unhealthy"], n);
    assert_eq!(doc["summary"]["healthy"], 4);
    assert_eq!(doc["summary"]["pods"], n + 4);
    let by_sev: u64 = ["critical", "warning", "info"]
        .iter()
        .map(|k| doc["summary"][k].as_u64().unwrap_or(0))
        .sum();
    let with_findings = r.pods.iter().filter(|d| !d.findings.is_empty()).count();
    assert_eq!(by_sev as usize, with_findings);
    // Each entry is the pod report minus its envelope.
    for (entry, d) in doc["pods"].as_array().expect("pods").iter().zip(&r.pods) {
        let mut single = json_of(&d.to_json());
        let obj = single.as_object_mut().expect("object");
        obj.remove("schemaVersion");
        obj.remove("tool");
        assert_eq!(entry, &single);
    }
    assert_eq!(doc["groups"].as_array().map(Vec::len), Some(r.groups.len()));

    // All healthy: nothing listed, still a valid report.
    let empty = SweepReport::new(
        Scope {
            kind: "all-namespaces".into(),
            ..Default::default()
        },
        7,
        7,
        vec![],
        vec![],
    );
    let doc = json_of(&render_sweep(&empty, Format::Json, &opts(), None));
    assert_valid(&v, &doc, "empty sweep");
}

/// A report with history, unrelated node context and next steps validates; the schema refuses
/// those parts broken.
#[test]
fn history_unrelated_and_next_steps_validate_against_the_schema() {
    let e = engine();
    let v = validator();
    let history = run(
        e,
        Path::new("testdata/history/failedmount-events-then-started.txt"),
    );
    let steps = run(e, Path::new("testdata/history/crash-status.yaml"));
    assert!(history.findings.iter().any(|f| f.history.is_some()));
    assert!(!steps.next_steps.is_empty());
    // The merged-sweep shape: a node cause reported as context of a crash-looping pod.
    let mut ev = Evidence::new();
    parse::parse_path(Path::new("testdata/history/crash-status.yaml"), e, &mut ev)
        .expect("fixture parses");
    ev.node_conditions
        .push(kubectl_diagnose::evidence::NodeCondition {
            node: Some("ip-10-0-3-7.ec2.internal".into()),
            type_: "NetworkUnavailable".into(),
            status: "True".into(),
            reason: Some("EKLetHasInsufficientSubnetIP".into()),
            message: Some(
                "eklet node has insufficient IP available of subnet subnet-bok73g4c".into(),
            ),
            ..Default::default()
        });
    let unrelated = diagnose(e, &ev, vec![]);
    assert!(
        unrelated.findings.iter().any(|f| f.unrelated.is_some()),
        "{:?}",
        unrelated.findings.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
    for (what, d) in [
        ("history", &history),
        ("next steps", &steps),
        ("unrelated", &unrelated),
    ] {
        let doc = json_of(&render_pod(d, Format::Json, &opts(), None));
        assert_valid(&v, &doc, what);
    }
    let doc = json_of(&render_sweep(
        &sweep_of(vec![history.clone(), steps.clone()]),
        Format::Json,
        &opts(),
        None,
    ));
    assert_valid(&v, &doc, "sweep with history and next steps");

    let h = json_of(&render_pod(&history, Format::Json, &opts(), None));
    let s = json_of(&render_pod(&steps, Format::Json, &opts(), None));
    type Break = fn(&mut Value);
    let breaks: [(&str, &Value, Break); 5] = [
        ("no nextSteps", &s, |d| {
            d.as_object_mut().map(|o| o.remove("nextSteps"));
        }),
        ("a next step without its command", &s, |d| {
            d["nextSteps"][0]
                .as_object_mut()
                .map(|o| o.remove("command"));
        }),
        ("an empty command", &s, |d| {
            d["nextSteps"][0]["command"] = "".into()
        }),
        ("history without what resolved it", &h, |d| {
            d["findings"][0]["history"]["resolvedBy"] = Value::Array(vec![])
        }),
        ("history with an unknown original severity", &h, |d| {
            d["findings"][0]["history"]["originalSeverity"] = "fatal".into()
        }),
    ];
    for (what, doc, f) in breaks {
        let mut d = doc.clone();
        f(&mut d);
        assert!(
            !v.is_valid(&d),
            "a pod report with {what} must not validate"
        );
    }
}

#[test]
fn the_schema_rejects_broken_documents() {
    let e = engine();
    let v = validator();
    let pod = json_of(&render_pod(&examples(e)[0], Format::Json, &opts(), None));
    let sweep = json_of(&render_sweep(
        &sweep_of(examples(e)),
        Format::Json,
        &opts(),
        None,
    ));
    assert!(v.is_valid(&pod) && v.is_valid(&sweep));

    type Break = fn(&mut Value);
    let pod_breaks: [(&str, Break); 8] = [
        ("no findings", |d| {
            d.as_object_mut().map(|o| o.remove("findings"));
        }),
        ("unknown severity", |d| {
            d["findings"][0]["severity"] = "fatal".into()
        }),
        ("unknown evidence source", |d| {
            d["findings"][0]["evidence"][0]["source"] = "rumour".into()
        }),
        ("schemaVersion 2", |d| d["schemaVersion"] = 2.into()),
        ("unknown kind", |d| d["kind"] = "NodeDiagnosis".into()),
        ("rank as string", |d| d["findings"][0]["rank"] = "1".into()),
        ("evidence without provenance", |d| {
            d["findings"][0]["evidence"][0]
                .as_object_mut()
                .map(|o| o.remove("provenance"));
        }),
        ("line 0", |d| {
            d["findings"][0]["evidence"][0]["provenance"]["line"] = 0.into()
        }),
    ];
    for (what, f) in pod_breaks {
        let mut d = pod.clone();
        f(&mut d);
        assert!(
            !v.is_valid(&d),
            "a pod report with {what} must not validate"
        );
    }
    let sweep_breaks: [(&str, Break); 4] = [
        ("no summary.pods", |d| {
            d["summary"].as_object_mut().map(|o| o.remove("pods"));
        }),
        ("unknown scope kind", |d| {
            d["scope"]["kind"] = "galaxy".into()
        }),
        ("a group without pods", |d| {
            d["groups"][0]["pods"] = Value::Array(vec![])
        }),
        ("a pod entry without findings", |d| {
            d["pods"][0].as_object_mut().map(|o| o.remove("findings"));
        }),
    ];
    for (what, f) in sweep_breaks {
        let mut d = sweep.clone();
        f(&mut d);
        assert!(
            !v.is_valid(&d),
            "a sweep report with {what} must not validate"
        );
    }
}

#[test]
fn yaml_is_the_same_document_as_json() {
    let e = engine();
    let pods = fixture_pods(e);
    for d in pods.iter().take(40) {
        let json = json_of(&render_pod(d, Format::Json, &opts(), None));
        let yaml: Value = serde_yaml::from_str(&render_pod(d, Format::Yaml, &opts(), None))
            .expect("pod YAML parses");
        assert_eq!(json, yaml, "{}", d.inputs[0].name);
    }
    let r = sweep_of(pods);
    let json = json_of(&render_sweep(&r, Format::Json, &opts(), None));
    let yaml: Value = serde_yaml::from_str(&render_sweep(&r, Format::Yaml, &opts(), None))
        .expect("sweep YAML parses");
    assert_eq!(json, yaml);
}

// ---------------------------------------------------------------------------------------------
// JUnit

/// A test case: classname, name, failure (message, type, text), system-out.
type Case = (
    String,
    String,
    Option<(String, String, String)>,
    Option<String>,
);

#[derive(Debug, Default)]
struct Junit {
    suites_attrs: BTreeMap<String, String>,
    suite_attrs: BTreeMap<String, String>,
    cases: Vec<Case>,
    suite_out: Option<String>,
    properties: BTreeMap<String, String>,
}

fn attrs(e: &quick_xml::events::BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                a.key.as_ref().to_string(),
                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .expect("attribute value")
                    .into_owned(),
            )
        })
        .collect()
}

fn parse_junit(xml: &str) -> Junit {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut j = Junit::default();
    let mut in_case = false;
    loop {
        match r
            .read_event()
            .unwrap_or_else(|e| panic!("JUnit is not XML: {e}\n{xml}"))
        {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "property" => {
                let a = attrs(&e);
                j.properties.insert(a["name"].clone(), a["value"].clone());
            }
            Event::Start(e) => match e.name().as_ref() {
                "testsuites" => j.suites_attrs = attrs(&e),
                "testsuite" => j.suite_attrs = attrs(&e),
                "testcase" => {
                    let a = attrs(&e);
                    j.cases
                        .push((a["classname"].clone(), a["name"].clone(), None, None));
                    in_case = true;
                }
                "failure" => {
                    let a = attrs(&e);
                    let text = r.read_text(QName("failure")).expect("failure text");
                    let text = quick_xml::escape::unescape(&text)
                        .expect("entities")
                        .into_owned();
                    j.cases.last_mut().expect("in a testcase").2 =
                        Some((a["message"].clone(), a["type"].clone(), text));
                }
                "system-out" => {
                    let text = r.read_text(QName("system-out")).expect("system-out text");
                    let text = quick_xml::escape::unescape(&text)
                        .expect("entities")
                        .into_owned();
                    if in_case {
                        j.cases.last_mut().expect("in a testcase").3 = Some(text);
                    } else {
                        j.suite_out = Some(text);
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "testcase" => in_case = false,
            Event::Eof => break,
            _ => {}
        }
    }
    j
}

#[test]
fn junit_has_one_testcase_per_pod_failing_at_the_threshold() {
    let e = engine();
    let r = sweep_of(fixture_pods(e));
    for (fail_on, name) in [
        (Some(Severity::Warning), "warning"),
        (Some(Severity::Critical), "critical"),
        (None, "never"),
    ] {
        let j = parse_junit(&render_sweep(&r, Format::Junit, &opts(), fail_on));
        let failing: Vec<&Diagnosis> = r
            .pods
            .iter()
            .filter(|d| matches!((fail_on, d.worst()), (Some(t), Some(w)) if w >= t))
            .collect();
        // A testcase per diagnosed pod, and one passing case for the healthy pods (counted, their
        // names not kept by this fixture).
        let cases = r.pods.len() + usize::from(r.healthy_pods > 0);
        assert_eq!(j.cases.len(), cases, "{name}: a testcase per pod");
        assert_eq!(j.suite_attrs["tests"], cases.to_string());
        assert_eq!(
            j.suite_attrs["failures"],
            failing.len().to_string(),
            "{name}"
        );
        assert_eq!(
            j.suites_attrs["failures"],
            failing.len().to_string(),
            "{name}"
        );
        assert_eq!(j.suite_attrs["errors"], "0");
        assert_eq!(j.suite_attrs["name"], "kubectl-diagnose");
        assert_eq!(
            j.cases.iter().filter(|c| c.2.is_some()).count(),
            failing.len(),
            "{name}"
        );
        for (case, d) in j.cases.iter().zip(&r.pods) {
            if let Some(Subject {
                name: Some(n),
                namespace,
                ..
            }) = &d.subject
            {
                assert_eq!(&case.1, n);
                assert_eq!(case.0, namespace.clone().unwrap_or_else(|| "-".into()));
            }
            if let Some((message, ty, text)) = &case.2 {
                let top = d
                    .findings
                    .iter()
                    .find(|f| fail_on.is_some_and(|t| f.severity >= t))
                    .expect("a failing finding");
                assert_eq!(ty, &top.id);
                assert_eq!(
                    message,
                    &top.title.split_whitespace().collect::<Vec<_>>().join(" ")
                );
                assert!(
                    text.contains("evidence: ") && text.contains("fix: "),
                    "{text}"
                );
            }
            // Every finding appears: in the failure or in system-out.
            for f in &d.findings {
                let tag = format!("[{}]", f.id);
                let n = case.2.as_ref().map_or(0, |x| x.2.matches(&tag).count())
                    + case.3.as_ref().map_or(0, |x| x.matches(&tag).count());
                assert!(n >= 1, "{} missing from testcase {}", f.id, case.1);
            }
        }
        let out = j.suite_out.as_deref().expect("suite system-out");
        assert!(out.contains("Not checked:") && out.contains("events of namespace shop"));
        assert_eq!(j.properties["scope"], "namespace shop");
        assert_eq!(j.properties["healthyPods"], "4");
    }

    // One pod: one suite, one case.
    let d = &examples(e)[0];
    let j = parse_junit(&render_pod(
        d,
        Format::Junit,
        &opts(),
        Some(Severity::Warning),
    ));
    assert_eq!(j.cases.len(), 1);
    assert_eq!(
        j.cases[0].1,
        d.subject
            .as_ref()
            .and_then(|s| s.name.clone())
            .expect("name")
    );
    assert!(j.cases[0].2.is_some());
}

#[test]
fn junit_escapes_markup_and_control_characters() {
    let e = engine();
    let mut d = examples(e).remove(0);
    d.findings[0].title = "bind <failed> & \"quoted\" ]]> \x1b[31m".into();
    d.findings[0].evidence[0].text = "a </failure><x> \u{ffff} \x07".into();
    let xml = render_pod(&d, Format::Junit, &opts(), Some(Severity::Info));
    assert!(!xml.contains('\x1b') && !xml.contains('\x07') && !xml.contains('\u{ffff}'));
    let j = parse_junit(&xml);
    let (message, _, text) = j.cases[0].2.clone().expect("failure");
    assert_eq!(message, "bind <failed> & \"quoted\" ]]> \\x1b[31m");
    assert!(text.contains("a </failure><x> \\u{ffff} \\x07"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_has_rules_results_and_notifications() {
    let e = engine();
    let r = sweep_of(fixture_pods(e));
    let text = render_sweep(&r, Format::Sarif, &opts(), None);
    let doc = json_of(&text);
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().is_some_and(|s| s.contains("sarif")));
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kubectl-diagnose");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "each rule once");
    for rule in rules {
        for k in ["shortDescription", "fullDescription", "help"] {
            assert!(
                rule[k]["text"].as_str().is_some_and(|s| !s.is_empty()),
                "{k} of {rule}"
            );
        }
        assert!(rule["properties"]["category"].is_string());
    }
    let results = run["results"].as_array().expect("results");
    let findings: Vec<(&Diagnosis, &Finding)> = r
        .pods
        .iter()
        .flat_map(|d| d.findings.iter().map(move |f| (d, f)))
        .collect();
    assert_eq!(results.len(), findings.len(), "one result per finding");
    let fired: BTreeSet<&str> = findings.iter().map(|(_, f)| f.id.as_str()).collect();
    assert_eq!(fired, unique, "rules are exactly the ids that appear");
    let mut fingerprints: BTreeMap<(String, String), String> = BTreeMap::new();
    for (res, (d, f)) in results.iter().zip(&findings) {
        let id = res["ruleId"].as_str().expect("ruleId");
        assert_eq!(id, f.id);
        let idx = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(ids[idx], id);
        let level = match f.severity {
            Severity::Critical => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(res["level"], level);
        let msg = res["message"]["text"].as_str().expect("message");
        assert!(msg.starts_with(&f.title), "{msg}");
        if let Some(ev) = f.evidence.first() {
            let phys = &res["locations"][0]["physicalLocation"];
            assert_eq!(
                phys["artifactLocation"]["uri"].as_str(),
                Some(ev.provenance.input.as_str()),
                "fixture paths need no encoding"
            );
            assert_eq!(phys["region"]["startLine"].as_u64(), ev.provenance.line);
        }
        if d.subject.as_ref().is_some_and(|s| s.name.is_some()) {
            assert_eq!(
                res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                pod_key(d)
            );
        }
        let fp = res["partialFingerprints"]["rulePod/v1"]
            .as_str()
            .expect("fingerprint")
            .to_string();
        let pod = res["properties"]["pod"].as_str().expect("pod").to_string();
        let old = fingerprints.insert((f.id.clone(), pod), fp.clone());
        assert!(
            old.is_none_or(|o| o == fp),
            "one fingerprint per (rule, pod)"
        );
    }
    let distinct: BTreeSet<&String> = fingerprints.values().collect();
    assert_eq!(
        distinct.len(),
        fingerprints.len(),
        "distinct per (rule, pod)"
    );
    // Stable: rendering again gives the same fingerprints.
    assert_eq!(text, render_sweep(&r, Format::Sarif, &opts(), None));
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(notes.iter().any(|n| n["message"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("events of namespace shop"))));

    // Live evidence has no file: the pod's pseudo-path, and its logical location.
    let mut live = examples(e).remove(0);
    live.cluster = Some(kubectl_diagnose::report::ClusterInfo {
        context: "prod".into(),
        namespace: "shop".into(),
        server: "https://10.0.0.1:6443".into(),
        requests: 6,
        ..Default::default()
    });
    let doc = json_of(&render_pod(&live, Format::Sarif, &opts(), None));
    let loc = &doc["runs"][0]["results"][0]["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        format!("k8s/{}", pod_key(&live).replacen('/', "/pod/", 1)),
        "{loc}"
    );
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1, "{loc}");
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        pod_key(&live)
    );
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands

#[test]
fn github_lines_are_workflow_commands_with_escaped_data() {
    let e = engine();
    let r = sweep_of(fixture_pods(e));
    let out = render_sweep(&r, Format::Github, &opts(), None);
    let grammar = regex::Regex::new(
        r"^::(error|warning|notice)( [a-z]+=[^,:\r\n]*(,[a-z]+=[^,:\r\n]*)*)?::[^\r\n]*$",
    )
    .expect("regex");
    let lines: Vec<&str> = out.lines().collect();
    let (summary, commands) = lines.split_last().expect("lines");
    // One annotation per rule across pods (explained symptoms and history left out), at most 10
    // per level, the rest folded into one notice.
    let annotated = |sev: Option<Severity>| -> Vec<String> {
        let mut ids: Vec<String> = r
            .pods
            .iter()
            .flat_map(|d| &d.findings)
            .filter(|f| f.is_current() && f.explained_by.is_empty())
            .filter(|f| sev.is_none_or(|s| f.severity == s))
            .map(|f| f.id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    assert!(
        annotated(None).len() > 10,
        "the fixtures overflow the limits"
    );
    for level in ["error", "warning", "notice"] {
        let n = commands
            .iter()
            .filter(|l| l.starts_with(&format!("::{level} ")))
            .count();
        assert!(n <= 10, "{n} {level} annotations");
    }
    let folded = commands
        .iter()
        .find(|l| l.starts_with("::notice title=More causes::"))
        .expect("a fold notice");
    assert!(
        folded.contains("more finding groups not annotated"),
        "{folded}"
    );
    for l in commands {
        assert!(grammar.is_match(l), "not a workflow command: {l}");
    }
    assert!(
        summary.starts_with("kubectl-diagnose: namespace shop:"),
        "{summary}"
    );
    assert!(commands
        .iter()
        .any(|l| l.starts_with("::warning title=Not checked::events of namespace shop")));
    let errors = commands
        .iter()
        .filter(|l| l.starts_with("::error "))
        .count();
    assert_eq!(errors, annotated(Some(Severity::Critical)).len().min(10));
    let counted_rest = regex::Regex::new(r", and \d+ more$").expect("regex");
    for id in annotated(None) {
        let with_id = commands
            .iter()
            .filter(|l| l.contains(&format!("[{id}]")))
            .count();
        // A folded group is named in the notice, unless the notice is full: then it ends by
        // counting the groups it could not name.
        let named = folded.contains(&format!("{id} ("));
        let counted = counted_rest.is_match(folded);
        assert!(
            with_id == 1 || (with_id == 0 && (named || counted)),
            "{id}: {with_id} annotations; fold notice: {folded}"
        );
    }
    assert!(commands
        .iter()
        .any(|l| l.contains(",file=testdata/") && l.contains(",line=")));

    // Untrusted text cannot end the command or start another.
    let mut d = examples(e).remove(0);
    d.findings[0].title = "port 80: in use,\n100%\r".into();
    d.findings[0].evidence[0].text = "line one\n::error::forged 100%".into();
    d.not_checked.push(NotChecked {
        what: "logs".into(),
        reason: "first\nsecond".into(),
    });
    let out = render_pod(&d, Format::Github, &opts(), None);
    let first = out.lines().next().expect("a command");
    assert!(
        first.starts_with(
            "::error title=port 80%3A in use%2C%0A100%25\\x0d [port-already-in-use],file="
        ),
        "{first}"
    );
    assert!(
        first.contains("\"line one ::error::forged 100%25\""),
        "{first}"
    );
    assert!(out.contains("::warning title=Not checked::logs: first%0Asecond\n"));
    assert!(!out.lines().any(|l| l.starts_with("::error::forged")));
    let groups = d
        .findings
        .iter()
        .filter(|f| f.is_current() && f.explained_by.is_empty())
        .count();
    assert_eq!(
        out.lines().count(),
        groups + 1 + usize::from(!d.next_steps.is_empty()) + 1,
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// Markdown and table

#[test]
fn markdown_has_the_findings_table_and_escapes_pipes() {
    let e = engine();
    let mut d = examples(e).remove(0);
    d.findings[0].evidence[0].text = "level=error | msg=`bind` failed".into();
    d.findings[0].title = "Port | <b>80</b>".into();
    let md = render_pod(&d, Format::Markdown, &opts(), None);
    assert!(md.starts_with("## kubectl-diagnose: Pod "), "{md}");
    assert!(md.contains("| # | Severity | Cause | Evidence |\n|---:|---|---|---|\n"));
    assert!(
        md.contains("`` level=error \\| msg=`bind` failed ``"),
        "{md}"
    );
    assert!(md.contains("Port \\| \\<b\\>80\\</b\\>"));
    // Every table row has exactly the header's five unescaped pipes.
    for row in md.lines().filter(|l| l.starts_with("| ")) {
        let unescaped = row
            .char_indices()
            .filter(|(i, c)| *c == '|' && (*i == 0 || !row[..*i].ends_with('\\')))
            .count();
        assert_eq!(unescaped, 5, "{row}");
    }
    assert!(md.contains("### Fixes") && md.contains("#### 1. "));
    assert!(md.contains("](https://"), "references are links");

    let r = sweep_of(examples(e));
    let md = render_sweep(&r, Format::Markdown, &opts(), None);
    assert!(md.starts_with("## kubectl-diagnose: namespace shop\n"));
    let causes = md.find("### Causes").expect("groups");
    let pods_table = md.find("### Pods").expect("pod table");
    let first_pod = md.find("<details>\n<summary>Pod ").expect("pods");
    assert!(
        causes < pods_table && pods_table < first_pod,
        "groups come first"
    );
    assert!(md.contains("### Not checked\n\n- **events of namespace shop**"));
}

#[test]
fn sweep_table_groups_counts_and_escapes() {
    let e = engine();
    let mut pods = examples(e);
    pods[1].findings[0].title.push_str(" \x1b[2J");
    let r = sweep_of(pods);
    let t = render_sweep(&r, Format::Table, &opts(), None);
    assert!(
        t.starts_with("namespace shop: 6 pods, 4 healthy, 2 need attention\n"),
        "{t}"
    );
    for g in &r.groups {
        assert!(t.contains(&format!("[{}]", g.cause)));
    }
    assert!(!t.contains('\x1b'), "terminal escapes are neutralised");
    assert!(t.contains("\\x1b[2J"));
    assert!(t.contains("Not checked:\n  - events of namespace shop: forbidden"));
    assert!(t.contains("Totals: 6 pods: 4 healthy, 2 need attention"));
    // Every format renders every pod of a sweep.
    for f in ALL {
        let out = render_sweep(&r, f, &opts(), Some(Severity::Warning));
        for d in &r.pods {
            let name = d
                .subject
                .as_ref()
                .and_then(|s| s.name.clone())
                .expect("name");
            assert!(out.contains(&name), "{f:?} lacks {name}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots of one small report

/// A small report with pinned texts: built by the pipeline from a real paste, then its rule-owned
/// texts replaced, so the snapshots change only when a renderer does (not when a rule's wording
/// does).
fn small_pod(name: &str) -> Diagnosis {
    let e = engine();
    let mut d = examples(e).remove(0);
    let prov = |line| Provenance {
        input: "testdata/examples/crashloop-port-conflict.txt".into(),
        line: Some(line),
        format: "log".into(),
    };
    let log = EvidenceItem {
        source: Source::Log,
        text: "2024-04-03 07:52:42 | ERROR | nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)".into(),
        label: "log of web (previous) ×5".into(),
        provenance: prov(108),
        container: Some("web".into()),
        previous: Some(true),
        node: None,
        count: Some(5),
        age_seconds: None,
    };
    let container = EvidenceItem {
        source: Source::Container,
        text: "Waiting: CrashLoopBackOff; Last State: Terminated: Error, exit code 1; Restart Count: 7".into(),
        label: "container web".into(),
        provenance: Provenance {
            format: "describe-pod".into(),
            ..prov(44)
        },
        container: Some("web".into()),
        previous: None,
        node: None,
        count: None,
        age_seconds: None,
    };
    let mut cause = d.findings[0].clone();
    cause.rank = 1;
    cause.id = "port-already-in-use".into();
    cause.title = "Container cannot bind port 80: address already in use".into();
    cause.severity = Severity::Critical;
    cause.category = "runtime".into();
    cause.kind = RuleKind::Cause;
    cause.detects = "A listen/bind failure with EADDRINUSE in the container's log.".into();
    cause.why = "Another process in the pod's network namespace holds the port.".into();
    cause.fix = "Port 80 is taken inside the pod. Find the listener (`ss -ltnp | grep :80`), then \
                 move this container to another port.\n1. Update containerPort and the Service's \
                 targetPort together.\n2. Roll the workload out again."
        .into();
    cause.fix_zh = None;
    cause.fix_platform = None;
    cause.generic_fix = None;
    cause.captures = BTreeMap::from([("port".to_string(), "80".to_string())]);
    cause.evidence = vec![log];
    cause.explains = vec!["crash-loop-back-off".into()];
    cause.explained_by = vec![];
    cause.corroboration = 1;
    cause.references = vec![
        Reference {
            seed: Some("002_ca294cb5d5ac965c.txt".into()),
            section: Some("3.3".into()),
            url: None,
            title: None,
        },
        Reference {
            seed: None,
            section: None,
            url: Some("https://kubernetes.io/docs/concepts/workloads/pods/#pod-networking".into()),
            title: Some("Kubernetes — pod networking".into()),
        },
    ];
    let mut symptom = cause.clone();
    symptom.rank = 2;
    symptom.id = "crash-loop-back-off".into();
    symptom.title = "Container web is in CrashLoopBackOff".into();
    symptom.severity = Severity::Warning;
    symptom.kind = RuleKind::Symptom;
    symptom.detects = "A container keeps exiting and kubelet backs off restarting it.".into();
    symptom.why = "A symptom: the process exits and kubelet waits before restarting it.".into();
    symptom.fix = "Read `kubectl logs <pod> -c web --previous` and fix what it shows.".into();
    symptom.captures = BTreeMap::from([("container".to_string(), "web".to_string())]);
    symptom.evidence = vec![container];
    symptom.explains = vec![];
    symptom.explained_by = vec!["port-already-in-use".into()];
    symptom.references = vec![];
    d.findings = vec![cause, symptom];
    d.subject = Some(Subject {
        kind: "Pod".into(),
        name: Some(name.into()),
        namespace: Some("shop".into()),
    });
    d.platform = None;
    d.cluster = None;
    d.not_checked = vec![NotChecked {
        what: "logs of container sidecar".into(),
        reason: "forbidden: User \"ci\" cannot get resource \"pods/log\"".into(),
    }];
    d.inputs = vec![InputSummary {
        name: "testdata/examples/crashloop-port-conflict.txt".into(),
        lines: 119,
        bytes: 6144,
        segments: vec![
            Segment {
                format: "describe-pod".into(),
                first_line: 2,
                last_line: 98,
            },
            Segment {
                format: "log".into(),
                first_line: 99,
                last_line: 119,
            },
        ],
    }];
    d
}

fn small_sweep() -> SweepReport {
    let mut other = small_pod("web-2");
    other.findings.truncate(1);
    other.not_checked.clear();
    let mut odd = small_pod("batch-1");
    odd.findings.clear();
    odd.not_checked.clear();
    SweepReport::new(
        Scope {
            kind: "namespace".into(),
            namespace: Some("shop".into()),
            label_selector: Some("tier=web".into()),
            ..Default::default()
        },
        6,
        3,
        vec![small_pod("web-1"), other, odd],
        vec![NotChecked {
            what: "node conditions".into(),
            reason: "forbidden: User \"ci\" cannot list resource \"nodes\" at the cluster scope"
                .into(),
        }],
    )
}

/// The tool's version appears in JSON, YAML and SARIF; keep the snapshots valid across releases.
fn unversioned(s: String) -> String {
    s.replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"[version]\"",
    )
    .replace(
        &format!("version: {}\n", env!("CARGO_PKG_VERSION")),
        "version: '[version]'\n",
    )
}

#[test]
fn snapshots_of_a_small_pod_report() {
    let d = small_pod("web-1");
    let t = opts();
    let w = Some(Severity::Warning);
    insta::assert_snapshot!("pod_table", render_pod(&d, Format::Table, &t, w));
    insta::assert_snapshot!("pod_json", unversioned(render_pod(&d, Format::Json, &t, w)));
    insta::assert_snapshot!("pod_yaml", unversioned(render_pod(&d, Format::Yaml, &t, w)));
    insta::assert_snapshot!("pod_junit", render_pod(&d, Format::Junit, &t, w));
    insta::assert_snapshot!(
        "pod_sarif",
        unversioned(render_pod(&d, Format::Sarif, &t, w))
    );
    insta::assert_snapshot!("pod_github", render_pod(&d, Format::Github, &t, w));
    insta::assert_snapshot!("pod_markdown", render_pod(&d, Format::Markdown, &t, w));
}

#[test]
fn snapshots_of_a_small_sweep_report() {
    let r = small_sweep();
    let t = opts();
    let w = Some(Severity::Warning);
    insta::assert_snapshot!("sweep_table", render_sweep(&r, Format::Table, &t, w));
    insta::assert_snapshot!(
        "sweep_json",
        unversioned(render_sweep(&r, Format::Json, &t, w))
    );
    insta::assert_snapshot!(
        "sweep_yaml",
        unversioned(render_sweep(&r, Format::Yaml, &t, w))
    );
    insta::assert_snapshot!("sweep_junit", render_sweep(&r, Format::Junit, &t, w));
    insta::assert_snapshot!(
        "sweep_sarif",
        unversioned(render_sweep(&r, Format::Sarif, &t, w))
    );
    insta::assert_snapshot!("sweep_github", render_sweep(&r, Format::Github, &t, w));
    insta::assert_snapshot!("sweep_markdown", render_sweep(&r, Format::Markdown, &t, w));
}

#[test]
fn the_small_reports_validate_too() {
    let v = validator();
    let d = small_pod("web-1");
    assert_valid(
        &v,
        &json_of(&render_pod(&d, Format::Json, &opts(), None)),
        "small pod",
    );
    let r = small_sweep();
    assert_valid(
        &v,
        &json_of(&render_sweep(&r, Format::Json, &opts(), None)),
        "small sweep",
    );
}

// ---------------------------------------------------------------------------------------------
// Markdown bounds and hostile text

/// A Markdown line without its code spans (a run of n backticks up to the next run of exactly n):
/// what is left is what GitHub would parse as markup or HTML.
fn outside_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            // A backslash escape: the next character is literal (an escaped backtick opens nothing).
            out.push(chars[i]);
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut n = 0;
        while i + n < chars.len() && chars[i + n] == '`' {
            n += 1;
        }
        // Find the closing run of exactly n backticks.
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let mut m = 0;
                while j + m < chars.len() && chars[j + m] == '`' {
                    m += 1;
                }
                if m == n {
                    close = Some(j + m);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => i = end,
            None => {
                out.extend(std::iter::repeat_n('`', n));
                i += n;
            }
        }
    }
    out
}

/// Whether `pat` occurs in `s` not preceded by a backslash (which makes Markdown read it literally).
fn unescaped(s: &str, pat: &str) -> bool {
    s.match_indices(pat)
        .any(|(i, _)| i == 0 || !s[..i].ends_with('\\'))
}

fn hostile_pod(name: &str) -> Diagnosis {
    let mut d = small_pod(name);
    let evil = "`x` ``` </details> <script>alert(1)</script> | *b* [l](javascript:x) \u{1b}[2J";
    d.findings[0].title = format!("Title </details><script>t</script> {evil}");
    d.findings[0].evidence[0].text = evil.to_string();
    d.findings[0].evidence[0].label = "label </details>".into();
    d.findings[0].fix = format!("Fix with `kubectl get pod {evil}` and then {evil}");
    d.not_checked[0].reason = evil.to_string();
    d
}

#[test]
fn markdown_escapes_hostile_text_out_of_html_and_code_spans() {
    let pods = vec![hostile_pod("web-1"), hostile_pod("evil</details><script>")];
    let r = SweepReport::new(
        Scope {
            kind: "namespace".into(),
            namespace: Some("shop".into()),
            ..Default::default()
        },
        2,
        0,
        pods,
        vec![],
    );
    let single = render_pod(&r.pods[0], Format::Markdown, &opts(), None);
    let sweep = render_sweep(&r, Format::Markdown, &opts(), None);
    for (what, md) in [("pod", &single), ("sweep", &sweep)] {
        assert!(!md.contains('\u{1b}'), "{what}: raw escape");
        let mut opened = 0;
        let mut closed = 0;
        for line in md.lines() {
            let rest = outside_code_spans(line);
            assert!(!unescaped(&rest, "<script"), "{what}: live HTML in {line}");
            assert!(
                !unescaped(&rest, "](javascript"),
                "{what}: a live link in {line}"
            );
            opened += rest.matches("<details>").count();
            closed += rest.matches("</details>").count();
            if rest.trim_start().starts_with('<') {
                assert!(
                    ["<details>", "</details>", "<summary>"]
                        .iter()
                        .any(|t| rest.trim_start().starts_with(t)),
                    "{what}: an HTML block from untrusted text: {line}"
                );
            }
        }
        let expected = if what == "sweep" { r.pods.len() } else { 0 };
        assert_eq!(opened, expected, "{what}:\n{md}");
        assert_eq!(closed, expected, "{what}:\n{md}");
    }
    // The summary of the hostile pod is HTML-escaped.
    assert!(
        sweep.contains("<summary>Pod shop/evil&lt;/details&gt;&lt;script&gt;"),
        "{sweep}"
    );
}

#[test]
fn markdown_of_a_large_sweep_fits_a_github_comment_and_says_what_was_left_out() {
    let pods: Vec<Diagnosis> = (0..300)
        .map(|i| {
            let mut d = small_pod(&format!("web-{i:03}"));
            d.findings[0].evidence[0].text = format!("{i} {}", "x".repeat(280));
            d
        })
        .collect();
    let r = SweepReport::new(
        Scope {
            kind: "namespace".into(),
            namespace: Some("shop".into()),
            ..Default::default()
        },
        300,
        0,
        pods,
        vec![],
    );
    let md = render_sweep(&r, Format::Markdown, &opts(), None);
    let n = md.chars().count();
    assert!(n <= kubectl_diagnose::output::MAX_MARKDOWN_CHARS, "{n}");
    assert!(n > 50_000, "the bound is used, not a tiny cut: {n}");
    let shown = md.matches("<details>").count();
    assert_eq!(shown, md.matches("</details>").count());
    assert!(shown > 5 && shown < 300, "{shown}");
    assert!(
        md.contains(&format!(
            "The details of {} pods are left out to fit GitHub's 65,536-character comment limit",
            300 - shown
        )),
        "{}",
        &md[md.len() - 2000..]
    );
    // The summary tables come first and are bounded too.
    let pods_table = md.find("### Pods").expect("pods table");
    assert!(pods_table < md.find("<details>").expect("details"));
    assert!(md.contains("200 more pods are not in this table"));
    assert!(md.contains("and 290 more"), "causes name 10 pods");
}

#[test]
fn junit_case_text_is_bounded() {
    let mut d = small_pod("web-1");
    d.findings[0].fix = "step\n".repeat(10_000);
    d.findings[1].fix = "other\n".repeat(10_000);
    let x = render_pod(&d, Format::Junit, &opts(), Some(Severity::Warning));
    let j = parse_junit(&x);
    assert_eq!(j.cases.len(), 1);
    let failure = x
        .split("<failure")
        .nth(1)
        .and_then(|s| s.split("</failure>").next())
        .expect("a failure");
    // 16,000 characters of text at most (XML entities may lengthen it a little).
    assert!(failure.chars().count() < 16_500, "{}", failure.len());
    assert!(x.len() < 40_000, "{}", x.len());
}
