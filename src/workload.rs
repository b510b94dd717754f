//! Live diagnosis of a workload (`deploy/NAME`, `rs/`, `sts/`, `ds/`, `job/`, `cronjob/`): its
//! current pods, diagnosed as a namespace sweep does, plus the controllers' own evidence, which is
//! often all there is when no pod could be created: their events (`FailedCreate` ... `exceeded
//! quota`, `violates PodSecurity`, an admission webhook's denial, a missing service account;
//! `MissSchedule` / `TooManyMissedTimes` of a CronJob) and their status conditions (a Deployment's
//! `ProgressDeadlineExceeded` and `ReplicaFailure`, a Job's `BackoffLimitExceeded` and
//! `DeadlineExceeded`), which become events with `object_kind` `Deployment` / `Job` and provenance
//! format `deployment-condition` / `job-condition`.
//!
//! Requests (all GET): the workload; for a Deployment its ReplicaSets (one LIST), for a CronJob its
//! Jobs (one LIST); the pods (one LIST, paginated, by the workload's label selector, then kept when
//! owned by the workload or its ReplicaSets/Jobs); the namespace's events (one LIST) for the
//! controllers' events; then what a sweep costs for the unhealthy pods.

use crate::evidence::{Event, Evidence, Provenance, When};
use crate::live::{Cluster, Failure, LiveError, Progress, SweepGathered, SweepTarget};
use crate::nouns::WorkloadKind;
use crate::parse::{api_object_to_evidence, LineFilter};
use k8s_openapi::api::core::v1::{Event as KEvent, Pod};
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde_json::Value;

/// What a workload diagnosis gathered.
pub struct WorkloadGathered {
    /// The pods, as a sweep gathers them.
    pub pods: SweepGathered,
    /// The controllers' events and conditions.
    pub controller: Evidence,
    /// The label selector the pods were listed with.
    pub selector: Option<String>,
}

/// kube's description of the workload kind's API resource.
pub fn resource(kind: WorkloadKind) -> ApiResource {
    use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
    use k8s_openapi::api::batch::v1::{CronJob, Job};
    match kind {
        WorkloadKind::Deployment => ApiResource::erase::<Deployment>(&()),
        WorkloadKind::ReplicaSet => ApiResource::erase::<ReplicaSet>(&()),
        WorkloadKind::StatefulSet => ApiResource::erase::<StatefulSet>(&()),
        WorkloadKind::DaemonSet => ApiResource::erase::<DaemonSet>(&()),
        WorkloadKind::Job => ApiResource::erase::<Job>(&()),
        WorkloadKind::CronJob => ApiResource::erase::<CronJob>(&()),
    }
}

fn permission(verb: &str, kind: WorkloadKind, ns: &str) -> String {
    let plural = match kind {
        WorkloadKind::Deployment => "deployments",
        WorkloadKind::ReplicaSet => "replicasets",
        WorkloadKind::StatefulSet => "statefulsets",
        WorkloadKind::DaemonSet => "daemonsets",
        WorkloadKind::Job => "jobs",
        WorkloadKind::CronJob => "cronjobs",
    };
    format!("{verb} {plural} in namespace \"{ns}\"")
}

fn uid(v: &Value) -> String {
    v.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn owned_by(v: &Value, owners: &[String]) -> bool {
    v.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter().any(|r| {
                r.get("uid")
                    .and_then(Value::as_str)
                    .is_some_and(|u| owners.iter().any(|o| o == u))
            })
        })
}

/// `spec.selector.matchLabels` (or `spec.jobTemplate.spec.selector`) as a label selector string;
/// `matchExpressions` are left to the owner-reference filter.
fn match_labels(v: &Value, pointer: &str) -> Option<String> {
    let labels = v.pointer(pointer)?.as_object()?;
    let mut parts: Vec<String> = labels
        .iter()
        .filter_map(|(k, val)| val.as_str().map(|s| format!("{k}={s}")))
        .collect();
    parts.sort();
    (!parts.is_empty()).then(|| parts.join(","))
}

/// A status condition as an event, so that rules about the controller's events and its conditions
/// share one source. Conditions that report trouble are `Warning`.
fn condition_events(obj: &Value, kind: &str, input: &str, format: &str, ev: &mut Evidence) {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(conds) = obj.pointer("/status/conditions").and_then(Value::as_array) else {
        return;
    };
    for c in conds {
        let s = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(type_), Some(status)) = (s("type"), s("status")) else {
            continue;
        };
        let trouble = match type_.as_str() {
            "Progressing" | "Available" | "Complete" => status == "False",
            "ReplicaFailure" | "Failed" | "FailureTarget" => status == "True",
            _ => false,
        };
        let when = s("lastTransitionTime")
            .or_else(|| s("lastUpdateTime"))
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| When::Absolute(t.timestamp()));
        ev.events.push(Event {
            type_: Some(if trouble { "Warning" } else { "Normal" }.to_string()),
            reason: s("reason").or(Some(type_.clone())),
            message: s("message").unwrap_or_default(),
            count: None,
            object_kind: Some(kind.to_string()),
            object_name: name.clone(),
            source: None,
            first_seen: when,
            last_seen: when,
            provenance: Provenance::new(input, None, format),
        });
    }
}

impl Cluster {
    /// Gather a workload's pods and its controllers' evidence.
    pub async fn gather_workload(
        &self,
        kind: WorkloadKind,
        name: &str,
        target: &SweepTarget,
        filter: &dyn LineFilter,
        progress: Option<Progress<'_>>,
    ) -> Result<WorkloadGathered, LiveError> {
        let ns = self.namespace.clone();
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), &ns, &resource(kind));
        let mut requests = 1;
        let obj = match self.call(api.get(name)).await {
            Ok(o) => serde_json::to_value(&o).unwrap_or_default(),
            Err(f) => {
                if let Some(e) = self.connection_error(&f) {
                    return Err(e);
                }
                if let Failure::Kube(kube::Error::Api(s)) = &f {
                    if s.code == 404 {
                        self.check_namespace(&ns).await?;
                        let mut known: Vec<String> = match self
                            .call(api.list_metadata(&ListParams::default().limit(500)))
                            .await
                        {
                            Ok(l) => l
                                .items
                                .into_iter()
                                .filter_map(|o| o.metadata.name)
                                .collect(),
                            Err(_) => Vec::new(),
                        };
                        known.sort();
                        return Err(LiveError::ObjectNotFound {
                            kind: kind.as_str().to_string(),
                            name: name.to_string(),
                            namespace: ns.clone(),
                            context: self.context.clone(),
                            hint: if known.is_empty() {
                                String::new()
                            } else {
                                format!("; {}s there: {}", kind.as_str(), known.join(", "))
                            },
                        });
                    }
                }
                return Err(LiveError::Api {
                    pod: format!("{}/{name}", kind.as_str()),
                    detail: format!("{f}; needs `{}`", permission("get", kind, &ns)),
                });
            }
        };
        let mut controller = Evidence::new();
        let input = format!("{} {ns}/{name}", kind.as_str());
        let mut controllers: Vec<(&str, Value)> = vec![(kind.kind(), obj.clone())];

        // The objects that own the pods: the workload, or its ReplicaSets / Jobs.
        let (children_kind, selector_ptr) = match kind {
            WorkloadKind::Deployment => {
                (Some(WorkloadKind::ReplicaSet), "/spec/selector/matchLabels")
            }
            WorkloadKind::CronJob => (Some(WorkloadKind::Job), ""),
            _ => (None, "/spec/selector/matchLabels"),
        };
        let selector = if selector_ptr.is_empty() {
            None
        } else {
            match_labels(&obj, selector_ptr)
        };
        let mut owners = vec![uid(&obj)];
        if let Some(ck) = children_kind {
            let capi: Api<DynamicObject> =
                Api::namespaced_with(self.client.clone(), &ns, &resource(ck));
            let mut lp = ListParams::default();
            if let Some(sel) = &selector {
                lp = lp.labels(sel);
            }
            requests += 1;
            match self.call(capi.list(&lp)).await {
                Ok(list) => {
                    owners.clear();
                    for child in list.items {
                        let v = serde_json::to_value(&child).unwrap_or_default();
                        if owned_by(&v, &[uid(&obj)]) {
                            owners.push(uid(&v));
                            controllers.push((ck.kind(), v));
                        }
                    }
                }
                Err(f) => {
                    if let Some(e) = self.connection_error(&f) {
                        return Err(e);
                    }
                    self.degrade(
                        &mut controller,
                        &f,
                        &format!("{}s of {input}", ck.as_str()),
                        &permission("list", ck, &ns),
                    );
                }
            }
        }

        // Conditions: the Deployment's and every Job's.
        for (k, c) in &controllers {
            let cname = c
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match *k {
                "Deployment" => condition_events(
                    c,
                    "Deployment",
                    &format!("deployment {ns}/{cname}"),
                    "deployment-condition",
                    &mut controller,
                ),
                "Job" => condition_events(
                    c,
                    "Job",
                    &format!("job {ns}/{cname}"),
                    "job-condition",
                    &mut controller,
                ),
                _ => {}
            }
        }

        // The controllers' events.
        let events_api: Api<KEvent> = Api::namespaced(self.client.clone(), &ns);
        requests += 1;
        let controller_uids: Vec<String> = controllers.iter().map(|(_, c)| uid(c)).collect();
        match self.call(events_api.list(&ListParams::default())).await {
            Ok(list) => {
                for e in list.items {
                    let about = e
                        .involved_object
                        .uid
                        .as_deref()
                        .is_some_and(|u| controller_uids.iter().any(|c| c == u));
                    if about {
                        let what = format!(
                            "events of {} {ns}/{}",
                            e.involved_object
                                .kind
                                .as_deref()
                                .unwrap_or("object")
                                .to_lowercase(),
                            e.involved_object.name.as_deref().unwrap_or("?")
                        );
                        api_object_to_evidence(
                            &serde_json::to_value(&e).unwrap_or_default(),
                            &what,
                            &mut controller,
                        );
                    }
                }
            }
            Err(f) => self.degrade(
                &mut controller,
                &f,
                &format!("events of {input}"),
                &format!("list events in namespace \"{ns}\""),
            ),
        }

        // The pods.
        let pods_api: Api<Pod> = Api::namespaced(self.client.clone(), &ns);
        let list_target = SweepTarget {
            label_selector: selector.clone(),
            ..target.clone()
        };
        let (pods, pages) = match owners.is_empty() {
            true => (Vec::new(), 0),
            false => self
                .list_pods_with(&pods_api, &list_target, progress)
                .await
                .map_err(|f| {
                    self.connection_error(&f).unwrap_or_else(|| LiveError::Api {
                        pod: "(workload)".into(),
                        detail: format!("cannot list pods in namespace \"{ns}\": {f}"),
                    })
                })?,
        };
        let pods: Vec<Pod> = pods
            .into_iter()
            .filter(|p| {
                p.metadata
                    .owner_references
                    .as_ref()
                    .is_some_and(|refs| refs.iter().any(|r| owners.iter().any(|o| o == &r.uid)))
            })
            .collect();
        let mut gathered = self
            .sweep_pods(pods, Some(ns), pages, target, filter, progress)
            .await?;
        gathered.requests += requests;
        Ok(WorkloadGathered {
            pods: gathered,
            controller,
            selector,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditions_become_events() {
        let d = json!({
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "status": {"conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability."},
                {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                 "message": "ReplicaSet \"web-7d9f8c6b5\" has timed out progressing.",
                 "lastTransitionTime": "2024-04-03T07:50:00Z"},
            ]}
        });
        let mut ev = Evidence::new();
        condition_events(
            &d,
            "Deployment",
            "deployment shop/web",
            "deployment-condition",
            &mut ev,
        );
        assert_eq!(ev.events.len(), 2);
        let e = &ev.events[1];
        assert_eq!(e.reason.as_deref(), Some("ProgressDeadlineExceeded"));
        assert_eq!(e.type_.as_deref(), Some("Warning"));
        assert_eq!(e.object_kind.as_deref(), Some("Deployment"));
        assert_eq!(e.object_name.as_deref(), Some("web"));
        assert_eq!(e.provenance.format, "deployment-condition");
        assert_eq!(ev.events[0].type_.as_deref(), Some("Normal"));
    }

    #[test]
    fn selectors_and_owners() {
        let d = json!({"metadata": {"uid": "u1"}, "spec": {"selector": {"matchLabels": {"b": "2", "a": "1"}}}});
        assert_eq!(
            match_labels(&d, "/spec/selector/matchLabels").as_deref(),
            Some("a=1,b=2")
        );
        let p = json!({"metadata": {"ownerReferences": [{"uid": "u1"}]}});
        assert!(owned_by(&p, &["u1".into()]));
        assert!(!owned_by(&p, &["u2".into()]));
    }
}
