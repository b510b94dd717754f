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
    Claim, ContainerKind, ContainerState, ContainerStatus, NodeCondition, PodInfo, Taint,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pods,
    Nodes,
    /// kubectl 0.x (2015): `POD  IP  CONTAINER(S)  IMAGE(S)  HOST  LABELS  STATUS  CREATED
    /// MESSAGE`, a pod's row followed by one row per container.
    Pods0,
    /// `kubectl get pvc`: `[NAMESPACE] NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS
    /// [VOLUMEATTRIBUTESCLASS] AGE [VOLUMEMODE]`.
    Claims,
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
    /// k9s 0.27 and later: RESTARTS before STATUS (`PF READY RESTARTS STATUS`).
    restarts_first: bool,
    /// The header has no RESTARTS column (`NAME READY STATUS AGE`, custom columns or a page that
    /// dropped it).
    no_restarts: bool,
    /// Pods whose row was read, with the line of that row: a later row of the same pod
    /// (`kubectl get pods -w`, a second listing) replaces the earlier one.
    seen: Vec<(String, u64)>,
    /// Rows of only NAME and STATUS (`configmap-pod-1   CreateContainerConfigError`: custom
    /// columns, or a tool that prints no more), read only when STATUS is a failure's reason.
    name_status: bool,
}

impl Listing {
    /// A listing of `kind` with every option off: a header seen or not, no wide columns.
    fn new(kind: Kind, namespace: bool, header: bool) -> Listing {
        Listing {
            kind,
            namespace,
            wide: Vec::new(),
            header,
            cols: None,
            pod0: None,
            k9s: false,
            restarts_first: false,
            no_restarts: false,
            seen: Vec::new(),
            name_status: false,
        }
    }

    /// Segment format: `get-pods` or `get-nodes`.
    pub fn format(&self) -> &'static str {
        match self.kind {
            Kind::Pods | Kind::Pods0 => "get-pods",
            Kind::Nodes => "get-nodes",
            Kind::Claims => "get-pvc",
        }
    }
}

/// A `kubectl get pods` / `kubectl get nodes` header row.
pub fn header(line: &str) -> Option<Listing> {
    // A CI timestamper's clock before each line (`11:32:11  NAME  READY ...`).
    let line = super::events::strip_row_time(line);
    let t = line.trim();
    // k9s marks the column it sorts by with an arrow (`NAMESPACE↑`, `AGE↓`).
    let titles: Vec<&str> = t
        .split_whitespace()
        .map(|w| w.trim_end_matches(['↑', '↓']))
        .collect();
    let has = |w: &str| titles.contains(&w);
    if titles.first() == Some(&"POD") && has("CONTAINER(S)") && has("STATUS") {
        return Some(Listing {
            cols: Some(super::table::Layout::from_header(line)),
            ..Listing::new(Kind::Pods0, false, true)
        });
    }
    let (namespace, rest) = match titles.first() {
        Some(&"NAMESPACE") => (true, &titles[1..]),
        Some(&"NAME") => (false, &titles[..]),
        _ => return None,
    };
    // k9s' pod view: `[NAMESPACE] NAME PF READY STATUS RESTARTS [CPU MEM ...] IP NODE [AGE]`;
    // k9s 0.27 and later print RESTARTS before STATUS.
    if rest.first() == Some(&"NAME")
        && rest.get(1) == Some(&"PF")
        && has("READY")
        && has("STATUS")
        && has("RESTARTS")
    {
        let restarts = titles.iter().position(|w| *w == "RESTARTS")?;
        let status = titles.iter().position(|w| *w == "STATUS")?;
        let wide = titles[restarts.max(status) + 1..]
            .iter()
            .map(|s| s.to_string())
            .collect();
        return Some(Listing {
            wide,
            k9s: true,
            restarts_first: restarts < status,
            ..Listing::new(Kind::Pods, namespace, true)
        });
    }
    // `kubectl get pvc`
    if rest.get(1) == Some(&"STATUS")
        && rest.get(2) == Some(&"VOLUME")
        && has("CAPACITY")
        && has("STORAGECLASS")
    {
        return Some(Listing::new(Kind::Claims, namespace, true));
    }
    // kubectl 0.19-1.0 titled the STATUS column REASON: `NAME  READY  REASON  RESTARTS  AGE`.
    if rest.first() != Some(&"NAME") || !(has("STATUS") || has("REASON")) || !has("AGE") {
        return None;
    }
    if has("READY") && (has("RESTARTS") || rest.get(1..3) == Some(&["READY", "STATUS"][..])) {
        let age = titles.iter().position(|w| *w == "AGE")?;
        let wide = titles[age + 1..].iter().map(|s| s.to_string()).collect();
        return Some(Listing {
            wide,
            no_restarts: !has("RESTARTS"),
            ..Listing::new(Kind::Pods, namespace, true)
        });
    }
    if !has("STATUS") {
        return None;
    }
    if !namespace
        && rest.get(1) == Some(&"STATUS")
        && (has("VERSION") || has("ROLES") || titles.len() == 3)
    {
        return Some(Listing::new(Kind::Nodes, false, true));
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
    /// AGE in seconds (`None` when cut off or `<unknown>`).
    pub age: Option<u64>,
    pub node: Option<String>,
}

/// An AGE cell in seconds.
fn secs(s: &str) -> Option<u64> {
    match super::time::parse_age(s)? {
        super::time::Age::Secs(n) => Some(n),
        _ => None,
    }
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
        if self.name_status {
            return name_status_row(line);
        }
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
            age: secs(toks[n - 1].text),
            node: None,
        })
    }

    /// Cells of a pod row laid out as `[NAMESPACE] NAME READY STATUS RESTARTS AGE [wide...]`.
    fn pod_row_cells(&self, line: &str) -> Option<PodRow> {
        let toks = tokens(line);
        // k9s marks a cell that changed since its last refresh with `Δ` (`0/1Δ`, `n/aΔ`).
        let words: Vec<&str> = toks
            .iter()
            .map(|t| match self.k9s {
                true => t.text.trim_end_matches('Δ'),
                false => t.text,
            })
            .collect();
        let mut i = 0;
        let namespace = if self.namespace {
            i = 1;
            Some(words.first().filter(|w| is_name(w))?.to_string())
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
        // k9s 0.27+: `READY RESTARTS STATUS`; the restart count is read first.
        let early = match self.restarts_first {
            true => {
                let r = words.get(i + 2)?.parse::<u32>().ok()?;
                i += 1;
                Some(r)
            }
            false => None,
        };
        // Markdown emphasis a chat added around the cell (`**_**ErrImagePull**_**`).
        let status = words.get(i + 2)?.trim_matches(|c| c == '*' || c == '_');
        if !is_name(name) || !is_status(status) {
            return None;
        }
        // A row the page cut inside STATUS (`agent-7d9f   0/1   ContainerCreati`).
        let status = if words.len() == i + 3 {
            cut_status(status)
        } else {
            status
        };
        let mut j = i + 3;
        let restarts = match words.get(j) {
            _ if early.is_some() => early,
            Some(_) if self.no_restarts => None,
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
        let mut age = None;
        if let (false, Some(a)) = (self.k9s, words.get(j)) {
            super::time::parse_age(a)?;
            age = secs(a);
            j += 1;
        }
        let mut node = None;
        for title in &self.wide {
            let Some(v) = words.get(j) else { break };
            j += 1;
            match title.as_str() {
                "NODE" => node = Some(v.to_string()).filter(|v| v != "<none>"),
                // k9s: AGE last, after the metrics and IP/NODE columns.
                "AGE" if self.k9s && super::time::parse_age(v).is_some() => age = secs(v),
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
            age,
            node,
        })
    }

    /// A `kubectl get pvc` row, read by its words (empty cells leave no trace once a page
    /// collapsed the spaces): name, STATUS, then VOLUME, CAPACITY and ACCESS MODES when bound,
    /// STORAGECLASS, AGE, and VOLUMEMODE with `-o wide`.
    fn claim_row(&self, line: &str) -> Option<Claim> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let i = usize::from(self.namespace);
        let name = words.get(i)?;
        let name = name.strip_prefix("persistentvolumeclaim/").unwrap_or(name);
        let status = *words.get(i + 1)?;
        if !is_name(name) || !matches!(status, "Pending" | "Bound" | "Lost") {
            return None;
        }
        let namespace = if self.namespace {
            Some(words[0].to_string()).filter(|n| is_name(n))?.into()
        } else {
            None
        };
        let mut rest = &words[i + 2..];
        if rest
            .last()
            .is_some_and(|w| matches!(*w, "Filesystem" | "Block"))
        {
            rest = &rest[..rest.len() - 1];
        }
        let (age, mid) = rest.split_last()?;
        let age = match super::time::parse_age(age)? {
            super::time::Age::Secs(n) => Some(n),
            _ => None,
        };
        let access = |w: &&str| {
            w.split(',')
                .all(|m| matches!(m, "RWO" | "ROX" | "RWX" | "RWOP"))
        };
        let (volume, after) = match mid.iter().position(access) {
            // `pvc-3f2a 10Gi RWO gp3`: the volume is the word before the capacity.
            Some(a) => (
                a.checked_sub(2)
                    .and_then(|v| mid.get(v))
                    .map(|v| v.to_string()),
                &mid[a + 1..],
            ),
            None => (None, mid),
        };
        let storage_class = after
            .first()
            .filter(|s| !s.starts_with('<') && is_name(s))
            .map(|s| s.to_string());
        Some(Claim {
            name: name.to_string(),
            namespace,
            status: status.to_string(),
            volume,
            storage_class,
            created: age.map(crate::evidence::When::Age),
            provenance: Default::default(),
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
    let line = super::events::strip_row_time(line);
    for namespace in [false, true] {
        let l = Listing {
            wide: vec!["IP".into(), "NODE".into()],
            ..Listing::new(Kind::Pods, namespace, false)
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
    // k9s rows copied without their header: 0.27+ `[NAMESPACE] NAME [●] READY RESTARTS STATUS
    // ...` (a count between READY and STATUS, which kubectl never prints), older `... READY
    // STATUS RESTARTS` followed by a metric or the IP where kubectl prints AGE. Only the cells up
    // to STATUS and RESTARTS are read: the columns after them depend on the view.
    for restarts_first in [true, false] {
        for namespace in [true, false] {
            let l = Listing {
                k9s: true,
                restarts_first,
                ..Listing::new(Kind::Pods, namespace, false)
            };
            if l.pod_row(line).is_none() {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let marker = words.contains(&"●");
            let after = usize::from(namespace) + usize::from(marker) + 4;
            let k9s_cell = |w: &str| {
                w == "n/a" || w.parse::<u64>().is_ok() || w.parse::<std::net::IpAddr>().is_ok()
            };
            if restarts_first || words.get(after).is_some_and(|w| k9s_cell(w)) {
                return Some(l);
            }
        }
    }
    if name_status_row(line).is_some() {
        return Some(Listing {
            no_restarts: true,
            name_status: true,
            ..Listing::new(Kind::Pods, false, false)
        });
    }
    let l = Listing::new(Kind::Nodes, false, false);
    l.node_row(line).map(|_| l)
}

/// A row of only a pod's NAME and a STATUS that is a failure's reason (`configmap-pod-1
/// CreateContainerConfigError`): two words are too little to trust for anything milder.
fn name_status_row(line: &str) -> Option<PodRow> {
    let mut w = line.split_whitespace();
    let (name, status) = (w.next()?, w.next()?);
    if w.next().is_some() || !is_name(name) || !name.contains('-') {
        return None;
    }
    let failure = (is_waiting_reason(status)
        && !matches!(status, "ContainerCreating" | "PodInitializing"))
        || matches!(
            status,
            "OOMKilled" | "Evicted" | "Init:CrashLoopBackOff" | "Init:Error"
        );
    failure.then(|| PodRow {
        namespace: None,
        name: name.to_string(),
        ready: (0, 0),
        status: status.to_string(),
        restarts: None,
        age: None,
        node: None,
    })
}

/// Titles of `kubectl get` listings (pods, nodes, PVCs, PVs, workloads), for finding a header
/// whose line lost its newlines.
const TITLES: &[&str] = &[
    "NAMESPACE",
    "NAME",
    "READY",
    "STATUS",
    "RESTARTS",
    "AGE",
    "IP",
    "NODE",
    "NOMINATED",
    "READINESS",
    "GATES",
    "LABELS",
    "ROLES",
    "VERSION",
    "VOLUME",
    "CAPACITY",
    "ACCESS",
    "MODES",
    "STORAGECLASS",
    "VOLUMEATTRIBUTESCLASS",
    "VOLUMEMODE",
    "RECLAIM",
    "POLICY",
    "CLAIM",
    "REASON",
    "UP-TO-DATE",
    "AVAILABLE",
    "DESIRED",
    "CURRENT",
    "COMPLETIONS",
    "DURATION",
    "REFERENCE",
    "TARGETS",
    "MINPODS",
    "MAXPODS",
    "REPLICAS",
];

/// Splits a duration glued to the text after it (`5mapi-2`: `5m`, `api-2`), the way a web page
/// that dropped newlines joins a row's AGE with the next row's NAME.
fn split_glued_age(tok: &str) -> Option<(&str, &str)> {
    let b = tok.as_bytes();
    let mut i = 0;
    let mut end = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        let mut j = i;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j < b.len() && matches!(b[j], b's' | b'm' | b'h' | b'd' | b'y') {
            end = j + 1;
            i = j + 1;
        } else {
            break;
        }
    }
    // What follows starts a name (not another unit: `5ms` is no age).
    (end > 0 && end + 1 < b.len() && (b[end].is_ascii_alphabetic() || b[end] == b'$'))
        .then(|| (&tok[..end], &tok[end..]))
}

/// A `kubectl get` listing whose newlines a web page or a chat dropped: the header glued to the
/// command before it (`kubectl get podsNAME READY STATUS RESTARTS AGE`) or to the rows after it
/// (`AGEweb-1 0/1 ImagePullBackOff 0 5mapi-2 0/1 ErrImagePull 0 30s`), rows run together on one
/// line, or a row whose AGE is glued to the next command (`worker-0 0/1 Pending 0 12mkubectl
/// describe ...`). Returns the lines as kubectl printed them (cells separated by spaces), or
/// `None` when the line is not such a run (most lines: a header or row on its own line stays
/// as it is).
pub fn unflatten(line: &str) -> Option<Vec<String>> {
    if line.len() > 16 * 1024 {
        return None;
    }
    if let Some(at) = glued_header_at(line) {
        return Some(split_header_run(line, at));
    }
    glued_row(line)
}

/// Where a listing header starts in a line that also holds other text.
fn glued_header_at(line: &str) -> Option<usize> {
    // Built once: every line of a paste is looked at here.
    static NAME: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("NAME"));
    let mut from = 0;
    while let Some(i) = NAME.find(&line.as_bytes()[from..]) {
        let at = from + i;
        from = at + 4;
        // `NAMESPACE` or `NAME` must begin a word, or follow lower-case text it is glued to.
        let before = line[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_uppercase() || c == '_' || c == '-') {
            continue;
        }
        let words: Vec<&str> = line[at..].split_whitespace().take(12).collect();
        let mut n = 0;
        for w in &words {
            if TITLES.contains(w) {
                n += 1;
            } else {
                // The last title glued to the first row's name (`AGEweb-1`).
                if TITLES.iter().any(|t| {
                    w.strip_prefix(t).is_some_and(|r| {
                        r.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                    })
                }) {
                    n += 1;
                }
                break;
            }
        }
        let titles = &words[..n.min(words.len())];
        let known = titles.contains(&"STATUS") || titles.iter().any(|t| t.starts_with("AGE"));
        if n < 4 || !known {
            continue;
        }
        let prefix = line[..at].trim();
        let after_header: usize = {
            // Text after the header's last word on this line.
            let mut rest = &line[at..];
            for _ in 0..n {
                rest = rest.trim_start();
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                rest = &rest[end..];
            }
            rest.trim().len()
        };
        let glued_tail = words.get(n - 1).is_some_and(|w| !TITLES.contains(w));
        if prefix.is_empty() && after_header == 0 && !glued_tail {
            return None;
        }
        // A header's words run together with single spaces, or the whole line is a header
        // whose columns kubectl spaced (then only text glued before it makes it a run).
        return Some(at);
    }
    None
}

/// Cuts a line holding a listing header (at byte `at`) into the text before it, the header, and
/// its rows.
fn split_header_run(line: &str, at: usize) -> Vec<String> {
    let mut out = Vec::new();
    let prefix = line[..at].trim();
    if !prefix.is_empty() {
        out.push(prefix.to_string());
    }
    let mut toks: Vec<&str> = line[at..].split_whitespace().collect();
    let mut titles = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let w = toks[i];
        if TITLES.contains(&w) {
            titles.push(w);
            i += 1;
            continue;
        }
        // `AGEweb-1`: the longest title it starts with.
        let glued = TITLES
            .iter()
            .filter(|t| w.starts_with(**t) && w.len() > t.len())
            .max_by_key(|t| t.len());
        if let Some(t) = glued {
            titles.push(t);
            toks[i] = &w[t.len()..];
        }
        break;
    }
    // A header cut after a glued title keeps its cells in the rows that follow.
    out.push(join_titles(&titles));
    let rest = &toks[i..];
    if rest.is_empty() {
        return out;
    }
    let pods = titles.contains(&"READY") && titles.contains(&"STATUS");
    if pods {
        let namespace = titles.first() == Some(&"NAMESPACE");
        let restarts = titles.contains(&"RESTARTS");
        let wide = wide_cells(&titles);
        let (rows, left, _) = pod_rows(rest, namespace, restarts, wide);
        out.extend(rows);
        if !left.is_empty() {
            out.push(left.join(" "));
        }
    } else if titles.get(1) == Some(&"STATUS") && titles.last() == Some(&"VERSION") {
        out.extend(node_rows(rest));
    } else {
        out.push(rest.join(" "));
    }
    out
}

/// `kubectl get nodes` rows run together (`cp-1 Ready control-plane 41d v1.30.4worker-2 NotReady
/// <none> 41d v1.30.4`): each row ends with its kubelet VERSION, which may be glued to the next
/// row's NAME.
fn node_rows(toks: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut row: Vec<String> = Vec::new();
    for t in toks {
        let v = t.as_bytes();
        let version = v.first() == Some(&b'v') && v.get(1).is_some_and(u8::is_ascii_digit);
        if !version || row.len() < 3 {
            row.push(t.to_string());
            continue;
        }
        // `v1.30.4` and what is glued after it: the version runs over digits and dots, and
        // anything else right after them starts the next row's name.
        let mut end = v.len();
        for (i, b) in v.iter().enumerate().skip(1) {
            match b {
                b'0'..=b'9' | b'.' => {}
                // A suffix (`-eks-1a2b`, `+k3s1`): where it ends cannot be told; keep it all.
                b'-' | b'+' => break,
                _ => {
                    end = i;
                    break;
                }
            }
        }
        row.push(t[..end].to_string());
        out.push(row.join("   "));
        row = Vec::new();
        if end < t.len() {
            row.push(t[end..].to_string());
        }
    }
    if !row.is_empty() {
        out.push(row.join(" "));
    }
    out
}

/// The header again, its multi-word titles (`ACCESS MODES`, `NOMINATED NODE`) kept together and
/// columns separated by three spaces, as kubectl prints them.
fn join_titles(titles: &[&str]) -> String {
    let mut cols: Vec<String> = Vec::new();
    for t in titles {
        match (cols.last_mut(), *t) {
            (Some(prev), "MODES") if prev == "ACCESS" => prev.push_str(" MODES"),
            (Some(prev), "POLICY") if prev == "RECLAIM" => prev.push_str(" POLICY"),
            (Some(prev), "NODE") if prev == "NOMINATED" => prev.push_str(" NODE"),
            (Some(prev), "GATES") if prev == "READINESS" => prev.push_str(" GATES"),
            _ => cols.push(t.to_string()),
        }
    }
    cols.join("   ")
}

/// How many cells a pod row has after AGE (`-o wide`: IP, NODE, NOMINATED NODE, READINESS GATES).
fn wide_cells(titles: &[&str]) -> usize {
    let Some(age) = titles.iter().position(|t| *t == "AGE") else {
        return 0;
    };
    let after = &titles[age + 1..];
    let joined = after
        .windows(2)
        .filter(|w| matches!((w[0], w[1]), ("NOMINATED", "NODE") | ("READINESS", "GATES")))
        .count();
    after.len() - joined
}

/// Reads pod rows run together (`web-1 0/1 ImagePullBackOff 0 5mapi-2 0/1 ErrImagePull 0 30s`):
/// each row as a line, the tokens left after the last row that fits, and whether the last row's
/// AGE was glued to what follows.
fn pod_rows<'a>(
    toks: &[&'a str],
    namespace: bool,
    restarts: bool,
    wide: usize,
) -> (Vec<String>, Vec<&'a str>, bool) {
    let mut toks: Vec<&'a str> = toks.to_vec();
    let mut rows = Vec::new();
    let mut i = 0;
    let mut glued = false;
    loop {
        let mut row_glued = false;
        let start = i;
        let mut cells: Vec<&str> = Vec::new();
        let ok = (|| {
            if namespace {
                cells.push(*toks.get(i).filter(|t| is_name(t))?);
                i += 1;
            }
            cells.push(
                *toks
                    .get(i)
                    .filter(|t| is_name(t.strip_prefix("pod/").unwrap_or(t)))?,
            );
            ready_cell(toks.get(i + 1)?)?;
            cells.push(toks[i + 1]);
            cells.push(*toks.get(i + 2).filter(|t| is_status(t))?);
            i += 3;
            if restarts {
                cells.push(*toks.get(i).filter(|t| t.parse::<u32>().is_ok())?);
                i += 1;
                if toks.get(i).is_some_and(|t| t.starts_with('(')) {
                    while i < toks.len() {
                        cells.push(toks[i]);
                        i += 1;
                        if cells.last().is_some_and(|c| c.ends_with(')')) {
                            break;
                        }
                    }
                }
            }
            let age = *toks.get(i)?;
            if super::time::parse_age(age).is_some() {
                cells.push(age);
                i += 1;
            } else {
                let (a, next) = split_glued_age(age)?;
                cells.push(a);
                // The rest of the token is what followed the row.
                toks[i] = next;
                row_glued = true;
                return Some(());
            }
            for _ in 0..wide {
                let Some(t) = toks.get(i) else { break };
                cells.push(t);
                i += 1;
            }
            Some(())
        })();
        if ok.is_none() {
            i = start;
            break;
        }
        glued = row_glued;
        rows.push(cells.join("   "));
        if i >= toks.len() {
            break;
        }
    }
    (rows, toks[i..].to_vec(), glued)
}

/// A pod row (no namespace, no header) whose AGE is glued to whatever followed it on the page.
fn glued_row(line: &str) -> Option<Vec<String>> {
    // Cheap test first: the second word is a READY cell (`0/1`).
    let mut w = line.split_whitespace();
    w.next()?;
    ready_cell(w.next()?)?;
    let toks: Vec<&str> = line.split_whitespace().collect();
    for restarts in [true, false] {
        let (mut rows, left, glued) = pod_rows(&toks, false, restarts, 0);
        // Only a glued AGE makes this a run; a clean row is read as it is.
        if glued && rows.len() == 1 {
            rows.push(left.join(" "));
            return Some(rows);
        }
    }
    None
}

/// A STATUS cell cut short by the page at the end of a row: the one waiting reason it is the
/// start of (eight characters at least), else the cell as it is.
fn cut_status(s: &str) -> &str {
    const LONG: &[&str] = &[
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "InvalidImageName",
        "ErrImageNeverPull",
        "ContainerCreating",
        "PodInitializing",
    ];
    if s.len() < 8 || is_waiting_reason(s) {
        return s;
    }
    let mut hits = LONG.iter().filter(|r| r.starts_with(s));
    match (hits.next(), hits.next()) {
        (Some(r), None) => r,
        _ => s,
    }
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

/// The STATUS cell `kubectl get pods` would print for a pod given whole (by `kubectl describe pod`
/// or its YAML/JSON), when the pod's own facts decide it: `Pending` or `SchedulingGated`, with no
/// pod reason, no deletion and no container status (kubectl prints a container's waiting or
/// terminated reason, or `Init:N/M`, instead). `containers` are that pod's. The rules that read a
/// listing's STATUS then read the describe or YAML the same way, which is the point: a describe
/// `Status: Pending` with `Node: <none>` is the listing's `Pending` row with no node (its AGE is
/// not printed). `None` for every other pod.
pub(super) fn printed_status(
    pod: &PodInfo,
    containers: &[ContainerStatus],
    gated: bool,
) -> Option<String> {
    if pod.deletion.is_some() || pod.reason.is_some() {
        return None;
    }
    if containers
        .iter()
        .any(|c| c.state.is_some() || c.last_state.is_some())
    {
        return None;
    }
    let cell = if gated { "SchedulingGated" } else { "Pending" };
    // Only a cell the listing itself reads as this pod's phase and nothing more.
    match status_facts(cell) {
        (Some(phase), None, None) if pod.phase.as_deref() == Some(phase) => Some(cell.to_string()),
        _ => None,
    }
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
        // A CI timestamper's clock before each row (Jenkins: `11:32:11  web-0  0/1  Error ...`).
        let line = super::events::strip_row_time(line);
        if line.trim().is_empty() {
            return if self.rows == 0 && self.listing.header {
                Offer::Taken
            } else {
                Offer::Done
            };
        }
        // `kubectl get pods -w` repeats the header; several listings may follow each other.
        if let Some(h) = header(line) {
            let seen = std::mem::take(&mut self.listing.seen);
            self.listing = h;
            self.listing.seen = seen;
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
            probes: Default::default(),
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
        let line = super::events::strip_row_time(line);
        match self.listing.kind {
            Kind::Pods0 => self.row0(n, line, cx),
            Kind::Pods => {
                let Some(r) = self.listing.pod_row(line) else {
                    return false;
                };
                let prov = cx.prov(n, "get-pods");
                let (phase, reason, container) = status_facts(&r.status);
                let key = crate::evidence::pod_key(r.namespace.as_deref(), &r.name);
                // `-w`: the last row of a pod is its state now: what an earlier row said of the
                // pod (Pending, ContainerCreating, ErrImagePull) is over. A container that ended
                // (OOMKilled, Error) or crash-looped stays: a crash loop passes through Running
                // between its restarts, so a later Running row does not end it.
                let mut age = r.age;
                if let Some(k) = &key {
                    if let Some(at) = self.listing.seen.iter().position(|(s, _)| s == k) {
                        // A watch shows a deletion as it happens: the pod's AGE says nothing of
                        // how long it has been Terminating.
                        if r.status == "Terminating" {
                            age = None;
                        }
                        let old = cx.prov(self.listing.seen.remove(at).1, "get-pods");
                        cx.ev.pods.retain(|p| p.provenance != old);
                        cx.ev.containers.retain(|c| {
                            c.provenance != old
                                || match &c.state {
                                    Some(ContainerState::Waiting { reason, .. }) => {
                                        reason.as_deref() == Some("CrashLoopBackOff")
                                    }
                                    // `0/1  Running` then `1/1  Running`: ready now.
                                    Some(ContainerState::Running { .. }) => false,
                                    _ => true,
                                }
                        });
                    }
                    self.listing.seen.push((k.clone(), n));
                }
                cx.ev.pods.push(PodInfo {
                    name: Some(r.name.clone()),
                    namespace: r.namespace.clone(),
                    phase: phase.map(str::to_string),
                    reason,
                    node_name: r.node.clone(),
                    created: age.map(crate::evidence::When::Age),
                    listed_status: Some(r.status.clone()),
                    provenance: prov.clone(),
                    ..Default::default()
                });
                if let Some((kind, state)) = container {
                    let (x, y) = r.ready;
                    cx.ev.containers.push(ContainerStatus {
                        probes: Default::default(),
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
                } else if r.status == "Running" && r.ready.0 < r.ready.1 {
                    // `2/3  Running`: every container runs (kubectl would print a waiting
                    // container's reason), and one of them, unnamed, is not ready.
                    cx.ev.containers.push(ContainerStatus {
                        probes: Default::default(),
                        pod: key,
                        name: String::new(),
                        kind: ContainerKind::Regular,
                        image: None,
                        ready: Some(false),
                        restart_count: r.restarts,
                        state: Some(ContainerState::Running { started_at: None }),
                        last_state: None,
                        provenance: prov,
                    });
                }
                true
            }
            Kind::Claims => {
                let Some(mut c) = self.listing.claim_row(line) else {
                    return false;
                };
                c.provenance = cx.prov(n, "get-pvc");
                cx.ev.claims.push(c);
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
                // A node that joined seconds ago is NotReady until its kubelet and network plugin
                // are up (a kind or kubeadm cluster being created): not a failure yet.
                let age = line
                    .split_whitespace()
                    .skip(2)
                    .find_map(super::time::parse_age);
                if ready == "False"
                    && matches!(age, Some(super::time::Age::Secs(s)) if s < NODE_STARTING_SECS)
                {
                    return true;
                }
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

/// How long a freshly registered node may show NotReady in `kubectl get nodes` before it counts.
const NODE_STARTING_SECS: u64 = 60;

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

    // A page that lost its newlines (corpus-i i11): the header glued to the command and to the
    // first row, each AGE glued to the next row's NAME.
    #[test]
    fn flattened_listing_is_cut_into_lines() {
        let v = unflatten("$ kubectl get podsNAME READY STATUS RESTARTS AGEweb-1 0/1 ImagePullBackOff 0 5mapi-2 0/1 ErrImagePull 0 30sworker 0/1 ImagePullBackOff 0 8m").unwrap();
        assert_eq!(
            v,
            vec![
                "$ kubectl get pods",
                "NAME   READY   STATUS   RESTARTS   AGE",
                "web-1   0/1   ImagePullBackOff   0   5m",
                "api-2   0/1   ErrImagePull   0   30s",
                "worker   0/1   ImagePullBackOff   0   8m",
            ]
        );
        // Only the header glued to the command (i95); its row is on the next line.
        let v =
            unflatten("kubectl get pod insufficient-resources-podNAME READY STATUS RESTARTS AGE")
                .unwrap();
        assert_eq!(v[1], "NAME   READY   STATUS   RESTARTS   AGE");
        assert_eq!(v.len(), 2);
        // Rows run together with single spaces, no RESTARTS column, and a trailing remark (i64).
        let v = unflatten("NAME READY STATUS AGE web-6b7c-2fq8p 1/1 Running 30s web-6b7c-4lmxc 0/1 Pending 30s ... 16 more Pending ...").unwrap();
        assert_eq!(
            v,
            vec![
                "NAME   READY   STATUS   AGE",
                "web-6b7c-2fq8p   1/1   Running   30s",
                "web-6b7c-4lmxc   0/1   Pending   30s",
                "... 16 more Pending ...",
            ]
        );
        // A row whose AGE is glued to the next command (i4).
        let v =
            unflatten("worker-0 0/1 Pending 0 12mkubectl describe pod worker-0 -n data").unwrap();
        assert_eq!(
            v,
            vec![
                "worker-0   0/1   Pending   0   12m",
                "kubectl describe pod worker-0 -n data"
            ]
        );
        // `-o wide` and `-A` flattened.
        let v = unflatten("NAMESPACE NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES kube-system coredns-1 0/1 Pending 0 11m <none> <none> <none> <none> kube-system etcd-m 1/1 Running 1 12m 10.0.0.2 m <none> <none>").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(
            v[1],
            "kube-system   coredns-1   0/1   Pending   0   11m   <none>   <none>   <none>   <none>"
        );
        let h = header(&v[0]).unwrap();
        assert!(h.namespace);
        assert_eq!(h.pod_row(&v[1]).unwrap().node, None);
        // A PVC header glued to its command.
        let v = unflatten(
            "kubectl get pvc -n dataNAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS AGE",
        )
        .unwrap();
        assert_eq!(
            v[1],
            "NAME   STATUS   VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   AGE"
        );
    }

    #[test]
    fn lines_kubectl_printed_stay_as_they_are() {
        for line in [
            "NAME                         READY   STATUS    RESTARTS   AGE",
            "wordpress-5ccb957fb9-gxvwx   0/1     Pending   0          3m38s",
            "web-1 0/1 CrashLoopBackOff 5 (41s ago) 3m",
            "NAMESPACE     NAME     READY   STATUS    RESTARTS   AGE",
            "Error from server (NotFound): pods \"NAME\" not found",
            "export POD_NAME=web # READY STATUS",
            "ratio 0/2 achieved at 5ms",
        ] {
            assert_eq!(unflatten(line), None, "{line}");
        }
        assert_eq!(split_glued_age("5mapi-2"), Some(("5m", "api-2")));
        assert_eq!(split_glued_age("3m38ssvc-0"), Some(("3m38s", "svc-0")));
        assert_eq!(split_glued_age("30s"), None);
        assert_eq!(split_glued_age("5ms"), None);
    }

    #[test]
    fn header_without_restarts() {
        let h = header("NAME   READY   STATUS   AGE").unwrap();
        let r = h.pod_row("web-1   0/1   Pending   30s").unwrap();
        assert_eq!((r.restarts, r.age), (None, Some(30)));
    }

    #[test]
    fn rows_give_age_and_status() {
        let (ev, _) = super::super::tests_paste::parse_text(
            "NAME        READY   STATUS        RESTARTS   AGE\nstuck-pod   1/1     Terminating   0          15m\nweb-0       0/1     Init:0/2      0          2m\n",
        );
        assert_eq!(ev.pods.len(), 2);
        assert_eq!(ev.pods[0].listed_status.as_deref(), Some("Terminating"));
        assert_eq!(ev.pods[0].created, Some(crate::evidence::When::Age(900)));
        assert_eq!(ev.pods[1].listed_status.as_deref(), Some("Init:0/2"));
        assert_eq!(ev.pods[1].phase.as_deref(), Some("Pending"));
    }

    // `kubectl get pods -w`: the last row of a pod is its state now.
    #[test]
    fn watch_keeps_the_last_row_of_each_pod() {
        let (ev, _) = super::super::tests_paste::parse_text(
            "NAME    READY   STATUS              RESTARTS   AGE\nweb-0   0/1     Pending             0          0s\nweb-0   0/1     ContainerCreating   0          1s\nweb-0   0/1     ErrImagePull        0          4s\nweb-0   1/1     Running             0          40s\ndb-0    0/1     CrashLoopBackOff    3          2m\n",
        );
        assert_eq!(ev.pods.len(), 2);
        assert_eq!(ev.pods[0].listed_status.as_deref(), Some("Running"));
        assert_eq!(ev.containers.len(), 1, "{:?}", ev.containers);
        assert_eq!(ev.containers[0].pod.as_deref(), Some("db-0"));
        // A container that was OOM-killed between Running rows stays (corpus oom-getpods-watch-b2).
        let (ev, _) = super::super::tests_paste::parse_text(
            "web-0   0/1   OOMKilled   0     27m\nweb-0   1/1   Running   1     27m\nweb-0   0/1   CrashLoopBackOff   1     28m\nweb-0   1/1   Running   2     28m\n",
        );
        assert_eq!(ev.pods.len(), 1);
        assert_eq!(ev.containers.len(), 2, "{:?}", ev.containers);
    }

    // A commented listing (`# mypod ...`) is no row of namespace `#`.
    #[test]
    fn a_comment_mark_is_no_namespace() {
        assert!(headerless("# mypod    1/1     Terminating   0          2d").is_none());
    }

    #[test]
    fn claim_rows() {
        let h = header("NAME     STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   AGE")
            .unwrap();
        assert_eq!(h.kind, Kind::Claims);
        assert_eq!(h.format(), "get-pvc");
        let c = h
            .claim_row("data     Pending                                      gp3            5m")
            .unwrap();
        assert_eq!(
            (c.status.as_str(), c.storage_class.as_deref()),
            ("Pending", Some("gp3"))
        );
        assert_eq!(c.created, Some(crate::evidence::When::Age(300)));
        // No storage class, and a page that collapsed the empty cells.
        let c = h.claim_row("data-0 Pending 12m").unwrap();
        assert_eq!((c.storage_class, c.volume), (None, None));
        let c = h
            .claim_row("data-mongo-0   Bound    pvc-8e5b1c2a   20Gi   RWO   gp3   3d")
            .unwrap();
        assert_eq!(c.volume.as_deref(), Some("pvc-8e5b1c2a"));
        assert_eq!(c.storage_class.as_deref(), Some("gp3"));
        // kubectl >= 1.29: VOLUMEATTRIBUTESCLASS `<unset>`; `-o wide`: VOLUMEMODE; `-A`.
        let h = header("NAMESPACE   NAME   STATUS   VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE   VOLUMEMODE").unwrap();
        let c = h
            .claim_row("db   data-0   Pending   <unset>   7m   Filesystem")
            .unwrap();
        assert_eq!(c.namespace.as_deref(), Some("db"));
        assert_eq!(c.storage_class, None);
        assert!(h.claim_row("db   data-0   Terminating   7m").is_none());
    }

    #[test]
    fn flattened_nodes() {
        let v = unflatten("$ kubectl get nodesNAME STATUS ROLES AGE VERSIONcp-1 Ready control-plane 41d v1.30.4worker-2 NotReady <none> 41d v1.30.4+k3s1").unwrap();
        assert_eq!(
            v,
            vec![
                "$ kubectl get nodes",
                "NAME   STATUS   ROLES   AGE   VERSION",
                "cp-1   Ready   control-plane   41d   v1.30.4",
                "worker-2   NotReady   <none>   41d   v1.30.4+k3s1",
            ]
        );
        let h = header(&v[1]).unwrap();
        assert_eq!(h.kind, Kind::Nodes);
        assert_eq!(h.node_row(&v[3]), Some(("worker-2", "NotReady")));
    }

    // A tool that prints only NAME and STATUS (corpus-h h119, Arktos' kubectl.sh).
    #[test]
    fn name_and_status_rows() {
        let l = headerless("configmap-pod-1   CreateContainerConfigError ").unwrap();
        let r = l
            .pod_row("configmap-pod-1   CreateContainerConfigError ")
            .unwrap();
        assert_eq!(r.status, "CreateContainerConfigError");
        assert!(headerless("web-1   Running").is_none());
        assert!(headerless("status CrashLoopBackOff").is_none());
        // STATUS cut by the page: completed only when one waiting reason starts so.
        assert_eq!(cut_status("ContainerCreati"), "ContainerCreating");
        assert_eq!(cut_status("CreateContainer"), "CreateContainer");
        assert_eq!(cut_status("Running"), "Running");
        assert_eq!(cut_status("Terminat"), "Terminat");
        assert!(headerless("web-1 CrashLoopBackOff again").is_none());
    }
}
