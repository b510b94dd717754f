//! Live mode end to end: the `kubectl-diagnose pod` binary (kube-rs over HTTPS) against the in-test
//! Kubernetes API server in `tests/support/`, through a generated kubeconfig. Each documented
//! signature is diagnosed from a scenario in `testdata/live/`; RBAC denials, timeouts, bad
//! credentials, TLS failures and missing pods are exercised; the request log proves what one pod
//! costs and that nothing is written.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::time::Duration;
use support::run::{diagnose, Run};
use support::{ApiServer, Fault, FaultKind, Forbid, Options};

fn pod_json(server: &ApiServer, pod: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let mut args = vec!["pod", pod, "-o", "json"];
    args.extend_from_slice(extra);
    let r = diagnose(&kc, &args);
    drop(dir);
    r
}

fn ids(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["id"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn one_line_error(r: &Run) -> &str {
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr.trim_end().lines().count(),
        1,
        "one line expected: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r.stderr.trim_end()
}

/// (scenario, pod, expected top finding, a phrase of its documented fix)
const SIGNATURES: &[(&str, &str, &str, &str)] = &[
    (
        "registry-timeout",
        "web-7d9f8c6b5-x2x4p",
        "image-pull-registry-timeout",
        "43.137.86.21",
    ),
    (
        "insufficient-scope",
        "cart-5c9b8d7f6-zx4qp",
        "image-pull-insufficient-scope",
        "imagePullSecrets",
    ),
    (
        "image-not-found",
        "search-6f9d8c7b5-4hx9m",
        "image-not-found",
        "has no image",
    ),
    (
        "devmapper-digest",
        "ledger-sync-7b8c9d6f5-7xqkp",
        "image-layer-content-digest-not-found",
        "1.11",
    ),
    (
        "port-conflict",
        "port-conflict-5b7f9c6d8-m4t2w",
        "port-already-in-use",
        "Port 80",
    ),
    (
        "subnet-exhausted",
        "order-sync-7f9c8d6b5-5tq8v",
        "node-subnet-ip-exhausted",
        "super node",
    ),
    (
        "image-gc-failed",
        "log-archiver-5b7d8c6f9-x2m4q",
        "node-image-gc-failed",
        "lsof",
    ),
    (
        "libcuda",
        "recommend-train-6c8d7f9b5-k7x2p",
        "libcuda-not-found",
        "/usr/local/nvidia/lib64",
    ),
];

#[test]
fn each_documented_signature_is_the_top_cause_live() {
    let mut problems = Vec::new();
    for (scenario, pod, expected, phrase) in SIGNATURES {
        let server = ApiServer::start(scenario, Options::default());
        let r = pod_json(&server, pod, &[]);
        let got = ids(&r.json);
        if r.code != 1 || got.first().map(String::as_str) != Some(*expected) {
            problems.push(format!(
                "{scenario}: exit {} top {:?} (expected {expected})\n{}",
                r.code, got, r.stderr
            ));
            continue;
        }
        let f = &r.json["findings"][0];
        let fix = f["fix"].as_str().unwrap_or("");
        let generic = f["genericFix"].as_str().unwrap_or("");
        if !fix.contains(phrase) && !generic.contains(phrase) {
            problems.push(format!("{scenario}: fix lacks {phrase:?}: {fix}"));
        }
        if f["evidence"].as_array().is_none_or(|e| e.is_empty()) {
            problems.push(format!("{scenario}: no evidence"));
        }
        if r.json["notChecked"]
            .as_array()
            .is_some_and(|n| !n.is_empty())
        {
            problems.push(format!(
                "{scenario}: unexpected notChecked {}",
                r.json["notChecked"]
            ));
        }
        assert_eq!(r.json["subject"]["name"], *pod);
        assert_eq!(r.json["cluster"]["namespace"], "shop");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn healthy_pod_exits_0_with_no_warning() {
    let server = ApiServer::start("healthy", Options::default());
    let r = pod_json(&server, "catalog-6d8f7c9b4-q9w2e", &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let bad: Vec<&Value> = r.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    // Healthy containers' logs are not fetched.
    assert!(
        server.requests().iter().all(|q| !q.path.ends_with("/log")),
        "{}",
        server.requests_text()
    );
}

#[test]
fn events_of_an_earlier_pod_with_the_same_name_are_excluded_by_uid() {
    let server = ApiServer::start("registry-timeout", Options::default());
    let r = pod_json(&server, "web-7d9f8c6b5-x2x4p", &[]);
    assert!(
        !r.stdout.contains("Started container web"),
        "old pod's event leaked"
    );
    let ev = server
        .requests()
        .into_iter()
        .find(|q| q.path == "/api/v1/namespaces/shop/events")
        .expect("events listed");
    let fs = ev.param("fieldSelector").unwrap_or_default();
    assert!(fs.starts_with("involvedObject.uid="), "{fs}");
}

#[test]
fn one_pod_costs_a_bounded_number_of_get_requests_and_skips_healthy_logs() {
    let server = ApiServer::start("port-conflict", Options::default());
    let r = pod_json(&server, "port-conflict-5b7f9c6d8-m4t2w", &[]);
    assert_eq!(r.code, 1);
    let reqs = server.requests();
    let text = server.requests_text();
    assert!(
        reqs.iter().all(|q| q.method == "GET"),
        "a write was attempted:\n{text}"
    );
    // pod, pod events, node, node events, web --previous, web current.
    assert_eq!(reqs.len(), 6, "{text}");
    assert_eq!(r.json["cluster"]["requests"], 6);
    let logs: Vec<(String, String)> = reqs
        .iter()
        .filter(|q| q.path.ends_with("/log"))
        .map(|q| {
            (
                q.param("container").unwrap_or_default(),
                q.param("previous").unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(logs.len(), 2, "{text}");
    assert!(
        logs.iter().all(|(c, _)| c == "web"),
        "sidecar is healthy: {logs:?}"
    );
    assert!(logs.iter().any(|(_, p)| p == "true"), "{logs:?}");
    assert!(
        reqs.iter()
            .filter(|q| q.path.ends_with("/log"))
            .all(|q| q.param("tailLines").as_deref() == Some("500")),
        "{text}"
    );
}

#[test]
fn requests_after_the_pod_run_concurrently() {
    let latency = Duration::from_millis(500);
    let server = ApiServer::start(
        "port-conflict",
        Options {
            latency,
            ..Options::default()
        },
    );
    let start = std::time::Instant::now();
    let r = pod_json(&server, "port-conflict-5b7f9c6d8-m4t2w", &[]);
    let wall = start.elapsed();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let reqs = server.requests();
    let (first, rest) = reqs.split_first().expect("requests");
    assert!(
        first.path.ends_with("/pods/port-conflict-5b7f9c6d8-m4t2w"),
        "pod first"
    );
    // Round trip 2 starts after the pod arrived...
    assert!(
        rest.iter().all(|q| q.start >= first.end),
        "round 2 started before the pod arrived:\n{}",
        server.requests_text()
    );
    // ...and its requests overlap: sequential requests would make the sum of their durations about
    // equal to the span of the round; concurrent ones make it several times larger. (TLS handshakes
    // of new connections can stagger the starts on a loaded machine, so no stricter timing is
    // asserted.)
    let span =
        rest.iter().map(|q| q.end).max().unwrap() - rest.iter().map(|q| q.start).min().unwrap();
    let busy: Duration = rest.iter().map(|q| q.end - q.start).sum();
    assert!(
        busy.as_secs_f64() >= 1.5 * span.as_secs_f64(),
        "round 2 was not concurrent (busy {busy:?} over a span of {span:?}):\n{}",
        server.requests_text()
    );
    eprintln!(
        "live figures: {} requests, wall {:?} at {:?} per-request latency (process start included)",
        reqs.len(),
        wall,
        latency
    );
    // Sanity bound only: the overlap above is what proves concurrency.
    assert!(wall < Duration::from_secs(20), "wall {wall:?}");
}

#[test]
fn rbac_denials_degrade_the_diagnosis_and_name_the_permission() {
    let server = ApiServer::start(
        "port-conflict",
        Options {
            forbidden: vec![Forbid::new("nodes", None), Forbid::new("events", None)],
            ..Options::default()
        },
    );
    let r = pod_json(&server, "port-conflict-5b7f9c6d8-m4t2w", &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        ids(&r.json)[0],
        "port-already-in-use",
        "logs still prove the cause"
    );
    let nc = r.json["notChecked"].to_string();
    assert!(
        nc.contains("events of the pod") && nc.contains("list events"),
        "{nc}"
    );
    assert!(nc.contains("get nodes"), "{nc}");

    let server = ApiServer::start(
        "port-conflict",
        Options {
            forbidden: vec![Forbid::new("pods/log", None)],
            ..Options::default()
        },
    );
    let r = pod_json(&server, "port-conflict-5b7f9c6d8-m4t2w", &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        ids(&r.json)[0],
        "crash-loop-back-off",
        "without logs only the symptom is known"
    );
    let nc = r.json["notChecked"].to_string();
    assert!(
        nc.contains("log of container web") && nc.contains("pods/log"),
        "{nc}"
    );

    // The table says it too.
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let t = diagnose(&kc, &["pod", "port-conflict-5b7f9c6d8-m4t2w"]);
    assert!(
        t.stdout.contains("Not checked:") && t.stdout.contains("pods/log"),
        "{}",
        t.stdout
    );
}

#[test]
fn forbidden_pod_is_an_error_naming_the_permission() {
    let server = ApiServer::start(
        "port-conflict",
        Options {
            forbidden: vec![Forbid::new("pods", Some("shop"))],
            ..Options::default()
        },
    );
    let r = pod_json(&server, "port-conflict-5b7f9c6d8-m4t2w", &[]);
    let e = one_line_error(&r);
    assert!(e.contains("`get` on `pods`"), "{e}");
}

#[test]
fn missing_pod_names_pod_namespace_context_and_similar_pods() {
    let server = ApiServer::start("port-conflict", Options::default());
    let r = pod_json(&server, "port-conflict-5b7f9c6d8-zzzzz", &[]);
    let e = one_line_error(&r);
    assert!(
        e.contains("\"port-conflict-5b7f9c6d8-zzzzz\" not found"),
        "{e}"
    );
    assert!(
        e.contains("namespace \"shop\"") && e.contains("context \"test\""),
        "{e}"
    );
    assert!(
        e.contains("similar pods there: port-conflict-5b7f9c6d8-m4t2w"),
        "{e}"
    );
    let r = pod_json(&server, "nothing-like-it", &[]);
    assert!(one_line_error(&r).contains("kubectl get pods -n shop"));
}

#[test]
fn a_hanging_secondary_request_times_out_without_aborting() {
    let server = ApiServer::start(
        "port-conflict",
        Options {
            faults: vec![Fault::new(
                r"^/api/v1/namespaces/shop/events",
                FaultKind::Hang,
            )],
            ..Options::default()
        },
    );
    let start = std::time::Instant::now();
    let r = pod_json(
        &server,
        "port-conflict-5b7f9c6d8-m4t2w",
        &["--request-timeout", "1s"],
    );
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(ids(&r.json)[0], "port-already-in-use");
    let nc = r.json["notChecked"].to_string();
    assert!(
        nc.contains("events of the pod") && nc.contains("timed out"),
        "{nc}"
    );
}

#[test]
fn a_hanging_pod_request_is_a_timeout_error() {
    let server = ApiServer::start(
        "port-conflict",
        Options {
            faults: vec![Fault::new(
                r"/pods/port-conflict-5b7f9c6d8-m4t2w$",
                FaultKind::Hang,
            )],
            ..Options::default()
        },
    );
    let r = pod_json(
        &server,
        "port-conflict-5b7f9c6d8-m4t2w",
        &["--request-timeout", "1s"],
    );
    assert!(one_line_error(&r).contains("timed out"), "{}", r.stderr);
}

#[test]
fn bad_token_wrong_ca_and_unreachable_server_are_one_line_errors() {
    let server = ApiServer::start("port-conflict", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig_with_token(dir.path(), "shop", "stolen-token");
    let r = diagnose(&kc, &["pod", "port-conflict-5b7f9c6d8-m4t2w"]);
    assert!(
        one_line_error(&r).contains("rejected the credentials"),
        "{}",
        r.stderr
    );

    let kc = server.write_kubeconfig_with_wrong_ca(dir.path(), "shop");
    let r = diagnose(&kc, &["pod", "port-conflict-5b7f9c6d8-m4t2w"]);
    assert!(one_line_error(&r).contains("TLS"), "{}", r.stderr);

    let kc = server.write_kubeconfig(dir.path(), "shop");
    drop(server);
    let r = diagnose(
        &kc,
        &[
            "pod",
            "port-conflict-5b7f9c6d8-m4t2w",
            "--request-timeout",
            "3s",
        ],
    );
    let e = one_line_error(&r);
    assert!(
        e.contains("cannot reach the cluster") || e.contains("timed out"),
        "{e}"
    );
}

#[test]
fn exec_plugin_and_client_certificate_credentials_work() {
    let server = ApiServer::start("port-conflict", Options::default());
    let dir = tempfile::tempdir().unwrap();
    for kc in [
        server.write_exec_kubeconfig(dir.path(), "shop"),
        server.write_client_cert_kubeconfig(dir.path(), "shop"),
    ] {
        let r = diagnose(&kc, &["pod", "port-conflict-5b7f9c6d8-m4t2w", "-o", "json"]);
        assert_eq!(r.code, 1, "{}: {}", kc.display(), r.stderr);
        assert_eq!(ids(&r.json)[0], "port-already-in-use");
    }
}

#[test]
fn kubeconfig_list_is_merged_and_context_and_namespace_flags_apply() {
    let server = ApiServer::start("port-conflict", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let good = server.write_kubeconfig(dir.path(), "shop");
    // A second file adds context "other" (namespace default, bad token) without a current-context.
    let other = dir.path().join("other");
    std::fs::write(
        &other,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster:\n    server: {}\n    insecure-skip-tls-verify: true\n\
             users:\n- name: other\n  user:\n    token: wrong\ncontexts:\n- name: other\n  context:\n    cluster: other\n    user: other\n    namespace: default\n",
            server.url()
        ),
    )
    .unwrap();
    let list = format!("{}:{}", good.display(), other.display());
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("kubectl-diagnose")
            .unwrap()
            .env("KUBECONFIG", &list)
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Current context from the first file, its namespace "shop".
    assert_eq!(run(&["pod", "port-conflict-5b7f9c6d8-m4t2w"]).0, 1);
    // Context from the second file: its bad token is used.
    let (code, err) = run(&[
        "pod",
        "port-conflict-5b7f9c6d8-m4t2w",
        "--context",
        "other",
        "-n",
        "shop",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("rejected the credentials") && err.contains("\"other\""),
        "{err}"
    );
    // -n overrides the context's namespace.
    let (code, err) = run(&["pod", "port-conflict-5b7f9c6d8-m4t2w", "-n", "default"]);
    assert_eq!(code, 2);
    assert!(err.contains("namespace \"default\""), "{err}");
    let (code, err) = run(&["pod", "x", "--context", "nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("context \"nope\" is not in the kubeconfig"),
        "{err}"
    );
}

#[test]
fn container_flag_limits_logs_and_findings_to_one_container() {
    let server = ApiServer::start("port-conflict", Options::default());
    let r = pod_json(&server, "port-conflict-5b7f9c6d8-m4t2w", &["-c", "sidecar"]);
    assert_eq!(r.code, 0, "sidecar is healthy: {}", r.stdout);
    assert!(server.requests().iter().all(|q| !q.path.ends_with("/log")));
    let r = pod_json(&server, "port-conflict-5b7f9c6d8-m4t2w", &["-c", "nginx"]);
    let e = one_line_error(&r);
    assert!(
        e.contains("container \"nginx\" is not in pod") && e.contains("web, sidecar"),
        "{e}"
    );
}

#[test]
fn unscheduled_pod_fetches_the_nodes_the_scheduler_considered() {
    let server = ApiServer::start("subnet-exhausted", Options::default());
    let r = pod_json(&server, "order-sync-7f9c8d6b5-5tq8v", &[]);
    assert_eq!(ids(&r.json)[0], "node-subnet-ip-exhausted");
    assert!(
        server.requests().iter().any(|q| q.path == "/api/v1/nodes"),
        "{}",
        server.requests_text()
    );
    assert_eq!(
        r.json["findings"][0]["captures"]["subnet"],
        "subnet-bok73g4c"
    );
}

#[test]
fn runs_as_a_kubectl_plugin_when_kubectl_is_installed() {
    let Ok(kubectl) = which("kubectl") else {
        eprintln!("kubectl not installed: plugin check skipped");
        return;
    };
    let server = ApiServer::start("port-conflict", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let kc = server.write_kubeconfig(dir.path(), "shop");
    let bin_dir = dir.path().join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("kubectl-diagnose"),
        bin_dir.join("kubectl-diagnose"),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // `_` is what a shell sets to the program it runs; kubectl passes it on to the plugin.
    let out = std::process::Command::new(&kubectl)
        .args([
            "diagnose",
            "pod",
            "port-conflict-5b7f9c6d8-m4t2w",
            "-n",
            "shop",
            "-o",
            "json",
            "--kubeconfig",
        ])
        .arg(&kc)
        .env("PATH", &path)
        .env("_", &kubectl)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&v)[0], "port-already-in-use");
    let help = std::process::Command::new(&kubectl)
        .args(["diagnose", "--help"])
        .env("PATH", &path)
        .env("_", &kubectl)
        .output()
        .unwrap();
    let h = String::from_utf8_lossy(&help.stdout);
    assert!(h.contains("Usage: kubectl diagnose"), "{h}");
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn a_huge_log_body_is_read_only_up_to_the_limit() {
    // Issue 9: a 200 MB log body cost 842 MB and an endless stream grew without bound. The client asks
    // for limitBytes and cuts the stream itself (this test server, like a misbehaving one, ignores
    // limitBytes), and says what was not read.
    let server = ApiServer::start("port-conflict", Options::default());
    let pod = "port-conflict-5b7f9c6d8-m4t2w";
    // 500 lines (the default --tail) of 40 KB: 20 MB in the window kubectl would show.
    let mut log = String::from("nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n");
    let filler = format!(
        "2026/11/22 08:54:39 [debug] 1#1: payload {}\n",
        "x".repeat(40_000)
    );
    for _ in 0..499 {
        log.push_str(&filler);
    }
    server.set_log("shop", pod, "web", true, &log);
    let r = pod_json(&server, pod, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(ids(&r.json)[0], "port-already-in-use");
    let nc = r.json["notChecked"].to_string();
    assert!(nc.contains("past its first 8 MiB"), "{nc}");
    let asked: Vec<String> = server
        .requests()
        .iter()
        .filter(|q| q.path.ends_with("/log"))
        .map(|q| q.param("limitBytes").unwrap_or_default())
        .collect();
    assert!(
        !asked.is_empty() && asked.iter().all(|b| b == "8388609"),
        "{asked:?}"
    );
}

#[test]
fn answers_that_are_not_the_api_servers_are_named_truthfully() {
    // (fault on the pod GET, what the one-line error must say, what it must not say)
    let pod = "port-conflict-5b7f9c6d8-m4t2w";
    let html = "<html><head><title>Sign in \u{1b}[2J to Corp\u{7} VPN</title></head><body>login</body></html>";
    let cases: Vec<(FaultKind, Vec<&str>, &str)> = vec![
        (
            FaultKind::Raw {
                code: 200,
                content_type: "text/html; charset=utf-8".into(),
                body: html.into(),
            },
            vec![
                "a proxy or load balancer answered instead of the API server",
                "HTTP 200, text/html: \"Sign in \\x1b[2J to Corp\\x07 VPN\"",
                "check the cluster's server URL",
            ],
            "cannot reach",
        ),
        (
            FaultKind::Raw {
                code: 502,
                content_type: "text/html".into(),
                body: "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>".into(),
            },
            vec!["HTTP 502, text/html: \"502 Bad Gateway\""],
            "cannot reach",
        ),
        (
            FaultKind::Raw {
                code: 200,
                content_type: "application/json".into(),
                body: r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"etcdserver: request timed out","reason":"InternalError","code":500}"#.into(),
            },
            vec![
                "returned a Status failure",
                "HTTP 200: InternalError: etcdserver: request timed out",
            ],
            "cannot reach",
        ),
        (
            FaultKind::Raw {
                code: 200,
                content_type: "application/json".into(),
                body: r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"#.into(),
            },
            vec!["is not what the API server sends", "invalid JSON"],
            "cannot reach",
        ),
        (
            FaultKind::CutOff {
                announced: 4000,
                body: r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"port-conflict"#.into(),
            },
            vec!["was cut off after 65 bytes of the 4000 announced", "closed the connection early"],
            "certificate-authority-data",
        ),
    ];
    for (fault, wants, unwanted) in cases {
        let server = ApiServer::start(
            "port-conflict",
            Options {
                faults: vec![Fault::new(&format!("/pods/{pod}$"), fault.clone())],
                ..Options::default()
            },
        );
        let r = pod_json(&server, pod, &["--request-timeout", "10s"]);
        let e = one_line_error(&r);
        for want in wants {
            assert!(e.contains(want), "{fault:?}: {want:?} not in {e}");
        }
        assert!(!e.contains(unwanted), "{fault:?}: {e}");
        assert!(
            !e.chars().any(|c| c.is_control()),
            "{fault:?}: raw control character in {e:?}"
        );
    }
}
