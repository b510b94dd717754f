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
use crate::rules::{MatchNode, Rule, RuleError, RuleSet};
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
            if found.is_none() {
                issues.push(LintIssue {
                    location: r.origin.clone(),
                    message: format!("`explains` names unknown rule `{target}`"),
                    level: "error",
                });
            }
        }
        let explains_of = |id: &str| -> Vec<String> {
            ok.iter()
                .find(|x| x.id == id)
                .or_else(|| all.get(id))
                .map(|x| x.explains.clone())
                .unwrap_or_default()
        };
        if let Some(cycle) = crate::rules::explains_cycle(&r.id, explains_of) {
            issues.push(LintIssue {
                location: r.origin.clone(),
                message: format!("`explains` links form a cycle: {}", cycle.join(" -> ")),
                level: "error",
            });
        }
    }
    // Constructs that make the regex crate leave its fast engines on non-ASCII text.
    for r in &ok {
        let text = files
            .iter()
            .find(|(p, _)| *p == r.origin)
            .map(|(_, t)| t.as_str())
            .unwrap_or("");
        for (field, src) in rule_patterns(r) {
            for why in slow_path_constructs(&src) {
                issues.push(LintIssue {
                    location: pattern_location(&r.origin, text, &src),
                    message: format!(
                        "rule `{}`: regex for `{field}` uses {why}; on non-ASCII text (Chinese logs) it \
                         forces the regex crate's slow engine for every rule of this field",
                        r.id
                    ),
                    level: "warning",
                });
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

/// Every (source.field, regex source) of a rule, in file order.
fn rule_patterns(r: &Rule) -> Vec<(String, String)> {
    fn walk(n: &MatchNode, out: &mut Vec<(String, String)>) {
        match n {
            MatchNode::All(v) | MatchNode::Any(v) => v.iter().for_each(|c| walk(c, out)),
            MatchNode::Not(c) => walk(c, out),
            MatchNode::Leaf(l) => {
                for (f, p) in &l.fields {
                    out.push((format!("{}.{f}", l.source.name()), p.source.to_string()));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&r.matcher, &mut out);
    out
}

/// `file:line` of the first line of `text` holding `pattern` (as written in single quotes or
/// plain), else the file alone.
fn pattern_location(origin: &str, text: &str, pattern: &str) -> String {
    let written = pattern.replace('\'', "''");
    text.lines()
        .position(|l| l.contains(&written))
        .map(|i| format!("{origin}:{}", i + 1))
        .unwrap_or_else(|| origin.to_string())
}

/// Constructs in `pattern` that push the `regex` crate off its DFA engines when the text is not
/// ASCII, making every line of Chinese (or any non-ASCII) text tens of times slower to scan:
///
/// - Unicode word boundaries (`\b`, `\B`, `\b{start}`, `\<`, ...): the lazy DFA cannot evaluate them
///   on non-ASCII bytes and gives up. Measured on 2 MB of Chinese log with the built-in rules:
///   0.7 s with `(?-u:\b)`, 40 s with `\b` (debug build).
/// - A counted repetition above 20 of a large Unicode class such as `\w` or `\p{L}` (`\w{3,60}`):
///   the DFA's state cache thrashes and the search falls back too (same input: 45 s).
///
/// Returns one short description per construct found; empty when the pattern is fine (or does not
/// parse, which the loader reports on its own).
pub fn slow_path_constructs(pattern: &str) -> Vec<String> {
    use regex_syntax::hir::{Class, Hir, HirKind, Look};
    let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let looks = hir.properties().look_set();
    for (look, shown) in [
        (Look::WordUnicode, "a Unicode word boundary `\\b`"),
        (Look::WordUnicodeNegate, "a Unicode non-boundary `\\B`"),
        (Look::WordStartUnicode, "a Unicode word-start assertion"),
        (Look::WordEndUnicode, "a Unicode word-end assertion"),
        (
            Look::WordStartHalfUnicode,
            "a Unicode half word-start assertion",
        ),
        (
            Look::WordEndHalfUnicode,
            "a Unicode half word-end assertion",
        ),
    ] {
        if looks.contains(look) {
            out.push(format!("{shown} (write `(?-u:\\b)`, the ASCII boundary)"));
        }
    }
    fn large_unicode_class(h: &Hir) -> bool {
        match h.kind() {
            HirKind::Class(Class::Unicode(c)) => {
                c.ranges().len() > 100 && c.ranges().iter().any(|r| r.end() > '\u{7f}')
            }
            HirKind::Capture(c) => large_unicode_class(&c.sub),
            HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(large_unicode_class),
            HirKind::Repetition(r) => large_unicode_class(&r.sub),
            _ => false,
        }
    }
    fn big_repeats(h: &Hir, out: &mut bool) {
        match h.kind() {
            HirKind::Repetition(r) => {
                let bound = r.max.unwrap_or(r.min);
                if bound > 20 && large_unicode_class(&r.sub) {
                    *out = true;
                }
                big_repeats(&r.sub, out);
            }
            HirKind::Capture(c) => big_repeats(&c.sub, out),
            HirKind::Concat(v) | HirKind::Alternation(v) => {
                v.iter().for_each(|c| big_repeats(c, out))
            }
            _ => {}
        }
    }
    let mut rep = false;
    big_repeats(&hir, &mut rep);
    if rep {
        out.push(
            "a counted repetition above 20 of a large Unicode class such as `\\w{3,60}` \
             (use `(?-u:\\w)`, `\\S` or a smaller bound)"
                .to_string(),
        );
    }
    out
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
    fn builtin_rules_have_no_slow_path_constructs() {
        let issues = lint(None).expect("lint runs");
        let slow: Vec<_> = issues
            .iter()
            .filter(|i| i.message.contains("slow engine"))
            .collect();
        assert!(slow.is_empty(), "{slow:#?}");
    }

    #[test]
    fn slow_path_constructs_are_named() {
        assert_eq!(slow_path_constructs(r"\bfailed\b").len(), 1);
        assert!(slow_path_constructs(r"\bfailed")[0].contains("word boundary"));
        assert!(slow_path_constructs(r"\Bx")[0].contains("non-boundary"));
        assert!(slow_path_constructs(r"\b{start}x")[0].contains("word-start"));
        assert!(slow_path_constructs(r"(?i)\w{3,60} refused")[0].contains("repetition"));
        assert!(slow_path_constructs(r"\p{L}{30,} x")[0].contains("repetition"));
        // The ASCII forms, small bounds and small classes stay on the fast path.
        for fine in [
            r"(?-u:\b)failed(?-u:\b)",
            r"(?-u:\w){3,60} refused",
            r"\w{1,10} refused",
            r"\S{1,100} refused",
            r"\d+ Insufficient cpu",
            r"\p{Han}{3,60}",
            r"not a regex (",
        ] {
            assert!(slow_path_constructs(fine).is_empty(), "{fine}");
        }
    }

    #[test]
    fn lint_warns_about_a_unicode_word_boundary_with_its_line() {
        let dir = std::env::temp_dir().join(format!("kd-lint-slow-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rule = "id: slow-one\ntitle: t\nseverity: warning\ncategory: test\ndetects: d\n\
                    why: w\nfix: f\nreferences: [{url: https://example.invalid}]\nmatch:\n  \
                    log: { text: '\\bpanic\\b' }\n";
        std::fs::write(dir.join("slow-one.yaml"), rule).unwrap();
        let issues = lint(Some(&dir)).expect("lint runs");
        std::fs::remove_dir_all(&dir).ok();
        let slow: Vec<_> = issues
            .iter()
            .filter(|i| i.message.contains("slow engine"))
            .collect();
        assert_eq!(slow.len(), 1, "{issues:#?}");
        assert_eq!(slow[0].level, "warning");
        assert!(
            slow[0].location.ends_with("slow-one.yaml:10"),
            "{:?}",
            slow[0]
        );
        assert!(slow[0].message.contains("log.text"), "{:?}", slow[0]);
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
