//! Workload targets (`deploy/NAME`, `sts/`, `ds/`, `job/`, `cronjob/`) against the in-test API
//! server's `workloads` scenario: each resolves to its current pods and reads the controllers' own
//! evidence (FailedCreate events, Deployment and Job conditions, CronJob missed schedules), with GET
//! requests only.

mod support;

use serde_json::Value;
use std::path::Path;
use support::run::{diagnose, Run};
use support::{ApiServer, Options};

/// (subject name, top finding id) of every diagnosed item.
fn items(r: &Run) -> Vec<(String, String)> {
    r.json["pods"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["subject"]["name"].as_str().unwrap_or("").to_string(),
                        d["findings"][0]["id"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn all_ids(r: &Run) -> Vec<String> {
    let mut out = Vec::new();
    for d in r.json["pods"].as_array().cloned().unwrap_or_default() {
        for f in d["findings"].as_array().cloned().unwrap_or_default() {
            out.push(f["id"].as_str().unwrap_or("").to_string());
        }
    }
    out
}

fn setup() -> (ApiServer, tempfile::TempDir, std::path::PathBuf) {
    let s = ApiServer::start("workloads", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(dir.path(), "shop");
    (s, dir, kc)
}

#[test]
fn deployment_quota_is_found_through_its_replicaset() {
    let (s, _dir, kc) = setup();
    let r = diagnose(&kc, &["deploy/web", "-o", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json["scope"]["kind"], "workload", "{}", r.stdout);
    assert_eq!(r.json["scope"]["source"], "deployment/web");
    // The ReplicaSet's one pod is healthy; the canary's pod (same labels, another owner) is not
    // web's and is not counted.
    assert_eq!(r.json["summary"]["pods"], 1, "{}", r.stdout);
    assert_eq!(r.json["summary"]["healthy"], 1, "{}", r.stdout);
    assert_eq!(
        items(&r),
        vec![(
            "deployment/web".to_string(),
            "pod-creation-exceeded-quota".to_string()
        )],
        "{}",
        r.stdout
    );
    let ids = all_ids(&r);
    assert!(
        ids.contains(&"deployment-progress-deadline-exceeded".to_string())
            && ids.contains(&"controller-failed-create-pods".to_string()),
        "{ids:?}"
    );
    // The report follows the published schema.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&r.json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let f = &r.json["pods"][0]["findings"][0];
    assert!(
        f["title"].as_str().unwrap_or("").contains("compute-quota"),
        "{f}"
    );
    // Read-only, and bounded: the deployment, its ReplicaSets, the events, the pods.
    let reqs = s.requests();
    assert!(
        reqs.iter().all(|q| q.method == "GET"),
        "{}",
        s.requests_text()
    );
    let paths: Vec<&str> = reqs.iter().map(|q| q.path.as_str()).collect();
    assert!(paths.contains(&"/apis/apps/v1/namespaces/shop/deployments/web"));
    assert!(paths.contains(&"/apis/apps/v1/namespaces/shop/replicasets"));
    assert!(reqs.len() <= 5, "{}", s.requests_text());
    // The same through `deploy web` and `deployment.apps/web`, and as a table.
    let r = diagnose(&kc, &["deploy", "web", "-o", "json"]);
    assert_eq!(items(&r)[0].1, "pod-creation-exceeded-quota");
    let r = diagnose(&kc, &["deployment.apps/web", "--color", "never"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("deployment/web in namespace shop"),
        "{}",
        r.stdout
    );
}

#[test]
fn statefulset_daemonset_and_gated_deployment_show_why_no_pod_exists() {
    let (_s, _dir, kc) = setup();
    for (target, want) in [
        ("sts/db", "pod-creation-service-account-not-found"),
        ("ds/agent", "pod-creation-violates-pod-security"),
        ("deploy/gated", "pod-creation-denied-by-admission-webhook"),
    ] {
        let r = diagnose(&kc, &[target, "-o", "json"]);
        assert_eq!(r.code, 1, "{target}: {}\n{}", r.stdout, r.stderr);
        assert_eq!(r.json["summary"]["pods"], 0, "{target}: {}", r.stdout);
        let it = items(&r);
        assert_eq!(it.len(), 1, "{target}: {it:?}");
        assert_eq!(it[0].1, want, "{target}: {}", r.stdout);
        assert_eq!(r.json["groups"][0]["cause"], want);
    }
}

#[test]
fn job_conditions_and_pods_are_diagnosed() {
    let (_s, _dir, kc) = setup();
    let r = diagnose(&kc, &["job/migrate", "-o", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let it = items(&r);
    assert!(
        it.iter()
            .any(|(n, id)| n == "job/migrate" && id == "job-backoff-limit-exceeded"),
        "{it:?}"
    );
    assert!(it.iter().any(|(n, _)| n == "migrate-7xkqp"), "{it:?}");
    // The condition is evidence with the Job as its object and the job-condition format.
    let job = r.json["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["subject"]["name"] == "job/migrate")
        .unwrap()
        .clone();
    let text = job.to_string();
    assert!(text.contains("job-condition"), "{text}");
}

#[test]
fn cronjob_missed_schedules_and_its_jobs() {
    let (s, _dir, kc) = setup();
    let r = diagnose(&kc, &["cronjob/nightly", "-o", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let ids = all_ids(&r);
    assert!(
        ids.contains(&"cronjob-missed-schedule".to_string())
            && ids.contains(&"job-deadline-exceeded".to_string()),
        "{ids:?}"
    );
    assert!(s
        .requests()
        .iter()
        .any(|q| q.path == "/apis/batch/v1/namespaces/shop/jobs"));
}

#[test]
fn unknown_workload_names_the_existing_ones() {
    let (_s, _dir, kc) = setup();
    let r = diagnose(&kc, &["deploy/wbe"]);
    assert_eq!(r.code, 2);
    let err = r.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("deployment \"wbe\" not found") && err.contains("gated, web"),
        "{err}"
    );
}
