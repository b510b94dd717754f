//! Redaction: masks secrets in quoted evidence before a report is printed.
//!
//! Logs and events routinely carry credentials (a database URL with its password, an env dump, a
//! bearer token in a request log). A report quotes them, and reports get pasted into tickets and
//! chats, so every text a report quotes goes through [`redact`] first (the CLI's `--no-redact` turns
//! this off). Masking keeps the text recognisable: only the secret part becomes `****`
//! (`postgres://app:****@db:5432/x`, `DB_PASSWORD=****`, `Authorization: Bearer ****`).
//!
//! What counts as a secret: bearer/basic credentials, JWTs anywhere, passwords in URLs,
//! assignments (`key=value`, `key: value`, `"key": "value"`) whose key ends in a secret-looking word
//! (password, passwd, pwd, secret, token, api key, access key, private key, client secret,
//! credentials, auth, account key, key data), the same keys as a flag with a space-separated value and
//! in prose ("the password is ..."), AWS access key ids, private key (PEM) blocks, webhook URLs, Azure
//! SAS signatures, and vendor tokens by the prefix their vendor documents (GitHub, GitLab, Slack,
//! Stripe, Google, Vault, OpenAI, Anthropic, npm, SendGrid, Hugging Face, DigitalOcean).
//! Ordinary words are left alone: `token bucket`, `password policy updated`, and the *name* of a
//! Kubernetes Secret (`secret "db-creds" not found`) are not secret values.
//!
//! Cost: one Aho-Corasick scan for the literals the patterns require (every match of a pattern
//! holds one of its needles) picks the few patterns that can match a text; only those are compiled
//! (once per process) and run. Clean text is returned borrowed without allocating, and a report
//! whose quotes hold no secret-looking word compiles no pattern at all.

use crate::report::Diagnosis;
use regex::{Captures, Regex};
use std::borrow::Cow;
use std::sync::OnceLock;

/// What a masked secret becomes.
pub const MASK: &str = "****";

/// Words a secret-holding key ends with (case-insensitive), e.g. `DB_PASSWORD`, `clientSecret`,
/// `api-key`, `AWS_SECRET_ACCESS_KEY`.
/// `AccountKey` and `SharedAccessKey` are Azure connection-string keys; `client-key-data` is a kubeconfig
/// user's private key.
const KEY_WORDS: &str = r"(?:passwor[dt]|passwd|passphrase|pwd|secret|token|(?:api|access|secret|private|signing|encryption|master|account|shared[_.-]?access)[_.-]?key|key[_.-]?data|client[_.-]?secret|credentials?|auth)";

/// How a match is rewritten; `None` keeps it as it is (a near miss).
type Rewrite = fn(&Captures) -> Option<String>;

/// One masking pattern: the regex and how a match is rewritten.
struct Pattern {
    /// Compiled the first time the set says it matches (most texts match none, and compiling every
    /// pattern up front was a good part of a start-up).
    re: OnceLock<Regex>,
    source: String,
    /// Literals (lowercase, compared without ASCII case) one of which every match contains
    /// (`Patterns::needles` is built from them; the tests check them against the pattern).
    #[cfg_attr(not(test), allow(dead_code))]
    needles: &'static [&'static str],
    rewrite: Rewrite,
}

impl Pattern {
    fn re(&self) -> &Regex {
        // ok: the patterns are constants, compiled and exercised by the tests below.
        self.re
            .get_or_init(|| Regex::new(&self.source).expect("redaction pattern compiles"))
        // ok: constant patterns
    }
}

/// The needles of every pattern in one Aho-Corasick automaton: the patterns whose needles a text
/// holds are the only ones that can match it, and only those are compiled and run.
struct Patterns {
    needles: aho_corasick::AhoCorasick,
    /// The patterns of each needle of `needles`.
    needle_owner: Vec<Vec<usize>>,
    list: Vec<Pattern>,
}

impl Patterns {
    /// Indices of the patterns that match `text`, ascending (what a `RegexSet` of them reports).
    fn matching(&self, text: &str) -> Vec<usize> {
        let mut cand: Vec<usize> = if crate::regex_facts::has_fold_hazard(text.as_bytes()) {
            // `(?i)` lets k and s match the Kelvin sign and the long s, which the
            // ASCII-case-insensitive needles do not see: every pattern is a candidate.
            (0..self.list.len()).collect()
        } else {
            self.needles
                .find_overlapping_iter(text)
                .flat_map(|m| self.needle_owner[m.pattern().as_usize()].iter().copied())
                .collect()
        };
        cand.sort_unstable();
        cand.dedup();
        cand.retain(|&i| self.list[i].re().is_match(text));
        cand
    }
}

/// Needles of the patterns keyed on [`KEY_WORDS`]: every key word holds one.
const KEY_NEEDLES: &[&str] = &[
    "password",
    "passwort",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "key",
    "data",
    "client",
    "credential",
    "auth",
];

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let key = format!(r"[A-Za-z0-9_.-]*?{KEY_WORDS}");
        // (pattern, needles: one of them, compared without ASCII case, is in every match (the test
        // `needles_are_in_every_match` checks they are what `needle_set_of` proves from the
        // pattern), how a match is rewritten)
        let specs: Vec<(String, &[&str], Rewrite)> = vec![
            // PEM private key. Inline (the key flattened onto the BEGIN line): the rest of that line,
            // up to an END marker. Block (BEGIN ends its line): everything up to END, or the end of
            // the text.
            (
                concat!(
                    r"(?ms)(?P<begin>-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)",
                    r"(?:(?P<inline>[ \t]*[^\s][^\n]*?)(?P<iend>-----END [A-Z0-9 ]*PRIVATE KEY-----|$)",
                    r"|(?P<body>[ \t]*\n.*?)(?P<end>-----END [A-Z0-9 ]*PRIVATE KEY-----|\z))"
                )
                .to_string(),
                &["private key-----"],
                rewrite_pem,
            ),
            // JWT: three base64url parts, the first two JSON objects (`eyJ` = `{"`).
            (
                r"(?-u:\b)eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*".to_string(),
                &[".eyj"],
                |_| Some(MASK.to_string()),
            ),
            // Authorization schemes: `Bearer <token>`, `Basic <base64>`.
            (
                r"(?i)(?-u:\b)(?P<scheme>bearer|basic)(?P<sp>\s+)(?P<tok>[A-Za-z0-9._~+/-]{12,}=*)"
                    .to_string(),
                &["bearer", "basic"],
                rewrite_scheme,
            ),
            // Password in a URL's user info: `scheme://user:password@host`.
            (
                r"(?P<pre>(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)(?P<pw>[^\s@/]+)(?P<at>@)"
                    .to_string(),
                &["://"],
                rewrite_url,
            ),
            // Quoted key and quoted value: `"password": "x"`, `'api_key': 'x'`.
            (
                format!(r#"(?i)(?P<pre>"{key}"\s*[:=]\s*")(?P<val>[^"\\]*(?:\\.[^"\\]*)*)(?P<post>")"#),
                KEY_NEEDLES,
                rewrite_value,
            ),
            (
                format!(r#"(?i)(?P<pre>'{key}'\s*[:=]\s*')(?P<val>[^'\\]*(?:\\.[^'\\]*)*)(?P<post>')"#),
                KEY_NEEDLES,
                rewrite_value,
            ),
            // Query parameter: `?access_token=x&`, `&password=x`.
            (
                format!(r#"(?i)(?P<pre>[?&]{key}(?P<sep>=))(?P<val>[^&#\s"'<>]+)"#),
                KEY_NEEDLES,
                rewrite_assignment,
            ),
            // Bare key: `DB_PASSWORD=x`, `password: x`, `--api-key="x"`, `Password:x`.
            (
                format!(
                    r#"(?i)(?P<pre>(?:^|[\s,;{{(\[|])-{{0,2}}{key}(?P<sep>\s*=\s*|:\s*))(?P<val>\$\{{[^}}\s]*\}}|\$\([^)\s]*\)|"[^"]*"|'[^']*'|[^\s,;"'{{}}()\[\]]+)"#
                ),
                KEY_NEEDLES,
                rewrite_assignment,
            ),
            // AWS access key ids.
            (
                r"(?-u:\b)(?P<kind>AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}(?-u:\b)".to_string(),
                &["akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa"],
                |c| Some(format!("{}{MASK}", &c["kind"])),
            ),
            // GitHub tokens.
            (
                r"(?-u:\b)(?P<kind>gh[pousr]_)[A-Za-z0-9]{30,}(?-u:\b)|(?-u:\b)(?P<pat>github_pat_)[A-Za-z0-9_]{22,}"
                    .to_string(),
                &["gho_", "ghp_", "ghr_", "ghs_", "ghu_", "github_pat_"],
                |c| {
                    let kind = c.name("kind").or_else(|| c.name("pat"))?;
                    Some(format!("{}{MASK}", kind.as_str()))
                },
            ),
            // Slack tokens.
            (
                r"(?-u:\b)(?P<kind>xox[baprs]-)[A-Za-z0-9-]{10,}".to_string(),
                &["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"],
                |c| Some(format!("{}{MASK}", &c["kind"])),
            ),
            // Vendor tokens with a documented prefix; the prefix is kept so the reader knows what
            // leaked. GitLab personal/deploy/runner/trigger/OAuth tokens (`glpat-` + 20), Stripe secret
            // and restricted keys (`sk_live_`, `rk_test_`, ...), Google API keys (`AIza` + 35), Vault
            // service/batch/recovery tokens (`hvs.`, `hvb.`, `hvr.`), OpenAI project/service/admin keys
            // (`sk-proj-`, `sk-svcacct-`, `sk-admin-`) and legacy keys (`T3BlbkFJ` marker), Anthropic
            // keys (`sk-ant-`), npm tokens (`npm_` + 36), SendGrid keys (`SG.` + 22 + `.` + 43),
            // Hugging Face tokens (`hf_` + 34), DigitalOcean tokens (`dop_v1_` + 64 hex).
            (
                concat!(
                    r"(?-u:\b)(?P<kind>gl(?:pat|dt|rt|ptt|cbt|soat|oas|ft|imt|agent)-)[0-9A-Za-z_-]{20,}",
                    r"|(?-u:\b)(?P<stripe>[sr]k_(?:live|test)_)[0-9A-Za-z]{16,}",
                    r"|(?-u:\b)(?P<google>AIza)[0-9A-Za-z_-]{35}",
                    r"|(?-u:\b)(?P<vault>hv[sbr]\.)[0-9A-Za-z_-]{20,}",
                    r"|(?-u:\b)(?P<openai>sk-(?:proj|svcacct|admin|ant-[a-z0-9]+)-)[0-9A-Za-z_-]{20,}",
                    r"|(?-u:\b)(?P<legacy>sk-)[0-9A-Za-z]{20}T3BlbkFJ[0-9A-Za-z]{20}",
                    r"|(?-u:\b)(?P<npm>npm_)[0-9A-Za-z]{36}",
                    r"|(?-u:\b)(?P<sendgrid>SG\.)[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}",
                    r"|(?-u:\b)(?P<hf>hf_)[0-9A-Za-z]{34}",
                    r"|(?-u:\b)(?P<dop>do[por]_v1_)[0-9a-f]{64}",
                )
                .to_string(),
                &[
                    "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-", "gloas-", "glft-", "glimt-",
                    "glagent-", "rk_live_", "rk_test_", "sk_live_", "sk_test_", "aiza", "hvb.", "hvr.",
                    "hvs.", "proj", "svcacct", "admin", "ant-", "t3blbkfj", "npm_", "sg.", "hf_",
                    "doo_v1_", "dop_v1_", "dor_v1_",
                ],
                |c| {
                    let kind = ["kind", "stripe", "google", "vault", "openai", "legacy", "npm", "sendgrid", "hf", "dop"]
                        .iter()
                        .find_map(|k| c.name(k))?;
                    Some(format!("{}{MASK}", kind.as_str()))
                },
            ),
            // Incoming-webhook URLs carry their secret in the path (Slack, Discord).
            (
                r"(?P<pre>https://(?:hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9]+/[A-Za-z0-9]+/|(?:discord|discordapp)\.com/api/webhooks/[0-9]+/))(?P<val>[A-Za-z0-9_-]{8,})"
                    .to_string(),
                &[
                    "hooks.slack.com/services/",
                    "hooks.slack.com/workflows/",
                    "hooks.slack.com/triggers/",
                    "discord.com/api/webhooks/",
                    "discordapp.com/api/webhooks/",
                ],
                |c| Some(format!("{}{MASK}", &c["pre"])),
            ),
            // Azure shared access signature: the `sig=` parameter of a SAS URL or connection string.
            (
                r#"(?P<pre>[?&;]sig=)(?P<val>[^&#;\s"'<>]+)"#.to_string(),
                &["&sig=", ";sig=", "?sig="],
                |c| {
                    if &c["val"] == MASK {
                        return None;
                    }
                    Some(format!("{}{MASK}", &c["pre"]))
                },
            ),
            // A secret flag with its value after a space: `--db-password hunter2`, `-token abc`.
            (
                format!(
                    r#"(?i)(?P<pre>(?:^|\s)--?{key}[ \t]+)(?P<val>"[^"]*"|'[^']*'|[^\s"'-][^\s]*)"#
                ),
                KEY_NEEDLES,
                rewrite_spaced,
            ),
            // Prose: `the password is hunter2`, `api key: sk-...`, `token was abc`.
            (
                r"(?i)(?-u:\b)(?P<pre>(?:password|passwd|passphrase|secret|token|api[ _-]?key)[ \t]+(?:is|was|=)[ \t]+)(?P<val>[^\s,;]+)"
                    .to_string(),
                &["password", "passwd", "passphrase", "secret", "token", "api"],
                rewrite_prose,
            ),
        ];
        let mut list = Vec::with_capacity(specs.len());
        let mut needle_list: Vec<&str> = Vec::new();
        let mut needle_owner: Vec<Vec<usize>> = Vec::new();
        for (i, (src, needles, rewrite)) in specs.into_iter().enumerate() {
            for n in needles {
                match needle_list.iter().position(|x| x == n) {
                    Some(k) => needle_owner[k].push(i),
                    None => {
                        needle_list.push(n);
                        needle_owner.push(vec![i]);
                    }
                }
            }
            list.push(Pattern {
                re: OnceLock::new(),
                source: src,
                needles,
                rewrite,
            });
        }
        // ok: constant literals; the NFA builds in microseconds.
        let needles = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .ascii_case_insensitive(true)
            .build(&needle_list)
            .expect("redaction needles build"); // ok: constant literals
        Patterns {
            needles,
            needle_owner,
            list,
        }
    })
}

fn rewrite_pem(c: &Captures) -> Option<String> {
    let begin = &c["begin"];
    if let Some(inline) = c.name("inline") {
        if inline.as_str().trim() == MASK {
            return None;
        }
        return Some(match c.name("iend").map(|m| m.as_str()) {
            Some(end) if !end.is_empty() => format!("{begin} {MASK} {end}"),
            _ => format!("{begin} {MASK}"),
        });
    }
    let body = c.name("body").map_or("", |m| m.as_str());
    let end = c.name("end").map_or("", |m| m.as_str());
    if body.trim().is_empty() || body.trim() == MASK {
        // A BEGIN line alone, or already masked: nothing secret in it.
        return None;
    }
    let sep = if end.is_empty() { "" } else { "\n" };
    Some(format!("{begin}\n{MASK}{sep}{end}"))
}

/// True when a word looks like generated credential material rather than an English word.
fn looks_random(s: &str) -> bool {
    let has_digit = s.bytes().any(|b| b.is_ascii_digit());
    let has_sym = s
        .bytes()
        .any(|b| matches!(b, b'+' | b'/' | b'=' | b'.' | b'_'));
    let inner_upper = s.bytes().skip(1).any(|b| b.is_ascii_uppercase());
    let has_lower = s.bytes().any(|b| b.is_ascii_lowercase());
    has_digit || has_sym || (inner_upper && has_lower)
}

fn rewrite_scheme(c: &Captures) -> Option<String> {
    let tok = &c["tok"];
    if tok == MASK || !looks_random(tok) {
        return None;
    }
    Some(format!("{}{}{MASK}", &c["scheme"], &c["sp"]))
}

fn rewrite_url(c: &Captures) -> Option<String> {
    let pw = &c["pw"];
    if pw == MASK || pw.starts_with("${") {
        return None;
    }
    Some(format!("{}{MASK}{}", &c["pre"], &c["at"]))
}

/// Values that are not secrets even after a secret-looking key.
fn is_placeholder(v: &str) -> bool {
    let t = v.trim();
    let lower = t.to_ascii_lowercase();
    t.is_empty()
        || t == MASK
        || t.chars().all(|c| c == '*' || c == 'x' || c == 'X')
        || t.starts_with('<')
        || t.starts_with("${")
        || t.starts_with("$(")
        || t.starts_with("{{")
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "null"
                | "nil"
                | "none"
                | "enabled"
                | "disabled"
                | "required"
                | "optional"
                | "redacted"
                | "[redacted]"
                | "[filtered]"
                | "hidden"
                | "masked"
                | "empty"
                | "set"
                | "unset"
        )
}

fn rewrite_value(c: &Captures) -> Option<String> {
    if is_placeholder(&c["val"]) {
        return None;
    }
    Some(format!("{}{MASK}{}", &c["pre"], &c["post"]))
}

fn rewrite_assignment(c: &Captures) -> Option<String> {
    let pre = &c["pre"];
    let sep = &c["sep"];
    let raw = &c["val"];
    let (quote, val) = match raw.as_bytes().first() {
        Some(q @ (b'"' | b'\'')) if raw.len() >= 2 => (Some(*q as char), &raw[1..raw.len() - 1]),
        _ => (None, raw),
    };
    if is_placeholder(val) {
        return None;
    }
    // `PWD=/app` is the working directory, not a password.
    let key_start = pre.trim_start_matches(|ch: char| !ch.is_ascii_alphanumeric() && ch != '_');
    if (key_start.starts_with("PWD") || key_start.starts_with("OLDPWD")) && val.starts_with('/') {
        return None;
    }
    // `auth:443` (a host and port), `token:5`: a colon glued to a number is not an assignment.
    let after_port = val.trim_start_matches(|ch: char| ch.is_ascii_digit());
    if sep == ":"
        && after_port.len() < val.len()
        && (after_port.is_empty() || after_port.starts_with([':', '/']))
    {
        return None;
    }
    Some(match quote {
        Some(q) => format!("{pre}{q}{MASK}{q}"),
        None => format!("{pre}{MASK}"),
    })
}

/// `--password hunter2`: the value after a space. A value that is another flag, a placeholder or
/// English (`--token expired`) is left alone.
fn rewrite_spaced(c: &Captures) -> Option<String> {
    let raw = &c["val"];
    let val = raw.trim_matches(|ch| ch == '"' || ch == '\'');
    if is_placeholder(val) || is_word_after_secret(val) {
        return None;
    }
    Some(format!("{}{MASK}", &c["pre"]))
}

/// `the password is hunter2`; not `the password is incorrect` or `token is expired`.
fn rewrite_prose(c: &Captures) -> Option<String> {
    let val = c["val"].trim_matches(|ch: char| ch == '"' || ch == '\'' || ch == '.');
    if is_placeholder(val) || is_word_after_secret(val) {
        return None;
    }
    Some(format!("{}{MASK}", &c["pre"]))
}

/// Words error messages put after "password is" / "--token": states, not values.
fn is_word_after_secret(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let lower = lower.trim_end_matches(['.', '!', ':', ')']);
    matches!(
        lower,
        "not"
            | "invalid"
            | "incorrect"
            | "wrong"
            | "expired"
            | "missing"
            | "too"
            | "a"
            | "an"
            | "the"
            | "being"
            | "correct"
            | "valid"
            | "revoked"
            | "malformed"
            | "blank"
            | "given"
            | "provided"
            | "changed"
            | "stored"
            | "in"
            | "at"
            | "used"
            | "ok"
            | "weak"
            | "short"
            | "long"
            | "locked"
            | "mandatory"
            | "needed"
            | "ignored"
            | "deprecated"
            | "rotated"
            | "reset"
            | "updated"
            | "accepted"
            | "rejected"
            | "unknown"
            | "undefined"
            | "file"
            | "from"
            | "for"
            | "of"
            | "to"
            | "and"
            | "or"
    )
}

/// Passes over a text until nothing changes; every rewrite replaces a secret with [`MASK`] and leaves
/// masked text alone, so this converges in a few passes. The bound keeps a pathological input cheap.
const MAX_PASSES: usize = 4;

/// Masks every secret in `text`. Returns the text borrowed (no allocation) when nothing matches.
///
/// Idempotent: `redact(redact(x)) == redact(x)`. One pass can expose a new match (masking a quoted
/// value turns `s://"auth":" h"@` into a URL with a user-info password), so passes repeat until the
/// text is stable.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = redact_once(text);
    for _ in 1..MAX_PASSES {
        let Cow::Owned(prev) = &out else {
            return out;
        };
        match redact_once(prev) {
            Cow::Borrowed(_) => return out,
            Cow::Owned(next) => out = Cow::Owned(next),
        }
    }
    out
}

fn redact_once(text: &str) -> Cow<'_, str> {
    let p = patterns();
    let hits = p.matching(text);
    if hits.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    for i in hits {
        let Some(pat) = p.list.get(i) else {
            continue;
        };
        let mut changed = false;
        let replaced = pat
            .re()
            .replace_all(&out, |c: &Captures| match (pat.rewrite)(c) {
                Some(s) => {
                    changed = true;
                    s
                }
                None => c[0].to_string(),
            });
        if changed {
            let owned = replaced.into_owned();
            out = Cow::Owned(owned);
        }
    }
    out
}

/// Masks `s` in place; no allocation when it holds no secret.
fn redact_in_place(s: &mut String) {
    if let Cow::Owned(r) = redact(s) {
        *s = r;
    }
}

/// Masks secrets everywhere a diagnosis quotes input: evidence text and labels, captures,
/// not-checked notes and platform reasons.
///
/// A rule's own text (its title and fixes) is never run through the patterns: a fix that says "the
/// registry credentials: the pod's imagePullSecrets" is documentation, not a secret. What a title or fix
/// can quote from the input is a capture substituted into it, so exactly those substitutions are
/// masked: a capture value that redaction changes, or that is part of a secret masked in the evidence
/// it was captured from, is replaced in the rendered texts by its masked form.
pub fn redact_diagnosis(d: &mut Diagnosis) {
    for f in &mut d.findings {
        let mut secret_values: Vec<(String, String)> = Vec::new();
        for v in f.captures.values_mut() {
            let masked = match redact(v) {
                Cow::Owned(m) => m,
                Cow::Borrowed(_) => {
                    // A bare password captured out of `postgres://app:PW@db` is no secret on its own,
                    // but it is one where it stands.
                    let hidden = v.len() >= 4
                        && f.evidence.iter().any(|e| {
                            e.text.contains(v.as_str()) && !redact(&e.text).contains(v.as_str())
                        });
                    if !hidden {
                        continue;
                    }
                    MASK.to_string()
                }
            };
            secret_values.push((std::mem::replace(v, masked.clone()), masked));
        }
        // Longest first, so a value that contains another is replaced whole.
        secret_values.sort_by_key(|v| std::cmp::Reverse(v.0.len()));
        for text in [&mut f.title, &mut f.fix]
            .into_iter()
            .chain(f.fix_zh.as_mut())
            .chain(f.generic_fix.as_mut())
        {
            for (raw, masked) in &secret_values {
                if text.contains(raw.as_str()) {
                    *text = text.replace(raw.as_str(), masked);
                }
            }
        }
        for e in &mut f.evidence {
            redact_in_place(&mut e.text);
            redact_in_place(&mut e.label);
        }
    }
    for n in &mut d.not_checked {
        redact_in_place(&mut n.what);
        redact_in_place(&mut n.reason);
    }
    if let Some(p) = &mut d.platform {
        for r in &mut p.reasons {
            redact_in_place(r);
        }
    }
}

/// [`redact_diagnosis`] for every pod of a sweep, and the sweep's own not-checked notes.
pub fn redact_sweep(r: &mut crate::sweep::SweepReport) {
    r.pods.iter_mut().for_each(redact_diagnosis);
    for n in &mut r.not_checked {
        redact_in_place(&mut n.what);
        redact_in_place(&mut n.reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        redact(s).into_owned()
    }

    /// Every pattern's needles are the literal set `needle_set_of` proves from the pattern (one
    /// of them is in every match), so the gate never skips a pattern that could match.
    #[test]
    fn needles_are_in_every_match() {
        for pat in &patterns().list {
            let hir = regex_syntax::Parser::new().parse(&pat.source).unwrap();
            let proven: Vec<String> = crate::regex_facts::needle_set_of(&hir)
                .unwrap_or_else(|| panic!("no needle set for {}", pat.source))
                .into_iter()
                .map(|n| String::from_utf8(n).unwrap())
                .collect();
            assert_eq!(pat.needles, proven, "{}", pat.source);
        }
    }

    /// The needle gate picks exactly the patterns a `RegexSet` of them matches, on texts with
    /// and without secrets, in other cases and with the characters `(?i)` folds onto k and s.
    #[test]
    fn gate_agrees_with_a_regex_set() {
        let p = patterns();
        let set = regex::RegexSet::new(p.list.iter().map(|x| &x.source)).unwrap();
        let texts = [
            "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)",
            "DB_PASSWORD=hunter2 API_KEY: abc TOKEN=x",
            "postgres://app:pw@db:5432/x?sslmode=disable&access_token=abc",
            "Authorization: BEARER abcdefghijklmnop",
            "to\u{212A}en=abc1234567 and ſecret: x and \u{212A}ey=1",
            "--db-password hunter2 the password is x",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "AKIAABCDEFGHIJKLMNOP ghp_abcdefghijklmnopqrstuvwxyz0123456789 xoxb-1234567890",
            "https://hooks.slack.com/services/T000/B000/abcdefghijkl ?sig=abc&x=1",
            "sk-proj-abcdefghijklmnopqrstuvwxyz npm_abcdefghijklmnopqrstuvwxyz0123456789",
            "\"clientSecret\": \"x\", 'auth': 'y'",
            "",
        ];
        for t in texts {
            let want: Vec<usize> = set.matches(t).into_iter().collect();
            assert_eq!(p.matching(t), want, "{t}");
        }
    }

    #[test]
    fn clean_text_is_borrowed() {
        for s in [
            "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)",
            "",
            "rate limiter: token bucket refilled",
        ] {
            assert!(matches!(redact(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn each_kind_is_masked() {
        let jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjRkN2YifQ.eyJpc3MiOiJrdWJlcm5ldGVzIiwic3ViIjoic3lzdGVtOnNhOnNob3A6d2ViIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
        assert_eq!(
            r(&format!("Authorization: Bearer {jwt}")),
            "Authorization: Bearer ****"
        );
        assert_eq!(
            r(&format!("got token {jwt} for sa")),
            "got token **** for sa"
        );
        assert_eq!(
            r("Authorization: Basic YXBwOnMzY3JldC1wYXNz"),
            "Authorization: Basic ****"
        );
        assert_eq!(r("bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"), "bearer ****");
        assert_eq!(
            r("connecting to postgres://app:s3cret@db:5432/x"),
            "connecting to postgres://app:****@db:5432/x"
        );
        assert_eq!(
            r("redis://:hunter2@redis-0.redis:6379/0"),
            "redis://:****@redis-0.redis:6379/0"
        );
        assert_eq!(r("DB_PASSWORD=hunter2"), "DB_PASSWORD=****");
        assert_eq!(
            r("export db_password='p@ss word'"),
            "export db_password='****'"
        );
        assert_eq!(
            r(r#"{"password":"x1","user":"a"}"#),
            r#"{"password":"****","user":"a"}"#
        );
        assert_eq!(r("{'api_key': 'abc123'}"), "{'api_key': '****'}");
        assert_eq!(r("  clientSecret: 0a1b2c3d"), "  clientSecret: ****");
        assert_eq!(r("--api-key=zz9 --verbose"), "--api-key=**** --verbose");
        assert_eq!(
            r("GET /cb?code=1&access_token=abc.def&x=1"),
            "GET /cb?code=1&access_token=****&x=1"
        );
        assert_eq!(
            r("{User:app Password:s3cret Host:db}"),
            "{User:app Password:**** Host:db}"
        );
        assert_eq!(r("X_AUTH=abc"), "X_AUTH=****");
        assert_eq!(
            r("GOOGLE_APPLICATION_CREDENTIALS=/var/run/key.json"),
            "GOOGLE_APPLICATION_CREDENTIALS=****"
        );
        assert_eq!(r("key AKIAIOSFODNN7EXAMPLE used"), "key AKIA**** used");
        assert_eq!(r("ASIAY34FZKBOKMUTVV7A"), "ASIA****");
        assert_eq!(
            r("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "aws_secret_access_key = ****"
        );
        assert_eq!(
            r("clone with ghp_16C7e42F292c6912E7710c838347Ae178B4a ok"),
            "clone with ghp_**** ok"
        );
        assert_eq!(r("xoxb-123456789012-abcdefABCDEF"), "xoxb-****");
        assert_eq!(
            r("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----"),
            "-----BEGIN RSA PRIVATE KEY-----\n****\n-----END RSA PRIVATE KEY-----"
        );
        assert_eq!(
            r("TLS_KEY=-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            "TLS_KEY=-----BEGIN PRIVATE KEY----- ****"
        );
        assert_eq!(
            r("key: -----BEGIN EC PRIVATE KEY----- MHcCAQEE -----END EC PRIVATE KEY----- loaded"),
            "key: -----BEGIN EC PRIVATE KEY----- **** -----END EC PRIVATE KEY----- loaded"
        );
        assert_eq!(
            r("-----BEGIN PRIVATE KEY-----\nMIIE\n"),
            "-----BEGIN PRIVATE KEY-----\n****"
        );
        assert_eq!(
            r("SECRET_KEY=abc --db-password=a&b"),
            "SECRET_KEY=**** --db-password=****"
        );
    }

    #[test]
    fn near_misses_are_untouched() {
        for s in [
            "rate limiter: token bucket refilled, 10 tokens available",
            "password policy updated for user admin",
            "Error: secret \"db-creds\" not found",
            "MountVolume.SetUp failed for volume \"db-secret\" : secret \"db-secret\" not found",
            "couldn't find key password in Secret shop/db-creds",
            "Bearer token expired",
            "Basic authentication failed for user bob",
            "DB_PASSWORD:  <set to the key 'password' in secret 'db-creds'>  Optional: false",
            "PWD=/app",
            "max_tokens=4096",
            "auth_enabled=true",
            "token: true",
            "dial tcp auth:443: i/o timeout",
            "listening on http://0.0.0.0:8080",
            "author=jane",
            "-----BEGIN CERTIFICATE-----",
            "-----BEGIN RSA PRIVATE KEY-----",
            "image sha256:3a6c10d98759e95eb18e15ee5a9df7cd9eb11b277b653fb56c965f4b0eba50a7",
            "DB_PASSWORD=${DB_PASSWORD}",
            "password=****",
            "secretName: db-creds",
            "pq: password authentication failed for user \"app\"",
            "error: the password is incorrect",
            "Bearer token is expired",
            "the token was revoked by the issuer",
            "docker login --password-stdin --username app",
            "flag provided but not defined: -token",
            "GET /v2/app/manifests/sha256:abc?design=1&signal=2",
            "skopeo copy --src-creds user:pass docker://a docker://b",
        ] {
            assert_eq!(r(s), s, "changed: {s}");
        }
    }

    #[test]
    fn redaction_is_idempotent() {
        for s in [
            "postgres://app:s3cret@db/x DB_PASSWORD=x Authorization: Bearer abcdefgh12345678",
            // A fuzzer's counterexample: masking the quoted value exposes a URL password.
            "s://\"auth\":\" h\"@",
            "a://'token': 'x y'@h --password 'p q' the secret is \"s3\"",
        ] {
            let once = r(s);
            assert_eq!(r(&once), once, "{s}");
        }
    }
}
