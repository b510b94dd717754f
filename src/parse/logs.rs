//! Log headers: which container a run of pasted log lines belongs to.
//!
//! Owns recognising shell prompt lines that run kubectl (`$ kubectl logs web -c app --previous`,
//! `[root@master-1 ~]# kubectl logs ...`, bare `kubectl logs pod/x --container=app`), parsing the
//! `kubectl logs` flags into a [`LogHeader`], and the `kubectl cluster-info dump` markers
//! (`==== START logs for container web of pod default/web-1 ====`). The log lines themselves are
//! plain text and are handled by the main loop in `mod.rs`.

/// What kubelet answers `kubectl logs` for a container that has not started
/// (`Error from server (BadRequest): container "app" in pod "web-0" is waiting to start: trying and
/// failing to pull image`): the container is waiting, and kubelet names its reason. Its templates
/// (pkg/kubelet/kubelet_pods.go, `validateContainerLogStatus`) word two reasons
/// (`image can't be pulled` is `ErrImagePull`, `trying and failing to pull image` is
/// `ImagePullBackOff`) and print the others as they are (`ContainerCreating`, `PodInitializing`,
/// `CreateContainerConfigError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotStarted {
    pub container: String,
    pub pod: String,
    /// The waiting reason.
    pub reason: String,
}

/// Recognises kubelet's answer to `kubectl logs` for a container that is waiting to start,
/// wherever it stands in the line (after `Error from server (BadRequest): `, `Error from server: `,
/// inside a tool's quoted output).
pub fn not_started(line: &str) -> Option<NotStarted> {
    const WAITING: &str = "\" is waiting to start: ";
    // Every line of a big log passes here: one searcher, built once.
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(WAITING));
    let w = FINDER.find(line.as_bytes())?;
    let head = &line[..w];
    let (before, pod) = head.rsplit_once("\" in pod \"")?;
    let c = before.rfind("container \"")?;
    let container = &before[c + "container \"".len()..];
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    if !ok(container) || !ok(pod) {
        return None;
    }
    let rest = line[w + WAITING.len()..].trim();
    let rest = rest.trim_end_matches(['`', '*', '"', '\'', '.']).trim_end();
    let reason = if rest.starts_with("image can't be pulled") {
        "ErrImagePull".to_string()
    } else if rest.starts_with("trying and failing to pull image") {
        "ImagePullBackOff".to_string()
    } else {
        let word = rest.split_whitespace().next()?;
        if !(word.starts_with(|c: char| c.is_ascii_uppercase())
            && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':'))
        {
            return None;
        }
        word.to_string()
    };
    Some(NotStarted {
        container: container.to_string(),
        pod: pod.to_string(),
        reason,
    })
}

/// A line of `gron` (a JSON document flattened into assignments, as people grep a pod's JSON):
/// `json.status.containerStatuses[0].state.waiting.reason = "ImagePullBackOff";`. The path without
/// its `json` root and list indexes (as a [`JsonPathQuery`] path) and the value (a JSON string
/// unquoted, a number as written); `None` for other lines and for objects and lists (`= {};`).
pub fn gron_line(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix("json.")?;
    let (path, value) = rest.split_once(" = ")?;
    let value = value.trim_end().strip_suffix(';')?.trim();
    if path.contains([' ', '"']) || value.starts_with(['{', '[']) {
        return None;
    }
    let mut clean = String::with_capacity(path.len() + 1);
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            c if !in_index => clean.push(c),
            _ => {}
        }
    }
    let value = if value.starts_with('"') {
        serde_json::from_str::<String>(value).ok()?
    } else {
        value.to_string()
    };
    Some((format!(".{clean}"), value))
}

/// A container log line as the runtime stored it or kubectl printed it with `--timestamps`: the
/// RFC 3339 time (`2024-05-01T10:00:00.123456789Z `, or with a `+02:00` offset) and, in the CRI log
/// files under `/var/log/pods` and `/var/log/containers`, the stream and the partial/full tag
/// (`stdout F `, `stderr P `). The line after them, so matchers that read a log line from its start
/// see it; `line` itself when it has no such prefix.
pub fn log_body(line: &str) -> &str {
    let t = line.trim_start();
    let b = t.as_bytes();
    if b.len() < 21
        || !(b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[17..19].iter().all(u8::is_ascii_digit))
    {
        return line;
    }
    let Some(end) = t.find(' ').filter(|&e| e >= 19) else {
        return line;
    };
    let stamp = &t[19..end];
    let zone_ok = stamp.ends_with('Z')
        || stamp
            .rfind(['+', '-'])
            .is_some_and(|i| stamp[i + 1..].len() == 5 && stamp.as_bytes()[i + 3] == b':');
    let frac_ok = stamp
        .trim_start_matches('.')
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count()
        <= 9;
    if !zone_ok || !frac_ok {
        return line;
    }
    let rest = &t[end + 1..];
    for stream in ["stdout ", "stderr "] {
        if let Some(r) = rest.strip_prefix(stream) {
            if let Some(r) = r.strip_prefix("F ").or_else(|| r.strip_prefix("P ")) {
                return r;
            }
            if r == "F" || r == "P" {
                return "";
            }
        }
    }
    rest
}

/// A line of `kubectl logs --prefix`: `[pod/web-0/app] listening on :8080` names its pod and
/// container. The header and the log line itself.
pub fn prefixed(line: &str) -> Option<(LogHeader, &str)> {
    let rest = line.strip_prefix("[pod/")?;
    let close = rest.find("] ")?;
    let (pod, container) = rest[..close].split_once('/')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    if !ok(pod) || !ok(container) {
        return None;
    }
    Some((
        LogHeader {
            pod: Some(pod.to_string()),
            container: Some(container.to_string()),
            previous: None,
        },
        &rest[close + 2..],
    ))
}

/// A pod name as controllers generate them, so that a word before a log line can be taken for
/// one: a Deployment's `web-7d9f8c6b5-x2k4p` (template hash, then 5 characters), a DaemonSet's or
/// Job's `fluentd-x2k4p`, a StatefulSet's `db-0`. A bare word (`main`, `app`) is not one.
fn generated_pod_name(s: &str) -> bool {
    pod_name_suffix(s).is_some()
}

/// A pod name whose last part is random (ReplicaSet, DaemonSet, Job pods) rather than a
/// StatefulSet ordinal: `[worker-1]` is as often an application's own thread or worker name.
fn random_pod_name(s: &str) -> bool {
    pod_name_suffix(s) == Some(true)
}

/// `Some(true)` for a generated pod name ending in kube's random 5 characters, `Some(false)` for
/// one ending in an ordinal, `None` when it is not one.
fn pod_name_suffix(s: &str) -> Option<bool> {
    if s.len() > 253
        || !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'))
    {
        return None;
    }
    let (base, last) = s.rsplit_once('-')?;
    if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let ordinal = !last.is_empty() && last.len() <= 4 && last.bytes().all(|b| b.is_ascii_digit());
    // kube's random suffix alphabet has no vowels (bcdfghjklmnpqrstvwxz2456789)
    let random = last.len() == 5
        && last
            .bytes()
            .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b));
    if random {
        Some(true)
    } else {
        ordinal.then_some(false)
    }
}

/// A container name: a DNS label.
fn dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The prefixes other log tailers put before each line: kubetail's `[web-7d9f8c6b5-x2k4p] ...` and
/// `[web-7d9f8c6b5-x2k4p app] ...` (with several containers), and stern's `web-7d9f8c6b5-x2k4p
/// app ...` (`ns web-... app ...` with `--all-namespaces`). Only a generated pod name counts (see
/// [`generated_pod_name`]; in brackets only a random one), so `[main] INFO ...` of a Java log or
/// an application's `[worker-1]` is not taken for one.
pub fn tool_prefixed(line: &str) -> Option<(LogHeader, &str)> {
    let header = |pod: &str, container: Option<&str>| LogHeader {
        pod: Some(pod.to_string()),
        container: container.map(str::to_string),
        previous: None,
    };
    if let Some(rest) = line.strip_prefix('[') {
        let close = rest.find("] ")?;
        let inner = &rest[..close];
        let (pod, container) = match inner.split_once(' ') {
            Some((p, c)) if dns_label(c) => (p, Some(c)),
            Some(_) => return None,
            None => (inner, None),
        };
        return random_pod_name(pod).then(|| (header(pod, container), &rest[close + 2..]));
    }
    let b0 = line.as_bytes().first()?;
    if !b0.is_ascii_lowercase() {
        return None;
    }
    let mut words = line.splitn(4, ' ');
    let (w0, w1) = (words.next()?, words.next()?);
    if generated_pod_name(w0) && dns_label(w1) {
        let rest = &line[w0.len() + w1.len() + 2..];
        return (!rest.trim().is_empty()).then(|| (header(w0, Some(w1)), rest));
    }
    // `--all-namespaces`: the namespace first
    let w2 = words.next()?;
    if dns_label(w0) && generated_pod_name(w1) && dns_label(w2) {
        let rest = words.next()?;
        if rest.trim().is_empty() {
            return None;
        }
        return Some((header(&format!("{w0}/{w1}"), Some(w2)), rest));
    }
    None
}

/// Context set by a log header for the lines that follow it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogHeader {
    /// `namespace/name` or `name` of the pod, when the header names it.
    pub pod: Option<String>,
    pub container: Option<String>,
    pub previous: Option<bool>,
}

/// A shell prompt line running kubectl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// `kubectl logs ...`: the lines that follow are that container's log.
    Logs(LogHeader),
    /// `kubectl get pod NAME -o jsonpath='{...}'`: the line that follows is the value of that path.
    JsonPath(JsonPathQuery),
    /// `kubectl describe KIND NAME` (or `KIND/NAME`): the object the describe that follows is
    /// about (kind as given, name).
    Describe(String, String),
    /// Any other kubectl command (`kubectl get pods`): not evidence itself.
    Other,
}

/// A `-o jsonpath` query of one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPathQuery {
    /// `namespace/name` or `name` of the pod.
    pub pod: Option<String>,
    /// The path with its braces and list indexes taken off: `.status.containerStatuses.state.waiting.reason`.
    pub path: String,
    /// A container selected by a filter (`[?(@.name=="app")]`).
    pub container: Option<String>,
}

/// Parses a jsonpath template with one expression (`{.status.phase}`,
/// `{.status.containerStatuses[*].lastState.terminated.reason}`, with a `[?(@.name=="app")]` filter).
fn jsonpath_query(expr: &str) -> Option<(String, Option<String>)> {
    let e = expr.trim_matches(|c| c == '\'' || c == '"');
    let e = e.strip_prefix('{')?.strip_suffix('}')?;
    if e.contains(['{', '}']) {
        return None;
    }
    let mut path = String::new();
    let mut container = None;
    let mut rest = e;
    while let Some(open) = rest.find('[') {
        path.push_str(&rest[..open]);
        let close = rest[open..].find(']')? + open;
        let inner = &rest[open + 1..close];
        if let Some(f) = inner
            .strip_prefix("?(@.name==")
            .and_then(|f| f.strip_suffix(')'))
        {
            container = Some(f.trim_matches(|c| c == '"' || c == '\'').to_string());
        }
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    path.starts_with('.').then_some((path, container))
}

/// Cheap test of the first byte before any search: prompts start with a prompt character, with
/// `kubectl`/`oc`, or with `user@host`.
fn may_be_prompt(line: &str) -> bool {
    let b = line.as_bytes();
    match b.first() {
        Some(b'$' | b'#' | b'[' | b'>' | b'%' | b'k' | b'o' | b'P' | b'(' | b's' | b'm') => true,
        Some(c) if c.is_ascii_alphanumeric() => b[..b.len().min(64)].contains(&b'@'),
        _ => false,
    }
}

/// Recognises a line that runs kubectl, with or without a shell prompt before it.
pub fn prompt(line: &str) -> Option<Prompt> {
    if !may_be_prompt(line) {
        return None;
    }
    // Prose that starts with a command's name and quotes what it printed in a code span
    // (``kubectl describe shows `Error: ...` on 1.14.2``) is no command line.
    if line.matches('`').count() >= 2 && line.trim_start().starts_with(|c: char| c != '`') {
        return None;
    }
    let cmd = command_after_prompt(line)?;
    let words = kubectl_words(cmd)?;
    parse_command(&words)
}

/// The command part of a prompt line when it starts with a kubectl-like program.
fn command_after_prompt(line: &str) -> Option<&str> {
    let first = line.split_whitespace().next().unwrap_or("");
    // Without a prompt only the unambiguous program names count (`k`, `oc` need a prompt).
    if matches!(
        first,
        "kubectl" | "kubectl.exe" | "sudo" | "microk8s" | "minikube" | "k3s"
    ) && starts_with_kubectl(line)
    {
        return Some(line);
    }
    // Look for a prompt terminator (`$ `, `# `, `> `, `% `) within the first 160 bytes.
    let bytes = line.as_bytes();
    let limit = bytes.len().min(160);
    for i in 0..limit {
        let c = bytes[i];
        if matches!(c, b'$' | b'#' | b'>' | b'%') && bytes.get(i + 1) == Some(&b' ') {
            let rest = line.get(i + 2..)?.trim_start();
            if starts_with_kubectl(rest) {
                return Some(rest);
            }
        }
    }
    None
}

fn starts_with_kubectl(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("");
    let first = first.rsplit('/').next().unwrap_or(first);
    matches!(
        first,
        "kubectl" | "kubectl.exe" | "oc" | "k" | "sudo" | "microk8s" | "minikube" | "k3s"
    ) && kubectl_words(s).is_some()
}

/// The words after the kubectl program name, up to the first pipe or redirection; `None` when the
/// command is not kubectl.
fn kubectl_words(cmd: &str) -> Option<Vec<&str>> {
    let mut words = cmd
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\''));
    let mut prog = words.next()?;
    if prog == "sudo" {
        prog = words.next()?;
    }
    let prog = prog.rsplit('/').next().unwrap_or(prog);
    match prog {
        "kubectl" | "kubectl.exe" | "oc" | "k" => {}
        "microk8s" | "minikube" | "k3s" => {
            let sub = words.next()?;
            if sub != "kubectl" {
                return None;
            }
        }
        _ => return None,
    }
    let mut out = Vec::new();
    for w in words {
        if w == "--" && out.is_empty() {
            continue;
        }
        if w.starts_with('|')
            || w.starts_with('>')
            || w.starts_with("2>")
            || w.starts_with("&&")
            || w.starts_with(';')
        {
            break;
        }
        let (w, stop) = match w.find('|') {
            Some(i) => (&w[..i], true),
            None => (w, false),
        };
        if !w.is_empty() {
            out.push(w);
        }
        if stop {
            break;
        }
    }
    Some(out)
}

/// Flags of kubectl (global or `logs`) that take a separate value.
fn takes_value(flag: &str) -> bool {
    matches!(
        flag,
        "-n" | "--namespace"
            | "-c"
            | "--container"
            | "--context"
            | "--kubeconfig"
            | "--cluster"
            | "--user"
            | "-s"
            | "--server"
            | "--token"
            | "--tail"
            | "--since"
            | "--since-time"
            | "-l"
            | "--selector"
            | "--limit-bytes"
            | "--pod-running-timeout"
            | "--max-log-requests"
            | "--request-timeout"
            | "--as"
            | "--as-group"
            | "-o"
            | "--output"
    )
}

/// kubectl (and oc) subcommands: a line is a command only when one of these follows the program.
fn is_subcommand(w: &str) -> bool {
    matches!(
        w,
        "get"
            | "describe"
            | "logs"
            | "log"
            | "events"
            | "top"
            | "exec"
            | "apply"
            | "create"
            | "delete"
            | "edit"
            | "rollout"
            | "explain"
            | "cluster-info"
            | "run"
            | "scale"
            | "patch"
            | "label"
            | "annotate"
            | "cordon"
            | "uncordon"
            | "drain"
            | "taint"
            | "debug"
            | "port-forward"
            | "cp"
            | "auth"
            | "config"
            | "version"
            | "api-resources"
            | "wait"
            | "set"
            | "expose"
            | "attach"
            | "proxy"
            | "replace"
            | "diff"
            | "kustomize"
            | "autoscale"
            | "certificate"
            | "adm"
            | "status"
            | "project"
            | "whoami"
    )
}

/// Parses the words of a kubectl command line: `None` when there is no known subcommand.
fn parse_command(words: &[&str]) -> Option<Prompt> {
    let mut i = 0;
    let mut sub: Option<&str> = None;
    let mut container: Option<String> = None;
    let mut namespace: Option<String> = None;
    let mut previous = false;
    let mut output: Option<&str> = None;
    let mut positionals: Vec<&str> = Vec::new();
    while i < words.len() {
        let w = words[i];
        i += 1;
        if let Some(flag) = w.strip_prefix("--") {
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (flag, None),
            };
            match name {
                "container" => {
                    let v = match value {
                        Some(v) => Some(v),
                        None => {
                            i += 1;
                            words.get(i - 1).copied()
                        }
                    };
                    container = v.filter(|v| !v.is_empty()).map(str::to_string);
                }
                "previous" => {
                    previous = !matches!(value, Some("false") | Some("0"));
                }
                "output" => {
                    output = match value {
                        Some(v) => Some(v),
                        None => {
                            i += 1;
                            words.get(i - 1).copied()
                        }
                    };
                }
                "namespace" => {
                    let v = match value {
                        Some(v) => Some(v),
                        None => {
                            i += 1;
                            words.get(i - 1).copied()
                        }
                    };
                    namespace = v.filter(|v| !v.is_empty()).map(str::to_string);
                }
                _ => {
                    if value.is_none() && takes_value(w) {
                        i += 1;
                    }
                }
            }
            continue;
        }
        if w.starts_with('-') && w.len() > 1 {
            if w == "-c" {
                container = words.get(i).map(|s| s.to_string());
                i += 1;
                continue;
            }
            if w == "-n" {
                namespace = words.get(i).map(|s| s.to_string());
                i += 1;
                continue;
            }
            if let Some(v) = w.strip_prefix("-n=").or_else(|| w.strip_prefix("-n")) {
                if !v.is_empty() && !v.starts_with('-') {
                    namespace = Some(v.to_string());
                    continue;
                }
            }
            if let Some(v) = w.strip_prefix("-c=").or_else(|| w.strip_prefix("-c")) {
                if !v.is_empty() {
                    container = Some(v.to_string());
                    continue;
                }
            }
            if w == "-o" {
                output = words.get(i).copied();
                i += 1;
                continue;
            }
            if let Some(v) = w.strip_prefix("-o=").or_else(|| w.strip_prefix("-o")) {
                output = Some(v);
                continue;
            }
            if w == "-p" || w == "-p=true" {
                previous = true;
                continue;
            }
            if takes_value(w) {
                i += 1;
                continue;
            }
            // combined boolean short flags like `-fp`
            let letters = &w[1..];
            if letters.bytes().all(|b| b.is_ascii_alphabetic()) && letters.contains('p') {
                previous = true;
            }
            continue;
        }
        if sub.is_none() {
            sub = Some(w);
        } else {
            positionals.push(w);
        }
    }
    let sub = sub?;
    if !is_subcommand(sub) {
        return None;
    }
    if sub == "get" {
        if let Some(q) = output.and_then(|o| o.strip_prefix("jsonpath=")) {
            let (kind, name) = match positionals.first().and_then(|p| p.split_once('/')) {
                Some((k, n)) => (k, positionals.first().map(|_| n)),
                None => (
                    positionals.first().copied().unwrap_or(""),
                    positionals.get(1).copied(),
                ),
            };
            if matches!(kind, "pod" | "pods" | "po") {
                if let Some((path, container)) = jsonpath_query(q) {
                    return Some(Prompt::JsonPath(JsonPathQuery {
                        pod: name.and_then(|n| crate::evidence::pod_key(namespace.as_deref(), n)),
                        path,
                        container,
                    }));
                }
            }
        }
    }
    if sub == "describe" {
        let object = match positionals.first().and_then(|p| p.split_once('/')) {
            Some((k, n)) => Some((k, n)),
            None => positionals
                .first()
                .copied()
                .zip(positionals.get(1).copied()),
        };
        if let Some((k, n)) = object.filter(|(k, n)| !k.is_empty() && !n.is_empty()) {
            return Some(Prompt::Describe(k.to_string(), n.to_string()));
        }
    }
    if sub != "logs" && sub != "log" {
        return Some(Prompt::Other);
    }
    if container.is_none() {
        // legacy `kubectl logs POD CONTAINER`
        if let Some(c) = positionals.get(1) {
            container = Some(c.to_string());
        }
    }
    let pod = positionals
        .first()
        .map(|p| {
            p.strip_prefix("pod/")
                .or_else(|| p.strip_prefix("pods/"))
                .unwrap_or(p)
        })
        .filter(|p| !p.contains('/'))
        .and_then(|p| crate::evidence::pod_key(namespace.as_deref(), p));
    Some(Prompt::Logs(LogHeader {
        pod,
        container,
        previous: Some(previous),
    }))
}

/// A `kubectl cluster-info dump` log marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    Start(LogHeader),
    End,
}

/// `==== START logs for container web of pod default/web-1 ====` / `==== END logs ... ====`.
pub fn cluster_info_marker(line: &str) -> Option<Marker> {
    if !line.starts_with("====") {
        return None;
    }
    let inner = line.trim_matches(|c: char| c == '=' || c.is_whitespace());
    if inner.starts_with("END logs for container") {
        return Some(Marker::End);
    }
    let rest = inner.strip_prefix("START logs for container ")?;
    let mut words = rest.split_whitespace();
    let container = words.next()?;
    // `... of pod default/web-1`
    let pod = match (words.next(), words.next(), words.next()) {
        (Some("of"), Some("pod"), Some(p)) => Some(p.to_string()),
        _ => None,
    };
    Some(Marker::Start(LogHeader {
        pod,
        container: Some(container.to_string()),
        previous: Some(false),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logs(line: &str) -> Option<LogHeader> {
        match prompt(line) {
            Some(Prompt::Logs(h)) => Some(h),
            _ => None,
        }
    }

    fn h(pod: &str, c: Option<&str>, p: bool) -> Option<LogHeader> {
        Some(LogHeader {
            pod: Some(pod.to_string()),
            container: c.map(str::to_string),
            previous: Some(p),
        })
    }

    #[test]
    fn kubectl_logs_headers() {
        assert_eq!(
            logs("$ kubectl logs web-7d9f8c6b5-x2x4p -c web --previous"),
            h("web-7d9f8c6b5-x2x4p", Some("web"), true)
        );
        assert_eq!(
            logs("[root@master-1 ~]# kubectl logs port-conflict-7d4fc654bb-tc9gw -n cce-burst-2425753f"),
            h("cce-burst-2425753f/port-conflict-7d4fc654bb-tc9gw", None, false)
        );
        assert_eq!(logs("# kubectl logs POD -p"), h("POD", None, true));
        assert_eq!(
            logs("kubectl logs pod/x --container=app"),
            h("x", Some("app"), false)
        );
        assert_eq!(
            logs("ubuntu@ip-10-0-0-1:~$ kubectl -n prod logs api-0 --container api --previous=true | tail -50"),
            h("prod/api-0", Some("api"), true)
        );
        assert_eq!(
            logs("$ kubectl logs web-0 sidecar --namespace=shop"),
            h("shop/web-0", Some("sidecar"), false)
        );
        assert_eq!(
            logs("$ kubectl logs web-0 --previous=false"),
            h("web-0", None, false)
        );
        assert_eq!(
            logs("PS C:\\> kubectl logs web-0 -cweb"),
            h("web-0", Some("web"), false)
        );
    }

    #[test]
    fn other_prompts_and_non_prompts() {
        assert_eq!(
            prompt("$ kubectl describe pod x"),
            Some(Prompt::Describe("pod".into(), "x".into()))
        );
        assert_eq!(
            prompt("$ kubectl -n web describe rs/toolbox-84b4c6f7f6"),
            Some(Prompt::Describe("rs".into(), "toolbox-84b4c6f7f6".into()))
        );
        assert_eq!(prompt("$ kubectl describe nodes"), Some(Prompt::Other));
        assert_eq!(prompt("kubectl get node -o yaml"), Some(Prompt::Other));
        assert_eq!(prompt("$ ls -la"), None);
        assert_eq!(prompt("please run kubectl logs to see more"), None);
        assert_eq!(prompt("[2024-05-01 10:00:00] kubectl logs"), None);
        assert_eq!(prompt("# HELP go_gc_duration_seconds"), None);
        assert_eq!(prompt("kubelet started"), None);
        // Prose that quotes the command's output in a code span.
        assert_eq!(
            prompt("kubectl describe shows `Error: container has runAsNonRoot and image will run as root` on 1.14.2"),
            None
        );
        assert_eq!(prompt("kubectl is not installed on this host"), None);
        assert_eq!(prompt("k = 5"), None);
    }

    #[test]
    fn cluster_info_markers() {
        assert_eq!(
            cluster_info_marker("==== START logs for container web of pod default/web-1 ===="),
            Some(Marker::Start(LogHeader {
                pod: Some("default/web-1".into()),
                container: Some("web".into()),
                previous: Some(false)
            }))
        );
        assert_eq!(
            cluster_info_marker("==== END logs for container web of pod default/web-1 ===="),
            Some(Marker::End)
        );
        assert_eq!(cluster_info_marker("==== nothing"), None);
    }
}
