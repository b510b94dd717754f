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
    /// See [`needle_set_of`]: what the engine's prefilter looks for.
    pub needles: Option<Vec<Vec<u8>>>,
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
                needles: needle_set_of(&hir),
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
    expand_placeholders(template, |name, out| match captures.get(name) {
        Some(v) => out.push_str(&regex_syntax::escape(v)),
        None => out.push_str(unbound),
    })
}

/// `template` with each `{{inner}}` replaced by what `fill` writes for `inner` (trimmed); the text
/// around placeholders is kept, and so is a `{{` without its `}}` and all that follows it. The scan
/// shared by the `resolved_by` patterns here and the message templates of `engine::render`.
pub fn expand_placeholders(template: &str, mut fill: impl FnMut(&str, &mut String)) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        fill(after[..end].trim(), &mut out);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Fewest bytes a needle of [`needle_set_of`] has: shorter sets are no use as a filter.
pub const MIN_SET_NEEDLE: usize = 2;

/// Most needles one set may hold (alternations and small classes multiply).
const MAX_SET_NEEDLES: usize = 64;

/// A set of literals one of which every match of the pattern contains, compared without ASCII
/// case (letters lowercased), or `None` when there is none whose every needle has at least
/// [`MIN_SET_NEEDLE`] bytes. Unlike [`needle_of`] an alternation gives the union of its branches'
/// needles (`(?i)password|secret` gives `password` and `secret`).
///
/// Under `(?i)` the letters k and s also match the Kelvin sign (U+212A) and the long s (U+017F);
/// such classes count as the ASCII letter here, so a caller must treat a text that contains either
/// character as matching every needle (see [`has_fold_hazard`]).
pub fn needle_set_of(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    type Set = Vec<Vec<u8>>;
    /// Of two needle sets, the one whose shortest needle is longer (then the smaller one).
    fn better(a: Option<Set>, b: Option<Set>) -> Option<Set> {
        let score = |s: &Option<Set>| {
            s.as_ref().map(|s| {
                (
                    s.iter().map(Vec::len).min().unwrap_or(0),
                    std::cmp::Reverse(s.len()),
                )
            })
        };
        if score(&b) > score(&a) {
            b
        } else {
            a
        }
    }
    fn usable(s: Set) -> Option<Set> {
        (!s.is_empty() && s.iter().all(|n| n.len() >= MIN_SET_NEEDLE)).then_some(s)
    }
    fn union(mut a: Set, b: Set) -> Option<Set> {
        for n in b {
            if !a.contains(&n) {
                a.push(n);
            }
        }
        (a.len() <= MAX_SET_NEEDLES).then_some(a)
    }
    fn product(a: &Set, b: &Set) -> Option<Set> {
        if a.len() * b.len() > MAX_SET_NEEDLES {
            return None;
        }
        let mut out = Vec::new();
        for x in a {
            for y in b {
                let mut n = x.clone();
                n.extend_from_slice(y);
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        Some(out)
    }
    fn class_chars(c: &Class) -> Option<Set> {
        let mut out: Set = Vec::new();
        let mut add = |b: u8| {
            let l = vec![b.to_ascii_lowercase()];
            if !out.contains(&l) {
                out.push(l);
            }
        };
        match c {
            Class::Unicode(u) => {
                let n: u32 = u
                    .ranges()
                    .iter()
                    .map(|r| r.end() as u32 - r.start() as u32 + 1)
                    .sum();
                if n > 8 {
                    return None;
                }
                for r in u.ranges() {
                    for ch in r.start()..=r.end() {
                        match ch {
                            // Fold partners of k and s: see `has_fold_hazard`.
                            '\u{212A}' | '\u{17F}' => {}
                            c if c.is_ascii() => add(c as u8),
                            _ => return None,
                        }
                    }
                }
            }
            Class::Bytes(b) => {
                let n: usize = b
                    .ranges()
                    .iter()
                    .map(|r| usize::from(r.end() - r.start()) + 1)
                    .sum();
                if n > 8 {
                    return None;
                }
                for r in b.ranges() {
                    for x in r.start()..=r.end() {
                        add(x);
                    }
                }
            }
        }
        (!out.is_empty()).then_some(out)
    }
    /// (exact: the node matches one of these strings, best: a needle set for it)
    fn walk(h: &Hir) -> (Option<Set>, Option<Set>) {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => (Some(vec![Vec::new()]), None),
            HirKind::Literal(l) => {
                let b = l.0.to_ascii_lowercase();
                (Some(vec![b.clone()]), usable(vec![b]))
            }
            HirKind::Class(c) => {
                let e = class_chars(c);
                (e.clone(), e.and_then(usable))
            }
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Repetition(r) => {
                if r.min == 0 {
                    return (None, None);
                }
                let (e, b) = walk(&r.sub);
                let best = better(b, e.clone().and_then(usable));
                let exact = if r.min == 1 && r.max == Some(1) {
                    e
                } else {
                    None
                };
                (exact, best)
            }
            HirKind::Concat(subs) => {
                // `run`: the strings the children since the last inexact one match, joined.
                let mut best: Option<Set> = None;
                let mut run: Set = vec![Vec::new()];
                let mut all_exact = true;
                for sub in subs {
                    let (e, b) = walk(sub);
                    best = better(best, b);
                    match e {
                        Some(e) => match product(&run, &e) {
                            Some(p) => run = p,
                            None => {
                                // Too many combinations: close the run, start from this child.
                                best = better(best, usable(run));
                                all_exact = false;
                                run = e;
                            }
                        },
                        None => {
                            best = better(best, usable(run));
                            all_exact = false;
                            run = vec![Vec::new()];
                        }
                    }
                    best = better(best, usable(run.clone()));
                }
                let exact = if all_exact { Some(run) } else { None };
                (exact, best)
            }
            HirKind::Alternation(subs) => {
                let mut exact: Option<Set> = Some(Vec::new());
                let mut best: Option<Set> = Some(Vec::new());
                for sub in subs {
                    let (e, b) = walk(sub);
                    let need = better(b, e.clone().and_then(usable));
                    exact = match (exact, e) {
                        (Some(x), Some(e)) => union(x, e),
                        _ => None,
                    };
                    best = match (best, need) {
                        (Some(x), Some(n)) => union(x, n),
                        _ => None,
                    };
                }
                (exact, best)
            }
        }
    }
    let (exact, best) = walk(hir);
    better(best, exact.and_then(usable))
}

/// Whether `text` holds a character that `(?i)` folds onto an ASCII letter (the Kelvin sign, the
/// long s): [`needle_set_of`] needles do not see them, so such a text must be treated as
/// containing every needle.
pub fn has_fold_hazard(text: &[u8]) -> bool {
    // U+212A is E2 84 AA, U+017F is C5 BF in UTF-8.
    !text.is_ascii()
        && text.windows(2).enumerate().any(|(i, w)| {
            w == [0xC5, 0xBF] || (w == [0xE2, 0x84] && text.get(i + 2) == Some(&0xAA))
        })
}

/// The byte of `hir`'s required bytes (ASCII bytes that every match contains, compared exactly)
/// least likely to occur in a log line, or `None` when every match need not contain any. For a
/// pattern without a usable literal ([`needle_set_of`]): a text without this byte cannot match
/// it, and one `memchr` says so. `(?i)` letters are classes of two bytes, so they are never
/// required bytes here; only exact ASCII bytes are.
pub fn rare_required_byte(hir: &regex_syntax::hir::Hir) -> Option<u8> {
    use regex_syntax::hir::{Class, HirKind};
    /// Bytes every match of `h` contains (a bitset of the 128 ASCII bytes).
    fn walk(h: &regex_syntax::hir::Hir) -> u128 {
        let bit = |b: u8| if b.is_ascii() { 1u128 << b } else { 0 };
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => 0,
            HirKind::Literal(l) => l.0.iter().fold(0, |acc, &b| acc | bit(b)),
            HirKind::Class(Class::Unicode(u)) => match u.ranges() {
                [r] if r.start() == r.end() && r.start().is_ascii() => bit(r.start() as u8),
                _ => 0,
            },
            HirKind::Class(Class::Bytes(b)) => match b.ranges() {
                [r] if r.start() == r.end() => bit(r.start()),
                _ => 0,
            },
            HirKind::Repetition(r) if r.min == 0 => 0,
            HirKind::Repetition(r) => walk(&r.sub),
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Concat(subs) => subs.iter().fold(0, |acc, s| acc | walk(s)),
            HirKind::Alternation(subs) => subs.iter().map(walk).reduce(|a, b| a & b).unwrap_or(0),
        }
    }
    let set = walk(hir);
    (0u8..128)
        .filter(|&b| set & (1u128 << b) != 0)
        .min_by_key(|&b| byte_commonness(b))
}

/// A rough rank of how common an ASCII byte is in log text (lower is rarer): lowercase letters,
/// digits, spaces and the punctuation of timestamps and paths are everywhere; uppercase letters
/// and most other punctuation are much rarer.
fn byte_commonness(b: u8) -> u8 {
    match b {
        b' ' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 9,
        b'0'..=b'9' | b'.' | b':' | b'/' | b'-' | b'"' | b',' | b'=' | b'_' => 8,
        b'a'..=b'z' => 7,
        b'[' | b']' | b'(' | b')' | b'{' | b'}' | b'\'' | b'\t' => 6,
        b'A'..=b'Z' => 4,
        _ => 3,
    }
}
