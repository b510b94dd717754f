//! CI workflows end to end against the in-test API server: namespace sweeps (grouping, counting,
//! request budget, partial access) and `--wait` (pods that become Ready, pods that fail, a timeout).

mod support;

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{ApiServer, Forbid, Options};

fn run(kubeconfig: &Path, args: &[&str]) -> (i32, Value, String, String) {
    let out = Command::cargo_bin("kubectl-diagnose")
        .expect("binary")
        .env_remove("KUBECONFIG")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn top_causes(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["pods"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p["subject"]["name"].as_str().unwrap_or("").to_string(),
                        p["findings"][0]["id"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn sweep_diagnoses_each_unhealthy_pod_and_counts_healthy_ones() {
    let server = ApiServer::start("sweep", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let (code, v, out, err) = run(&kc, &["namespace", "-o", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(v["kind"], "SweepReport", "{out}");
    assert_eq!(v["summary"]["pods"], 7, "{out}");
    assert_eq!(v["summary"]["healthy"], 3, "{out}");
    assert_eq!(
        top_causes(&v),
        vec![
            (
                "port-conflict-5b7f9c6d8-m4t2w".to_string(),
                "port-already-in-use".to_string()
            ),
            (
                "recommend-train-6c8d7f9b5-k7x2p".to_string(),
                "libcuda-not-found".to_string()
            ),
            (
                "search-6f9d8c7b5-4hx9m".to_string(),
                "image-not-found".to_string()
            ),
            (
                "web-7d9f8c6b5-x2x4p".to_string(),
                "image-pull-registry-timeout".to_string()
            ),
        ]
    );
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 4, "{out}");
    // Healthy pods are counted, not listed.
    assert!(
        !out.contains("catalog-6d8f7c9b4-q9w2e"),
        "healthy pod listed"
    );

    // Request budget: one pod list, one event list, one node-event list, one node list, logs of
    // failing containers only — never an event list per pod.
    let reqs = server.requests();
    let text = server.requests_text();
    assert!(reqs.iter().all(|q| q.method == "GET"), "{text}");
    let count = |f: &dyn Fn(&support::Recorded) -> bool| reqs.iter().filter(|q| f(q)).count();
    assert_eq!(
        count(&|q| q.path == "/api/v1/namespaces/shop/pods"),
        1,
        "{text}"
    );
    assert_eq!(
        count(&|q| q.path == "/api/v1/namespaces/shop/events"),
        1,
        "{text}"
    );
    assert_eq!(count(&|q| q.path == "/api/v1/events"), 1, "{text}");
    assert_eq!(count(&|q| q.path == "/api/v1/nodes"), 1, "{text}");
    let logs: Vec<String> = reqs
        .iter()
        .filter(|q| q.path.ends_with("/log"))
        .map(|q| q.path.clone())
        .collect();
    assert!(
        logs.iter()
            .all(|p| p.contains("port-conflict") || p.contains("recommend-train")),
        "{logs:?}"
    );
    assert_eq!(reqs.len(), 4 + logs.len(), "{text}");
}

#[test]
fn sweep_pages_through_large_pod_lists_and_honours_selectors() {
    let server = ApiServer::start("sweep", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let (code, v, out, _) = run(
        &kc,
        &["namespace", "shop", "-l", "app=catalog", "-o", "json"],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["summary"]["pods"], 2, "{out}");
    assert_eq!(v["summary"]["healthy"], 2, "{out}");
    let list = server
        .requests()
        .into_iter()
        .find(|q| q.path == "/api/v1/namespaces/shop/pods")
        .unwrap();
    assert_eq!(list.param("labelSelector").as_deref(), Some("app=catalog"));
    assert_eq!(list.param("limit").as_deref(), Some("500"));
}

#[test]
fn sweep_with_events_forbidden_still_diagnoses_and_says_so() {
    let server = ApiServer::start(
        "sweep",
        Options {
            forbidden: vec![Forbid::new("events", None), Forbid::new("nodes", None)],
            ..Options::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let (code, v, out, _) = run(&kc, &["namespace", "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    let nc = v["notChecked"].to_string();
    assert!(
        nc.contains("events of the pods") && nc.contains("list events"),
        "{nc}"
    );
    assert!(nc.contains("list nodes"), "{nc}");
    let causes = top_causes(&v);
    assert!(
        causes.contains(&(
            "port-conflict-5b7f9c6d8-m4t2w".into(),
            "port-already-in-use".into()
        )),
        "logs still prove it: {causes:?}"
    );
    // Every format says the read was partial.
    for (fmt, needle) in [
        ("table", "Not checked"),
        ("markdown", "Not checked"),
        ("junit", "list events"),
        ("github", "Not checked"),
        ("sarif", "list events"),
    ] {
        let (_, _, out, _) = run(&kc, &["namespace", "-o", fmt]);
        assert!(
            out.contains(needle),
            "{fmt} does not say what was not checked:\n{out}"
        );
    }
}

#[test]
fn wait_succeeds_when_the_pod_becomes_ready() {
    let server = ApiServer::start("sweep", Options::default());
    // The pod starts as ContainerCreating and becomes Ready a few seconds later.
    server.update_pod("shop", "redis-0", |p| {
        p["status"]["phase"] = json!("Pending");
        p["status"]["containerStatuses"][0]["ready"] = json!(false);
        p["status"]["containerStatuses"][0]["state"] =
            json!({"waiting": {"reason": "ContainerCreating"}});
    });
    let original = server.object("pods", Some("shop"), "redis-0");
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let srv = std::sync::Arc::new(server);
    let flip = {
        let srv = srv.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(3));
            srv.update_pod("shop", "redis-0", |p| {
                p["status"]["phase"] = json!("Running");
                p["status"]["containerStatuses"][0]["ready"] = json!(true);
                p["status"]["containerStatuses"][0]["state"] =
                    json!({"running": {"startedAt": "2024-04-03T07:59:00Z"}});
            });
        })
    };
    let start = Instant::now();
    let (code, _, out, err) = run(&kc, &["pod", "redis-0", "--wait", "60s"]);
    flip.join().unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "it returned before the pod was ready"
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(original.is_some());
}

#[test]
fn wait_fails_fast_on_a_failure_that_will_not_resolve() {
    let server = ApiServer::start("sweep", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let start = Instant::now();
    let (code, v, out, err) = run(
        &kc,
        &["namespace", "-l", "app=web", "--wait", "5m", "-o", "json"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "did not fail fast"
    );
    assert_eq!(
        v["pods"][0]["findings"][0]["id"], "image-pull-registry-timeout",
        "{out}"
    );
}

#[test]
fn wait_times_out_saying_what_it_was_waiting_for() {
    let server = ApiServer::start("sweep", Options::default());
    server.update_pod("shop", "redis-0", |p| {
        p["status"]["phase"] = json!("Pending");
        p["status"]["containerStatuses"][0]["ready"] = json!(false);
        p["status"]["containerStatuses"][0]["state"] =
            json!({"waiting": {"reason": "ContainerCreating"}});
    });
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let start = Instant::now();
    let (code, v, out, err) = run(&kc, &["pod", "redis-0", "--wait", "3s", "-o", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(start.elapsed() >= Duration::from_secs(3));
    let nc = v["notChecked"].to_string();
    assert!(
        nc.contains("--wait 3s ran out") && nc.contains("ContainerCreating"),
        "{nc}"
    );
}

#[test]
fn all_namespaces_sweep_uses_cluster_wide_lists() {
    let server = ApiServer::start("sweep", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "default");
    let (code, v, out, _) = run(
        &kc,
        &[
            "namespace",
            "-A",
            "--field-selector",
            "status.phase!=Succeeded",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(v["scope"]["kind"], "all-namespaces");
    assert_eq!(v["summary"]["pods"], 7);
    let reqs = server.requests();
    let text = server.requests_text();
    let pods = reqs
        .iter()
        .find(|q| q.path == "/api/v1/pods")
        .expect("cluster-wide pod list");
    assert_eq!(
        pods.param("fieldSelector").as_deref(),
        Some("status.phase!=Succeeded")
    );
    // One cluster-wide event list covers pods and nodes; no namespaced or node-event lists.
    assert_eq!(
        reqs.iter().filter(|q| q.path == "/api/v1/events").count(),
        1,
        "{text}"
    );
    assert!(
        !reqs
            .iter()
            .any(|q| q.path.contains("/namespaces/") && q.path.ends_with("/events")),
        "{text}"
    );
}

/// The progress a terminal shows during a sweep: the pod list page by page, then the events, then
/// each log fetch, from the first request on (the CLI draws it as a spinner on a TTY only).
#[test]
fn sweep_reports_each_phase_from_the_first_request() {
    use kubectl_diagnose::connect::ClusterArgs;
    use kubectl_diagnose::engine::Engine;
    use kubectl_diagnose::live::{Cluster, Phase, SweepTarget};
    use kubectl_diagnose::rules::RuleSet;
    use std::sync::Mutex;

    let server = ApiServer::start("sweep", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let opts = ClusterArgs {
        kubeconfig: Some(kc),
        ..ClusterArgs::default()
    }
    .options()
    .expect("options");
    let engine = Engine::new(&RuleSet::builtin().expect("rules")).expect("engine");
    let seen: Mutex<Vec<Phase>> = Mutex::new(Vec::new());
    let record = |p: Phase| seen.lock().expect("lock").push(p);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let g = rt
        .block_on(async {
            let cluster = Cluster::connect(&opts).await?;
            let target = SweepTarget {
                concurrency: 4,
                tail: 100,
                ..SweepTarget::default()
            };
            cluster.sweep(&target, &engine, Some(&record)).await
        })
        .expect("sweep");
    let seen = seen.into_inner().expect("lock");
    assert_eq!(
        seen.first(),
        Some(&Phase::ListingPods { page: 1 }),
        "{seen:?}"
    );
    let events = seen
        .iter()
        .position(|p| *p == Phase::ListingEvents)
        .unwrap_or_else(|| panic!("no events phase: {seen:?}"));
    let logs: Vec<(u64, u64)> = seen[events..]
        .iter()
        .filter_map(|p| match p {
            Phase::ReadingLogs { done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert!(!logs.is_empty(), "{seen:?}");
    let total = logs[0].1;
    assert_eq!(logs[0].0, 0, "{seen:?}");
    assert_eq!(logs.last(), Some(&(total, total)), "{seen:?}");
    assert_eq!(logs.len() as u64, total + 1, "{seen:?}");
    assert!(g.requests as u64 >= total + 3, "{}", g.requests);
}
