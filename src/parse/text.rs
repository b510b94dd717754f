//! Messages in text that fits no structure: a message line pasted alone, and the journal and klog
//! lines of kubelet, containerd, CRI-O and dockerd.
//!
//! Owns taking one such line apart: the journald prefix (`Nov 23 10:00:00 node-1 kubelet[1234]: `),
//! RFC 3339 timestamps, the klog header (`E1123 10:00:00.000000 1234 pod_workers.go:1298] `), klog's
//! structured form (`"Error syncing pod, skipping" err="..." pod="ns/name"`), logfmt
//! (`time="..." level=error msg="..." error="..."`), a leading `Warning Reason` as grep or chat
//! quotes events, and the field path kubectl >= 1.35 puts before describe event messages
//! (`spec.containers{app}: `). What is left is the message; the reason is also taken from the few
//! message templates that name their event unambiguously (`0/5 nodes are available: ...` is always a
//! `FailedScheduling`). The result becomes a [`TextMessage`] that `event` and `container` message
//! matchers see (see `crate::engine`).

use crate::evidence::TextMessage;

/// What one line says, once its wrappers are taken off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysed {
    pub message: String,
    pub type_: Option<String>,
    pub reason: Option<String>,
    pub object_kind: Option<String>,
    pub pod: Option<String>,
    pub container: Option<String>,
    pub source: Option<String>,
    /// A journal, klog or logfmt prefix was recognised.
    pub journal: bool,
}

impl Analysed {
    pub fn into_message(self, line: &str, provenance: crate::evidence::Provenance) -> TextMessage {
        TextMessage {
            message: self.message,
            line: line.to_string(),
            type_: self.type_,
            reason: self.reason,
            object_kind: self.object_kind,
            pod: self.pod,
            container: self.container,
            source: self.source,
            repeats: 1,
            provenance,
        }
    }
}

/// Takes a free-text line apart. `None` for blank lines.
pub fn analyse(line: &str) -> Option<Analysed> {
    let mut a = Analysed::default();
    // Typographic quotes a blog, a word processor or a chat client put in place of the ASCII
    // ones kubelet and the controllers print (`AttachVolume.Attach failed for volume “grafana”`).
    let straight: String;
    let line = if line.contains(['\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}']) {
        straight = line
            .replace(['\u{201c}', '\u{201d}'], "\"")
            .replace(['\u{2018}', '\u{2019}'], "'");
        &straight
    } else {
        line
    };
    let mut rest = line.trim();
    if rest.is_empty() {
        return None;
    }
    if let Some((src, r)) = console_prefix(rest) {
        if let Some(src) = src {
            a.source = Some(src.to_string());
        }
        a.journal = true;
        rest = r;
    }
    if let Some((src, r)) = journald_prefix(rest) {
        a.source = Some(src.to_string());
        a.journal = true;
        rest = r;
    }
    if let Some(r) = wrapper_prefix(rest) {
        rest = r;
    }
    if let Some((level, r)) = logrus_text_prefix(rest) {
        a.journal = true;
        if matches!(level, "WARN" | "ERRO" | "FATA" | "PANI") {
            a.type_ = Some("Warning".into());
        }
        rest = r;
    }
    if let Some(r) = timestamp_prefix(rest) {
        rest = r;
    }
    // A clock time before the text (`3:05:26 PM`, the Kubernetes dashboard's event list).
    rest = super::events::strip_row_time(rest);
    if let Some((level, r)) = klog_header(rest) {
        a.journal = true;
        if matches!(level, 'E' | 'W' | 'F') {
            a.type_ = Some("Warning".into());
        }
        rest = r;
    }
    let owned: String;
    if let Some(s) = structured(rest, &mut a) {
        a.journal = true;
        owned = s;
        rest = &owned;
    }
    let rest = rest.trim();
    // What an event recorder or a test framework logs about an event it records or dumps.
    let rest = match recorded_event(rest)
        .or_else(|| e2e_event(rest))
        .or_else(|| origin_event(rest))
    {
        Some(r) => {
            a.journal = true;
            if let Some(k) = r.kind {
                a.object_kind = Some(super::events::kind_name(k));
            }
            if let Some(p) = r.pod {
                a.pod = Some(p);
            }
            a.type_ = Some(match r.type_ {
                Some(t) => t.to_string(),
                None => super::events::type_of_reason(r.reason).to_string(),
            });
            a.reason = Some(r.reason.to_string());
            if let Some(src) = r.source {
                a.source = Some(src.to_string());
            }
            r.message
        }
        None => rest,
    };
    // A tool's mark on an event it relays (Tilt: `[event: pod ns/name] Liveness probe failed`).
    let rest = match tool_event_prefix(rest) {
        Some((pod, r)) => {
            if let Some(p) = pod {
                a.pod = Some(p.to_string());
                a.object_kind = Some("Pod".to_string());
            }
            r
        }
        None => rest,
    };
    // An event's type in brackets before its message: JupyterHub KubeSpawner's progress log
    // `2022-05-02T00:33:47.149327Z [Warning] 0/13 nodes are available: ...`, `... [Normal] Successfully
    // assigned ns/pod to node`.
    let rest = match bracketed_event_type(rest) {
        Some((t, r)) => {
            a.type_ = Some(t.to_string());
            r
        }
        None => rest,
    };
    // `Warning  FailedScheduling  0/3 nodes are available: ...` (no age or source column), or an
    // old describe row copied from its source or sub-object column on (`{kubelet node-1}
    // spec.containers{web}  Warning  Unhealthy  Readiness probe failed: ...`).
    let rest = match leading_type_reason(rest) {
        Some((t, r, m)) => {
            a.type_ = Some(t.to_string());
            a.reason = Some(r.to_string());
            // `kubectl get events` cut to TYPE REASON OBJECT MESSAGE (no age column, or a chat's
            // retelling): `Warning  Unhealthy  pod/web-0  Liveness probe failed: ...`; `-o wide`
            // adds SUBOBJECT and SOURCE before the message.
            event_columns(m, &mut a)
        }
        None => match columns_type_reason(rest) {
            Some(c) => {
                a.type_ = Some(c.type_.to_string());
                a.reason = Some(c.reason.to_string());
                if let Some(name) = c.container {
                    a.container = Some(name.to_string());
                }
                if a.source.is_none() {
                    a.source = c.source.map(str::to_string);
                }
                c.message
            }
            None => rest,
        },
    };
    // `FailedMount     Unable to mount volumes for pod ...`: the REASON and MESSAGE columns of an
    // event row cut from its table (no type), kept when the message's template names that reason.
    let rest = match leading_reason(rest) {
        Some((r, m)) if a.reason.is_none() => {
            a.reason = Some(r.to_string());
            m
        }
        _ => rest,
    };
    // A YAML or JSON `message:` key whose document could not be read: the value is the message.
    let rest = ["message: ", "msg: ", "\"message\": ", "Message: "]
        .iter()
        .find_map(|k| rest.strip_prefix(k))
        .map(|r| r.trim().trim_matches(['\'', '"', ',']))
        .unwrap_or(rest);
    // Knative's Configuration and Service conditions relay their Revision's failure: `Revision
    // "hello-00001" failed with message: Back-off pulling image "...".` — the message is the
    // Revision's own (a kubelet or scheduler message).
    let rest = rest
        .strip_prefix("Revision \"")
        .and_then(|r| r.split_once("\" failed with message: "))
        .map(|(_, m)| m)
        .unwrap_or(rest);
    // kubelet's event aggregator marks a message that stands for several similar events.
    let rest = rest
        .strip_prefix("(combined from similar events): ")
        .unwrap_or(rest);
    let rest = match field_path(rest) {
        Some((c, m)) => {
            a.container = Some(c.to_string());
            m
        }
        None => rest,
    };
    a.message = rest.trim().to_string();
    if a.message.is_empty() {
        return None;
    }
    // One node's line of a 1.2-1.5 scheduler verdict, pasted without its event.
    if let Some(summary) = fit_failure_summary(&a.message) {
        a.message = summary;
    }
    // A message quoted in prose or behind a label: `"0/3 nodes are available: ...".`,
    // ``Error : `0/260 nodes are available: ...` ``. Taken off only when what is inside names its
    // event (so quoted application output stays as it was).
    if let Some(inner) = quoted_message(&a.message) {
        if implied_reason(inner).is_some() || bare_predicates(inner).is_some() {
            a.message = inner.to_string();
        }
    }
    // A message quoted inside prose: ``kubectl describe shows `Error: container has runAsNonRoot
    // and image will run as root` on 1.14.2``, `"Readiness probe failed: Get" after creating ...`.
    // Taken only when the span names its event.
    if a.reason.is_none() && implied_reason(&a.message).is_none() {
        if let Some(inner) = embedded_message(&a.message) {
            a.message = inner.to_string();
        }
    }
    // A label before an unquoted message (`Error : 0/260 nodes are available: ...`, `报错：...`).
    if a.reason.is_none() && implied_reason(&a.message).is_none() {
        if let Some(m) = after_label(&a.message) {
            if implied_reason(m).is_some() {
                a.message = m.to_string();
            }
        }
    }
    // The event's source column before the message (`default-scheduler  0/2 nodes are
    // available: ...`, `kubelet, node-1  Liveness probe failed: ...`).
    if a.reason.is_none() {
        if let Some(m) = after_source(&a.message) {
            if implied_reason(m).is_some() || bare_predicates(m).is_some() {
                if a.source.is_none() {
                    a.source = a.message.split([' ', ',']).next().map(str::to_string);
                }
                a.message = m.to_string();
            }
        }
    }
    // The scheduler's reasons without their `0/N nodes are available: ` head (a paste cut before
    // it): the head is put back, N being the nodes the reasons count (each filtered node is
    // counted under the one filter that rejected it).
    if a.reason.is_none() {
        if let Some(total) = bare_predicates(&a.message) {
            a.message = format!("0/{total} nodes are available: {}", a.message);
        }
    }
    if a.reason.is_none() {
        if let Some((reason, kind, message)) = component_log(&a.message) {
            a.reason = Some(reason.to_string());
            a.object_kind = Some(kind.to_string());
            a.type_ = Some("Warning".to_string());
            a.message = message;
        }
    }
    if a.reason.is_none() {
        if let Some((reason, kind)) = implied_reason(&a.message) {
            a.reason = Some(reason.to_string());
            if let Some(k) = kind {
                a.object_kind = Some(k.to_string());
            }
            if a.type_.is_none() {
                a.type_ = Some(
                    if matches!(
                        reason,
                        "Pulled" | "Pulling" | "Created" | "Started" | "Scheduled"
                    ) {
                        "Normal"
                    } else {
                        "Warning"
                    }
                    .to_string(),
                );
            }
        }
    }
    if a.container.is_none() {
        a.container = container_named(&a.message);
    }
    Some(a)
}

/// Whether a line is a component's record of a Kubernetes event (client-go's event recorder, the
/// e2e framework's event dump, OpenShift CI's monitor): such a line in a container's log still
/// stands for that event.
pub fn relays_event(line: &str) -> bool {
    let cheap = line.contains("Event(")
        || line.contains(" - event for ")
        || line.contains("times, something is wrong: ");
    cheap
        && analyse(line).is_some_and(|a| {
            a.journal
                && a.reason.is_some()
                && (line.contains("Event(") || a.object_kind.is_some() || a.pod.is_some())
        })
}

/// Whether a line ends as a hard wrap leaves it: a long line with the space the wrap was made at
/// (not after a sentence's end), or after a `:`, `,`, `=`, `(` or `[` that the text goes on
/// after.
pub fn ends_wrapped(line: &str) -> bool {
    let t = line.trim_end();
    !t.is_empty()
        && ((line.len() > t.len() && t.len() >= 40 && !t.ends_with('.'))
            || t.ends_with([':', ',', '=', '(', '[']))
}

/// Whether a free-text line can be the continuation of a wrapped message: it starts nothing of its
/// own (no journal, klog or logfmt header, no event type, no message template that names an
/// event, not a command line).
pub fn continues_message(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || t.starts_with("Warning") || t.starts_with("Normal") {
        return false;
    }
    if super::logs::prompt(line).is_some() {
        return false;
    }
    match analyse(line) {
        Some(a) => !a.journal && a.reason.is_none() && a.type_.is_none(),
        None => false,
    }
}

/// Prefixes that consoles and log viewers put before a node component's log line: the kernel
/// console's (dmesg, a serial console, CoreOS / Tectonic boot logs) `[ 4826.609574] ` uptime stamp,
/// with the `bootkube[5]: ` program tag that may follow it; and the Rancher 1.x UI's local time
/// `12/6/2016 1:24:29 PM`, glued to the line it stamps. The program, if named, and the rest; taken
/// off only when a log header (klog, logfmt, a timestamp) or nothing else follows.
fn console_prefix(line: &str) -> Option<(Option<&str>, &str)> {
    if let Some(r) = line.strip_prefix('[') {
        let close = r.find(']')?;
        let stamp = r[..close].trim_start();
        let (secs, frac) = stamp.split_once('.')?;
        if secs.is_empty()
            || frac.is_empty()
            || !secs.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let rest = r[close + 1..].trim_start();
        // `bootkube[5]: ` after the stamp names the program.
        if let Some((prog, after)) = rest.split_once(": ") {
            if let Some((name, pid)) = prog.split_once('[') {
                if !name.is_empty()
                    && !name.contains(' ')
                    && pid
                        .strip_suffix(']')
                        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Some((Some(name), after));
                }
            }
        }
        return Some((None, rest));
    }
    // Rancher 1.x: `M/D/YYYY h:mm:ss AM|PM` immediately before the line.
    let b = line.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    let (date, r) = line.split_once(' ')?;
    let mut parts = date.split('/');
    let ok_date = matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(m), Some(d), Some(y), None)
            if (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) && y.len() == 4
                && date.bytes().all(|c| c.is_ascii_digit() || c == b'/')
    );
    if !ok_date {
        return None;
    }
    let (time, r) = r.split_once(' ')?;
    if time.matches(':').count() != 2 || !time.bytes().all(|c| c.is_ascii_digit() || c == b':') {
        return None;
    }
    let r = r.strip_prefix("AM").or_else(|| r.strip_prefix("PM"))?;
    let rest = r.trim_start();
    (klog_header(rest).is_some() || rest.starts_with("time=\"") || timestamp_prefix(rest).is_some())
        .then_some((None, rest))
}

/// `Nov 23 10:00:00 node-1 kubelet[1234]: rest` (journalctl / syslog): the program and the rest.
fn journald_prefix(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.len() < 20 {
        return None;
    }
    // journalctl and `systemctl status` in a Chinese locale: `12月 01 10:00:00 node-1 kubelet[1234]: `.
    if b[0].is_ascii_digit() {
        let (month, _) = line.split_once('月')?;
        let m: u8 = month.parse().ok()?;
        if !(1..=12).contains(&m) {
            return None;
        }
        return journald_rest(line[month.len() + '月'.len_utf8()..].trim_start());
    }
    if !b[0].is_ascii_uppercase() {
        return None;
    }
    let mut words = line.splitn(5, ' ').filter(|w| !w.is_empty());
    let month = words.next()?;
    if !matches!(
        month,
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
        return None;
    }
    // Day may be padded with a second space (`Nov  3`).
    journald_rest(line[3..].trim_start())
}

/// The journald prefix after the month: `23 10:00:00 node-1 kubelet[1234]: rest`.
fn journald_rest(after_month: &str) -> Option<(&str, &str)> {
    let (day, r) = after_month.split_once(' ')?;
    if !day.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (time, r) = r.trim_start().split_once(' ')?;
    if time.len() < 8 || time.as_bytes()[2] != b':' {
        return None;
    }
    let (_host, r) = r.split_once(' ')?;
    let (prog, r) = r.split_once(": ")?;
    let name = prog.split('[').next()?;
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    Some((name, r))
}

/// `2024-05-01T10:00:00.123Z ` / `2024-05-01 10:00:00,123 ` / `[2024-05-01 10:00:00] ` prefixes.
fn timestamp_prefix(line: &str) -> Option<&str> {
    let t = line.strip_prefix('[').unwrap_or(line);
    let b = t.as_bytes();
    if b.len() < 19
        || !(b[0..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-')
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
    {
        return None;
    }
    let end = t[11..].find([' ', '\t']).map(|i| i + 11)?;
    let rest = t[end..].trim_start();
    Some(rest.strip_prefix(']').map(str::trim_start).unwrap_or(rest))
}

/// Prefixes that tools put before each line of a component's log: `* ` (`minikube logs`),
/// `[pod-name] ` / `[pod/name/container] ` (`stern`, `kubectl logs --prefix`), a log consumer's
/// label `K3S: ` (Testcontainers' `Slf4jLogConsumer`, a CI step's tag) and docker compose's
/// `k3s-server-1  | ` column; taken off only when a log header (klog, a timestamp, logfmt) follows.
fn wrapper_prefix(line: &str) -> Option<&str> {
    let is_label = |s: &str| {
        !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    let rest = if let Some(r) = line.strip_prefix("* ") {
        r
    } else if let Some((_, r)) = line
        .split_once(": ")
        .filter(|(l, _)| is_label(l))
        .or_else(|| {
            line.split_once(" | ")
                .filter(|(l, _)| is_label(l.trim_end()))
        })
    {
        r
    } else if line.starts_with('[') {
        let close = line.find("] ")?;
        let inner = &line[1..close];
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'/'))
        {
            return None;
        }
        &line[close + 2..]
    } else {
        return None;
    };
    let rest = rest.trim_start();
    (klog_header(rest).is_some()
        || timestamp_prefix(rest).is_some()
        || rest.starts_with("time=\"")
        || rest.starts_with("level="))
    .then_some(rest)
}

/// logrus' text format without colours, as crictl and docker print errors: `FATA[0000] msg`,
/// `ERRO[2024-05-01T10:00:00Z] msg`. The level and the rest.
fn logrus_text_prefix(line: &str) -> Option<(&str, &str)> {
    let level = line.get(..4)?;
    if !matches!(
        level,
        "TRAC" | "DEBU" | "INFO" | "WARN" | "ERRO" | "FATA" | "PANI"
    ) {
        return None;
    }
    let r = line[4..].strip_prefix('[')?;
    let close = r.find(']')?;
    let stamp = &r[..close];
    if stamp.is_empty()
        || !stamp
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b':' | b'T' | b'Z' | b'.' | b'+'))
    {
        return None;
    }
    Some((level, r[close + 1..].trim_start()))
}

/// An event as a component logged it.
struct LoggedEvent<'a> {
    kind: Option<&'a str>,
    /// The pod it is about, as `ns/name` (or `name`), when the line names it.
    pod: Option<String>,
    type_: Option<&'a str>,
    reason: &'a str,
    source: Option<&'a str>,
    message: &'a str,
}

/// client-go's event recorder (every controller, the cluster autoscaler, kubelet):
/// `Event(v1.ObjectReference{Kind:"Job", Namespace:"default", Name:"x", ...}): type: 'Warning'
/// reason: 'DeadlineExceeded' Job was active longer than specified deadline`.
fn recorded_event(line: &str) -> Option<LoggedEvent<'_>> {
    let rest = line.strip_prefix("Event(")?;
    let close = rest.find("}): type: '")?;
    let obj = &rest[..close];
    let kind = obj
        .find("Kind:\"")
        .map(|i| &obj[i + 6..])
        .and_then(|k| k.split('"').next())
        .filter(|k| !k.is_empty());
    let rest = &rest[close + "}): type: '".len()..];
    let (type_, rest) = rest.split_once("' reason: '")?;
    let (reason, message) = rest.split_once("' ")?;
    if !is_reason_word(reason) || !matches!(type_, "Warning" | "Normal") {
        return None;
    }
    Some(LoggedEvent {
        kind,
        pod: None,
        type_: Some(type_),
        reason,
        source: None,
        message: message.trim(),
    })
}

/// The Kubernetes e2e framework's event dump: `At 2020-09-29 12:23:48 +0000 UTC - event for
/// web-0: {default-scheduler } FailedScheduling: 0/3 nodes are available: ...`.
fn e2e_event(line: &str) -> Option<LoggedEvent<'_>> {
    let rest = line.strip_prefix("At ")?;
    let i = rest.find(" - event for ")?;
    let rest = &rest[i + " - event for ".len()..];
    let (_, rest) = rest.split_once(": {")?;
    let (source, rest) = rest.split_once("} ")?;
    let (reason, message) = rest.split_once(": ")?;
    if !is_reason_word(reason) {
        return None;
    }
    let source = source.split_whitespace().next();
    Some(LoggedEvent {
        kind: None,
        pod: None,
        type_: None,
        reason,
        source,
        message: message.trim(),
    })
}

/// OpenShift's e2e monitor (openshift/origin `monitorapi`): an event as an interval's locator and
/// message, `ns/web pod/web-0 node/worker-1 - reason/BackOff Back-off restarting failed container`
/// (`namespace/...`, `container/...`, `hmsg/...` keys in later releases), as the "events should not
/// repeat pathologically" test prints it after `event happened 56 times, something is wrong: `,
/// with its tails (` (22 times)`, ` (04:00:00Z)`, ` From: ... To: ...`, ` result=reject`).
fn origin_event(line: &str) -> Option<LoggedEvent<'_>> {
    let line = match line.find("times, something is wrong: ") {
        Some(i) if line.starts_with("event happened ") => {
            line[i + "times, something is wrong: ".len()..].trim_start()
        }
        _ => line,
    };
    let line = line.strip_prefix("- ").unwrap_or(line);
    let (locator, rest) = line.split_once(" - reason/")?;
    let mut ns = None;
    let mut pod = None;
    let mut node = false;
    for tok in locator.split_whitespace() {
        let (k, v) = tok.split_once('/')?;
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_lowercase()) || v.is_empty() {
            return None;
        }
        match k {
            "ns" | "namespace" => ns = Some(v),
            "pod" => pod = Some(v),
            "node" => node = true,
            _ => {}
        }
    }
    if ns.is_none() && pod.is_none() && !node {
        return None;
    }
    let (reason, mut message) = rest.split_once(' ').unwrap_or((rest, ""));
    if !is_reason_word(reason) {
        return None;
    }
    if let Some(i) = message.find(" From: ") {
        message = &message[..i];
    }
    loop {
        let m = message.trim_end();
        let m = m
            .strip_suffix("result=reject")
            .or_else(|| m.strip_suffix("result=allow"))
            .or_else(|| m.strip_suffix("result=flake"))
            .unwrap_or(m)
            .trim_end();
        // ` (22 times)` and ` (04:00:00Z)`.
        let m = match m.rfind(" (") {
            Some(i)
                if m.ends_with(')')
                    && (m[i + 2..].ends_with(" times)")
                        || m[i + 2..m.len() - 1]
                            .bytes()
                            .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'Z' | b'.'))) =>
            {
                &m[..i]
            }
            _ => m,
        };
        if m.len() == message.len() {
            break;
        }
        message = m;
    }
    let kind = if pod.is_some() {
        Some("Pod")
    } else if node {
        Some("Node")
    } else {
        None
    };
    Some(LoggedEvent {
        kind,
        pod: pod.map(|p| match ns {
            Some(n) => format!("{n}/{p}"),
            None => p.to_string(),
        }),
        type_: None,
        reason,
        source: None,
        message: message.trim(),
    })
}

fn is_reason_word(s: &str) -> bool {
    s.len() >= 3
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Components' own log lines for a failure they also record as an event: the event's reason, the
/// involved object's kind and the message as the event words it. Only templates that stand for
/// exactly one event:
/// - kubelet's eviction manager `attempting to reclaim <resource>` (event `EvictionThresholdMet`
///   `Attempting to reclaim <resource>`, recorded just before it logs this line);
/// - the scheduler's `Error scheduling ns/pod: <err>; retrying`, `error selecting node for pod:
///   <err>` and `Unable to schedule pod; no fit; waiting: <err>` (event `FailedScheduling` with the
///   error as its message);
/// - a runtime's failed `RunPodSandbox` (containerd `RunPodSandbox for ... failed, error: <err>`,
///   kubelet `RunPodSandbox from runtime service failed: <err>`, crictl `run pod sandbox: <err>`):
///   kubelet records `FailedCreatePodSandBox`.
fn component_log(msg: &str) -> Option<(&'static str, &'static str, String)> {
    let lower_start = |p: &str| {
        msg.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    // kubelet's prober before 1.4: `Readiness probe for "web-0_default:app" failed (failure):
    // <output>`; it records the `Unhealthy` event `Readiness probe failed: <output>`.
    for kind in ["Liveness", "Readiness", "Startup"] {
        if let Some(rest) = msg
            .strip_prefix(kind)
            .and_then(|r| r.strip_prefix(" probe for \""))
        {
            let (_, rest) = rest.split_once("\" failed (failure):")?;
            return Some((
                "Unhealthy",
                "Pod",
                format!("{kind} probe failed: {}", rest.trim())
                    .trim()
                    .to_string(),
            ));
        }
    }
    if lower_start("eviction manager: attempting to reclaim ") {
        let resource = msg["eviction manager: attempting to reclaim ".len()..].trim();
        if !resource.is_empty() && !resource.contains(' ') {
            return Some((
                "EvictionThresholdMet",
                "Node",
                format!("Attempting to reclaim {resource}"),
            ));
        }
        return None;
    }
    if let Some(rest) = msg.strip_prefix("Error scheduling ") {
        let (_, err) = rest.split_once(": ")?;
        let err = err.strip_suffix("; retrying").unwrap_or(err);
        return Some(("FailedScheduling", "Pod", err.trim().to_string()));
    }
    for p in [
        "error selecting node for pod: ",
        "Unable to schedule pod; no fit; waiting: ",
        "Error scheduling pod; retrying: ",
    ] {
        if let Some(err) = msg.strip_prefix(p) {
            return Some(("FailedScheduling", "Pod", err.trim().to_string()));
        }
    }
    if msg.starts_with("RunPodSandbox ") && msg.contains(" failed")
        || msg.starts_with("run pod sandbox: ")
        || msg.starts_with("CreatePodSandbox for pod ") && msg.contains(" failed")
    {
        return Some(("FailedCreatePodSandBox", "Pod", msg.to_string()));
    }
    None
}

/// A container failure as kubelet words it in a message (a FailedSync event, a journal line):
/// what the container's status says at that moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerFailure {
    pub container: String,
    pub init: bool,
    /// The waiting reason (`CrashLoopBackOff`, `CreateContainerConfigError`, `ErrImagePull`, ...).
    pub reason: String,
    pub message: String,
    /// The image, when the template prints the container spec.
    pub image: Option<String>,
}

/// Tekton's message for a step container that failed (`"step-build" exited with code 1 (image:
/// "..."); for logs run: kubectl -n ns logs pod -c step-build`), in a TaskRun's or PipelineRun's
/// `Succeeded` condition, `tkn` output and `kubectl describe taskrun`: the container's name and
/// exit code. Only a quoted container name whose message goes on with `(image: ` or is a `step-`
/// container: an application's own "x exited with code 1" is not a container status.
///
/// Also the Spark operator's summary of a failed driver pod in a SparkApplication's
/// `status.applicationState.errorMessage` (`driver container failed with ExitCode: 1, Reason:
/// Error`, pkg/controller/sparkapplication/controller.go), which names no container: the driver
/// container is Spark's `spark-kubernetes-driver`. The reason is returned when the message gives it.
pub fn step_exit(msg: &str) -> Option<(String, i32, Option<String>)> {
    const DRIVER: &str = "driver container failed with ExitCode: ";
    if let Some(i) = msg.find(DRIVER) {
        let rest = &msg[i + DRIVER.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let code: i32 = rest.get(..digits)?.parse().ok()?;
        let reason = rest[digits..]
            .strip_prefix(", Reason: ")
            .map(|r| {
                r.chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
            })
            .filter(|r| !r.is_empty());
        return Some(("spark-kubernetes-driver".to_string(), code, reason));
    }
    const EXITED: &str = "\" exited with code ";
    let i = msg.find(EXITED)?;
    let start = msg[..i].rfind('"')?;
    let name = &msg[start + 1..i];
    let rest = &msg[i + EXITED.len()..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let code: i32 = rest.get(..digits)?.parse().ok()?;
    let after = rest[digits..].trim_start();
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (name_ok && (name.starts_with("step-") || after.starts_with("(image: ")))
        .then(|| (name.to_string(), code, None))
}

/// The terminated container [`step_exit`] describes.
pub fn step_exit_status(
    pod: Option<String>,
    name: String,
    code: i32,
    reason: Option<String>,
    provenance: crate::evidence::Provenance,
) -> crate::evidence::ContainerStatus {
    crate::evidence::ContainerStatus {
        probes: Default::default(),
        pod,
        name,
        kind: crate::evidence::ContainerKind::Regular,
        image: None,
        ready: Some(false),
        restart_count: None,
        state: Some(crate::evidence::ContainerState::Terminated {
            reason,
            message: None,
            exit_code: Some(code),
            signal: None,
            finished_at: None,
        }),
        last_state: None,
        provenance,
    }
}

/// kubelet's two templates for a container that could not start:
/// - the sync result `failed to "StartContainer" for "app" with CreateContainerConfigError: "secret
///   \"db\" not found"` (pkg/kubelet/container/sync_result.go, in `Error syncing pod` lines and
///   events);
/// - `container &Container{Name:app,...} start failed in pod web-0_default(uid): ErrImagePull:
///   rpc error: ...` (kuberuntime_manager.go, also `init container ...`).
pub fn container_failure(msg: &str) -> Option<ContainerFailure> {
    if let Some(i) = msg.find("failed to \"StartContainer\" for \"") {
        let rest = &msg[i + "failed to \"StartContainer\" for \"".len()..];
        let (container, rest) = rest.split_once("\" with ")?;
        let (reason, rest) = rest.split_once(": ")?;
        let rest = rest.trim();
        let message = match rest.strip_prefix('"') {
            // Go-quoted; a paste may have cut it before its closing quote.
            Some(q) => quoted(q)
                .map(|(m, _)| m)
                .unwrap_or_else(|| q.replace("\\\"", "\"")),
            None => rest.to_string(),
        };
        return ok_failure(container, false, reason, message);
    }
    let i = msg.find("&Container{Name:")?;
    let init = msg[..i].trim_end().ends_with("init container");
    let rest = &msg[i + "&Container{Name:".len()..];
    let (container, rest) = rest.split_once(',')?;
    let j = rest.find("} start failed in pod ")?;
    let image = rest[..j]
        .strip_prefix("Image:")
        .and_then(|r| r.split(',').next())
        .filter(|i| !i.is_empty() && !i.contains(' '))
        .map(str::to_string);
    let rest = &rest[j + "} start failed in pod ".len()..];
    let (_, rest) = rest.split_once(": ")?;
    let (reason, message) = rest.split_once(": ")?;
    let mut f = ok_failure(container, init, reason, message.trim().to_string())?;
    f.image = image;
    Some(f)
}

fn ok_failure(
    container: &str,
    init: bool,
    reason: &str,
    message: String,
) -> Option<ContainerFailure> {
    let name_ok = !container.is_empty()
        && container.len() <= 253
        && container
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !name_ok || !is_reason_word(reason) {
        return None;
    }
    Some(ContainerFailure {
        container: container.to_string(),
        init,
        reason: reason.to_string(),
        message,
        image: None,
    })
}

/// klog: `E1123 10:00:00.000000    1234 pod_workers.go:1298] rest`.
fn klog_header(line: &str) -> Option<(char, &str)> {
    let b = line.as_bytes();
    if b.len() < 22 || !matches!(b[0], b'I' | b'W' | b'E' | b'F') {
        return None;
    }
    if !b[1..5].iter().all(u8::is_ascii_digit) || b[5] != b' ' || b[8] != b':' {
        return None;
    }
    let close = line.find("] ")?;
    let head = &line[..close];
    if !head.contains(".go:") && !head.contains(".rs:") {
        return None;
    }
    Some((b[0] as char, &line[close + 2..]))
}

/// Reads `key="value"` / `key=value` pairs of logfmt and klog's structured form. Returns the
/// message they carry (`msg` / the leading quoted message, then `err`/`error`), setting the pod and
/// container on `a`.
fn structured(line: &str, a: &mut Analysed) -> Option<String> {
    let mut msg: Option<String> = None;
    let mut err: Option<String> = None;
    let mut level: Option<String> = None;
    // klog's structured event line: `"Event occurred" object="ns/x" kind="Pod" type="Warning"
    // reason="FailedScheduling" message="..."`.
    let mut ev_type: Option<String> = None;
    let mut ev_reason: Option<String> = None;
    let mut ev_kind: Option<String> = None;
    let mut i = 0;
    let b = line.as_bytes();
    let mut pairs = 0;
    // klog structured: the message is a leading quoted string.
    if b.first() == Some(&b'"') {
        let (v, used) = quoted(&line[1..])?;
        msg = Some(v);
        i = used + 1;
    }
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let ks = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'-')) {
            i += 1;
        }
        if i == ks || i >= b.len() || b[i] != b'=' {
            // not logfmt past this point
            break;
        }
        let key = &line[ks..i];
        i += 1;
        let value = if b.get(i) == Some(&b'"') {
            match quoted(&line[i + 1..]) {
                Some((v, used)) => {
                    i += used + 1;
                    v
                }
                // The line was cut (a pager, the terminal) inside this value: what is there.
                None => {
                    let v = line[i + 1..].replace("\\\"", "\"");
                    i = b.len();
                    v
                }
            }
        } else {
            let vs = i;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            line[vs..i].to_string()
        };
        pairs += 1;
        match key {
            "msg" | "message" => msg = Some(value),
            "err" | "error" => err = Some(value),
            "level" | "lvl" => level = Some(value),
            "type" if value == "Warning" || value == "Normal" => ev_type = Some(value),
            "reason" if !value.is_empty() && !value.contains(' ') => ev_reason = Some(value),
            "kind" if !value.is_empty() && !value.contains(' ') => ev_kind = Some(value),
            // `resourceName="ephemeral-storage"` completes the eviction manager's message.
            "resourceName" if !value.is_empty() => {
                if let Some(m) = msg
                    .as_mut()
                    .filter(|m| m.ends_with("attempting to reclaim"))
                {
                    m.push(' ');
                    m.push_str(&value);
                }
            }
            "pod" if !value.is_empty() && !value.contains(' ') => a.pod = Some(value),
            "containerName" | "container" if !value.is_empty() && !value.contains(' ') => {
                a.container = Some(value)
            }
            _ => {}
        }
    }
    if pairs == 0 || (msg.is_none() && err.is_none()) {
        return None;
    }
    if let Some(reason) = ev_reason.filter(|_| ev_type.is_some()) {
        a.reason = Some(reason);
        a.type_ = ev_type;
        a.object_kind = ev_kind.map(|k| super::events::kind_name(&k));
        // The event's own message was read as `message` (into `msg`).
        return msg.filter(|m| m != "Event occurred");
    }
    if let Some(l) = level {
        if matches!(
            l.to_ascii_lowercase().as_str(),
            "error" | "warning" | "warn" | "fatal"
        ) {
            a.type_ = Some("Warning".into());
        }
    }
    Some(match (msg, err) {
        (Some(m), Some(e)) => format!("{}: {e}", m.trim_end_matches([':', ' '])),
        (Some(m), None) => m,
        (None, Some(e)) => e,
        (None, None) => return None,
    })
}

/// The content of a Go-quoted string starting right after its opening `"`, unescaped, and the
/// number of bytes used including the closing quote.
fn quoted(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// `[Normal] ` or `[Warning] ` before a message: the event's type and the message.
fn bracketed_event_type(line: &str) -> Option<(&'static str, &str)> {
    ["Normal", "Warning"].into_iter().find_map(|t| {
        let r = line
            .strip_prefix('[')?
            .strip_prefix(t)?
            .strip_prefix("] ")?;
        (!r.trim().is_empty()).then_some((t, r.trim_start()))
    })
}

/// A tool's prefix on an event it relays: Tilt's `[event: pod ns/name] ` (also `[K8s EVENT: ...] `,
/// any bracket whose text starts with `event`). The pod (`ns/name`), if the prefix names one, and the
/// rest.
fn tool_event_prefix(line: &str) -> Option<(Option<&str>, &str)> {
    let inner_start = line.strip_prefix('[')?;
    let close = inner_start.find(']')?;
    let inner = &inner_start[..close];
    let rest = inner_start[close + 1..].trim_start();
    let lower = inner.get(..5)?.to_ascii_lowercase();
    let after = if lower == "event" {
        &inner[5..]
    } else if inner
        .get(..10)
        .is_some_and(|h| h.eq_ignore_ascii_case("k8s event:"))
    {
        &inner[9..]
    } else {
        return None;
    };
    let after = after.strip_prefix(':')?.trim();
    if rest.is_empty() {
        return None;
    }
    // `pod ns/name`, `Pod ns/name`, `pod/name`.
    let object = after
        .split_once(' ')
        .filter(|(k, _)| k.eq_ignore_ascii_case("pod"))
        .map(|(_, o)| o.trim())
        .or_else(|| after.strip_prefix("pod/"));
    let pod = object.filter(|o| {
        !o.is_empty()
            && o.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'/'))
    });
    Some((pod, rest))
}

/// The text inside quotes or backticks that wrap a whole message, possibly after a short label
/// (see [`after_label`]) and before a final `.`: `"..."`, `'...'`, `` `...` ``, `“...”`, `「...」`.
fn quoted_message(msg: &str) -> Option<&str> {
    let m = after_label(msg).unwrap_or(msg).trim();
    let open = m.chars().next()?;
    let close = match open {
        '"' | '`' | '\'' => open,
        '“' => '”',
        '「' => '」',
        '‘' => '’',
        _ => return None,
    };
    let m = m.strip_suffix(['.', '。']).unwrap_or(m).trim_end();
    let inner = m.strip_prefix(open)?.strip_suffix(close)?.trim();
    (!inner.is_empty() && !inner.contains(close)).then_some(inner)
}

/// A message quoted inside prose, when its text is a message template that names its event (see
/// [`implied_reason`]): the first code span in backticks or span in corner brackets (`「...」`),
/// else the text between single quotes (first to last), else the text from a double quote on to
/// the last one when only prose follows it, or to the end of the line (a message has quotes of its
/// own, `Multi-Attach error for volume "pvc-1" Volume is already ...`, so the next `"` need not
/// close it).
fn embedded_message(msg: &str) -> Option<&str> {
    // A sentence around a message is short; a long line (a JSON log line, a dump) is not prose,
    // and each quote tried costs a look at the text after it.
    const MAX_PROSE: usize = 4096;
    const MAX_QUOTES: usize = 16;
    if msg.len() > MAX_PROSE {
        return None;
    }
    let mut spans = msg.split('`');
    spans.next()?;
    if let Some(inner) = spans.step_by(2).take(MAX_QUOTES).find_map(|inner| {
        let inner = inner.trim();
        (!inner.is_empty() && implied_reason(inner).is_some()).then_some(inner)
    }) {
        return Some(inner);
    }
    // Corner brackets close reliably: the span inside them (typographic double quotes were made
    // ASCII ones on the way in).
    for (open, close) in [('「', '」')] {
        if let Some(inner) = msg
            .split_once(open)
            .and_then(|(_, r)| r.split_once(close))
            .map(|(inner, _)| inner.trim())
        {
            if !inner.is_empty() && implied_reason(inner).is_some() {
                return Some(inner);
            }
        }
    }
    // Single quotes: from the first to the last (a message has apostrophes of its own: `didn't`).
    if let Some(j) = msg.rfind('\'') {
        let found = msg[..j]
            .match_indices('\'')
            .take(MAX_QUOTES)
            .find_map(|(i, _)| {
                let inner = msg.get(i + 1..j)?.trim();
                (!inner.is_empty() && implied_reason(inner).is_some()).then_some(inner)
            });
        if found.is_some() {
            return found;
        }
    }
    // Double quotes: to the last quote when only prose follows it (no `:` of a message going on:
    // `"0/3 nodes are available: ...", what now`), else to the end of the line.
    let last = msg.rfind('"');
    msg.match_indices('"').take(MAX_QUOTES).find_map(|(i, _)| {
        let end = last
            .filter(|&j| j > i && !msg[j..].contains(':'))
            .unwrap_or(msg.len());
        let mut rest = msg.get(i + 1..end)?.trim();
        if end == msg.len() {
            rest = rest.strip_suffix(['.', ',']).unwrap_or(rest).trim_end();
            rest = rest.strip_suffix('"').unwrap_or(rest).trim_end();
        }
        (!rest.is_empty() && implied_reason(rest).is_some()).then_some(rest)
    })
}

/// The text after a short label a person (or a UI) put before a message: `Error : `, `Error: `,
/// `Message: `, `报错：`, `错误信息: ` (at most four words of letters, then `:` or `：`).
fn after_label(msg: &str) -> Option<&str> {
    let (i, colon) = msg
        .char_indices()
        .take(40)
        .find(|(_, c)| matches!(c, ':' | '：'))?;
    let label = msg[..i].trim();
    let ok = !label.is_empty()
        && label.split_whitespace().count() <= 4
        && label.chars().all(|c| c.is_alphabetic() || c == ' ');
    ok.then(|| msg[i + colon.len_utf8()..].trim_start())
        .filter(|r| !r.is_empty())
}

/// The message after an event's source column: `default-scheduler`, `kubelet`, `kubelet,
/// node-1` / `kubelet node-1`, `<name>-controller` / `<name>-scheduler`, two spaces or a tab after
/// it.
fn after_source(msg: &str) -> Option<&str> {
    let gap = msg.find(['\t']).or_else(|| msg.find("  "))?;
    let (head, rest) = msg.split_at(gap);
    let first = head.split([',', ' ']).next()?;
    let component = first == "kubelet"
        || first.ends_with("-scheduler")
        || first.ends_with("-controller")
        || first.ends_with("-manager");
    let words = head.split([',', ' ']).filter(|w| !w.is_empty()).count();
    (component && words <= 2).then(|| rest.trim_start())
}

/// The scheduler's list of reasons without its `0/N nodes are available: ` head: `1 node(s)
/// didn't have free ports for the requested pod ports, 1 node(s) had taint {...}, that the pod
/// didn't tolerate.`, `3 Insufficient memory, 1 PodToleratesNodeTaints.` Every comma-separated item
/// that starts with a count must be a scheduler reason (`node(s) ...`, `Insufficient ...`, or a
/// predicate's name of schedulers 1.6-1.9); returns the sum of the counts.
fn bare_predicates(msg: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut items = 0;
    for item in msg.trim_end_matches('.').split(", ") {
        let item = item.trim();
        let digits = item.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            // A continuation of the item before (`had taint {a: b}, that the pod didn't
            // tolerate`).
            if items == 0 {
                return None;
            }
            continue;
        }
        let n: u64 = item[..digits].parse().ok()?;
        let what = item[digits..].strip_prefix(' ')?;
        let known = what.starts_with("node(s) ")
            || what.strip_prefix("Insufficient ").is_some_and(|r| {
                let r = r.trim_end_matches('.');
                matches!(r, "cpu" | "memory" | "ephemeral-storage" | "pods")
                    || r.starts_with("hugepages-")
                    || (r.contains('/')
                        && r.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b"./-_".contains(&b)
                        }))
            })
            || what.starts_with("pod has unbound ")
            || (what.len() >= 8
                && what.starts_with(|c: char| c.is_ascii_uppercase())
                && what.bytes().all(|b| b.is_ascii_alphanumeric())
                && [
                    "Pod",
                    "Match",
                    "Check",
                    "NoDisk",
                    "NoVolume",
                    "MaxVolume",
                    "Host",
                    "General",
                    "NodeUnder",
                ]
                .iter()
                .any(|p| what.starts_with(p)));
        if !known {
            return None;
        }
        total += n;
        items += 1;
    }
    (items > 0).then_some(total)
}

/// An event row whose leading columns were cut or reordered, as old `kubectl describe` (before
/// 1.14) printed it with tabs: `FirstSeen  LastSeen  Count  From  SubObjectPath  Type  Reason
/// Message`, copied from any column on (`{kubelet node-1}\tspec.containers{web}\tWarning\t\tUnhealthy
/// \tReadiness probe failed: ...`), often inside inline-code backticks.
struct ColumnsEvent<'a> {
    type_: &'a str,
    reason: &'a str,
    message: &'a str,
    container: Option<&'a str>,
    source: Option<&'a str>,
}

/// The columns of such a row: split at tabs or runs of two or more spaces. The `Warning`/`Normal`
/// column must come after at most five short columns, each of which looks like one of describe's
/// own (an age, a count, the source `{kubelet node}` / `kubelet, node` / `default-scheduler`, a
/// sub-object path), and be followed by a reason (CamelCase word) and a message.
fn columns_type_reason(line: &str) -> Option<ColumnsEvent<'_>> {
    let line = line.trim().trim_matches('`').trim();
    if !line.contains('\t') && !line.contains("  ") {
        return None;
    }
    // Column spans: (start, end) of each non-empty cell.
    let bytes = line.as_bytes();
    let mut cells: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() && cells.len() < 9 {
        while i < bytes.len() && (bytes[i] == b'\t' || bytes[i] == b' ') {
            i += 1;
        }
        let start = i;
        while i < bytes.len()
            && bytes[i] != b'\t'
            && !(bytes[i] == b' ' && bytes.get(i + 1).is_some_and(|b| *b == b' ' || *b == b'\t'))
        {
            i += 1;
        }
        if start < i {
            cells.push((start, i));
        }
    }
    let t = cells
        .iter()
        .position(|&(a, b)| matches!(&line[a..b], "Warning" | "Normal"))?;
    if t == 0 || t > 5 || cells.len() < t + 3 {
        return None;
    }
    let mut container = None;
    let mut source = None;
    for &(a, b) in &cells[..t] {
        let c = &line[a..b];
        if c.len() > 120 {
            return None;
        }
        if let Some(name) = sub_object_container(c) {
            container = Some(name);
        } else if c == "<invalid>" {
        } else if c.ends_with('}') || c.starts_with('{') || c.contains(", ") {
            source = Some(c.trim_matches(['{', '}']));
        } else if c.ends_with("-scheduler") || c.ends_with("-controller") || c == "kubelet" {
            source = Some(c);
        } else if !c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            return None;
        }
    }
    let (ra, rb) = cells[t + 1];
    let reason = &line[ra..rb];
    if !is_reason_word(reason) {
        return None;
    }
    let message = line[cells[t + 2].0..].trim_end_matches('`').trim();
    Some(ColumnsEvent {
        type_: &line[cells[t].0..cells[t].1],
        reason,
        message,
        container,
        source,
    })
}

/// The container of describe's sub-object path column: `spec.containers{web}` → `web` (also
/// `spec.initContainers{...}`, `spec.ephemeralContainers{...}`).
fn sub_object_container(cell: &str) -> Option<&str> {
    let rest = cell.strip_prefix("spec.")?.strip_suffix('}')?;
    let (list, name) = rest.split_once('{')?;
    (matches!(
        list,
        "containers" | "initContainers" | "ephemeralContainers"
    ) && !name.is_empty()
        && !name.contains([' ', '{']))
    .then_some(name)
}

/// `Warning  FailedScheduling  rest` → (type, reason, rest).
fn leading_type_reason(line: &str) -> Option<(&str, &str, &str)> {
    let (t, rest) = line.split_once(char::is_whitespace)?;
    if t != "Warning" && t != "Normal" {
        return None;
    }
    let rest = rest.trim_start();
    let (r, msg) = rest.split_once(char::is_whitespace)?;
    if !is_reason_word(r) {
        return None;
    }
    Some((t, r, msg.trim_start()))
}

/// `FailedMount  Unable to mount volumes ...` → (reason, message): a reason word, a column gap (two
/// spaces or a tab), and a message whose template implies that same reason.
fn leading_reason(line: &str) -> Option<(&str, &str)> {
    let gap = line.find(['\t', ' '])?;
    let (r, rest) = line.split_at(gap);
    if !(rest.starts_with("  ") || rest.starts_with('\t')) {
        return None;
    }
    let m = rest.trim_start();
    // REASON OBJECT MESSAGE (`Unhealthy  pod/web-0  Liveness probe failed: ...`).
    let m = object_column(m).map_or(m, |(_, _, m)| m);
    let (implied, _) = implied_reason(m)?;
    (implied == r).then_some((implied, m))
}

/// The columns of an event row that may stand between its reason and its message once the age was
/// cut: OBJECT (`pod/web-0`), SUBOBJECT (`spec.containers{web}`) and SOURCE (`kubelet, node-1`),
/// each taken only in its own shape. The message.
fn event_columns<'a>(m: &'a str, a: &mut Analysed) -> &'a str {
    let mut m = m;
    if let Some((kind, name, rest)) = object_column(m) {
        a.object_kind = Some(super::events::kind_name(kind));
        if a.object_kind.as_deref() == Some("Pod") {
            a.pod = Some(name.to_string());
        }
        m = rest;
    }
    // A field path followed by a column gap, not by `: ` (kubectl 1.35 describe's own prefix).
    if let Some((path, rest)) = m.split_once(char::is_whitespace) {
        let named = path
            .strip_suffix('}')
            .and_then(|p| p.split_once('{'))
            .filter(|(list, c)| {
                matches!(
                    *list,
                    "spec.containers" | "spec.initContainers" | "spec.ephemeralContainers"
                ) && !c.is_empty()
            });
        if let Some((_, c)) = named {
            a.container = Some(c.to_string());
            m = rest.trim_start();
        }
    }
    if let Some(rest) = after_source(m) {
        if implied_reason(rest).is_some() {
            m = rest;
        }
    }
    m
}

/// The OBJECT column of `kubectl get events` (`pod/web-0`, `node/w-1`, `replicaset/web-7d9f`)
/// before an event's message: (kind, name, message). Only a kind kubectl prints there.
fn object_column(msg: &str) -> Option<(&str, &str, &str)> {
    let (obj, rest) = msg.split_once(char::is_whitespace)?;
    let (kind, name) = obj.split_once('/')?;
    let known = matches!(
        kind,
        "pod"
            | "node"
            | "replicaset"
            | "deployment"
            | "statefulset"
            | "daemonset"
            | "job"
            | "cronjob"
            | "persistentvolumeclaim"
            | "persistentvolume"
            | "service"
            | "horizontalpodautoscaler"
            | "endpoints"
            | "ingress"
    );
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'));
    let rest = rest.trim_start();
    (known && name_ok && !rest.is_empty()).then_some((kind, name, rest))
}

/// kubectl >= 1.35 prefixes describe event messages with the field path:
/// `spec.containers{app}: Liveness probe failed: ...` → (container, message).
pub fn field_path(msg: &str) -> Option<(&str, &str)> {
    let rest = msg.strip_prefix("spec.")?;
    let open = rest.find('{')?;
    let list = &rest[..open];
    if !matches!(
        list,
        "containers" | "initContainers" | "ephemeralContainers"
    ) {
        return None;
    }
    let close = rest.find("}: ")?;
    let name = &rest[open + 1..close];
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    Some((name, &rest[close + 3..]))
}

/// The container a message names in kubelet's own words.
fn container_named(msg: &str) -> Option<String> {
    for (pre, post) in [
        ("for \"", "\" with "),
        ("restarting failed container=", " "),
        ("Back-off restarting failed container ", " in pod"),
    ] {
        if let Some(i) = msg.find(pre) {
            let rest = &msg[i + pre.len()..];
            if let Some(j) = rest.find(post) {
                let name = &rest[..j];
                if !name.is_empty() && !name.contains([' ', '"']) && name.len() <= 253 {
                    return Some(name.to_string());
                }
            }
        }
    }
    None
}

/// The event reason (and involved object kind) a message template implies, for the templates that
/// only one reason uses (kubelet, scheduler, controller-manager, eviction manager).
fn implied_reason(msg: &str) -> Option<(&'static str, Option<&'static str>)> {
    let starts = |p: &str| msg.starts_with(p);
    let r = if nodes_available(msg)
        || msg.starts_with("fit failure summary on nodes :")
        || msg.starts_with("pod (") && msg.contains(") failed to fit in any node")
    {
        ("FailedScheduling", Some("Pod"))
    } else if starts("Back-off pulling image") || starts("Back-off restarting failed container") {
        ("BackOff", Some("Pod"))
    } else if starts("Failed to pull image")
        || starts("Error: ErrImagePull")
        || starts("Error: ImagePullBackOff")
        || starts("Error: InvalidImageName")
        || starts("Error: ErrImageNeverPull")
        || starts("Error: failed to create containerd task")
        || starts("Error: failed to start container")
        || starts("Error: container create failed")
        || starts("Error: failed to create containerd container")
        || starts("Error: configmap ")
        || starts("Error: secret ")
        || starts("Error: couldn't find key")
        || starts("Error: container has runAsNonRoot")
        || starts("Error: image has non-numeric user")
        || starts("Error: failed to generate container")
        || starts("Error: failed to get sandbox container task")
        || starts("Error: Error response from daemon")
    {
        ("Failed", Some("Pod"))
    } else if starts("Liveness probe failed")
        || starts("Readiness probe failed")
        || starts("Startup probe failed")
        || starts("Liveness probe errored")
        || starts("Readiness probe errored")
        || starts("Startup probe errored")
    {
        ("Unhealthy", Some("Pod"))
    } else if starts("MountVolume.")
        || starts("Unable to attach or mount volumes")
        || starts("Unable to mount volumes")
    {
        ("FailedMount", Some("Pod"))
    } else if starts("Multi-Attach error") || starts("AttachVolume.Attach failed") {
        ("FailedAttachVolume", Some("Pod"))
    } else if starts("Failed to create pod sandbox")
        || starts("Failed create pod sandbox")
        || starts("Failed to create sandbox for pod")
    {
        ("FailedCreatePodSandBox", Some("Pod"))
    } else if starts("The node was low on resource")
        || starts("Pod ephemeral local storage usage exceeds")
        || starts("Container ") && msg.contains(" exceeded its local ephemeral storage limit")
        || starts("Usage of EmptyDir volume")
    {
        ("Evicted", Some("Pod"))
    } else if starts("Job has reached the specified backoff limit") {
        ("BackoffLimitExceeded", Some("Job"))
    } else if starts("Job was active longer than specified deadline") {
        ("DeadlineExceeded", Some("Job"))
    } else if starts("Successfully pulled image")
        || starts("Container image ") && msg.contains(" already present on machine")
    {
        ("Pulled", Some("Pod"))
    } else if starts("Pulling image") {
        ("Pulling", Some("Pod"))
    } else if starts("Started container") {
        ("Started", Some("Pod"))
    } else if starts("Created container") {
        ("Created", Some("Pod"))
    } else if starts("Successfully assigned ") {
        ("Scheduled", Some("Pod"))
    } else if starts("Stopping container") {
        ("Killing", Some("Pod"))
    } else if starts("Error syncing pod") {
        ("FailedSync", Some("Pod"))
    } else if starts("Preemption is not helpful") {
        ("FailedScheduling", Some("Pod"))
    } else if starts("Failed to garbage collect required amount of images")
        || starts("failed to garbage collect required amount of images")
    {
        // `ImageGCFailed` (kubelet) and `FreeDiskSpaceFailed` (eklet) both say this: leave it open.
        return None;
    } else {
        return None;
    };
    Some(r)
}

/// `0/5 nodes are available: ...`, `0/1 nodes available: ...` (old schedulers), `no nodes
/// available to schedule pods`.
/// Schedulers 1.2-1.5 printed `pod (web) failed to fit in any node` and one line per node,
/// `fit failure on node (node-1): MatchNodeSelector, PodFitsHostPorts` (1.3: `Node didn't have
/// enough resource: CPU, requested: 1000, used: 1420, capacity: 2000`). The verdict those lines
/// make, in the summary form of 1.5-1.6 that the scheduling rules read: `fit failure summary on
/// nodes : MatchNodeSelector (2), PodFitsHostPorts (1)` (each reason counted over the nodes).
pub fn fit_failure_summary(msg: &str) -> Option<String> {
    if !msg.contains("fit failure on node (") {
        return None;
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    // Per node: what follows its `fit failure on node (`, up to the line's end (a copy may have
    // glued the lines together: then up to the next node's).
    for rest in msg.split("fit failure on node (").skip(1) {
        let rest = rest.lines().next().unwrap_or("");
        let Some((_, reasons)) = rest.split_once("): ") else {
            continue;
        };
        let reasons: Vec<String> = match reasons.strip_prefix("Node didn't have enough resource: ")
        {
            Some(r) => {
                let res = r.split(',').next().unwrap_or("").trim();
                vec![match res {
                    "CPU" => "Insufficient cpu".to_string(),
                    "Memory" => "Insufficient memory".to_string(),
                    "PodCount" | "pods" | "Pods" => "Insufficient pods".to_string(),
                    other => format!("Insufficient {}", other.to_ascii_lowercase()),
                }]
            }
            None => reasons
                .split(", ")
                .map(|r| r.trim().trim_end_matches('.').to_string())
                .filter(|r| !r.is_empty())
                .collect(),
        };
        for r in reasons {
            if let Some((_, n)) = counts.iter_mut().find(|(k, _)| *k == r) {
                *n += 1;
            } else if counts.len() < 32 {
                counts.push((r, 1));
            }
        }
    }
    if counts.is_empty() {
        return None;
    }
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{r} ({n})")).collect();
    Some(format!(
        "fit failure summary on nodes : {}",
        parts.join(", ")
    ))
}

fn nodes_available(msg: &str) -> bool {
    let Some((a, rest)) = msg.split_once('/') else {
        return msg.starts_with("no nodes available to schedule pods")
            || msg.starts_with("No nodes are available that match all of the");
    };
    if a.is_empty() || !a.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && (rest[digits..].starts_with(" nodes are available")
            || rest[digits..].starts_with(" nodes available"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduler_message_alone_implies_failed_scheduling() {
        let a = analyse("0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.").unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
        assert_eq!(a.type_.as_deref(), Some("Warning"));
        assert!(a
            .message
            .starts_with("0/5 nodes are available: 3 Insufficient cpu"));
        assert!(!a.journal);
        let a = analyse("0/1 nodes available: insufficient cpu").unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
        assert_eq!(analyse("10/20 tests passed").unwrap().reason, None);
    }

    #[test]
    fn leading_type_and_reason() {
        let a = analyse("  Warning  FailedMount  MountVolume.SetUp failed for volume \"cfg\" : configmap \"x\" not found").unwrap();
        assert_eq!(a.type_.as_deref(), Some("Warning"));
        assert_eq!(a.reason.as_deref(), Some("FailedMount"));
        assert!(a.message.starts_with("MountVolume.SetUp failed"));
    }

    #[test]
    fn old_describe_row_copied_from_its_source_column() {
        // kubectl 1.3 describe rows (tabs) as printed in kubernetes/kubernetes#30710, copied from
        // the From column on, also inside inline-code backticks and with the `{` of the source cut.
        let row = "{kubelet rootfs-dev}\tspec.containers{web}\tWarning\t\tFailed\t\tFailed to pull image \"kubernetes/pause\": image pull failed for unknown error";
        for line in [
            row.to_string(),
            format!("`{row}`"),
            row.trim_start_matches('{').to_string(),
        ] {
            let a = analyse(&line).unwrap();
            assert_eq!(a.type_.as_deref(), Some("Warning"), "{line}");
            assert_eq!(a.reason.as_deref(), Some("Failed"), "{line}");
            assert_eq!(a.container.as_deref(), Some("web"), "{line}");
            assert_eq!(
                a.message,
                "Failed to pull image \"kubernetes/pause\": image pull failed for unknown error"
            );
        }
        // The pod-level row (no sub-object) and a Normal row.
        let a = analyse("{kubelet rootfs-dev}\t\t\t\tWarning\t\tFailedSync\tError syncing pod, skipping: failed to \"StartContainer\" for \"web\" with ErrImagePull: \"image pull failed for unknown error\"").unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedSync"));
        // A column that is not one of describe's (free words) before the type: not a row.
        assert_eq!(
            analyse("see the output below  Warning  Failed  to do it")
                .unwrap()
                .reason,
            None
        );
    }

    #[test]
    fn typographic_quotes_are_read_as_ascii() {
        // A blog's copy of the attach/detach controller's event message, its quotes turned
        // typographic by the page (corpus-q q44,
        // https://blog.floormind.com/p/designing-stateful-workloads-in-eks).
        let a = analyse("AttachVolume.Attach failed for volume \u{201c}grafana\u{201d} : rpc error: code = Internal desc = Could not attach volume \u{201c}vol-xxxxxxxxxxxx\u{201d} to node \u{201c}i-xxxxxxxxxxxx\u{201d}: InvalidVolume.ZoneMismatch: The volume \u{2018}vol-xxxxxxxxxxxx\u{2019} is not in the same availability zone as instance \u{2018}i-xxxxxxxxxxxx\u{2019}").unwrap();
        assert!(
            a.message
                .starts_with("AttachVolume.Attach failed for volume \"grafana\" : rpc error"),
            "{}",
            a.message
        );
        assert!(a.message.contains("The volume 'vol-xxxxxxxxxxxx' is not"));
    }

    #[test]
    fn scheduler_1_3_to_1_5_per_node_verdict_is_summarised() {
        // Kubernetes 1.4's describe event and its per-node lines, glued by a copy (corpus-q q40,
        // https://github.com/kubernetes/kubernetes/issues/34521's class).
        let m = "pod (gputest) failed to fit in any node\nfit failure on node (ip-172-20-0-16.us-west-1.compute.internal): MatchNodeSelector\nfit failure on node (ip-172-20-0-14.us-west-1.compute.internal): MatchNodeSelectorfit failure on node (ip-172-20-0-15.us-west-1.compute.internal): MatchNodeSelector, PodFitsHostPorts";
        assert_eq!(
            fit_failure_summary(m).as_deref(),
            Some("fit failure summary on nodes : MatchNodeSelector (3), PodFitsHostPorts (1)")
        );
        // 1.3's resource wording (the Kubernetes documentation's example).
        let m = "fit failure on node (kubernetes-node-6ta5): Node didn't have enough resource: CPU, requested: 1000, used: 1420, capacity: 2000";
        assert_eq!(
            fit_failure_summary(m).as_deref(),
            Some("fit failure summary on nodes : Insufficient cpu (1)")
        );
        // One such line alone is a scheduling event.
        let a = analyse(m).unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
        assert_eq!(
            a.message,
            "fit failure summary on nodes : Insufficient cpu (1)"
        );
        assert_eq!(
            fit_failure_summary("pod (x) failed to fit in any node"),
            None
        );
    }

    #[test]
    fn klog_structured_kubelet_line_in_journal() {
        // Format of kubelet >= 1.21 structured logging (pod_workers.go), as journalctl prints it.
        let a = analyse(r#"Nov 23 10:00:00 node-1 kubelet[1234]: E1123 10:00:00.000000    1234 pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \"StartContainer\" for \"app\" with CrashLoopBackOff: \"back-off 5m0s restarting failed container=app pod=web-0_default(0f1e)\"" pod="default/web-0" podUID=0f1e"#).unwrap();
        assert!(a.journal);
        assert_eq!(a.source.as_deref(), Some("kubelet"));
        assert_eq!(a.type_.as_deref(), Some("Warning"));
        assert_eq!(a.pod.as_deref(), Some("default/web-0"));
        assert_eq!(a.container.as_deref(), Some("app"));
        assert_eq!(
            a.message,
            "Error syncing pod, skipping: failed to \"StartContainer\" for \"app\" with CrashLoopBackOff: \"back-off 5m0s restarting failed container=app pod=web-0_default(0f1e)\""
        );
        assert_eq!(a.reason.as_deref(), Some("FailedSync"));
    }

    #[test]
    fn log_consumer_labels_and_compose_columns() {
        // Testcontainers' Slf4jLogConsumer prefix before a k3s klog line.
        let a = analyse(r#"K3S: E0627 08:27:49.928221      55 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \"StartContainer\" for \"coredns\" with CrashLoopBackOff: \"back-off 10s restarting failed container=coredns pod=coredns-697968c856-92jdv_kube-system(6b22)\"" pod="kube-system/coredns-697968c856-92jdv""#).unwrap();
        assert!(a.journal);
        assert_eq!(a.type_.as_deref(), Some("Warning"));
        assert_eq!(
            a.pod.as_deref(),
            Some("kube-system/coredns-697968c856-92jdv")
        );
        // docker compose's service column before logfmt.
        let a = analyse(r#"containerd-1  | time="2024-01-02T10:00:00Z" level=error msg="PullImage \"nginx:1\" failed" error="boom""#).unwrap();
        assert!(a.journal);
        // A label before prose stays as it was.
        let a = analyse("Note: E0627 is the error code we saw").unwrap();
        assert_eq!(a.message, "Note: E0627 is the error code we saw");
        assert!(!a.journal);
    }

    #[test]
    fn openshift_monitor_events() {
        let a = analyse("event happened 56 times, something is wrong: ns/openshift-cluster-csi-drivers pod/gcp-pd-csi-driver-controller-6747df4b84-bc96x node/ci-op-master-1 - reason/BackOff Back-off restarting failed container").unwrap();
        assert_eq!(a.reason.as_deref(), Some("BackOff"));
        assert_eq!(a.object_kind.as_deref(), Some("Pod"));
        assert_eq!(
            a.pod.as_deref(),
            Some("openshift-cluster-csi-drivers/gcp-pd-csi-driver-controller-6747df4b84-bc96x")
        );
        assert_eq!(a.message, "Back-off restarting failed container");
        let a = analyse("event happened 22 times, something is wrong: namespace/e2e-test node/worker-2 pod/web-0 hmsg/4f1a - reason/FailedMount MountVolume.SetUp failed for volume \"data\" : not found (22 times) result=reject ").unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedMount"));
        assert_eq!(
            a.message,
            "MountVolume.SetUp failed for volume \"data\" : not found"
        );
        // A dash and a slash in prose are no locator.
        let a = analyse("see docs/setup - reason/unknown for details").unwrap();
        assert!(a.reason.is_none());
    }

    #[test]
    fn console_and_rancher_ui_prefixes() {
        // A Tectonic boot log read from the serial console: uptime stamp and program tag.
        let a = analyse(r#"[ 4830.150820] bootkube[5]: I0109 11:21:46.606298 5 event.go:217] Event(api.ObjectReference{Kind:"Pod", Namespace:"kube-system", Name:"kube-dns-4101612645-zxjqv", UID:"e7", APIVersion:"v1", ResourceVersion:"58", FieldPath:""}): type: 'Warning' reason: 'FailedScheduling' no nodes available to schedule pods"#).unwrap();
        assert!(a.journal);
        assert_eq!(a.source.as_deref(), Some("bootkube"));
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
        assert_eq!(a.message, "no nodes available to schedule pods");
        // The Rancher 1.x UI's local time glued to a klog line.
        let a = analyse(r#"12/6/2016 1:24:29 PMI1206 12:24:29.656195       1 event.go:217] Event(api.ObjectReference{Kind:"Pod", Namespace:"vg", Name:"x-1", UID:"ec", APIVersion:"v1", ResourceVersion:"5056", FieldPath:""}): type: 'Warning' reason: 'FailedScheduling' no nodes available to schedule pods"#).unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
        assert_eq!(a.object_kind.as_deref(), Some("Pod"));
        // Neither takes text that merely starts with a bracket or a date.
        let a = analyse("[ERROR] 12 connections refused").unwrap();
        assert_eq!(a.message, "[ERROR] 12 connections refused");
        assert!(!a.journal);
        let a = analyse("12/6/2016 1:24:29 PM the backup finished").unwrap();
        assert!(!a.journal);
    }

    #[test]
    fn klog_unstructured_and_logfmt() {
        let a = analyse("E0210 06:23:19.372385    2119 remote_image.go:113] PullImage \"k8s.gcr.io/pause:3.2\" from image service failed: rpc error: code = Unknown desc = failed to pull and unpack image").unwrap();
        assert!(a.journal);
        assert!(a
            .message
            .starts_with("PullImage \"k8s.gcr.io/pause:3.2\" from image service failed"));
        let a = analyse(r#"time="2023-10-26T07:51:05.146546283Z" level=error msg="PullImage \"nginx:nope\" failed" error="rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nope\": failed to resolve reference \"docker.io/library/nginx:nope\": docker.io/library/nginx:nope: not found""#).unwrap();
        assert!(a.journal);
        assert_eq!(a.type_.as_deref(), Some("Warning"));
        assert!(a
            .message
            .starts_with("PullImage \"nginx:nope\" failed: rpc error: code = NotFound"));
        let a = analyse("Mar 02 11:20:01 ip-10-0-1-5 containerd[812]: time=\"2023-03-02T11:20:01Z\" level=info msg=\"StartContainer for \\\"abc\\\" returns successfully\"").unwrap();
        assert_eq!(a.source.as_deref(), Some("containerd"));
        assert_eq!(a.type_, None);
    }

    #[test]
    fn field_path_prefix_of_kubectl_1_35() {
        let a = analyse(
            "spec.containers{app}: Liveness probe failed: HTTP probe failed with statuscode: 500",
        )
        .unwrap();
        assert_eq!(a.container.as_deref(), Some("app"));
        assert_eq!(a.reason.as_deref(), Some("Unhealthy"));
        assert!(a.message.starts_with("Liveness probe failed"));
    }

    #[test]
    fn object_column_after_type_and_reason() {
        // `kubectl get events` cut to TYPE REASON OBJECT MESSAGE.
        let a = analyse(
            "Warning Unhealthy pod/api-7d9f4b8c6-xk2pq Liveness probe failed: Get \"http://10.0.0.1:8080/healthz\": context deadline exceeded",
        )
        .unwrap();
        assert_eq!(a.reason.as_deref(), Some("Unhealthy"));
        assert_eq!(a.object_kind.as_deref(), Some("Pod"));
        assert_eq!(a.pod.as_deref(), Some("api-7d9f4b8c6-xk2pq"));
        assert!(a.message.starts_with("Liveness probe failed: Get"));
        let a = analyse("Warning  FailedMount  node/w-1 is not a kind/name pair").unwrap();
        assert_eq!(a.object_kind.as_deref(), Some("Node"));
        // Not a kind kubectl prints there: the message stays whole.
        let a = analyse("Warning  BackOff  foo/bar Back-off restarting failed container").unwrap();
        assert_eq!(a.object_kind, None);
        assert!(a.message.starts_with("foo/bar "));
    }

    #[test]
    fn event_row_columns_between_reason_and_message() {
        let a = analyse("Warning  Unhealthy  pod/web-0  spec.containers{web}  kubelet, node-1  Liveness probe failed: HTTP probe failed with statuscode: 500").unwrap();
        assert_eq!(a.pod.as_deref(), Some("web-0"));
        assert_eq!(a.container.as_deref(), Some("web"));
        assert!(
            a.message.starts_with("Liveness probe failed"),
            "{}",
            a.message
        );
        let a = analyse("Warning  Unhealthy  spec.containers{web}  kubelet  Liveness probe failed: HTTP probe failed with statuscode: 500").unwrap();
        assert_eq!(a.container.as_deref(), Some("web"));
        assert!(
            a.message.starts_with("Liveness probe failed"),
            "{}",
            a.message
        );
        let a = analyse(
            "Unhealthy  pod/web-0  Liveness probe failed: HTTP probe failed with statuscode: 500",
        )
        .unwrap();
        assert_eq!(a.reason.as_deref(), Some("Unhealthy"));
        assert!(
            a.message.starts_with("Liveness probe failed"),
            "{}",
            a.message
        );
    }

    #[test]
    fn reason_and_message_columns_without_type() {
        let a = analyse("FailedMount     Unable to mount volumes for pod \"web_default(9cef)\": timeout expired waiting for volumes to attach/mount for pod \"web\"/\"default\". list of unattached/unmounted volumes=[config-volume]").unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedMount"));
        assert!(a.message.starts_with("Unable to mount volumes for pod"));
        // A word that is not the reason the message names stays in the message.
        let a = analyse("Hint    Unable to mount volumes for pod \"web\": timeout").unwrap();
        assert!(a.message.starts_with("Hint"));
    }

    #[test]
    fn a_message_quoted_inside_prose() {
        let a = analyse(
            "kubectl describe shows `Error: container has runAsNonRoot and image will run as root` on 1.14.2",
        )
        .unwrap();
        assert_eq!(a.reason.as_deref(), Some("Failed"));
        assert_eq!(
            a.message,
            "Error: container has runAsNonRoot and image will run as root"
        );
        let a = analyse("\"Readiness probe failed: Get\" after creating the resource http://10.1.2.3:3000/api/health").unwrap();
        assert_eq!(a.reason.as_deref(), Some("Unhealthy"));
        assert_eq!(
            a.message,
            "Readiness probe failed: Get\" after creating the resource http://10.1.2.3:3000/api/health"
        );
        // The message's own quotes do not end it.
        let a = analyse("\"Multi-Attach error for volume \"pvc-1\" Volume is already exclusively attached to one node and can't be attached to another\"").unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedAttachVolume"));
        assert!(
            a.message.ends_with("can't be attached to another"),
            "{}",
            a.message
        );
        let a = analyse("创建 pod 时报错“0/3 nodes are available: 3 Insufficient cpu.”，怎么办")
            .unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
        assert_eq!(a.message, "0/3 nodes are available: 3 Insufficient cpu.");
        let a = analyse(
            "the pod shows 'Back-off restarting failed container web in pod web-0' in events",
        )
        .unwrap();
        assert_eq!(a.reason.as_deref(), Some("BackOff"));
        assert_eq!(
            a.message,
            "Back-off restarting failed container web in pod web-0"
        );
        let a =
            analyse("it's failing with 'Back-off restarting failed container web in pod web-0'")
                .unwrap();
        assert_eq!(
            a.message,
            "Back-off restarting failed container web in pod web-0"
        );
        let a = analyse("I see '0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.' forever").unwrap();
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
        assert!(a.message.ends_with("affinity/selector."), "{}", a.message);
        // A quoted span that names no event leaves the line as it was.
        let a =
            analyse("the app logs `connection reset by peer` and \"retrying\" forever").unwrap();
        assert_eq!(a.reason, None);
        assert!(a.message.starts_with("the app logs"));
    }

    #[test]
    fn plain_application_lines_imply_nothing() {
        let a = analyse("2024-05-01 10:00:00,123 ERROR connection timeout to db").unwrap();
        assert_eq!(a.reason, None);
        assert_eq!(a.message, "ERROR connection timeout to db");
        assert!(analyse("   ").is_none());
        let a = analyse("Warning: resource is deprecated").unwrap();
        assert_eq!(a.type_, None);
    }

    // JupyterHub KubeSpawner's progress log (corpus-g healthy-jupyterhub-…-g20).
    #[test]
    fn bracketed_event_type_before_the_message() {
        let a = analyse("2022-05-02T00:33:59.912858Z [Normal] Successfully assigned hub/nb-0 to ip-10-0-252-130.ec2.internal").unwrap();
        assert_eq!(a.type_.as_deref(), Some("Normal"));
        assert_eq!(a.reason.as_deref(), Some("Scheduled"));
        let a =
            analyse("2022-05-02T00:33:47Z [Warning] 0/13 nodes are available: 2 Insufficient cpu.")
                .unwrap();
        assert_eq!(a.type_.as_deref(), Some("Warning"));
        assert_eq!(a.reason.as_deref(), Some("FailedScheduling"));
        // Another bracket, or nothing after it, is left alone.
        assert_eq!(analyse("[Info] started").unwrap().message, "[Info] started");
        assert_eq!(analyse("[Warning] ").unwrap().type_, None);
    }
}
