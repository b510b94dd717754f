//! SARIF 2.1.0 for code-scanning viewers: one result per finding.

use super::*;

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0

pub(super) fn pod_sarif_properties(d: &Diagnosis) -> Value {
    json!({ "subject": subject_label(d) })
}

pub(super) fn sweep_sarif_properties(r: &SweepReport) -> Value {
    json!({
        "scope": scope_label(&r.scope),
        "totalPods": r.total_pods,
        "healthyPods": r.healthy_pods,
        "unhealthyPods": r.pods.len(),
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// FNV-1a, 64 bits: a fingerprint that is stable across runs, platforms and Rust versions.
fn fnv1a(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Most results GitHub code scanning accepts in one run (it rejects the file beyond that).
pub const MAX_RESULTS: usize = 25_000;
/// Our bound on a result's message, in characters (GitHub shows the first lines; the full fix is in
/// `properties.fix`).
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// Where the results of a run are: the facts `sarif` needs beyond the diagnoses.
pub(super) struct Run<'a> {
    /// Evidence came from the API (a live pod or sweep): no evidence names a file.
    pub live: bool,
    pub cluster: Option<&'a ClusterInfo>,
    /// The namespace of the scope (sweep) or subject (pod), for the category.
    pub namespace: Option<&'a str>,
    /// `--sarif-artifact`: the manifest every result is located in.
    pub artifact: Option<&'a str>,
}

/// Check a `--sarif-artifact` path: relative to the repository root, inside it (no `..`), no
/// scheme. Returns it normalised (`/` separators, no leading `./`).
pub fn check_artifact_path(p: &str) -> Result<String, String> {
    let norm = p.replace('\\', "/");
    if norm.trim().is_empty() {
        return Err("the path is empty".into());
    }
    if norm.starts_with('/') || norm.as_bytes().get(1) == Some(&b':') {
        return Err(format!(
            "\"{p}\" is absolute: give the manifest's path relative to the repository root"
        ));
    }
    if norm.contains("://") {
        return Err(format!(
            "\"{p}\" is a URI: give a repository-relative file path"
        ));
    }
    let parts: Vec<&str> = norm
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(format!(
            "\"{p}\" leaves the repository (..): give a path inside it"
        ));
    }
    if parts.is_empty() {
        return Err(format!("\"{p}\" names no file"));
    }
    if let Some(c) = norm.chars().find(|c| c.is_control()) {
        return Err(format!("the path contains a control character ({:?})", c));
    }
    Ok(parts.join("/"))
}

/// Percent-encode a repository-relative path as a URI reference: everything but unreserved
/// characters and `/` (so `:` cannot be read as a scheme, nor `%` as an escape).
fn path_uri(p: &str) -> String {
    let mut out = String::new();
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A file input as a path relative to the current directory, when it is an existing file inside it
/// (else `None`: never an absolute path, never a label such as `events of node x`).
pub(super) fn repo_relative(input: &str) -> Option<String> {
    let path = std::path::Path::new(input);
    if !path.is_file() {
        return None;
    }
    let cwd = std::env::current_dir().ok()?.canonicalize().ok()?;
    let abs = path.canonicalize().ok()?;
    let rel = abs.strip_prefix(&cwd).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            std::path::Component::Normal(s) => s.to_str().map(str::to_string),
            _ => None,
        })
        .collect::<Option<_>>()?;
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// One path segment of a pseudo-path: `/` and anything unusual cannot split or escape it.
fn segment(s: &str) -> String {
    let s = s.trim();
    if s.chars().all(|c| c == '.') {
        return "_".into();
    }
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The documented pseudo-path of the object a diagnosis is about: `k8s/<namespace>/<kind>/<name>`
/// (kind in lower case; `_` for what is unknown; `k8s/_/input/<file names or stdin>` when the input
/// names no object).
pub(super) fn pseudo_path(d: &Diagnosis, fallback_ns: Option<&str>) -> String {
    match &d.subject {
        Some(Subject {
            kind,
            name: Some(n),
            namespace,
        }) => {
            let name = n.rsplit('/').next().unwrap_or(n);
            format!(
                "k8s/{}/{}/{}",
                segment(namespace.as_deref().or(fallback_ns).unwrap_or("_")),
                segment(&kind.to_lowercase()),
                segment(name)
            )
        }
        _ => {
            let names: Vec<&str> = d
                .inputs
                .iter()
                .map(|i| i.name.as_str())
                .filter(|n| !n.is_empty() && *n != "-")
                .collect();
            let name = if names.is_empty() {
                "stdin".to_string()
            } else {
                names
                    .iter()
                    .map(|n| n.rsplit('/').next().unwrap_or(n))
                    .collect::<Vec<_>>()
                    .join("+")
            };
            format!(
                "k8s/{}/input/{}",
                segment(fallback_ns.unwrap_or("_")),
                segment(&name)
            )
        }
    }
}

/// Where a result is: the `--sarif-artifact` manifest (line 1); else, for a file input, that file
/// relative to the current directory at the evidence's line; else the object's pseudo-path (line 1).
fn physical_location(d: &Diagnosis, f: &Finding, run: &Run) -> Value {
    let (uri, line) = match run.artifact {
        Some(a) => (a.to_string(), 1),
        None => f
            .evidence
            .first()
            .filter(|e| !run.live && from_file(e, false))
            .and_then(|e| {
                repo_relative(&e.provenance.input).map(|p| (p, e.provenance.line.unwrap_or(1)))
            })
            .unwrap_or_else(|| (pseudo_path(d, run.namespace), 1)),
    };
    json!({
        "artifactLocation": { "uri": path_uri(&uri) },
        "region": { "startLine": line.max(1) },
    })
}

/// `kubectl-diagnose/<context>/<namespace>/` (`file` for pasted input, `all` for every namespace):
/// one code-scanning category per cluster and namespace.
fn automation_id(run: &Run) -> String {
    let ctx = run.cluster.map(|c| c.context.as_str()).unwrap_or("file");
    let ns = run
        .namespace
        .or(run.cluster.map(|c| c.namespace.as_str()))
        .filter(|n| !n.is_empty() && *n != "(all)")
        .unwrap_or("all");
    format!("{TOOL_NAME}/{}/{}/", segment(ctx), segment(ns))
}

/// The documentation of a rule: a vendor page it cites, else its file in the repository (built-in
/// rules), else the rules catalog.
fn help_uri(f: &Finding) -> String {
    if let Some(url) = f.references.iter().find_map(|r| r.url.as_ref()) {
        return url.clone();
    }
    let home = env!("CARGO_PKG_REPOSITORY");
    if crate::rules::BUILTIN_RULES
        .get_file(format!("{}.yaml", f.id))
        .is_some()
    {
        format!("{home}/blob/main/rules/{}.yaml", f.id)
    } else {
        format!("{home}/blob/main/rules/README.md")
    }
}

fn evidence_summary(e: &EvidenceItem) -> String {
    format!(
        "\"{}\" ({}, {})",
        truncate(&one_line(&e.text), 300),
        e.label,
        e.provenance.location()
    )
}

pub(super) fn sarif(
    pods: &[&Diagnosis],
    not_checked: &[NotChecked],
    props: Value,
    t: &TableOptions,
    run: &Run,
) -> String {
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut results: Vec<Value> = Vec::new();
    let mut dropped = 0usize;
    for d in pods {
        let who = pod_ref(d);
        for f in &d.findings {
            if results.len() >= MAX_RESULTS {
                dropped += 1;
                continue;
            }
            let rule_index = match index.get(&f.id) {
                Some(i) => *i,
                None => {
                    let mut rule = json!({
                        "id": f.id,
                        "shortDescription": { "text": f.title },
                        "fullDescription": { "text": f.detects.trim() },
                        "help": { "text": fix_text(f, t).trim() },
                        "helpUri": help_uri(f),
                        "defaultConfiguration": { "level": sarif_level(f.severity) },
                        "properties": {
                            "category": f.category,
                            "kind": f.kind.as_str(),
                            "tags": [f.category, f.kind.as_str()],
                        },
                    });
                    if rule["shortDescription"]["text"]
                        .as_str()
                        .is_some_and(str::is_empty)
                    {
                        rule["shortDescription"]["text"] = json!(f.id);
                    }
                    rules.push(rule);
                    index.insert(f.id.clone(), rules.len() - 1);
                    rules.len() - 1
                }
            };
            let mut message = f.title.clone();
            if let Some(e) = f.evidence.first() {
                message.push_str(": ");
                message.push_str(&evidence_summary(e));
            }
            let context = context_text(f);
            if !context.is_empty() {
                message.push_str(&format!(" ({})", one_line(&context)));
            }
            // The pod's next steps go with its first result.
            if f.rank == 1 {
                for n in &d.next_steps {
                    message.push_str(&format!("\nNext: {} ({})", n.command, n.why));
                }
            }
            let message = truncate(&message, MAX_MESSAGE_CHARS);
            let mut location = json!({ "physicalLocation": physical_location(d, f, run) });
            if let Some(Subject { name: Some(n), .. }) = &d.subject {
                location["logicalLocations"] = json!([{
                    "name": n,
                    "fullyQualifiedName": pod_key(d),
                    "kind": "resource",
                }]);
            }
            let locations = json!([location]);
            results.push(json!({
                "ruleId": f.id,
                "ruleIndex": rule_index,
                "level": sarif_level(f.severity),
                "message": { "text": message },
                "locations": locations,
                "partialFingerprints": {
                    "rulePod/v1": fnv1a(&format!("{}\u{0}{}", f.id, who)),
                },
                "properties": {
                    "pod": who,
                    "rank": f.rank,
                    "severity": f.severity,
                    "kind": f.kind,
                    "explainedBy": f.explained_by,
                    "fix": fix_text(f, t).trim(),
                },
            }));
            if let Some(r) = results.last_mut() {
                if let Some(h) = &f.history {
                    r["properties"]["history"] = json!(h);
                }
                if let Some(u) = &f.unrelated {
                    r["properties"]["unrelated"] = json!(u);
                }
            }
        }
    }
    let mut notifications: Vec<Value> = not_checked
        .iter()
        .map(|n| {
            json!({
                "level": "warning",
                "descriptor": { "id": "not-checked" },
                "message": { "text": format!("Not checked: {}: {}", n.what, n.reason) },
            })
        })
        .collect();
    if dropped > 0 {
        notifications.push(json!({
            "level": "warning",
            "descriptor": { "id": "results-capped" },
            "message": { "text": format!(
                "{dropped} lower-ranked results left out: GitHub code scanning accepts at most \
                 {MAX_RESULTS} results per run (-o json has them all)"
            ) },
        }));
    }
    let mut driver = json!({
        "name": TOOL_NAME,
        "version": TOOL_VERSION,
        "semanticVersion": TOOL_VERSION,
        "rules": rules,
    });
    if let Some(u) = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
    {
        driver["informationUri"] = json!(u);
    }
    let doc = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "automationDetails": { "id": automation_id(run) },
            "results": results,
            "properties": props,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_fingerprints_are_stable() {
        assert_eq!(path_uri("testdata/a b.txt"), "testdata/a%20b.txt");
        assert_eq!(path_uri("k8s/x:y"), "k8s/x%3Ay");
        assert_eq!(fnv1a(""), "cbf29ce484222325");
        assert_eq!(fnv1a("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn artifact_paths_stay_inside_the_repository() {
        assert_eq!(
            check_artifact_path("./deploy//web.yaml").as_deref(),
            Ok("deploy/web.yaml")
        );
        assert_eq!(
            check_artifact_path("k8s\\web.yaml").as_deref(),
            Ok("k8s/web.yaml")
        );
        for bad in [
            "",
            "/etc/web.yaml",
            "C:/web.yaml",
            "../web.yaml",
            "deploy/../../web.yaml",
            "file:///web.yaml",
            ".",
            "a\x1b.yaml",
        ] {
            let e = check_artifact_path(bad);
            assert!(e.is_err(), "{bad:?} accepted: {e:?}");
        }
    }

    #[test]
    fn pseudo_path_segments_cannot_escape() {
        assert_eq!(segment("../x/y z"), ".._x_y_z");
        assert_eq!(segment(""), "_");
        assert_eq!(segment(".."), "_");
    }
}
