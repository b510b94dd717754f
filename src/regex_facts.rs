//! What the loader and the engine need to know about one rule regex, from one parse: its named
//! capture groups, the literal every match contains (the engine's prefilter) and that literal's
//! length. Depends on `regex-syntax` only, because `build.rs` includes this file too: it computes
//! these facts for every pattern of the built-in rules at build time, so a start-up does not parse
//! (and translate, with its Unicode tables) ~300 regexes.

use std::collections::BTreeMap;

/// What the loader and the engine need to know about one pattern, from one parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternFacts {
    /// Named capture groups, in the order they open.
    pub captures: Vec<String>,
    /// See `crate::engine::required_needle`.
    pub needle: Option<Vec<u8>>,
    /// See `crate::engine::required_literal_len`.
    pub literal_len: usize,
}

/// Parses a regex as `regex::Regex::new` would (same syntax settings, same error text) and returns
/// its facts, or the parser's error.
pub fn analyse(pattern: &str) -> Result<PatternFacts, String> {
    regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| e.to_string())
        .and_then(|ast| {
            // Translating catches what the AST cannot (unknown Unicode classes, invalid UTF-8
            // in Unicode mode); the names come from the AST.
            let hir = regex_syntax::hir::translate::Translator::new()
                .translate(pattern, &ast)
                .map_err(|e| e.to_string())?;
            let mut captures = Vec::new();
            ast_capture_names(&ast, &mut captures);
            Ok(PatternFacts {
                captures,
                needle: needle_of(&hir),
                literal_len: literal_len_of(&hir),
            })
        })
}

fn ast_capture_names(ast: &regex_syntax::ast::Ast, out: &mut Vec<String>) {
    use regex_syntax::ast::{Ast, GroupKind};
    match ast {
        Ast::Group(g) => {
            if let GroupKind::CaptureName { name, .. } = &g.kind {
                out.push(name.name.clone());
            }
            ast_capture_names(&g.ast, out);
        }
        Ast::Repetition(r) => ast_capture_names(&r.ast, out),
        Ast::Alternation(a) => a.asts.iter().for_each(|x| ast_capture_names(x, out)),
        Ast::Concat(c) => c.asts.iter().for_each(|x| ast_capture_names(x, out)),
        _ => {}
    }
}

/// `crate::engine::required_literal_len` of a parsed pattern.
pub fn literal_len_of(hir: &regex_syntax::hir::Hir) -> usize {
    use regex_syntax::hir::{Hir, HirKind};
    /// (longest required run, run at the start, run at the end, whole node is a fixed literal)
    fn walk(h: &Hir) -> (usize, usize, usize, bool) {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => (0, 0, 0, true),
            HirKind::Literal(l) => {
                let n = l.0.len();
                (n, n, n, true)
            }
            HirKind::Class(c) => {
                let small = match c {
                    regex_syntax::hir::Class::Unicode(u) => {
                        u.ranges()
                            .iter()
                            .map(|r| r.end() as u32 - r.start() as u32 + 1)
                            .sum::<u32>()
                            <= 4
                    }
                    regex_syntax::hir::Class::Bytes(b) => {
                        b.ranges()
                            .iter()
                            .map(|r| r.end() as u32 - r.start() as u32 + 1)
                            .sum::<u32>()
                            <= 4
                    }
                };
                if small {
                    (1, 1, 1, true)
                } else {
                    (0, 0, 0, false)
                }
            }
            HirKind::Repetition(r) => {
                if r.min == 0 {
                    return (0, 0, 0, false);
                }
                let (b, p, s, all) = walk(&r.sub);
                if r.min == 1 && r.max == Some(1) {
                    (b, p, s, all)
                } else {
                    (b, p, s, false)
                }
            }
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Concat(subs) => {
                let (mut best, mut run, mut prefix, mut all) = (0, 0, 0, true);
                for sub in subs {
                    let (b, p, s, a) = walk(sub);
                    best = best.max(b).max(run + p);
                    if a {
                        run += p;
                        if all {
                            prefix += p;
                        }
                    } else {
                        if all {
                            prefix += p;
                        }
                        all = false;
                        run = s;
                    }
                    best = best.max(run);
                }
                (best, prefix, run, all)
            }
            HirKind::Alternation(subs) => {
                let parts: Vec<_> = subs.iter().map(walk).collect();
                let min = |f: fn(&(usize, usize, usize, bool)) -> usize| {
                    parts.iter().map(f).min().unwrap_or(0)
                };
                (min(|x| x.0), min(|x| x.1), min(|x| x.2), false)
            }
        }
    }
    walk(hir).0
}

/// `crate::engine::required_needle` of a parsed pattern.
pub fn needle_of(hir: &regex_syntax::hir::Hir) -> Option<Vec<u8>> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    /// (longest required run, run at the start, run at the end, whole node is a fixed literal)
    type Runs = (Vec<u8>, Vec<u8>, Vec<u8>, bool);
    fn longest(a: Vec<u8>, b: &[u8]) -> Vec<u8> {
        if b.len() > a.len() {
            b.to_vec()
        } else {
            a
        }
    }
    fn walk(h: &Hir) -> Runs {
        let none = || (Vec::new(), Vec::new(), Vec::new(), false);
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => (Vec::new(), Vec::new(), Vec::new(), true),
            HirKind::Literal(l) => {
                let b = l.0.to_ascii_lowercase();
                (b.clone(), b.clone(), b, true)
            }
            HirKind::Class(c) => {
                // One ASCII letter in either case (`(?i)k` also admits the Kelvin sign: not this).
                let letter = match c {
                    Class::Unicode(u) => match u.ranges() {
                        [a, b] if a.start() == a.end() && b.start() == b.end() => {
                            let (x, y) = (a.start(), b.start());
                            (x.is_ascii_alphabetic() && x.to_ascii_lowercase() == y)
                                .then_some(y as u8)
                        }
                        _ => None,
                    },
                    Class::Bytes(b) => match b.ranges() {
                        [a, b] if a.start() == a.end() && b.start() == b.end() => {
                            let (x, y) = (a.start(), b.start());
                            (x.is_ascii_alphabetic() && x.to_ascii_lowercase() == y).then_some(y)
                        }
                        _ => None,
                    },
                };
                match letter {
                    Some(l) => (vec![l], vec![l], vec![l], true),
                    None => none(),
                }
            }
            HirKind::Repetition(r) => {
                if r.min == 0 {
                    return none();
                }
                let (b, p, s, all) = walk(&r.sub);
                let once = r.min == 1 && r.max == Some(1);
                (b, p, s, all && once)
            }
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Concat(subs) => {
                let (mut best, mut run, mut prefix, mut all) =
                    (Vec::new(), Vec::new(), Vec::new(), true);
                for sub in subs {
                    let (b, p, s, a) = walk(sub);
                    best = longest(best, &b);
                    let mut joined = run.clone();
                    joined.extend_from_slice(&p);
                    best = longest(best, &joined);
                    if all {
                        prefix.extend_from_slice(&p);
                    }
                    if a {
                        run = joined;
                    } else {
                        all = false;
                        run = s;
                    }
                    best = longest(best, &run);
                }
                (best, prefix, run, all)
            }
            HirKind::Alternation(_) => none(),
        }
    }
    let best = walk(hir).0;
    (best.len() >= 3).then_some(best)
}

/// The regex text of a `resolved_by` pattern for one finding: each `{{name}}` becomes the
/// regex-escaped value of capture `name`, or `unbound` when the finding has no such capture.
pub fn fill_template(template: &str, captures: &BTreeMap<String, String>, unbound: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match captures.get(after[..end].trim()) {
            Some(v) => out.push_str(&regex_syntax::escape(v)),
            None => out.push_str(unbound),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}
