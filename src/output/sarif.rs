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

/// A file path as a URI reference: absolute paths become `file://` URIs, relative ones stay
/// relative; everything but unreserved characters and `/` is percent-encoded (so `:` cannot be
/// mistaken for a scheme).
fn path_uri(p: &str) -> String {
    let mut out = String::new();
    if p.starts_with('/') {
        out.push_str("file://");
    }
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
) -> String {
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut results: Vec<Value> = Vec::new();
    for d in pods {
        let live = d.cluster.is_some();
        let who = pod_ref(d);
        for f in &d.findings {
            let rule_index = match index.get(&f.id) {
                Some(i) => *i,
                None => {
                    let mut rule = json!({
                        "id": f.id,
                        "shortDescription": { "text": f.title },
                        "fullDescription": { "text": f.detects.trim() },
                        "help": { "text": fix_text(f, t).trim() },
                        "defaultConfiguration": { "level": sarif_level(f.severity) },
                        "properties": {
                            "category": f.category,
                            "kind": f.kind.as_str(),
                            "tags": [f.category, f.kind.as_str()],
                        },
                    });
                    if let Some(url) = f.references.iter().find_map(|r| r.url.as_ref()) {
                        rule["helpUri"] = json!(url);
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
            let mut location = json!({});
            if let Some(e) = f.evidence.first().filter(|e| from_file(e, live)) {
                let mut phys =
                    json!({ "artifactLocation": { "uri": path_uri(&e.provenance.input) } });
                if let Some(line) = e.provenance.line {
                    phys["region"] = json!({ "startLine": line });
                }
                location["physicalLocation"] = phys;
            }
            if let Some(Subject { name: Some(n), .. }) = &d.subject {
                location["logicalLocations"] = json!([{
                    "name": n,
                    "fullyQualifiedName": pod_key(d),
                    "kind": "resource",
                }]);
            }
            let locations = if location.as_object().is_some_and(|o| o.is_empty()) {
                json!([])
            } else {
                json!([location])
            };
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
    let notifications: Vec<Value> = not_checked
        .iter()
        .map(|n| {
            json!({
                "level": "warning",
                "descriptor": { "id": "not-checked" },
                "message": { "text": format!("Not checked: {}: {}", n.what, n.reason) },
            })
        })
        .collect();
    let mut driver = json!({
        "name": TOOL_NAME,
        "version": TOOL_VERSION,
        "semanticVersion": TOOL_VERSION,
        "rules": rules,
    });
    let uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let Some(u) = uri {
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
        assert_eq!(path_uri("/tmp/x:y"), "file:///tmp/x%3Ay");
        assert_eq!(fnv1a(""), "cbf29ce484222325");
        assert_eq!(fnv1a("a"), "af63dc4c8601ec8c");
    }
}
