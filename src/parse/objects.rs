//! Structured objects: `kubectl get ... -o yaml|json` output and pasted YAML fragments.
//!
//! Owns finding where a YAML or JSON document starts and ends in a stream of lines ([`Doc`]),
//! buffering it (capped at [`MAX_DOC`]), parsing it into a `serde_json::Value` (with one lenient
//! re-indenting retry for mis-indented pasted fragments), and converting Pods, Events (core/v1 and
//! events.k8s.io/v1), Nodes, Lists of them and kind-less node fragments (taints, conditions) into
//! evidence. Each item's provenance points at the line of the document where its message, reason,
//! type or name appears. A document that does not parse is reported as not checked and handed back
//! to be scanned as free text; one that parses but holds nothing known is also scanned as free text.

use super::time::rfc3339;
use super::{Cx, Offer, Outcome};
use crate::evidence::{
    ContainerKind, ContainerState, ContainerStatus, Event, NodeCondition, PodCondition, PodInfo,
    Provenance, Taint,
};
use serde_json::Value;

/// Largest document buffered by default; a larger one is skipped (1 MiB in unit tests).
pub const MAX_DOC: usize = if cfg!(test) {
    1024 * 1024
} else {
    64 * 1024 * 1024
};
/// Largest document parsed whole. Parsing YAML costs about 20 times the text in memory (JSON about
/// 8 times), and no single Kubernetes object is larger than the API server's 1.5 MiB, so a larger
/// document is a list (read item by item) or an oversized object (read one top-level field at a
/// time, oversized fields skipped with a note): see [`super::stream`].
pub const MAX_WHOLE_DOC: usize = if cfg!(test) {
    256 * 1024
} else {
    super::stream::MAX_ITEM as usize
};
/// YAML recovery parses at most this many prefixes of a broken document.
const MAX_PREFIX_TRIES: usize = 2;
/// Most lines scanned to locate one item in a document.
const MAX_LOCATE_SCAN: usize = 50_000;
/// Lines scanned to locate items, over all items of a document, per line of it (plus
/// [`MAX_LOCATE_SCAN`]): keeps locating linear in the document's size.
const LOCATE_SCANS_PER_LINE: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Yaml,
    Json,
}

impl DocKind {
    pub fn format(self) -> &'static str {
        match self {
            DocKind::Yaml => "yaml",
            DocKind::Json => "json",
        }
    }
    fn label(self) -> &'static str {
        match self {
            DocKind::Yaml => "YAML",
            DocKind::Json => "JSON",
        }
    }
}

/// YAML keys that start a document at column 0. `strong` ones are also recognised inside a log.
pub fn yaml_start(line: &str, strong_only: bool) -> bool {
    if line.starts_with("apiVersion:") || line.starts_with("kind:") {
        return true;
    }
    if strong_only {
        return false;
    }
    if line == "---" || line.starts_with("--- ") {
        return true;
    }
    const WEAK: [&str; 13] = [
        "exitCode:",
        "items:",
        "metadata:",
        "spec:",
        "status:",
        "taints:",
        "conditions:",
        "containerStatuses:",
        "initContainerStatuses:",
        "lastState:",
        "state:",
        // The inside of a `state:` map pasted alone.
        "terminated:",
        "waiting:",
    ];
    // Pasted fragments often keep their indentation (` lastState:`, `    containerStatuses:`).
    let t = line.trim_start_matches([' ', '\t']);
    let indented = t.len() < line.len();
    if WEAK.iter().any(|k| {
        t.strip_prefix(k).is_some_and(|r| {
            if indented {
                r.trim().is_empty()
            } else {
                r.is_empty() || r.starts_with(' ')
            }
        })
    }) {
        return !indented || !matches!(t.get(..5), Some("items" | "spec:"));
    }
    if indented {
        return false;
    }
    // A pasted list item of a node's conditions or taints: `- lastHeartbeatTime: ...`.
    if let Some(rest) = line.strip_prefix("- ") {
        const ITEM_KEYS: [&str; 11] = [
            "lastHeartbeatTime:",
            "lastTransitionTime:",
            "lastProbeTime:",
            "effect:",
            "apiVersion:",
            "involvedObject:",
            "type:",
            "key:",
            "containerID:",
            "image:",
            "allocatedResources:",
        ];
        return ITEM_KEYS.iter().any(|k| rest.starts_with(k));
    }
    false
}

/// JSON documents start with `{` or `[` alone on a line, or a compact object starting with a
/// Kubernetes key.
pub fn json_start(line: &str) -> bool {
    let t = line.trim_end();
    if line.starts_with([' ', '\t']) {
        return json_member(line);
    }
    t == "{"
        || t == "["
        || t.starts_with("{\"apiVersion\"")
        || t.starts_with("{\"kind\"")
        || t.starts_with("{\"items\"")
        || t.starts_with("{\"metadata\"")
        || t.starts_with("{\"status\"")
        || t.starts_with("{\"containerStatuses\"")
        || t.starts_with("{\"conditions\"")
        || t.starts_with("[{\"containerID\"")
        || t.starts_with("[{\"image\"")
        || t.starts_with("[{\"name\"")
        || t.starts_with("[{\"lastProbeTime\"")
        || t.starts_with("[{\"lastHeartbeatTime\"")
        || t.starts_with("[{\"lastTransitionTime\"")
        || t.starts_with("{\"terminated\"")
        || t.starts_with("{\"waiting\"")
        // Wrappers of an object: heptio eventrouter's `{"verb":"UPDATED","event":{...}}`, a
        // watch's `{"type":"MODIFIED","object":{...}}`.
        || t.starts_with("{\"verb\"")
        || ["ADDED", "MODIFIED", "DELETED"]
            .iter()
            .any(|w| t.starts_with(&format!("{{\"type\":\"{w}\"")))
        || json_member(line)
}

/// A member of a JSON object pasted without its braces: `"containerStatuses": [`,
/// `"lastState": {` (from `jq` output or the middle of `-o json`).
pub fn json_member(line: &str) -> bool {
    let t = line.trim();
    const KEYS: [&str; 8] = [
        "\"containerStatuses\":",
        "\"initContainerStatuses\":",
        "\"status\":",
        "\"conditions\":",
        "\"state\":",
        "\"lastState\":",
        "\"metadata\":",
        "\"spec\":",
    ];
    KEYS.iter().any(|k| {
        t.strip_prefix(k)
            .map(str::trim)
            .is_some_and(|r| r == "{" || r == "[")
    })
}

/// A YAML or JSON document being buffered.
pub struct Doc {
    kind: DocKind,
    seg: usize,
    first_line: u64,
    last_line: u64,
    text: String,
    overflow: bool,
    /// Largest text buffered ([`MAX_DOC`] unless raised).
    limit: usize,
    depth: i64,
    in_str: bool,
    esc: bool,
    complete: bool,
}

impl Doc {
    pub fn new(kind: DocKind, n: u64, line: &str, seg: usize) -> Doc {
        let mut d = Doc {
            kind,
            seg,
            first_line: n,
            last_line: n,
            text: String::new(),
            overflow: false,
            limit: MAX_DOC,
            depth: 0,
            in_str: false,
            esc: false,
            complete: false,
        };
        d.push(n, line);
        if kind == DocKind::Json && d.depth <= 0 {
            d.complete = true;
        }
        d
    }

    /// Buffers documents up to `limit` bytes instead of [`MAX_DOC`].
    pub fn with_limit(mut self, limit: usize) -> Doc {
        self.limit = limit;
        self
    }

    pub fn seg(&self) -> usize {
        self.seg
    }

    /// A single-line JSON document is complete as soon as it starts.
    pub fn complete(&self) -> bool {
        self.complete
    }

    fn push(&mut self, n: u64, line: &str) {
        self.last_line = n;
        if self.kind == DocKind::Json {
            self.track(line);
        }
        if self.overflow {
            return;
        }
        if self.text.len() + line.len() + 1 > self.limit {
            self.overflow = true;
            self.text = String::new();
            return;
        }
        if n > self.first_line {
            self.text.push('\n');
        }
        self.text.push_str(line);
    }

    fn track(&mut self, line: &str) {
        for b in line.bytes() {
            if self.in_str {
                if self.esc {
                    self.esc = false;
                } else if b == b'\\' {
                    self.esc = true;
                } else if b == b'"' {
                    self.in_str = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth -= 1,
                _ => {}
            }
        }
        // JSON strings cannot span lines.
        self.in_str = false;
        self.esc = false;
    }

    pub fn offer(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        match self.kind {
            DocKind::Yaml => {
                if line == "---" || line.starts_with("--- ") {
                    return Offer::Rejected;
                }
                if line == "..." {
                    self.push(n, line);
                    cx.touch(self.seg, n);
                    return Offer::Done;
                }
                let b0 = line.as_bytes().first().copied();
                let continues = match b0 {
                    None => true,
                    Some(b' ' | b'\t') => true,
                    Some(b'-') => line == "-" || line.starts_with("- "),
                    Some(b'#') => super::logs::prompt(line).is_none(),
                    Some(b'"') => line.contains("\":"),
                    Some(c) if c.is_ascii_lowercase() => yaml_key_line(line),
                    _ => false,
                };
                if !continues {
                    return Offer::Rejected;
                }
                self.push(n, line);
                if !line.trim().is_empty() {
                    cx.touch(self.seg, n);
                }
                Offer::Taken
            }
            DocKind::Json => {
                // Pretty-printed JSON never has text at column 0 other than brackets.
                let b0 = line.as_bytes().first().copied();
                if matches!(b0, Some(c) if !matches!(c, b' ' | b'\t' | b'}' | b']' | b'{' | b'[' | b'"' | b','))
                {
                    return Offer::Rejected;
                }
                self.push(n, line);
                if !line.trim().is_empty() {
                    cx.touch(self.seg, n);
                }
                if self.depth <= 0 {
                    Offer::Done
                } else {
                    Offer::Taken
                }
            }
        }
    }

    /// Parses and converts the document.
    pub fn finish(self, cx: &mut Cx) -> Outcome {
        let what = format!(
            "lines {}-{} of {}",
            self.first_line, self.last_line, cx.name
        );
        if self.overflow {
            cx.ev.not_checked(
                what,
                format!(
                    "{} document is larger than {} MiB; it was skipped",
                    self.kind.label(),
                    self.limit / (1024 * 1024)
                ),
            );
            return Outcome::Accepted;
        }
        if self
            .text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim() == "---" || l.trim() == "...")
        {
            // A bare document separator: nothing to keep, no segment.
            cx.withdraw(self.seg);
            return Outcome::Accepted;
        }
        if self.text.len() > MAX_WHOLE_DOC {
            // Too big to hold parsed: read item by item (or field by field) like a dump's list.
            let offset = self.first_line.saturating_sub(1);
            let emitted = match self.kind {
                DocKind::Yaml => super::stream::yaml_text(cx.name, &self.text, offset, cx.ev),
                DocKind::Json => super::stream::json_text(cx.name, &self.text, offset, cx.ev),
            };
            if emitted == 0 {
                return Outcome::ScanAsText {
                    first: self.first_line,
                    text: self.text,
                    format: self.kind.format(),
                };
            }
            return Outcome::Accepted;
        }
        let mut yaml_err: Option<serde_yaml::Error> = None;
        // Lines of a JSON document read before the point where it was closed (cut in the paste).
        let mut json_closed: Option<usize> = None;
        let parsed: Result<Value, String> = match self.kind {
            DocKind::Yaml => match yaml_value(&self.text) {
                Ok(v) => Ok(v),
                Err(e) => match reindent(&self.text)
                    .and_then(|t| yaml_value(&t).ok())
                    .or_else(|| dedent(&self.text).and_then(|t| yaml_value(&t).ok()))
                    .or_else(|| indent_items(&self.text).and_then(|t| yaml_value(&t).ok()))
                {
                    Some(v) => Ok(v),
                    None => {
                        let msg = e.to_string();
                        yaml_err = Some(e);
                        Err(msg)
                    }
                },
            },
            DocKind::Json => serde_json::from_str::<Value>(&self.text)
                .or_else(|e| {
                    // A member pasted without its braces, perhaps with a trailing comma.
                    let first = self.text.lines().next().unwrap_or("");
                    if json_member(first) {
                        let body = self.text.trim_end().trim_end_matches(',');
                        serde_json::from_str::<Value>(&format!("{{{body}}}"))
                    } else {
                        Err(e)
                    }
                })
                .or_else(|e| {
                    // Members deleted by hand (or `...` lines dropped) leave a comma before the
                    // closing bracket: `"reason": "Error",\n}`.
                    match drop_trailing_commas(&self.text) {
                        Some(t) => serde_json::from_str::<Value>(&t).map_err(|_| e),
                        None => Err(e),
                    }
                })
                .or_else(|e| {
                    // A string broken over lines by a terminal or an editor (a raw line break
                    // inside quotes is not JSON): the pieces joined.
                    match join_broken_strings(&self.text) {
                        Some(t) => serde_json::from_str::<Value>(&t).map_err(|_| e),
                        None => Err(e),
                    }
                })
                .or_else(|e| {
                    // Cut before its end (the paste stopped mid-object): closed after its last
                    // complete line.
                    let first = self.text.lines().next().unwrap_or("");
                    let text = if json_member(first) {
                        format!("{{{}", self.text)
                    } else {
                        self.text.clone()
                    };
                    let Some((closed, kept)) = close_json(&text) else {
                        return Err(e);
                    };
                    let v = serde_json::from_str::<Value>(&closed).map_err(|_| e)?;
                    json_closed = Some(kept);
                    Ok(v)
                })
                .map_err(|e| e.to_string()),
        };
        if let Some(kept) = json_closed {
            cx.ev.not_checked(
                what.clone(),
                format!(
                    "JSON document could not be parsed whole: it is incomplete (cut in the paste?); read up to line {} and closed there",
                    self.first_line + kept as u64 - 1
                ),
            );
        }
        let mut tail: Option<(u64, String)> = None;
        // What could not be read as structure: recorded unless the statuses in it were recovered
        // key by key (then nothing that matters was left unread).
        let mut truncated_note: Option<(String, String)> = None;
        let parsed = match parsed {
            Err(e) if self.kind == DocKind::Yaml => match yaml_err
                .as_ref()
                .and_then(|err| truncated_prefix(&self.text, err))
            {
                Some((v, kept)) => {
                    let cut_at = self.first_line + kept as u64;
                    let one_line = e.split_whitespace().collect::<Vec<_>>().join(" ");
                    truncated_note = Some((
                        format!("lines {}-{} of {}", cut_at, self.last_line, cx.name),
                        format!(
                            "YAML document starting at line {} looks truncated ({one_line}); \
                             its first {kept} lines were read as objects, the rest was scanned as free text",
                            self.first_line
                        ),
                    ));
                    let rest: Vec<&str> = self.text.split('\n').skip(kept).collect();
                    tail = Some((cut_at, rest.join("\n")));
                    Ok(v)
                }
                None => Err(e),
            },
            other => other,
        };
        let value = match parsed {
            Ok(v) => v,
            Err(e) => {
                let one_line = e.split_whitespace().collect::<Vec<_>>().join(" ");
                let flat = match self.kind {
                    DocKind::Yaml => flat_statuses(&self.text, self.first_line, cx),
                    DocKind::Json => Vec::new(),
                };
                if !recovered(&flat) {
                    cx.ev.not_checked(
                        what,
                        format!(
                            "{} document could not be parsed: {}; its lines were scanned as free text",
                            self.kind.label(),
                            one_line
                        ),
                    );
                }
                cx.ev.containers.extend(flat);
                return Outcome::Replay {
                    first: self.first_line,
                    text: self.text,
                };
            }
        };
        let format = self.kind.format();
        let containers_before = cx.ev.containers.len();
        let mut conv = Converter {
            loc: Locator::new(&self.text, self.first_line),
            cx,
            format,
            emitted: 0,
            last_at: 0,
        };
        let hi = conv.loc.lines.len();
        conv.value(&value, 0, hi, None);
        // A containerStatuses fragment whose structure was lost (flattened, cut): its states read
        // key by key.
        // Also when the structure read was a wrong one (keys a flattening moved out of their item):
        // statuses without any state are replaced by what the key-by-key reading finds.
        if self.kind == DocKind::Yaml
            && conv.cx.ev.containers[containers_before..]
                .iter()
                .all(|c| c.state.is_none() && c.last_state.is_none())
        {
            let flat = flat_statuses(&self.text, self.first_line, conv.cx);
            if recovered(&flat) {
                conv.cx.ev.containers.truncate(containers_before);
                conv.emitted += flat.len();
                conv.cx.ev.containers.extend(flat);
                truncated_note = None;
            }
        }
        if let Some((what, reason)) = truncated_note {
            conv.cx.ev.not_checked(what, reason);
        }
        if let Some((first, text)) = tail {
            return Outcome::ScanAsText {
                first,
                text,
                format: "free-text",
            };
        }
        if conv.emitted == 0 {
            // A log line written as JSON (docker's json-file, an app's structured log): its text.
            let text = match (self.kind, json_log_line(&value)) {
                (DocKind::Json, Some(line)) if !self.text.trim_end().contains('\n') => line,
                _ => self.text,
            };
            return Outcome::ScanAsText {
                first: self.first_line,
                text,
                format,
            };
        }
        Outcome::Accepted
    }
}

/// The text of a log line written as one JSON object: docker's json-file driver
/// (`{"log":"panic: ...\n","stream":"stderr","time":"..."}`), or an application's structured log
/// (zap, logrus, bunyan, structlog: a level and `msg`/`message`, with `error`/`err` appended as
/// logfmt's is). `None` for other objects.
pub fn json_log_line(value: &Value) -> Option<String> {
    let obj = value.as_object()?;
    log_line_of(|k| obj.get(k).map(Value::as_str))
}

/// The keys [`json_log_line`] reads (see [`JsonLogKeys`]).
const LOG_KEYS: [&str; 14] = [
    "log",
    "stream",
    "time",
    "level",
    "severity",
    "lvl",
    "levelname",
    "log.level",
    "msg",
    "message",
    "error",
    "err",
    "exception",
    "stacktrace",
];

/// [`json_log_line`] of the JSON text `text`, exactly as `serde_json::from_str::<Value>(text)`
/// and then [`json_log_line`] would give it, without building the object: every line of a
/// structured log passes here, and only the keys above are kept (the rest is parsed, so what
/// does not parse is still not an object, but not stored).
pub fn json_log_text(text: &str) -> Option<String> {
    use serde::Deserializer as _;
    let mut de = serde_json::Deserializer::from_str(text);
    let keys = de.deserialize_any(JsonLogKeys).ok()?;
    de.end().ok()?;
    let keys = keys?;
    log_line_of(|k| {
        let i = LOG_KEYS.iter().position(|x| *x == k)?;
        keys[i].as_ref().map(|v| v.as_deref())
    })
}

/// The scalar visits (booleans, numbers, null) of a visitor whose `Value` is `Default` and that
/// has nothing to keep from them: they give the default (`None`, `()`).
macro_rules! ignore_scalars {
    () => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
}

/// The values of [`LOG_KEYS`] in a JSON object (the last of a repeated key, as `Value` keeps it):
/// absent, not a string (`Some(None)`), or the string. `None` for a JSON value that is not an
/// object.
type LogKeyValues<'de> = Option<Vec<Option<Option<std::borrow::Cow<'de, str>>>>>;

/// Reads [`LogKeyValues`]; everything else is parsed and dropped ([`SkipJson`]).
struct JsonLogKeys;

impl<'de> serde::de::Visitor<'de> for JsonLogKeys {
    type Value = LogKeyValues<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<Option<Option<std::borrow::Cow<'de, str>>>> = vec![None; LOG_KEYS.len()];
        while let Some(k) = map.next_key_seed(KeyIndex)? {
            match k {
                Some(i) => out[i] = Some(map.next_value_seed(MaybeStr)?),
                None => map.next_value_seed(SkipJson)?,
            }
        }
        Ok(Some(out))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element_seed(SkipJson)?.is_some() {}
        Ok(None)
    }
    ignore_scalars!();
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A key of an object: its index in [`LOG_KEYS`], if it is one.
struct KeyIndex;

impl<'de> serde::de::DeserializeSeed<'de> for KeyIndex {
    type Value = Option<usize>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyIndex {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(LOG_KEYS.iter().position(|k| *k == v))
    }
}

/// A value that is kept when it is a string.
struct MaybeStr;

impl<'de> serde::de::DeserializeSeed<'de> for MaybeStr {
    type Value = Option<std::borrow::Cow<'de, str>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for MaybeStr {
    type Value = Option<std::borrow::Cow<'de, str>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(std::borrow::Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(std::borrow::Cow::Owned(v.to_string())))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        SkipJson.visit_map(map).map(|_| None)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        SkipJson.visit_seq(seq).map(|_| None)
    }
    ignore_scalars!();
}

/// Any JSON value, parsed as `Value` parses it (strings and numbers included, so what `Value`
/// rejects is rejected) and dropped.
struct SkipJson;

impl<'de> serde::de::DeserializeSeed<'de> for SkipJson {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for SkipJson {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(KeyIndex)?.is_some() {
            map.next_value_seed(SkipJson)?;
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(SkipJson)?.is_some() {}
        Ok(())
    }
    ignore_scalars!();
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}

/// [`json_log_line`] over an object's keys: `get(k)` is `None` when the object has no key `k`,
/// `Some(None)` when its value is not a string.
fn log_line_of<'v>(get: impl Fn(&str) -> Option<Option<&'v str>>) -> Option<String> {
    let s = |k: &str| get(k).flatten();
    let has = |k: &str| get(k).is_some();
    if let Some(log) = s("log").filter(|_| has("stream") || has("time")) {
        return Some(log.trim_end_matches(['\n', '\r']).to_string());
    }
    let level = ["level", "severity", "lvl", "levelname", "log.level"]
        .iter()
        .any(|k| s(k).is_some());
    let msg = ["msg", "message"].iter().find_map(|k| s(k))?;
    if !level {
        return None;
    }
    let err = ["error", "err", "exception", "stacktrace"]
        .iter()
        .find_map(|k| s(k))
        .filter(|e| !e.is_empty());
    let line = match err {
        Some(e) => format!("{}: {e}", msg.trim_end_matches([':', ' '])),
        None => msg.to_string(),
    };
    // One line per line of the text (a stack trace in `error`).
    let mut line = line.replace("\r\n", "\n");
    // A fatal level is kept, after the first line (`... level=fatal`): the same words at info
    // level are not a crash. zap's `dpanic` (a panic only in development) is not fatal.
    let fatal = ["level", "severity", "lvl", "levelname", "log.level"]
        .iter()
        .find_map(|k| s(k))
        .map(str::to_ascii_lowercase)
        .filter(|l| {
            matches!(
                l.as_str(),
                "fatal" | "panic" | "critical" | "emergency" | "alert"
            )
        });
    if let Some(l) = fatal {
        let at = line.find('\n').unwrap_or(line.len());
        line.insert_str(at, &format!(" level={l}"));
    }
    Some(line)
}

/// Whether [`flat_statuses`] found a container's state (what a status fragment is pasted for).
fn recovered(flat: &[crate::evidence::ContainerStatus]) -> bool {
    flat.iter()
        .any(|c| c.state.is_some() || c.last_state.is_some())
}

/// A container status being read key by key by [`flat_statuses`].
#[derive(Default)]
struct FlatStatus {
    line: usize,
    name: Option<String>,
    image: Option<String>,
    ready: Option<bool>,
    restart_count: Option<u32>,
    state: Option<crate::evidence::ContainerState>,
    last_state: Option<crate::evidence::ContainerState>,
}

/// The API's key for a status key written with the Go field's name in lower case, as
/// `gopkg.in/yaml.v2` marshals a struct that has only `json` tags (`tkn`'s dumps, some operators'
/// debug output): `exitcode`, `finishedat`, `restartcount`, `containerstate` (a Tekton step's
/// embedded `ContainerState`). Other keys are returned as they are.
fn go_field_key(key: &str) -> &str {
    match key {
        "exitcode" => "exitCode",
        "finishedat" => "finishedAt",
        "startedat" => "startedAt",
        "containerid" => "containerID",
        "imageid" => "imageID",
        "restartcount" => "restartCount",
        "laststate" | "lastterminationstate" => "lastState",
        "containerstate" => "state",
        "containerstatuses" => "containerStatuses",
        "initcontainerstatuses" => "initContainerStatuses",
        other => other,
    }
}

/// The `containerStatuses` of a YAML fragment whose indentation was lost (flattened by a chat, a
/// quote, an editor) or that was cut, read key by key in kubelet's order: an item starts at `- `;
/// `state:` / `lastState:` then `waiting:` / `running:` / `terminated:` open a state whose
/// `reason`, `message`, `exitCode`, `signal` and `finishedAt` follow; `name`, `image`, `ready`,
/// `restartCount` are the item's own. Markdown bold marks are ignored. Emits nothing unless the
/// text has a `containerStatuses:` (or `initContainerStatuses:`) key, or starts its statuses at a
/// bare `state:` / `lastState:` / `terminated:` / `waiting:` (one container's state pasted alone,
/// its indentation lost).
fn flat_statuses(text: &str, first_line: u64, cx: &Cx) -> Vec<crate::evidence::ContainerStatus> {
    use crate::evidence::{ContainerKind, ContainerState, ContainerStatus};
    #[derive(Clone, Copy, PartialEq)]
    enum Section {
        None,
        State,
        Last,
    }
    let mut kind: Option<ContainerKind> = None;
    let mut cur: Option<FlatStatus> = None;
    let mut section = Section::None;
    // No `containerStatuses:` key: the text starts at a state (see below).
    let mut bare = false;
    // A manifest's key before any state (see below).
    let mut foreign = false;
    let mut out: Vec<(ContainerKind, FlatStatus)> = Vec::new();
    let flush = |cur: &mut Option<FlatStatus>,
                 kind: Option<ContainerKind>,
                 out: &mut Vec<(ContainerKind, FlatStatus)>| {
        if let (Some(c), Some(k)) = (cur.take(), kind) {
            if c.state.is_some() || c.last_state.is_some() || c.restart_count.is_some() {
                out.push((k, c));
            }
        }
    };
    for (i, raw) in text.split('\n').enumerate() {
        let unbold = raw.replace("**", "");
        let mut t = unbold.trim();
        let item = t.starts_with("- ");
        if item {
            t = t[2..].trim_start();
        }
        let Some((key, value)) = t.split_once(':') else {
            continue;
        };
        let key = go_field_key(key.trim());
        let value = value.trim().trim_matches(['"', '\'']);
        // `waiting: null`: a Go struct's empty state, printed (not the state).
        if matches!(key, "waiting" | "running" | "terminated" | "termination")
            && matches!(value, "null" | "~")
        {
            continue;
        }
        match key {
            "containerStatuses" | "initContainerStatuses" | "ephemeralContainerStatuses" => {
                flush(&mut cur, kind, &mut out);
                kind = Some(match key {
                    "initContainerStatuses" => ContainerKind::Init,
                    "ephemeralContainerStatuses" => ContainerKind::Ephemeral,
                    _ => ContainerKind::Regular,
                });
                section = Section::None;
                continue;
            }
            // A container's state pasted without its list (`lastState:` / `state:` or the
            // `terminated:` / `waiting:` map itself, flattened to column 0 by a chat or cut out of
            // the status): one container, read from there.
            // Not under a `spec:` (a manifest's keys that look alike are no status).
            "state" | "lastState" | "waiting" | "terminated" | "termination"
                if kind.is_none() && !foreign && (value.is_empty() || value == "{}") =>
            {
                kind = Some(ContainerKind::Regular);
                bare = true;
            }
            "spec" | "template" | "containers" | "initContainers" if kind.is_none() => {
                foreign = true;
                continue;
            }
            _ if kind.is_none() => continue,
            _ => {}
        }
        if item {
            flush(&mut cur, kind, &mut out);
            section = Section::None;
        }
        let c = cur.get_or_insert_with(|| FlatStatus {
            line: i,
            ..Default::default()
        });
        if bare
            && section == Section::None
            && matches!(key, "waiting" | "terminated" | "termination")
            && c.state.is_none()
        {
            section = Section::State;
        }
        let slot = match section {
            Section::State => Some(&mut c.state),
            Section::Last => Some(&mut c.last_state),
            Section::None => None,
        };
        match (key, slot) {
            ("state", _) if value.is_empty() || value == "{}" => section = Section::State,
            ("lastState", _) if value.is_empty() || value == "{}" => section = Section::Last,
            ("waiting", Some(slot)) => {
                *slot = Some(ContainerState::Waiting {
                    reason: None,
                    message: None,
                })
            }
            ("running", Some(slot)) => *slot = Some(ContainerState::Running { started_at: None }),
            ("terminated" | "termination", Some(slot)) => {
                *slot = Some(ContainerState::Terminated {
                    reason: None,
                    message: None,
                    exit_code: None,
                    signal: None,
                    finished_at: None,
                })
            }
            (
                "reason" | "message" | "exitCode" | "signal" | "finishedAt" | "startedAt"
                | "containerID",
                Some(Some(st)),
            ) => {
                let v =
                    (!value.is_empty() && value != "|" && value != ">").then(|| value.to_string());
                match (st, key) {
                    (ContainerState::Waiting { reason, .. }, "reason")
                    | (ContainerState::Terminated { reason, .. }, "reason") => *reason = v,
                    (ContainerState::Waiting { message, .. }, "message")
                    | (ContainerState::Terminated { message, .. }, "message") => *message = v,
                    (ContainerState::Terminated { exit_code, .. }, "exitCode") => {
                        *exit_code = value.parse().ok()
                    }
                    (ContainerState::Terminated { signal, .. }, "signal") => {
                        *signal = value.parse().ok()
                    }
                    (ContainerState::Terminated { finished_at, .. }, "finishedAt") => {
                        *finished_at = v
                    }
                    (ContainerState::Running { started_at }, "startedAt") => *started_at = v,
                    _ => {}
                }
            }
            ("name", _) => {
                section = Section::None;
                c.name = Some(value.to_string()).filter(|v| !v.is_empty());
            }
            ("image", _) => {
                section = Section::None;
                c.image = Some(value.to_string()).filter(|v| !v.is_empty());
            }
            ("ready", _) => {
                section = Section::None;
                c.ready = value.parse().ok();
            }
            ("restartCount", _) => {
                section = Section::None;
                c.restart_count = value.parse().ok();
            }
            (
                "imageID" | "started" | "allocatedResources" | "resources" | "volumeMounts"
                | "user",
                _,
            ) => section = Section::None,
            _ => {}
        }
    }
    flush(&mut cur, kind, &mut out);
    let mut statuses = Vec::with_capacity(out.len());
    for (kind, c) in out {
        let provenance = cx.prov(first_line + c.line as u64, "yaml");
        statuses.push(ContainerStatus {
            probes: Default::default(),
            pod: None,
            name: c.name.unwrap_or_default(),
            kind,
            image: c.image,
            ready: c.ready,
            restart_count: c.restart_count,
            state: c.state,
            last_state: c.last_state,
            provenance,
        });
    }
    statuses
}

/// Convert one object fetched from the API (a Pod, Event or Node, or a List of them, as the JSON the
/// API server returns) into evidence. Provenance names `input` (the request) and has no line. Live
/// mode uses this so that fetched and pasted objects become evidence through the same code.
pub fn api_object_to_evidence(
    value: &Value,
    input: &str,
    ev: &mut crate::evidence::Evidence,
) -> usize {
    let mut cx = Cx {
        name: input,
        ev,
        filter: &super::KeepAll,
        segments: Vec::new(),
        lines: false,
        recent: Vec::new(),
        failures: Default::default(),
        wrap: None,
    };
    let mut conv = Converter {
        loc: Locator::new("", 1),
        cx: &mut cx,
        format: "api",
        emitted: 0,
        last_at: 0,
    };
    conv.value(value, 0, 0, None);
    conv.emitted
}

thread_local! {
    /// YAML parses on this thread and the bytes they were given (tests bound the work per input).
    static YAML_WORK: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// How many YAML documents, items or prefixes this thread has parsed, and their total bytes.
#[cfg(test)]
pub(crate) fn yaml_work() -> (usize, usize) {
    YAML_WORK.with(|c| c.get())
}

pub(super) fn yaml_value(text: &str) -> Result<Value, serde_yaml::Error> {
    YAML_WORK.with(|c| {
        let (n, b) = c.get();
        c.set((n + 1, b + text.len()));
    });
    serde_yaml::from_str::<Value>(text)
}

/// Best effort for a YAML paste cut off mid-document: a prefix (dropping at most 64 trailing lines)
/// that parses to a mapping or sequence, with the number of lines kept. The parser's error position
/// says where the damage is, so at most [`MAX_PREFIX_TRIES`] prefixes are parsed: the lines before
/// the error, then the lines before the last top-level key above it (a value left open, such as a
/// flow sequence, is reported only where the text ends).
fn truncated_prefix(text: &str, err: &serde_yaml::Error) -> Option<(Value, usize)> {
    let lines: Vec<&str> = text.split('\n').collect();
    let min = lines.len().saturating_sub(64).max(1);
    // 1-based line of the error; the lines before it are kept.
    let at = err
        .location()
        .map_or(lines.len(), |l| l.line().saturating_sub(1));
    let first = at.min(lines.len().saturating_sub(1));
    let mut tries: Vec<usize> = vec![first];
    if let Some(key) = (min..first).rev().find(|&i| {
        let l = lines[i];
        !l.is_empty() && !l.starts_with([' ', '\t', '#', '-'])
    }) {
        tries.push(key);
    }
    tries
        .into_iter()
        .filter(|&n| n >= min)
        .take(MAX_PREFIX_TRIES)
        .find_map(|n| {
            let end = lines[..n].iter().map(|l| l.len() + 1).sum::<usize>();
            let prefix = &text[..end.saturating_sub(1).min(text.len())];
            match yaml_value(prefix) {
                Ok(v @ (Value::Object(_) | Value::Array(_))) => Some((v, n)),
                _ => None,
            }
        })
}

/// `key:` or `key: value` with a lower-case YAML key at column 0.
fn yaml_key_line(line: &str) -> bool {
    let Some(colon) = line.find(':') else {
        return false;
    };
    let key = &line[..colon];
    let rest = &line[colon + 1..];
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
        && (rest.is_empty() || rest.starts_with(' '))
}

/// Lenient retry for a pasted list item whose continuation lines are indented too deep:
/// `- a: 1` followed by `      b: 2` becomes `- a: 1` / `  b: 2`.
fn reindent(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let first_idx = lines.iter().position(|l| !l.trim().is_empty())?;
    let first = lines[first_idx];
    let base = first.len() - first.trim_start_matches(' ').len();
    let content_col = if first.trim_start().starts_with("- ") {
        base + 2
    } else {
        return None;
    };
    let deeper = lines[first_idx + 1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .filter(|&i| i > base)
        .min()?;
    if deeper <= content_col {
        return None;
    }
    let shift = deeper - content_col;
    let mut out = String::with_capacity(text.len());
    for (i, l) in lines.iter().enumerate() {
        let ind = l.len() - l.trim_start_matches(' ').len();
        if i > first_idx && ind > base && ind >= shift + content_col {
            out.push_str(&l[shift..]);
        } else {
            out.push_str(l);
        }
        out.push('\n');
    }
    Some(out)
}

/// JSON whose strings were broken over lines (a raw line break inside quotes): the line breaks
/// inside strings taken out, the pieces joined. `None` when there is none.
fn join_broken_strings(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    let mut esc = false;
    let mut changed = false;
    for c in text.chars() {
        if in_str {
            match c {
                '\n' | '\r' => {
                    changed = true;
                    continue;
                }
                _ if esc => esc = false,
                '\\' => esc = true,
                '"' => in_str = false,
                _ => {}
            }
        } else if c == '"' {
            in_str = true;
        }
        out.push(c);
    }
    changed.then_some(out)
}

/// JSON with a comma right before a closing bracket (outside strings) without that comma; `None`
/// when there is none.
fn drop_trailing_commas(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut in_str, mut esc, mut changed) = (false, false, false);
    let mut last = 0;
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            match c {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b',' => {
                let next = b[i + 1..].iter().find(|x| !x.is_ascii_whitespace());
                if matches!(next, Some(b'}' | b']')) {
                    out.push_str(&text[last..i]);
                    last = i + 1;
                    changed = true;
                }
            }
            _ => {}
        }
    }
    out.push_str(&text[last..]);
    changed.then_some(out)
}

/// Closes JSON cut before its end: keeps the whole lines up to the last one that ends outside a
/// string with a complete value or an opening bracket (or, later, the text up to the last comma
/// outside a string, as one-line JSON needs), drops a trailing comma, and appends the
/// closing brackets still open. The closed text and how many lines were kept; `None` when nothing
/// is open (the error is elsewhere).
fn close_json(text: &str) -> Option<(String, usize)> {
    let mut stack: Vec<u8> = Vec::new();
    let mut in_str = false;
    let mut esc = false;
    // (length of the prefix, lines in it, the stack at its end)
    let mut best: Option<(usize, usize, Vec<u8>)> = None;
    let mut pos = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        for (i, &b) in line.as_bytes().iter().enumerate() {
            if in_str {
                match b {
                    _ if esc => esc = false,
                    b'\\' => esc = true,
                    b'"' => in_str = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_str = true,
                b'{' | b'[' => stack.push(b),
                b'}' | b']' => {
                    stack.pop()?;
                }
                // A comma follows a complete value: the text before it can be closed. What a
                // line-by-line cut cannot do for JSON printed on one line (an event router's,
                // `kubectl get -o json` minified, a log shipper's) cut in the paste.
                b',' if !stack.is_empty() => best = Some((pos + i, n + 1, stack.clone())),
                _ => {}
            }
        }
        pos += line.len();
        let t = line.trim_end().trim_end_matches(',');
        if !in_str && !t.ends_with(':') && !t.trim().is_empty() {
            best = Some((pos, n + 1, stack.clone()));
        }
    }
    let (len, lines, open) = best?;
    if open.is_empty() {
        return None;
    }
    let mut out = text[..len].trim_end().trim_end_matches(',').to_string();
    for b in open.iter().rev() {
        out.push(if *b == b'{' { '}' } else { ']' });
    }
    Some((out, lines))
}

/// Lenient retry for list items whose continuation lines lost their indentation in the paste
/// (`- containerID: x` followed by `image: y` at the dash's column instead of under the key): every
/// line from a `- ` item up to the next item at its column, or a line less indented than that
/// column, is moved 2 columns right.
fn indent_items(text: &str) -> Option<String> {
    let ind = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let mut out = String::with_capacity(text.len() + 64);
    // The column of the current item's dash, and whether its keys lost their indentation (a key
    // line at the dash's column was seen: it and everything under it moves).
    let mut item: Option<(usize, bool)> = None;
    let mut changed = false;
    for l in text.lines() {
        if l.trim().is_empty() {
            out.push('\n');
            continue;
        }
        let i = ind(l);
        let dash = l[i..].starts_with("- ") || &l[i..] == "-";
        match item {
            Some((c, _)) if i < c || (i == c && dash) => item = None,
            Some((c, false)) if i == c => item = Some((c, true)),
            _ => {}
        }
        if item.is_some_and(|(_, lost)| lost) {
            changed = true;
            out.push_str("  ");
        }
        if dash && item.is_none() {
            item = Some((i, false));
        }
        out.push_str(l);
        out.push('\n');
    }
    changed.then_some(out)
}

/// Lenient retry for a fragment whose first line lost its indentation in the paste (selection
/// started at the text): `status:` followed by lines indented for a deeper level, or every line
/// indented. The first line is put at column 0 and the rest keeps its indentation relative to the
/// least indented of them, shifted under the first line.
fn dedent(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let ind = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let rest_min = lines[first + 1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| ind(l))
        .min()?;
    let head = lines[first].trim();
    // `key:` opens a mapping: its children go 2 deeper; a list item under it may stay level.
    let child = if head.ends_with(':') { 2 } else { 0 };
    let mut out = String::with_capacity(text.len());
    out.push_str(head);
    out.push('\n');
    for l in &lines[first + 1..] {
        if l.trim().is_empty() {
            out.push('\n');
            continue;
        }
        out.push_str(&" ".repeat(child));
        out.push_str(&l[rest_min.min(ind(l))..]);
        out.push('\n');
    }
    Some(out)
}

/// Finds the line of a document where a key/value appears.
struct Locator<'a> {
    lines: Vec<&'a str>,
    first: u64,
    /// Lines the searches of this document may still scan: a document whose items cannot be located
    /// (a compact list, one item a line) would otherwise cost one long scan per item.
    budget: std::cell::Cell<usize>,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str, first: u64) -> Self {
        let lines: Vec<&str> = text.split('\n').collect();
        let budget = lines.len().saturating_mul(LOCATE_SCANS_PER_LINE) + MAX_LOCATE_SCAN;
        Locator {
            lines,
            first,
            budget: std::cell::Cell::new(budget),
        }
    }

    /// Index of the first line in `lo..hi` holding `key: ...val...` (YAML) or `"key": ...val...`
    /// (JSON). An empty `val` matches the key alone.
    fn find(&self, lo: usize, hi: usize, key: &str, val: &str) -> Option<usize> {
        let left = self.budget.get();
        let hi = hi
            .min(self.lines.len())
            .min(lo.saturating_add(MAX_LOCATE_SCAN.min(left)));
        let found = (lo..hi).find(|&i| self.lines.get(i).is_some_and(|l| line_has(l, key, val)));
        let scanned = found.map_or(hi.saturating_sub(lo), |i| i + 1 - lo);
        self.budget.set(left.saturating_sub(scanned));
        found
    }

    fn line(&self, idx: usize) -> u64 {
        self.first + idx as u64
    }
}

fn line_has(line: &str, key: &str, val: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").map(str::trim_start).unwrap_or(t);
    let after = if let Some(r) = t.strip_prefix(key) {
        r.strip_prefix(':')
    } else if let Some(r) = t.strip_prefix('"').and_then(|r| r.strip_prefix(key)) {
        r.strip_prefix("\":")
    } else {
        None
    };
    match after {
        Some(rest) => val.is_empty() || rest.contains(val),
        None => false,
    }
}

/// A searchable prefix of a value: stops before characters YAML/JSON may quote or escape.
fn needle(v: &str) -> String {
    let s: String = v
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | '\\' | '<' | '>' | '&' | '\n' | '\t'))
        .take(30)
        .collect();
    s.trim_end().to_string()
}

fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    Some(cur)
}

/// A scalar as text; empty strings and nulls are `None`.
fn s(v: &Value, path: &[&str]) -> Option<String> {
    match get(v, path)? {
        Value::String(x) if !x.is_empty() => Some(x.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
        _ => None,
    }
}

fn u(v: &Value, path: &[&str]) -> Option<u64> {
    match get(v, path)? {
        Value::Number(n) => n.as_u64(),
        Value::String(x) => x.parse().ok(),
        _ => None,
    }
}

fn i(v: &Value, path: &[&str]) -> Option<i32> {
    match get(v, path)? {
        Value::Number(n) => n.as_i64().and_then(|x| i32::try_from(x).ok()),
        Value::String(x) => x.parse().ok(),
        _ => None,
    }
}

/// A probe of a container spec (`livenessProbe: {httpGet: ...}`) as `kubectl describe` prints it
/// (`http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`), with
/// the API's defaults for the timing fields the spec leaves out.
pub(crate) fn probe_text(p: &Value) -> Option<String> {
    if !p.is_object() {
        return None;
    }
    let port = |h: &Value| s(h, &["port"]).unwrap_or_default();
    let how = if let Some(h) = get(p, &["httpGet"]) {
        let scheme = s(h, &["scheme"])
            .unwrap_or_else(|| "HTTP".into())
            .to_ascii_lowercase();
        let host = s(h, &["host"]).unwrap_or_default();
        let path = s(h, &["path"]).unwrap_or_default();
        format!("http-get {scheme}://{host}:{}{path}", port(h))
    } else if let Some(t) = get(p, &["tcpSocket"]) {
        format!(
            "tcp-socket {}:{}",
            s(t, &["host"]).unwrap_or_default(),
            port(t)
        )
    } else if let Some(e) = get(p, &["exec"]) {
        let cmd: Vec<String> = arr(e, &["command"])
            .iter()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect();
        format!("exec [{}]", cmd.join(" "))
    } else if let Some(g) = get(p, &["grpc"]) {
        let service = s(g, &["service"]).unwrap_or_default();
        format!("grpc <pod>:{} {service}", port(g))
            .trim_end()
            .to_string()
    } else {
        "unknown".to_string()
    };
    let n = |k: &str, d: u64| u(p, &[k]).unwrap_or(d);
    Some(format!(
        "{how} delay={}s timeout={}s period={}s #success={} #failure={}",
        n("initialDelaySeconds", 0),
        n("timeoutSeconds", 1),
        n("periodSeconds", 10),
        n("successThreshold", 1),
        n("failureThreshold", 3)
    ))
}

/// The probes a pod spec configures for container `name` (in `spec.<key>`).
fn spec_probes(v: &Value, key: &str, name: &str) -> crate::evidence::Probes {
    let Some(c) = arr(v, &["spec", key])
        .iter()
        .find(|c| s(c, &["name"]).as_deref() == Some(name))
    else {
        return Default::default();
    };
    let probe = |k: &str| get(c, &[k]).and_then(probe_text);
    crate::evidence::Probes {
        liveness: probe("livenessProbe"),
        readiness: probe("readinessProbe"),
        startup: probe("startupProbe"),
    }
}

fn arr<'v>(v: &'v Value, path: &[&str]) -> &'v [Value] {
    match get(v, path) {
        Some(Value::Array(a)) => a,
        _ => &[],
    }
}

/// Every `resources.limits` and `resources.requests` entry of the pod's containers and init
/// containers, once per (resource, quantity).
fn container_requests(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for key in ["initContainers", "containers"] {
        for c in arr(v, &["spec", key]) {
            for kind in ["limits", "requests"] {
                for kv in pairs(c, &["resources", kind]) {
                    if !out.contains(&kv) {
                        out.push(kv);
                    }
                }
            }
        }
    }
    out
}

fn pairs(v: &Value, path: &[&str]) -> Vec<(String, String)> {
    match get(v, path) {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                let val = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k.clone(), val)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Condition status as text (`"True"`; YAML may give a bare boolean).
fn status_text(v: &Value) -> Option<String> {
    s(v, &["status"])
}

struct Converter<'a, 'c, 'x> {
    loc: Locator<'a>,
    cx: &'c mut Cx<'x>,
    format: &'static str,
    emitted: usize,
    /// Last line an item was located at; list items whose lines could not be delimited are
    /// searched from here on.
    last_at: usize,
}

impl Converter<'_, '_, '_> {
    fn prov(&mut self, idx: usize) -> Provenance {
        self.last_at = self.last_at.max(idx);
        self.cx.prov(self.loc.line(idx), self.format)
    }

    /// Line windows of the items of a list: `after` is the index of the `items:` line (or `None`
    /// for a top-level array starting at `lo`).
    fn item_windows(
        &self,
        lo: usize,
        hi: usize,
        after: Option<usize>,
        count: usize,
    ) -> Option<Vec<(usize, usize)>> {
        let start = after.map(|a| a + 1).unwrap_or(lo);
        let hi = hi.min(self.loc.lines.len());
        let mut first: Option<(usize, u8)> = None;
        let mut starts = Vec::new();
        let mut end = hi;
        for idx in start..hi {
            let l = self.loc.lines[idx];
            if l.trim().is_empty() {
                continue;
            }
            let ind = l.len() - l.trim_start().len();
            let c = l.trim_start().as_bytes().first().copied().unwrap_or(b' ');
            match first {
                None => {
                    if after.is_none() && (c == b'[') {
                        continue;
                    }
                    if c != b'-' && c != b'{' {
                        break;
                    }
                    first = Some((ind, c));
                    starts.push(idx);
                }
                Some((fi, fc)) => {
                    if ind < fi || (ind == fi && c != fc) {
                        end = idx;
                        break;
                    }
                    if ind == fi && c == fc {
                        starts.push(idx);
                    }
                }
            }
        }
        if starts.len() != count {
            return None;
        }
        let mut out = Vec::with_capacity(count);
        for (k, &s) in starts.iter().enumerate() {
            let e = starts.get(k + 1).copied().unwrap_or(end);
            out.push((s, e));
        }
        Some(out)
    }

    /// Converts list items, each within its own lines when they could be delimited, else each
    /// searched from where the previous one was found.
    fn items(
        &mut self,
        items: &[Value],
        lo: usize,
        hi: usize,
        after: Option<usize>,
        hint: Option<&str>,
    ) {
        match self.item_windows(lo, hi, after, items.len()) {
            Some(wins) => {
                for (item, (a, b)) in items.iter().zip(wins) {
                    self.value_item(item, a, b, hint);
                }
            }
            None => {
                for item in items {
                    let a = self.last_at.max(lo);
                    self.value_item(item, a, hi, hint);
                }
            }
        }
    }

    fn value_item(&mut self, v: &Value, lo: usize, hi: usize, hint: Option<&str>) {
        match v {
            Value::Object(_) => self.object(v, lo, hi, hint),
            Value::Array(_) => self.value(v, lo, hi, hint),
            _ => {}
        }
    }

    fn value(&mut self, v: &Value, lo: usize, hi: usize, hint: Option<&str>) {
        match v {
            Value::Array(items) => self.items(items, lo, hi, None, hint),
            Value::Object(_) => self.object(v, lo, hi, hint),
            _ => {}
        }
    }

    fn object(&mut self, v: &Value, lo: usize, hi: usize, hint: Option<&str>) {
        let kind = s(v, &["kind"]);
        let kind = kind.as_deref().or(hint);
        if let Some(Value::Array(items)) = v.get("items") {
            if kind.is_none_or(|k| k.ends_with("List")) {
                let item_hint = kind
                    .and_then(|k| k.strip_suffix("List"))
                    .filter(|k| !k.is_empty());
                let after = self.loc.find(lo, hi, "items", "");
                self.items(items, lo, hi, after, item_hint);
                return;
            }
        }
        let kind = kind.or_else(|| guess_kind(v));
        match kind {
            Some("Pod") => self.pod(v, lo, hi),
            Some("Event") => self.event(v, lo, hi),
            Some("Node") => self.node(v, lo, hi),
            Some("Job") => self.job(v, lo, hi),
            Some("PersistentVolumeClaim") => {
                self.claim(v, lo, hi);
                self.other_status(v, lo, hi);
            }
            Some(_) => self.other_status(v, lo, hi),
            None => self.fragment(v, lo, hi),
        }
    }

    fn pod(&mut self, v: &Value, lo: usize, hi: usize) {
        let name = s(v, &["metadata", "name"]);
        let reason = s(v, &["status", "reason"]);
        let message = s(v, &["status", "message"]);
        let at = reason
            .as_deref()
            .and_then(|r| self.loc.find(lo, hi, "reason", r))
            .or_else(|| {
                message
                    .as_deref()
                    .and_then(|m| self.loc.find(lo, hi, "message", &needle(m)))
            })
            .or_else(|| {
                name.as_deref()
                    .and_then(|n| self.loc.find(lo, hi, "name", n))
            })
            .unwrap_or(lo);
        let controlled_by = {
            let refs = arr(v, &["metadata", "ownerReferences"]);
            let r = refs
                .iter()
                .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
                .or(refs.first());
            r.and_then(|r| match (s(r, &["kind"]), s(r, &["name"])) {
                (Some(k), Some(n)) => Some(format!("{k}/{n}")),
                _ => None,
            })
        };
        let pod_key = name
            .as_deref()
            .and_then(|n| crate::evidence::pod_key(s(v, &["metadata", "namespace"]).as_deref(), n));
        let info = PodInfo {
            name: name.clone(),
            namespace: s(v, &["metadata", "namespace"]),
            uid: s(v, &["metadata", "uid"]),
            deletion: s(v, &["metadata", "deletionTimestamp"]).and_then(|t| rfc3339(&t)),
            created: None,
            listed_status: None,
            events_shown: false,
            phase: s(v, &["status", "phase"]),
            reason,
            message,
            // Only a pod bound to a node has a `hostIP` (kubelet sets it): a status pasted without
            // its spec is on that node, named by its address.
            node_name: s(v, &["spec", "nodeName"]).or_else(|| s(v, &["status", "hostIP"])),
            controlled_by,
            annotations: pairs(v, &["metadata", "annotations"]),
            labels: pairs(v, &["metadata", "labels"]),
            requests: container_requests(v),
            provenance: self.prov(at),
        };
        let pod_at = self.cx.ev.pods.len();
        let containers_from = self.cx.ev.containers.len();
        self.cx.ev.pods.push(info);
        self.emitted += 1;

        // Declared ports: not evidence rules match, facts a report can name.
        for key in ["initContainers", "containers"] {
            for c in arr(v, &["spec", key]) {
                let Some(cname) = s(c, &["name"]) else {
                    continue;
                };
                for p in arr(c, &["ports"]) {
                    let Some(port) = u(p, &["containerPort"]).and_then(|x| u16::try_from(x).ok())
                    else {
                        continue;
                    };
                    let at = self
                        .loc
                        .find(lo, hi, "containerPort", &port.to_string())
                        .unwrap_or(lo);
                    let provenance = self.prov(at);
                    self.cx.ev.ports.push(crate::evidence::DeclaredPort {
                        pod: pod_key.clone(),
                        container: cname.clone(),
                        port,
                        protocol: s(p, &["protocol"]).unwrap_or_else(|| "TCP".into()),
                        provenance,
                    });
                }
            }
        }

        let conds = arr(v, &["status", "conditions"]);
        let mut cursor = self.loc.find(lo, hi, "conditions", "").unwrap_or(lo);
        for c in conds {
            let Some(type_) = s(c, &["type"]) else {
                continue;
            };
            let at = self.loc.find(cursor, hi, "type", &type_).unwrap_or(cursor);
            cursor = at + 1;
            let provenance = self.prov(at);
            let message = s(c, &["message"]);
            // The scheduler's message in `PodScheduled=False` is the FailedScheduling event's
            // message (events expire, the condition stays): offered to event matchers as such.
            if let Some(m) = message.as_deref() {
                self.text_message(m, &provenance);
            }
            self.cx.ev.pod_conditions.push(PodCondition {
                pod: pod_key.clone(),
                type_,
                status: status_text(c).unwrap_or_default(),
                reason: s(c, &["reason"]),
                message,
                provenance,
            });
            self.emitted += 1;
        }

        for (key, kind) in [
            ("initContainerStatuses", ContainerKind::Init),
            ("containerStatuses", ContainerKind::Regular),
            ("ephemeralContainerStatuses", ContainerKind::Ephemeral),
        ] {
            let list = arr(v, &["status", key]);
            if list.is_empty() {
                continue;
            }
            let mut cursor = self.loc.find(lo, hi, key, "").unwrap_or(lo);
            for c in list {
                // A status cut off before its `name:` (a truncated paste) still carries its states.
                let named = s(c, &["name"]);
                if named.is_none()
                    && get(c, &["state"]).is_none()
                    && get(c, &["lastState"]).is_none()
                {
                    continue;
                }
                // Unknown, not empty: matchers treat a missing name as not given.
                let cname = named.clone().unwrap_or_default();
                let at = match &named {
                    Some(n) => self.loc.find(cursor, hi, "name", n).unwrap_or(cursor),
                    None => cursor,
                };
                cursor = at + 1;
                let provenance = self.prov(at);
                let spec_key = match kind {
                    ContainerKind::Init => "initContainers",
                    ContainerKind::Regular => "containers",
                    ContainerKind::Ephemeral => "ephemeralContainers",
                };
                self.cx.ev.containers.push(ContainerStatus {
                    probes: spec_probes(v, spec_key, &cname),
                    pod: pod_key.clone(),
                    name: cname,
                    kind,
                    image: s(c, &["image"]),
                    ready: get(c, &["ready"]).and_then(Value::as_bool),
                    restart_count: u(c, &["restartCount"]).and_then(|x| u32::try_from(x).ok()),
                    state: get(c, &["state"]).and_then(container_state),
                    last_state: get(c, &["lastState"]).and_then(container_state),
                    provenance: provenance.clone(),
                });
                self.emitted += 1;
                self.reasonless_messages(c, &provenance);
            }
        }

        // What `kubectl get pods` would print in STATUS (`Pending` with no container status):
        // the listing's rules read it the same way, with the pod's age when the paste dates it.
        let gated = !arr(v, &["spec", "schedulingGates"]).is_empty()
            || arr(v, &["status", "conditions"]).iter().any(|c| {
                s(c, &["type"]).as_deref() == Some("PodScheduled")
                    && s(c, &["reason"]).as_deref() == Some("SchedulingGated")
            });
        let status = super::listing::printed_status(
            &self.cx.ev.pods[pod_at],
            &self.cx.ev.containers[containers_from..],
            gated,
        );
        if status.is_some() {
            self.cx.ev.pods[pod_at].created =
                s(v, &["metadata", "creationTimestamp"]).and_then(|t| rfc3339(&t));
        }
        self.cx.ev.pods[pod_at].listed_status = status;
    }

    /// A waiting or terminated message whose reason is missing (cut from the paste) is offered to
    /// the event and container message matchers like free text.
    fn reasonless_messages(&mut self, c: &Value, provenance: &Provenance) {
        for key in ["state", "lastState"] {
            for st in ["waiting", "terminated"] {
                if let Some(x) = get(c, &[key, st]) {
                    if s(x, &["reason"]).is_none() {
                        if let Some(m) = s(x, &["message"]) {
                            self.text_message(&m, provenance);
                        }
                    }
                }
            }
        }
    }

    fn event(&mut self, v: &Value, lo: usize, hi: usize) {
        let message = s(v, &["message"]).or_else(|| s(v, &["note"]));
        let reason = s(v, &["reason"]);
        let at = message
            .as_deref()
            .map(needle)
            .filter(|n| n.len() >= 4)
            .and_then(|n| {
                self.loc
                    .find(lo, hi, "message", &n)
                    .or_else(|| self.loc.find(lo, hi, "note", &n))
            })
            .or_else(|| {
                reason
                    .as_deref()
                    .and_then(|r| self.loc.find(lo, hi, "reason", r))
            })
            .unwrap_or(lo);
        let obj = v.get("involvedObject").or_else(|| v.get("regarding"));
        let count = u(v, &["count"])
            .or_else(|| u(v, &["series", "count"]))
            .or_else(|| u(v, &["deprecatedCount"]))
            .and_then(|c| u32::try_from(c).ok());
        let first = s(v, &["firstTimestamp"])
            .or_else(|| s(v, &["deprecatedFirstTimestamp"]))
            .or_else(|| s(v, &["eventTime"]))
            .and_then(|t| rfc3339(&t));
        let last = s(v, &["lastTimestamp"])
            .or_else(|| s(v, &["deprecatedLastTimestamp"]))
            .or_else(|| s(v, &["series", "lastObservedTime"]))
            .or_else(|| s(v, &["eventTime"]))
            .and_then(|t| rfc3339(&t));
        let source = s(v, &["source", "component"])
            .or_else(|| s(v, &["reportingController"]))
            .or_else(|| s(v, &["reportingComponent"]))
            .or_else(|| s(v, &["deprecatedSource", "component"]));
        let provenance = self.prov(at);
        self.cx.ev.events.push(Event {
            type_: s(v, &["type"]),
            reason,
            message: message.unwrap_or_default(),
            count,
            object_kind: obj.and_then(|o| s(o, &["kind"])),
            object_name: obj.and_then(|o| s(o, &["name"])),
            source,
            first_seen: first,
            last_seen: last,
            provenance,
        });
        self.emitted += 1;
    }

    /// A PersistentVolumeClaim (`kubectl get pvc -o yaml`, one claim or a list): the claim as a
    /// `kubectl get pvc` row gives it. Its age is left unknown: the only times such a paste
    /// holds are usually the claim's own, which would date it at zero.
    fn claim(&mut self, v: &Value, lo: usize, hi: usize) {
        // A claim pasted without its metadata (from `spec:` on) still carries its expansion
        // conditions; it is not a claim the binding rules can name.
        let name = s(v, &["metadata", "name"]);
        let Some(phase) = s(v, &["status", "phase"]) else {
            return;
        };
        if !matches!(phase.as_str(), "Pending" | "Bound" | "Lost") {
            return;
        }
        let at = self
            .loc
            .find(lo, hi, "phase", &phase)
            .or_else(|| {
                name.as_deref()
                    .and_then(|n| self.loc.find(lo, hi, "name", n))
            })
            .unwrap_or(lo);
        let provenance = self.prov(at);
        let storage_class = s(v, &["spec", "storageClassName"]).or_else(|| {
            s(
                v,
                &[
                    "metadata",
                    "annotations",
                    "volume.beta.kubernetes.io/storage-class",
                ],
            )
        });
        // Its expansion conditions, as `kubectl describe pvc` shows them: events of the claim.
        for c in arr(v, &["status", "conditions"]) {
            let (Some(ctype), Some(cstatus)) = (s(c, &["type"]), status_text(c)) else {
                continue;
            };
            let Some(etype) = claim_condition(&ctype, &cstatus) else {
                continue;
            };
            let message = s(c, &["message"]).unwrap_or_default();
            let at = self.loc.find(lo, hi, "type", &ctype).unwrap_or(at);
            let provenance = self.prov(at);
            self.cx.ev.events.push(crate::evidence::Event {
                type_: Some(etype.to_string()),
                reason: Some(ctype),
                message,
                object_kind: Some("PersistentVolumeClaim".to_string()),
                object_name: name.clone(),
                provenance,
                ..Default::default()
            });
        }
        let Some(name) = name else {
            return;
        };
        self.cx.ev.claims.push(crate::evidence::Claim {
            name,
            namespace: s(v, &["metadata", "namespace"]),
            status: phase,
            volume: s(v, &["spec", "volumeName"]).filter(|v| !v.is_empty()),
            storage_class: storage_class.filter(|c| !c.is_empty()),
            created: None,
            provenance,
        });
    }

    fn node(&mut self, v: &Value, lo: usize, hi: usize) {
        let name = s(v, &["metadata", "name"]);
        self.node_conditions(arr(v, &["status", "conditions"]), name.as_deref(), lo, hi);
        self.taints(arr(v, &["spec", "taints"]), name.as_deref(), lo, hi);
    }

    fn node_conditions(&mut self, conds: &[Value], node: Option<&str>, lo: usize, hi: usize) {
        let mut cursor = self.loc.find(lo, hi, "conditions", "").unwrap_or(lo);
        for c in conds {
            let Some(type_) = s(c, &["type"]) else {
                continue;
            };
            let message = s(c, &["message"]);
            let at = message
                .as_deref()
                .map(needle)
                .filter(|n| n.len() >= 4)
                .and_then(|n| self.loc.find(cursor, hi, "message", &n))
                .or_else(|| self.loc.find(cursor, hi, "type", &type_))
                .unwrap_or(cursor);
            cursor = at + 1;
            let provenance = self.prov(at);
            self.cx.ev.node_conditions.push(NodeCondition {
                node: node.map(str::to_string),
                type_,
                status: status_text(c).unwrap_or_default(),
                reason: s(c, &["reason"]),
                message,
                last_transition: s(c, &["lastTransitionTime"]).and_then(|t| rfc3339(&t)),
                provenance,
            });
            self.emitted += 1;
        }
    }

    fn taints(&mut self, taints: &[Value], node: Option<&str>, lo: usize, hi: usize) {
        let mut cursor = self.loc.find(lo, hi, "taints", "").unwrap_or(lo);
        for t in taints {
            let (Some(key), Some(effect)) = (s(t, &["key"]), s(t, &["effect"])) else {
                continue;
            };
            let at = self.loc.find(cursor, hi, "key", &key).unwrap_or(cursor);
            cursor = at + 1;
            let provenance = self.prov(at);
            self.cx.ev.taints.push(Taint {
                node: node.map(str::to_string),
                key,
                value: s(t, &["value"]),
                effect,
                provenance,
            });
            self.emitted += 1;
        }
    }

    /// Offers a message found in an object to the event and container message matchers when it
    /// implies its own event reason (a scheduler message in a pod condition, a waiting message
    /// whose reason was cut from the paste).
    fn text_message(&mut self, message: &str, provenance: &Provenance) {
        let Some(a) = super::text::analyse(message) else {
            return;
        };
        if let Some((name, code, reason)) = super::text::step_exit(&a.message) {
            let known = self.cx.ev.containers.iter().any(|c| {
                c.name == name
                    && matches!(&c.state, Some(ContainerState::Terminated { exit_code, .. }) if *exit_code == Some(code))
            });
            if !known {
                let mut p = provenance.clone();
                p.format = "free-text".into();
                self.cx
                    .ev
                    .containers
                    .push(super::text::step_exit_status(None, name, code, reason, p));
                // Read: the document is not scanned again as text (which would add it twice).
                self.emitted += 1;
            }
        }
        if a.reason.is_none() && !self.cx.filter.wants_message(&a.message, false) {
            return;
        }
        if a.reason.is_some() && !self.cx.filter.wants_message(&a.message, true) {
            return;
        }
        let mut p = provenance.clone();
        p.format = "free-text".into();
        self.cx.ev.push_message(a.into_message(message, p));
    }

    /// A Job: its `Failed` status condition becomes the event the `event` matchers see
    /// (object kind `Job`, reason and message of the condition, type `Warning`, provenance format
    /// `job-condition`).
    fn job(&mut self, v: &Value, lo: usize, hi: usize) {
        let name = s(v, &["metadata", "name"]);
        self.job_conditions(arr(v, &["status", "conditions"]), name, lo, hi);
    }

    fn job_conditions(&mut self, conds: &[Value], name: Option<String>, lo: usize, hi: usize) {
        let mut cursor = self.loc.find(lo, hi, "conditions", "").unwrap_or(lo);
        for c in conds {
            if s(c, &["type"]).as_deref() != Some("Failed") || !is_true(c) {
                continue;
            }
            let reason = s(c, &["reason"]);
            let at = reason
                .as_deref()
                .and_then(|r| self.loc.find(cursor, hi, "reason", r))
                .unwrap_or(cursor);
            cursor = at + 1;
            self.last_at = self.last_at.max(at);
            let provenance = self.cx.prov(self.loc.line(at), "job-condition");
            let when = s(c, &["lastTransitionTime"]).and_then(|t| rfc3339(&t));
            self.cx.ev.events.push(Event {
                type_: Some("Warning".into()),
                reason,
                message: s(c, &["message"]).unwrap_or_default(),
                count: None,
                object_kind: Some("Job".into()),
                object_name: name.clone(),
                source: Some("job-controller".into()),
                first_seen: when,
                last_seen: when,
                provenance,
            });
            self.emitted += 1;
        }
    }

    /// A container status pasted alone (an item of `containerStatuses`, or a bare `state` /
    /// `lastState` map): a container of a pod the paste does not name.
    fn container_fragment(&mut self, c: &Value, kind: ContainerKind, lo: usize, hi: usize) {
        let named = s(c, &["name"]);
        let at = named
            .as_deref()
            .and_then(|n| self.loc.find(lo, hi, "name", n))
            .or_else(|| self.loc.find(lo, hi, "reason", ""))
            .unwrap_or(lo);
        let provenance = self.prov(at);
        self.cx.ev.containers.push(ContainerStatus {
            probes: Default::default(),
            pod: None,
            name: named.unwrap_or_default(),
            kind,
            image: s(c, &["image"]),
            ready: get(c, &["ready"]).and_then(Value::as_bool),
            restart_count: u(c, &["restartCount"]).and_then(|x| u32::try_from(x).ok()),
            state: get(c, &["state"]).and_then(container_state),
            last_state: get(c, &["lastState"]).and_then(container_state),
            provenance: provenance.clone(),
        });
        self.emitted += 1;
        self.reasonless_messages(c, &provenance);
    }

    /// A CRI ContainerStatus (`crictl inspect`): `"state": "CONTAINER_EXITED"` with `exitCode`,
    /// `reason` (`OOMKilled`, `Error`, `Completed`) and `message`, the name in `metadata.name`,
    /// read as the API's container status (kubelet builds that from this). A container created and
    /// not started, or in an unknown state, gives nothing.
    fn cri_container(&mut self, c: &Value, lo: usize, hi: usize) {
        let state = match cri_state(c) {
            Some("CONTAINER_EXITED") => {
                let mut t = serde_json::Map::new();
                for k in ["exitCode", "reason", "message", "finishedAt"] {
                    if let Some(x) = c.get(k).filter(|x| !x.is_null() && *x != "") {
                        t.insert(k.into(), x.clone());
                    }
                }
                serde_json::json!({ "terminated": t })
            }
            Some("CONTAINER_RUNNING") => serde_json::json!({ "running": {} }),
            _ => return,
        };
        let mut status = serde_json::Map::new();
        if let Some(n) = get(c, &["metadata", "name"]).filter(|n| n.is_string()) {
            status.insert("name".into(), n.clone());
        }
        if let Some(i) = get(c, &["image", "image"]).filter(|i| i.is_string()) {
            status.insert("image".into(), i.clone());
        }
        status.insert("state".into(), state);
        self.container_fragment(&Value::Object(status), ContainerKind::Regular, lo, hi);
    }

    /// The status of another kind (a Tekton TaskRun or PipelineRun, a Knative Service or
    /// Revision, an Argo Workflow, a Deployment): each condition's and the status's own `message`
    /// is offered to the matchers like free text (a kubelet or runtime message is recognised
    /// wherever it stands), and a TaskRun's `steps` are its pod's containers.
    fn other_status(&mut self, v: &Value, lo: usize, hi: usize) {
        let mut cursor = lo;
        self.statuses_within(v, lo, hi, &mut cursor, 0);
    }

    /// [`Self::other_status`] for `v` and the objects nested in it (a PipelineRun's `taskRuns`,
    /// a list of Revisions), a few levels deep.
    fn statuses_within(&mut self, v: &Value, lo: usize, hi: usize, cursor: &mut usize, depth: u8) {
        const MAX_DEPTH: u8 = 6;
        match v {
            // An object of a known kind nested in a wrapper (an event router's `{"verb":
            // "UPDATED", "event": {...}}`, a watch's `{"type": "MODIFIED", "object": {...}}`).
            Value::Object(_)
                if depth > 0
                    && matches!(
                        s(v, &["kind"]).as_deref().or_else(|| guess_kind(v)),
                        Some("Pod" | "Event" | "Node" | "Job")
                    ) =>
            {
                let hint = s(v, &["kind"]).is_none().then(|| guess_kind(v)).flatten();
                self.object(v, lo, hi, hint);
            }
            Value::Object(map) => {
                let status = v.get("status").filter(|x| x.is_object()).unwrap_or(v);
                self.steps(status, lo, hi);
                let conds = arr(status, &["conditions"]);
                // The status's own message; `errorMessage`: a SparkApplication's
                // `applicationState` (reached below, as a nested object).
                let own = [(status, "message"), (status, "errorMessage")];
                for (c, key) in conds.iter().map(|c| (c, "message")).chain(own) {
                    let Some(m) = s(c, &[key]) else {
                        continue;
                    };
                    let at = self
                        .loc
                        .find(*cursor, hi, key, &needle(&m))
                        .unwrap_or(*cursor);
                    *cursor = at;
                    let provenance = self.prov(at);
                    self.text_message(&m, &provenance);
                }
                if depth < MAX_DEPTH {
                    for (k, x) in map {
                        if !matches!(
                            k.as_str(),
                            "status" | "conditions" | "steps" | "metadata" | "spec"
                        ) {
                            self.statuses_within(x, lo, hi, cursor, depth + 1);
                        }
                    }
                    if let Some(st) = v.get("status").filter(|x| x.is_object()) {
                        for (k, x) in st.as_object().into_iter().flatten() {
                            if !matches!(k.as_str(), "conditions" | "steps") {
                                self.statuses_within(x, lo, hi, cursor, depth + 1);
                            }
                        }
                    }
                }
            }
            Value::Array(items) if depth < MAX_DEPTH => {
                for x in items {
                    self.statuses_within(x, lo, hi, cursor, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// A Tekton TaskRun's `status.steps` (each a container state with `container` / `name`).
    fn steps(&mut self, status: &Value, lo: usize, hi: usize) {
        for st in arr(status, &["steps"]) {
            let Some(state) = container_state(st) else {
                continue;
            };
            let name = s(st, &["container"])
                .or_else(|| s(st, &["name"]).map(|n| format!("step-{n}")))
                .unwrap_or_default();
            let at = self.loc.find(lo, hi, "container", &name).unwrap_or(lo);
            let provenance = self.prov(at);
            self.cx.ev.containers.push(ContainerStatus {
                probes: Default::default(),
                pod: None,
                name,
                kind: ContainerKind::Regular,
                image: None,
                ready: None,
                restart_count: None,
                state: Some(state),
                last_state: None,
                provenance,
            });
            self.emitted += 1;
        }
    }

    /// Kind-less pasted pieces: of a node (`spec.taints`, `taints`, `status.conditions`,
    /// `conditions`, a single taint or node condition mapping), of a pod (`status:` with
    /// `containerStatuses`, `phase`, `reason` or pod conditions; a `containerStatuses` list; a
    /// container status; `state` / `lastState` maps; one pod condition) and of a Job (`status:`
    /// with a `Failed` condition).
    fn fragment(&mut self, v: &Value, lo: usize, hi: usize) {
        let node = s(v, &["metadata", "name"]);
        let node = node.as_deref();
        // `crictl inspect`: the CRI ContainerStatus as JSON, under `status` or pasted alone.
        if let Some(c) = [v.get("status"), Some(v)]
            .into_iter()
            .flatten()
            .find(|c| cri_state(c).is_some())
        {
            self.cri_container(c, lo, hi);
            return;
        }
        if is_node_condition(v) {
            self.node_conditions(std::slice::from_ref(v), None, lo, hi);
            return;
        }
        if is_job_condition(v) {
            self.job_conditions(std::slice::from_ref(v), None, lo, hi);
            return;
        }
        if is_pod_condition(v) {
            self.pod(&serde_json::json!({"status": {"conditions": [v]}}), lo, hi);
            return;
        }
        let status = v.get("status").filter(|x| x.is_object()).unwrap_or(v);
        let status_conds = arr(status, &["conditions"]);
        if status_conds.iter().any(is_job_condition) && !status_conds.iter().any(is_pod_condition) {
            self.job_conditions(status_conds, None, lo, hi);
            return;
        }
        let pod_like = [
            "containerStatuses",
            "initContainerStatuses",
            "ephemeralContainerStatuses",
        ]
        .iter()
        .any(|k| status.get(*k).is_some_and(Value::is_array))
            || (status.get("phase").is_some_and(Value::is_string)
                && (status.get("reason").is_some()
                    || status.get("message").is_some()
                    || status.get("conditions").is_some()
                    || status.get("startTime").is_some()))
            || status_conds.iter().any(is_pod_condition);
        if pod_like && !status_conds.iter().any(is_node_condition) {
            let mut pod = serde_json::Map::new();
            if let Some(m) = v.get("metadata") {
                pod.insert("metadata".into(), m.clone());
            }
            pod.insert("status".into(), status.clone());
            self.pod(&Value::Object(pod), lo, hi);
            return;
        }
        if is_container_status(v)
            || ((v.get("state").is_some_and(Value::is_object)
                || v.get("lastState").is_some_and(Value::is_object))
                && v.get("status").is_none()
                && v.get("spec").is_none())
        {
            self.container_fragment(v, ContainerKind::Regular, lo, hi);
            return;
        }
        // `state:` / `lastState:` pasted alone, or their contents (`terminated:` ...).
        if v.get("waiting").is_some()
            || v.get("terminated").is_some()
            || v.get("termination").is_some()
        {
            let wrapped = serde_json::json!({ "state": v });
            self.container_fragment(&wrapped, ContainerKind::Regular, lo, hi);
            return;
        }
        // The inside of a `terminated:` map: `exitCode: 127` / `reason: ContainerCannotRun`.
        if v.get("exitCode").is_some() && (v.get("reason").is_some() || v.get("signal").is_some()) {
            let wrapped = serde_json::json!({ "state": { "terminated": v } });
            self.container_fragment(&wrapped, ContainerKind::Regular, lo, hi);
            return;
        }
        if s(v, &["key"]).is_some() && s(v, &["effect"]).is_some() {
            self.taints(std::slice::from_ref(v), None, lo, hi);
            return;
        }
        for path in [&["spec", "taints"][..], &["taints"][..]] {
            let t = arr(v, path);
            if !t.is_empty() {
                self.taints(t, node, lo, hi);
            }
        }
        let mut nodes = false;
        for path in [&["status", "conditions"][..], &["conditions"][..]] {
            let c = arr(v, path);
            if c.iter().any(is_node_condition) {
                self.node_conditions(c, node, lo, hi);
                nodes = true;
            }
        }
        // Conditions and steps of another kind (TaskRun, Knative Service, ...), at any depth.
        if !nodes {
            self.other_status(v, lo, hi);
        }
    }
}

fn is_node_condition(v: &Value) -> bool {
    v.get("type").is_some() && v.get("status").is_some() && v.get("lastHeartbeatTime").is_some()
}

/// A condition's status is `True` (YAML may give a bare boolean).
fn is_true(c: &Value) -> bool {
    status_text(c).as_deref() == Some("True")
}

/// One entry of a Job's `status.conditions`.
fn is_job_condition(v: &Value) -> bool {
    matches!(
        s(v, &["type"]).as_deref(),
        Some("Failed" | "Complete" | "Suspended" | "FailureTarget" | "SuccessCriteriaMet")
    ) && v.get("status").is_some()
        && v.get("lastHeartbeatTime").is_none()
}

/// One entry of a pod's `status.conditions`.
fn is_pod_condition(v: &Value) -> bool {
    matches!(
        s(v, &["type"]).as_deref(),
        Some(
            "PodScheduled"
                | "Initialized"
                | "ContainersReady"
                | "Ready"
                | "PodReadyToStartContainers"
                | "DisruptionTarget"
        )
    ) && v.get("status").is_some()
        && v.get("lastHeartbeatTime").is_none()
}

/// The CRI container state of a `crictl inspect` status (`CONTAINER_CREATED`, `CONTAINER_RUNNING`,
/// `CONTAINER_EXITED`, `CONTAINER_UNKNOWN`).
fn cri_state(v: &Value) -> Option<&str> {
    v.get("state")
        .and_then(Value::as_str)
        .filter(|st| st.starts_with("CONTAINER_"))
}

/// A container status mapping: a name or image with a state, last state or restart count.
fn is_container_status(v: &Value) -> bool {
    (v.get("state").is_some_and(Value::is_object)
        || v.get("lastState").is_some_and(Value::is_object))
        && (v.get("name").is_some()
            || v.get("restartCount").is_some()
            || v.get("image").is_some()
            || v.get("containerID").is_some())
}

/// A PersistentVolumeClaim condition that is the claim's expansion state, as the event type it
/// is read as: `Resizing` / `FileSystemResizePending` (`Normal`: the expansion is under way or waits
/// for a pod) and 1.31's `ControllerResizeError` / `NodeResizeError` (`Warning`), when `True`.
pub(crate) fn claim_condition(type_: &str, status: &str) -> Option<&'static str> {
    if status != "True" {
        return None;
    }
    match type_ {
        "Resizing" | "FileSystemResizePending" => Some("Normal"),
        "ControllerResizeError" | "NodeResizeError" => Some("Warning"),
        _ => None,
    }
}

/// Kind of an object without `kind` (items of typed lists, pasted objects), from its shape.
fn guess_kind(v: &Value) -> Option<&'static str> {
    if v.get("involvedObject").is_some() || v.get("regarding").is_some() {
        return Some("Event");
    }
    if get(v, &["status", "containerStatuses"]).is_some()
        || get(v, &["spec", "containers"]).is_some()
    {
        return Some("Pod");
    }
    if get(v, &["status", "nodeInfo"]).is_some() {
        return Some("Node");
    }
    // A claim asks for storage (`spec.resources.requests.storage`); a PersistentVolume has
    // `spec.capacity` instead. A StatefulSet's `volumeClaimTemplates` entry looks the same
    // (even `status: {phase: Pending}`) but has no namespace: it is a template, not a claim.
    // A claim pasted without its metadata is told by what only a claim has: the volume it is
    // bound to (`spec.volumeName`) or a capacity (`status.capacity`).
    if get(v, &["spec", "resources", "requests", "storage"]).is_some()
        && (get(v, &["metadata", "namespace"]).is_some()
            || get(v, &["spec", "volumeName"]).is_some()
            || get(v, &["status", "capacity"]).is_some())
        && get(v, &["spec", "accessModes"]).is_some()
        && get(v, &["spec", "capacity"]).is_none()
    {
        return Some("PersistentVolumeClaim");
    }
    None
}

fn container_state(v: &Value) -> Option<ContainerState> {
    if let Some(w) = v.get("waiting").filter(|w| w.is_object()) {
        return Some(ContainerState::Waiting {
            reason: s(w, &["reason"]),
            message: s(w, &["message"]),
        });
    }
    // `termination`: the API of 2014 (v1beta1/v1beta2) named the terminated state so.
    if let Some(t) = v
        .get("terminated")
        .or_else(|| v.get("termination"))
        .filter(|t| t.is_object())
    {
        return Some(ContainerState::Terminated {
            reason: s(t, &["reason"]),
            message: s(t, &["message"]),
            exit_code: i(t, &["exitCode"]),
            signal: i(t, &["signal"]),
            finished_at: s(t, &["finishedAt"]),
        });
    }
    if let Some(r) = v.get("running").filter(|r| r.is_object()) {
        return Some(ContainerState::Running {
            started_at: s(r, &["startedAt"]),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streaming reader of a JSON log line gives what parsing it into a `Value` and
    /// [`json_log_line`] give, for every shape: docker's json-file, structured logs, keys
    /// repeated (the last wins), values that are not strings, escapes, nesting, and texts that
    /// are not one JSON object (invalid, trailing bytes, a lone surrogate, an array).
    #[test]
    fn json_log_text_reads_lines_as_the_value_parser_does() {
        let cases = [
            r#"{"log":"panic: boom\n","stream":"stderr","time":"2024-01-01T00:00:00Z"}"#,
            r#"{"log":"x","other":1}"#,
            r#"{"log":5,"stream":"stdout"}"#,
            r#"{"level":"info","msg":"order processed","order_id":7,"latency_ms":3}"#,
            r#"{"level":"error","msg":"dial failed:","error":"connection refused\r\nat x"}"#,
            r#"{"severity":"FATAL","message":"out of memory","err":""}"#,
            r#"{"lvl":"warn","msg":"a","msg":"b"}"#,
            r#"{"level":"info","msg":"a","level":null}"#,
            r#"{"log.level":"panic","message":"caf\u00e9 \"quoted\"","stacktrace":"l1\nl2"}"#,
            r#"{"level":"info","msg":{"nested":"x"}}"#,
            r#"{"level":"info","msg":"m","ctx":{"a":[1,2.5,{"b":null}],"c":true}}"#,
            r#"{"level":"info","msg":"m","bad":"\ud800"}"#,
            r#"{"level":"info","msg":"m"} trailing"#,
            r#"{"level":"info","msg":"m",}"#,
            r#"{"level":"info","m\u0073g":"escaped key"}"#,
            r#"{"level":"info","msg":"m","n":1e999}"#,
            r#"[{"level":"info","msg":"m"}]"#,
            r#""level""#,
            r#"{}"#,
            r#"{"#,
        ];
        for c in cases {
            let by_value = serde_json::from_str::<Value>(c)
                .ok()
                .as_ref()
                .and_then(json_log_line);
            assert_eq!(json_log_text(c), by_value, "{c}");
        }
        assert_eq!(
            json_log_text(r#"{"lvl":"warn","msg":"a","msg":"b"}"#).as_deref(),
            Some("b")
        );
    }

    #[test]
    fn starts() {
        assert!(yaml_start("apiVersion: v1", true));
        assert!(!yaml_start("spec:", true));
        assert!(yaml_start("spec:", false));
        assert!(yaml_start(
            "- lastHeartbeatTime: \"2021-04-20T07:55:28Z\"",
            false
        ));
        assert!(!yaml_start("- fixed a bug", false));
        assert!(!yaml_start("specification: x", false));
        assert!(json_start("{"));
        assert!(json_start("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}"));
        assert!(!json_start("[2024-05-01 10:00:00] INFO started"));
        assert!(!json_start("{\"level\":\"error\",\"msg\":\"x\"}"));
    }

    #[test]
    fn joins_strings_broken_over_lines() {
        let t = "{\n  \"waiting\": {\n    \"message\": \"Back-off pulling image: Source\n image rejected\",\n    \"reason\": \"ImagePullBackOff\"\n  }\n}";
        assert!(serde_json::from_str::<Value>(t).is_err());
        let v: Value = serde_json::from_str(&join_broken_strings(t).unwrap()).unwrap();
        assert_eq!(
            v["waiting"]["message"],
            "Back-off pulling image: Source image rejected"
        );
        assert!(join_broken_strings("{\"a\": \"b\"}\n").is_none());
        // a comma before a closing bracket is dropped, not one inside a string
        assert_eq!(
            drop_trailing_commas("{\"a\": [1, 2,\n ],\n \"b\": \"x,}\",\n}").as_deref(),
            Some("{\"a\": [1, 2\n ],\n \"b\": \"x,}\"\n}")
        );
        assert!(drop_trailing_commas("{\"a\": \"x,}\"}").is_none());
    }

    #[test]
    fn closes_json_cut_before_its_end() {
        let t = "{\n  \"containerStatuses\": [\n    {\n      \"lastState\": {\"terminated\": {\"exitCode\": 137, \"reason\": \"OOMKilled\"}},\n      \"name\": \"app\",\n      \"message\": \"cut in the mid";
        let (closed, kept) = close_json(t).unwrap();
        assert_eq!(kept, 5);
        let v: Value = serde_json::from_str(&closed).unwrap();
        assert_eq!(v["containerStatuses"][0]["name"], "app");
        assert_eq!(
            v["containerStatuses"][0]["lastState"]["terminated"]["exitCode"],
            137
        );
        // Complete, or broken by something else than a cut: nothing to close.
        assert!(close_json("{\"a\": 1}").is_none());
        assert!(close_json("{\"a\": 1}}").is_none());
    }

    #[test]
    fn indents_list_items_that_lost_their_indentation() {
        // containerStatuses pasted with the item's keys at the dash's column.
        let t = "  containerStatuses:\n    - containerID: docker://abc\n    image: busybox\n    lastState:\n      terminated:\n        exitCode: 137\n        reason: OOMKilled\n    name: app\n    restartCount: 3\n";
        assert!(serde_yaml::from_str::<Value>(t).is_err());
        let fixed = indent_items(t).unwrap();
        let v: Value = serde_yaml::from_str(&fixed).unwrap();
        let c = &v["containerStatuses"][0];
        assert_eq!(c["name"], "app");
        assert_eq!(c["lastState"]["terminated"]["reason"], "OOMKilled");
        // Nothing to move in a well-indented list.
        assert!(indent_items("items:\n- a: 1\n  b: 2\n- a: 3\n").is_none());
    }

    #[test]
    fn reindents_mis_indented_item() {
        let t = "- lastHeartbeatTime: \"2021-04-20T07:55:28Z\"\n      type: NetworkUnavailable\n      status: \"True\"";
        let fixed = reindent(t).unwrap();
        assert_eq!(
            fixed,
            "- lastHeartbeatTime: \"2021-04-20T07:55:28Z\"\n  type: NetworkUnavailable\n  status: \"True\"\n"
        );
    }

    #[test]
    fn finds_lines() {
        assert!(line_has(
            "    message: 'Back-off pulling image",
            "message",
            "Back-off"
        ));
        assert!(line_has("  \"reason\": \"BackOff\",", "reason", "BackOff"));
        assert!(line_has("  - name: web", "name", "web"));
        assert!(!line_has("  imageID: web", "name", "web"));
    }
}
