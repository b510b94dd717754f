//! `diagnose_workload`: a workload's current pods, swept like a namespace.
//!
//! One GET of the workload object (apps/v1 or batch/v1) gives its pod selector; the pods are then
//! swept with that label selector by the same read-only calls as `namespace -l` (`Cluster::sweep`).
//! Kept small on purpose: when the CLI grows its own workload targets, this module should call them.

use crate::engine::Engine;
use crate::live::Cluster;
use crate::sweep::SweepReport;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::Api;

/// The workload kinds with a pod selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
}

impl WorkloadKind {
    /// kubectl's names and short names, any case: `deploy`, `deployments`, `sts`, `ds`, `rs`, `job`.
    pub fn parse(s: &str) -> Option<WorkloadKind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "deployment" | "deployments" | "deploy" | "deployment.apps" => WorkloadKind::Deployment,
            "statefulset" | "statefulsets" | "sts" | "statefulset.apps" => {
                WorkloadKind::StatefulSet
            }
            "daemonset" | "daemonsets" | "ds" | "daemonset.apps" => WorkloadKind::DaemonSet,
            "replicaset" | "replicasets" | "rs" | "replicaset.apps" => WorkloadKind::ReplicaSet,
            "job" | "jobs" | "job.batch" => WorkloadKind::Job,
            _ => return None,
        })
    }

    pub fn kind(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::Job => "Job",
        }
    }

    /// The RBAC resource a GET needs.
    fn resource(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployments.apps",
            WorkloadKind::StatefulSet => "statefulsets.apps",
            WorkloadKind::DaemonSet => "daemonsets.apps",
            WorkloadKind::ReplicaSet => "replicasets.apps",
            WorkloadKind::Job => "jobs.batch",
        }
    }
}

/// `kind` + `name`, or `name` written `kind/name`.
pub(crate) fn parse_target(
    kind: Option<&str>,
    name: &str,
) -> Result<(WorkloadKind, String), String> {
    let (k, n) = match (kind.filter(|k| !k.is_empty()), name.split_once('/')) {
        (Some(k), None) => (k, name),
        (Some(k), Some((nk, n))) if WorkloadKind::parse(nk) == WorkloadKind::parse(k) => (k, n),
        (Some(k), Some(_)) => {
            return Err(format!(
                "workload name \"{name}\" contradicts kind \"{k}\": give the name alone"
            ))
        }
        (None, Some((k, n))) => (k, n),
        (None, None) => {
            return Err(format!(
                "which kind of workload is \"{name}\"? give kind (deployment, statefulset, \
                 daemonset, replicaset or job) or write kind/name, e.g. deploy/{name}"
            ))
        }
    };
    let kind = WorkloadKind::parse(k).ok_or_else(|| {
        format!(
            "unknown workload kind \"{k}\": use deployment, statefulset, daemonset, replicaset or \
             job (a CronJob's pods belong to its Jobs: diagnose a Job)"
        )
    })?;
    if n.is_empty() {
        return Err("workload name is empty".to_string());
    }
    Ok((kind, n.to_string()))
}

/// A label selector as the API's `labelSelector` parameter writes it.
pub fn selector_string(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        parts.push(format!("{k}={v}"));
    }
    for e in sel.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        match e.operator.as_str() {
            "In" => parts.push(format!("{} in ({values})", e.key)),
            "NotIn" => parts.push(format!("{} notin ({values})", e.key)),
            "Exists" => parts.push(e.key.clone()),
            "DoesNotExist" => parts.push(format!("!{}", e.key)),
            _ => {}
        }
    }
    parts.join(",")
}

/// Read the workload's selector (within `timeout`, the server's `--request-timeout`), then sweep its
/// pods. Returns the report and the selector used.
pub(crate) async fn diagnose(
    cluster: &Cluster,
    kind: WorkloadKind,
    name: &str,
    engine: &Engine,
    timeout: Option<std::time::Duration>,
) -> anyhow::Result<(SweepReport, String)> {
    let ns = cluster.namespace.as_str();
    let client = cluster.client().clone();
    let get = async {
        Ok::<_, kube::Error>(match kind {
            WorkloadKind::Deployment => Api::<Deployment>::namespaced(client, ns)
                .get(name)
                .await?
                .spec
                .map(|s| s.selector),
            WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(client, ns)
                .get(name)
                .await?
                .spec
                .map(|s| s.selector),
            WorkloadKind::DaemonSet => Api::<DaemonSet>::namespaced(client, ns)
                .get(name)
                .await?
                .spec
                .map(|s| s.selector),
            WorkloadKind::ReplicaSet => Api::<ReplicaSet>::namespaced(client, ns)
                .get(name)
                .await?
                .spec
                .map(|s| s.selector),
            WorkloadKind::Job => Api::<Job>::namespaced(client, ns)
                .get(name)
                .await?
                .spec
                .and_then(|s| s.selector),
        })
    };
    let what = format!("{} \"{name}\"", kind.kind().to_ascii_lowercase());
    let res = match timeout {
        Some(t) => tokio::time::timeout(t, get).await.map_err(|_| {
            anyhow::anyhow!(
                "request to {} timed out after {}s (context \"{}\"); raise --request-timeout or \
                 check the connection",
                cluster.server,
                t.as_secs().max(1),
                cluster.context
            )
        })?,
        None => get.await,
    };
    let selector = match res {
        Ok(s) => s,
        Err(kube::Error::Api(s)) if s.code == 404 => anyhow::bail!(
            "{what} not found in namespace \"{ns}\" (context \"{}\"); list them with `kubectl get \
             {} -n {ns}`",
            cluster.context,
            kind.resource()
        ),
        Err(kube::Error::Api(s)) if s.code == 403 => anyhow::bail!(
            "not allowed to read {what} in namespace \"{ns}\" (context \"{}\"): {}; diagnosing a \
             workload needs `get` on `{}` there",
            cluster.context,
            s.message,
            kind.resource()
        ),
        Err(kube::Error::Api(s)) if s.code == 401 => anyhow::bail!(
            "the cluster at {} rejected the credentials of context \"{}\" (401 Unauthorized); log \
             in again or check the token, client certificate or exec plugin in your kubeconfig",
            cluster.server,
            cluster.context
        ),
        Err(kube::Error::Api(s)) => {
            anyhow::bail!("reading {what} failed: {} ({})", s.message, s.code)
        }
        Err(e) => anyhow::bail!(
            "cannot reach the cluster at {} (context \"{}\"): {e}",
            cluster.server,
            cluster.context
        ),
    };
    let selector = selector.map(|s| selector_string(&s)).unwrap_or_default();
    if selector.is_empty() {
        anyhow::bail!("{what} in namespace \"{ns}\" has no pod selector; nothing to diagnose");
    }
    let target = crate::live::SweepTarget {
        all_namespaces: false,
        label_selector: Some(selector.clone()),
        field_selector: None,
        concurrency: 8,
        tail: crate::live::DEFAULT_TAIL,
    };
    let mut r = super::sweep_live(cluster, &target, engine).await?;
    if let Some(c) = &mut r.cluster {
        c.requests += 1;
    }
    Ok((r, selector))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    #[test]
    fn kinds_and_short_names() {
        assert_eq!(
            parse_target(None, "deploy/web").unwrap(),
            (WorkloadKind::Deployment, "web".to_string())
        );
        assert_eq!(
            parse_target(Some("StatefulSet"), "db").unwrap(),
            (WorkloadKind::StatefulSet, "db".to_string())
        );
        assert_eq!(
            parse_target(Some("ds"), "ds/agent").unwrap(),
            (WorkloadKind::DaemonSet, "agent".to_string())
        );
        assert!(parse_target(None, "web").unwrap_err().contains("kind/name"));
        assert!(parse_target(Some("cronjob"), "nightly")
            .unwrap_err()
            .contains("unknown workload kind \"cronjob\""));
        assert!(parse_target(Some("deploy"), "sts/db")
            .unwrap_err()
            .contains("contradicts"));
    }

    #[test]
    fn selectors_are_written_as_the_api_reads_them() {
        let sel = LabelSelector {
            match_labels: Some([("app".to_string(), "web".to_string())].into()),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "tier".into(),
                    operator: "In".into(),
                    values: Some(vec!["a".into(), "b".into()]),
                },
                LabelSelectorRequirement {
                    key: "canary".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                },
            ]),
        };
        assert_eq!(selector_string(&sel), "app=web,tier in (a,b),!canary");
    }
}
