//! `kubectl describe` output (pods and nodes; other kinds yield their events).
//!
//! Owns the describe state machine: top-level `Key:  value` lines at column 0, multi-line values
//! (Labels, Annotations, Taints), the container sections (`Init Containers:` / `Containers:` /
//! `Ephemeral Containers:`) with their `State:` / `Last State:` blocks, including termination
//! messages that kubectl prints over several raw lines, the `Conditions:` table (pod or node) and the
//! `Events:` table. Whether a describe is of a pod or a node is decided lazily from the keys seen; all
//! items are emitted when the describe ends. A lone `Name: x` line that is not followed by other
//! describe keys is handed back to be scanned as free text.

use super::events::{is_separator, EventTable};
use super::table::{indent, tokens, Layout};
use super::time::rfc1123;
use super::{Cx, Offer, Outcome};
use crate::evidence::{
    ContainerKind, ContainerState, ContainerStatus, Event, NodeCondition, PodCondition, PodInfo,
    Taint, When,
};

/// Lines kept (for replay as free text) until the describe is confirmed by a second key.
const MAX_UNCONFIRMED_LINES: usize = 8;
/// Bounds on a multi-line container message.
const MAX_MESSAGE_LINES: usize = 500;
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Does this line start a describe (`Name:` followed by a value, at any indentation)?
pub fn is_start(line: &str) -> bool {
    match line.trim_start().strip_prefix("Name:") {
        Some(rest) => rest.starts_with([' ', '\t']) && !rest.trim().is_empty(),
        None => false,
    }
}

/// Does this line start a bare `Events:` section (a describe's tail pasted alone)?
pub fn is_events_start(line: &str) -> bool {
    match line.trim_start().strip_prefix("Events:") {
        Some(rest) => rest.trim().is_empty() || rest.trim() == "<none>",
        None => false,
    }
}

/// A piece of a describe pasted without its `Name:` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fragment {
    /// `Containers:` / `Init Containers:`
    Containers(ContainerKind),
    /// A container's block: `State:`, `Last State:`, `Container ID:`, `Image:` ... without the
    /// section header.
    Container,
    /// `Conditions:` (pod or node, decided by the condition types).
    Conditions,
    /// `Taints:` of a describe node.
    Taints,
    /// The pod's own `Status:` (a phase) / `Reason:` / `Message:` lines at the margin, pasted without
    /// the rest (`Status: Failed`, `Reason: Evicted`, `Message: The node was low on resource: ...`).
    PodStatus,
}

/// Reasons the pod's own `status.reason` takes (kubelet's eviction, admission and node shutdown,
/// the node lifecycle controller, `activeDeadlineSeconds`): a `Reason:` line at the margin with one
/// of these is the pod's, not a container's (`Error`, `OOMKilled`) nor an HTTP client's
/// (`Reason: Forbidden` of an API error).
fn is_pod_reason(v: &str) -> bool {
    matches!(
        v,
        "Evicted"
            | "NodeLost"
            | "Shutdown"
            | "NodeShutdown"
            | "Terminated"
            | "DeadlineExceeded"
            | "Preempting"
            | "UnexpectedAdmissionError"
            | "NodeAffinity"
            | "MatchNodeSelector"
            | "NodeSelectorMismatching"
            | "PodFitsHostPorts"
            | "NodePorts"
            | "PodFitsResources"
            | "PodToleratesNodeTaints"
            | "TaintToleration"
            | "TopologyAffinityError"
            | "SMTAlignmentError"
            | "UnexpectedPredicateFailureType"
            | "InvalidNodeInfo"
            | "PodOSNotSupported"
            | "PodOSSelectorNodeLabelDoesNotMatch"
    ) || v.strip_prefix("OutOf").is_some_and(|r| !r.is_empty())
}

/// The header row of a describe's conditions table (`Type  Status  LastHeartbeatTime ...`).
fn is_conditions_header(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("Type")
        && t.contains("Status")
        && (t.contains("LastHeartbeatTime") || t.contains("LastTransitionTime"))
}

/// Does this line (at any indentation) start a describe fragment?
pub fn fragment_start(line: &str) -> Option<Fragment> {
    if is_conditions_header(line) {
        return Some(Fragment::Conditions);
    }
    let t = line.trim();
    let (key, value) = split_key(t)?;
    match key {
        "Containers" if value.is_empty() => Some(Fragment::Containers(ContainerKind::Regular)),
        "Init Containers" if value.is_empty() => Some(Fragment::Containers(ContainerKind::Init)),
        "Conditions" if value.is_empty() => Some(Fragment::Conditions),
        "Taints" if !value.is_empty() && value != "<none>" && value.contains(':') => {
            Some(Fragment::Taints)
        }
        "State" | "Last State" if StateB::new(value, 0).is_some() => Some(Fragment::Container),
        "Container ID" if !value.is_empty() => Some(Fragment::Container),
        // The pod's phase (`Failed`, or `Running (...)`-style notes kubectl does not print but
        // users add), or a pod-level reason, at the margin: a container's `Reason:` is indented
        // under its `State:`.
        "Status" if indent(line) == 0 && is_pod_phase(value) => Some(Fragment::PodStatus),
        "Reason" if indent(line) == 0 && is_pod_reason(value) => Some(Fragment::PodStatus),
        _ => None,
    }
}

/// A pod phase as `kubectl describe pod` prints its `Status:`.
fn is_pod_phase(v: &str) -> bool {
    matches!(
        v.split(' ').next().unwrap_or(""),
        "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown"
    )
}

/// A `resource: quantity` line of a container's `Limits:` / `Requests:` block: `cpu:  500m`,
/// `nvidia.com/gpu:  1`, `hugepages-2Mi:  1Gi` (a resource name is lower case, with an optional
/// `domain/` prefix; a quantity is a number with an optional suffix).
fn resource_line(t: &str) -> Option<(String, String)> {
    let (name, qty) = t.split_once(':')?;
    let qty = qty.trim();
    let name_ok = !name.is_empty()
        && name.len() <= 253
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'/' | b'_')
        })
        || name.starts_with("hugepages-");
    let qty_ok = qty.starts_with(|c: char| c.is_ascii_digit())
        && qty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'));
    (name_ok && qty_ok).then(|| (name.to_string(), qty.to_string()))
}

/// Keys of a container's block in `kubectl describe pod`.
fn is_container_key(key: &str) -> bool {
    matches!(
        key,
        "Container ID"
            | "Image"
            | "Image ID"
            | "Port"
            | "Ports"
            | "Host Port"
            | "Host Ports"
            | "Command"
            | "Args"
            | "State"
            | "Last State"
            | "Ready"
            | "Restart Count"
            | "Limits"
            | "Requests"
            | "Liveness"
            | "Readiness"
            | "Startup"
            | "Environment"
            | "Environment Variables from"
            | "Mounts"
            | "SeccompProfile"
            | "Restart Policy"
    )
}

/// Keys of a `State:` / `Last State:` block.
fn is_state_key(key: &str) -> bool {
    matches!(
        key,
        "Reason" | "Message" | "Exit Code" | "Signal" | "Started" | "Finished"
    )
}

/// Splits `Key:  value` (key starting with an upper-case letter, single spaces inside).
pub fn split_key(t: &str) -> Option<(&str, &str)> {
    let colon = t.find(':')?;
    let key = &t[..colon];
    if key.is_empty() || key.len() > 48 || key.contains("  ") {
        return None;
    }
    if !key.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '/' | '(' | ')'))
    {
        return None;
    }
    let rest = &t[colon + 1..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    // kubectl 1.0 (2015) printed the last state as `Last Termination State:`.
    let key = if key == "Last Termination State" {
        "Last State"
    } else {
        key
    };
    Some((key, rest.trim()))
}

/// Top-level keys of `kubectl describe` for pods, nodes and common other kinds. A second one of these
/// confirms a describe; a column-0 key not in this list is also offered to the line filter as free
/// text (it may be a log line such as `Error: ...` pasted after a truncated describe).
fn is_known_key(key: &str) -> bool {
    matches!(
        key,
        "Name"
            | "Namespace"
            | "Priority"
            | "Priority Class Name"
            | "Runtime Class Name"
            | "Service Account"
            | "Node"
            | "Host"
            | "Start Time"
            | "Labels"
            | "Annotations"
            | "Status"
            | "Reason"
            | "Message"
            | "SeccompProfile"
            | "IP"
            | "IPs"
            | "Controlled By"
            | "Init Containers"
            | "Containers"
            | "Ephemeral Containers"
            | "Readiness Gates"
            | "Conditions"
            | "Volumes"
            | "QoS Class"
            | "Node-Selectors"
            | "Tolerations"
            | "Topology Spread Constraints"
            | "Events"
            | "Nominated Node Name"
            | "Termination Grace Period"
            | "Scheduling Gates"
            | "Resource Claims"
            | "Roles"
            | "CreationTimestamp"
            | "Taints"
            | "Unschedulable"
            | "Lease"
            | "Addresses"
            | "Capacity"
            | "Allocatable"
            | "System Info"
            | "PodCIDR"
            | "PodCIDRs"
            | "ProviderID"
            | "Non-terminated Pods"
            | "Allocated resources"
            | "Selector"
            | "Replicas"
            | "StrategyType"
            | "MinReadySeconds"
            | "RollingUpdateStrategy"
            | "Pod Template"
            | "OldReplicaSets"
            | "NewReplicaSet"
            | "Pods Status"
            | "Pods Statuses"
            | "Parallelism"
            | "Completions"
            | "Completion Mode"
            | "Backoff Limit"
            | "Active Deadline Seconds"
            | "Type"
            | "Data"
            | "StorageClass"
            | "Volume"
            | "Access Modes"
            | "Used By"
            | "Reference"
            | "Min replicas"
            | "Max replicas"
    )
}

/// The reasons kubelet gives a container state (waiting and terminated).
const CONTAINER_REASONS: [&str; 23] = [
    "ContainerCreating",
    "PodInitializing",
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "ImageInspectError",
    "RegistryUnavailable",
    "SignatureValidationFailed",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "PreStartHookError",
    "PostStartHookError",
    "PreCreateHookError",
    "OOMKilled",
    "Completed",
    "ContainerCannotRun",
    "StartError",
    "DeadlineExceeded",
    "ContainerStatusUnknown",
    "Error",
];

/// A container reason the paste cut short (`CreateContainerConfigE`, the excerpt's last line) is
/// the one reason it is the start of; a reason too short to be unique, or not the start of any,
/// stays as it is.
fn complete_reason(v: String) -> String {
    if v.len() < 8 || CONTAINER_REASONS.contains(&v.as_str()) {
        return v;
    }
    let mut it = CONTAINER_REASONS
        .iter()
        .filter(|r| r.starts_with(v.as_str()));
    match (it.next(), it.next()) {
        (Some(r), None) => r.to_string(),
        _ => v,
    }
}

fn none_if_placeholder(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v == "<none>" || v == "<unset>" {
        None
    } else {
        Some(v.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Labels,
    Annotations,
    Taints,
    Containers(ContainerKind),
    Conditions,
    Events,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StateKind {
    Waiting,
    Running,
    Terminated,
}

#[derive(Debug, Clone)]
struct StateB {
    kind: StateKind,
    reason: Option<String>,
    message: Option<String>,
    exit_code: Option<i32>,
    signal: Option<i32>,
    started: Option<String>,
    finished: Option<String>,
    line: u64,
    reason_line: Option<u64>,
}

impl StateB {
    fn new(value: &str, line: u64) -> Option<StateB> {
        let kind = match value.split_whitespace().next()? {
            "Waiting" => StateKind::Waiting,
            "Running" => StateKind::Running,
            "Terminated" => StateKind::Terminated,
            _ => return None,
        };
        Some(StateB {
            kind,
            reason: None,
            message: None,
            exit_code: None,
            signal: None,
            started: None,
            finished: None,
            line,
            reason_line: None,
        })
    }

    fn build(&self) -> ContainerState {
        let message = self
            .message
            .as_ref()
            .map(|m| m.trim_end().to_string())
            .filter(|m| !m.is_empty());
        match self.kind {
            StateKind::Waiting => ContainerState::Waiting {
                reason: self.reason.clone(),
                message,
            },
            StateKind::Running => ContainerState::Running {
                started_at: self.started.clone(),
            },
            StateKind::Terminated => ContainerState::Terminated {
                reason: self.reason.clone(),
                message,
                exit_code: self.exit_code,
                signal: self.signal,
                finished_at: self.finished.clone(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sub {
    None,
    State,
    Last,
    /// A `Limits:` / `Requests:` block: `resource: quantity` lines right of it.
    Resources,
}

#[derive(Debug)]
struct CBuild {
    name: String,
    kind: ContainerKind,
    line: u64,
    image: Option<String>,
    /// Declared ports with the line that declares them.
    ports: Vec<(u16, String, u64)>,
    ready: Option<bool>,
    restarts: Option<u32>,
    state: Option<StateB>,
    last: Option<StateB>,
    probes: crate::evidence::Probes,
    sub: Sub,
    /// Indentation of the `State:` / `Last State:` line being read.
    sub_ind: usize,
    /// Its name line was at the margin of a describe that lost its indentation.
    flat: bool,
}

impl CBuild {
    /// A container block from its name line (or the line that stands for it), nothing read yet.
    fn new(name: String, kind: ContainerKind, line: u64) -> CBuild {
        CBuild {
            name,
            kind,
            line,
            image: None,
            ports: Vec::new(),
            ready: None,
            restarts: None,
            state: None,
            last: None,
            probes: Default::default(),
            sub: Sub::None,
            sub_ind: 0,
            flat: false,
        }
    }
}

#[derive(Debug)]
struct CondRow {
    type_: String,
    status: String,
    reason: Option<String>,
    message: Option<String>,
    last_transition: Option<When>,
    line: u64,
}

#[derive(Debug)]
struct TaintRow {
    key: String,
    value: Option<String>,
    effect: String,
    line: u64,
}

/// Which multi-line message is being continued.
#[derive(Debug, Clone, Copy)]
struct Cont {
    container: usize,
    last: bool,
    lines: usize,
}

/// State of one describe being read.
pub struct Describe {
    seg: usize,
    first_line: u64,
    keys: u32,
    confirmed: bool,
    only_events: bool,
    pod_marks: bool,
    node_marks: bool,
    raw: String,
    section: Section,
    name: Option<String>,
    name_line: u64,
    namespace: Option<String>,
    node: Option<String>,
    status: Option<(String, u64)>,
    deletion: Option<crate::evidence::When>,
    reason: Option<(String, u64)>,
    message: Option<(String, u64)>,
    controlled_by: Option<String>,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
    /// `(resource, quantity)` of the containers' `Limits:` / `Requests:` blocks.
    requests: Vec<(String, String)>,
    containers: Vec<CBuild>,
    cur: Option<usize>,
    cond_layout: Option<Layout>,
    conds: Vec<CondRow>,
    events_table: Option<EventTable>,
    events: Vec<Event>,
    taints: Vec<TaintRow>,
    cont: Option<Cont>,
    /// Indentation common to the whole paste (a describe indented as a Markdown code block, or a
    /// fragment copied from the middle of one): taken off every line.
    base: usize,
    /// Indentation of container-level keys (`State:`, `Image:`), once seen.
    ckey_ind: Option<usize>,
    /// A Job's describe (`Pods Statuses:`): its events are about the Job.
    job_marks: bool,
    /// A Job's `Pods Statuses:` line (`0 Running / 3 Succeeded / 5 Failed`) and its number.
    pods_statuses: Option<(String, u64)>,
    /// `kubectl describe event`: its `Kind:` (`Event`), `Type:` and `Count:`.
    kind_value: Option<String>,
    event_type: Option<String>,
    event_count: Option<u32>,
    /// Lines the last event message continued over, and the length of the line before.
    ev_cont: usize,
    ev_prev_len: usize,
    /// `Events: <none>` was pasted (the events, if any, had expired).
    events_none: bool,
    /// `Scheduling Gates:` names a gate: the pod waits for it, not for a node.
    gated: bool,
    /// `kubectl describe pvc`: its `StorageClass:` and `Volume:` (seen, value if any).
    claim_class: Option<Option<String>>,
    claim_volume: Option<Option<String>>,
    /// `kubectl describe hpa`: `Reference:` / `Min replicas:` seen.
    hpa_marks: bool,
    /// `kubectl describe deploy`: `StrategyType:` / `NewReplicaSet:` seen (its pod template's
    /// `Containers:` do not make it a pod, nor its reasoned conditions a node).
    deploy_marks: bool,
    /// A container fragment whose first line sits at the margin (the selection started at its
    /// first character, so that line lost the indentation the next ones keep): `Some(true)` when
    /// that line is a `State:` / `Last State:`, until the next line sets the common indentation.
    flat_first: Option<bool>,
}

impl Describe {
    /// `kubectl describe pvc`: `StorageClass:` and `Volume:` keys, no pod keys (its
    /// `Capacity:` is also a node's key).
    fn is_claim(&self) -> bool {
        self.claim_class.is_some() && self.claim_volume.is_some() && !self.pod_marks
    }

    /// Starts at a `Name:` line (or a bare `Events:` line).
    pub fn new(n: u64, line: &str, seg: usize) -> Describe {
        let mut d = Describe {
            seg,
            first_line: n,
            keys: 0,
            confirmed: false,
            only_events: false,
            events_none: false,
            gated: false,
            claim_class: None,
            claim_volume: None,
            hpa_marks: false,
            deploy_marks: false,
            pod_marks: false,
            node_marks: false,
            raw: String::new(),
            section: Section::None,
            name: None,
            name_line: n,
            namespace: None,
            node: None,
            status: None,
            deletion: None,
            reason: None,
            message: None,
            controlled_by: None,
            labels: Vec::new(),
            annotations: Vec::new(),
            requests: Vec::new(),
            containers: Vec::new(),
            cur: None,
            cond_layout: None,
            conds: Vec::new(),
            events_table: None,
            events: Vec::new(),
            taints: Vec::new(),
            cont: None,
            base: indent(line),
            ckey_ind: None,
            flat_first: None,
            job_marks: false,
            pods_statuses: None,
            kind_value: None,
            event_type: None,
            event_count: None,
            ev_cont: 0,
            ev_prev_len: 0,
        };
        let line = line.trim_start();
        if is_events_start(line) {
            d.only_events = true;
            d.confirmed = true;
        } else {
            d.raw.push_str(line);
        }
        if let Some((k, v)) = split_key(line) {
            d.top_key(n, k, v);
        }
        d
    }

    /// Starts at a describe fragment ([`fragment_start`]). `name` is the container name from the
    /// line before (`  app:`), when there was one.
    pub fn fragment(n: u64, line: &str, seg: usize, f: Fragment, name: Option<&str>) -> Describe {
        let mut d = Describe::new(n, "", seg);
        d.raw.clear();
        d.base = indent(line);
        d.confirmed = true;
        d.first_line = n;
        d.name_line = n;
        let t = line.trim_start();
        match f {
            Fragment::Containers(kind) => {
                d.pod_marks = true;
                d.section = Section::Containers(kind);
            }
            Fragment::Container => {
                d.pod_marks = true;
                d.section = Section::Containers(ContainerKind::Regular);
                d.containers.push(CBuild::new(
                    name.unwrap_or("").to_string(),
                    ContainerKind::Regular,
                    n,
                ));
                d.cur = Some(0);
                if d.base == 0 {
                    d.flat_first = Some(matches!(
                        split_key(t).map(|(k, _)| k),
                        Some("State" | "Last State")
                    ));
                }
                d.container_line(n, 0, t, ContainerKind::Regular);
            }
            Fragment::Conditions => {
                d.section = Section::Conditions;
                if is_conditions_header(line) {
                    d.condition_line(n, &line[d.base..]);
                }
            }
            Fragment::PodStatus => {
                d.pod_marks = true;
                if let Some((k, v)) = split_key(t) {
                    d.top_key(n, k, v);
                }
            }
            Fragment::Taints => {
                d.node_marks = true;
                if let Some((k, v)) = split_key(t) {
                    d.top_key(n, k, v);
                }
            }
        }
        d
    }

    pub fn seg(&self) -> usize {
        self.seg
    }

    pub fn offer(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if !self.confirmed {
            let lines = self.raw.bytes().filter(|&b| b == b'\n').count() + 1;
            if lines >= MAX_UNCONFIRMED_LINES {
                return Offer::Rejected;
            }
        }
        let r = self.offer_inner(n, line, cx);
        if r == Offer::Taken && !self.confirmed {
            self.raw.push('\n');
            self.raw.push_str(line);
        }
        r
    }

    fn offer_inner(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if let Some(c) = self.cont {
            if self.is_cont_end(line)
                || c.lines >= MAX_MESSAGE_LINES
                || super::logs::prompt(line).is_some()
            {
                self.cont = None;
            } else {
                self.append_message(c, line);
                if !line.trim().is_empty() {
                    cx.touch(self.seg, n);
                }
                return Offer::Taken;
            }
        }
        if line.trim().is_empty() {
            return Offer::Taken;
        }
        let raw_ind = indent(line);
        // The fragment's first line lost its indentation: the second line says what it was. A
        // state's own key (`Reason:`) sits two columns right of its `State:`; a sibling key
        // (`Last State:`, `Ready:`) at the same column.
        if let Some(state_first) = self.flat_first.take() {
            if raw_ind > 0 && self.cont.is_none() {
                let sub = split_key(line.trim()).is_some_and(|(k, _)| is_state_key(k));
                self.base = if state_first && sub {
                    raw_ind.saturating_sub(2)
                } else {
                    raw_ind
                };
            }
        }
        if raw_ind < self.base {
            if self.section == Section::Events {
                return self.event_outside(n, line, cx);
            }
            return Offer::Rejected;
        }
        // `Name:` at the margin and every line after it indented alike (a paste whose first line
        // lost the indentation the others kept): the margin is the second line's, when that line
        // is a describe's own top-level key (`Namespace:`, `Node:`, ...).
        if self.keys == 1
            && !self.confirmed
            && self.base == 0
            && raw_ind > 0
            && raw_ind <= 8
            && split_key(line.trim_start()).is_some_and(|(k, _)| k != "Name" && is_known_key(k))
        {
            self.base = raw_ind;
        }
        // Take off the common indentation (spaces or tabs, counted alike).
        let line = &line[self.base..];
        let ind = raw_ind - self.base;
        if ind == 0 {
            if self.section == Section::Events {
                return self.event_outside(n, line, cx);
            }
            let Some((key, value)) = split_key(line) else {
                return self.flat_line(n, line, cx);
            };
            // A describe that lost its indentation (pasted outside a code block): after a
            // container's name line at the margin, its keys and state keys sit there too.
            if self.ckey_ind == Some(0)
                && self.base == 0
                && self.containers.iter().any(|c| c.flat)
                && matches!(self.section, Section::Containers(_))
                && !is_known_key(key)
            {
                if let Section::Containers(kind) = self.section {
                    self.container_line(n, 0, line, kind);
                }
                cx.touch(self.seg, n);
                return Offer::Taken;
            }
            // A container block pasted without its header: its keys sit at the margin.
            if self.ckey_ind == Some(0)
                && matches!(self.section, Section::Containers(_))
                && (is_container_key(key) || is_state_key(key))
            {
                if let Section::Containers(kind) = self.section {
                    self.container_line(n, 0, line, kind);
                }
                cx.touch(self.seg, n);
                return Offer::Taken;
            }
            if key == "Name" && self.keys > 0 {
                return Offer::Rejected;
            }
            self.top_key(n, key, value);
            if self.confirmed && !is_known_key(key) {
                cx.keep(n, line, None, "free-text");
            }
            cx.touch(self.seg, n);
            return Offer::Taken;
        }
        if !self.confirmed {
            // A describe cut right after its `Name:` (`<snip>`, `...`) down to a container's
            // state: it ends here, and the state block is read as the fragment it is.
            if self.keys == 1
                && split_key(line.trim()).is_some_and(|(k, _)| {
                    matches!(k, "State" | "Last State" | "Last Termination State")
                })
            {
                return Offer::Rejected;
            }
            // Only top-level keys confirm a describe; indented lines are kept for replay.
            cx.touch(self.seg, n);
            return Offer::Taken;
        }
        // `kubectl describe hpa`'s Metrics line for a metric it cannot read (`resource cpu on
        // pods  (as a percentage of request):  <unknown> / 80%`): a line the matchers see.
        if line.contains("<unknown> / ") {
            cx.keep(n, line, None, "free-text");
        }
        self.indented(n, ind, line);
        cx.touch(self.seg, n);
        Offer::Taken
    }

    /// A line at or left of the describe's margin after `Events:`: an event row whose indentation
    /// was lost, the continuation of a wrapped message, or the end of the describe.
    fn event_outside(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if let Some(mut e) = super::events::parse_event_line(line) {
            e.provenance.line = Some(n);
            self.events.push(e);
            self.ev_cont = 0;
            self.ev_prev_len = line.len();
            cx.touch(self.seg, n);
            return Offer::Taken;
        }
        if self.continue_event(line) {
            cx.keep(n, line, None, "free-text");
            cx.touch(self.seg, n);
            return Offer::Taken;
        }
        Offer::Rejected
    }

    /// Appends `line` to the last event's message when it may continue it.
    fn continue_event(&mut self, line: &str) -> bool {
        if self.ev_cont >= super::events::MAX_CONTINUATION {
            return false;
        }
        let Some(e) = self.events.last_mut() else {
            return false;
        };
        if !super::events::may_continue_after(&e.message, line) {
            return false;
        }
        if split_key(line.trim()).is_some_and(|(k, _)| is_known_key(k)) {
            return false;
        }
        super::events::continue_message(e, self.ev_prev_len, line);
        self.ev_cont += 1;
        self.ev_prev_len = line.len();
        true
    }

    /// Does this line end a multi-line container message (a describe key where one is expected)?
    fn is_cont_end(&self, line: &str) -> bool {
        let ind = indent(line);
        let t = line.trim();
        if ind <= self.base && split_key(t).is_some_and(|(k, _)| is_known_key(k)) {
            return true;
        }
        let Some(k) = self.ckey_ind else {
            return is_cont_end(line);
        };
        let rel = ind.saturating_sub(self.base);
        if rel < k && container_name(t).is_some() {
            return true;
        }
        match split_key(t) {
            Some((key, _)) if rel == k => is_container_key(key),
            Some((key, _)) if rel > k => is_state_key(key),
            _ => false,
        }
    }

    fn append_message(&mut self, c: Cont, line: &str) {
        let Some(cb) = self.containers.get_mut(c.container) else {
            return;
        };
        let st = if c.last {
            cb.last.as_mut()
        } else {
            cb.state.as_mut()
        };
        if let Some(st) = st {
            let m = st.message.get_or_insert_with(String::new);
            if m.len() + line.len() < MAX_MESSAGE_BYTES {
                m.push('\n');
                m.push_str(line);
            }
        }
        self.cont = Some(Cont {
            lines: c.lines + 1,
            ..c
        });
    }

    /// A line at the margin that is not a `Key:` line, in a describe that may have lost its
    /// indentation: a container's name line after `Containers:` (its keys follow at the margin
    /// too), or a continuation of `Labels:` / `Annotations:` (`app=web`, `key: value`).
    fn flat_line(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if self.base != 0 || !self.confirmed {
            return Offer::Rejected;
        }
        match self.section {
            Section::Containers(kind) => {
                let Some(name) = container_name(line.trim_end()) else {
                    return Offer::Rejected;
                };
                self.containers.push(CBuild {
                    flat: true,
                    ..CBuild::new(name.to_string(), kind, n)
                });
                self.cur = Some(self.containers.len() - 1);
                self.ckey_ind = Some(0);
            }
            Section::Labels if line.contains('=') && !line.contains(' ') => self.label(line),
            Section::Annotations if line.contains([':', '=']) => self.annotation(line),
            _ => return Offer::Rejected,
        }
        cx.touch(self.seg, n);
        Offer::Taken
    }

    fn top_key(&mut self, n: u64, key: &str, value: &str) {
        self.keys += 1;
        if self.keys >= 2 && is_known_key(key) {
            self.confirmed = true;
        }
        self.cur = None;
        self.section = Section::Other;
        match key {
            "Name" => {
                self.name = none_if_placeholder(value);
                self.name_line = n;
            }
            "Namespace" => self.namespace = none_if_placeholder(value),
            "Scheduling Gates" => self.gated = none_if_placeholder(value).is_some(),
            // kubectl before 1.0 printed the node as `Host:`.
            "Node" | "Host" => {
                self.pod_marks = true;
                let v = value.split('/').next().unwrap_or("");
                self.node = none_if_placeholder(v);
            }
            "Status" => {
                // `Terminating (lasts 2h29m)`: how long ago deletion was requested.
                if let Some(rest) = value.strip_prefix("Terminating (lasts ") {
                    self.deletion = rest
                        .strip_suffix(')')
                        .and_then(super::time::parse_age)
                        .and_then(|a| a.when());
                }
                // kubectl <= 1.4: `Terminating (expires Fri, 09 Sep 2016 00:34:02 +0100)`, the
                // deletion timestamp (then set to the end of the grace period).
                if let Some(rest) = value.strip_prefix("Terminating (expires ") {
                    self.deletion = rest.strip_suffix(')').and_then(super::time::rfc1123);
                }
                let v = match value.find(" (") {
                    Some(i) => &value[..i],
                    None => value,
                };
                if let Some(v) = none_if_placeholder(v) {
                    self.status = Some((v, n));
                }
            }
            "Reason" => {
                if let Some(v) = none_if_placeholder(value) {
                    self.reason = Some((v, n));
                }
            }
            "Message" => {
                if let Some(v) = none_if_placeholder(value) {
                    self.message = Some((v, n));
                }
            }
            "Controlled By" => self.controlled_by = none_if_placeholder(value),
            "Labels" => {
                self.section = Section::Labels;
                self.label(value);
            }
            "Annotations" => {
                self.section = Section::Annotations;
                self.annotation(value);
            }
            "Taints" => {
                self.node_marks = true;
                self.section = Section::Taints;
                self.taint(n, value);
            }
            "Containers" => {
                self.pod_marks = true;
                self.section = Section::Containers(ContainerKind::Regular);
            }
            "Init Containers" => {
                self.pod_marks = true;
                self.section = Section::Containers(ContainerKind::Init);
            }
            "Ephemeral Containers" => {
                self.pod_marks = true;
                self.section = Section::Containers(ContainerKind::Ephemeral);
            }
            "Conditions" => {
                self.section = Section::Conditions;
                self.cond_layout = None;
            }
            "Events" => {
                self.section = Section::Events;
                self.events_none |= value == "<none>";
            }
            "Pods Statuses" | "Parallelism" | "Completions" | "Backoff Limit" => {
                self.job_marks = true;
                if key == "Pods Statuses" {
                    self.pods_statuses = Some((format!("Pods Statuses:  {value}"), n));
                }
            }
            "StorageClass" => self.claim_class = Some(none_if_placeholder(value)),
            "Volume" => self.claim_volume = Some(none_if_placeholder(value)),
            "Reference" | "Min replicas" | "Max replicas" => self.hpa_marks = true,
            "StrategyType" | "NewReplicaSet" | "OldReplicaSets" | "RollingUpdateStrategy" => {
                self.deploy_marks = true
            }
            "Kind" => self.kind_value = none_if_placeholder(value),
            "Type" if value == "Warning" || value == "Normal" => {
                self.event_type = Some(value.to_string())
            }
            "Count" => self.event_count = value.parse().ok(),
            "Start Time"
            | "QoS Class"
            | "IP"
            | "IPs"
            | "Priority"
            | "Service Account"
            | "Priority Class Name"
            | "Node-Selectors" => self.pod_marks = true,
            "Roles"
            | "Unschedulable"
            | "Capacity"
            | "Allocatable"
            | "System Info"
            | "Non-terminated Pods"
            | "Allocated resources"
            | "PodCIDR"
            | "PodCIDRs"
            | "ProviderID"
            | "Lease"
            | "Addresses" => self.node_marks = true,
            _ => {}
        }
    }

    fn label(&mut self, v: &str) {
        let v = v.trim();
        if v.is_empty() || v == "<none>" {
            return;
        }
        let (k, val) = v.split_once('=').unwrap_or((v, ""));
        self.labels.push((k.to_string(), val.to_string()));
    }

    fn annotation(&mut self, v: &str) {
        let v = v.trim();
        if v.is_empty() || v == "<none>" {
            return;
        }
        let (k, val) = match v.split_once(": ") {
            Some((k, val)) => (k, val),
            None => (v.trim_end_matches(':'), ""),
        };
        self.annotations
            .push((k.trim().to_string(), val.trim().to_string()));
    }

    fn taint(&mut self, n: u64, v: &str) {
        let v = v.trim();
        if v.is_empty() || v == "<none>" {
            return;
        }
        let Some((kv, effect)) = v.rsplit_once(':') else {
            return;
        };
        let (key, value) = match kv.split_once('=') {
            Some((k, val)) => (k, Some(val.to_string())),
            None => (kv, None),
        };
        if key.is_empty() || effect.is_empty() {
            return;
        }
        self.taints.push(TaintRow {
            key: key.to_string(),
            value,
            effect: effect.to_string(),
            line: n,
        });
    }

    fn indented(&mut self, n: u64, ind: usize, line: &str) {
        let t = line.trim();
        match self.section {
            Section::Labels => self.label(t),
            Section::Annotations => self.annotation(t),
            Section::Taints => self.taint(n, t),
            Section::Containers(kind) => self.container_line(n, ind, t, kind),
            Section::Conditions => self.condition_line(n, line),
            Section::Events => {
                if is_separator(line) {
                    return;
                }
                if let Some(t) = EventTable::from_header(line) {
                    // the first header, or the header of a table pasted right after this one
                    self.events_table = Some(t);
                    return;
                }
                let row = match &self.events_table {
                    Some(table) => table
                        .row(line)
                        .or_else(|| super::events::parse_event_line(line)),
                    // rows pasted without their header
                    None => super::events::parse_event_line(line),
                };
                match row {
                    Some(mut e) => {
                        e.provenance.line = Some(n);
                        self.events.push(e);
                        self.ev_cont = 0;
                        self.ev_prev_len = line.len();
                    }
                    None => {
                        self.continue_event(line.trim_start());
                    }
                }
            }
            Section::None | Section::Other => {
                // A table whose section header was cut from the paste (`[...]`).
                if let Some(t) = EventTable::from_header(line) {
                    self.section = Section::Events;
                    self.events_table = Some(t);
                } else if is_conditions_header(line) {
                    self.section = Section::Conditions;
                    self.cond_layout = None;
                    self.condition_line(n, line);
                }
            }
        }
    }

    /// One line of a container section, by relative indentation: container names are left of the
    /// container keys (`State:`, `Image:`), state keys (`Reason:`, `Exit Code:`) right of the
    /// `State:` line they belong to. Works at any indentation step (2 spaces, tabs).
    fn container_line(&mut self, n: u64, ind: usize, t: &str, kind: ContainerKind) {
        if self.ckey_ind.is_none_or(|k| ind < k) {
            if let Some(name) = container_name(t) {
                self.containers.push(CBuild::new(name.to_string(), kind, n));
                self.cur = Some(self.containers.len() - 1);
                return;
            }
        }
        // `nvidia.com/gpu:  1` right of `Limits:` / `Requests:` (at its level when the paste lost
        // the indentation).
        let in_resources = self
            .cur
            .and_then(|ci| self.containers.get(ci))
            .is_some_and(|c| c.sub == Sub::Resources && ind >= c.sub_ind);
        if in_resources {
            if let Some(kv) = resource_line(t) {
                if !self.requests.contains(&kv) {
                    self.requests.push(kv);
                }
                return;
            }
        }
        let Some((key, value)) = split_key(t) else {
            return;
        };
        // A state key right of its `State:` line, or at its level when the paste lost the
        // indentation (`State: Terminated` / `Reason: OOMKilled` one under the other): a key that
        // only a state has (`Reason`, `Exit Code`, ...) still belongs to it.
        let in_state = self
            .cur
            .and_then(|ci| self.containers.get(ci))
            .is_some_and(|c| {
                matches!(c.sub, Sub::State | Sub::Last)
                    && (ind > c.sub_ind || (ind == c.sub_ind && !is_container_key(key)))
            });
        if is_state_key(key) && in_state {
            self.state_line(n, key, value);
            return;
        }
        if !is_container_key(key) || self.ckey_ind.is_some_and(|k| ind > k) {
            return;
        }
        self.ckey_ind.get_or_insert(ind);
        if self.cur.is_none() {
            // A container block pasted without its name line.
            self.containers.push(CBuild::new(String::new(), kind, n));
            self.cur = Some(self.containers.len() - 1);
        }
        let Some(c) = self.cur.and_then(|ci| self.containers.get_mut(ci)) else {
            return;
        };
        // A container has one `State:`: a second one is another block whose name line was not
        // pasted (a second container, or the same one pasted again later).
        if key == "State" && c.state.is_some() {
            let name = c.name.clone();
            self.containers.push(CBuild::new(name, kind, n));
            self.cur = Some(self.containers.len() - 1);
        }
        let Some(c) = self.cur.and_then(|ci| self.containers.get_mut(ci)) else {
            return;
        };
        c.sub = Sub::None;
        match key {
            "Image" => c.image = none_if_placeholder(value),
            "Port" | "Ports" => c.ports.extend(
                crate::evidence::parse_ports(value)
                    .into_iter()
                    .map(|(p, proto)| (p, proto, n)),
            ),
            "State" => {
                c.state = StateB::new(value, n);
                c.sub = Sub::State;
                c.sub_ind = ind;
            }
            "Last State" => {
                c.last = StateB::new(value, n);
                c.sub = Sub::Last;
                c.sub_ind = ind;
            }
            "Ready" => c.ready = parse_bool(value),
            "Restart Count" => c.restarts = value.parse().ok(),
            "Limits" | "Requests" => {
                c.sub = Sub::Resources;
                c.sub_ind = ind;
            }
            "Liveness" => c.probes.liveness = none_if_placeholder(value),
            "Readiness" => c.probes.readiness = none_if_placeholder(value),
            "Startup" => c.probes.startup = none_if_placeholder(value),
            _ => {}
        }
    }

    fn state_line(&mut self, n: u64, key: &str, value: &str) {
        let Some(ci) = self.cur else { return };
        let Some(c) = self.containers.get_mut(ci) else {
            return;
        };
        let last = match c.sub {
            Sub::State => false,
            Sub::Last => true,
            Sub::None | Sub::Resources => return,
        };
        let st = if last {
            c.last.as_mut()
        } else {
            c.state.as_mut()
        };
        let Some(st) = st else { return };
        match key {
            "Reason" => {
                st.reason = none_if_placeholder(value).map(complete_reason);
                st.reason_line = Some(n);
            }
            "Message" => {
                st.message = Some(value.to_string());
                self.cont = Some(Cont {
                    container: ci,
                    last,
                    lines: 0,
                });
            }
            "Exit Code" => st.exit_code = value.parse().ok(),
            "Signal" => st.signal = value.parse().ok(),
            "Started" => st.started = none_if_placeholder(value),
            "Finished" => st.finished = none_if_placeholder(value),
            _ => {}
        }
    }

    fn condition_line(&mut self, n: u64, line: &str) {
        if is_separator(line) {
            return;
        }
        let t = line.trim();
        if self.cond_layout.is_none() {
            // A custom resource's conditions, one field per line (`kubectl describe taskrun`):
            // the first message is kept as the object's.
            if let Some(("Message", v)) = split_key(t) {
                if self.message.is_none() {
                    self.message = none_if_placeholder(v).map(|v| (v, n));
                }
                return;
            }
            if t.starts_with("Type") {
                self.cond_layout = Some(Layout::from_header(line));
            }
            return;
        }
        let Some(layout) = &self.cond_layout else {
            return;
        };
        if let Some(cells) = layout.cut(line) {
            let mut row = CondRow {
                type_: String::new(),
                status: String::new(),
                reason: None,
                message: None,
                last_transition: None,
                line: n,
            };
            for (title, cell) in layout.titles().zip(cells) {
                match title {
                    "TYPE" => row.type_ = cell.to_string(),
                    "STATUS" => row.status = cell.to_string(),
                    "REASON" => row.reason = none_if_placeholder(cell),
                    "MESSAGE" => row.message = none_if_placeholder(cell),
                    "LASTTRANSITIONTIME" => row.last_transition = rfc1123(cell),
                    _ => {}
                }
            }
            if is_status(&row.status) && !row.type_.contains(' ') && !row.type_.is_empty() {
                self.conds.push(row);
                return;
            }
        }
        // Misaligned: Type Status [heartbeat(6 words) transition(6 words) Reason Message...]
        let toks = tokens(line);
        let (Some(ty), Some(st)) = (toks.first(), toks.get(1)) else {
            return;
        };
        if !is_status(st.text) {
            return;
        }
        let mut row = CondRow {
            type_: ty.text.to_string(),
            status: st.text.to_string(),
            reason: None,
            message: None,
            last_transition: None,
            line: n,
        };
        if toks.len() >= 15 && toks[2].text.ends_with(',') && toks[8].text.ends_with(',') {
            let when = line.get(toks[8].start..toks[13].end).unwrap_or("");
            row.last_transition = rfc1123(when);
            row.reason = Some(toks[14].text.to_string());
            if let Some(m) = toks.get(15) {
                row.message = line.get(m.start..).map(|s| s.trim().to_string());
            }
        }
        self.conds.push(row);
    }

    /// Emits everything read. `Outcome::Replay` when this never was a describe.
    pub fn finish(self, cx: &mut Cx) -> Outcome {
        if !self.confirmed {
            return Outcome::Replay {
                first: self.first_line,
                text: self.raw,
            };
        }
        #[derive(PartialEq)]
        enum Kind {
            Pod,
            Node,
            EventsOnly,
            Other,
        }
        // A `Conditions:` table pasted alone is a node's when it has node condition types or the
        // heartbeat column (a pod's table has only Type and Status).
        let node_conds = !self.conds.is_empty()
            && (self.conds.iter().any(|c| {
                matches!(
                    c.type_.as_str(),
                    "MemoryPressure"
                        | "DiskPressure"
                        | "PIDPressure"
                        | "NetworkUnavailable"
                        | "OutOfDisk"
                        | "KernelDeadlock"
                        | "ReadonlyFilesystem"
                        | "FrequentKubeletRestart"
                        | "FrequentContainerdRestart"
                )
            }) || self.conds.iter().any(|c| c.reason.is_some()));
        // A Job's describe has a `Start Time:` and a pod template's `Containers:`: it is still the
        // Job's, not a pod's.
        let kind = if self.only_events {
            Kind::EventsOnly
        } else if self.job_marks || self.hpa_marks || self.deploy_marks || self.is_claim() {
            Kind::Other
        } else if self.node_marks && !self.pod_marks {
            Kind::Node
        } else if self.pod_marks {
            Kind::Pod
        } else if node_conds {
            Kind::Node
        } else if !self.conds.is_empty() {
            Kind::Pod
        } else {
            Kind::Other
        };
        // The Events section was pasted (rows, or `<none>`), not cut off before or in it.
        let events_shown = self.events_none || !self.events.is_empty();
        let format = match kind {
            Kind::Pod => "describe-pod",
            Kind::Node => "describe-node",
            Kind::EventsOnly => "events-table",
            Kind::Other => "describe",
        };
        cx.set_format(self.seg, format);
        let is_claim = self.is_claim();
        let (obj_kind, obj_name) = match kind {
            Kind::Pod => (Some("Pod".to_string()), self.name.clone()),
            Kind::Node => (Some("Node".to_string()), self.name.clone()),
            Kind::Other if self.job_marks => (Some("Job".to_string()), self.name.clone()),
            Kind::Other if is_claim => {
                (Some("PersistentVolumeClaim".to_string()), self.name.clone())
            }
            Kind::Other if self.deploy_marks => (Some("Deployment".to_string()), self.name.clone()),
            Kind::Other if self.hpa_marks => (
                Some("HorizontalPodAutoscaler".to_string()),
                self.name.clone(),
            ),
            _ => (None, None),
        };
        // The `Events:` block of a `kubectl describe pod` pasted without the rest: the scheduler's
        // `Successfully assigned ns/name to node` names its pod.
        let (obj_kind, obj_name) = match (kind == Kind::EventsOnly || kind == Kind::Pod, obj_name) {
            (true, None) => match assigned_pod(&self.events) {
                Some(n) => (Some("Pod".to_string()), Some(n)),
                None => (obj_kind, None),
            },
            (_, name) => (obj_kind, name),
        };
        for mut e in self.events {
            let line = e.provenance.line;
            e.provenance = cx.prov(line.unwrap_or(self.first_line), format);
            if e.object_kind.is_none() {
                e.object_kind = obj_kind.clone();
                e.object_name = obj_name.clone();
            }
            cx.ev.events.push(e);
        }
        if kind == Kind::Other {
            // A controller's condition that reports trouble (`ScalingActive False
            // FailedGetResourceMetric ...` of an HPA, `Progressing False ProgressDeadlineExceeded`
            // of a Deployment, `ReplicaFailure True FailedCreate`) is the event it records with
            // the same reason and message: events expire, the condition stays.
            for c in &self.conds {
                // Condition types that are bad when True (`ReplicaFailure`, `Failed`) or that
                // only inform (`ScalingLimited`, `Suspended`); the others are bad when False.
                let failure = c.type_.ends_with("Failure") || c.type_.ends_with("Failed");
                let neutral = c.type_.ends_with("Limited") || c.type_ == "Suspended";
                let trouble = match c.status.as_str() {
                    "False" => !failure && !neutral,
                    "True" => failure,
                    _ => false,
                };
                let Some(reason) = c.reason.clone().filter(|_| trouble) else {
                    continue;
                };
                cx.ev.events.push(crate::evidence::Event {
                    type_: Some("Warning".to_string()),
                    reason: Some(reason),
                    message: c.message.clone().unwrap_or_default(),
                    object_kind: obj_kind.clone(),
                    object_name: obj_name.clone(),
                    provenance: cx.prov(c.line, "describe-condition"),
                    ..Default::default()
                });
            }
            // `kubectl describe pvc`: the claim, as a `kubectl get pvc` row gives it.
            if is_claim {
                if let (Some(name), Some((status, line))) = (&self.name, &self.status) {
                    if matches!(status.as_str(), "Pending" | "Bound" | "Lost") {
                        cx.ev.claims.push(crate::evidence::Claim {
                            name: name.clone(),
                            namespace: self.namespace.clone(),
                            status: status.clone(),
                            volume: self.claim_volume.clone().flatten(),
                            storage_class: self.claim_class.clone().flatten(),
                            created: None,
                            provenance: cx.prov(*line, "describe-pvc"),
                        });
                    }
                }
                // Its expansion conditions (`FileSystemResizePending True`, `Resizing True`,
                // 1.31's `ControllerResizeError` / `NodeResizeError`): the claim's own state.
                for c in &self.conds {
                    if let Some(type_) = super::objects::claim_condition(&c.type_, &c.status) {
                        cx.ev.events.push(crate::evidence::Event {
                            type_: Some(type_.to_string()),
                            reason: Some(c.type_.clone()),
                            message: c.message.clone().unwrap_or_default(),
                            object_kind: obj_kind.clone(),
                            object_name: obj_name.clone(),
                            provenance: cx.prov(c.line, "describe-condition"),
                            ..Default::default()
                        });
                    }
                }
            }
        }
        // `kubectl describe taskrun` (or a piece of it read as a pod's): its condition's message
        // names the step container that failed and its exit code.
        if let Some((m, line)) = &self.message {
            if let Some((name, code, reason)) = super::text::step_exit(m) {
                let prov = cx.prov(*line, format);
                cx.ev.containers.push(super::text::step_exit_status(
                    None, name, code, reason, prov,
                ));
            }
        }
        // `kubectl describe event NAME`: the event itself (its reason, when the paste stops
        // before `Reason:`, from the message's wording).
        if kind == Kind::Other && self.kind_value.as_deref() == Some("Event") {
            if let Some((message, line)) = self.message.clone() {
                let a = super::text::analyse(&message);
                let reason = self
                    .reason
                    .clone()
                    .map(|r| r.0)
                    .or_else(|| a.as_ref().and_then(|a| a.reason.clone()));
                let type_ = self.event_type.clone().or_else(|| {
                    a.as_ref().and_then(|a| a.type_.clone()).or_else(|| {
                        reason
                            .as_deref()
                            .map(|r| super::events::type_of_reason(r).to_string())
                    })
                });
                cx.ev.events.push(crate::evidence::Event {
                    type_,
                    reason,
                    message: a.map(|a| a.message).unwrap_or(message),
                    count: self.event_count,
                    provenance: cx.prov(line, format),
                    ..Default::default()
                });
            }
        }
        // How many of the Job's pods failed: a line the matchers see (`log` text).
        if kind == Kind::Other && self.job_marks {
            if let Some((text, line)) = &self.pods_statuses {
                cx.keep(*line, text, None, format);
            }
        }
        match kind {
            Kind::Pod => {
                let line = self
                    .reason
                    .as_ref()
                    .map(|r| r.1)
                    .or(self.message.as_ref().map(|m| m.1))
                    .or(self.status.as_ref().map(|s| s.1))
                    .unwrap_or(self.name_line);
                let pod_key = self
                    .name
                    .as_deref()
                    .and_then(|n| crate::evidence::pod_key(self.namespace.as_deref(), n));
                let pod_at = cx.ev.pods.len();
                let containers_from = cx.ev.containers.len();
                cx.ev.pods.push(PodInfo {
                    name: self.name.clone(),
                    namespace: self.namespace,
                    uid: None,
                    phase: self.status.map(|s| s.0),
                    reason: self.reason.map(|r| r.0),
                    message: self.message.map(|m| m.0),
                    node_name: self.node,
                    controlled_by: self.controlled_by,
                    deletion: self.deletion,
                    created: None,
                    listed_status: None,
                    events_shown,
                    annotations: self.annotations,
                    labels: self.labels,
                    requests: self.requests,
                    provenance: cx.prov(line, format),
                });
                for c in self.conds {
                    cx.ev.pod_conditions.push(PodCondition {
                        pod: pod_key.clone(),
                        type_: c.type_,
                        status: c.status,
                        reason: c.reason,
                        message: c.message,
                        provenance: cx.prov(c.line, format),
                    });
                }
                for c in self.containers {
                    let line = match (&c.state, &c.last) {
                        (Some(s), _) if s.kind != StateKind::Running => {
                            s.reason_line.unwrap_or(s.line)
                        }
                        (_, Some(l)) => l.reason_line.unwrap_or(l.line),
                        _ => c.line,
                    };
                    for (port, protocol, l) in &c.ports {
                        cx.ev.ports.push(crate::evidence::DeclaredPort {
                            pod: pod_key.clone(),
                            container: c.name.clone(),
                            port: *port,
                            protocol: protocol.clone(),
                            provenance: cx.prov(*l, format),
                        });
                    }
                    cx.ev.containers.push(ContainerStatus {
                        probes: c.probes,
                        pod: pod_key.clone(),
                        name: c.name,
                        kind: c.kind,
                        image: c.image,
                        ready: c.ready,
                        restart_count: c.restarts,
                        state: c.state.as_ref().map(StateB::build),
                        last_state: c.last.as_ref().map(StateB::build),
                        provenance: cx.prov(line, format),
                    });
                }
                // What `kubectl get pods` would print in STATUS (`Pending` with no container
                // status): the listing's rules read it the same way. Its AGE is not printed.
                let status = super::listing::printed_status(
                    &cx.ev.pods[pod_at],
                    &cx.ev.containers[containers_from..],
                    self.gated,
                );
                cx.ev.pods[pod_at].listed_status = status;
            }
            Kind::Node => {
                for c in self.conds {
                    cx.ev.node_conditions.push(NodeCondition {
                        node: self.name.clone(),
                        type_: c.type_,
                        status: c.status,
                        reason: c.reason,
                        message: c.message,
                        last_transition: c.last_transition,
                        provenance: cx.prov(c.line, format),
                    });
                }
                for t in self.taints {
                    cx.ev.taints.push(Taint {
                        node: self.name.clone(),
                        key: t.key,
                        value: t.value,
                        effect: t.effect,
                        provenance: cx.prov(t.line, format),
                    });
                }
            }
            Kind::EventsOnly | Kind::Other => {}
        }
        Outcome::Accepted
    }
}

fn is_status(s: &str) -> bool {
    matches!(s, "True" | "False" | "Unknown")
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "True" | "true" => Some(true),
        "False" | "false" => Some(false),
        _ => None,
    }
}

/// `  app:` alone on a line: the container name before a pasted container block.
pub fn container_name_line(line: &str) -> Option<&str> {
    container_name(line.trim())
}

/// `web:` at container-name indentation: a DNS-label-like name and nothing after the colon.
fn container_name(t: &str) -> Option<&str> {
    let name = t.strip_suffix(':')?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return None;
    }
    Some(name)
}

/// Does this line end a multi-line container message (a describe key at its expected indentation)?
fn is_cont_end(line: &str) -> bool {
    let ind = indent(line);
    let t = line.trim_start();
    match ind {
        0 => matches!(
            split_key(t).map(|(k, _)| k),
            Some(
                "Name"
                    | "Conditions"
                    | "Volumes"
                    | "QoS Class"
                    | "Node-Selectors"
                    | "Tolerations"
                    | "Events"
                    | "Containers"
                    | "Init Containers"
                    | "Ephemeral Containers"
                    | "Readiness Gates"
                    | "Topology Spread Constraints"
            )
        ),
        2 => container_name(t.trim_end()).is_some(),
        4 => matches!(
            split_key(t).map(|(k, _)| k),
            Some(
                "Ready"
                    | "Restart Count"
                    | "Last State"
                    | "State"
                    | "Environment"
                    | "Environment Variables from"
                    | "Mounts"
                    | "Limits"
                    | "Requests"
                    | "Liveness"
                    | "Readiness"
                    | "Startup"
                    | "Image"
                    | "Image ID"
                    | "Container ID"
                    | "Port"
                    | "Ports"
                    | "Host Port"
                    | "Host Ports"
                    | "Command"
                    | "Args"
                    | "SeccompProfile"
            )
        ),
        6 => matches!(
            split_key(t).map(|(k, _)| k),
            Some("Reason" | "Message" | "Exit Code" | "Signal" | "Started" | "Finished")
        ),
        _ => false,
    }
}

/// The pod a describe `Events:` table is about, from the scheduler's `Scheduled` event
/// (`Successfully assigned default/web-0 to node-1`); `None` unless every such event names the same
/// pod.
fn assigned_pod(events: &[crate::evidence::Event]) -> Option<String> {
    let mut found: Option<String> = None;
    for e in events {
        let Some(rest) = e.message.strip_prefix("Successfully assigned ") else {
            continue;
        };
        let target = rest.split(" to ").next()?.trim();
        let name = target.rsplit('/').next()?;
        if name.is_empty() || name.contains(char::is_whitespace) {
            return None;
        }
        match &found {
            Some(f) if f != name => return None,
            _ => found = Some(name.to_string()),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(split_key("Name:         web"), Some(("Name", "web")));
        assert_eq!(
            split_key("Controlled By:  ReplicaSet/web-7d9f8c6b5"),
            Some(("Controlled By", "ReplicaSet/web-7d9f8c6b5"))
        );
        assert_eq!(split_key("Events:"), Some(("Events", "")));
        assert_eq!(split_key("apiVersion: v1"), None);
        assert_eq!(
            split_key("Warning  FailedSync  7m  kubelet, x  Error: y"),
            None
        );
        assert_eq!(split_key("Image:nginx"), None);
        assert!(is_start("Name:         web-7d9f8c6b5-x2x4p"));
        assert!(!is_start("Name:"));
        assert!(!is_start("Namespace:    default"));
    }

    #[test]
    fn pod_status_fragments_start_at_the_margin_with_a_phase_or_a_pod_reason() {
        let f = |l: &str| fragment_start(l);
        assert_eq!(f("Status:         Failed"), Some(Fragment::PodStatus));
        assert_eq!(f("Reason:         Evicted"), Some(Fragment::PodStatus));
        assert_eq!(f("Reason:         OutOfcpu"), Some(Fragment::PodStatus));
        assert_eq!(f("Reason:         Shutdown"), Some(Fragment::PodStatus));
        // A container's state key, an HTTP client's error, another object's status.
        assert_eq!(f("      Reason:       Evicted"), None);
        assert_eq!(f("Reason:       Error"), None);
        assert_eq!(f("Reason: Forbidden"), None);
        assert_eq!(f("Status:        Bound"), None);
    }

    #[test]
    fn continuation_ends() {
        assert!(is_cont_end("      Exit Code:    1"));
        assert!(is_cont_end("    Ready:          False"));
        assert!(is_cont_end("  sidecar:"));
        assert!(is_cont_end("Conditions:"));
        assert!(!is_cont_end("Error: failed to connect to database"));
        assert!(!is_cont_end("        at main.go:42"));
    }
}
