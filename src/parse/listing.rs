//! `kubectl get pods` and `kubectl get nodes` listings (any flags: `-o wide`, `-A`, `-w`; with or
//! without the header row).
//!
//! Owns turning a row into the evidence a describe would give as far as the row proves it: a pod
//! row gives the pod (name, namespace, node with `-o wide`, phase or reason from STATUS) and, when
//! STATUS is a container's reason (`CrashLoopBackOff`, `OOMKilled`, `Init:Error`, `ExitCode:1`),
//! one container whose name is not known (empty) in that waiting or terminated state, with the
//! restart count from RESTARTS (`4 (57s ago)`). A node row gives its `Ready` condition and, for
//! `SchedulingDisabled`, the unschedulable taint. Provenance format: `get-pods` / `get-nodes`.

use super::table::tokens;
use super::{Cx, Offer};
use crate::evidence::{
    ContainerKind, ContainerState, ContainerStatus, NodeCondition, PodInfo, Taint,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pods,
    Nodes,
    /// kubectl 0.x (2015): `POD  IP  CONTAINER(S)  IMAGE(S)  HOST  LABELS  STATUS  CREATED
    /// MESSAGE`, a pod's row followed by one row per container.
    Pods0,
}

/// Columns of a listing, from its header (or assumed for headerless rows).
#[derive(Debug, Clone)]
pub struct Listing {
    kind: Kind,
    namespace: bool,
    /// Titles after AGE (`-o wide`: IP, NODE, ...), for pods.
    wide: Vec<String>,
    /// A header row was seen.
    header: bool,
    /// Column positions, for the kubectl 0.x layout (its cells may be empty).
    cols: Option<super::table::Layout>,
    /// The pod of the kubectl 0.x rows that follow (its container rows).
    pod0: Option<String>,
    /// k9s' pod view: a `PF` (port-forward) column after NAME whose cell is `●` or empty, metrics
    /// columns after RESTARTS, AGE last or cut off.
    k9s: bool,
}

impl Listing {
    /// Segment format: `get-pods` or `get-nodes`.
    pub fn format(&self) -> &'static str {
        match self.kind {
            Kind::Pods | Kind::Pods0 => "get-pods",
            Kind::Nodes => "get-nodes",
        }
    }
}

/// A `kubectl get pods` / `kubectl get nodes` header row.
pub fn header(line: &str) -> Option<Listing> {
    let t = line.trim();
    // k9s marks the column it sorts by with an arrow (`NAMESPACE↑`, `AGE↓`).
    let titles: Vec<&str> = t
        .split_whitespace()
        .map(|w| w.trim_end_matches(['↑', '↓']))
        .collect();
    let has = |w: &str| titles.contains(&w);
    if titles.first() == Some(&"POD") && has("CONTAINER(S)") && has("STATUS") {
        return Some(Listing {
            kind: Kind::Pods0,
            namespace: false,
            wide: Vec::new(),
            header: true,
            cols: Some(super::table::Layout::from_header(line)),
            pod0: None,
            k9s: false,
        });
    }
    let (namespace, rest) = match titles.first() {
        Some(&"NAMESPACE") => (true, &titles[1..]),
        Some(&"NAME") => (false, &titles[..]),
        _ => return None,
    };
    // k9s' pod view: `[NAMESPACE] NAME PF READY STATUS RESTARTS [CPU MEM ...] IP NODE [AGE]`.
    if rest.first() == Some(&"NAME")
        && rest.get(1) == Some(&"PF")
        && has("READY")
        && has("STATUS")
        && has("RESTARTS")
    {
        let restarts = titles.iter().position(|w| *w == "RESTARTS")?;
        let wide = titles[restarts + 1..]
            .iter()
            .map(|s| s.to_string())
            .collect();
        return Some(Listing {
            kind: Kind::Pods,
            namespace,
            wide,
            header: true,
            cols: None,
            pod0: None,
            k9s: true,
        });
    }
    // kubectl 0.19-1.0 titled the STATUS column REASON: `NAME  READY  REASON  RESTARTS  AGE`.
    if rest.first() != Some(&"NAME") || !(has("STATUS") || has("REASON")) || !has("AGE") {
        return None;
    }
    if has("READY") && has("RESTARTS") {
        let age = titles.iter().position(|w| *w == "AGE")?;
        let wide = titles[age + 1..].iter().map(|s| s.to_string()).collect();
        return Some(Listing {
            kind: Kind::Pods,
            namespace,
            wide,
            header: true,
            cols: None,
            pod0: None,
            k9s: false,
        });
    }
    if !has("STATUS") {
        return None;
    }
    if !namespace
        && rest.get(1) == Some(&"STATUS")
        && (has("VERSION") || has("ROLES") || titles.len() == 3)
    {
        return Some(Listing {
            kind: Kind::Nodes,
            namespace: false,
            wide: Vec::new(),
            header: true,
            cols: None,
            pod0: None,
            k9s: false,
        });
    }
    None
}

/// A pod row, cut into its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRow {
    pub namespace: Option<String>,
    pub name: String,
    pub ready: (u32, u32),
    pub status: String,
    pub restarts: Option<u32>,
    pub node: Option<String>,
}

fn ready_cell(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('/')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// A STATUS cell: `Running`, `CrashLoopBackOff`, `Init:0/2`, `Init:Error`, `ExitCode:1`,
/// `Ready,SchedulingDisabled`.
fn is_status(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b',' | b'-'))
}

impl Listing {
    /// Cells of a pod row laid out as `[NAMESPACE] NAME READY STATUS RESTARTS AGE [wide...]`.
    fn pod_row(&self, line: &str) -> Option<PodRow> {
        self.pod_row_cells(line)
            .or_else(|| self.pod_row_with_message(line))
    }

    /// kubectl <= 1.7 printed a waiting reason that was a whole message in STATUS (`jenkins-1-g
    /// 0/1  Couldn't find key options in Secret jenkins/jenkins  0  23m`): under a header without
    /// `-o wide` columns, the cells are read from both ends and STATUS is what lies between.
    fn pod_row_with_message(&self, line: &str) -> Option<PodRow> {
        if !self.header || self.k9s || !self.wide.is_empty() {
            return None;
        }
        let toks = tokens(line);
        let i = usize::from(self.namespace);
        if toks.len() < i + 6 {
            return None;
        }
        let name = toks[i].text.strip_prefix("pod/").unwrap_or(toks[i].text);
        let ready = ready_cell(toks[i + 1].text)?;
        let n = toks.len();
        super::time::parse_age(toks[n - 1].text)?;
        let restarts = toks[n - 2].text.parse::<u32>().ok()?;
        let status = line[toks[i + 2].start..toks[n - 3].end].trim();
        if !is_name(name) || status.len() > 512 || !status.starts_with(|c: char| c.is_alphabetic())
        {
            return None;
        }
        Some(PodRow {
            namespace: self.namespace.then(|| toks[0].text.to_string()),
            name: name.to_string(),
            ready,
            status: status.to_string(),
            restarts: Some(restarts),
            node: None,
        })
    }

    /// Cells of a pod row laid out as `[NAMESPACE] NAME READY STATUS RESTARTS AGE [wide...]`.
    fn pod_row_cells(&self, line: &str) -> Option<PodRow> {
        let toks = tokens(line);
        let words: Vec<&str> = toks.iter().map(|t| t.text).collect();
        let mut i = 0;
        let namespace = if self.namespace {
            i = 1;
            Some(words.first()?.to_string())
        } else {
            None
        };
        // `kubectl get all` names each row by kind: `pod/web-0`.
        let name = words.get(i)?;
        let name = name.strip_prefix("pod/").unwrap_or(name);
        // k9s' PF cell: `●` when a port-forward is active, else nothing.
        if self.k9s && words.get(i + 1).is_some_and(|w| ready_cell(w).is_none()) {
            i += 1;
        }
        let ready = ready_cell(words.get(i + 1)?)?;
        // Markdown emphasis a chat added around the cell (`**_**ErrImagePull**_**`).
        let status = words.get(i + 2)?.trim_matches(|c| c == '*' || c == '_');
        if !is_name(name) || !is_status(status) {
            return None;
        }
        let mut j = i + 3;
        let restarts = match words.get(j) {
            Some(r) => {
                let n = r.parse::<u32>().ok()?;
                j += 1;
                // `4 (57s ago)`
                if words.get(j).is_some_and(|w| w.starts_with('(')) {
                    while j < words.len() {
                        let w = words[j];
                        j += 1;
                        if w.ends_with(')') {
                            break;
                        }
                    }
                }
                Some(n)
            }
            None => None,
        };
        // AGE (k9s: after the metrics, read with the other columns below)
        if let (false, Some(a)) = (self.k9s, words.get(j)) {
            super::time::parse_age(a)?;
            j += 1;
        }
        let mut node = None;
        for title in &self.wide {
            let Some(v) = words.get(j) else { break };
            j += 1;
            match title.as_str() {
                "NODE" => node = Some(v.to_string()).filter(|v| v != "<none>"),
                "NOMINATED" | "READINESS" => break,
                _ => {}
            }
        }
        Some(PodRow {
            namespace,
            name: name.to_string(),
            ready,
            status: status.to_string(),
            restarts,
            node,
        })
    }

    /// `NAME STATUS [ROLES] AGE [VERSION ...]` node rows.
    fn node_row<'a>(&self, line: &'a str) -> Option<(&'a str, &'a str)> {
        let mut w = line.split_whitespace();
        let name = w.next()?;
        let status = w.next()?;
        if !is_name(name) {
            return None;
        }
        let first = status.split(',').next()?;
        if !matches!(first, "Ready" | "NotReady" | "Unknown") {
            return None;
        }
        if !self.header {
            // Without a header, insist on the shape: an age and a kubelet version follow.
            let rest: Vec<&str> = w.collect();
            let age = rest
                .iter()
                .position(|x| super::time::parse_age(x).is_some())?;
            if !rest[age + 1..].first().is_some_and(|v| {
                v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit())
            }) {
                return None;
            }
        }
        Some((name, status))
    }
}

/// A pod row without a header (`name 0/1 CrashLoopBackOff 5 (41s ago) 3m`, with or without a
/// namespace first): the listing it implies.
pub fn headerless(line: &str) -> Option<Listing> {
    for namespace in [false, true] {
        let l = Listing {
            kind: Kind::Pods,
            namespace,
            wide: vec!["IP".into(), "NODE".into()],
            header: false,
            cols: None,
            pod0: None,
            k9s: false,
        };
        if let Some(r) = l.pod_row(line) {
            // A row cut after STATUS (`web-0   0/2   Init:CrashLoopBackOff`, the rest of the
            // screen not copied) has nothing after its status.
            let cut = tokens(line).len() == 3 + usize::from(namespace);
            if r.restarts.is_some() || cut {
                return Some(l);
            }
        }
    }
    let l = Listing {
        kind: Kind::Nodes,
        namespace: false,
        wide: Vec::new(),
        header: false,
        cols: None,
        pod0: None,
        k9s: false,
    };
    l.node_row(line).map(|_| l)
}

/// Reasons kubelet gives a waiting container.
fn is_waiting_reason(s: &str) -> bool {
    matches!(
        s,
        "CrashLoopBackOff"
            | "ErrImagePull"
            | "ImagePullBackOff"
            | "CreateContainerConfigError"
            | "CreateContainerError"
            | "RunContainerError"
            | "InvalidImageName"
            | "ErrImageNeverPull"
            | "ImageInspectError"
            | "RegistryUnavailable"
            | "ContainerCreating"
            | "PodInitializing"
            | "PreStartHookError"
            | "PostStartHookError"
            | "PreCreateHookError"
            | "ErrImageInspect"
            | "SignatureValidationFailed"
    )
}

/// Reasons of a terminated container.
fn is_terminated_reason(s: &str) -> bool {
    matches!(
        s,
        "OOMKilled"
            | "Error"
            | "Completed"
            | "ContainerCannotRun"
            | "StartError"
            | "DeadlineExceeded"
            | "ContainerStatusUnknown"
    )
}

/// Reasons the pod itself carries (kubelet admission, eviction, node loss).
fn is_pod_reason(s: &str) -> bool {
    s.starts_with("OutOf")
        || matches!(
            s,
            "Evicted"
                | "NodeAffinity"
                | "NodeLost"
                | "UnexpectedAdmissionError"
                | "Shutdown"
                | "NodeShutdown"
                | "Terminated"
                | "Preempting"
                | "MatchNodeSelector"
                | "PodFitsHostPorts"
                | "InvalidNodeInfo"
        )
}

/// What a pod row's STATUS says: (phase, pod reason, container (kind, state)).
type RowFacts = (
    Option<&'static str>,
    Option<String>,
    Option<(ContainerKind, ContainerState)>,
);

fn status_facts(status: &str) -> RowFacts {
    let (kind, s) = match status.strip_prefix("Init:") {
        Some(r) => (ContainerKind::Init, r),
        None => (ContainerKind::Regular, status),
    };
    let waiting = |r: &str| ContainerState::Waiting {
        reason: Some(r.to_string()),
        message: None,
    };
    let terminated =
        |r: Option<&str>, code: Option<i32>, signal: Option<i32>| ContainerState::Terminated {
            reason: r.map(str::to_string),
            message: None,
            exit_code: code,
            signal,
            finished_at: None,
        };
    if kind == ContainerKind::Init && ready_cell(s).is_some() {
        return (Some("Pending"), None, None);
    }
    if let Some(c) = s.strip_prefix("ExitCode:") {
        return (
            None,
            None,
            Some((kind, terminated(None, c.parse().ok(), None))),
        );
    }
    if let Some(c) = s.strip_prefix("Signal:") {
        return (
            None,
            None,
            Some((kind, terminated(None, None, c.parse().ok()))),
        );
    }
    match s {
        "Running" | "NotReady" => (Some("Running"), None, None),
        "Pending" | "SchedulingGated" => (Some("Pending"), None, None),
        "Succeeded" => (Some("Succeeded"), None, None),
        "Completed" if kind == ContainerKind::Regular => (Some("Succeeded"), None, None),
        "Failed" => (Some("Failed"), None, None),
        "Unknown" => (Some("Unknown"), None, None),
        // What describe shows as `Status: Terminating`: kept as the pod's status the same way.
        "Terminating" => (Some("Terminating"), None, None),
        s if is_pod_reason(s) => (Some("Failed"), Some(s.to_string()), None),
        s if is_terminated_reason(s) => (None, None, Some((kind, terminated(Some(s), None, None)))),
        s if is_waiting_reason(s) => (None, None, Some((kind, waiting(s)))),
        // Another reason kubelet or a runtime gave a waiting container.
        s if s.bytes().all(|b| b.is_ascii_alphanumeric()) => (None, None, Some((kind, waiting(s)))),
        // kubelet <= 1.7 put the error itself in the waiting reason (`Couldn't find key options in
        // Secret ns/name`, `Image: x is not ready on the node`).
        s if s.contains(' ') => (None, None, Some((kind, waiting(s)))),
        _ => (None, None, None),
    }
}

/// Rows of a listing being read.
pub struct ListingState {
    pub listing: Listing,
    pub seg: usize,
    pub rows: u64,
}

impl ListingState {
    pub fn offer(&mut self, n: u64, line: &str, cx: &mut Cx) -> Offer {
        if line.trim().is_empty() {
            return if self.rows == 0 && self.listing.header {
                Offer::Taken
            } else {
                Offer::Done
            };
        }
        // `kubectl get pods -w` repeats the header; several listings may follow each other.
        if let Some(h) = header(line) {
            self.listing = h;
            cx.touch(self.seg, n);
            return Offer::Taken;
        }
        if self.row(n, line, cx) {
            cx.touch(self.seg, n);
            self.rows += 1;
            Offer::Taken
        } else {
            Offer::Rejected
        }
    }

    /// A row of kubectl 0.x's listing: a pod (its name, STATUS as the phase) or, below it, one
    /// of its containers (name, image, STATUS `Waiting` / `Running` / `Terminated` with MESSAGE).
    fn row0(&mut self, n: u64, line: &str, cx: &mut Cx) -> bool {
        let Some(layout) = self.listing.cols.as_ref() else {
            return false;
        };
        let Some(cells) = layout.cut(line) else {
            return false;
        };
        let cell = |title: &str| {
            layout
                .titles()
                .position(|t| t == title)
                .and_then(|i| cells.get(i))
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
        };
        let prov = cx.prov(n, "get-pods");
        let status = cell("STATUS");
        if let Some(pod) = cell("POD") {
            if !is_name(pod) {
                return false;
            }
            cx.ev.pods.push(PodInfo {
                name: Some(pod.to_string()),
                phase: status
                    .filter(|s| {
                        matches!(
                            *s,
                            "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown"
                        )
                    })
                    .map(str::to_string),
                provenance: prov,
                ..Default::default()
            });
            self.listing.pod0 = Some(pod.to_string());
            return true;
        }
        let Some(name) = cell("CONTAINER(S)").filter(|c| is_name(c)) else {
            return false;
        };
        let message = cell("MESSAGE").map(str::to_string);
        // `last termination: exit code 1`: how the container's previous run ended.
        let last_state = message
            .as_deref()
            .and_then(|m| m.strip_prefix("last termination: exit code "))
            .and_then(|c| c.trim().parse::<i32>().ok())
            .map(|code| ContainerState::Terminated {
                reason: None,
                message: None,
                exit_code: Some(code),
                signal: None,
                finished_at: None,
            });
        let state = match status {
            Some("Waiting") => ContainerState::Waiting {
                reason: None,
                message,
            },
            Some("Running") => ContainerState::Running { started_at: None },
            Some("Terminated") => ContainerState::Terminated {
                reason: None,
                message,
                exit_code: None,
                signal: None,
                finished_at: None,
            },
            _ => return false,
        };
        cx.ev.containers.push(ContainerStatus {
            pod: self.listing.pod0.clone(),
            name: name.to_string(),
            kind: ContainerKind::Regular,
            image: cell("IMAGE(S)").map(str::to_string),
            ready: None,
            restart_count: None,
            state: Some(state),
            last_state,
            provenance: prov,
        });
        true
    }

    /// Emits the evidence of one row; false when the line is not a row of this listing.
    pub fn row(&mut self, n: u64, line: &str, cx: &mut Cx) -> bool {
        match self.listing.kind {
            Kind::Pods0 => self.row0(n, line, cx),
            Kind::Pods => {
                let Some(r) = self.listing.pod_row(line) else {
                    return false;
                };
                let prov = cx.prov(n, "get-pods");
                let (phase, reason, container) = status_facts(&r.status);
                let key = crate::evidence::pod_key(r.namespace.as_deref(), &r.name);
                cx.ev.pods.push(PodInfo {
                    name: Some(r.name.clone()),
                    namespace: r.namespace.clone(),
                    phase: phase.map(str::to_string),
                    reason,
                    node_name: r.node.clone(),
                    provenance: prov.clone(),
                    ..Default::default()
                });
                if let Some((kind, state)) = container {
                    let (x, y) = r.ready;
                    cx.ev.containers.push(ContainerStatus {
                        pod: key,
                        // `kubectl get pods` does not name the container: unknown, not empty.
                        name: String::new(),
                        kind,
                        image: None,
                        ready: if y == 1 { Some(x == 1) } else { None },
                        restart_count: r.restarts,
                        state: Some(state),
                        last_state: None,
                        provenance: prov,
                    });
                }
                true
            }
            Kind::Nodes => {
                let Some((name, status)) = self.listing.node_row(line) else {
                    return false;
                };
                let prov = cx.prov(n, "get-nodes");
                let mut parts = status.split(',');
                let ready = match parts.next() {
                    Some("Ready") => "True",
                    Some("NotReady") => "False",
                    _ => "Unknown",
                };
                cx.ev.node_conditions.push(NodeCondition {
                    node: Some(name.to_string()),
                    type_: "Ready".into(),
                    status: ready.into(),
                    reason: (ready == "Unknown").then(|| "NodeStatusUnknown".to_string()),
                    message: None,
                    last_transition: None,
                    provenance: prov.clone(),
                });
                if parts.any(|p| p == "SchedulingDisabled") {
                    cx.ev.taints.push(Taint {
                        node: Some(name.to_string()),
                        key: "node.kubernetes.io/unschedulable".into(),
                        value: None,
                        effect: "NoSchedule".into(),
                        provenance: prov,
                    });
                }
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = header("NAME                                                 READY   STATUS      RESTARTS      AGE").unwrap();
        assert_eq!(h.kind, Kind::Pods);
        assert!(!h.namespace);
        let h = header("NAMESPACE     NAME                      READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES").unwrap();
        assert!(h.namespace);
        assert_eq!(h.wide[1], "NODE");
        let h =
            header("NAME        STATUS       ROLES                      AGE    VERSION").unwrap();
        assert_eq!(h.kind, Kind::Nodes);
        assert_eq!(
            header("NAME         STATUS     AGE       VERSION")
                .unwrap()
                .kind,
            Kind::Nodes
        );
        assert!(header("NAME   TYPE   CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE").is_none());
        assert!(header("LAST SEEN   TYPE   REASON   OBJECT   MESSAGE").is_none());
    }

    #[test]
    fn pod_rows() {
        let h = header("NAME   READY   STATUS   RESTARTS   AGE").unwrap();
        // https://github.com/ministryofjustice (corpus oom-getpods-b1 layout): RESTARTS with "(57s ago)"
        let r = h
            .pod_row("tax-tribunals-application-base-74464f6b98-2kj6g      0/1     OOMKilled   4 (57s ago)   2m40s")
            .unwrap();
        assert_eq!(r.status, "OOMKilled");
        assert_eq!(r.restarts, Some(4));
        assert_eq!(r.ready, (0, 1));
        let w = header("NAME   READY   STATUS   RESTARTS   AGE   IP   NODE").unwrap();
        let r = w
            .pod_row("nginx-dm-2214564181-0gz59   1/1       Running   0          20m       10.233.182.91   10.6.0.187")
            .unwrap();
        assert_eq!(r.node.as_deref(), Some("10.6.0.187"));
        assert!(h.pod_row("this is not a row").is_none());
    }

    // kubectl 0.x (corpus image-not-found-get-pods-2015-layout-waiting-d99, from
    // https://github.com/kubernetes/kubernetes/pull/7981): a pod row, then its containers.
    #[test]
    fn pods_of_kubectl_0_x() {
        let h = header("POD       IP          CONTAINER(S)   IMAGE(S)    HOST                  LABELS    STATUS    CREATED          MESSAGE").unwrap();
        assert_eq!(h.kind, Kind::Pods0);
        assert!(header("POD is not a header").is_none());
    }

    #[test]
    fn headerless_rows() {
        let l = headerless("rook-ceph            rook-ceph-osd-25-967d79b58-c5pkp     0/1     NodeAffinity   0          16d").unwrap();
        assert!(l.namespace);
        let l = headerless("web-1   0/1   CrashLoopBackOff   5 (41s ago)   3m").unwrap();
        assert!(!l.namespace);
        let l =
            headerless("docker02   NotReady   controlplane,etcd,worker   421d   v1.17.4").unwrap();
        assert_eq!(l.kind, Kind::Nodes);
        assert!(headerless("Ready to serve 3 requests").is_none());
        assert!(headerless("web Running fine 3m").is_none());
        // https://github.com/istio/istio/issues/23661: a row cut after STATUS
        let l = headerless("mall-8578f56f5b-9pq4b                 0/2     Init:CrashLoopBackOff")
            .unwrap();
        assert!(!l.namespace);
        assert!(headerless("ratio 0/2 achieved").is_none());
    }

    #[test]
    fn status_meanings() {
        assert!(matches!(
            status_facts("Init:CrashLoopBackOff"),
            (
                None,
                None,
                Some((ContainerKind::Init, ContainerState::Waiting { .. }))
            )
        ));
        assert!(matches!(
            status_facts("Init:0/2"),
            (Some("Pending"), None, None)
        ));
        assert!(matches!(
            status_facts("OOMKilled"),
            (
                None,
                None,
                Some((ContainerKind::Regular, ContainerState::Terminated { .. }))
            )
        ));
        let (phase, reason, c) = status_facts("OutOfcpu");
        assert_eq!(
            (phase, reason.as_deref(), c.is_none()),
            (Some("Failed"), Some("OutOfcpu"), true)
        );
        assert!(matches!(
            status_facts("ExitCode:137"),
            (
                None,
                None,
                Some((
                    _,
                    ContainerState::Terminated {
                        exit_code: Some(137),
                        ..
                    }
                ))
            )
        ));
        assert_eq!(status_facts("Completed").0, Some("Succeeded"));
        assert_eq!(status_facts("Unknown").0, Some("Unknown"));
    }
}
