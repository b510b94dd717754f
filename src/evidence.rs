//! The evidence model: plain data that every input becomes.
//!
//! This module owns the one representation the rules engine matches against. Parsers of pasted text
//! (`crate::parse`) and, later, the live cluster fetcher both fill an [`Evidence`]; nothing here knows
//! about kubectl's text formats or the Kubernetes API types. Every item carries a [`Provenance`] so a
//! finding can quote exactly where its proof came from (which input, which line, which container,
//! current or previous log).
//!
//! Log lines are the only unbounded source. They are not stored wholesale: the caller decides which
//! lines to keep (the engine keeps only lines some rule could match, see `crate::engine::Prefilter`),
//! identical lines are folded into one item with a repeat count, and the number of distinct kept lines is
//! capped so memory stays flat however large the input.

use serde::Serialize;
use std::collections::HashMap;

/// Where one item of evidence came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// Input name: a file path, `-` for stdin, or an API path in live mode.
    pub input: String,
    /// 1-based line number in that input, when the item came from text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What the text was recognised as (`describe-pod`, `events-table`, `yaml`, `json`, `log`, ...).
    pub format: String,
}

impl Provenance {
    pub fn new(input: &str, line: Option<u64>, format: &str) -> Self {
        Provenance {
            input: input.to_string(),
            line,
            format: format.to_string(),
        }
    }

    /// `describe.txt:12` or `describe.txt` when there is no line.
    pub fn location(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{}", self.input, l),
            None => self.input.clone(),
        }
    }
}

/// A point in time, as precisely as the input gave it. Pasted tables give ages relative to when the
/// command ran (`5m`), objects give absolute times; ranking compares them via [`Evidence::age_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum When {
    /// Seconds since the Unix epoch.
    Absolute(i64),
    /// Seconds before the input was captured.
    Age(u64),
}

/// A pod-level fact: phase, reason, message, placement, metadata.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodInfo {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub uid: Option<String>,
    pub phase: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub node_name: Option<String>,
    /// Owner kind/name, e.g. `ReplicaSet/web-7d9f`, `Job/backup-28190`.
    pub controlled_by: Option<String>,
    /// When deletion was requested (`metadata.deletionTimestamp`; describe's `Terminating (lasts
    /// 2h)`): set while the pod is terminating.
    pub deletion: Option<When>,
    /// When the pod was created (`kubectl get pods`' AGE column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<When>,
    /// The STATUS cell of a `kubectl get pods` row as printed (`Pending`, `Init:0/2`,
    /// `Terminating`); `None` for other inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed_status: Option<String>,
    /// A `kubectl describe pod` whose Events section was pasted (event rows or `Events: <none>`),
    /// not cut off before it: asking for the events again would show nothing new.
    #[serde(skip)]
    pub events_shown: bool,
    pub annotations: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    /// What the pod's containers (init containers included) request or limit, one `(resource,
    /// quantity)` per entry as the spec or `kubectl describe` (`Limits:` / `Requests:`) gives it:
    /// `("nvidia.com/gpu", "1")`. Rules match it as the pod field `requests`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<(String, String)>,
    pub provenance: Provenance,
}

impl PodInfo {
    /// `namespace/name`, or `name` when the namespace is unknown; the key other items use in `pod`.
    pub fn key(&self) -> Option<String> {
        pod_key(self.namespace.as_deref(), self.name.as_deref()?)
    }
}

/// `namespace/name`, or `name` when the namespace is unknown.
pub fn pod_key(namespace: Option<&str>, name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    Some(match namespace {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_string(),
    })
}

/// One entry of `status.conditions` of a pod.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodCondition {
    /// `namespace/name` (or `name`) of the pod, when the input names it.
    pub pod: Option<String>,
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub provenance: Provenance,
}

/// Which list of the pod spec a container belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ContainerKind {
    Init,
    #[default]
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerKind::Init => "init",
            ContainerKind::Regular => "regular",
            ContainerKind::Ephemeral => "ephemeral",
        }
    }
}

/// A container's state as kubelet reports it (`state` or `lastState`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum ContainerState {
    Waiting {
        reason: Option<String>,
        message: Option<String>,
    },
    Running {
        started_at: Option<String>,
    },
    Terminated {
        reason: Option<String>,
        message: Option<String>,
        exit_code: Option<i32>,
        signal: Option<i32>,
        finished_at: Option<String>,
    },
}

impl ContainerState {
    pub fn name(&self) -> &'static str {
        match self {
            ContainerState::Waiting { .. } => "waiting",
            ContainerState::Running { .. } => "running",
            ContainerState::Terminated { .. } => "terminated",
        }
    }
}

/// One container status, init containers included.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    /// `namespace/name` (or `name`) of the pod, when the input names it.
    pub pod: Option<String>,
    pub name: String,
    pub kind: ContainerKind,
    pub image: Option<String>,
    pub ready: Option<bool>,
    pub restart_count: Option<u32>,
    pub state: Option<ContainerState>,
    pub last_state: Option<ContainerState>,
    /// The probes the container's spec configures, as `kubectl describe` prints them.
    #[serde(skip_serializing_if = "Probes::is_empty")]
    pub probes: Probes,
    pub provenance: Provenance,
}

/// A container's configured probes, each as `kubectl describe` prints it (`http-get
/// http://:8080/healthz delay=10s timeout=1s period=10s #success=1 #failure=3`); `None` when the
/// spec has none or the input does not show the spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup: Option<String>,
}

impl Probes {
    pub fn is_empty(&self) -> bool {
        self.liveness.is_none() && self.readiness.is_none() && self.startup.is_none()
    }
}

/// A Kubernetes event about the pod, its node, or anything else that was pasted.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `Normal` or `Warning`.
    pub type_: Option<String>,
    pub reason: Option<String>,
    pub message: String,
    pub count: Option<u32>,
    /// Involved object kind (`Pod`, `Node`, ...), when known.
    pub object_kind: Option<String>,
    pub object_name: Option<String>,
    /// Reporting component (`kubelet`, `default-scheduler`, `eklet`, ...).
    pub source: Option<String>,
    pub first_seen: Option<When>,
    pub last_seen: Option<When>,
    pub provenance: Provenance,
}

/// One entry of a node's `status.conditions`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeCondition {
    pub node: Option<String>,
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition: Option<When>,
    pub provenance: Provenance,
}

/// A PersistentVolumeClaim as a `kubectl get pvc` row shows it.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    pub name: String,
    pub namespace: Option<String>,
    /// `Pending`, `Bound` or `Lost`.
    pub status: String,
    pub volume: Option<String>,
    pub storage_class: Option<String>,
    /// When the claim was created (AGE).
    pub created: Option<When>,
    pub provenance: Provenance,
}

/// One entry of a node's `spec.taints`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    pub node: Option<String>,
    pub key: String,
    pub value: Option<String>,
    pub effect: String,
    pub provenance: Provenance,
}

/// A port a container of a pod declares (`spec.containers[].ports[]`; describe's `Port:` /
/// `Ports:`). Not matched by rules: it lets a report name the container that holds a port another
/// container fails to bind (`crate::fill`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredPort {
    /// `namespace/name` (or `name`) of the pod, when known.
    pub pod: Option<String>,
    pub container: String,
    pub port: u16,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    pub provenance: Provenance,
}

/// The ports of a describe `Port:` / `Ports:` value: `80/TCP`, `80/TCP, 443/TCP`, `<none>`.
pub fn parse_ports(value: &str) -> Vec<(u16, String)> {
    value
        .split(',')
        .filter_map(|p| {
            let p = p.trim();
            let (num, proto) = p.split_once('/').unwrap_or((p, "TCP"));
            let num: u16 = num.trim().parse().ok().filter(|n| *n > 0)?;
            let proto = proto.trim().to_ascii_uppercase();
            matches!(proto.as_str(), "TCP" | "UDP" | "SCTP").then_some((num, proto))
        })
        .collect()
}

/// One kept line of a container log, or of text that fit no known format.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// `namespace/name` (or `name`) of the pod, when known.
    pub pod: Option<String>,
    /// Container the log belongs to, when known.
    pub container: Option<String>,
    /// `Some(true)` for `kubectl logs --previous`, `Some(false)` for the current log.
    pub previous: Option<bool>,
    /// True when the line was not recognised as a log at all but scanned as free text.
    pub free_text: bool,
    pub text: String,
    /// How many times this exact line occurred in the same stream (1 for a single occurrence).
    pub repeats: u64,
    pub provenance: Provenance,
}

/// A message found in text that fits no structure (a line pasted alone, a journal or klog line of
/// kubelet or a container runtime), offered to the `event` matchers (as the message) and the
/// `container` matchers (as the waiting and termination message). What the line itself says about
/// the event (a leading `Warning FailedScheduling`, a reason implied by a well-known message
/// template, the pod a journal line names) is kept; everything else is unknown. See
/// `crate::engine` for how unknown fields match.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TextMessage {
    /// The message, without prefixes the parser recognised (timestamps, `Warning Reason`, klog).
    pub message: String,
    /// The whole line as pasted (what a finding quotes).
    pub line: String,
    /// `Warning`/`Normal`, when the line says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Event reason, when the line says it or the message template implies it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Involved object kind implied by the message (`Job` for "Job has reached the specified
    /// backoff limit"), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_kind: Option<String>,
    /// `namespace/name` of the pod the line names (journal lines: `pod="ns/name"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// Container the line names (`for "app" with CrashLoopBackOff`, `containerName="app"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Reporting component (`kubelet`, `containerd`, `crio`, `dockerd`), when the line says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How many times this exact message occurred.
    pub repeats: u64,
    /// Format `free-text` or `journal`.
    pub provenance: Provenance,
}

/// A non-fatal problem met while gathering evidence: something could not be read or checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotChecked {
    /// What could not be checked (`node conditions`, `events`, `line 40-80 of dump.txt`).
    pub what: String,
    /// Why, and what would allow it.
    pub reason: String,
}

/// Everything known about one diagnosis subject (usually one pod), from any number of inputs.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub pods: Vec<PodInfo>,
    pub pod_conditions: Vec<PodCondition>,
    pub containers: Vec<ContainerStatus>,
    pub events: Vec<Event>,
    pub node_conditions: Vec<NodeCondition>,
    pub taints: Vec<Taint>,
    /// PersistentVolumeClaims a `kubectl get pvc` listing shows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Claim>,
    pub logs: Vec<LogLine>,
    /// Ports the pod's containers declare.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<DeclaredPort>,
    /// Messages found in free text and journal lines (bounded like `logs`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<TextMessage>,
    pub not_checked: Vec<NotChecked>,
    /// Log or text lines that matched some rule's prefilter but were dropped because the cap on kept
    /// lines was reached.
    pub dropped_lines: u64,
    #[serde(skip)]
    log_index: HashMap<LogKey, usize>,
    #[serde(skip)]
    message_index: HashMap<(String, String), usize>,
    /// Distinct events past the [`MAX_KEPT_EVENTS`] cap: counted, neither kept nor checked.
    #[serde(skip_serializing_if = "is_zero")]
    pub dropped_events: u64,
    /// Events `events[..events_settled]` are folded and indexed by [`Evidence::settle_events`].
    #[serde(skip)]
    events_settled: usize,
    /// Hash of an event's identity (see [`event_identity`]) -> its index in `events`.
    #[serde(skip)]
    event_index: HashMap<u64, usize, foldhash::fast::FixedState>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Upper bound on distinct events kept (after folding repeats); beyond it events are counted in
/// `dropped_events` and reported as not checked.
pub const MAX_KEPT_EVENTS: usize = 20_000;
/// Distinct events kept whatever the rules use; past this many, an event is kept only when some
/// rule could match it ([`crate::parse::LineFilter::wants_event`]): a paste of every event of a big
/// cluster keeps what can prove a cause, in bounded memory.
pub const EVENTS_KEPT_UNFILTERED: usize = 5_000;
/// Events parsed between two foldings while a stream is read.
pub const EVENT_BATCH: usize = 4_096;

/// What makes two events the same event seen twice: type, reason, involved object, source and
/// message (times and counts are what folding adds up).
fn event_identity(e: &Event) -> u64 {
    use std::hash::BuildHasher;
    // A fixed seed: the same events fold the same way in every run. Two different identities
    // with one hash are told apart by [`same_event`] (the second is then kept unfolded).
    foldhash::quality::FixedState::with_seed(0).hash_one((
        &e.type_,
        &e.reason,
        &e.object_kind,
        &e.object_name,
        &e.source,
        &e.message,
    ))
}

fn same_event(a: &Event, b: &Event) -> bool {
    a.type_ == b.type_
        && a.reason == b.reason
        && a.object_kind == b.object_kind
        && a.object_name == b.object_name
        && a.source == b.source
        && a.message == b.message
}

/// The earlier (`earliest`) or later of two times of the same kind; a mix keeps `a`.
fn pick_time(a: Option<When>, b: Option<When>, earliest: bool) -> Option<When> {
    match (a, b) {
        (Some(When::Absolute(x)), Some(When::Absolute(y))) => {
            Some(When::Absolute(if earliest { x.min(y) } else { x.max(y) }))
        }
        // An age is time before capture: the earlier time is the larger age.
        (Some(When::Age(x)), Some(When::Age(y))) => {
            Some(When::Age(if earliest { x.max(y) } else { x.min(y) }))
        }
        (None, b) => b,
        (a, _) => a,
    }
}

/// Identity of a log line for folding repeats: pod, container, previous, free text, text.
type LogKey = (Option<String>, Option<String>, Option<bool>, bool, String);

/// Upper bound on distinct kept log lines; beyond it lines are counted in `dropped_lines`.
pub const MAX_KEPT_LOG_LINES: usize = 20_000;
/// Upper bound on distinct kept messages found in free text and journal lines.
pub const MAX_KEPT_MESSAGES: usize = 5_000;

impl Evidence {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep a log line, folding exact repeats from the same stream into one item.
    pub fn push_log(&mut self, line: LogLine) {
        let key = (
            line.pod.clone(),
            line.container.clone(),
            line.previous,
            line.free_text,
            line.text.clone(),
        );
        if let Some(&i) = self.log_index.get(&key) {
            self.logs[i].repeats += line.repeats.max(1);
            return;
        }
        if self.logs.len() >= MAX_KEPT_LOG_LINES {
            self.dropped_lines += 1;
            return;
        }
        self.log_index.insert(key, self.logs.len());
        self.logs.push(line);
    }

    /// Keep a message found in text, folding exact repeats (same input, same line text) into one.
    pub fn push_message(&mut self, m: TextMessage) {
        let key = (m.provenance.input.clone(), m.line.clone());
        if let Some(&i) = self.message_index.get(&key) {
            self.messages[i].repeats += m.repeats.max(1);
            return;
        }
        if self.messages.len() >= MAX_KEPT_MESSAGES {
            self.dropped_lines += 1;
            return;
        }
        self.message_index.insert(key, self.messages.len());
        self.messages.push(m);
    }

    /// Fold and bound the events added since the last call: an event identical to a kept one (see
    /// [`event_identity`]) adds its count to it and widens its first/last seen; past
    /// [`EVENTS_KEPT_UNFILTERED`] distinct events only those `wanted` are kept, and past
    /// [`MAX_KEPT_EVENTS`] none, nor are they checked (counted in `dropped_events`). With `keep_last`, the newest event is
    /// left as it is (a parser may still append a wrapped message line to it).
    pub fn settle_events(&mut self, keep_last: bool, wanted: &dyn Fn(&Event) -> bool) {
        let end = self.events.len() - usize::from(keep_last && !self.events.is_empty());
        if end <= self.events_settled {
            return;
        }
        let mut fresh: Vec<Event> = self.events.drain(self.events_settled..).collect();
        let last = if end < self.events_settled + fresh.len() {
            fresh.pop()
        } else {
            None
        };
        for mut e in fresh {
            // A 1.2-1.5 scheduler verdict, one line per node: its summary is added for the rules.
            if let Some(summary) = crate::parse::text::fit_failure_summary(&e.message) {
                if !e.message.contains(&summary) {
                    e.message.push('\n');
                    e.message.push_str(&summary);
                }
            }
            let id = event_identity(&e);
            if let Some(&i) = self.event_index.get(&id) {
                if let Some(k) = self.events.get_mut(i).filter(|k| same_event(k, &e)) {
                    let (x, y) = (k.count.unwrap_or(1), e.count.unwrap_or(1));
                    // Rows of one table are occurrences; the same event in two views (describe's
                    // Events and a `get events` table) is one event seen twice.
                    k.count = Some(if k.provenance.format == e.provenance.format {
                        x.saturating_add(y)
                    } else {
                        x.max(y)
                    });
                    k.first_seen = pick_time(k.first_seen, e.first_seen, true);
                    k.last_seen = pick_time(k.last_seen, e.last_seen, false);
                    continue;
                }
            }
            // Past the cap nothing more is kept, so nothing more is asked of the rules either (the
            // filter is most of the cost of a big paste): the event is counted as not checked.
            if self.events.len() >= MAX_KEPT_EVENTS {
                self.dropped_events += 1;
                continue;
            }
            if self.events.len() >= EVENTS_KEPT_UNFILTERED && !wanted(&e) {
                continue;
            }
            self.event_index.entry(id).or_insert(self.events.len());
            self.events.push(e);
        }
        self.events_settled = self.events.len();
        self.events.extend(last);
        if self.dropped_events > 0 {
            let reason = format!(
                "{MAX_KEPT_EVENTS} distinct events that rules can use were kept; later events \
                 were not checked"
            );
            self.not_checked.retain(|n| n.reason != reason);
            self.not_checked(format!("{} events", self.dropped_events), reason);
        }
    }

    /// Length of `events` at which the next [`Evidence::settle_events`] is due while streaming.
    pub fn events_unsettled_mark(&self) -> usize {
        self.events_settled + EVENT_BATCH
    }

    /// Record that something could not be checked (deduplicated).
    pub fn not_checked(&mut self, what: impl Into<String>, reason: impl Into<String>) {
        let item = NotChecked {
            what: what.into(),
            reason: reason.into(),
        };
        if !self.not_checked.contains(&item) {
            self.not_checked.push(item);
        }
    }

    /// Move everything from `other` into `self`.
    pub fn merge(&mut self, other: Evidence) {
        self.pods.extend(other.pods);
        self.pod_conditions.extend(other.pod_conditions);
        self.containers.extend(other.containers);
        self.events.extend(other.events);
        self.node_conditions.extend(other.node_conditions);
        self.taints.extend(other.taints);
        self.claims.extend(other.claims);
        self.ports.extend(other.ports);
        for l in other.logs {
            self.push_log(l);
        }
        for m in other.messages {
            self.push_message(m);
        }
        for n in other.not_checked {
            self.not_checked(n.what, n.reason);
        }
        self.dropped_lines += other.dropped_lines;
    }

    /// Newest absolute time seen anywhere in the evidence: the reference for ages of absolute times.
    pub fn newest_absolute(&self) -> Option<i64> {
        let ev = self
            .events
            .iter()
            .flat_map(|e| [e.first_seen, e.last_seen])
            .chain(self.node_conditions.iter().map(|c| c.last_transition));
        ev.flatten()
            .filter_map(|w| match w {
                When::Absolute(t) => Some(t),
                When::Age(_) => None,
            })
            .max()
    }

    /// How long ago `w` was, in seconds, comparable across relative and absolute times.
    pub fn age_of(&self, w: When) -> Option<u64> {
        match w {
            When::Age(a) => Some(a),
            When::Absolute(t) => self.newest_absolute().map(|n| (n - t).max(0) as u64),
        }
    }

    /// True when nothing at all was gathered.
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
            && self.pod_conditions.is_empty()
            && self.containers.is_empty()
            && self.events.is_empty()
            && self.node_conditions.is_empty()
            && self.taints.is_empty()
            && self.claims.is_empty()
            && self.logs.is_empty()
            && self.messages.is_empty()
    }
}

/// Number of distinct named pods (by `namespace/name`) in the evidence: more than one makes the
/// input a sweep (see [`split_by_pod`]).
pub fn named_pods(ev: &Evidence) -> usize {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    ev.pods
        .iter()
        .filter_map(PodInfo::key)
        .filter(|k| seen.insert(k.clone()))
        .count()
}

/// Split evidence that names several pods (a dump, a multi-pod paste) into one evidence set per pod.
///
/// Items that name their pod (container statuses, pod conditions, logs under a header) go to it;
/// events go to the pod they are about (by name); a node's conditions, taints and events go to the
/// pods on that node (to every pod when the node is not known, and to every unscheduled pod: the
/// scheduler weighed every node). Items that name no pod go to the pod when there is exactly one,
/// and otherwise into a last set with no pod (the caller reports it as unattributed input rather
/// than guessing). With no pod at all, the evidence is returned whole.
///
/// Linear in the evidence and the output: pods are indexed by key, by name and by node once, and
/// every item is routed through those indexes (a dump of 5,000 pods splits in milliseconds).
pub fn split_by_pod(ev: &Evidence) -> Vec<Evidence> {
    // Distinct named pods, first occurrence wins, in input order.
    let mut pods: Vec<&PodInfo> = Vec::new();
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for p in &ev.pods {
        let Some(k) = p.key() else { continue };
        if by_key.contains_key(&k) {
            continue;
        }
        by_key.entry(k).or_default().push(pods.len());
        pods.push(p);
    }
    if pods.len() <= 1 {
        return vec![focus(ev).into_owned()];
    }
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_node: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut unscheduled: Vec<usize> = Vec::new();
    for (i, p) in pods.iter().enumerate() {
        if let Some(n) = p.name.as_deref() {
            by_name.entry(n).or_default().push(i);
        }
        match p.node_name.as_deref() {
            Some(n) => by_node.entry(n).or_default().push(i),
            None => unscheduled.push(i),
        }
    }
    let all: Vec<usize> = (0..pods.len()).collect();
    // The pods an item naming pod `k` belongs to: `namespace/name` equal to `k`, or name equal to
    // `k` (an item that names the pod without its namespace). Sorted, without repeats.
    let for_pod = |k: &Option<String>| -> Vec<usize> {
        let Some(k) = k.as_deref() else {
            return Vec::new();
        };
        let mut v: Vec<usize> = by_key.get(k).cloned().unwrap_or_default();
        if let Some(n) = by_name.get(k) {
            v.extend(n);
            v.sort_unstable();
            v.dedup();
        }
        v
    };
    // The pods a node item belongs to: the node's pods plus unscheduled ones; every pod when the
    // node is not known.
    let for_node = |n: &Option<String>| -> Vec<usize> {
        match n.as_deref() {
            None => all.clone(),
            Some(n) => {
                let mut v: Vec<usize> = by_node.get(n).cloned().unwrap_or_default();
                v.extend(&unscheduled);
                v
            }
        }
    };
    let mut out: Vec<Evidence> = pods
        .iter()
        .map(|p| {
            let mut e = Evidence::new();
            e.pods.push((*p).clone());
            e.not_checked = ev.not_checked.clone();
            e
        })
        .collect();
    let mut rest = Evidence::new();
    for c in &ev.pod_conditions {
        if c.pod.is_none() {
            rest.pod_conditions.push(c.clone());
        }
        for i in for_pod(&c.pod) {
            out[i].pod_conditions.push(c.clone());
        }
    }
    for c in &ev.containers {
        if c.pod.is_none() {
            rest.containers.push(c.clone());
        }
        for i in for_pod(&c.pod) {
            out[i].containers.push(c.clone());
        }
    }
    for c in &ev.ports {
        for i in for_pod(&c.pod) {
            out[i].ports.push(c.clone());
        }
    }
    for x in &ev.events {
        match x.object_kind.as_deref() {
            Some("Node") => {
                for i in for_node(&x.object_name) {
                    out[i].events.push(x.clone());
                }
            }
            Some("Pod") | None => {
                let named: &[usize] = x
                    .object_name
                    .as_deref()
                    .and_then(|n| by_name.get(n))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                if named.is_empty() {
                    rest.events.push(x.clone());
                }
                for &i in named {
                    out[i].events.push(x.clone());
                }
            }
            // An event about another kind of object (a Job, a ReplicaSet) is about no pod; it is
            // unattributed unless it shares a pod's name.
            Some(_) => {
                if !x
                    .object_name
                    .as_deref()
                    .is_some_and(|n| by_name.contains_key(n))
                {
                    rest.events.push(x.clone());
                }
            }
        }
    }
    for c in &ev.node_conditions {
        for i in for_node(&c.node) {
            out[i].node_conditions.push(c.clone());
        }
    }
    for t in &ev.taints {
        for i in for_node(&t.node) {
            out[i].taints.push(t.clone());
        }
    }
    // A listed claim may be any pod's (the listing does not say whose): each pod weighs it.
    for c in &ev.claims {
        for o in out.iter_mut() {
            o.claims.push(c.clone());
        }
    }
    for l in &ev.logs {
        let to = for_pod(&l.pod);
        if to.is_empty() {
            rest.push_log(l.clone());
        }
        for i in to {
            out[i].push_log(l.clone());
        }
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Evidence about exactly one pod, without the conditions, taints and events of nodes other than the
/// one it is scheduled on (a paste of every node's description is common). An unscheduled pod keeps
/// every node: the scheduler weighed them all. Evidence about no pod or several pods is unchanged.
pub fn focus(ev: &Evidence) -> std::borrow::Cow<'_, Evidence> {
    use std::borrow::Cow;
    let mut named = ev.pods.iter().filter(|p| p.name.is_some());
    let (Some(pod), None) = (named.next(), named.next()) else {
        return Cow::Borrowed(ev);
    };
    let Some(node) = pod.node_name.clone() else {
        return Cow::Borrowed(ev);
    };
    let other = |n: &Option<String>| n.as_ref().is_some_and(|n| *n != node);
    let foreign = ev.node_conditions.iter().any(|c| other(&c.node))
        || ev.taints.iter().any(|t| other(&t.node))
        || ev
            .events
            .iter()
            .any(|x| x.object_kind.as_deref() == Some("Node") && other(&x.object_name));
    if !foreign {
        return Cow::Borrowed(ev);
    }
    let mut e = ev.clone();
    e.node_conditions.retain(|c| !other(&c.node));
    e.taints.retain(|t| !other(&t.node));
    e.events
        .retain(|x| !(x.object_kind.as_deref() == Some("Node") && other(&x.object_name)));
    Cow::Owned(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(reason: &str, message: &str, count: Option<u32>, format: &str) -> Event {
        Event {
            type_: Some("Warning".into()),
            reason: Some(reason.into()),
            message: message.into(),
            count,
            object_kind: Some("Pod".into()),
            object_name: Some("web-1".into()),
            last_seen: Some(When::Age(60)),
            first_seen: Some(When::Age(600)),
            provenance: Provenance::new("paste.txt", Some(1), format),
            ..Default::default()
        }
    }

    #[test]
    fn repeated_events_fold_into_one_with_their_counts() {
        let mut ev = Evidence::new();
        ev.events
            .push(event("BackOff", "Back-off", Some(3), "events-table"));
        let mut later = event("BackOff", "Back-off", Some(2), "events-table");
        later.first_seen = Some(When::Age(900));
        later.last_seen = Some(When::Age(5));
        ev.events.push(later);
        // The same event in describe's Events section: seen twice, not twice as often.
        ev.events
            .push(event("BackOff", "Back-off", Some(4), "describe-pod"));
        ev.events
            .push(event("Failed", "other", None, "events-table"));
        ev.settle_events(false, &|_| true);
        assert_eq!(ev.events.len(), 2);
        let e = &ev.events[0];
        assert_eq!(e.count, Some(5), "3 + 2 in one table, then max(5, 4)");
        assert_eq!(e.first_seen, Some(When::Age(900)));
        assert_eq!(e.last_seen, Some(When::Age(5)));
        assert_eq!(ev.dropped_events, 0);
    }

    #[test]
    fn the_newest_event_waits_for_its_wrapped_lines() {
        let mut ev = Evidence::new();
        ev.events
            .push(event("BackOff", "Back-off", None, "events-table"));
        ev.events
            .push(event("BackOff", "Back-off", None, "events-table"));
        ev.settle_events(true, &|_| true);
        assert_eq!(ev.events.len(), 2, "the last one is not folded yet");
        ev.events.last_mut().unwrap().message.push_str(" continued");
        ev.settle_events(false, &|_| true);
        assert_eq!(ev.events.len(), 2, "it became another message");
        ev.events
            .push(event("BackOff", "Back-off", None, "events-table"));
        ev.settle_events(false, &|_| true);
        assert_eq!(ev.events.len(), 2);
        assert_eq!(ev.events[0].count, Some(2));
    }

    #[test]
    fn past_the_threshold_only_wanted_events_are_kept_and_past_the_cap_none() {
        let mut ev = Evidence::new();
        for i in 0..(2 * MAX_KEPT_EVENTS + 2000) {
            let reason = if i % 2 == 0 { "Failed" } else { "Pulled" };
            ev.events
                .push(event(reason, &format!("m{i}"), None, "events-table"));
            if ev.events.len() >= ev.events_unsettled_mark() {
                ev.settle_events(true, &|e| e.reason.as_deref() == Some("Failed"));
            }
        }
        ev.settle_events(false, &|e| e.reason.as_deref() == Some("Failed"));
        assert_eq!(ev.events.len(), MAX_KEPT_EVENTS);
        let pulled = ev
            .events
            .iter()
            .filter(|e| e.reason.as_deref() == Some("Pulled"))
            .count();
        assert_eq!(
            pulled,
            EVENTS_KEPT_UNFILTERED / 2,
            "only before the threshold"
        );
        // 5,000 kept as they came, then every other one (the wanted) until 20,000 are kept; every
        // distinct event after that is counted without being checked.
        let total = 2 * MAX_KEPT_EVENTS + 2000;
        let reached_at =
            EVENTS_KEPT_UNFILTERED + 2 * (MAX_KEPT_EVENTS - EVENTS_KEPT_UNFILTERED) - 1;
        assert_eq!(ev.dropped_events, (total - reached_at) as u64);
        let note = ev.not_checked.iter().find(|n| n.what.ends_with(" events"));
        assert_eq!(
            note.map(|n| n.what.clone()),
            Some(format!("{} events", ev.dropped_events)),
            "one note, with the final count"
        );
    }

    #[test]
    fn pods_with_one_name_in_two_namespaces_and_unscheduled_pods() {
        let mut ev = Evidence::new();
        for (ns, node) in [("a", Some("n1")), ("b", None)] {
            ev.pods.push(PodInfo {
                name: Some("web".into()),
                namespace: Some(ns.into()),
                node_name: node.map(String::from),
                ..Default::default()
            });
        }
        ev.node_conditions.push(NodeCondition {
            node: Some("n2".into()),
            type_: "Ready".into(),
            status: "False".into(),
            ..Default::default()
        });
        ev.containers.push(ContainerStatus {
            probes: Default::default(),
            pod: Some("b/web".into()),
            name: "app".into(),
            kind: ContainerKind::Regular,
            image: None,
            ready: None,
            restart_count: None,
            state: None,
            last_state: None,
            provenance: Provenance::default(),
        });
        let parts = split_by_pod(&ev);
        assert_eq!(parts.len(), 2);
        assert!(
            parts[0].containers.is_empty(),
            "b/web's container is not a/web's"
        );
        assert_eq!(parts[1].containers.len(), 1);
        assert!(parts[0].node_conditions.is_empty(), "a/web runs on n1");
        assert_eq!(parts[1].node_conditions.len(), 1, "unscheduled: every node");
        assert_eq!(named_pods(&ev), 2);
    }
}
