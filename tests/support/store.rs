//! The object store behind the test API server: scenario loading, selectors, pagination, watches
//! and container logs, with the semantics of the real kube-apiserver (and kubelet for logs).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine as _;
use chrono::{DateTime, Duration as ChronoDuration, SecondsFormat, Utc};
use hyper::body::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::printers::{self, Shape};

/// The instant every scenario is written relative to: `ApiServer::start` shifts every timestamp in
/// the objects so that this instant becomes the server's start time (events "2m ago" stay 2m ago).
pub const SCENARIO_NOW: &str = "2024-04-03T08:00:00Z";

/// The resources the server knows: (plural, Kind, namespaced).
pub(crate) const RESOURCES: &[(&str, &str, bool)] = &[
    ("pods", "Pod", true),
    ("events", "Event", true),
    ("nodes", "Node", false),
    ("namespaces", "Namespace", false),
    // Workloads (served under /apis/<group>/v1 only, see `api_group`).
    ("deployments", "Deployment", true),
    ("statefulsets", "StatefulSet", true),
    ("daemonsets", "DaemonSet", true),
    ("replicasets", "ReplicaSet", true),
    ("jobs", "Job", true),
];

/// The API group of a resource served under `/apis/<group>/v1`; `None` for the core group.
pub(crate) fn api_group(plural: &str) -> Option<&'static str> {
    match plural {
        "deployments" | "statefulsets" | "daemonsets" | "replicasets" => Some("apps"),
        "jobs" => Some("batch"),
        _ => None,
    }
}

pub(crate) fn resource_of_kind(kind: &str) -> Option<&'static str> {
    RESOURCES.iter().find(|r| r.1 == kind).map(|r| r.0)
}

pub(crate) fn known_resource(plural: &str) -> Option<(&'static str, &'static str, bool)> {
    RESOURCES.iter().copied().find(|r| r.0 == plural)
}

/// An error answered as a `Status` object.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    /// (name, kind) for `details`; `None` leaves `details` out.
    pub details: Option<(Option<String>, Option<String>)>,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            code: 400,
            reason: "BadRequest",
            message: message.into(),
            details: None,
        }
    }
    pub fn not_found(resource: &str, name: &str) -> Self {
        ApiError {
            code: 404,
            reason: "NotFound",
            message: format!("{resource} \"{name}\" not found"),
            details: Some((Some(name.to_string()), Some(resource.to_string()))),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Query strings

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(kv), String::new()),
        })
        .collect()
}

pub(crate) struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Go's strconv.ParseBool, as the apiserver decodes boolean query parameters.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(false),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
            Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
            Some(v) => Err(ApiError::bad_request(format!(
                "strconv.ParseBool: parsing \"{v}\": invalid syntax"
            ))),
        }
    }
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                ApiError::bad_request(format!("strconv.ParseInt: parsing \"{v}\": invalid syntax"))
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Selectors

#[derive(Debug, Clone)]
enum LabelReq {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct LabelSelector(Vec<LabelReq>);

fn split_top_level(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c)
            }
            ')' => {
                depth -= 1;
                cur.push(c)
            }
            ',' if depth == 0 => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

impl LabelSelector {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(LabelSelector(reqs));
        }
        let bad = |term: &str| {
            ApiError::bad_request(format!(
                "unable to parse requirement: found '{term}', expected: key"
            ))
        };
        for term in split_top_level(s) {
            let term = term.trim();
            if term.is_empty() {
                return Err(bad(term));
            }
            let req = if let Some(key) = term.strip_prefix('!') {
                LabelReq::NotExists(key.trim().to_string())
            } else if let Some((k, v)) = term.split_once("!=") {
                LabelReq::NotEq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = term.split_once("==") {
                LabelReq::Eq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = term.split_once('=') {
                LabelReq::Eq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, rest)) = term.split_once(" notin ") {
                LabelReq::NotIn(
                    k.trim().to_string(),
                    set_values(rest).ok_or_else(|| bad(term))?,
                )
            } else if let Some((k, rest)) = term.split_once(" in ") {
                LabelReq::In(
                    k.trim().to_string(),
                    set_values(rest).ok_or_else(|| bad(term))?,
                )
            } else if term.contains(char::is_whitespace) || term.contains('(') {
                return Err(bad(term));
            } else {
                LabelReq::Exists(term.to_string())
            };
            reqs.push(req);
        }
        Ok(LabelSelector(reqs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            LabelReq::Eq(k, v) => label(k) == Some(v.as_str()),
            LabelReq::NotEq(k, v) => label(k) != Some(v.as_str()),
            LabelReq::In(k, vs) => label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            LabelReq::NotIn(k, vs) => !label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            LabelReq::Exists(k) => label(k).is_some(),
            LabelReq::NotExists(k) => label(k).is_none(),
        })
    }
}

fn set_values(rest: &str) -> Option<Vec<String>> {
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().to_string()).collect())
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FieldSelector(Vec<(String, bool /* equal */, String)>);

/// Split on unescaped `sep` (field selectors escape `\,` `\=` `\\`).
fn split_escaped(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            cur.push(c);
            if let Some(n) = chars.next() {
                cur.push(n);
            }
        } else if c == sep {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl FieldSelector {
    pub fn parse(s: &str, resource: &str) -> Result<Self, ApiError> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(FieldSelector(reqs));
        }
        for term in split_escaped(s, ',') {
            let (field, equal, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{term}'"
                )));
            };
            let field = field.trim().to_string();
            if field_value(resource, &Value::Null, &field).is_none() {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            reqs.push((field, equal, unescape(value)));
        }
        Ok(FieldSelector(reqs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, resource: &str, obj: &Value) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let actual = field_value(resource, obj, field).unwrap_or_default();
            (actual == *value) == *equal
        })
    }
}

fn string_at(obj: &Value, pointer: &str) -> String {
    match obj.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The fields each resource's field selector supports (as registered by the apiserver), and their
/// value; `None` for an unsupported field.
fn field_value(resource: &str, obj: &Value, field: &str) -> Option<String> {
    let pointer = match (resource, field) {
        (_, "metadata.name") => "/metadata/name",
        (_, "metadata.namespace") => "/metadata/namespace",
        ("pods", "spec.nodeName") => "/spec/nodeName",
        ("pods", "spec.restartPolicy") => "/spec/restartPolicy",
        ("pods", "spec.schedulerName") => "/spec/schedulerName",
        ("pods", "spec.serviceAccountName") => "/spec/serviceAccountName",
        ("pods", "spec.hostNetwork") => {
            return Some(
                obj.pointer("/spec/hostNetwork")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    .to_string(),
            )
        }
        ("pods", "status.phase") => "/status/phase",
        ("pods", "status.podIP") => "/status/podIP",
        ("pods", "status.nominatedNodeName") => "/status/nominatedNodeName",
        ("events", "involvedObject.kind") => "/involvedObject/kind",
        ("events", "involvedObject.namespace") => "/involvedObject/namespace",
        ("events", "involvedObject.name") => "/involvedObject/name",
        ("events", "involvedObject.uid") => "/involvedObject/uid",
        ("events", "involvedObject.apiVersion") => "/involvedObject/apiVersion",
        ("events", "involvedObject.resourceVersion") => "/involvedObject/resourceVersion",
        ("events", "involvedObject.fieldPath") => "/involvedObject/fieldPath",
        ("events", "reason") => "/reason",
        ("events", "reportingComponent") => "/reportingComponent",
        ("events", "source") => "/source/component",
        ("events", "type") => "/type",
        ("nodes", "spec.unschedulable") => {
            return Some(
                obj.pointer("/spec/unschedulable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    .to_string(),
            )
        }
        ("namespaces", "status.phase") => "/status/phase",
        _ => return None,
    };
    Some(string_at(obj, pointer))
}

// ---------------------------------------------------------------------------------------------
// Store

struct Watcher {
    resource: &'static str,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    shape: Shape,
    /// (scenario time at load, load instant): the watcher's "now" for Table ages.
    clock: (DateTime<Utc>, Instant),
    tx: UnboundedSender<Bytes>,
}

impl Watcher {
    fn line(&self, kind: &str, obj: &Value) -> Bytes {
        match self.shape {
            Shape::Full => watch_line(kind, obj),
            Shape::Metadata => watch_line(kind, &printers::partial(obj)),
            Shape::Table => {
                let now = self.clock.0
                    + ChronoDuration::from_std(self.clock.1.elapsed()).unwrap_or_default();
                let rv = obj
                    .pointer("/metadata/resourceVersion")
                    .cloned()
                    .unwrap_or(Value::Null);
                let table = printers::table(
                    self.resource,
                    std::slice::from_ref(obj),
                    json!({"resourceVersion": rv}),
                    now,
                );
                watch_line(kind, &table)
            }
        }
    }

    fn selects(&self, obj: &Value) -> bool {
        selects(
            self.resource,
            self.namespace.as_deref(),
            &self.labels,
            &self.fields,
            obj,
        )
    }
}

fn selects(
    resource: &str,
    namespace: Option<&str>,
    labels: &LabelSelector,
    fields: &FieldSelector,
    obj: &Value,
) -> bool {
    namespace
        .is_none_or(|ns| obj.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns))
        && labels.matches(obj)
        && fields.matches(resource, obj)
}

/// One change after the initial load, kept so that a watch from a resourceVersion can replay it.
struct Change {
    rv: u64,
    resource: &'static str,
    old: Option<Value>,
    new: Option<Value>,
}

pub(crate) struct Store {
    /// resource -> key ("ns/name" or "name") -> object (with kind and apiVersion).
    objects: BTreeMap<&'static str, BTreeMap<String, Value>>,
    rv: u64,
    changes: Vec<Change>,
    watchers: Vec<Watcher>,
    dir: PathBuf,
    /// (namespace, pod, container, previous) -> log text set by the test.
    log_overrides: HashMap<(String, String, String, bool), String>,
    /// server time (UTC) the scenario's SCENARIO_NOW maps to.
    pub now: DateTime<Utc>,
    /// when `now` was taken.
    loaded: Instant,
}

fn key_of(obj: &Value, namespaced: bool) -> String {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if namespaced {
        let ns = obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("{ns}/{name}")
    } else {
        name.to_string()
    }
}

fn fake_uid(seed: &str) -> String {
    // FNV-1a, twice, formatted as a UUID: deterministic per object.
    let mut h: u64 = 0xcbf29ce484222325;
    let mut h2: u64 = 0x84222325cbf29ce4;
    for b in seed.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        h2 = (h2 ^ b as u64).wrapping_mul(0x100000001b3).rotate_left(7);
    }
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        h2 >> 52,
        h2 & 0xffff_ffff_ffff
    )
}

fn shift_timestamps(v: &mut Value, by: ChronoDuration, re: &regex::Regex) {
    match v {
        Value::String(s) if re.is_match(s) => {
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                let shifted = t.with_timezone(&Utc) + by;
                let format = match s.find('.') {
                    None => SecondsFormat::Secs,
                    Some(dot) => match s.len() - dot - 2 {
                        0..=3 => SecondsFormat::Millis,
                        4..=6 => SecondsFormat::Micros,
                        _ => SecondsFormat::Nanos,
                    },
                };
                *s = shifted.to_rfc3339_opts(format, true);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| shift_timestamps(i, by, re)),
        Value::Object(map) => map.values_mut().for_each(|i| shift_timestamps(i, by, re)),
        _ => {}
    }
}

/// Go's RFC3339Nano: trailing zeros of the fraction trimmed.
fn rfc3339_nano(t: DateTime<Utc>) -> String {
    let s = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
    let (head, _z) = s.split_at(s.len() - 1);
    let head = head.trim_end_matches('0').trim_end_matches('.');
    format!("{head}Z")
}

impl Store {
    pub fn load(dir: &Path, shift: bool) -> Store {
        let file = dir.join("objects.yaml");
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read scenario file {}: {e}", file.display()));
        let mut docs = Vec::new();
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let v = Value::deserialize(doc)
                .unwrap_or_else(|e| panic!("{}: invalid YAML document: {e}", file.display()));
            if v.is_null() {
                continue;
            }
            match v.get("kind").and_then(Value::as_str) {
                Some(k) if k.ends_with("List") && v.get("items").is_some() => {
                    let item_kind = k.trim_end_matches("List").to_string();
                    for mut item in v["items"].as_array().cloned().unwrap_or_default() {
                        if item.get("kind").is_none() {
                            item["kind"] = json!(item_kind);
                            item["apiVersion"] = json!("v1");
                        }
                        docs.push(item);
                    }
                }
                _ => docs.push(v),
            }
        }
        let now = Utc::now();
        let by = now
            - DateTime::parse_from_rfc3339(SCENARIO_NOW)
                .unwrap()
                .with_timezone(&Utc);
        let ts = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$").unwrap();
        let mut store = Store {
            objects: BTreeMap::new(),
            rv: 0,
            changes: Vec::new(),
            watchers: Vec::new(),
            dir: dir.to_path_buf(),
            log_overrides: HashMap::new(),
            loaded: Instant::now(),
            now: if shift {
                now
            } else {
                DateTime::parse_from_rfc3339(SCENARIO_NOW)
                    .unwrap()
                    .with_timezone(&Utc)
            },
        };
        for r in RESOURCES {
            store.objects.insert(r.0, BTreeMap::new());
        }
        // Highest resourceVersion given in the file: generated ones continue after it.
        let mut max_rv = 7_240_000u64;
        for d in &docs {
            if let Some(rv) = d
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<u64>().ok())
            {
                max_rv = max_rv.max(rv);
            }
        }
        store.rv = max_rv;
        let mut namespaces = BTreeSet::from(
            ["default", "kube-system", "kube-public", "kube-node-lease"].map(String::from),
        );
        for mut obj in docs {
            let kind = obj
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let resource = resource_of_kind(&kind).unwrap_or_else(|| {
                panic!(
                    "{}: unsupported kind {kind:?} (Pod, Event, Node, Namespace, workloads)",
                    file.display()
                )
            });
            let (_, _, namespaced) = known_resource(resource).unwrap();
            if obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .is_none()
            {
                panic!("{}: a {kind} without metadata.name", file.display());
            }
            if obj.get("apiVersion").is_none() {
                obj["apiVersion"] = json!("v1");
            }
            if namespaced {
                let ns = obj
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_string();
                obj["metadata"]["namespace"] = json!(ns);
                namespaces.insert(ns);
            }
            if obj.pointer("/metadata/resourceVersion").is_none() {
                store.rv += 1;
                obj["metadata"]["resourceVersion"] = json!(store.rv.to_string());
            }
            let key = key_of(&obj, namespaced);
            if obj.pointer("/metadata/uid").is_none() {
                obj["metadata"]["uid"] = json!(fake_uid(&format!("{kind}/{key}")));
            }
            if shift {
                shift_timestamps(&mut obj, by, &ts);
            }
            let map = store.objects.get_mut(resource).unwrap();
            if map.insert(key.clone(), obj).is_some() {
                panic!("{}: duplicate {kind} {key}", file.display());
            }
        }
        for ns in namespaces {
            if store.objects["namespaces"].contains_key(&ns) {
                continue;
            }
            store.rv += 1;
            let created = store.now - ChronoDuration::days(41);
            let obj = json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": ns,
                    "uid": fake_uid(&format!("Namespace/{ns}")),
                    "resourceVersion": store.rv.to_string(),
                    "creationTimestamp": created.to_rfc3339_opts(SecondsFormat::Secs, true),
                    "labels": {"kubernetes.io/metadata.name": ns},
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            store
                .objects
                .get_mut("namespaces")
                .unwrap()
                .insert(ns.clone(), obj);
        }
        store
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    pub fn get(&self, resource: &str, ns: Option<&str>, name: &str) -> Result<Value, ApiError> {
        let key = match ns {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        };
        self.objects
            .get(resource)
            .and_then(|m| m.get(&key))
            .cloned()
            .ok_or_else(|| ApiError::not_found(resource, name))
    }

    /// A `...List` with `limit`/`continue` pagination (continue tokens as the apiserver writes them:
    /// base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<last key>\u0000"}).
    pub fn list(
        &self,
        resource: &'static str,
        kind: &str,
        ns: Option<&str>,
        q: &Query,
    ) -> Result<Value, ApiError> {
        let labels = LabelSelector::parse(q.get("labelSelector").unwrap_or(""))?;
        let fields = FieldSelector::parse(q.get("fieldSelector").unwrap_or(""), resource)?;
        let limit = match q.int("limit")? {
            Some(l) if l > 0 => Some(l as usize),
            _ => None,
        };
        let start_after = match q.get("continue") {
            None | Some("") => None,
            Some(token) => Some(decode_continue(token)?),
        };
        let mut selected = self.objects[resource]
            .iter()
            .filter(|(k, _)| start_after.as_ref().is_none_or(|s| k.as_str() > s.as_str()))
            .filter(|(_, o)| selects(resource, ns, &labels, &fields, o));
        let mut items = Vec::new();
        let mut last_key = None;
        let mut more = false;
        for (k, o) in selected.by_ref() {
            if limit.is_some_and(|l| items.len() == l) {
                more = true;
                break;
            }
            let mut item = o.clone();
            // The real apiserver leaves kind/apiVersion out of list items.
            if let Some(m) = item.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            items.push(item);
            last_key = Some(k.clone());
        }
        let mut metadata = json!({"resourceVersion": self.rv.to_string()});
        if more {
            let remaining = 1 + selected.count();
            let token = json!({
                "v": "meta.k8s.io/v1",
                "rv": self.rv,
                "start": format!("{}\u{0}", last_key.unwrap_or_default()),
            });
            metadata["continue"] =
                json!(base64::engine::general_purpose::STANDARD.encode(token.to_string()));
            if labels.is_empty() && fields.is_empty() {
                metadata["remainingItemCount"] = json!(remaining);
            }
        }
        Ok(json!({
            "kind": format!("{kind}List"),
            "apiVersion": "v1",
            "metadata": metadata,
            "items": items,
        }))
    }

    /// Register a watch; returns the stream of JSON lines (initial events already queued).
    pub fn watch(
        &mut self,
        resource: &'static str,
        ns: Option<&str>,
        q: &Query,
        shape: Shape,
    ) -> Result<UnboundedReceiver<Bytes>, ApiError> {
        let labels = LabelSelector::parse(q.get("labelSelector").unwrap_or(""))?;
        let fields = FieldSelector::parse(q.get("fieldSelector").unwrap_or(""), resource)?;
        let (tx, rx) = unbounded_channel();
        let watcher = Watcher {
            resource,
            namespace: ns.map(str::to_string),
            labels,
            fields,
            shape,
            clock: (self.now, self.loaded),
            tx,
        };
        let send_initial = q.flag("sendInitialEvents")?;
        let rv = match q.get("resourceVersion") {
            None | Some("") | Some("0") => None,
            Some(v) => Some(
                v.parse::<u64>()
                    .map_err(|_| ApiError::bad_request(format!("invalid resource version: {v}")))?,
            ),
        };
        if send_initial || rv.is_none() {
            for obj in self.objects[resource].values() {
                if watcher.selects(obj) {
                    let _ = watcher.tx.send(watcher.line("ADDED", obj));
                }
            }
            if send_initial && q.flag("allowWatchBookmarks")? {
                let bookmark = json!({
                    "kind": known_resource(resource).unwrap().1,
                    "apiVersion": "v1",
                    "metadata": {
                        "resourceVersion": self.rv.to_string(),
                        "annotations": {"k8s.io/initial-events-end": "true"},
                    },
                });
                let _ = watcher.tx.send(watch_line("BOOKMARK", &bookmark));
            }
        } else if let Some(from) = rv {
            for c in self
                .changes
                .iter()
                .filter(|c| c.rv > from && c.resource == resource)
            {
                if let Some(line) = change_line(&watcher, c.old.as_ref(), c.new.as_ref()) {
                    let _ = watcher.tx.send(line);
                }
            }
        }
        self.watchers.push(watcher);
        Ok(rx)
    }

    fn record_change(&mut self, resource: &'static str, old: Option<Value>, new: Option<Value>) {
        self.watchers.retain(|w| !w.tx.is_closed());
        for w in self.watchers.iter().filter(|w| w.resource == resource) {
            if let Some(line) = change_line(w, old.as_ref(), new.as_ref()) {
                let _ = w.tx.send(line);
            }
        }
        self.changes.push(Change {
            rv: self.rv,
            resource,
            old,
            new,
        });
    }

    /// Create or replace an object (kind Pod, Event, Node or Namespace); returns its resourceVersion.
    pub fn put(&mut self, mut obj: Value) -> u64 {
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .expect("object without kind")
            .to_string();
        let resource =
            resource_of_kind(&kind).unwrap_or_else(|| panic!("unsupported kind {kind:?}"));
        let namespaced = known_resource(resource).unwrap().2;
        if obj.get("apiVersion").is_none() {
            obj["apiVersion"] = json!("v1");
        }
        if namespaced && obj.pointer("/metadata/namespace").is_none() {
            obj["metadata"]["namespace"] = json!("default");
        }
        let key = key_of(&obj, namespaced);
        if obj.pointer("/metadata/uid").is_none() {
            obj["metadata"]["uid"] = json!(fake_uid(&format!("{kind}/{key}/{}", self.rv)));
        }
        if obj.pointer("/metadata/creationTimestamp").is_none() {
            obj["metadata"]["creationTimestamp"] =
                json!(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true));
        }
        self.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let old = self
            .objects
            .get_mut(resource)
            .unwrap()
            .insert(key, obj.clone());
        self.record_change(resource, old, Some(obj));
        self.rv
    }

    /// Change an object in place; returns its new resourceVersion.
    pub fn modify(
        &mut self,
        resource: &'static str,
        ns: Option<&str>,
        name: &str,
        f: impl FnOnce(&mut Value),
    ) -> u64 {
        let key = match ns {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        };
        let old = self.objects[resource]
            .get(&key)
            .cloned()
            .unwrap_or_else(|| panic!("{resource} {key} does not exist"));
        let mut new = old.clone();
        f(&mut new);
        self.rv += 1;
        new["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.objects
            .get_mut(resource)
            .unwrap()
            .insert(key, new.clone());
        self.record_change(resource, Some(old), Some(new));
        self.rv
    }

    pub fn delete(&mut self, resource: &'static str, ns: Option<&str>, name: &str) -> bool {
        let key = match ns {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        };
        let Some(mut old) = self.objects.get_mut(resource).unwrap().remove(&key) else {
            return false;
        };
        self.rv += 1;
        let before = old.clone();
        old["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        // DELETED carries the last state with the deletion's resourceVersion.
        self.record_change_deleted(resource, before, old);
        true
    }

    fn record_change_deleted(&mut self, resource: &'static str, before: Value, last: Value) {
        self.watchers.retain(|w| !w.tx.is_closed());
        for w in self.watchers.iter().filter(|w| w.resource == resource) {
            if w.selects(&before) {
                let _ = w.tx.send(w.line("DELETED", &last));
            }
        }
        self.changes.push(Change {
            rv: self.rv,
            resource,
            old: Some(last),
            new: None,
        });
    }

    /// Close every open watch (the client sees the stream end, as when the apiserver's watch
    /// timeout expires).
    pub fn close_watches(&mut self) {
        self.watchers.clear();
    }

    pub fn set_log(&mut self, ns: &str, pod: &str, container: &str, previous: bool, text: String) {
        self.log_overrides
            .insert((ns.into(), pod.into(), container.into(), previous), text);
    }

    fn log_file(&self, ns: &str, pod: &str, container: &str, previous: bool) -> Option<String> {
        if let Some(t) =
            self.log_overrides
                .get(&(ns.into(), pod.into(), container.into(), previous))
        {
            return Some(t.clone());
        }
        let file = if previous {
            format!("{container}.previous.log")
        } else {
            format!("{container}.log")
        };
        std::fs::read_to_string(self.dir.join("logs").join(ns).join(pod).join(file)).ok()
    }

    /// `GET .../pods/NAME/log`: the apiserver's container checks, then kubelet's.
    pub fn pod_log(&self, ns: &str, name: &str, q: &Query) -> Result<String, ApiError> {
        let pod = self.get("pods", Some(ns), name)?;
        let names = |field: &str| -> Vec<String> {
            pod.pointer(&format!("/spec/{field}"))
                .and_then(Value::as_array)
                .map(|cs| {
                    cs.iter()
                        .filter_map(|c| c.get("name").and_then(Value::as_str).map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let containers = names("containers");
        let inits = names("initContainers");
        let ephemerals = names("ephemeralContainers");
        let container = match q.get("container") {
            Some(c) if !c.is_empty() => {
                if !containers
                    .iter()
                    .chain(&inits)
                    .chain(&ephemerals)
                    .any(|n| n == c)
                {
                    return Err(ApiError::bad_request(format!(
                        "container {c} is not valid for pod {name}"
                    )));
                }
                c.to_string()
            }
            _ => match containers.len() {
                1 => containers[0].clone(),
                0 => {
                    return Err(ApiError::bad_request(format!(
                        "a container name must be specified for pod {name}"
                    )))
                }
                _ => {
                    let mut msg = format!(
                        "a container name must be specified for pod {name}, choose one of: [{}]",
                        containers.join(" ")
                    );
                    if !inits.is_empty() {
                        msg += &format!(" or one of the init containers: [{}]", inits.join(" "));
                    }
                    if !ephemerals.is_empty() {
                        msg += &format!(
                            " or one of the ephemeral containers: [{}]",
                            ephemerals.join(" ")
                        );
                    }
                    return Err(ApiError::bad_request(msg));
                }
            },
        };
        let tail = q.int("tailLines")?;
        let limit_bytes = q.int("limitBytes")?;
        for (field, v) in [("tailLines", tail), ("limitBytes", limit_bytes)] {
            if let Some(v) = v {
                let min = if field == "tailLines" { 0 } else { 1 };
                if v < min {
                    return Err(ApiError {
                        code: 422,
                        reason: "Invalid",
                        message: format!(
                            "PodLogOptions \"{name}\" is invalid: {field}: Invalid value: {v}: must be greater than {}",
                            if min == 0 { "or equal to 0" } else { "0" }
                        ),
                        details: Some((Some(name.to_string()), Some("PodLogOptions".into()))),
                    });
                }
            }
        }
        let previous = q.flag("previous")?;
        let timestamps = q.flag("timestamps")?;
        // A pod not bound to a node has no log location: the apiserver streams nothing.
        if pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .is_empty()
        {
            return Ok(String::new());
        }
        let status = [
            "containerStatuses",
            "initContainerStatuses",
            "ephemeralContainerStatuses",
        ]
        .iter()
        .filter_map(|f| {
            pod.pointer(&format!("/status/{f}"))
                .and_then(Value::as_array)
        })
        .flatten()
        .find(|s| s.get("name").and_then(Value::as_str) == Some(container.as_str()))
        .cloned()
        .unwrap_or(Value::Null);
        let state = |p: &str| status.pointer(p).filter(|v| !v.is_null());
        let (text, started) = if previous {
            match self.log_file(ns, name, &container, true) {
                Some(t) => (t, state("/lastState/terminated/startedAt")),
                None => {
                    return Err(ApiError::bad_request(format!(
                        "previous terminated container \"{container}\" in pod \"{name}\" not found"
                    )))
                }
            }
        } else if let Some(t) = self.log_file(ns, name, &container, false) {
            let started = state("/state/running/startedAt")
                .or_else(|| state("/state/terminated/startedAt"))
                .or_else(|| state("/lastState/terminated/startedAt"));
            (t, started)
        } else if state("/state/running").is_some() {
            (String::new(), None)
        } else if state("/state/terminated").is_some() || state("/lastState/terminated").is_some() {
            // kubelet serves the most recent terminated container: the previous log, if any.
            (
                self.log_file(ns, name, &container, true)
                    .unwrap_or_default(),
                state("/lastState/terminated/startedAt"),
            )
        } else if let Some(waiting) = state("/state/waiting") {
            let reason = waiting
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let why = match reason {
                "ErrImagePull" => "image can't be pulled".to_string(),
                "ImagePullBackOff" => "trying and failing to pull image".to_string(),
                other => other.to_string(),
            };
            return Err(ApiError::bad_request(format!(
                "container \"{container}\" in pod \"{name}\" is waiting to start: {why}"
            )));
        } else {
            return Err(ApiError::bad_request(format!(
                "container \"{container}\" in pod \"{name}\" is waiting to start - no logs yet"
            )));
        };
        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
        if let Some(n) = tail {
            let n = n as usize;
            if lines.len() > n {
                lines.drain(..lines.len() - n);
            }
        }
        let mut out = String::new();
        let base = started
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(self.now);
        for (i, line) in lines.iter().enumerate() {
            if timestamps {
                let t = base + ChronoDuration::nanoseconds(1_000_000 + i as i64 * 1_234_567);
                out.push_str(&rfc3339_nano(t));
                out.push(' ');
            }
            out.push_str(line);
        }
        if let Some(limit) = limit_bytes {
            let limit = limit as usize;
            if out.len() > limit {
                let mut cut = limit;
                while !out.is_char_boundary(cut) {
                    cut -= 1;
                }
                out.truncate(cut);
            }
        }
        Ok(out)
    }
}

fn change_line(w: &Watcher, old: Option<&Value>, new: Option<&Value>) -> Option<Bytes> {
    let was = old.is_some_and(|o| w.selects(o));
    match new {
        Some(n) => {
            let is = w.selects(n);
            match (was, is) {
                (false, true) => Some(w.line("ADDED", n)),
                (true, true) => Some(w.line("MODIFIED", n)),
                (true, false) => Some(w.line("DELETED", n)),
                (false, false) => None,
            }
        }
        None => was.then(|| w.line("DELETED", old.unwrap())),
    }
}

fn decode_continue(token: &str) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(token))
        .map_err(|_| invalid())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| invalid())?;
    let start = v.get("start").and_then(Value::as_str).ok_or_else(invalid)?;
    Ok(start.trim_end_matches('\u{0}').to_string())
}

pub(crate) fn watch_line(kind: &str, obj: &Value) -> Bytes {
    let mut line = serde_json::to_vec(&json!({"type": kind, "object": obj})).unwrap();
    line.push(b'\n');
    Bytes::from(line)
}
