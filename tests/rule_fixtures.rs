//! Registry-wide proof of the rule catalog: every rule loads, has the required documentation and a
//! reference, and is proven by its fixtures under `testdata/rules/<id>/`: each `fires-*` input makes
//! the rule fire and rank first; each `ok-*` input (a near miss) must not fire it.

use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::rules::{RuleKind, RuleSet, Severity};
use kubectl_diagnose::{diagnose, parse, report::Diagnosis};
use std::path::{Path, PathBuf};

const SEEDS: &[&str] = &[
    "000_d1cfab7032ac1993.txt",
    "001_ac2bba0eee350c23.txt",
    "002_ca294cb5d5ac965c.txt",
    "003_98d0b345ff64e746.txt",
    "004_fda3709a890684f6.txt",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn builtin() -> (RuleSet, Engine) {
    let set = RuleSet::builtin().expect("built-in rules load");
    set.check_links().expect("explains links are valid");
    let engine = Engine::new(&set).expect("engine builds");
    (set, engine)
}

fn run(engine: &Engine, path: &Path) -> Diagnosis {
    let mut ev = Evidence::new();
    let inputs = parse::parse_path(path, engine, &mut ev)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    diagnose(engine, &ev, inputs)
}

fn fixtures(id: &str, prefix: &str) -> Vec<PathBuf> {
    let dir = root().join("testdata/rules").join(id);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_rule_has_docs_references_and_both_kinds_of_fixture() {
    let (set, _) = builtin();
    assert!(
        set.rules.len() >= 11,
        "expected the documented catalog, found {}",
        set.rules.len()
    );
    let mut problems = Vec::new();
    for r in &set.rules {
        let file = root().join("rules").join(format!("{}.yaml", r.id));
        if !file.exists() {
            problems.push(format!(
                "{}: file name must be rules/{}.yaml",
                r.origin, r.id
            ));
        }
        for reference in &r.references {
            if let Some(seed) = &reference.seed {
                if !SEEDS.contains(&seed.as_str()) {
                    problems.push(format!("{}: unknown seed document {seed}", r.id));
                }
                if reference.section.is_none() {
                    problems.push(format!("{}: seed reference {seed} needs a section", r.id));
                }
            }
        }
        if fixtures(&r.id, "fires-").is_empty() {
            problems.push(format!(
                "{}: no testdata/rules/{}/fires-* fixture",
                r.id, r.id
            ));
        }
        if fixtures(&r.id, "ok-").is_empty() {
            problems.push(format!("{}: no testdata/rules/{}/ok-* fixture", r.id, r.id));
        }
    }
    assert!(
        problems.is_empty(),
        "catalog problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_fires_fixture_fires_its_rule_at_rank_one() {
    let (set, engine) = builtin();
    let mut problems = Vec::new();
    let mut checked = 0;
    for r in &set.rules {
        for f in fixtures(&r.id, "fires-") {
            checked += 1;
            let d = run(&engine, &f);
            let ids: Vec<&str> = d.findings.iter().map(|x| x.id.as_str()).collect();
            match d.findings.first() {
                Some(top) if top.id == r.id => {
                    if top.evidence.is_empty() {
                        problems.push(format!("{}: {} fired without evidence", f.display(), r.id));
                    }
                    if top.fix.contains("{{") || top.title.contains("{{") {
                        problems.push(format!(
                            "{}: {} left a placeholder unrendered",
                            f.display(),
                            r.id
                        ));
                    }
                }
                _ => problems.push(format!(
                    "{}: expected {} at rank 1, got {:?}",
                    f.strip_prefix(root()).unwrap_or(&f).display(),
                    r.id,
                    ids
                )),
            }
        }
    }
    assert!(
        checked >= set.rules.len(),
        "too few fires fixtures: {checked}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_ok_fixture_fires_its_rule() {
    let (set, engine) = builtin();
    let mut problems = Vec::new();
    for r in &set.rules {
        for f in fixtures(&r.id, "ok-") {
            let d = run(&engine, &f);
            if let Some(hit) = d.findings.iter().find(|x| x.id == r.id) {
                problems.push(format!(
                    "{}: {} must not fire, but did on {:?}",
                    f.strip_prefix(root()).unwrap_or(&f).display(),
                    r.id,
                    hit.evidence.iter().map(|e| &e.text).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn causes_with_fixtures_rank_above_the_symptoms_they_explain() {
    let (set, engine) = builtin();
    for r in set
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Cause && !r.explains.is_empty())
    {
        for f in fixtures(&r.id, "fires-") {
            let d = run(&engine, &f);
            for s in d.findings.iter().filter(|x| r.explains.contains(&x.id)) {
                assert!(
                    s.explained_by.contains(&r.id),
                    "{}: symptom {} should be explained by {}",
                    f.display(),
                    s.id,
                    r.id
                );
                assert!(
                    s.rank > 1,
                    "{}: symptom {} outranks its cause",
                    f.display(),
                    s.id
                );
            }
        }
    }
}

#[test]
fn healthy_pods_produce_no_critical_or_warning_finding() {
    let (_, engine) = builtin();
    let dir = root().join("testdata/healthy");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("testdata/healthy exists") {
        let p = e.expect("dir entry").path();
        n += 1;
        let d = run(&engine, &p);
        let bad: Vec<_> = d
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| f.id.clone())
            .collect();
        assert!(
            bad.is_empty(),
            "{}: healthy pod produced {:?}",
            p.display(),
            bad
        );
        assert!(
            d.subject.is_some(),
            "{}: the healthy pod should still be recognised as a pod",
            p.display()
        );
    }
    assert!(n >= 2, "expected at least two healthy fixtures");
}

#[test]
fn readme_catalog_lists_every_rule() {
    let (set, _) = builtin();
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let missing: Vec<&str> = set
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !readme.contains(&format!("`{id}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md does not list {missing:?}; run `python3 scripts/rules-table.py`"
    );
}
