//! Events printed as text: every textual event format becomes [`Event`]s here.
//!
//! Owns three formats: column tables (`kubectl get events` in all its variants, `kubectl events`,
//! and the `Events:` table of `kubectl describe`, which shares [`EventTable`]), loose event lines
//! (`Warning  FailedSync  7m  kubelet, node  message`, as grep or vendor docs quote them), and cloud
//! console event tables (Huawei CCI, Chinese or English headers, tab or space separated). Rows are cut
//! by the header's column positions and fall back to whitespace splitting when misaligned.

use super::table::{tokens, Layout, Token};
use super::time::{console_time, parse_age, parse_age_cell, rfc1123, rfc3339};
use super::{Cx, Offer};
use crate::evidence::{Event, When};

/// What a column of an event table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Namespace,
    LastSeen,
    FirstSeen,
    Count,
    Name,
    Kind,
    SubObject,
    Type,
    Reason,
    Object,
    Source,
    Message,
    Other,
}

fn col_kind(title: &str) -> Col {
    match title {
        "NAMESPACE" => Col::Namespace,
        // `TIME`: the event table of kubectl 0.x (2015): `Time From SubobjectPath Reason Message`.
        "LAST SEEN" | "LASTSEEN" | "AGE" | "TIME" => Col::LastSeen,
        "FIRST SEEN" | "FIRSTSEEN" => Col::FirstSeen,
        "COUNT" => Col::Count,
        "NAME" => Col::Name,
        "KIND" => Col::Kind,
        "SUBOBJECT" | "SUBOBJECTPATH" => Col::SubObject,
        "TYPE" => Col::Type,
        "REASON" => Col::Reason,
        "OBJECT" => Col::Object,
        "SOURCE" | "FROM" => Col::Source,
        "MESSAGE" => Col::Message,
        _ => Col::Other,
    }
}

/// An event table's layout, from its header line.
#[derive(Debug, Clone)]
pub struct EventTable {
    layout: Layout,
    kinds: Vec<Col>,
}

/// Cheap check before building a layout: does this line start like an event table header?
pub fn looks_like_header(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("LAST SEEN")
        || t.starts_with("LASTSEEN")
        || t.starts_with("FirstSeen")
        || t.starts_with("FIRSTSEEN")
        || t.starts_with("FIRST SEEN")
        || t.starts_with("NAMESPACE ")
        || t.starts_with("NAMESPACE\t")
        || t.starts_with("Type ")
        || t.starts_with("Type\t")
        || t.starts_with("TYPE ")
        || t.starts_with("LastSeen")
        || t.starts_with("Time\t")
        || t.starts_with("Time  ")
}

impl EventTable {
    /// A header with at least TYPE, REASON and MESSAGE columns.
    pub fn from_header(line: &str) -> Option<EventTable> {
        if !looks_like_header(line) {
            return None;
        }
        let layout = Layout::from_header(line);
        let kinds: Vec<Col> = layout.titles().map(col_kind).collect();
        let has = |k: Col| kinds.contains(&k);
        // Very old layouts have no TYPE column: the type is then inferred from the reason.
        if !(has(Col::Reason) && has(Col::Message)) {
            return None;
        }
        if !(has(Col::LastSeen) || has(Col::Object) || has(Col::Source)) {
            return None;
        }
        Some(EventTable { layout, kinds })
    }

    /// One row; `None` when the line is not a row of this table. Provenance is left empty.
    pub fn row(&self, line: &str) -> Option<Event> {
        // Old kubectl separated columns with tabs: positions do not line up, tokens do.
        if memchr::memchr(b'\t', line.as_bytes()).is_none() {
            if let Some(cells) = self.layout.cut(line) {
                let cells = self.kinds.iter().copied().zip(cells.iter().copied());
                if let Some(e) = build_event(cells, true) {
                    return Some(e);
                }
            }
        }
        let cells = walk(&self.kinds, line)?;
        build_event(cells.iter().copied(), false)
    }
}

/// True for a `----   ------` separator row.
pub fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("---") && t.bytes().all(|b| b == b'-' || b == b' ' || b == b'\t')
}

/// Splits a row into cells by kind, on whitespace: the fallback for misaligned rows. Columns after
/// MESSAGE (`-o wide`: FIRST SEEN, COUNT, NAME) are taken from the end of the line.
fn walk<'a>(kinds: &[Col], line: &'a str) -> Option<Vec<(Col, &'a str)>> {
    walk_tokens(kinds, line, &tokens(line))
}

/// [`walk`] over tokens already cut.
fn walk_tokens<'a>(
    kinds: &[Col],
    line: &'a str,
    toks: &[Token<'a>],
) -> Option<Vec<(Col, &'a str)>> {
    let msg = kinds.iter().position(|&k| k == Col::Message)?;
    let (head, tail) = kinds.split_at(msg);
    let tail = tail.get(1..).unwrap_or(&[]);
    let mut hi = toks.len();
    let mut tail_cells: Vec<(Col, &str)> = Vec::new();
    for &k in tail.iter().rev() {
        if hi == 0 {
            return None;
        }
        let t = toks[hi - 1].text;
        match k {
            Col::FirstSeen | Col::LastSeen => {
                parse_age(t)?;
            }
            Col::Count => {
                t.parse::<u32>().ok()?;
            }
            // `{kubelet node-1}`, `{daemon-set }` as the last column: back to its opening brace.
            Col::Source if t.ends_with('}') && !t.starts_with('{') => {
                let first = toks[..hi].iter().rposition(|t| t.text.starts_with('{'))?;
                tail_cells.push((k, line.get(toks[first].start..toks[hi - 1].end)?));
                hi = first;
                continue;
            }
            _ => {}
        }
        tail_cells.push((k, t));
        hi -= 1;
    }
    tail_cells.reverse();
    let span = |a: &Token, b: &Token| line.get(a.start..b.end).unwrap_or("");
    let mut i = 0;
    let mut cells: Vec<(Col, &str)> = Vec::new();
    for &k in head {
        match k {
            Col::LastSeen | Col::FirstSeen => {
                let first = toks.get(i).filter(|_| i < hi)?;
                if let Some(used) = absolute_time_tokens(line, &toks[i..hi]) {
                    cells.push((k, span(first, &toks[i + used - 1])));
                    i += used;
                    continue;
                }
                // A timestamp or a clock time alone (see `build_event`).
                if is_clock(first.text) || first.text.as_bytes().get(10) == Some(&b'T') {
                    cells.push((k, first.text));
                    i += 1;
                    continue;
                }
                parse_age(first.text)?;
                let mut last = first;
                i += 1;
                if i < hi && toks[i].text.starts_with("(x") {
                    while i < hi {
                        last = &toks[i];
                        i += 1;
                        if last.text.ends_with(')') {
                            break;
                        }
                    }
                }
                cells.push((k, span(first, last)));
            }
            Col::SubObject => {
                let t = toks.get(i).filter(|_| i < hi)?;
                if t.text.contains('{') || t.text.starts_with("spec.") {
                    cells.push((k, t.text));
                    i += 1;
                } else if t.text == "implicitly" && line.contains('\t') {
                    // kubelet of 2015 named the pod's infra container `implicitly required
                    // container POD`: the cell runs to the next tab.
                    let first = t;
                    let mut last = t;
                    i += 1;
                    while i < hi && !line[last.end..toks[i].start].contains('\t') {
                        last = &toks[i];
                        i += 1;
                    }
                    cells.push((k, span(first, last)));
                } else {
                    cells.push((k, ""));
                }
            }
            Col::Source => {
                let first = toks.get(i).filter(|_| i < hi)?;
                let mut last = first;
                i += 1;
                if first.text.starts_with('{') && !first.text.ends_with('}') {
                    // `{kubelet node-1}`, `{default-scheduler }` (kubectl <= 1.5)
                    while i < hi {
                        last = &toks[i];
                        i += 1;
                        if last.text.ends_with('}') {
                            break;
                        }
                    }
                } else if first.text.ends_with(',') && i < hi {
                    last = &toks[i];
                    i += 1;
                }
                cells.push((k, span(first, last)));
            }
            _ => {
                let t = toks.get(i).filter(|_| i < hi)?;
                cells.push((k, t.text));
                i += 1;
            }
        }
    }
    let message = if i < hi {
        span(&toks[i], &toks[hi - 1])
    } else {
        ""
    };
    cells.push((Col::Message, message));
    cells.extend(tail_cells);
    Some(cells)
}

/// How many tokens an absolute time at the start of `toks` spans: old kubectl printed event times
/// as RFC 1123 dates (`Thu, 12 Feb 2015 18:34:09 +0000`), six tokens.
fn absolute_time_tokens(line: &str, toks: &[Token]) -> Option<usize> {
    let first = toks.first()?;
    // Go's default time format, as `oc get events` of 2017 printed it:
    // `2017-06-12 12:08:10 +0530 IST` (the zone name is optional).
    if go_time(
        first.text,
        toks.get(1).map(|t| t.text),
        toks.get(2).map(|t| t.text),
    ) {
        let named = toks
            .get(3)
            .is_some_and(|t| t.text.len() <= 5 && t.text.bytes().all(|b| b.is_ascii_uppercase()));
        return Some(if named { 4 } else { 3 });
    }
    let day = first.text.strip_suffix(',')?;
    if !matches!(day, "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun") || toks.len() < 6 {
        return None;
    }
    let text = line.get(first.start..toks[5].end)?;
    rfc1123(text).map(|_| 6)
}

/// `2017-06-12`, `12:08:10` and `+0530`: Go's `time.Time` string.
fn go_time(date: &str, time: Option<&str>, zone: Option<&str>) -> bool {
    let d = date.as_bytes();
    let ok_date = d.len() == 10
        && d[4] == b'-'
        && d[7] == b'-'
        && d.iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    let ok_time = time.is_some_and(|t| {
        let t = t.as_bytes();
        t.len() >= 8 && t[2] == b':' && t[5] == b':' && t[..2].iter().all(u8::is_ascii_digit)
    });
    let ok_zone = zone.is_some_and(|z| {
        z.len() == 5
            && (z.starts_with('+') || z.starts_with('-'))
            && z[1..].bytes().all(|b| b.is_ascii_digit())
    });
    ok_date && ok_time && ok_zone
}

/// Go's `time.Time` string (`2017-06-12 12:08:10 +0530 IST`) as a time.
fn go_time_when(v: &str) -> Option<When> {
    let mut w = v.split_whitespace();
    let (date, time, zone) = (w.next()?, w.next()?, w.next()?);
    let time = time.split('.').next()?;
    chrono::DateTime::parse_from_str(&format!("{date} {time} {zone}"), "%Y-%m-%d %H:%M:%S %z")
        .ok()
        .map(|d| When::Absolute(d.timestamp()))
}

/// A time a tool or a timestamper put before an event row: syslog's `Jan 22 14:23:28`, a clock
/// `3:05:26 PM` (the Kubernetes dashboard). The row after it.
pub fn strip_row_time(line: &str) -> &str {
    let t = line.trim_start();
    let mut w = t.splitn(4, ' ').filter(|x| !x.is_empty());
    let first = w.next().unwrap_or("");
    let clock = |x: &str| {
        let b = x.as_bytes();
        (b.len() == 7 || b.len() == 8)
            && x.matches(':').count() == 2
            && x.bytes().all(|c| c.is_ascii_digit() || c == b':')
    };
    if matches!(
        first,
        "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "May"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Oct"
            | "Nov"
            | "Dec"
    ) {
        let rest = t[3..].trim_start();
        if let Some((day, r)) = rest.split_once(' ') {
            if day.len() <= 2 && day.bytes().all(|c| c.is_ascii_digit()) {
                if let Some((time, r)) = r.trim_start().split_once(' ') {
                    if clock(time) {
                        return r;
                    }
                }
            }
        }
    }
    if clock(first) {
        let r = t[first.len()..].trim_start();
        return r
            .strip_prefix("AM ")
            .or_else(|| r.strip_prefix("PM "))
            .unwrap_or(r);
    }
    line
}

/// `Warning` / `Normal`.
fn is_type(s: &str) -> bool {
    s == "Warning" || s == "Normal"
}

/// Builds an event from cut cells; `None` when the cells do not make an event. `strict` rejects
/// cells that a misaligned cut would produce (spaces inside single-word columns).
fn build_event<'a>(
    cells: impl Iterator<Item = (Col, &'a str)> + Clone,
    strict: bool,
) -> Option<Event> {
    let mut e = Event::default();
    let mut kind_col: Option<&str> = None;
    let mut name_col: Option<&str> = None;
    for (k, v) in cells.clone() {
        // Asked of the short cells only (not of the message).
        let single = || !v.contains(char::is_whitespace);
        match k {
            Col::Type => {
                if !is_type(v) {
                    return None;
                }
                e.type_ = Some(v.to_string());
            }
            Col::Reason => {
                if v.is_empty() || !single() {
                    return None;
                }
                e.reason = Some(v.to_string());
            }
            Col::Message => {
                // kubectl >= 1.35 starts describe messages with the field path.
                let v = match super::text::field_path(v) {
                    Some((_, m)) => m,
                    None => v,
                };
                // The event aggregator's mark on a message standing for several similar events.
                let v = v
                    .strip_prefix("(combined from similar events): ")
                    .unwrap_or(v);
                // kubectl 0.x printed a column it had no value for as `%!v(MISSING)`.
                let mut v = v;
                while let Some(r) = v.strip_suffix("%!v(MISSING)") {
                    v = r;
                }
                let v = v.trim_end();
                e.message = v.to_string()
            }
            // `kubectl get events -o custom-columns=LASTSEEN:.lastTimestamp,...` prints the
            // timestamp itself (`2016-07-05T22:55:21Z`); a table retyped by hand may keep only its
            // clock time (`22:55:21Z`), which dates nothing.
            Col::LastSeen | Col::FirstSeen if v.len() > 10 && v.as_bytes()[10] == b'T' => {
                let w = Some(rfc3339(v)?);
                if k == Col::LastSeen {
                    e.last_seen = w;
                } else {
                    e.first_seen = w;
                }
            }
            Col::LastSeen | Col::FirstSeen if is_clock(v) => {}
            Col::LastSeen if v.contains(',') => e.last_seen = Some(rfc1123(v)?),
            Col::FirstSeen if v.contains(',') => e.first_seen = Some(rfc1123(v)?),
            Col::LastSeen if v.contains(' ') && v.contains(':') && !v.contains('(') => {
                e.last_seen = Some(go_time_when(v)?)
            }
            Col::FirstSeen if v.contains(' ') && v.contains(':') => {
                e.first_seen = Some(go_time_when(v)?)
            }
            Col::LastSeen => {
                let c = parse_age_cell(v)?;
                e.last_seen = c.last;
                if c.count.is_some() {
                    e.count = c.count;
                    e.first_seen = c.first;
                }
            }
            Col::FirstSeen => {
                if !v.is_empty() {
                    e.first_seen = parse_age_cell(v)?.last;
                }
            }
            Col::Count => {
                if !v.is_empty() {
                    e.count = Some(v.parse().ok()?);
                }
            }
            Col::Object => {
                if strict && !single() {
                    return None;
                }
                if let Some((kind, name)) = v.split_once('/') {
                    e.object_kind = Some(kind_name(kind));
                    e.object_name = Some(name.to_string());
                } else if !v.is_empty() {
                    e.object_name = Some(v.to_string());
                }
            }
            Col::Kind => kind_col = Some(v),
            Col::Name => name_col = Some(v),
            Col::Source => {
                let v = v.trim_start_matches('{').trim_end_matches('}').trim();
                let src = v.split([',', ' ']).next().unwrap_or("").trim();
                if strict && src.contains(char::is_whitespace) {
                    return None;
                }
                if !src.is_empty() && src != "<none>" {
                    e.source = Some(src.to_string());
                }
            }
            Col::Namespace | Col::SubObject | Col::Other => {
                if strict && !single() {
                    return None;
                }
            }
        }
    }
    // Old `kubectl get events` had KIND and NAME columns for the involved object; in `-o wide`
    // NAME is the event's own name and there is no KIND column.
    if let Some(k) = kind_col.filter(|k| !k.is_empty()) {
        e.object_kind = Some(kind_name(k));
        if let Some(n) = name_col.filter(|n| !n.is_empty()) {
            e.object_name = Some(n.to_string());
        }
    }
    if e.type_.is_none() && !cells.clone().any(|(k, _)| k == Col::Type) {
        // A layout without TYPE (kubectl <= 1.5). Before 1.0 reasons were lower camel case
        // (`failedScheduling`, `failedSync`): the same reasons, capitalised since.
        let r = e.reason.as_mut()?;
        if r.starts_with(|c: char| c.is_ascii_lowercase())
            && r.chars().all(|c| c.is_ascii_alphanumeric())
        {
            r[..1].make_ascii_uppercase();
        }
        e.type_ = Some(type_of_reason(r).to_string());
    }
    e.type_.as_ref()?;
    Some(e)
}

/// A clock time alone: `22:55:21`, `22:55:21Z`.
fn is_clock(v: &str) -> bool {
    let t = v.strip_suffix('Z').unwrap_or(v).as_bytes();
    t.len() == 8
        && t[2] == b':'
        && t[5] == b':'
        && t.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
}

/// The type of an event whose layout has no TYPE column, from its reason.
pub fn type_of_reason(reason: &str) -> &'static str {
    match reason {
        "Scheduled"
        | "Pulling"
        | "Pulled"
        | "Created"
        | "Started"
        | "Killing"
        | "Killed"
        | "SuccessfulCreate"
        | "SuccessfulDelete"
        | "ScalingReplicaSet"
        | "SuccessfulMountVolume"
        | "SuccessfulAttachVolume"
        | "NodeReady"
        | "NodeHasSufficientMemory"
        | "NodeHasNoDiskPressure"
        | "NodeHasSufficientPID"
        | "NodeHasSufficientDisk"
        | "Starting"
        | "RegisteredNode"
        | "NodeAllocatableEnforced"
        | "Completed"
        | "SandboxChanged"
        | "TaintManagerEviction"
        | "LeaderElection"
        | "Sync"
        | "ProvisioningSucceeded"
        | "ExternalProvisioning"
        | "Provisioning"
        | "Preempted"
        | "NodeSchedulable"
        | "AddedInterface"
        | "SuccessfulRescale"
        | "Scheduling" => "Normal",
        _ => "Warning",
    }
}

/// `pod` → `Pod`, `replicaset.apps` → `ReplicaSet`, others capitalised.
pub fn kind_name(kind: &str) -> String {
    let k = kind.split('.').next().unwrap_or(kind);
    // Lowercased on the stack (every event row has a kind): no name below is longer.
    let mut buf = [0u8; 24];
    let lower = buf.get_mut(..k.len()).map(|b| {
        b.copy_from_slice(k.as_bytes());
        b.make_ascii_lowercase();
        &*b
    });
    let known = match lower
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
    {
        "pod" | "pods" | "po" => "Pod",
        "node" | "nodes" | "no" => "Node",
        "replicaset" | "rs" => "ReplicaSet",
        "deployment" | "deploy" => "Deployment",
        "statefulset" | "sts" => "StatefulSet",
        "daemonset" | "ds" => "DaemonSet",
        "job" => "Job",
        "cronjob" | "cj" => "CronJob",
        "persistentvolumeclaim" | "pvc" => "PersistentVolumeClaim",
        "persistentvolume" | "pv" => "PersistentVolume",
        "service" | "svc" => "Service",
        "horizontalpodautoscaler" | "hpa" => "HorizontalPodAutoscaler",
        "endpoints" => "Endpoints",
        "namespace" | "ns" => "Namespace",
        "configmap" | "cm" => "ConfigMap",
        "ingress" => "Ingress",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let mut c = k.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Layouts of event rows pasted without their header, most columns first. The first one whose cells
/// all make sense wins.
const ROW_LAYOUTS: [&[Col]; 12] = [
    // `kubectl get events` of kubectl <= 1.13 (and `-A`)
    &[
        Col::Namespace,
        Col::LastSeen,
        Col::FirstSeen,
        Col::Count,
        Col::Name,
        Col::Kind,
        Col::SubObject,
        Col::Type,
        Col::Reason,
        Col::Source,
        Col::Message,
    ],
    &[
        Col::LastSeen,
        Col::FirstSeen,
        Col::Count,
        Col::Name,
        Col::Kind,
        Col::SubObject,
        Col::Type,
        Col::Reason,
        Col::Source,
        Col::Message,
    ],
    // ... without TYPE (kubectl <= 1.5)
    &[
        Col::LastSeen,
        Col::FirstSeen,
        Col::Count,
        Col::Name,
        Col::Kind,
        Col::SubObject,
        Col::Reason,
        Col::Source,
        Col::Message,
    ],
    // describe of kubectl <= 1.9: FirstSeen LastSeen Count From SubObjectPath Type Reason Message
    &[
        Col::FirstSeen,
        Col::LastSeen,
        Col::Count,
        Col::Source,
        Col::SubObject,
        Col::Type,
        Col::Reason,
        Col::Message,
    ],
    // ... without Type (kubectl <= 1.5)
    &[
        Col::FirstSeen,
        Col::LastSeen,
        Col::Count,
        Col::Source,
        Col::SubObject,
        Col::Reason,
        Col::Message,
    ],
    // `kubectl get events -o wide` (and `-A -o wide`): LAST SEEN TYPE REASON OBJECT SUBOBJECT
    // SOURCE MESSAGE FIRST SEEN COUNT NAME (SUBOBJECT empty for pod-level events; NAME is the
    // event's own name).
    &[
        Col::Namespace,
        Col::LastSeen,
        Col::Type,
        Col::Reason,
        Col::Object,
        Col::SubObject,
        Col::Source,
        Col::Message,
        Col::FirstSeen,
        Col::Count,
        Col::Name,
    ],
    &[
        Col::LastSeen,
        Col::Type,
        Col::Reason,
        Col::Object,
        Col::SubObject,
        Col::Source,
        Col::Message,
        Col::FirstSeen,
        Col::Count,
        Col::Name,
    ],
    // `kubectl get events -A`: NAMESPACE LAST SEEN TYPE REASON OBJECT MESSAGE
    &[
        Col::Namespace,
        Col::LastSeen,
        Col::Type,
        Col::Reason,
        Col::Object,
        Col::Message,
    ],
    // `kubectl get events` / `kubectl events`: LAST SEEN TYPE REASON OBJECT MESSAGE
    &[
        Col::LastSeen,
        Col::Type,
        Col::Reason,
        Col::Object,
        Col::Message,
    ],
    // describe: Type Reason Age From Message
    &[
        Col::Type,
        Col::Reason,
        Col::LastSeen,
        Col::Source,
        Col::Message,
    ],
    // describe without From (`kubectl describe` of some vendors' consoles)
    &[Col::Type, Col::Reason, Col::LastSeen, Col::Message],
    // describe without Age (a page or an excerpt dropped it): `Warning  Failed  kubelet  Error:
    // ErrImagePull`; the source must be a component that reports events (see [`known_source`]).
    &[Col::Type, Col::Reason, Col::Source, Col::Message],
];

/// A component that reports events, by the name events carry in `source.component` /
/// `reportingController`: kubelet (`kubelet, node-1` before 1.14), the scheduler, the
/// controller-manager's controllers (`job-controller`, `attachdetach-controller`, ...) and the
/// cloud and CSI components named `...-controller` / `...-provisioner`.
fn known_source(s: &str) -> bool {
    let s = s.trim_end_matches(',');
    matches!(
        s,
        "kubelet"
            | "default-scheduler"
            | "kube-scheduler"
            | "scheduler"
            | "eklet"
            | "cluster-autoscaler"
            | "karpenter"
            | "taint-controller"
            | "kube-controller-manager"
    ) || s.ends_with("-controller")
        || s.ends_with("-provisioner")
        || s.ends_with("-scheduler")
        || s.starts_with("kubelet,")
}

fn is_reason(s: &str) -> bool {
    s.len() >= 3
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Do the cells of a headerless row make sense for their columns?
fn plausible(cells: &[(Col, &str)]) -> bool {
    // Layouts without TYPE are those of kubectl <= 1.5, whose first reasons were lower camel case.
    let typed = cells.iter().any(|(k, _)| *k == Col::Type);
    cells.iter().all(|&(k, v)| match k {
        Col::Reason if !typed && v.starts_with(|c: char| c.is_ascii_lowercase()) => {
            v.len() >= 3 && v.chars().all(|c| c.is_ascii_alphanumeric())
        }
        Col::Reason => is_reason(v),
        Col::Type => is_type(v),
        Col::Object => v.split_once('/').is_some_and(|(kind, name)| {
            !kind.is_empty()
                && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
                && !name.is_empty()
        }),
        Col::Kind => v.starts_with(|c: char| c.is_ascii_uppercase()) && is_reason(v),
        Col::Namespace | Col::Name => {
            !v.is_empty()
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        }
        Col::Source => {
            let s = v.trim_start_matches('{');
            !s.is_empty()
                && !s.starts_with(|c: char| c.is_ascii_uppercase())
                && s.split([',', ' ', '}']).next().is_some_and(|w| {
                    w.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'/')
                    })
                })
        }
        Col::Message => !v.is_empty(),
        _ => true,
    })
}

/// A loose event row without its header, in any layout kubectl has printed: `Warning  FailedSync
/// 7m  kubelet, node  message`, `5m  Warning  BackOff  pod/web-0  message`, `1m  1m  1  {kubelet
/// node-1}  spec.containers{app}  Warning  Unhealthy  message`, ...
pub fn parse_event_line(line: &str) -> Option<Event> {
    let line = strip_row_time(line);
    // A row quoted in prose: `" Warning  FailedScheduling  61s ... message."`.
    let line = line
        .trim()
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .filter(|l| l.starts_with(' ') || l.starts_with("Warning") || l.starts_with("Normal"))
        .unwrap_or(line);
    let t = line.trim_start();
    let first = t.split_whitespace().next()?;
    // Cheap gate: rows start with a type, an age, a namespace followed by an age, or a date
    // (`Wed, 01 Jul 2015 ...`, `2017-06-12 12:08:10 +0530 IST`).
    if !(first == "Warning"
        || first == "Normal"
        || parse_age(first).is_some()
        || matches!(
            first,
            "Mon," | "Tue," | "Wed," | "Thu," | "Fri," | "Sat," | "Sun,"
        )
        || first
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    {
        return None;
    }
    // A row whose message went to the next line (a narrow terminal or a runbook's formatting:
    // `Warning  ProvisioningFailed  90s  persistentvolume-controller`, the message indented
    // below): read with an empty message, which the next lines continue.
    if line
        .split_whitespace()
        .last()
        .is_some_and(|t| known_source(t) && !t.ends_with(','))
    {
        let mut e = parse_event_line(&format!("{line}  -"))?;
        if e.message != "-" {
            return None;
        }
        e.message.clear();
        return Some(e);
    }
    let toks = tokens(line);
    if toks.len() < 3 {
        return None;
    }
    for layout in ROW_LAYOUTS {
        if toks.len() < layout.len() {
            continue;
        }
        let Some(cells) = walk_tokens(layout, line, &toks) else {
            continue;
        };
        if !plausible(&cells) {
            continue;
        }
        let Some(e) = build_event(cells.iter().copied(), false) else {
            continue;
        };
        if e.message.is_empty() {
            continue;
        }
        if layout[0] == Col::Type && layout.contains(&Col::Source) && e.source.is_none() {
            continue;
        }
        if !layout.contains(&Col::LastSeen)
            && !cells
                .iter()
                .any(|&(k, v)| k == Col::Source && known_source(v))
        {
            continue;
        }
        return Some(e);
    }
    None
}

/// Appends a line that continues the message of the last event (a message kubectl printed over
/// several lines, or a terminal wrapped). `prev_len` is the length of the line before: a long one
/// was probably cut by the terminal, so the pieces join without a line break.
pub fn continue_message(e: &mut Event, prev_len: usize, line: &str) {
    if e.message.len() + line.len() > 64 * 1024 {
        return;
    }
    if e.message.is_empty() {
        e.message.push_str(line.trim());
        return;
    }
    // A list the terminal broke after its `:` or `,` (`0/2 nodes are available:` / `2
    // Insufficient memory.`): the space the break took is put back.
    if e.message.ends_with([':', ',']) {
        e.message.push(' ');
        e.message.push_str(line.trim_start());
    } else if prev_len >= 70 && !line.starts_with([' ', '\t']) {
        e.message.push_str(line);
    } else {
        e.message.push('\n');
        e.message.push_str(line);
    }
}

/// Whether a line that is not an event row may continue the last message (`last`): not blank, not
/// the start of something else, and the message did not end a sentence.
pub fn may_continue_after(last: &str, line: &str) -> bool {
    !last.trim_end().ends_with('.') && may_continue(line)
}

/// Whether a line that is not an event row may continue a message: not blank, not the start of
/// something else.
pub fn may_continue(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && super::logs::prompt(line).is_none()
        && !shell_prompt(t)
        && !klog_start(t)
        && !super::describe::is_start(line)
        && !super::objects::yaml_start(line, true)
        && !looks_like_header(line)
        && super::listing::header(line).is_none()
        && parse_event_line(line).is_none()
        && super::listing::headerless(line).is_none()
}

/// A shell prompt before any command (`$ ssh node-3`, `node-3$ sudo crictl pull ...`,
/// `[root@master ~]# journalctl -u kubelet`, `PS C:\> kubectl ...`): the paste moved on to
/// another command, so no message continues over it.
pub fn shell_prompt(t: &str) -> bool {
    if t.starts_with("$ ") || t.starts_with("PS ") && t.contains("> ") {
        return true;
    }
    // `user@host:~/dir$ `, `host$ `, `[user@host dir]# `: one word (or one bracketed group) then
    // the prompt character and a command.
    let head_end = if t.starts_with('[') {
        match t.find(']') {
            Some(i) if i < 80 => i + 1,
            _ => return false,
        }
    } else {
        t.find(|c: char| c.is_whitespace() || matches!(c, '$' | '#' | '%'))
            .unwrap_or(t.len())
    };
    let head = &t[..head_end];
    if head.is_empty() || head.len() > 64 {
        return false;
    }
    // a prompt's word is a host, user@host or path: no `=`, quotes or `:` followed by a space
    if head.contains(['=', '"', '\'', '(', ')']) {
        return false;
    }
    let rest = &t[head_end..];
    matches!(rest.as_bytes(), [b'$' | b'#' | b'%', b' ', c, ..] if c.is_ascii_alphabetic())
}

/// The start of a klog line (`E0609 ...`, `I1123 10:00:00.000000 ...`), header cut or not.
fn klog_start(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() > 6
        && matches!(b[0], b'I' | b'W' | b'E' | b'F')
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b' '
}

/// One field of an event printed one per line (`Type: Warning` / `Reason  FailedScheduling` /
/// `Message: 0/3 nodes ...`), as a web page, a dashboard's event detail (Lens, Headlamp, the
/// OpenShift console) or a Markdown definition list renders an event: the field and its value.
pub fn event_field(line: &str) -> Option<(EventField, &str)> {
    let t = line.trim();
    let (key, rest) = FIELD_NAMES
        .iter()
        .filter_map(|(name, f)| {
            let r = t.strip_prefix(name)?;
            let r = r.strip_prefix(':').unwrap_or(r);
            (r.starts_with([' ', '\t']) || (r.is_empty() && t.ends_with(':'))).then_some((*f, r))
        })
        .next()?;
    Some((key, rest.trim()))
}

/// The fields [`event_field`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventField {
    Type,
    Reason,
    Age,
    FirstSeen,
    Source,
    Count,
    Object,
    Message,
}

/// Longest first, so that `Last Seen` is not read as another field.
const FIELD_NAMES: [(&str, EventField); 14] = [
    ("Reporting Controller", EventField::Source),
    ("Reporting Component", EventField::Source),
    ("Involved Object", EventField::Object),
    ("First Seen", EventField::FirstSeen),
    ("Last Seen", EventField::Age),
    ("Message", EventField::Message),
    ("Object", EventField::Object),
    ("Reason", EventField::Reason),
    ("Source", EventField::Source),
    ("Count", EventField::Count),
    ("Type", EventField::Type),
    ("From", EventField::Source),
    ("Age", EventField::Age),
    ("Note", EventField::Message),
];

/// Whether `line` starts an event printed one field per line: `Type Warning` / `Type: Normal`.
pub fn fields_start(line: &str) -> bool {
    matches!(event_field(line), Some((EventField::Type, v)) if is_type(v))
}

/// An event printed one field per line; pushed when it ends, if it has a reason and a message.
pub struct FieldsState {
    pub seg: usize,
    event: Event,
    first: u64,
    in_message: bool,
    cont: usize,
}

impl FieldsState {
    pub fn new(seg: usize, n: u64, line: &str) -> Self {
        let mut event = Event::default();
        if let Some((_, v)) = event_field(line) {
            event.type_ = Some(v.to_string());
        }
        FieldsState {
            seg,
            event,
            first: n,
            in_message: false,
            cont: 0,
        }
    }

    pub fn offer(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if line.trim().is_empty() {
            return Offer::Done;
        }
        // The next event starts.
        if fields_start(line) {
            self.finish(cx);
            *self = FieldsState::new(self.seg, n, line);
            cx.touch(self.seg, n);
            return Offer::Taken;
        }
        let e = &mut self.event;
        match event_field(line) {
            Some((f, v)) => {
                self.in_message = false;
                match f {
                    EventField::Type => {}
                    EventField::Reason if is_reason(v) => e.reason = Some(v.to_string()),
                    EventField::Reason => return Offer::Rejected,
                    EventField::Age => {
                        if let Some(c) = parse_age_cell(v) {
                            e.last_seen = c.last;
                            e.first_seen = c.first.or(e.first_seen);
                            e.count = c.count.or(e.count);
                        }
                    }
                    EventField::FirstSeen => {
                        e.first_seen = parse_age_cell(v).and_then(|c| c.last);
                    }
                    EventField::Source => {
                        let s = v.split([',', ' ']).next().unwrap_or("");
                        e.source = (!s.is_empty()).then(|| s.to_string());
                    }
                    EventField::Count => e.count = v.parse().ok(),
                    EventField::Object => {
                        if let Some((kind, name)) = v.split_once('/') {
                            e.object_kind = Some(kind_name(kind));
                            e.object_name = Some(name.to_string());
                        }
                    }
                    EventField::Message => {
                        e.message = v.to_string();
                        self.in_message = true;
                        self.cont = 0;
                    }
                }
            }
            // The message continues (a long one wrapped).
            None if self.in_message && self.cont < MAX_CONTINUATION && may_continue(line) => {
                continue_message(e, 0, line.trim());
                self.cont += 1;
            }
            None => return Offer::Rejected,
        }
        cx.touch(self.seg, n);
        Offer::Taken
    }

    /// Pushes the event when it has a reason and a message.
    pub fn finish(&mut self, cx: &mut Cx) {
        let mut e = std::mem::take(&mut self.event);
        if e.reason.is_none() || e.message.trim().is_empty() {
            return;
        }
        e.provenance = cx.prov(self.first, "event-fields");
        cx.ev.events.push(e);
    }
}

/// An event table copied from a web UI (Lens / OpenLens / Freelens, Headlamp, Argo CD, Rancher):
/// cells separated by tabs, columns in the UI's own order and spelling (`Type  Message  Namespace
/// Involved Object  Source  Count  Age  Last Seen`, `Reason  Message  Count  First Occurred  Last
/// Occurred`), often without a Reason column.
#[derive(Debug, Clone)]
pub struct UiTable {
    kinds: Vec<Col>,
}

fn ui_col(title: &str) -> Col {
    match title.trim().to_uppercase().as_str() {
        "INVOLVED OBJECT" | "INVOLVEDOBJECT" | "RESOURCE" => Col::Object,
        "FIRST OCCURRED" | "FIRST TIMESTAMP" => Col::FirstSeen,
        "LAST OCCURRED" | "LAST TIMESTAMP" => Col::LastSeen,
        t => col_kind(t),
    }
}

/// A UI's tab-separated event table header: a Message column, a Type or Reason column and at
/// least one more event column.
pub fn ui_header(line: &str) -> Option<UiTable> {
    if !line.contains('\t') {
        return None;
    }
    let kinds: Vec<Col> = line.trim().split('\t').map(ui_col).collect();
    let has = |k: Col| kinds.contains(&k);
    let others = [
        Col::LastSeen,
        Col::FirstSeen,
        Col::Object,
        Col::Source,
        Col::Count,
    ]
    .iter()
    .filter(|k| has(**k))
    .count();
    (kinds.len() >= 3 && has(Col::Message) && (has(Col::Type) || has(Col::Reason)) && others >= 1)
        .then_some(UiTable { kinds })
}

impl UiTable {
    /// One row (its cells split on tabs); `None` when the line is not one.
    pub fn row(&self, line: &str) -> Option<Event> {
        let cells: Vec<&str> = line.trim_matches(['\r', '\n']).split('\t').collect();
        if cells.len() != self.kinds.len() {
            return None;
        }
        let mut e = Event::default();
        for (k, v) in self.kinds.iter().zip(cells) {
            let v = v.trim();
            match k {
                Col::Type if is_type(v) => e.type_ = Some(v.to_string()),
                Col::Type => return None,
                Col::Reason if is_reason(v) => e.reason = Some(v.to_string()),
                Col::Reason => return None,
                Col::Message => e.message = v.to_string(),
                Col::Source => {
                    let s = v.split([',', ' ']).next().unwrap_or("");
                    e.source = (!s.is_empty()).then(|| s.to_string());
                }
                Col::Count => e.count = v.parse().ok(),
                Col::LastSeen => e.last_seen = parse_age_cell(v).and_then(|c| c.last),
                Col::FirstSeen => e.first_seen = parse_age_cell(v).and_then(|c| c.last),
                Col::Object => {
                    // `Pod web-0`, `pod/web-0`, `Pod: web-0`
                    if let Some((kind, name)) = v
                        .split_once('/')
                        .or_else(|| v.split_once(": "))
                        .or_else(|| v.split_once(' '))
                    {
                        e.object_kind = Some(kind_name(kind.trim()));
                        e.object_name = Some(name.trim().to_string());
                    }
                }
                _ => {}
            }
        }
        if e.message.is_empty() {
            return None;
        }
        // Without a Reason column, the reason a well-known message implies (`Back-off restarting
        // failed container` is BackOff).
        if e.reason.is_none() {
            e.reason = super::text::analyse(&e.message).and_then(|a| a.reason);
        }
        if e.type_.is_none() {
            e.type_ = e.reason.as_deref().map(|r| type_of_reason(r).to_string());
        }
        Some(e)
    }
}

/// Rows of a [`UiTable`].
pub struct UiTableState {
    pub table: UiTable,
    pub seg: usize,
    pub rows: u64,
}

impl UiTableState {
    pub fn offer(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if line.trim().is_empty() {
            return blank_in_table(self.rows);
        }
        match self.table.row(line) {
            Some(e) => {
                take_table_row(e, n, self.seg, &mut self.rows, cx);
                Offer::Taken
            }
            None => Offer::Rejected,
        }
    }
}

/// A blank line in an event table: the gap under its title before the first row, its end after.
fn blank_in_table(rows: u64) -> Offer {
    if rows == 0 {
        Offer::Taken
    } else {
        Offer::Done
    }
}

/// Records one row an event table parsed, with the table's provenance, and counts it.
fn take_table_row(mut e: Event, n: u64, seg: usize, rows: &mut u64, cx: &mut Cx) {
    e.provenance = cx.prov(n, "events-table");
    cx.ev.events.push(e);
    cx.touch(seg, n);
    *rows += 1;
}

/// Most lines one message may continue over.
pub const MAX_CONTINUATION: usize = 40;

/// `kubectl get events` / `kubectl events` / a describe-style table outside a describe.
pub struct EventsTableState {
    pub table: EventTable,
    pub seg: usize,
    pub rows: u64,
    /// Length of the last line taken, and lines the last message continued over.
    pub prev_len: usize,
    pub cont: usize,
}

impl EventsTableState {
    pub fn new(table: EventTable, seg: usize) -> Self {
        EventsTableState {
            table,
            seg,
            rows: 0,
            prev_len: 0,
            cont: 0,
        }
    }
}

impl EventsTableState {
    pub fn offer(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        let r = self.offer_row(n, line, cx);
        if r == Offer::Rejected
            && self.rows > 0
            && self.cont < MAX_CONTINUATION
            && cx
                .ev
                .events
                .last()
                .is_some_and(|e| may_continue_after(&e.message, line))
        {
            if let Some(e) = cx.ev.events.last_mut() {
                continue_message(e, self.prev_len, line);
                self.cont += 1;
                self.prev_len = line.len();
                cx.touch(self.seg, n);
                cx.keep(n, line, None, "free-text");
                return Offer::Taken;
            }
        }
        if r == Offer::Taken {
            self.prev_len = line.len();
        }
        r
    }

    fn offer_row(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if line.trim().is_empty() {
            return blank_in_table(self.rows);
        }
        if is_separator(line) {
            cx.touch(self.seg, n);
            return Offer::Taken;
        }
        match self.table.row(line) {
            Some(e) => {
                take_table_row(e, n, self.seg, &mut self.rows, cx);
                self.cont = 0;
                Offer::Taken
            }
            None => Offer::Rejected,
        }
    }
}

/// Consecutive loose event lines.
pub struct EventLinesState {
    pub seg: usize,
    prev_len: usize,
    cont: usize,
    blank: bool,
}

impl EventLinesState {
    pub fn new(seg: usize, first: &str) -> Self {
        EventLinesState {
            seg,
            prev_len: first.len(),
            cont: 0,
            blank: false,
        }
    }

    pub fn offer(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if line.trim().is_empty() {
            self.blank = true;
            return Offer::Taken;
        }
        match parse_event_line(line) {
            Some(mut e) => {
                e.provenance = cx.prov(n, "event-lines");
                cx.ev.events.push(e);
                cx.touch(self.seg, n);
                self.prev_len = line.len();
                self.cont = 0;
                self.blank = false;
                Offer::Taken
            }
            None if !self.blank
                && self.cont < MAX_CONTINUATION
                && cx
                    .ev
                    .events
                    .last()
                    .is_some_and(|e| may_continue_after(&e.message, line)) =>
            {
                if let Some(e) = cx.ev.events.last_mut() {
                    continue_message(e, self.prev_len, line);
                }
                self.cont += 1;
                self.prev_len = line.len();
                cx.touch(self.seg, n);
                cx.keep(n, line, None, "free-text");
                Offer::Taken
            }
            None => Offer::Rejected,
        }
    }
}

/// What a console table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CCol {
    Type,
    Name,
    Message,
    Count,
    First,
    Last,
    Other,
}

const CONSOLE_ORDER: [CCol; 6] = [
    CCol::Type,
    CCol::Name,
    CCol::Message,
    CCol::Count,
    CCol::First,
    CCol::Last,
];

fn console_col(title: &str, index: usize) -> CCol {
    let t = title.trim();
    let lower = t.to_lowercase();
    match t {
        "事件类型" => return CCol::Type,
        "事件名称" => return CCol::Name,
        "K8S事件" | "K8s事件" | "k8s事件" => return CCol::Message,
        "发生次数" => return CCol::Count,
        "首次发生时间" => return CCol::First,
        "最近发生时间" => return CCol::Last,
        _ => {}
    }
    match lower.as_str() {
        "event type" | "type" => CCol::Type,
        "event name" | "name" => CCol::Name,
        "k8s event" | "kubernetes event" => CCol::Message,
        "occurrences" | "count" => CCol::Count,
        "first occurred" | "first occurrence" => CCol::First,
        "last occurred" | "last occurrence" => CCol::Last,
        _ => CONSOLE_ORDER.get(index).copied().unwrap_or(CCol::Other),
    }
}

/// Splits a console row on tabs, or on runs of two or more spaces when it has no tab.
fn console_cells(line: &str) -> Vec<&str> {
    let line = line.trim();
    if line.contains('\t') {
        return line.split('\t').map(str::trim).collect();
    }
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("  ") {
        out.push(rest[..i].trim());
        rest = rest[i..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest.trim());
    }
    out
}

/// A console event table header (`事件类型  事件名称  K8S事件 ...` or `Event Type  Event Name  K8s Event`).
pub fn console_header(line: &str) -> Option<ConsoleTable> {
    let t = line.trim();
    let zh = t.contains("事件类型") && (t.contains("K8S事件") || t.contains("K8s事件"));
    let en = !zh && {
        let l = t.to_lowercase();
        l.starts_with("event type") && l.contains("k8s event")
    };
    if !zh && !en {
        return None;
    }
    let cols = console_cells(t)
        .into_iter()
        .enumerate()
        .map(|(i, c)| console_col(c, i))
        .collect();
    Some(ConsoleTable { cols })
}

/// Cheap gate for [`console_header`].
pub fn may_be_console_header(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("事件类型") || t.starts_with("Event Type") || t.starts_with("Event type")
}

/// Console event names (Huawei CCI) to Kubernetes reasons, where the meaning is clear.
fn console_reason(name: &str) -> String {
    let r = match name {
        "重新启动容器失败" => "BackOff",
        "实例同步失败" => "FailedSync",
        "重新拉取镜像失败" => "BackOff",
        "实例拉取镜像失败" => "Failed",
        "实例创建失败" => "Failed",
        "镜像拉取中" => "Pulling",
        "镜像拉取成功" => "Pulled",
        "实例创建成功" => "Created",
        "实例容器启动成功" => "Started",
        "实例调度成功" => "Scheduled",
        "调度失败" | "实例调度失败" => "FailedScheduling",
        other => other,
    };
    r.to_string()
}

/// A console table's columns.
pub struct ConsoleTable {
    cols: Vec<CCol>,
}

impl ConsoleTable {
    pub fn row(&self, line: &str) -> Option<Event> {
        let cells = console_cells(line);
        let mut e = Event::default();
        let mut have_type = false;
        for (i, cell) in cells.iter().enumerate() {
            let col = self
                .cols
                .get(i)
                .copied()
                .unwrap_or_else(|| CONSOLE_ORDER.get(i).copied().unwrap_or(CCol::Other));
            match col {
                CCol::Type => {
                    let t = match *cell {
                        "异常" | "警告" | "告警" | "Warning" | "Abnormal" => "Warning",
                        "正常" | "Normal" => "Normal",
                        _ => return None,
                    };
                    e.type_ = Some(t.to_string());
                    have_type = true;
                }
                CCol::Name => {
                    if !cell.is_empty() {
                        e.reason = Some(console_reason(cell));
                    }
                }
                CCol::Message => e.message = cell.to_string(),
                CCol::Count => e.count = cell.parse().ok(),
                CCol::First => e.first_seen = console_time(cell),
                CCol::Last => e.last_seen = console_time(cell),
                CCol::Other => {}
            }
        }
        if !have_type {
            return None;
        }
        Some(e)
    }
}

/// Rows of a console event table.
pub struct ConsoleState {
    pub table: ConsoleTable,
    pub seg: usize,
}

impl ConsoleState {
    pub fn offer(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if line.trim().is_empty() {
            return Offer::Done;
        }
        match self.table.row(line) {
            Some(mut e) => {
                e.provenance = cx.prov(n, "console-events");
                cx.ev.events.push(e);
                cx.touch(self.seg, n);
                Offer::Taken
            }
            None => Offer::Rejected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::When;

    #[test]
    fn get_events_default() {
        let t = EventTable::from_header(
            "LAST SEEN   TYPE      REASON             OBJECT                          MESSAGE",
        )
        .unwrap();
        let e = t
            .row("2m          Warning   BackOff            pod/web-7d9f8c6b5-x2x4p         Back-off restarting failed container web in pod web-7d9f8c6b5-x2x4p_default(5b0f3c1e-8a4d-4c1e-9f0a-2d6b7c8e9f01)")
            .unwrap();
        assert_eq!(e.type_.as_deref(), Some("Warning"));
        assert_eq!(e.reason.as_deref(), Some("BackOff"));
        assert_eq!(e.object_kind.as_deref(), Some("Pod"));
        assert_eq!(e.object_name.as_deref(), Some("web-7d9f8c6b5-x2x4p"));
        assert_eq!(e.last_seen, Some(When::Age(120)));
        assert!(e
            .message
            .starts_with("Back-off restarting failed container web"));
    }

    #[test]
    fn kubectl_events_repeat_in_last_seen() {
        let t = EventTable::from_header(
            "LAST SEEN           TYPE      REASON    OBJECT          MESSAGE",
        )
        .unwrap();
        let e = t
            .row("5m (x3 over 10m)    Warning   BackOff   pod/web-0       Back-off pulling image \"nginx:1.25\"")
            .unwrap();
        assert_eq!(e.count, Some(3));
        assert_eq!(e.first_seen, Some(When::Age(600)));
        assert_eq!(e.last_seen, Some(When::Age(300)));
    }

    #[test]
    fn misaligned_row_falls_back_to_tokens() {
        let t = EventTable::from_header(
            "  Type     Reason     Age                  From               Message",
        )
        .unwrap();
        let e = t
            .row("  Warning  FreeDiskSpaceFailed  26m  eklet, eklet-subnet-xxx  failed to garbage collect required amount of images. Wanted to free 4220828057 bytes, but freed 3889267064 bytes")
            .unwrap();
        assert_eq!(e.reason.as_deref(), Some("FreeDiskSpaceFailed"));
        assert_eq!(e.source.as_deref(), Some("eklet"));
        assert_eq!(e.last_seen, Some(When::Age(26 * 60)));
        assert!(e.message.starts_with("failed to garbage collect"));
    }

    #[test]
    fn loose_event_lines() {
        let e = parse_event_line("Warning  FailedSync  7m  kubelet, 1ce9a08e-dd39-e911-alfb-9835ed8fc6a9  Error syncing pod failed to \"StartContainer\" for \"container-1\" with CrashLoopBackOff: \"Back-off 10s restarting failed container=container-1 pod=x\"").unwrap();
        assert_eq!(e.reason.as_deref(), Some("FailedSync"));
        assert_eq!(e.source.as_deref(), Some("kubelet"));
        assert!(e
            .message
            .starts_with("Error syncing pod failed to \"StartContainer\""));
        let e = parse_event_line("Warning FreeDiskSpaceFailed 26m eklet, eklet-subnet-xxx failed to garbage collect required amount of images.").unwrap();
        assert_eq!(e.reason.as_deref(), Some("FreeDiskSpaceFailed"));
        let e = parse_event_line("  Warning  Unhealthy  3m (x5 over 4m)  kubelet  Liveness probe failed: HTTP probe failed with statuscode: 500").unwrap();
        assert_eq!(e.count, Some(5));
        assert!(parse_event_line("Warning: resource is deprecated").is_none());
        // without the Age column (a page dropped it): only with a known reporting component
        let e = parse_event_line(
            "Warning Failed kubelet rpc error: code = NotFound desc = manifest unknown: v2.1",
        )
        .unwrap();
        assert_eq!(e.source.as_deref(), Some("kubelet"));
        assert_eq!(
            e.message,
            "rpc error: code = NotFound desc = manifest unknown: v2.1"
        );
        let e = parse_event_line("Warning  FailedScheduling  default-scheduler  0/3 nodes are available: 3 Insufficient cpu.").unwrap();
        assert_eq!(e.source.as_deref(), Some("default-scheduler"));
        assert!(parse_event_line("Warning  FailedMount  mount failed: exit status 32").is_none());
        assert!(parse_event_line("Warning Failed to pull image").is_none());
        // a prompt or a klog line ends a message that continues over lines
        assert!(!may_continue("$ ssh node-3"));
        assert!(!may_continue(
            "node-3$ sudo crictl pull registry.corp.io/team/api:v1.4.2"
        ));
        assert!(!may_continue("[root@master ~]# journalctl -u kubelet"));
        assert!(!may_continue(
            "E0609 ... pulling image: rpc error: code = NotFound"
        ));
        assert!(may_continue(
            "rpc error: code = NotFound desc = manifest unknown"
        ));
        assert!(may_continue(
            "Insufficient memory. preemption: 0/2 nodes are available"
        ));
        assert!(may_continue("cost $ 5 # of nodes"));
        assert!(parse_event_line("Normal operation resumed after 5m").is_none());
    }

    #[test]
    fn console_rows() {
        let t = console_header("事件类型\t事件名称\tK8S事件\t发生...").unwrap();
        let e = t
            .row("异常\t重新启动容器失败\tthe failed container exited with ExitCode: 1\t23\t2019/06/24 14:46:07 GMT+...\t2019/06/24 14:50:41 GMT+...")
            .unwrap();
        assert_eq!(e.type_.as_deref(), Some("Warning"));
        assert_eq!(e.reason.as_deref(), Some("BackOff"));
        assert_eq!(e.count, Some(23));
        assert_eq!(e.message, "the failed container exited with ExitCode: 1");
        assert!(matches!(e.last_seen, Some(When::Absolute(_))));
        assert!(t.row("foo\tbar").is_none());
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_name("pod"), "Pod");
        assert_eq!(kind_name("replicaset.apps"), "ReplicaSet");
        assert_eq!(kind_name("cephcluster"), "Cephcluster");
        assert_eq!(kind_name(""), "");
    }
}
