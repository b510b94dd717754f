//! The real-world corpus, scored on every test run.
//!
//! `testdata/realworld/*.cases.yaml` list cases; each case's input is `testdata/realworld/cases/<id>.txt`,
//! verbatim machine output found in a public issue thread or Q&A page (the manifest records the URL),
//! pasted as a user would paste it. Each case says which rule must rank first (`expect`) or that it is
//! healthy (`healthy: true`: no critical or warning finding allowed).
//!
//! The test prints top-1, top-3 and "nothing found" per failure family and per input shape, and fails when
//! the corpus or the scores fall under the thresholds below. `REALWORLD_VERBOSE=1` lists every case that
//! is not right at top-1 with what ranked first instead.

use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::rules::{RuleSet, Severity};
use kubectl_diagnose::{diagnose, parse};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Input shapes (what was pasted), as documented in testdata/realworld/README.md.
const SHAPES: &[&str] = &[
    "describe",
    "describe-fragment",
    "event-table",
    "get-pods",
    "yaml-json",
    "message-line",
    "journal",
    "logs",
    "mixed",
];

/// Failure families.
const FAMILIES: &[&str] = &[
    "oom",
    "probe",
    "image-unpack",
    "run-as-non-root",
    "x509-pull",
    "multi-attach",
    "job",
    "node-not-ready",
    "executable-not-found",
    "start-error",
    "disk-imagegc",
    "gpu",
    "init-container",
    "scheduling",
    "eviction",
    "registry-timeout",
    "image-not-found",
    "image-auth",
    "image-invalid",
    "config-missing",
    "volume-mount",
    "crashloop-app",
    "port-conflict",
    "dns",
    "cni-ip",
    "sandbox",
    "admission",
    "rate-limit",
    "subnet-ip",
    "network-egress",
    "elb",
    "storage-provisioning",
    "certificates",
    "kernel-limits",
    "autoscaling",
    "other",
    "healthy",
];

/// The thresholds the corpus must meet. Percentages are of failure cases.
///
/// Issue 8's targets are top-1 >= 90 %, "nothing found" <= 3 % and every input shape >= 80 %. The
/// figures below are a ratchet at what the tool achieves: a change that makes any of them worse fails
/// this test. Raise them as the tool improves; never lower them to pass. They were re-based once, when
/// corpus-d (175 pastes collected after the tool was tuned on corpora a-c, as a hold-out) was added:
/// on 507 failure cases top-1 fell from 86.2 % to 78.1 % and "nothing found" rose to 16.2 %, the
/// weakest shape being `describe` at 53.8 %. That drop is the honest measure of generalisation.
/// After the fixes for the classes those misses showed: top-1 95.5 %, nothing found 3.2 %, weakest
/// shape `mixed` at 84.4 %. Then corpus-e (91 more hold-out pastes from other projects, 83 failures)
/// was added untouched: on 590 failure cases top-1 92.0 %, nothing found 5.4 %, weakest shape
/// `get-pods` at 83.3 %; on corpus-e alone about 65 % top-1, the figure that says how far the tool
/// generalises today. Then corpus-f (142 more hold-out pastes from 91 repositories, 122 failures) was
/// added untouched: on 712 failure cases top-1 88.6 %, nothing found 8.0 %, weakest shape `get-pods`
/// at 75.6 %; corpus-f alone 71.3 % top-1 and 20.5 % nothing found (the "by manifest" table). After
/// the fixes for the classes corpus-e's and corpus-f's misses showed: top-1 93.8 %, nothing found
/// 2.0 %, weakest shape `get-pods` at 85.4 %. Then corpus-g (128 pastes from 95 sources, collected
/// sealed while those fixes were made, 111 failures) was added: it scored 67.6 % top-1 and 25.2 %
/// nothing found, so the fixes generalise less than the figures above suggest; on 823 failure
/// cases top-1 90.3 %, nothing found 5.1 %, weakest shape `get-pods` at 80.9 %. One of its healthy
/// cases was relabelled (see its note): a bare readiness-failure line, the same input as two failure
/// cases. After the fixes for corpus-f's classes and a first pass over corpus-g's: top-1 92.8 %,
/// nothing found 4.9 %, weakest shape `get-pods` at 80.9 % (corpus-g itself 73.9 %). After the
/// rule-side fixes for corpus-g's classes: top-1 94.8 %, nothing found 3.3 % (most of what is left
/// holds no evidence of its cause: a get-pods listing of Pending pods, a describe cut before it).
/// Then corpus-i (117 pastes, 102 failures, mostly from blogs, runbooks, vendor knowledge bases and
/// repositories no other manifest used) was added untouched: it scored 58.8 % top-1 and 36.3 %
/// nothing found, the weakest hold-out yet; on 925 failure cases top-1 90.8 %, nothing found 6.9 %,
/// weakest shape `get-pods` at 73.2 %. The rule and parser helpers then worked on failure classes
/// enumerated from kubelet, scheduler, runtime and library source (and on corpus-i's misses) while
/// corpus-h (142 pastes from 92 repositories) stayed sealed: it scored about 59 % top-1 and 38 %
/// nothing found against the build it was collected with, and 55.1 % / 22.8 % against the build
/// with that work; 72.1 % once the cases whose `wants` named a class that now has a rule accept
/// that rule. Two of its healthy cases are relabelled (a bare startup-probe line and a bare
/// FailedMount line; see their notes). On 1,054 failure cases: top-1 90.7 %, nothing found 5.9 %,
/// weakest shape `describe` at 79.3 %. After corpus-h's and corpus-i's classes were worked on:
/// top-1 92.0 %, nothing found 5.2 % (corpus-h 74.4 %, corpus-i 88.2 %). Then corpus-j (137 pastes
/// from 106 repositories, 119 failures), collected sealed at the start of that work and scored only
/// at its end, was added: 58.0 % top-1 and 21.8 % nothing found on its own labels, 69.7 % once the
/// cases whose `wants` named a class that now has a rule accept it. One of its healthy cases showed
/// a false alarm (a node NotReady 5 s after it joined), fixed by class before it was added. On 1,173
/// failure cases: top-1 89.8 %, nothing found 6.9 %, weakest shape `describe` at 70.4 %. The next
/// session's work (status read from cut describes and status objects, kubelet/scheduler/runtime
/// wordings checked against source, log classes) brought that corpus to top-1 92.2 %, nothing found
/// 4.6 %, every shape >= 81.4 % (corpus-h 81.4 %, corpus-j 84.9 %). Meanwhile corpus-k (147
/// pastes, mostly GitHub threads, 129 failures) and corpus-l (155 pastes including about 30 from
/// Chinese sources, 138 failures) were collected sealed and scored only at the end: corpus-k 60.2 %
/// top-1 / 32.0 % nothing found against the build they were collected with and 64.3 % / 27.1 %
/// against the session's final build; corpus-l 70.3 % / 21.0 % then and 72.5 % / 19.6 % at the end.
/// One corpus-k healthy case was relabelled (its CoreDNS lines are the same as a failure case's;
/// see its note). On 1,440 failure cases: top-1 87.8 %, nothing found 8.1 %, weakest shape
/// `describe` at 77.6 %. After the first class their misses showed (a describe cut before its events
/// while the containers wait in ContainerCreating): top-1 88.2 %, nothing found 7.6 %, weakest shape
/// `yaml-json` at 78.2 %. Session 7 collected three more sealed hold-outs at its start and scored
/// them against the build of the session before: corpus-m (140 pastes from infrastructure
/// repositories, 124 failures) 64.5 % top-1 / 25.0 % nothing found, corpus-n (139 pastes from
/// application, operator and chart repositories and Chinese pages, 124 failures) 72.6 % / 18.5 %;
/// both were added at once as training data (one corpus-m healthy case alarmed, an Azure disk attach
/// retried until it succeeded: fixed by class, `resolved_by` on volume-attach-failed, before they
/// were added). On 1,688 failure cases: top-1 85.3 %, nothing found 9.7 %, weakest shape
/// `yaml-json` at 74.3 %. A third (corpus-o: 144 pastes, 126 failures, from GitHub threads of
/// application and infrastructure projects) stayed sealed until session 8 and was scored once
/// against the merged work of session 7: 82.5 % top-1 and 15.1 % nothing found (77.8 % / 19.0 %
/// against the build it was collected with), then added as training data. On 1,814 failure cases
/// (the work of session 7 merged): top-1 90.96 %, nothing found 5.84 %, weakest shape `yaml-json` at
/// 78.6 %, no healthy alarm. Session 8's class work (YAML/JSON state pasted without its list,
/// Go-cased field names, headerless wide event rows, pod status lines alone, journal and log
/// wordings) brought those 1,814 cases to top-1 92.4 %, nothing found 4.4 % (corpus-o 90.5 %).
/// Meanwhile corpus-p (126 pastes, 110 failures, 43 % from outside GitHub: Q&A sites, blogs,
/// vendor knowledge bases, runbooks) was collected sealed and scored once at the end: 78.2 % top-1,
/// 8.2 % nothing found, one healthy alarm (a pg_isready wait loop that later got its answer; fixed
/// by class before it was added). On 1,924 failure cases: top-1 91.63 %, nothing found 4.63 %,
/// weakest shape `yaml-json` at 81.65 %, no healthy alarm. Session 9 collected corpus-q (150
/// pastes, 133 failures, 59 % from outside GitHub) sealed at its start and scored it once against
/// session 8's build: 84.2 % top-1, 9.0 % nothing found, no healthy alarm. On 2,057 failure cases:
/// top-1 91.20 %, nothing found 4.86 %, weakest shape `yaml-json` at 82.5 %. Session 9's class work
/// (corpus-q's misses, and the classes behind the other nothing-found cases: old describe rows cut
/// at any column, per-node scheduler verdicts, k9s and crictl layouts, status cut before its
/// reason, more runtime and application wordings, new rules for a node without a pod CIDR and an
/// uninitialised CockroachDB) brought the 2,057 failure cases to top-1 93.24 %, nothing found
/// 2.97 % (61 cases), weakest shape `yaml-json` at 84.2 %, no healthy alarm (corpus-q 96.2 %).
const MIN_FAILURE_CASES: usize = 150;
const MIN_HEALTHY_CASES: usize = 15;
const MIN_TOP1_PERCENT: f64 = 93.2;
const MAX_NOTHING_PERCENT: f64 = 3.0;
const MIN_CASES_PER_SHAPE: usize = 5;
const MIN_SHAPE_TOP1_PERCENT: f64 = 84.1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    source: String,
    shape: String,
    family: String,
    #[serde(default)]
    expect: Vec<String>,
    #[serde(default)]
    healthy: bool,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    /// The failure class a case needs when no rule names it yet (its `expect` is then the nearest rule).
    #[serde(default)]
    #[allow(dead_code)]
    wants: Option<String>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    cases: usize,
    top1: usize,
    top3: usize,
    nothing: usize,
}

impl Tally {
    fn add(&mut self, top1: bool, top3: bool, nothing: bool) {
        self.cases += 1;
        self.top1 += top1 as usize;
        self.top3 += top3 as usize;
        self.nothing += nothing as usize;
    }
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/realworld")
}

fn load_cases() -> (Vec<(String, Case)>, Vec<String>) {
    let mut problems = Vec::new();
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(root())
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.ends_with(".cases.yaml"))
                })
                .collect()
        })
        .unwrap_or_default();
    manifests.sort();
    let mut cases = Vec::new();
    for m in &manifests {
        let name = m
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let text = match std::fs::read_to_string(m) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        match serde_yaml::from_str::<Vec<Case>>(&text) {
            Ok(list) => cases.extend(list.into_iter().map(|c| (name.clone(), c))),
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    (cases, problems)
}

#[test]
fn realworld_corpus_meets_the_thresholds() {
    let set = RuleSet::builtin().expect("built-in rules load");
    let engine = Engine::new(&set).expect("engine builds");
    let known: BTreeSet<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();

    let (cases, mut problems) = load_cases();
    let mut ids = BTreeSet::new();
    for (m, c) in &cases {
        if !ids.insert(c.id.clone()) {
            problems.push(format!("{m}: duplicate id {}", c.id));
        }
        if !SHAPES.contains(&c.shape.as_str()) {
            problems.push(format!("{m}: {}: unknown shape {}", c.id, c.shape));
        }
        if !FAMILIES.contains(&c.family.as_str()) {
            problems.push(format!("{m}: {}: unknown family {}", c.id, c.family));
        }
        if !(c.source.starts_with("https://")
            || c.source.starts_with("http://")
            || c.source.starts_with("seed:"))
        {
            problems.push(format!("{m}: {}: source must be a URL", c.id));
        }
        if c.healthy != c.expect.is_empty() {
            problems.push(format!(
                "{m}: {}: a case is either healthy (expect: []) or expects a rule",
                c.id
            ));
        }
        if c.healthy != (c.family == "healthy") {
            problems.push(format!("{m}: {}: family healthy <=> healthy: true", c.id));
        }
        for e in &c.expect {
            if !known.contains(e.as_str()) {
                problems.push(format!("{m}: {}: expects unknown rule {e}", c.id));
            }
        }
        if !root().join("cases").join(format!("{}.txt", c.id)).is_file() {
            problems.push(format!("{m}: {}: cases/{}.txt is missing", c.id, c.id));
        }
    }
    // Every input file is listed.
    if let Ok(rd) = std::fs::read_dir(root().join("cases")) {
        for e in rd.filter_map(Result::ok) {
            let n = e.file_name().to_string_lossy().to_string();
            match n.strip_suffix(".txt") {
                Some(id) if ids.contains(id) => {}
                _ => problems.push(format!("cases/{n} is in no manifest")),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "corpus manifest problems:\n  {}",
        problems.join("\n  ")
    );

    let verbose = std::env::var_os("REALWORLD_VERBOSE").is_some();
    let mut by_family: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_shape: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_manifest: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    let mut healthy = 0usize;
    let mut healthy_alarms = Vec::new();
    let mut misses = Vec::new();
    for (manifest, c) in &cases {
        let path = root().join("cases").join(format!("{}.txt", c.id));
        let mut ev = Evidence::new();
        let findings = match parse::parse_path(&path, &engine, &mut ev) {
            Ok(inputs) => diagnose(&engine, &ev, inputs).findings,
            // An input the tool refuses counts as "nothing found" (and a healthy case that is refused
            // is not an alarm: the CLI tests pin the error itself).
            Err(_) => Vec::new(),
        };
        if c.healthy {
            healthy += 1;
            let alarms: Vec<String> = findings
                .iter()
                .filter(|f| f.severity >= Severity::Warning)
                .map(|f| format!("{} ({:?})", f.id, f.severity))
                .collect();
            if !alarms.is_empty() {
                healthy_alarms.push(format!("{}: {}", c.id, alarms.join(", ")));
            }
            continue;
        }
        let top1 = findings.first().is_some_and(|f| c.expect.contains(&f.id));
        let top3 = findings.iter().take(3).any(|f| c.expect.contains(&f.id));
        let nothing = findings.is_empty();
        all.add(top1, top3, nothing);
        by_family
            .entry(c.family.clone())
            .or_default()
            .add(top1, top3, nothing);
        by_shape
            .entry(c.shape.clone())
            .or_default()
            .add(top1, top3, nothing);
        by_manifest
            .entry(manifest.clone())
            .or_default()
            .add(top1, top3, nothing);
        if !top1 {
            let got: Vec<&str> = findings.iter().take(3).map(|f| f.id.as_str()).collect();
            misses.push(format!(
                "{} [{} / {}]: expected {}, got {}",
                c.id,
                c.family,
                c.shape,
                c.expect.join("|"),
                if got.is_empty() {
                    "nothing".to_string()
                } else {
                    got.join(", ")
                }
            ));
        }
    }

    let row = |name: &str, t: &Tally| {
        format!(
            "{name:<22} {:>5} {:>6.1}% {:>6.1}% {:>6.1}%",
            t.cases,
            pct(t.top1, t.cases),
            pct(t.top3, t.cases),
            pct(t.nothing, t.cases)
        )
    };
    let header = format!(
        "{:<22} {:>5} {:>7} {:>7} {:>7}",
        "", "cases", "top-1", "top-3", "nothing"
    );
    println!("\nreal-world corpus, by family\n{header}");
    for (k, t) in &by_family {
        println!("{}", row(k, t));
    }
    println!("\nby input shape\n{header}");
    for (k, t) in &by_shape {
        println!("{}", row(k, t));
    }
    // Each manifest was collected at a different time: a hold-out's own figure, taken before the
    // fixes its misses prompted, says how far the tool generalises to pastes it was not tuned on.
    println!("\nby manifest\n{header}");
    for (k, t) in &by_manifest {
        println!("{}", row(k, t));
    }
    println!("\n{}", row("all failure cases", &all));
    println!(
        "healthy cases: {healthy}, with a warning or critical finding: {}",
        healthy_alarms.len()
    );
    if verbose {
        println!("\nnot right at top-1:\n  {}", misses.join("\n  "));
    }

    let mut failures = Vec::new();
    if all.cases < MIN_FAILURE_CASES {
        failures.push(format!(
            "{} failure cases, at least {MIN_FAILURE_CASES} required",
            all.cases
        ));
    }
    if healthy < MIN_HEALTHY_CASES {
        failures.push(format!(
            "{healthy} healthy cases, at least {MIN_HEALTHY_CASES} required"
        ));
    }
    if pct(all.top1, all.cases) < MIN_TOP1_PERCENT {
        failures.push(format!(
            "top-1 {:.1}% < {MIN_TOP1_PERCENT}%",
            pct(all.top1, all.cases)
        ));
    }
    if pct(all.nothing, all.cases) > MAX_NOTHING_PERCENT {
        failures.push(format!(
            "nothing found {:.1}% > {MAX_NOTHING_PERCENT}%",
            pct(all.nothing, all.cases)
        ));
    }
    for s in SHAPES {
        let t = by_shape.get(*s).copied().unwrap_or_default();
        if t.cases < MIN_CASES_PER_SHAPE {
            failures.push(format!(
                "shape {s}: {} cases, at least {MIN_CASES_PER_SHAPE} required",
                t.cases
            ));
        } else if pct(t.top1, t.cases) < MIN_SHAPE_TOP1_PERCENT {
            failures.push(format!(
                "shape {s}: top-1 {:.1}% < {MIN_SHAPE_TOP1_PERCENT}%",
                pct(t.top1, t.cases)
            ));
        }
    }
    if !healthy_alarms.is_empty() {
        failures.push(format!(
            "healthy cases raised alarms:\n    {}",
            healthy_alarms.join("\n    ")
        ));
    }
    assert!(
        failures.is_empty(),
        "real-world corpus under its thresholds:\n  {}\n(run with REALWORLD_VERBOSE=1 -- --nocapture to list the misses)",
        failures.join("\n  ")
    );
}
