//! What is current and what is not: history and unrelated node causes.
//!
//! Runs between evaluation and ranking (`crate::diagnose`, so a pasted file, a live pod, a dump and
//! a sweep all behave the same). Two adjustments, both declared in the rules, never per rule id:
//!
//! **History.** A rule may say what later evidence shows its failure over (`resolved_by:`, see
//! [`crate::rules::ResolvedBy`]): a `FailedMount` followed by the container starting, a failed pull
//! followed by `Pulled` for the same image, an OOM kill on a container that is Running and Ready
//! now. For each evidence item of a fired finding, `after` is matched against the evidence that is
//! *later* than that item:
//! - a later event: smaller age (`2m` is later than `5m`; ages of timestamps are measured against the
//!   newest timestamp of the input); at equal or unknown ages, a line further down the same input
//!   (`kubectl describe` lists events oldest first);
//! - the current state — container statuses, the pod's phase and conditions, node conditions and
//!   taints — is later than any event;
//! - a container status is later than its own `Last State`, so the item that quotes an old
//!   termination can resolve itself (Running and Ready now); but a container whose restart count
//!   differs between two snapshots of it (a rising count) is restarting and resolves nothing.
//!
//! `unless` is matched against all the evidence whatever its time (a BackOff event means the
//! container is still restarting), and `quiet_for` asks the failure's own evidence to be at least
//! that old. Only events and container statuses can be resolved; log lines, node conditions and pod
//! conditions are current, and the pod's own fields (quoted for its name or namespace) count neither
//! way. A finding is history when *every* other one of its evidence items is resolved,
//! by its own rule or by another finding's: a cause quoting the same `FailedScheduling` event as a
//! resolved `failed-scheduling` symptom is resolved with it. History is reported with severity
//! `info`, when it last happened and what resolved it, below every current finding.
//!
//! **Unrelated node causes.** A finding whose evidence is all about nodes (node conditions, taints,
//! node events) explains only the pods it can affect. Its rule's `affects:` says which (see
//! [`crate::rules::Affects`]): subnet IPs running out keeps pods from starting, it does not crash a
//! running container. The pod's stage is read from the evidence ([`pod_stage`]); when it cannot be
//! told, every node cause stays. And for a pod that has no node yet, the scheduler's own message
//! says why: a node-only finding the message does not back is not this pod's cause. Such findings
//! are reported as `unrelated` context with severity `info`, below every current finding.

use crate::engine::{field_values, source_len, Engine, Finding, ItemRef};
use crate::evidence::{ContainerState, Evidence, When};
use crate::rules::{fill_template, Affects, MatchNode, Severity, Source};
use regex::Regex;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Why a finding is reported as history.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct History {
    /// When the failure last showed: `3m ago`, or the timestamp the input gave; absent when the
    /// evidence has no time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Seconds before the newest evidence, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<u64>,
    /// The later evidence that shows the failure over, quoted.
    pub resolved_by: Vec<String>,
    /// The rule's severity, which the finding would have if it were current.
    pub original_severity: Severity,
}

/// Why a node-level finding is not this pod's cause.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Unrelated {
    pub reason: String,
    /// The rule's `affects`.
    pub affects: Affects,
    /// The rule's severity, which the finding would have if it were this pod's cause.
    pub original_severity: Severity,
}

/// How far the pod of an evidence set got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The evidence does not tell.
    Unknown,
    /// No node yet.
    Unscheduled,
    /// On a node, containers not started yet (sandbox, IP, volumes, image).
    NotStarted,
    /// A container has run.
    Started,
}

impl Stage {
    fn describe(self) -> &'static str {
        match self {
            Stage::Unknown => "is in an unknown state",
            Stage::Unscheduled => "has no node yet",
            Stage::NotStarted => "is on a node and its containers have not started",
            Stage::Started => "has containers that have run",
        }
    }
}

/// Mark history and unrelated findings (severity `info`, original kept). Call before ranking.
pub fn apply(engine: &Engine, ev: &Evidence, findings: &mut [Finding]) {
    mark_history(engine, ev, findings);
    mark_unrelated(engine, ev, findings);
}

/// Items quoted as what resolved a failure.
const RESOLVERS_QUOTED: usize = 3;
/// Resolving items kept per failure item, in the order found. A finding quotes the first
/// [`RESOLVERS_QUOTED`] distinct ones over its failure items' lists taken in turn; while fewer are
/// gathered at most `RESOLVERS_QUOTED - 1` entries of the next list repeat them, so this prefix of
/// each list gives exactly the quotes the whole lists would.
const RESOLVERS_KEPT: usize = 2 * RESOLVERS_QUOTED - 1;

fn mark_history(engine: &Engine, ev: &Evidence, findings: &mut [Finding]) {
    // Item -> later items that resolve it.
    let newest = ev.newest_absolute();
    // Only the first [`RESOLVERS_KEPT`] of each list: a big event paste resolves thousands of
    // items by thousands of others, and holding every pair cost memory quadratic in the events.
    let mut resolved: HashMap<ItemRef, Vec<ItemRef>> = HashMap::new();
    for f in findings.iter() {
        let Some(rb) = engine.rule(&f.id).and_then(|r| r.resolved_by.as_ref()) else {
            continue;
        };
        let after = Compiled::new(&rb.after, &f.captures, ev);
        if let Some(u) = &rb.unless {
            if Compiled::new(u, &f.captures, ev).eval(&|_| true).is_some() {
                continue;
            }
        }
        for &x in &f.items {
            if !matches!(x.0, Source::Event | Source::Container) && message(ev, x).is_none() {
                continue;
            }
            if let Some(q) = rb.quiet_for {
                if item_age(ev, x).is_none_or(|a| a < q) {
                    continue;
                }
            }
            if let Some(by) = after
                .eval(&|y| later(ev, newest, y, x))
                .filter(|b| !b.is_empty())
            {
                let e = resolved.entry(x).or_default();
                for y in by {
                    if e.len() >= RESOLVERS_KEPT {
                        break;
                    }
                    if !e.contains(&y) {
                        e.push(y);
                    }
                }
            }
        }
    }
    if resolved.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        // The pod's own fields (quoted for its name or namespace) count neither way.
        let failure: Vec<ItemRef> = f
            .items
            .iter()
            .copied()
            .filter(|x| x.0 != Source::Pod)
            .collect();
        if failure.is_empty() || !failure.iter().all(|x| resolved.contains_key(x)) {
            continue;
        }
        let mut by: Vec<ItemRef> = Vec::new();
        let mut in_by: HashSet<ItemRef> = HashSet::new();
        for x in &failure {
            for y in &resolved[x] {
                if in_by.insert(*y) {
                    by.push(*y);
                }
            }
        }
        // The latest occurrence of the failure.
        let last = f
            .items
            .iter()
            .filter_map(|x| item_time(ev, *x))
            .min_by_key(|t| t.age.unwrap_or(u64::MAX));
        f.history = Some(History {
            when: last.as_ref().map(|t| t.text.clone()),
            age_seconds: last.and_then(|t| t.age),
            resolved_by: by
                .iter()
                .take(RESOLVERS_QUOTED)
                .map(|y| quote(ev, *y))
                .collect(),
            original_severity: f.severity,
        });
        f.severity = Severity::Info;
    }
}

fn mark_unrelated(engine: &Engine, ev: &Evidence, findings: &mut [Finding]) {
    let stage = pod_stage(ev);
    if stage == Stage::Unknown {
        return;
    }
    let scheduler_said = stage == Stage::Unscheduled && scheduler_message(ev);
    for f in findings.iter_mut() {
        if !f.is_current() || f.items.is_empty() || !f.items.iter().all(|x| node_item(ev, *x)) {
            continue;
        }
        let affects = engine.rule(&f.id).map(|r| r.affects).unwrap_or_default();
        let can = matches!(
            (affects, stage),
            (Affects::All, _)
                | (Affects::NotStarted, Stage::Unscheduled | Stage::NotStarted)
                | (Affects::Unscheduled, Stage::Unscheduled)
        );
        let reason = if !can {
            format!(
                "a node cause that affects {} pods; this pod {}",
                match affects {
                    Affects::All => "all",
                    Affects::NotStarted => "only not-yet-started",
                    Affects::Unscheduled => "only unscheduled",
                },
                stage.describe()
            )
        } else if scheduler_said {
            "this pod has no node yet and the scheduler's message, which says why, does not name \
             this node condition"
                .to_string()
        } else {
            continue;
        };
        f.unrelated = Some(Unrelated {
            reason,
            affects,
            original_severity: f.severity,
        });
        f.severity = Severity::Info;
    }
}

/// How far the pod got, from its phase, conditions, container statuses and events.
pub fn pod_stage(ev: &Evidence) -> Stage {
    let ran = |s: &Option<ContainerState>| {
        matches!(
            s,
            Some(ContainerState::Running { .. } | ContainerState::Terminated { .. })
        )
    };
    let started = ev.pods.iter().any(|p| {
        matches!(
            p.phase.as_deref(),
            Some("Running" | "Succeeded" | "Completed")
        )
    }) || ev
        .containers
        .iter()
        .any(|c| ran(&c.state) || ran(&c.last_state) || c.restart_count.is_some_and(|n| n > 0))
        || ev.events.iter().any(|e| {
            e.reason.as_deref() == Some("Started") && e.message.starts_with("Started container")
        });
    if started {
        return Stage::Started;
    }
    let condition = |t: &str, s: &str| {
        ev.pod_conditions
            .iter()
            .any(|c| c.type_ == t && c.status == s)
    };
    let scheduled = ev.pods.iter().any(|p| p.node_name.is_some())
        || condition("PodScheduled", "True")
        || ev.containers.iter().any(|c| c.state.is_some())
        || ev.events.iter().any(|e| {
            matches!(
                e.reason.as_deref(),
                Some(
                    "Scheduled"
                        | "FailedCreatePodSandBox"
                        | "FailedMount"
                        | "FailedAttachVolume"
                        | "SuccessfulAttachVolume"
                        | "Pulling"
                        | "Pulled"
                        | "SandboxChanged"
                )
            )
        });
    if scheduled {
        return Stage::NotStarted;
    }
    let pending = ev
        .pods
        .iter()
        .any(|p| p.phase.as_deref() == Some("Pending"))
        || condition("PodScheduled", "False")
        || ev
            .events
            .iter()
            .any(|e| e.reason.as_deref() == Some("FailedScheduling"));
    if pending {
        Stage::Unscheduled
    } else {
        Stage::Unknown
    }
}

/// Whether the scheduler's own word on this pod is in the evidence.
fn scheduler_message(ev: &Evidence) -> bool {
    ev.events
        .iter()
        .any(|e| e.reason.as_deref() == Some("FailedScheduling") && !e.message.is_empty())
        || ev.pod_conditions.iter().any(|c| {
            c.type_ == "PodScheduled"
                && c.status == "False"
                && c.message.as_deref().is_some_and(|m| !m.is_empty())
        })
}

/// An item about a node rather than the pod: a node condition, a taint, an event on a Node.
fn node_item(ev: &Evidence, (s, i): ItemRef) -> bool {
    match s {
        Source::NodeCondition | Source::Taint => true,
        Source::Event => ev.events[i].object_kind.as_deref() == Some("Node"),
        _ => false,
    }
}

/// Whether item `y` is later than item `x` (see the module documentation).
/// `newest` is [`Evidence::newest_absolute`], computed once by the caller (it scans every event).
fn later(ev: &Evidence, newest: Option<i64>, y: ItemRef, x: ItemRef) -> bool {
    // A message found in text has no age of its own: it is later than what stands above it in the
    // same input, and the current state (the pod, its conditions, nodes, a stable container) is
    // later than it.
    let line = |r: ItemRef| -> Option<(&str, u64)> {
        let p = match (message(ev, r), r.0) {
            (Some(m), _) => &m.provenance,
            (None, Source::Event) => &ev.events[r.1].provenance,
            _ => return None,
        };
        Some((p.input.as_str(), p.line?))
    };
    if message(ev, x).is_some() || message(ev, y).is_some() {
        return match (message(ev, y).is_some(), y.0) {
            (true, _) | (false, Source::Event) => {
                matches!((line(y), line(x)), (Some((iy, ly)), Some((ix, lx))) if iy == ix && ly > lx)
            }
            (false, Source::Container) => message(ev, x).is_some() && restarts_stable(ev, y.1),
            (
                false,
                Source::Pod
                | Source::PodCondition
                | Source::NodeCondition
                | Source::Taint
                | Source::Claim,
            ) => message(ev, x).is_some(),
            (false, Source::Log) => false,
        };
    }
    match (y.0, x.0) {
        (Source::Event, Source::Event) => {
            let (ey, ex) = (&ev.events[y.1], &ev.events[x.1]);
            let age = |e: &crate::evidence::Event| {
                e.last_seen.or(e.first_seen).and_then(|w| match w {
                    When::Age(a) => Some(a),
                    When::Absolute(t) => newest.map(|n| (n - t).max(0) as u64),
                })
            };
            match (age(ey), age(ex)) {
                (Some(a), Some(b)) if a != b => a < b,
                _ => {
                    ey.provenance.input == ex.provenance.input
                        && matches!((ey.provenance.line, ex.provenance.line), (Some(ly), Some(lx)) if ly > lx)
                }
            }
        }
        (Source::Container, Source::Container) => y == x && restarts_stable(ev, y.1),
        (Source::Container, Source::Event) => restarts_stable(ev, y.1),
        (
            Source::Pod | Source::PodCondition | Source::NodeCondition | Source::Taint,
            Source::Event,
        ) => true,
        _ => false,
    }
}

/// False when another snapshot of the same container shows a different restart count.
fn restarts_stable(ev: &Evidence, i: usize) -> bool {
    let c = &ev.containers[i];
    ev.containers
        .iter()
        .filter(|o| o.name == c.name && o.pod == c.pod && o.kind == c.kind)
        .all(|o| o.restart_count == c.restart_count)
}

/// Seconds before the newest evidence of one item (events only).
fn item_age(ev: &Evidence, (s, i): ItemRef) -> Option<u64> {
    match s {
        Source::Event => {
            let e = &ev.events[i];
            e.last_seen.or(e.first_seen).and_then(|w| ev.age_of(w))
        }
        _ => None,
    }
}

struct ItemTime {
    text: String,
    age: Option<u64>,
}

/// When an item happened, as the input gave it.
fn item_time(ev: &Evidence, (s, i): ItemRef) -> Option<ItemTime> {
    match s {
        Source::Event => {
            let e = &ev.events[i];
            let w = e.last_seen.or(e.first_seen)?;
            let age = ev.age_of(w);
            let text = match w {
                When::Age(a) => format!("{} ago", ago(a)),
                When::Absolute(t) => chrono::DateTime::from_timestamp(t, 0)
                    .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_else(|| t.to_string()),
            };
            Some(ItemTime { text, age })
        }
        Source::Container => match &ev.containers[i].last_state {
            Some(ContainerState::Terminated {
                finished_at: Some(t),
                ..
            }) => Some(ItemTime {
                text: t.clone(),
                age: None,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// `4m`, `2m5s`, `3h10m`: an age the way kubectl prints it, without a zero tail.
fn ago(secs: u64) -> String {
    let s = crate::engine::short_duration(secs);
    match s.strip_suffix("0s") {
        Some(m) if m.ends_with('m') => m.to_string(),
        _ => s,
    }
}

/// One resolving item, quoted for the report.
fn quote(ev: &Evidence, (s, i): ItemRef) -> String {
    match s {
        Source::Event => {
            let e = &ev.events[i];
            let mut q = format!(
                "event {} {}: {}",
                e.type_.as_deref().unwrap_or("-"),
                e.reason.as_deref().unwrap_or("-"),
                e.message.trim()
            );
            if let Some(t) = item_time(ev, (s, i)) {
                q.push_str(&format!(" ({})", t.text));
            }
            q
        }
        Source::Container => {
            let c = &ev.containers[i];
            let state = match &c.state {
                Some(ContainerState::Running { started_at }) => match started_at {
                    Some(t) => format!("Running since {t}"),
                    None => "Running".to_string(),
                },
                Some(s) => s.name().to_string(),
                None => "state unknown".to_string(),
            };
            let mut q = format!("container {}: {state}", c.name);
            if c.ready == Some(true) {
                q.push_str(", ready");
            }
            if let Some(n) = c.restart_count {
                q.push_str(&format!(", restart count {n}"));
            }
            q
        }
        Source::Pod => format!(
            "pod {}: phase {}",
            ev.pods[i].name.as_deref().unwrap_or("(unnamed)"),
            ev.pods[i].phase.as_deref().unwrap_or("-")
        ),
        Source::PodCondition => {
            let c = &ev.pod_conditions[i];
            format!("pod condition {}={}", c.type_, c.status)
        }
        Source::NodeCondition => {
            let c = &ev.node_conditions[i];
            format!("node condition {}={}", c.type_, c.status)
        }
        Source::Taint => format!("taint {}", ev.taints[i].key),
        Source::Claim => format!(
            "persistentvolumeclaim {}: {}",
            ev.claims[i].name, ev.claims[i].status
        ),
        Source::Log => match message(ev, (s, i)) {
            Some(m) => m.line.trim().to_string(),
            None => ev.logs[i].text.clone(),
        },
    }
}

/// The message found in text that a canonical item stands for (`log` items past the log lines).
fn message(ev: &Evidence, (s, i): ItemRef) -> Option<&crate::evidence::TextMessage> {
    match s {
        Source::Log => i
            .checked_sub(ev.logs.len())
            .and_then(|k| ev.messages.get(k)),
        _ => None,
    }
}

/// An item as findings hold it: a message found in text is one `log` item (indexed past the log
/// lines) whichever source's leaf matched it (see `crate::engine`).
fn canonical(ev: &Evidence, (s, i): ItemRef) -> ItemRef {
    let real = match s {
        Source::Event => ev.events.len(),
        Source::Container => ev.containers.len(),
        _ => return (s, i),
    };
    match i.checked_sub(real) {
        Some(k) => (Source::Log, ev.logs.len() + k),
        None => (s, i),
    }
}

/// A `resolved_by` tree with the finding's captures filled in and each leaf's matching items found
/// once (so checking many failure items costs comparisons, not regex runs).
enum Compiled {
    All(Vec<Compiled>),
    Any(Vec<Compiled>),
    Not(Box<Compiled>),
    Leaf(Vec<ItemRef>),
}

impl Compiled {
    fn new(n: &MatchNode, caps: &BTreeMap<String, String>, ev: &Evidence) -> Compiled {
        match n {
            MatchNode::All(v) => {
                Compiled::All(v.iter().map(|c| Compiled::new(c, caps, ev)).collect())
            }
            MatchNode::Any(v) => {
                Compiled::Any(v.iter().map(|c| Compiled::new(c, caps, ev)).collect())
            }
            MatchNode::Not(c) => Compiled::Not(Box::new(Compiled::new(c, caps, ev))),
            MatchNode::Leaf(l) => {
                // Checked at load time with placeholders filled; an escaped value keeps it valid.
                // A pattern that somehow does not compile matches nothing.
                let fields: Vec<(&str, Option<Regex>)> = l
                    .fields
                    .iter()
                    .map(|(f, p)| {
                        (
                            f.as_str(),
                            Regex::new(&fill_template(&p.source, caps, ".*?")).ok(),
                        )
                    })
                    .collect();
                let mut items: Vec<ItemRef> = (0..source_len(ev, l.source))
                    .map(|i| (l.source, i))
                    .filter(|r| {
                        fields.iter().all(|(f, re)| {
                            re.as_ref().is_some_and(|re| {
                                field_values(ev, *r, f).iter().any(|v| re.is_match(v))
                            })
                        })
                    })
                    .map(|r| canonical(ev, r))
                    .collect();
                items.sort_unstable_by_key(|&(s, i)| (s as u8, i));
                items.dedup();
                Compiled::Leaf(items)
            }
        }
    }

    /// The items that make the tree match among the eligible ones, or `None` when it does not.
    fn eval(&self, eligible: &dyn Fn(ItemRef) -> bool) -> Option<Vec<ItemRef>> {
        match self {
            Compiled::Leaf(items) => {
                let items: Vec<ItemRef> = items.iter().copied().filter(|r| eligible(*r)).collect();
                (!items.is_empty()).then_some(items)
            }
            Compiled::All(children) => {
                let mut out = Vec::new();
                for c in children {
                    out.extend(c.eval(eligible)?);
                }
                Some(out)
            }
            Compiled::Any(children) => {
                let mut out: Option<Vec<ItemRef>> = None;
                for c in children {
                    if let Some(m) = c.eval(eligible) {
                        out.get_or_insert_with(Vec::new).extend(m);
                    }
                }
                out
            }
            Compiled::Not(c) => match c.eval(eligible) {
                Some(_) => None,
                None => Some(Vec::new()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ContainerKind, ContainerStatus, NodeCondition, PodInfo, Provenance};
    use crate::report::Diagnosis;
    use crate::rules::RuleSet;
    use std::sync::OnceLock;

    fn engine() -> &'static Engine {
        static E: OnceLock<Engine> = OnceLock::new();
        E.get_or_init(|| Engine::new(&RuleSet::builtin().expect("rules")).expect("engine"))
    }

    fn parse(text: &str) -> Evidence {
        let mut ev = Evidence::new();
        crate::parse::parse_reader("paste.txt", text.as_bytes(), engine(), &mut ev)
            .expect("parses");
        ev
    }

    fn run(ev: &Evidence) -> Diagnosis {
        crate::diagnose(engine(), ev, Vec::new())
    }

    fn find<'a>(d: &'a Diagnosis, id: &str) -> &'a Finding {
        d.findings
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("{id} did not fire: {:?}", ids(d)))
    }

    fn ids(d: &Diagnosis) -> Vec<(String, Severity)> {
        d.findings
            .iter()
            .map(|f| (f.id.clone(), f.severity))
            .collect()
    }

    /// `kubectl get events` output, columns aligned as kubectl aligns them.
    fn table(rows: &[[&str; 5]]) -> String {
        let head = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
        let w: Vec<usize> = (0..4)
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].len())
                    .chain([head[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |r: [&str; 5]| {
            format!(
                "{:<a$}   {:<b$}   {:<c$}   {:<d$}   {}\n",
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                a = w[0],
                b = w[1],
                c = w[2],
                d = w[3]
            )
        };
        let mut out = line(head);
        for r in rows {
            out.push_str(&line(*r));
        }
        out
    }

    const MOUNT: &str =
        "MountVolume.SetUp failed for volume \"config\" : configmap \"web-config\" not found";

    #[test]
    fn a_mount_failure_before_the_start_is_history_with_its_age() {
        let d = run(&parse(&table(&[
            ["4m", "Warning", "FailedMount", "pod/web-0", MOUNT],
            [
                "2m",
                "Normal",
                "Started",
                "pod/web-0",
                "Started container web",
            ],
        ])));
        let f = find(&d, "failed-mount");
        let h = f.history.as_ref().expect("history");
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(h.original_severity, Severity::Warning);
        assert_eq!(h.when.as_deref(), Some("4m ago"));
        assert_eq!(h.age_seconds, Some(240));
        assert!(h.resolved_by[0].contains("Started container web"), "{h:?}");
        assert!(d.top().is_none(), "no current failure: {:?}", ids(&d));
    }

    // Lines of free text are events the paste printed: a later one can show an earlier failure
    // over, and a table's event can be resolved by a line below it (this used to index the event
    // list with a message's number and panic).
    #[test]
    fn messages_in_free_text_resolve_and_are_resolved_by_what_follows() {
        let text = format!(
            "{}\nStarted container web\n",
            table(&[["5m", "Warning", "FailedMount", "pod/web-0", MOUNT]])
        );
        let d = run(&parse(&text));
        let f = find(&d, "failed-mount");
        assert!(f.history.is_some(), "{f:?}");
        assert_eq!(f.severity, Severity::Info);
        // Both lines free text (JupyterHub's spawn progress): the later assignment resolves it.
        let d = run(&parse(
            "2022-05-02T00:33:47Z [Warning] 0/3 nodes are available: 3 Insufficient cpu.\n\
             2022-05-02T00:33:59Z [Normal] Successfully assigned hub/nb-0 to node-1\n",
        ));
        let f = find(&d, "failed-scheduling");
        assert_eq!(f.severity, Severity::Info, "{f:?}");
        assert!(f
            .history
            .as_ref()
            .is_some_and(|h| h.resolved_by[0].contains("Successfully assigned")));
        // Above the failure, the same line resolves nothing.
        let d = run(&parse(
            "Successfully assigned hub/nb-0 to node-1\n0/3 nodes are available: 3 Insufficient cpu.\n",
        ));
        assert_eq!(find(&d, "failed-scheduling").severity, Severity::Warning);
    }

    #[test]
    fn many_resolvers_quote_the_first_three_in_order() {
        // Two failure items and eight later starts: each failure's resolvers are kept only in part
        // (RESOLVERS_KEPT), and the quotes are still the first three distinct ones.
        let msgs: Vec<String> = (0..8).map(|k| format!("Started container c{k}")).collect();
        let mut rows: Vec<[&str; 5]> = vec![
            ["10m", "Warning", "FailedMount", "pod/web-0", MOUNT],
            [
                "9m",
                "Warning",
                "FailedMount",
                "pod/web-0",
                "MountVolume.SetUp failed for volume \"other\" : configmap \"other\" not found",
            ],
        ];
        let ages = ["8m", "7m", "6m", "5m", "4m", "3m", "2m", "1m"];
        for (k, m) in msgs.iter().enumerate() {
            rows.push([ages[k], "Normal", "Started", "pod/web-0", m.as_str()]);
        }
        let d = run(&parse(&table(&rows)));
        let f = find(&d, "failed-mount");
        let h = f.history.as_ref().expect("history");
        assert_eq!(h.resolved_by.len(), RESOLVERS_QUOTED, "{h:?}");
        for (q, m) in h.resolved_by.iter().zip(&msgs) {
            assert!(q.contains(m.as_str()), "{h:?}");
        }
    }

    #[test]
    fn a_mount_failure_after_the_last_start_is_current() {
        let d = run(&parse(&table(&[
            [
                "9m",
                "Normal",
                "Started",
                "pod/web-0",
                "Started container web",
            ],
            ["40s", "Warning", "FailedMount", "pod/web-0", MOUNT],
        ])));
        let f = find(&d, "failed-mount");
        assert!(f.history.is_none());
        assert_eq!(f.severity, Severity::Warning);
    }

    #[test]
    fn equal_ages_are_ordered_by_the_lines_of_the_paste() {
        // Same age: the Started line below the FailedMount is later...
        let later = parse(&table(&[
            ["2m", "Warning", "FailedMount", "pod/web-0", MOUNT],
            [
                "2m",
                "Normal",
                "Started",
                "pod/web-0",
                "Started container web",
            ],
        ]));
        assert!(find(&run(&later), "failed-mount").history.is_some());
        // ...and above it, earlier.
        let earlier = parse(&table(&[
            [
                "2m",
                "Normal",
                "Started",
                "pod/web-0",
                "Started container web",
            ],
            ["2m", "Warning", "FailedMount", "pod/web-0", MOUNT],
        ]));
        assert!(find(&run(&earlier), "failed-mount").history.is_none());
    }

    fn oom_container(restarts: u32, ready: bool) -> ContainerStatus {
        ContainerStatus {
probes: Default::default(),
            pod: Some("shop/cache-0".into()),
            name: "cache".into(),
            kind: ContainerKind::Regular,
            image: Some("redis:7.2".into()),
            ready: Some(ready),
            restart_count: Some(restarts),
            state: Some(ContainerState::Running {
                started_at: Some("2024-04-01T11:32:07Z".into()),
            }),
            last_state: Some(ContainerState::Terminated {
                reason: Some("OOMKilled".into()),
                message: None,
                exit_code: Some(137),
                signal: None,
                finished_at: Some("2024-04-01T11:32:05Z".into()),
            }),
            provenance: Provenance::new("pod.yaml", Some(20), "yaml"),
        }
    }

    #[test]
    fn an_old_oom_kill_on_a_ready_container_is_history_but_a_rising_restart_count_is_not() {
        let mut ev = Evidence::new();
        ev.containers.push(oom_container(1, true));
        let d = run(&ev);
        let f = find(&d, "oom-killed");
        let h = f.history.as_ref().expect("history");
        assert_eq!(h.when.as_deref(), Some("2024-04-01T11:32:05Z"));
        assert_eq!(h.original_severity, Severity::Critical);

        // A second snapshot with a higher restart count: it is restarting, a current failure.
        ev.containers.push(oom_container(3, true));
        let d = run(&ev);
        assert_eq!(find(&d, "oom-killed").severity, Severity::Critical);
        assert!(find(&d, "oom-killed").history.is_none());

        // Not ready: not resolved either.
        let mut ev = Evidence::new();
        ev.containers.push(oom_container(1, false));
        assert!(find(&run(&ev), "oom-killed").history.is_none());
    }

    #[test]
    fn a_back_off_event_keeps_an_oom_kill_current() {
        let mut ev = parse(&table(&[[
            "4m",
            "Warning",
            "BackOff",
            "pod/cache-0",
            "Back-off restarting failed container cache in pod cache-0_shop(6f1d)",
        ]]));
        ev.containers.push(oom_container(1, true));
        let d = run(&ev);
        assert!(find(&d, "oom-killed").history.is_none());
        assert_eq!(d.top().map(|f| f.id.as_str()), Some("oom-killed"));
    }

    #[test]
    fn quiet_for_needs_the_failure_old_enough() {
        let paste = |backoff: &str, started: &str| {
            let mut ev = parse(&table(&[
                [
                    backoff,
                    "Warning",
                    "BackOff",
                    "pod/w-0",
                    "Back-off restarting failed container worker in pod w-0_jobs(0b1c)",
                ],
                [
                    started,
                    "Normal",
                    "Started",
                    "pod/w-0",
                    "Started container worker",
                ],
            ]));
            let mut c = oom_container(4, true);
            c.name = "worker".into();
            c.pod = None;
            c.last_state = Some(ContainerState::Terminated {
                reason: Some("Error".into()),
                message: None,
                exit_code: Some(1),
                signal: None,
                finished_at: None,
            });
            ev.containers.push(c);
            run(&ev)
        };
        let old = paste("35m", "33m");
        assert!(
            find(&old, "crash-loop-back-off").history.is_some(),
            "{:?}",
            ids(&old)
        );
        // Backed off 3 minutes ago: it may crash again; still current.
        let recent = paste("3m", "2m");
        assert!(find(&recent, "crash-loop-back-off").history.is_none());
    }

    #[test]
    fn history_never_ranks_above_a_current_failure() {
        let mut ev = parse(&table(&[
            ["9m", "Warning", "FailedMount", "pod/web-0", MOUNT],
            [
                "8m",
                "Normal",
                "Started",
                "pod/web-0",
                "Started container web",
            ],
            [
                "1m",
                "Warning",
                "BackOff",
                "pod/web-0",
                "Back-off restarting failed container web in pod web-0_shop(0f1e)",
            ],
        ]));
        ev.pods.push(PodInfo {
            name: Some("web-0".into()),
            namespace: Some("shop".into()),
            ..Default::default()
        });
        let d = run(&ev);
        let first_history = d.findings.iter().position(|f| !f.is_current());
        let last_current = d.findings.iter().rposition(|f| f.is_current());
        assert!(
            first_history.is_some() && last_current.is_some(),
            "{:?}",
            ids(&d)
        );
        assert!(last_current < first_history, "{:?}", ids(&d));
        assert_eq!(
            d.findings[0].id,
            "crash-loop-back-off",
            "{:?}",
            d.findings
                .iter()
                .map(|f| (&f.id, &f.history, &f.evidence))
                .collect::<Vec<_>>()
        );
    }

    fn subnet_node(ev: &mut Evidence) {
        ev.node_conditions.push(NodeCondition {
            node: Some("eklet-1".into()),
            type_: "NetworkUnavailable".into(),
            status: "True".into(),
            reason: Some("EKLetHasInsufficientSubnetIP".into()),
            message: Some(
                "eklet node has insufficient IP available of subnet subnet-bok73g4c".into(),
            ),
            ..Default::default()
        });
    }

    fn pod(phase: &str, node: Option<&str>) -> PodInfo {
        PodInfo {
            name: Some("p-0".into()),
            namespace: Some("shop".into()),
            phase: Some(phase.into()),
            node_name: node.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn a_node_cause_does_not_explain_a_container_that_has_run() {
        let mut ev = Evidence::new();
        subnet_node(&mut ev);
        ev.pods.push(pod("Running", Some("eklet-1")));
        let mut c = oom_container(5, false);
        c.state = Some(ContainerState::Waiting {
            reason: Some("CrashLoopBackOff".into()),
            message: None,
        });
        c.last_state = Some(ContainerState::Terminated {
            reason: Some("Error".into()),
            message: None,
            exit_code: Some(1),
            signal: None,
            finished_at: None,
        });
        ev.containers.push(c);
        let d = run(&ev);
        let subnet = find(&d, "node-subnet-ip-exhausted");
        let u = subnet.unrelated.as_ref().expect("unrelated");
        assert_eq!(u.affects, Affects::NotStarted);
        assert_eq!(u.original_severity, Severity::Critical);
        assert_eq!(subnet.severity, Severity::Info);
        assert_eq!(d.top().map(|f| f.id.as_str()), Some("crash-loop-back-off"));
        assert_eq!(
            d.findings[0].id,
            "crash-loop-back-off",
            "{:?}",
            d.findings
                .iter()
                .map(|f| (&f.id, &f.history, &f.evidence))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_node_cause_explains_a_pod_waiting_to_start() {
        let mut ev = Evidence::new();
        subnet_node(&mut ev);
        ev.pods.push(pod("Pending", Some("eklet-1")));
        let d = run(&ev);
        let subnet = find(&d, "node-subnet-ip-exhausted");
        assert!(subnet.unrelated.is_none());
        assert_eq!(
            d.top().map(|f| f.id.as_str()),
            Some("node-subnet-ip-exhausted")
        );
        // With nothing to say how far the pod got, node causes stay.
        let mut ev = Evidence::new();
        subnet_node(&mut ev);
        assert!(find(&run(&ev), "node-subnet-ip-exhausted")
            .unrelated
            .is_none());
    }

    #[test]
    fn for_an_unscheduled_pod_the_schedulers_message_decides() {
        let gpu = "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
        let taint = "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/network-unavailable: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
        let with = |msg: &str| {
            let mut ev = parse(&table(&[[
                "2m",
                "Warning",
                "FailedScheduling",
                "pod/p-0",
                msg,
            ]]));
            subnet_node(&mut ev);
            ev.pods.push(pod("Pending", None));
            run(&ev)
        };
        let d = with(gpu);
        assert!(find(&d, "node-subnet-ip-exhausted").unrelated.is_some());
        assert_eq!(
            d.top().map(|f| f.id.as_str()),
            Some("insufficient-nvidia-gpu")
        );
        let d = with(taint);
        assert!(find(&d, "node-subnet-ip-exhausted").unrelated.is_none());
        assert_eq!(
            d.top().map(|f| f.id.as_str()),
            Some("node-subnet-ip-exhausted")
        );
    }

    #[test]
    fn pod_stage_reads_how_far_the_pod_got() {
        let mut ev = Evidence::new();
        assert_eq!(pod_stage(&ev), Stage::Unknown);
        ev.pods.push(pod("Pending", None));
        assert_eq!(pod_stage(&ev), Stage::Unscheduled);
        ev.pods[0].node_name = Some("n1".into());
        assert_eq!(pod_stage(&ev), Stage::NotStarted);
        ev.containers.push(oom_container(0, false));
        assert_eq!(pod_stage(&ev), Stage::Started);
    }

    #[test]
    fn ages_print_like_kubectl() {
        assert_eq!(ago(240), "4m");
        assert_eq!(ago(125), "2m5s");
        assert_eq!(ago(40), "40s");
    }
}
