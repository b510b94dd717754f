//! Rules are data: this module owns their schema, loading and validation.
//!
//! One YAML file per failure signature lives under `rules/`; the built-in set is embedded in the
//! binary at build time (`include_dir`), and `--rules DIR` adds or replaces rules by id. A rule file
//! that does not parse, names an unknown field, or carries a regex that does not compile is refused
//! with `file:line:column: what is wrong`. The matching semantics live in `crate::engine`; this module
//! knows nothing about any particular failure. The format is documented in `rules/README.md`.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The rules shipped with the binary.
pub static BUILTIN_RULES: include_dir::Dir<'_> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/rules");

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot read rules from {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// How severe a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a rule names a root cause or a symptom that causes explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    #[default]
    Cause,
    Symptom,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Cause => "cause",
            RuleKind::Symptom => "symptom",
        }
    }
}

/// A rule regex: its source text and the names of its capture groups. It is syntax-checked when the
/// rule loads (the same parser and settings as `regex::Regex::new`, so the same errors) but not
/// compiled: the engine compiles each distinct pattern once, when it is needed, so start-up does not
/// grow with the catalog.
#[derive(Clone)]
pub struct Pattern {
    /// Borrowed from the binary for a pattern of the built-in rules (its copy in
    /// `BUILTIN_FACTS`): the engine's matchers share it instead of copying it.
    pub source: Cow<'static, str>,
    /// Named capture groups, in the order they open.
    pub captures: Vec<String>,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}/", self.source)
    }
}

impl Pattern {
    /// Checks `check` (the pattern, or a template with its placeholders filled) and keeps `source`.
    fn checked(source: String, check: &str) -> Result<Pattern, String> {
        // A pattern of the built-in rules (the usual case: every start-up loads them all) is
        // looked up once in the build-time table, which holds its text and its capture names.
        if source == check {
            if let Some((text, captures)) = builtin_pattern(&source) {
                return Ok(Pattern {
                    source: Cow::Borrowed(text),
                    captures: captures.iter().map(|c| c.to_string()).collect(),
                });
            }
        }
        let captures = check_regex(check)
            .map_err(|e| format!("invalid regex {source:?}: {}", one_line(&e)))?;
        let source = match builtin_pattern(&source) {
            Some((text, _)) => Cow::Borrowed(text),
            None => Cow::Owned(source),
        };
        Ok(Pattern { source, captures })
    }
}

pub use crate::regex_facts::{fill_template, PatternFacts};

/// Parses a regex as `regex::Regex::new` would (same syntax settings, same error text) and returns
/// its named capture groups.
pub fn check_regex(pattern: &str) -> Result<Vec<String>, String> {
    analyse_regex(pattern).map(|f| f.captures)
}

/// [`PatternFacts`] of a pattern that parses, else `None`.
pub fn pattern_facts(pattern: &str) -> Option<PatternFacts> {
    analyse_regex(pattern).ok()
}

/// Calls `f` with each literal of `pattern`'s needle set ([`PatternFacts::needles`]); false when
/// it has none (or does not parse). A built-in pattern's are read from the build-time table
/// without building its [`PatternFacts`] (the engine asks this of every pattern at start-up).
pub fn for_each_needle(pattern: &str, mut f: impl FnMut(&[u8])) -> bool {
    if let Some(i) = builtin_index(pattern) {
        let Some(set) = BUILTIN_FACTS[i].4 else {
            return false;
        };
        set.iter().for_each(|n| f(n));
        return true;
    }
    match pattern_facts(pattern).and_then(|p| p.needles) {
        Some(set) => {
            set.iter().for_each(|n| f(n));
            true
        }
        None => false,
    }
}

// `BUILTIN_JSON` and `BUILTIN_FACTS`, written by build.rs from `rules/`.
include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Where `pattern` sits in `BUILTIN_FACTS` (sorted by pattern), when it is a built-in one.
fn builtin_index(pattern: &str) -> Option<usize> {
    BUILTIN_FACTS
        .binary_search_by(|(p, ..)| (*p).cmp(pattern))
        .ok()
}

/// The text of `pattern` as the binary holds it and its capture names, when it is a pattern of
/// the built-in rules.
fn builtin_pattern(pattern: &str) -> Option<(&'static str, &'static [&'static str])> {
    let i = builtin_index(pattern)?;
    Some((BUILTIN_FACTS[i].0, BUILTIN_FACTS[i].1))
}

/// The facts build.rs computed for a pattern of the built-in rules (same code, same parser).
fn builtin_facts(pattern: &str) -> Option<PatternFacts> {
    let i = builtin_index(pattern)?;
    let (_, captures, needle, literal_len, needles) = BUILTIN_FACTS[i];
    Some(PatternFacts {
        captures: captures.iter().map(|c| c.to_string()).collect(),
        needle: needle.map(<[u8]>::to_vec),
        literal_len,
        needles: needles.map(|set| set.iter().map(|n| n.to_vec()).collect()),
    })
}

/// Patterns repeat across rules (YAML aliases, shared signatures) and the engine asks about each
/// one again, so each distinct text is parsed once per process; those of the built-in rules were
/// parsed at build time.
fn analyse_regex(pattern: &str) -> Result<PatternFacts, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<String, Result<PatternFacts, String>>>;
    if let Some(f) = builtin_facts(pattern) {
        return Ok(f);
    }
    static SEEN: OnceLock<Cache> = OnceLock::new();
    let cache = SEEN.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(r) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return r;
    }
    let r = crate::regex_facts::analyse(pattern);
    if let Ok(mut c) = cache.lock() {
        // A bound on what the process remembers (user rule directories can be large).
        if c.len() > 16_384 {
            c.clear();
        }
        c.insert(pattern.to_string(), r.clone());
    }
    r
}

/// The text of a YAML value that stands for a regex: numbers and booleans (`exit_code: 137`,
/// `previous: true`) are exact matches.
fn regex_text<E: de::Error>(raw: serde_yaml::Value) -> Result<String, E> {
    match raw {
        serde_yaml::Value::String(s) => Ok(s),
        serde_yaml::Value::Number(n) => Ok(format!("^{n}$")),
        serde_yaml::Value::Bool(b) => Ok(format!("^{b}$")),
        other => Err(de::Error::custom(format!(
            "expected a regex string, found {}",
            yaml_kind(&other)
        ))),
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = regex_text(serde_yaml::Value::deserialize(d)?)?;
        let check = source.clone();
        Pattern::checked(source, &check).map_err(de::Error::custom)
    }
}

/// A regex that may hold `{{capture}}` placeholders. It is checked at load time with every
/// placeholder standing for a plain word; `source` keeps the template.
/// [`fill_template`] makes the real pattern once the captures are known.
struct TemplatePattern(Pattern);

impl<'de> Deserialize<'de> for TemplatePattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = regex_text(serde_yaml::Value::deserialize(d)?)?;
        let check = fill_template(&source, &BTreeMap::new(), "x");
        Pattern::checked(source, &check)
            .map(TemplatePattern)
            .map_err(de::Error::custom)
    }
}

fn yaml_kind(v: &serde_yaml::Value) -> &'static str {
    match v {
        serde_yaml::Value::Null => "null",
        serde_yaml::Value::Bool(_) => "a boolean",
        serde_yaml::Value::Number(_) => "a number",
        serde_yaml::Value::String(_) => "a string",
        serde_yaml::Value::Sequence(_) => "a list",
        serde_yaml::Value::Mapping(_) => "a mapping",
        serde_yaml::Value::Tagged(_) => "a tagged value",
    }
}

fn one_line(e: &impl fmt::Display) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The typed sources a leaf matcher can look at. Each has a fixed set of fields (see
/// [`Source::fields`]); a leaf matches one item of that source when every field regex it names
/// matches that same item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Event,
    Container,
    NodeCondition,
    Taint,
    Log,
    Pod,
    PodCondition,
    /// A PersistentVolumeClaim (a `kubectl get pvc` row).
    Claim,
}

impl Source {
    pub const ALL: [Source; 8] = [
        Source::Event,
        Source::Container,
        Source::NodeCondition,
        Source::Taint,
        Source::Log,
        Source::Pod,
        Source::PodCondition,
        Source::Claim,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Event => "event",
            Source::Container => "container",
            Source::NodeCondition => "node_condition",
            Source::Taint => "taint",
            Source::Log => "log",
            Source::Pod => "pod",
            Source::PodCondition => "pod_condition",
            Source::Claim => "claim",
        }
    }

    fn from_name(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.name() == s)
    }

    /// Field names a leaf of this source may constrain.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Source::Event => &[
                "type",
                "reason",
                "message",
                "count",
                "object_kind",
                "object_name",
                "source",
            ],
            Source::Container => &[
                "name",
                "kind",
                "image",
                "ready",
                "state",
                "waiting_reason",
                "waiting_message",
                "terminated_reason",
                "termination_message",
                "exit_code",
                "signal",
                "restart_count",
                "liveness_probe",
                "readiness_probe",
                "startup_probe",
            ],
            Source::NodeCondition => &["node", "type", "status", "reason", "message"],
            Source::Taint => &["node", "key", "value", "effect"],
            Source::Log => &["container", "previous", "text"],
            Source::Pod => &[
                "name",
                "namespace",
                "phase",
                "reason",
                "message",
                "node",
                "controlled_by",
                "annotation",
                "label",
                "requests",
                "terminating_for",
                "age",
                "status",
            ],
            Source::PodCondition => &["type", "status", "reason", "message"],
            Source::Claim => &[
                "name",
                "namespace",
                "status",
                "volume",
                "storage_class",
                "age",
            ],
        }
    }
}

/// One typed matcher: a source and field regexes that must all match the same item.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub source: Source,
    /// Sorted by field name so rule ordering never changes behaviour.
    pub fields: Vec<(String, Pattern)>,
}

/// The match tree: leaves combined with `all`, `any` and `not`.
#[derive(Debug, Clone)]
pub enum MatchNode {
    All(Vec<MatchNode>),
    Any(Vec<MatchNode>),
    Not(Box<MatchNode>),
    Leaf(Leaf),
}

impl<'de> Deserialize<'de> for MatchNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(NodeVisitor { templated: false })
    }
}

/// A match node whose regexes may hold `{{capture}}` placeholders (the `resolved_by` trees): each
/// placeholder is filled with the finding's regex-escaped capture before matching.
struct TemplatedNode(MatchNode);

impl<'de> Deserialize<'de> for TemplatedNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(NodeVisitor { templated: true })
            .map(TemplatedNode)
    }
}

impl<'de> de::DeserializeSeed<'de> for NodeVisitor {
    type Value = MatchNode;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<MatchNode, D::Error> {
        d.deserialize_map(self)
    }
}

/// The list of an `all` / `any`, each element read with the same templating as its parent.
struct ListSeed {
    templated: bool,
}

impl<'de> de::DeserializeSeed<'de> for ListSeed {
    type Value = Vec<MatchNode>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for ListSeed {
    type Value = Vec<MatchNode>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of match nodes")
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(n) = seq.next_element_seed(NodeVisitor {
            templated: self.templated,
        })? {
            out.push(n);
        }
        Ok(out)
    }
}

/// A match node is a mapping with exactly one key: a combinator (`all`, `any`, `not`) or a source
/// name. Deserialized as a stream (never through an intermediate value) so that every error keeps
/// the line and column of the offending text.
#[derive(Clone, Copy)]
struct NodeVisitor {
    /// Regexes may hold `{{capture}}` placeholders (see [`TemplatedNode`]).
    templated: bool,
}

impl<'de> de::Visitor<'de> for NodeVisitor {
    type Value = MatchNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a match node: a mapping with one key, `all`, `any`, `not` or a source ({})",
            Source::ALL.map(|s| s.name()).join(", ")
        )
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<MatchNode, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "empty match node; expected `all`, `any`, `not` or a source",
            ));
        };
        let node = match key.as_str() {
            "all" | "any" => {
                let list: Vec<MatchNode> = map.next_value_seed(ListSeed {
                    templated: self.templated,
                })?;
                if list.is_empty() {
                    return Err(de::Error::custom(format!(
                        "`{key}` takes a non-empty list of match nodes"
                    )));
                }
                if key == "all" {
                    MatchNode::All(list)
                } else {
                    MatchNode::Any(list)
                }
            }
            "not" => MatchNode::Not(Box::new(map.next_value_seed(self)?)),
            name => {
                let source = Source::from_name(name).ok_or_else(|| {
                    de::Error::custom(format!(
                        "unknown match key `{name}`; expected all, any, not, or one of the sources: {}",
                        Source::ALL.map(|s| s.name()).join(", ")
                    ))
                })?;
                let fields = map.next_value_seed(FieldsSeed(source, self.templated))?;
                MatchNode::Leaf(Leaf { source, fields })
            }
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a match node takes exactly one key, found `{key}` and `{extra}`; \
                 wrap several conditions in `all:` or `any:`"
            )));
        }
        Ok(node)
    }
}

/// The field regexes of one leaf, checked against the source's field names as they are read.
struct FieldsSeed(Source, bool);

impl<'de> de::DeserializeSeed<'de> for FieldsSeed {
    type Value = Vec<(String, Pattern)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> de::Visitor<'de> for FieldsSeed {
    type Value = Vec<(String, Pattern)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a mapping of `{}` fields to regexes ({})",
            self.0.name(),
            self.0.fields().join(", ")
        )
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<(String, Pattern)> = Vec::new();
        while let Some(field) = map.next_key::<String>()? {
            if !self.0.fields().contains(&field.as_str()) {
                return Err(de::Error::custom(format!(
                    "unknown field `{field}` for source `{}`; expected one of: {}",
                    self.0.name(),
                    self.0.fields().join(", ")
                )));
            }
            if out.iter().any(|(f, _)| *f == field) {
                return Err(de::Error::custom(format!("field `{field}` given twice")));
            }
            let pat: Pattern = if self.1 {
                map.next_value::<TemplatePattern>()?.0
            } else {
                map.next_value()?
            };
            out.push((field, pat));
        }
        if out.is_empty() {
            return Err(de::Error::custom(format!(
                "source `{}` needs at least one field to match",
                self.0.name()
            )));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// The vendor documents behind the seed files, as users know them: vendor, product and title (the
/// seed file name is provenance kept in rule files, never shown). No URL is given where the document's
/// own public address is not known.
const SEED_DOCUMENTS: &[(&str, &str)] = &[
    (
        "000_d1cfab7032ac1993.txt",
        "Tencent Cloud TKE Serverless (EKS) — Deep learning FAQ (深度学习常见问题)",
    ),
    (
        "001_ac2bba0eee350c23.txt",
        "Tencent Cloud TKE Serverless (EKS) — Using Tencent Container Registry (TCR) from elastic clusters (弹性集群使用容器镜像服务指引)",
    ),
    (
        "002_ca294cb5d5ac965c.txt",
        "Huawei Cloud CCI — FAQ (云容器实例 常见问题)",
    ),
    (
        "003_98d0b345ff64e746.txt",
        "Tencent Cloud TKE Serverless — Cluster FAQ (集群常见问题)",
    ),
    (
        "004_fda3709a890684f6.txt",
        "AWS EKS in the China regions (Ningxia, Beijing) — NWCD image mirror and GPU node walkthrough",
    ),
];

/// The user-facing title of a seed document, by its file name.
pub fn seed_document(seed: &str) -> Option<&'static str> {
    SEED_DOCUMENTS
        .iter()
        .find(|(f, _)| *f == seed)
        .map(|(_, t)| *t)
}

/// A reference: a seed document section or a public URL.
///
/// Reports show a seed reference as its document's title and section ([`seed_document`]); the JSON
/// form carries `document` instead of the seed file name.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, into = "ReferenceOut")]
pub struct Reference {
    /// Seed document file name (e.g. `001_ac2bba0eee350c23.txt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Section within the seed (e.g. `3.1`) or a heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// What a report shows of a [`Reference`].
#[derive(Serialize)]
struct ReferenceOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

impl From<Reference> for ReferenceOut {
    fn from(r: Reference) -> Self {
        ReferenceOut {
            document: r.document().map(str::to_string),
            section: r.section,
            url: r.url,
            title: r.title,
        }
    }
}

impl Reference {
    /// The vendor document a seed reference points at, by its title.
    pub fn document(&self) -> Option<&'static str> {
        self.seed
            .as_deref()
            .map(|s| seed_document(s).unwrap_or("vendor document"))
    }

    /// `Huawei Cloud CCI — FAQ (…), §3.3 排查项一`: the document and section, for a seed reference.
    pub fn citation(&self) -> Option<String> {
        let doc = self.document()?;
        Some(match &self.section {
            Some(sec) => format!("{doc}, §{sec}"),
            None => doc.to_string(),
        })
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        parts.extend(self.citation());
        if let Some(t) = &self.title {
            parts.push(t.clone());
        }
        if let Some(u) = &self.url {
            parts.push(u.clone());
        }
        f.write_str(&parts.join(" — "))
    }
}

/// A managed Kubernetes platform whose documentation gives its own fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub enum Platform {
    /// Tencent Cloud TKE Serverless / EKS (eklet super nodes, TCR registries).
    #[serde(rename = "tencent-eks")]
    TencentEks,
    /// Huawei Cloud CCI (serverless containers, SWR registries).
    #[serde(rename = "huawei-cci")]
    HuaweiCci,
    /// Amazon EKS, including the China regions (Beijing, Ningxia).
    #[serde(rename = "aws-eks")]
    AwsEks,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::TencentEks, Platform::HuaweiCci, Platform::AwsEks];

    pub fn id(self) -> &'static str {
        match self {
            Platform::TencentEks => "tencent-eks",
            Platform::HuaweiCci => "huawei-cci",
            Platform::AwsEks => "aws-eks",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Platform::TencentEks => "Tencent Cloud TKE Serverless (EKS)",
            Platform::HuaweiCci => "Huawei Cloud CCI",
            Platform::AwsEks => "Amazon EKS",
        }
    }
}

/// A platform's own fix for a failure, in English and optionally in the document's Chinese.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PlatformFix {
    pub fix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_zh: Option<String>,
}

/// What later evidence shows a failure is over (`resolved_by:` in a rule file). A finding whose
/// every evidence item is resolved is reported as history (`info`), not as a current failure; see
/// `crate::history` for the time order and `rules/README.md` for authors.
#[derive(Debug, Clone)]
pub struct ResolvedBy {
    /// Must match evidence *later* than the failure (a later event, or the current state of the
    /// pod and its containers).
    pub after: MatchNode,
    /// When this matches anything in the evidence, whatever its time, the failure is current.
    pub unless: Option<MatchNode>,
    /// The failure's own evidence must be at least this many seconds old.
    pub quiet_for: Option<u64>,
}

impl<'de> Deserialize<'de> for ResolvedBy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = ResolvedBy;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a mapping with `after` (a match node) and optional `unless`, `quiet_for`",
                )
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<ResolvedBy, A::Error> {
                let (mut after, mut unless, mut quiet_for) = (None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "after" if after.is_none() => {
                            after = Some(map.next_value::<TemplatedNode>()?.0)
                        }
                        "unless" if unless.is_none() => {
                            unless = Some(map.next_value::<TemplatedNode>()?.0)
                        }
                        "quiet_for" if quiet_for.is_none() => {
                            let v = map.next_value::<serde_yaml::Value>()?;
                            quiet_for = Some(duration_secs(&v).ok_or_else(|| {
                                de::Error::custom(
                                    "`quiet_for` takes seconds or a duration such as 90s, 10m, 1h",
                                )
                            })?);
                        }
                        "after" | "unless" | "quiet_for" => {
                            return Err(de::Error::custom(format!("`{key}` given twice")))
                        }
                        other => {
                            return Err(de::Error::custom(format!(
                                "unknown key `{other}` in `resolved_by`; expected after, unless, quiet_for"
                            )))
                        }
                    }
                }
                let after = after.ok_or_else(|| {
                    de::Error::custom(
                        "`resolved_by` needs `after`: the evidence that shows the failure over",
                    )
                })?;
                Ok(ResolvedBy {
                    after,
                    unless,
                    quiet_for,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// `90`, `"90s"`, `"10m"`, `"1h"` as seconds.
fn duration_secs(v: &serde_yaml::Value) -> Option<u64> {
    match v {
        serde_yaml::Value::Number(n) => n.as_u64(),
        serde_yaml::Value::String(s) => {
            let s = s.trim();
            let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
            let n: u64 = num.parse().ok()?;
            let mult = match unit {
                "" | "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => return None,
            };
            n.checked_mul(mult)
        }
        _ => None,
    }
}

/// Which pods a rule's finding can be the cause of, judged by how far the pod got (`affects:` in a
/// rule file). Meant for node-level rules: a node condition explains only the pods it can affect;
/// for any other pod its finding is reported as unrelated context (see `crate::history`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Affects {
    /// Any pod (the default).
    #[default]
    All,
    /// Pods whose containers have not started yet: unscheduled, or waiting for a sandbox, an IP or
    /// volumes (Pending, ContainerCreating).
    NotStarted,
    /// Pods that have no node yet.
    Unscheduled,
}

impl Affects {
    pub fn as_str(self) -> &'static str {
        match self {
            Affects::All => "all",
            Affects::NotStarted => "not-started",
            Affects::Unscheduled => "unscheduled",
        }
    }
}

/// One failure signature, as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    #[serde(default)]
    pub kind: RuleKind,
    /// Ids of symptom rules this cause explains; they rank below it when both fire.
    #[serde(default)]
    pub explains: Vec<String>,
    /// What the rule detects ("What it detects"). The prose fields of a built-in rule borrow the
    /// text embedded in the binary (see `BUILTIN_TEXT`); a user rule's own them.
    pub detects: Cow<'static, str>,
    /// Why it happens ("Why it happens").
    pub why: Cow<'static, str>,
    /// The fix, templated with `{{capture}}` and `{{capture|filter}}`.
    pub fix: Cow<'static, str>,
    /// The fix in Chinese, as the seed document words it, when the rule comes from a seed.
    #[serde(default)]
    pub fix_zh: Option<Cow<'static, str>>,
    /// Platform-specific fixes (keys: `tencent-eks`, `huawei-cci`, `aws-eks`), shown instead of the
    /// generic `fix` when the evidence shows that platform.
    #[serde(default)]
    pub platforms: BTreeMap<Platform, PlatformFix>,
    pub references: Vec<Reference>,
    #[serde(rename = "match")]
    pub matcher: MatchNode,
    /// Later evidence that shows the failure over: the finding is then history, not current.
    #[serde(default)]
    pub resolved_by: Option<ResolvedBy>,
    /// Which pods the finding can be the cause of (node-level rules); `all` by default.
    #[serde(default)]
    pub affects: Affects,
    /// Where the rule was loaded from (`rules/x.yaml` for built-ins, or a path).
    #[serde(skip)]
    pub origin: String,
    /// Which load the rule came from: 0 for built-ins, then one per `--rules` directory.
    #[serde(skip)]
    pub batch: usize,
}

/// The filters a fix template may apply to a capture.
pub const TEMPLATE_FILTERS: &[&str] = &["ip_scope", "ip_scope_zh", "bytes", "duration"];

impl Rule {
    /// Parse one rule file's text; `path` is used in error messages.
    pub fn from_yaml(path: &str, text: &str) -> Result<Rule, RuleError> {
        let mut rule: Rule = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            RuleError::Parse {
                path: path.to_string(),
                line,
                column,
                message: one_line(&e)
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            }
        })?;
        rule.origin = path.to_string();
        rule.validate().map_err(|message| RuleError::Invalid {
            path: path.to_string(),
            message,
        })?;
        Ok(rule)
    }

    /// The built-in rule `file` (a name under `rules/`) from the JSON build.rs made of it, when
    /// there is one and it loads; `path` is the rule's origin.
    fn builtin_json(path: &str, file: &Path) -> Option<Rule> {
        let name = file.to_str()?;
        let i = BUILTIN_JSON
            .binary_search_by(|(n, _)| (*n).cmp(name))
            .ok()?;
        let mut rule: Rule = serde_json::from_str(BUILTIN_JSON[i].1).ok()?;
        let [detects, why, fix, fix_zh] = BUILTIN_TEXT.get(i)?;
        for (field, text) in [
            (&mut rule.detects, detects),
            (&mut rule.why, why),
            (&mut rule.fix, fix),
        ] {
            if let Some(t) = text {
                *field = Cow::Borrowed(t);
            }
        }
        if let Some(t) = fix_zh {
            rule.fix_zh = Some(Cow::Borrowed(t));
        }
        rule.origin = path.to_string();
        // Not validated again at every start-up: each built-in rule is validated by the tests
        // (`builtin_rules_load_from_json_exactly_as_from_yaml` loads each one's YAML, which
        // validates, and compares), and an invalid one fails them.
        Some(rule)
    }

    /// Checks serde cannot express: id shape, required prose, template placeholders.
    fn validate(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self.id.split('-').all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !id_ok {
            return Err(format!(
                "id `{}` is not kebab-case (lowercase letters and digits separated by single dashes)",
                self.id
            ));
        }
        for (name, value) in [
            ("title", self.title.as_str()),
            ("category", &self.category),
            ("detects", &self.detects),
            ("why", &self.why),
            ("fix", &self.fix),
        ] {
            if value.trim().is_empty() {
                return Err(format!("rule `{}`: `{name}` must not be empty", self.id));
            }
        }
        if self.references.is_empty() {
            return Err(format!(
                "rule `{}`: needs at least one reference (a seed file and section, or a url)",
                self.id
            ));
        }
        for r in &self.references {
            if r.seed.is_none() && r.url.is_none() {
                return Err(format!(
                    "rule `{}`: each reference needs `seed` or `url`",
                    self.id
                ));
            }
        }
        if self.kind == RuleKind::Symptom && !self.explains.is_empty() {
            return Err(format!(
                "rule `{}`: a symptom cannot `explains` other rules; make it `kind: cause`",
                self.id
            ));
        }
        let captures = self.capture_names();
        for (what, text) in [
            ("title", Some(self.title.as_str())),
            ("fix", Some(&*self.fix)),
            ("fix_zh", self.fix_zh.as_deref()),
        ] {
            let Some(text) = text else { continue };
            for (name, filter) in placeholders(text) {
                if !captures.contains(&name) {
                    return Err(format!(
                        "rule `{}`: {what} uses {{{{{name}}}}} but no regex in `match` has a capture group named `{name}`",
                        self.id
                    ));
                }
                if let Some(f) = filter {
                    if !TEMPLATE_FILTERS.contains(&f.as_str()) {
                        return Err(format!(
                            "rule `{}`: {what} uses unknown filter `{f}`; known filters: {}",
                            self.id,
                            TEMPLATE_FILTERS.join(", ")
                        ));
                    }
                }
            }
        }
        if let Some(rb) = &self.resolved_by {
            let mut pats = Vec::new();
            leaf_patterns(&rb.after, &mut pats);
            if let Some(u) = &rb.unless {
                leaf_patterns(u, &mut pats);
            }
            for p in pats {
                for (name, _) in placeholders(&p.source) {
                    if !captures.contains(&name) {
                        return Err(format!(
                            "rule `{}`: resolved_by uses {{{{{name}}}}} but no regex in `match` has a capture group named `{name}`",
                            self.id
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Names of every capture group in the rule's regexes.
    pub fn capture_names(&self) -> Vec<String> {
        fn walk(n: &MatchNode, out: &mut Vec<String>) {
            match n {
                MatchNode::All(v) | MatchNode::Any(v) => v.iter().for_each(|c| walk(c, out)),
                MatchNode::Not(c) => walk(c, out),
                MatchNode::Leaf(l) => {
                    for (_, p) in &l.fields {
                        out.extend(p.captures.iter().cloned());
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.matcher, &mut out);
        out.sort();
        out.dedup();
        out
    }
}

/// Every field pattern of a match tree, `not` branches included.
fn leaf_patterns<'a>(n: &'a MatchNode, out: &mut Vec<&'a Pattern>) {
    match n {
        MatchNode::All(v) | MatchNode::Any(v) => v.iter().for_each(|c| leaf_patterns(c, out)),
        MatchNode::Not(c) => leaf_patterns(c, out),
        MatchNode::Leaf(l) => out.extend(l.fields.iter().map(|(_, p)| p)),
    }
}

/// `{{name}}` and `{{name|filter}}` placeholders in a template, in order.
pub fn placeholders(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        // `{{?name}}` / `{{!name}}` open a section kept only when `name` is (not) captured.
        let inner = after[..end].trim().trim_start_matches(['?', '!']);
        let (name, filter) = match inner.split_once('|') {
            Some((n, f)) => (n.trim().to_string(), Some(f.trim().to_string())),
            None => (inner.to_string(), None),
        };
        out.push((name, filter));
        rest = &after[end + 2..];
    }
    out
}

/// A loaded, validated set of rules with unique ids, in id order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// Number of `--rules` directories loaded so far.
    batches: usize,
}

impl RuleSet {
    /// The built-in rules embedded at build time.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        let mut files: Vec<_> = BUILTIN_RULES
            .files()
            .filter(|f| is_rule_file(f.path()))
            .collect();
        files.sort_by_key(|f| f.path().to_path_buf());
        let mut set = RuleSet::default();
        for f in files {
            let path = format!("rules/{}", f.path().display());
            // The JSON build.rs made of the file; the YAML when there is none or it fails, so an
            // error reads exactly as the file's own.
            if let Some(rule) = Rule::builtin_json(&path, f.path()) {
                set.add(rule)?;
                continue;
            }
            let text = f.contents_utf8().ok_or_else(|| RuleError::Invalid {
                path: path.clone(),
                message: "rule file is not valid UTF-8".into(),
            })?;
            set.add(Rule::from_yaml(&path, text)?)?;
        }
        Ok(set)
    }

    /// Load every `*.yaml`/`*.yml` file directly in `dir`; rules with an existing id replace it.
    pub fn extend_from_dir(&mut self, dir: &Path) -> Result<usize, RuleError> {
        let mut n = 0;
        self.batches += 1;
        for path in rule_files_in(dir)? {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| RuleError::Io {
                path: shown.clone(),
                source,
            })?;
            let mut rule = Rule::from_yaml(&shown, &text)?;
            rule.batch = self.batches;
            self.add(rule)?;
            n += 1;
        }
        Ok(n)
    }

    /// Add one rule. Within one load (the built-ins, or one directory) ids must be unique; a rule
    /// from a later load replaces one with the same id.
    fn add(&mut self, rule: Rule) -> Result<(), RuleError> {
        if let Some(i) = self.rules.iter().position(|r| r.id == rule.id) {
            if self.rules[i].batch == rule.batch {
                return Err(RuleError::Invalid {
                    path: rule.origin.clone(),
                    message: format!(
                        "duplicate rule id `{}` (also defined in {})",
                        rule.id, self.rules[i].origin
                    ),
                });
            }
            self.rules[i] = rule;
        } else {
            self.rules.push(rule);
        }
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Cross-rule checks: every `explains` target exists, and no rule explains itself through a
    /// chain of `explains` (a specific cause may explain a generic cause, which explains symptoms).
    pub fn check_links(&self) -> Result<(), RuleError> {
        for r in &self.rules {
            for target in &r.explains {
                if self.get(target).is_none() {
                    return Err(RuleError::Invalid {
                        path: r.origin.clone(),
                        message: format!("rule `{}` explains unknown rule `{target}`", r.id),
                    });
                }
            }
            if let Some(cycle) = explains_cycle(&r.id, |id| {
                self.get(id).map(|x| x.explains.clone()).unwrap_or_default()
            }) {
                return Err(RuleError::Invalid {
                    path: r.origin.clone(),
                    message: format!("`explains` links form a cycle: {}", cycle.join(" -> ")),
                });
            }
        }
        Ok(())
    }
}

/// The first chain of `explains` links from `start` back to itself (`[start, ..., start]`), if any.
/// `explains_of` gives the ids a rule explains.
pub fn explains_cycle(
    start: &str,
    explains_of: impl Fn(&str) -> Vec<String>,
) -> Option<Vec<String>> {
    // Depth-first search with an explicit stack of paths; the catalog is small.
    let mut stack: Vec<Vec<String>> = vec![vec![start.to_string()]];
    let mut seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().cloned().unwrap_or_default();
        for next in explains_of(&last) {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(next);
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut p = path.clone();
                p.push(next);
                stack.push(p);
            }
        }
    }
    None
}

fn is_rule_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn rule_files_in(dir: &Path) -> Result<Vec<PathBuf>, RuleError> {
    let rd = std::fs::read_dir(dir).map_err(|source| RuleError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|source| RuleError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let p = entry.path();
        if p.is_file() && is_rule_file(&p) {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_cycles_are_found_and_chains_are_not() {
        let links = |id: &str| -> Vec<String> {
            match id {
                "specific" => vec!["generic".into(), "symptom".into()],
                "generic" => vec!["symptom".into()],
                "a" => vec!["b".into()],
                "b" => vec!["c".into()],
                "c" => vec!["a".into()],
                _ => vec![],
            }
        };
        assert_eq!(explains_cycle("specific", links), None);
        assert_eq!(
            explains_cycle("a", links),
            Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
        );
    }

    #[test]
    fn citations_name_the_vendor_document_never_the_seed_file() {
        let set = RuleSet::builtin().unwrap();
        let seed_file = regex::Regex::new(r"[0-9]{3}_[0-9a-f]{16}\.txt").unwrap();
        let mut seen = 0;
        for r in &set.rules {
            for reference in r.references.iter().filter(|x| x.seed.is_some()) {
                seen += 1;
                let shown = reference.to_string();
                let json = serde_json::to_string(reference).unwrap();
                assert!(!seed_file.is_match(&shown), "{}: {shown}", r.id);
                assert!(!seed_file.is_match(&json), "{}: {json}", r.id);
                let seed = reference.seed.as_deref().unwrap();
                assert!(
                    seed_document(seed).is_some(),
                    "{}: no document title for {seed}",
                    r.id
                );
                assert!(json.contains("\"document\""), "{json}");
            }
        }
        assert!(seen >= 5, "the catalog cites the seed documents");
    }

    const GOOD: &str = r#"
id: port-in-use
title: Port {{port}} already in use
severity: critical
category: runtime
explains: []
detects: A bind failure.
why: Another process holds the port.
fix: Free port {{port}}.
references:
  - url: https://example.invalid/doc
match:
  any:
    - log:
        text: 'bind\(\) to \S+:(?P<port>\d+) failed'
    - not:
        event: { reason: Started }
"#;

    #[test]
    fn parses_a_rule_with_nested_combinators() {
        let r = Rule::from_yaml("t.yaml", GOOD).expect("valid rule");
        assert_eq!(r.id, "port-in-use");
        assert_eq!(r.capture_names(), vec!["port".to_string()]);
        let MatchNode::Any(children) = &r.matcher else {
            panic!("expected any, got {:?}", r.matcher)
        };
        assert!(matches!(children[1], MatchNode::Not(_)));
    }

    #[test]
    fn bad_regex_is_reported_with_line_and_column() {
        let text = GOOD.replace(r"(?P<port>\d+)", r"(?P<port>\d+");
        let err = Rule::from_yaml("t.yaml", &text).unwrap_err().to_string();
        assert!(err.starts_with("t.yaml:"), "{err}");
        assert!(err.contains("invalid regex"), "{err}");
        let RuleError::Parse { line, .. } = Rule::from_yaml("t.yaml", &text).unwrap_err() else {
            panic!("expected a parse error")
        };
        // Line 15 of GOOD (which starts with a newline) is the `text:` line holding the regex.
        assert_eq!(line, 15, "line should point at the bad regex");
    }

    #[test]
    fn unknown_field_names_the_allowed_fields() {
        let text = GOOD.replace("text: 'bind", "line: 'bind");
        let err = Rule::from_yaml("t.yaml", &text).unwrap_err().to_string();
        assert!(
            err.contains("unknown field `line` for source `log`"),
            "{err}"
        );
        assert!(err.contains("container, previous, text"), "{err}");
    }

    #[test]
    fn template_must_use_existing_captures() {
        let text = GOOD.replace("Free port {{port}}.", "Free port {{prot}}.");
        let err = Rule::from_yaml("t.yaml", &text).unwrap_err().to_string();
        assert!(err.contains("{{prot}}"), "{err}");
    }

    #[test]
    fn id_must_be_kebab_case() {
        let text = GOOD.replace("id: port-in-use", "id: Port_In_Use");
        let err = Rule::from_yaml("t.yaml", &text).unwrap_err().to_string();
        assert!(err.contains("kebab-case"), "{err}");
    }

    #[test]
    fn same_id_twice_in_one_directory_is_refused_but_a_later_directory_replaces() {
        let a = tempfile_dir("a");
        let b = tempfile_dir("b");
        std::fs::write(a.join("one.yaml"), GOOD).unwrap();
        std::fs::write(a.join("two.yaml"), GOOD).unwrap();
        let mut set = RuleSet::default();
        let err = set.extend_from_dir(&a).unwrap_err().to_string();
        assert!(err.contains("duplicate rule id `port-in-use`"), "{err}");

        std::fs::remove_file(a.join("two.yaml")).unwrap();
        std::fs::write(
            b.join("port-in-use.yaml"),
            GOOD.replace("Free port", "Release port"),
        )
        .unwrap();
        let mut set = RuleSet::default();
        set.extend_from_dir(&a).unwrap();
        set.extend_from_dir(&b).unwrap();
        assert_eq!(set.rules.len(), 1);
        assert!(set.rules[0].fix.starts_with("Release port"));
        std::fs::remove_dir_all(a.parent().unwrap()).ok();
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir()
            .join(format!("kd-rules-test-{}", std::process::id()))
            .join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    const RESOLVED: &str = r#"
resolved_by:
  after:
    any:
      - event: { reason: '^Pulled$', message: 'image "{{port}}"' }
      - container: { name: '^{{port}}$', state: '^running$' }
  unless:
    event: { reason: '^BackOff$' }
  quiet_for: 10m
"#;

    #[test]
    fn resolved_by_and_affects_parse_with_placeholders() {
        let r = Rule::from_yaml("t.yaml", &format!("{GOOD}{RESOLVED}affects: not-started\n"))
            .expect("valid rule");
        let rb = r.resolved_by.expect("resolved_by");
        assert_eq!(rb.quiet_for, Some(600));
        assert!(rb.unless.is_some());
        assert_eq!(r.affects, Affects::NotStarted);
        let MatchNode::Any(v) = &rb.after else {
            panic!("expected any")
        };
        let MatchNode::Leaf(l) = &v[0] else {
            panic!("expected a leaf")
        };
        // The template is kept; the regex that was checked stands a plain word in for it.
        assert_eq!(l.fields[0].1.source, r#"image "{{port}}""#);
        // Without the key, every pod and nothing resolves.
        let plain = Rule::from_yaml("t.yaml", GOOD).expect("valid");
        assert!(plain.resolved_by.is_none());
        assert_eq!(plain.affects, Affects::All);
    }

    #[test]
    fn resolved_by_is_checked_like_match() {
        let bad = |text: &str| {
            Rule::from_yaml("t.yaml", &format!("{GOOD}{text}"))
                .unwrap_err()
                .to_string()
        };
        let e = bad(&RESOLVED.replace("{{port}}\"", "{{image}}\""));
        assert!(e.contains("resolved_by uses {{image}}"), "{e}");
        let e = bad(&RESOLVED.replace("quiet_for: 10m", "quiet_for: soon"));
        assert!(e.contains("quiet_for"), "{e}");
        let e = bad(&RESOLVED.replace("unless:", "until:"));
        assert!(e.contains("unknown key `until`"), "{e}");
        let e = bad("resolved_by:\n  unless:\n    event: { reason: x }\n");
        assert!(e.contains("needs `after`"), "{e}");
        let e = bad(&RESOLVED.replace("'^running$'", "'^(running$'"));
        assert!(e.contains("invalid regex"), "{e}");
        let e = bad("affects: running\n");
        assert!(e.contains("unknown variant"), "{e}");
    }

    #[test]
    fn templates_are_filled_with_escaped_captures() {
        let mut caps = BTreeMap::new();
        caps.insert("image".to_string(), "nginx:1.25+x".to_string());
        assert_eq!(
            fill_template(r#"^pulled "{{image}}" {{missing}}$"#, &caps, ".*?"),
            r#"^pulled "nginx:1\.25\+x" .*?$"#
        );
    }

    #[test]
    fn placeholders_are_found_with_filters() {
        assert_eq!(
            placeholders("a {{ip|ip_scope}} b {{ port }}"),
            vec![
                ("ip".to_string(), Some("ip_scope".to_string())),
                ("port".to_string(), None)
            ]
        );
    }

    /// Start-up reads the built-in rules from the JSON build.rs made of them: every one must be
    /// there and load exactly as its YAML does.
    #[test]
    fn builtin_rules_load_from_json_exactly_as_from_yaml() {
        let mut n = 0;
        for f in BUILTIN_RULES.files().filter(|f| is_rule_file(f.path())) {
            let path = format!("rules/{}", f.path().display());
            let yaml = Rule::from_yaml(&path, f.contents_utf8().unwrap()).unwrap();
            let json = Rule::builtin_json(&path, f.path())
                .unwrap_or_else(|| panic!("{path} has no JSON form that loads"));
            assert_eq!(format!("{json:?}"), format!("{yaml:?}"), "{path}");
            // What start-up no longer checks for the built-ins (see `builtin_json`).
            json.validate().unwrap_or_else(|e| panic!("{path}: {e}"));
            n += 1;
        }
        assert_eq!(n, BUILTIN_JSON.len());
        assert!(n > 50, "only {n} built-in rules");
    }

    /// The facts build.rs computed are those the loader computes, and cover every pattern.
    #[test]
    fn builtin_pattern_facts_are_those_computed_at_run_time() {
        assert!(
            BUILTIN_FACTS.windows(2).all(|w| w[0].0 < w[1].0),
            "not sorted"
        );
        for (p, ..) in BUILTIN_FACTS {
            assert_eq!(builtin_facts(p), crate::regex_facts::analyse(p).ok(), "{p}");
        }
        let set = RuleSet::builtin().unwrap();
        let mut pats = Vec::new();
        for r in &set.rules {
            leaf_patterns(&r.matcher, &mut pats);
        }
        assert!(pats.len() > 100);
        for p in pats {
            assert!(builtin_facts(&p.source).is_some(), "{}", p.source);
        }
    }
}
