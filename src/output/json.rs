//! JSON / YAML: the versioned machine contract (`schema/report.schema.json`).

use super::*;

// ---------------------------------------------------------------------------------------------
// JSON / YAML

#[derive(Serialize)]
struct ToolJson {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SweepJson<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: ToolJson,
    scope: &'a Scope,
    summary: SweepSummary,
    groups: &'a [Group],
    pods: Vec<PodEntry<'a>>,
    not_checked: &'a [NotChecked],
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: &'a Option<ClusterInfo>,
}

/// Pods by their worst finding: `critical + warning + info + (pods with no finding) == unhealthy`.
#[derive(Serialize)]
struct SweepSummary {
    pods: usize,
    healthy: usize,
    unhealthy: usize,
    critical: usize,
    warning: usize,
    info: usize,
}

/// One pod of a sweep: the pod report without `schemaVersion` and `tool`.
#[derive(Serialize)]
struct PodEntry<'a> {
    kind: &'static str,
    #[serde(flatten)]
    body: PodJson<'a>,
}

fn sweep_json(r: &SweepReport) -> SweepJson<'_> {
    let pods: Vec<&Diagnosis> = r.pods.iter().collect();
    let (critical, warning, info) = severity_counts(&pods);
    SweepJson {
        schema_version: SCHEMA_VERSION,
        kind: "SweepReport",
        tool: ToolJson {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        scope: &r.scope,
        summary: SweepSummary {
            pods: r.total_pods,
            healthy: r.healthy_pods,
            unhealthy: r.pods.len(),
            critical,
            warning,
            info,
        },
        groups: &r.groups,
        pods: r
            .pods
            .iter()
            .map(|d| PodEntry {
                kind: "PodDiagnosis",
                body: d.json_body(),
            })
            .collect(),
        not_checked: &r.not_checked,
        cluster: &r.cluster,
    }
}

/// The pod JSON report as YAML. Going through `serde_yaml::Value` (an ordered map) keeps the keys in
/// the JSON report's order, so both are the same document by construction.
pub(super) fn yaml_of_json(json: &str) -> String {
    serde_json::from_str::<serde_yaml::Value>(json)
        .map_err(|e| e.to_string())
        .and_then(|v| serde_yaml::to_string(&v).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| format!("schemaVersion: {SCHEMA_VERSION}\nerror: {e:?}\n"))
}

/// A sweep as the `SweepReport` JSON document (pretty, newline-terminated).
pub(super) fn sweep_json_text(r: &SweepReport) -> String {
    let mut s = serde_json::to_string_pretty(&sweep_json(r)).unwrap_or_else(|e| {
        format!(
            "{{\"schemaVersion\":{SCHEMA_VERSION},\"kind\":\"SweepReport\",\"error\":{:?}}}",
            e.to_string()
        )
    });
    s.push('\n');
    s
}

/// [`sweep_json_text`] written straight to `w`: a sweep of thousands of pods is a document of
/// tens of MiB, which is never held whole in memory (issue 12: the live 20,000-pod sweep's peak).
pub(super) fn write_sweep_json(r: &SweepReport, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut w = std::io::BufWriter::with_capacity(64 << 10, w);
    serde_json::to_writer_pretty(&mut w, &sweep_json(r)).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// A sweep as the same document in YAML.
pub(super) fn sweep_yaml_text(r: &SweepReport) -> String {
    serde_yaml::to_string(&sweep_json(r))
        .unwrap_or_else(|e| format!("schemaVersion: {SCHEMA_VERSION}\nerror: {e:?}\n"))
}
