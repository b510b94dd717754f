//! Rule tooling for people who write rules: `rules list`, `rules show ID`, `rules lint [DIR]` and
//! `rules test [DIR]`.
//!
//! `lint` checks every file on its own (so one bad file does not hide the next) and then the set as a
//! whole: schema, regexes, required docs, unique ids, `explains` links, fixtures present. `test` runs
//! each rule against its fixtures with the same convention as the built-in catalog: files named
//! `fires-*` must make the rule fire and rank first, files named `ok-*` must not fire it. Fixtures of
//! the built-in rules are embedded in the binary, so `rules test` works from an installed binary; for
//! a directory `DIR`, a rule `DIR/<id>.yaml` has its fixtures in `DIR/<id>/` or
//! `DIR/../testdata/rules/<id>/`.

use crate::engine::Engine;
use crate::evidence::Evidence;
use crate::parse;
use crate::rules::{Rule, RuleError, RuleKind, RuleSet};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Fixtures of the built-in rules.
pub static BUILTIN_FIXTURES: include_dir::Dir<'_> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/testdata/rules");

/// One row of `rules list -o json` (and of the MCP `list_rules` tool) per rule.
pub fn rule_rows(set: &RuleSet) -> Vec<serde_json::Value> {
    set.rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id, "title": r.title, "severity": r.severity,
                "category": r.category, "kind": r.kind, "source": r.origin,
                "platforms": r.platforms.keys().map(|p| p.id()).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The one-line error for an unknown rule id, with close ids as suggestions.
pub fn unknown_rule_message(set: &RuleSet, id: &str) -> String {
    let close: Vec<&str> = set
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|x| {
            x.contains(id) || id.contains(*x) || x.split('-').any(|w| w.len() > 3 && id.contains(w))
        })
        .take(5)
        .collect();
    format!(
        "no rule with id `{id}`{}; `kubectl-diagnose rules list` shows them all",
        if close.is_empty() {
            String::new()
        } else {
            format!(" (did you mean: {})", close.join(", "))
        }
    )
}

/// One problem found by `rules lint`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LintIssue {
    /// `file:line:column` or `file`.
    pub location: String,
    pub message: String,
    /// `error` makes lint fail; `warning` does not.
    pub level: &'static str,
}

/// A fixture: its name and bytes.
pub struct Fixture {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Where fixtures come from.
pub enum FixtureSource {
    Builtin,
    Dir(PathBuf),
}

impl FixtureSource {
    /// Fixtures of rule `id`, sorted by name.
    pub fn fixtures(&self, id: &str) -> Vec<Fixture> {
        let mut out = Vec::new();
        match self {
            FixtureSource::Builtin => {
                if let Some(d) = BUILTIN_FIXTURES.get_dir(id) {
                    for f in d.files() {
                        out.push(Fixture {
                            name: format!("testdata/rules/{}", f.path().display()),
                            bytes: f.contents().to_vec(),
                        });
                    }
                }
            }
            FixtureSource::Dir(dir) => {
                let candidates = [
                    dir.join(id),
                    dir.join("..").join("testdata").join("rules").join(id),
                ];
                for c in candidates {
                    let Ok(rd) = std::fs::read_dir(&c) else {
                        continue;
                    };
                    for e in rd.flatten() {
                        let p = e.path();
                        if p.is_file() {
                            if let Ok(bytes) = std::fs::read(&p) {
                                out.push(Fixture {
                                    name: p.display().to_string(),
                                    bytes,
                                });
                            }
                        }
                    }
                    if !out.is_empty() {
                        break;
                    }
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

fn file_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Lint the built-in rules, or the rules in `dir` (checked together with the built-ins for links).
pub fn lint(dir: Option<&Path>) -> Result<Vec<LintIssue>, RuleError> {
    let mut issues = Vec::new();
    let mut files: Vec<(String, String)> = Vec::new();
    match dir {
        None => {
            let mut fs: Vec<_> = crate::rules::BUILTIN_RULES
                .files()
                .filter(|f| {
                    matches!(
                        f.path().extension().and_then(|e| e.to_str()),
                        Some("yaml" | "yml")
                    )
                })
                .collect();
            fs.sort_by_key(|f| f.path().to_path_buf());
            for f in fs {
                files.push((
                    format!("rules/{}", f.path().display()),
                    String::from_utf8_lossy(f.contents()).into_owned(),
                ));
            }
        }
        Some(d) => {
            let rd = std::fs::read_dir(d).map_err(|source| RuleError::Io {
                path: d.display().to_string(),
                source,
            })?;
            let mut paths: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                })
                .collect();
            paths.sort();
            for p in paths {
                match std::fs::read(&p) {
                    Ok(b) => files.push((
                        p.display().to_string(),
                        String::from_utf8_lossy(&b).into_owned(),
                    )),
                    Err(e) => issues.push(LintIssue {
                        location: p.display().to_string(),
                        message: format!("cannot read: {e}"),
                        level: "error",
                    }),
                }
            }
            if files.is_empty() && issues.is_empty() {
                issues.push(LintIssue {
                    location: d.display().to_string(),
                    message: "no *.yaml rule files in this directory".into(),
                    level: "error",
                });
            }
        }
    }
    let mut ok: Vec<Rule> = Vec::new();
    for (path, text) in &files {
        match Rule::from_yaml(path, text) {
            Ok(r) => {
                let stem = Path::new(path)
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("");
                if stem != r.id {
                    issues.push(LintIssue {
                        location: path.clone(),
                        message: format!(
                            "file is named `{stem}` but the rule id is `{}`; name it {}.yaml",
                            r.id, r.id
                        ),
                        level: "error",
                    });
                }
                if let Some(prev) = ok.iter().find(|o| o.id == r.id) {
                    issues.push(LintIssue {
                        location: path.clone(),
                        message: format!("duplicate rule id `{}` (also in {})", r.id, prev.origin),
                        level: "error",
                    });
                } else {
                    ok.push(r);
                }
            }
            Err(e) => {
                let (location, message) = match e {
                    RuleError::Parse {
                        path,
                        line,
                        column,
                        message,
                    } => (format!("{path}:{line}:{column}"), message),
                    RuleError::Invalid { path, message } => (path, message),
                    RuleError::Io { path, source } => (path, source.to_string()),
                };
                issues.push(LintIssue {
                    location,
                    message,
                    level: "error",
                });
            }
        }
    }
    // Links: check against these rules, then the built-ins.
    let all = if dir.is_some() {
        RuleSet::builtin()?
    } else {
        RuleSet::default()
    };
    for r in &ok {
        for target in &r.explains {
            let found = ok
                .iter()
                .find(|x| &x.id == target)
                .or_else(|| all.get(target));
            match found {
                None => issues.push(LintIssue {
                    location: r.origin.clone(),
                    message: format!("`explains` names unknown rule `{target}`"),
                    level: "error",
                }),
                Some(t) if t.kind != RuleKind::Symptom => issues.push(LintIssue {
                    location: r.origin.clone(),
                    message: format!("`explains` names `{target}`, which is not `kind: symptom`"),
                    level: "error",
                }),
                Some(_) => {}
            }
        }
    }
    // Fixtures present.
    let source = match dir {
        None => FixtureSource::Builtin,
        Some(d) => FixtureSource::Dir(d.to_path_buf()),
    };
    for r in &ok {
        let fx = source.fixtures(&r.id);
        for (prefix, what) in [("fires-", "firing"), ("ok-", "non-firing (near miss)")] {
            if !fx.iter().any(|f| file_name(&f.name).starts_with(prefix)) {
                issues.push(LintIssue {
                    location: r.origin.clone(),
                    message: format!("rule `{}` has no {what} fixture `{}/{prefix}*`", r.id, r.id),
                    level: "warning",
                });
            }
        }
    }
    Ok(issues)
}

/// Outcome of one fixture.
#[derive(Debug, Clone, Serialize)]
pub struct FixtureResult {
    pub rule: String,
    pub fixture: String,
    /// `fires` or `ok`.
    pub expect: &'static str,
    pub passed: bool,
    pub detail: String,
}

/// Run rules `ids` of `set` against their fixtures.
pub fn test_rules(set: &RuleSet, ids: &[String], source: &FixtureSource) -> Vec<FixtureResult> {
    let engine = match Engine::new(set) {
        Ok(e) => e,
        Err(e) => {
            return vec![FixtureResult {
                rule: "(all)".into(),
                fixture: String::new(),
                expect: "fires",
                passed: false,
                detail: e.to_string(),
            }]
        }
    };
    let mut out = Vec::new();
    for id in ids {
        let fixtures = source.fixtures(id);
        if fixtures.is_empty() {
            out.push(FixtureResult {
                rule: id.clone(),
                fixture: String::new(),
                expect: "fires",
                passed: false,
                detail: format!("no fixtures found for `{id}`"),
            });
            continue;
        }
        for f in fixtures {
            let base = file_name(&f.name);
            let expect = if base.starts_with("fires-") {
                "fires"
            } else if base.starts_with("ok-") {
                "ok"
            } else {
                continue;
            };
            let mut ev = Evidence::new();
            let inputs = match parse::parse_reader(&f.name, &f.bytes[..], &engine, &mut ev) {
                Ok(i) => vec![i],
                Err(e) => {
                    out.push(FixtureResult {
                        rule: id.clone(),
                        fixture: f.name.clone(),
                        expect,
                        passed: false,
                        detail: e.to_string(),
                    });
                    continue;
                }
            };
            let d = crate::diagnose(&engine, &ev, inputs);
            let ranked: Vec<&str> = d.findings.iter().map(|x| x.id.as_str()).collect();
            let (passed, detail) = if expect == "fires" {
                match ranked.iter().position(|x| x == id) {
                    Some(0) => (true, "fired at rank 1".to_string()),
                    Some(i) => (
                        false,
                        format!("fired at rank {}, below {:?}", i + 1, &ranked[..i]),
                    ),
                    None => (false, format!("did not fire; findings: {ranked:?}")),
                }
            } else if ranked.contains(&id.as_str()) {
                (false, "fired on a near miss".to_string())
            } else {
                (true, "did not fire".to_string())
            };
            out.push(FixtureResult {
                rule: id.clone(),
                fixture: f.name,
                expect,
                passed,
                detail,
            });
        }
    }
    out
}

/// The `match:` block of a rule file's text, for `rules show`, followed by its `resolved_by:` and
/// `affects:` blocks when it has them (what decides whether a finding is current).
pub fn match_block(text: &str) -> String {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if ["match:", "resolved_by:", "affects:"]
            .iter()
            .any(|k| line.starts_with(k))
        {
            inside = true;
        } else if inside && !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#') {
            inside = false;
        }
        if inside {
            out.push(line);
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_lint_clean() {
        let issues = lint(None).expect("lint runs");
        let errors: Vec<_> = issues.iter().filter(|i| i.level == "error").collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn match_block_includes_resolved_by_and_affects() {
        let t = "id: x\nmatch:\n  log: {text: a}\nreferences: []\nresolved_by:\n  after:\n    event: {reason: b}\naffects: not-started\n";
        assert_eq!(
            match_block(t),
            "match:\n  log: {text: a}\nresolved_by:\n  after:\n    event: {reason: b}\naffects: not-started"
        );
    }

    #[test]
    fn match_block_extracts_until_next_top_level_key() {
        let t = "id: x\nmatch:\n  any:\n    - log: {text: a}\n# trailing comment\nreferences: []\n";
        assert_eq!(
            match_block(t),
            "match:\n  any:\n    - log: {text: a}\n# trailing comment"
        );
    }
}
