//! Alternative response shapes the apiserver negotiates through `Accept`:
//! `as=PartialObjectMetadata(List)` (kube-rs `get_metadata` / `list_metadata`) and `as=Table`
//! (kubectl's human-readable output, printed server-side as by the apiserver's printers).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Full,
    Metadata,
    Table,
}

impl Shape {
    pub fn from_accept(accept: &str) -> Shape {
        // The first acceptable media type wins, as in the apiserver's negotiation.
        for part in accept.split(',') {
            let part = part.trim();
            if !part.starts_with("application/json") {
                continue;
            }
            if part.contains("as=Table") && part.contains("g=meta.k8s.io") {
                return Shape::Table;
            }
            if part.contains("as=PartialObjectMetadata") && part.contains("g=meta.k8s.io") {
                return Shape::Metadata;
            }
            return Shape::Full;
        }
        Shape::Full
    }
}

pub(crate) fn partial(obj: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or(json!({})),
    })
}

pub(crate) fn partial_list(list: &Value) -> Value {
    let items: Vec<Value> = list["items"]
        .as_array()
        .map(|a| a.iter().map(partial).collect())
        .unwrap_or_default();
    json!({
        "kind": "PartialObjectMetadataList",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list["metadata"].clone(),
        "items": items,
    })
}

fn col(name: &str, kind: &str, format: &str, priority: u8, description: &str) -> Value {
    json!({"name": name, "type": kind, "format": format, "description": description, "priority": priority})
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// kubectl's `HumanDuration`.
pub(crate) fn human_duration(d: chrono::Duration) -> String {
    let secs = d.num_seconds();
    if secs < -1 {
        return "<invalid>".into();
    }
    let secs = secs.max(0);
    if secs < 60 * 2 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn since(ts: &str, now: DateTime<Utc>) -> String {
    match DateTime::parse_from_rfc3339(ts) {
        Ok(t) => human_duration(now.signed_duration_since(t.with_timezone(&Utc))),
        Err(_) => "<unknown>".into(),
    }
}

fn pod_row(pod: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let total = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let n_init = pod
        .pointer("/spec/initContainers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut reason = match s(pod, "/status/reason") {
        "" => s(pod, "/status/phase").to_string(),
        r => r.to_string(),
    };
    let mut restarts = 0i64;
    let mut last_restart: Option<String> = None;
    let mut note_restart = |c: &Value, restarts: &mut i64| {
        *restarts += c["restartCount"].as_i64().unwrap_or(0);
        let finished = s(c, "/lastState/terminated/finishedAt");
        if !finished.is_empty() && last_restart.as_deref().is_none_or(|l| l < finished) {
            last_restart = Some(finished.to_string());
        }
    };
    let empty = Vec::new();
    let inits = pod
        .pointer("/status/initContainerStatuses")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let mut initializing = false;
    for (i, c) in inits.iter().enumerate() {
        note_restart(c, &mut restarts);
        let term = c.pointer("/state/terminated").filter(|v| !v.is_null());
        if term.is_some_and(|t| t["exitCode"].as_i64() == Some(0)) {
            continue;
        }
        if let Some(t) = term {
            reason = match t["reason"].as_str() {
                Some(r) if !r.is_empty() => format!("Init:{r}"),
                _ => format!("Init:ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0)),
            };
        } else {
            let w = s(c, "/state/waiting/reason");
            reason = if !w.is_empty() && w != "PodInitializing" {
                format!("Init:{w}")
            } else {
                format!("Init:{i}/{n_init}")
            };
        }
        initializing = true;
        break;
    }
    let mut ready = 0;
    if !initializing {
        restarts = 0;
        let mut has_running = false;
        let statuses = pod
            .pointer("/status/containerStatuses")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        for c in statuses.iter().rev() {
            note_restart(c, &mut restarts);
            let w = s(c, "/state/waiting/reason");
            let t = c.pointer("/state/terminated").filter(|v| !v.is_null());
            if !w.is_empty() {
                reason = w.to_string();
            } else if let Some(t) = t {
                reason = match t["reason"].as_str() {
                    Some(r) if !r.is_empty() => r.to_string(),
                    _ => format!("ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0)),
                };
            } else if c["ready"].as_bool() == Some(true)
                && c.pointer("/state/running").is_some_and(|r| !r.is_null())
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = "Running".into();
        }
    }
    if pod
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
    {
        reason = "Terminating".into();
    }
    let restarts_cell = match last_restart {
        Some(t) if restarts > 0 => format!("{restarts} ({} ago)", since(&t, now)),
        _ => restarts.to_string(),
    };
    let none = || "<none>".to_string();
    let or_none = |v: &str| if v.is_empty() { none() } else { v.to_string() };
    vec![
        json!(s(pod, "/metadata/name")),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts_cell),
        json!(since(s(pod, "/metadata/creationTimestamp"), now)),
        json!(or_none(s(pod, "/status/podIP"))),
        json!(or_none(s(pod, "/spec/nodeName"))),
        json!(or_none(s(pod, "/status/nominatedNodeName"))),
        json!(none()),
    ]
}

fn event_row(e: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let first = match s(e, "/firstTimestamp") {
        "" => since(s(e, "/eventTime"), now),
        t => since(t, now),
    };
    let mut last = match s(e, "/lastTimestamp") {
        "" => first.clone(),
        t => since(t, now),
    };
    let mut count = e["count"].as_i64().unwrap_or(0);
    if let Some(series) = e.get("series").filter(|v| !v.is_null()) {
        last = since(s(series, "/lastObservedTime"), now);
        count = series["count"].as_i64().unwrap_or(count);
    } else if count == 0 {
        count = 1;
    }
    let kind = s(e, "/involvedObject/kind").to_lowercase();
    let target = match s(e, "/involvedObject/name") {
        "" => kind,
        n => format!("{kind}/{n}"),
    };
    let mut source = s(e, "/source/component").to_string();
    if source.is_empty() {
        source = s(e, "/reportingComponent").to_string();
    }
    let host = match s(e, "/source/host") {
        "" => s(e, "/reportingInstance"),
        h => h,
    };
    if !host.is_empty() && host != source {
        source = format!("{source}, {host}");
    }
    vec![
        json!(last),
        json!(s(e, "/type")),
        json!(s(e, "/reason")),
        json!(target),
        json!(s(e, "/involvedObject/fieldPath")),
        json!(source),
        json!(s(e, "/message").trim()),
        json!(first),
        json!(count),
        json!(s(e, "/metadata/name")),
    ]
}

fn node_row(n: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let conditions = n
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut status: Vec<String> = Vec::new();
    match conditions.iter().find(|c| c["type"] == "Ready") {
        Some(c) if c["status"] == "True" => status.push("Ready".into()),
        Some(_) => status.push("NotReady".into()),
        None => status.push("Unknown".into()),
    }
    if n.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push("SchedulingDisabled".into());
    }
    let mut roles: Vec<String> = n
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|l| {
            l.iter()
                .filter_map(|(k, v)| {
                    if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
                        Some(r.to_string())
                    } else if k == "kubernetes.io/role" {
                        v.as_str().map(str::to_string)
                    } else {
                        None
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    roles.sort();
    let roles = if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    };
    let addr = |t: &str| {
        n.pointer("/status/addresses")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|x| x["type"] == t))
            .and_then(|x| x["address"].as_str())
            .unwrap_or("<none>")
            .to_string()
    };
    let or_unknown = |v: &str| {
        if v.is_empty() {
            "<unknown>".to_string()
        } else {
            v.to_string()
        }
    };
    vec![
        json!(s(n, "/metadata/name")),
        json!(status.join(",")),
        json!(roles),
        json!(since(s(n, "/metadata/creationTimestamp"), now)),
        json!(s(n, "/status/nodeInfo/kubeletVersion")),
        json!(addr("InternalIP")),
        json!(addr("ExternalIP")),
        json!(or_unknown(s(n, "/status/nodeInfo/osImage"))),
        json!(or_unknown(s(n, "/status/nodeInfo/kernelVersion"))),
        json!(or_unknown(s(n, "/status/nodeInfo/containerRuntimeVersion"))),
    ]
}

fn namespace_row(n: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        json!(s(n, "/metadata/name")),
        json!(s(n, "/status/phase")),
        json!(since(s(n, "/metadata/creationTimestamp"), now)),
    ]
}

fn columns(resource: &str) -> Vec<Value> {
    let name = col(
        "Name",
        "string",
        "name",
        0,
        "Name must be unique within a namespace.",
    );
    let age = col("Age", "string", "", 0, "CreationTimestamp is a timestamp representing the server time when this object was created.");
    match resource {
        "pods" => vec![
            name,
            col("Ready", "string", "", 0, "The aggregate readiness state of this pod for accepting traffic."),
            col("Status", "string", "", 0, "The aggregate status of the containers in this pod."),
            col("Restarts", "string", "", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            age,
            col("IP", "string", "", 1, "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
            col("Node", "string", "", 1, "NodeName is a request to schedule this pod onto a specific node."),
            col("Nominated Node", "string", "", 1, "nominatedNodeName is set only when this pod preempts other pods on the node."),
            col("Readiness Gates", "string", "", 1, "If specified, all readiness gates will be evaluated for pod readiness."),
        ],
        "events" => vec![
            col("Last Seen", "string", "", 0, "The time at which the most recent occurrence of this event was recorded."),
            col("Type", "string", "", 0, "Type of this event (Normal, Warning), new types could be added in the future."),
            col("Reason", "string", "", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            col("Object", "string", "", 0, "The object that this event is about."),
            col("Subobject", "string", "", 1, "The subobject that this event is about."),
            col("Source", "string", "", 1, "The component reporting this event."),
            col("Message", "string", "", 0, "A human-readable description of the status of this operation."),
            col("First Seen", "string", "", 1, "The time at which the event was first recorded."),
            col("Count", "integer", "", 1, "The number of times this event has occurred."),
            col("Name", "string", "name", 1, "Name must be unique within a namespace."),
        ],
        "nodes" => vec![
            name,
            col("Status", "string", "", 0, "The status of the node"),
            col("Roles", "string", "", 0, "The roles of the node"),
            age,
            col("Version", "string", "", 0, "Kubelet Version reported by the node."),
            col("Internal-IP", "string", "", 1, "List of internal IPs."),
            col("External-IP", "string", "", 1, "List of external IPs."),
            col("OS-Image", "string", "", 1, "OS Image reported by the node."),
            col("Kernel-Version", "string", "", 1, "Kernel Version reported by the node."),
            col("Container-Runtime", "string", "", 1, "Container Runtime Version reported by the node."),
        ],
        _ => vec![
            name,
            col("Status", "string", "", 0, "The status of the namespace"),
            age,
        ],
    }
}

/// A `meta.k8s.io/v1` Table of `objects` (full objects, with or without kind).
pub(crate) fn table(
    resource: &str,
    objects: &[Value],
    list_meta: Value,
    now: DateTime<Utc>,
) -> Value {
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let cells = match resource {
                "pods" => pod_row(o, now),
                "events" => event_row(o, now),
                "nodes" => node_row(o, now),
                _ => namespace_row(o, now),
            };
            json!({"cells": cells, "object": partial(o)})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": columns(resource),
        "rows": rows,
    })
}
