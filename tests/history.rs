//! History, unrelated node causes and next steps, end to end through the binary on realistic
//! pastes (`testdata/history/`, exact `kubectl describe` / `kubectl get events` layouts): a failure
//! that later evidence shows over is `info` history and never fails the run; one that is not over
//! stays critical or warning; a merged multi-pod paste groups each pod by its own cause; the JSON
//! with history and next steps validates against the schema.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use support::{ApiServer, Forbid, Options};

fn bin() -> Command {
    let mut c = Command::cargo_bin("kubectl-diagnose").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR").env("COLUMNS", "140");
    c
}

/// The JSON report of `file PATH` and the exit code (default `--fail-on warning`).
fn json(path: &str) -> (Value, i32) {
    let out = bin()
        .args(["file", path, "-o", "json"])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{path}: not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    validate(&v);
    (v, out.status.code().unwrap_or(-1))
}

fn validate(v: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("schema/report.schema.json").expect("schema readable"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "schema errors: {errors:?}\n{v:#}");
}

fn finding<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == id))
        .unwrap_or_else(|| panic!("{id} not found in {:#}", v["findings"]))
}

/// No critical or warning finding, and every finding is history with a resolving quote.
fn all_history(v: &Value) {
    let findings = v["findings"].as_array().expect("findings");
    for f in findings {
        assert_eq!(f["severity"], "info", "{f:#}");
        assert!(
            f["history"]["resolvedBy"][0].as_str().is_some(),
            "no history on {f:#}"
        );
    }
    assert_eq!(v["summary"]["topCause"], Value::Null, "{:#}", v["summary"]);
    assert_eq!(v["summary"]["critical"], 0);
    assert_eq!(v["summary"]["warning"], 0);
}

#[test]
fn a_mount_failure_followed_by_the_start_is_history() {
    let (v, code) = json("testdata/history/failedmount-events-then-started.txt");
    assert_eq!(code, 0, "history must not fail the run: {v:#}");
    all_history(&v);
    let f = finding(&v, "failed-mount");
    assert_eq!(f["history"]["when"], "4m ago");
    assert_eq!(f["history"]["ageSeconds"], 240);
    assert_eq!(f["history"]["originalSeverity"], "warning");
    assert!(f["history"]["resolvedBy"][0]
        .as_str()
        .is_some_and(|s| s.contains("Started container web")));

    // A whole describe of the running pod: no current failure either.
    let (v, code) = json("testdata/history/failedmount-then-started.txt");
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["summary"]["critical"], 0);
    assert_eq!(v["summary"]["warning"], 0);
}

// kubelet's Secret/ConfigMap cache not synced yet at the start: the start that follows shows it over.
#[test]
fn a_cache_sync_timeout_followed_by_the_start_is_history() {
    let (v, code) = json("testdata/history/failedmount-sync-cache-then-started.txt");
    assert_eq!(code, 0, "history must not fail the run: {v:#}");
    all_history(&v);
    let f = finding(&v, "failed-mount");
    assert_eq!(f["history"]["originalSeverity"], "warning");
}

#[test]
fn a_mount_failure_after_the_start_is_current() {
    let (v, code) = json("testdata/history/failedmount-after-start.txt");
    assert_eq!(code, 1, "{v:#}");
    let f = finding(&v, "failed-mount");
    assert_eq!(f["severity"], "warning");
    assert!(f.get("history").is_none(), "{f:#}");
}

#[test]
fn multi_attach_then_attach_and_start_is_history() {
    let (v, code) = json("testdata/history/multi-attach-then-started.txt");
    assert_eq!(code, 0, "{v:#}");
    all_history(&v);
    let f = finding(&v, "volume-multi-attach");
    assert_eq!(f["history"]["originalSeverity"], "critical");
    assert!(f["history"]["resolvedBy"][0]
        .as_str()
        .is_some_and(|s| s.contains("SuccessfulAttachVolume")));
}

/// An attach that timed out and was retried until `SuccessfulAttachVolume` for the same volume is
/// history; a success for another volume of the pod does not end it.
#[test]
fn an_attach_retried_until_it_succeeded_is_history_only_for_the_same_volume() {
    let (v, code) = json("testdata/history/attach-timeout-then-attached.txt");
    assert_eq!(code, 0, "{v:#}");
    all_history(&v);
    let f = finding(&v, "volume-attach-failed");
    assert_eq!(f["history"]["originalSeverity"], "critical");

    let (v, code) = json("testdata/history/attach-failed-other-volume-attached.txt");
    assert_ne!(code, 0, "{v:#}");
    let f = finding(&v, "volume-attach-failed");
    assert_eq!(f["severity"], "critical", "{f:#}");
    assert!(
        f.get("history").is_none() || f["history"].is_null(),
        "{f:#}"
    );
}

#[test]
fn a_failed_pull_is_over_only_when_the_same_image_is_pulled() {
    let (v, code) = json("testdata/history/pull-failed-then-pulled.txt");
    assert_eq!(code, 0, "{v:#}");
    all_history(&v);
    finding(&v, "image-pull-back-off");

    // Another image pulled later says nothing about this one.
    let (v, code) = json("testdata/history/pull-failed-other-image-pulled.txt");
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(finding(&v, "image-pull-back-off")["severity"], "critical");
    assert_eq!(v["summary"]["topCause"], "image-pull-insufficient-scope");
}

#[test]
fn failed_scheduling_then_scheduled_is_history_with_its_cause() {
    let (v, code) = json("testdata/history/scheduling-then-scheduled.txt");
    assert_eq!(code, 0, "{v:#}");
    all_history(&v);
    finding(&v, "insufficient-node-resources");
    finding(&v, "failed-scheduling");
}

#[test]
fn an_old_oom_kill_is_history_but_a_crash_loop_after_it_is_not() {
    let (v, code) = json("testdata/history/oom-ready-since.txt");
    assert_eq!(code, 0, "{v:#}");
    all_history(&v);
    let f = finding(&v, "oom-killed");
    assert_eq!(f["history"]["when"], "Mon, 01 Apr 2024 11:32:05 +0000");
    assert_eq!(v["nextSteps"], Value::Array(vec![]), "{v:#}");

    let (v, code) = json("testdata/history/oom-crashloop.txt");
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["summary"]["topCause"], "oom-killed");
    assert_eq!(finding(&v, "oom-killed")["severity"], "critical");
}

#[test]
fn a_back_off_long_over_with_the_container_ready_is_history() {
    let (v, code) = json("testdata/history/backoff-then-ready.txt");
    assert_eq!(code, 0, "{v:#}");
    all_history(&v);
    assert_eq!(
        finding(&v, "crash-loop-back-off")["history"]["when"],
        "35m ago"
    );
}

#[test]
fn the_table_says_history_and_when() {
    let out = bin()
        .args([
            "file",
            "testdata/history/failedmount-events-then-started.txt",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.contains("no current failure found")),
        "{text}"
    );
    assert!(text.contains("history: last seen 4m ago"), "{text}");
    assert!(text.contains("Over: event Normal Started"), "{text}");
}

/// Three live fixtures' objects in one paste: pods on one super node whose subnet has no free IPs.
fn merged_paste() -> tempfile::NamedTempFile {
    let mut text = String::new();
    for d in ["subnet-exhausted", "port-conflict", "libcuda"] {
        text.push_str(
            &std::fs::read_to_string(format!("testdata/live/{d}/objects.yaml"))
                .expect("fixture readable"),
        );
        text.push_str("\n---\n");
    }
    let f = tempfile::Builder::new()
        .suffix(".yaml")
        .tempfile()
        .expect("temp file");
    std::fs::write(f.path(), text).expect("written");
    f
}

#[test]
fn a_merged_sweep_groups_each_pod_by_its_own_cause() {
    let f = merged_paste();
    let path = f.path().to_str().expect("utf-8 path");
    let (v, _) = json(path);
    assert_eq!(v["kind"], "SweepReport", "{v:#}");
    let groups = v["groups"].as_array().expect("groups");
    let subnet: Vec<&Value> = groups
        .iter()
        .filter(|g| g["cause"] == "node-subnet-ip-exhausted")
        .collect();
    assert_eq!(subnet.len(), 1, "{groups:#?}");
    // Only the pods waiting to be placed; the crash-looping ones are grouped by their own cause.
    let pods: Vec<&str> = subnet[0]["pods"]
        .as_array()
        .expect("pods")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert!(pods.iter().all(|p| p.contains("order-sync")), "{pods:?}");
    for p in v["pods"].as_array().expect("pods") {
        let name = p["subject"]["name"].as_str().unwrap_or_default();
        if name.starts_with("port-conflict") || name.starts_with("recommend-train") {
            let top = p["summary"]["topCause"].as_str().unwrap_or_default();
            assert_ne!(top, "node-subnet-ip-exhausted", "{name}");
            let subnet = p["findings"]
                .as_array()
                .and_then(|a| a.iter().find(|f| f["id"] == "node-subnet-ip-exhausted"))
                .expect("the node condition is still shown as context");
            assert_eq!(subnet["severity"], "info");
            assert_eq!(subnet["unrelated"]["affects"], "not-started");
        }
    }
}

#[test]
fn next_steps_are_in_every_format() {
    let path = "testdata/history/crash-status.yaml";
    let (v, _) = json(path);
    let steps = v["nextSteps"].as_array().expect("nextSteps");
    assert_eq!(
        steps[0]["command"],
        "kubectl logs api-7c9d8f6b5-qx2lm -n shop -c api --previous"
    );
    assert_eq!(
        steps[1]["command"],
        "kubectl get events -n shop --field-selector involvedObject.name=api-7c9d8f6b5-qx2lm"
    );
    let render = |fmt: &str| {
        let out = bin()
            .args(["file", path, "-o", fmt])
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let cmd = "kubectl logs api-7c9d8f6b5-qx2lm -n shop -c api --previous";
    let table = render("table");
    assert!(table.contains("Next steps"), "{table}");
    assert!(table.contains(&format!("$ {cmd}")), "{table}");
    let md = render("markdown");
    assert!(md.contains("### Next steps"), "{md}");
    assert!(md.contains(&format!("`{cmd}`")), "{md}");
    assert!(render("junit").contains(cmd));
    // One "Next steps" notice for the whole run (GitHub caps annotations per step).
    let github = render("github");
    assert!(
        github.contains(&format!(
            "::notice title=Next steps::shop/api-7c9d8f6b5-qx2lm: {cmd}"
        )),
        "{github}"
    );
    let sarif: Value = serde_json::from_str(&render("sarif")).expect("sarif is JSON");
    let msg = sarif["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(msg.contains(&format!("Next: {cmd}")), "{msg}");
    let yaml = render("yaml");
    assert!(yaml.contains("nextSteps:"), "{yaml}");
}

#[test]
fn a_sweep_table_lists_each_pods_next_steps() {
    let one = std::fs::read_to_string("testdata/history/crash-status.yaml").expect("fixture");
    let two = one.replace("api-7c9d8f6b5-qx2lm", "api-7c9d8f6b5-zz9kk");
    let f = tempfile::Builder::new()
        .suffix(".yaml")
        .tempfile()
        .expect("temp file");
    std::fs::write(f.path(), format!("{one}---\n{two}")).expect("written");
    let out = bin()
        .args(["file", f.path().to_str().expect("utf-8 path")])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for pod in ["api-7c9d8f6b5-qx2lm", "api-7c9d8f6b5-zz9kk"] {
        assert!(
            text.contains(&format!(
                "shop/{pod}: $ kubectl logs {pod} -n shop -c api --previous"
            )),
            "{text}"
        );
    }
}

/// Live mode: the tool fetched logs and events itself, so it asks only for what it could not fetch.
#[test]
fn live_next_steps_ask_only_for_what_could_not_be_fetched() {
    let live = |options: Options| {
        let server = ApiServer::start("port-conflict", options);
        let dir = tempfile::tempdir().expect("temp dir");
        let kc = server.write_kubeconfig(dir.path(), "shop");
        let out = Command::cargo_bin("kubectl-diagnose")
            .expect("binary")
            .env_remove("KUBECONFIG")
            .env("HOME", dir.path())
            .arg("--kubeconfig")
            .arg(&kc)
            .args(["pod", "port-conflict-5b7f9c6d8-m4t2w", "-o", "json"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("runs");
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
        validate(&v);
        v
    };
    let v = live(Options::default());
    assert_eq!(v["nextSteps"], Value::Array(vec![]), "{:#}", v["nextSteps"]);

    let v = live(Options {
        forbidden: vec![Forbid::new("pods/log", None)],
        ..Options::default()
    });
    let commands: Vec<&str> = v["nextSteps"]
        .as_array()
        .expect("nextSteps")
        .iter()
        .filter_map(|s| s["command"].as_str())
        .collect();
    assert_eq!(
        commands,
        ["kubectl logs port-conflict-5b7f9c6d8-m4t2w -n shop -c web --previous"],
        "{:#}",
        v["notChecked"]
    );
}

#[test]
fn a_cgroup_write_failure_followed_by_the_start_is_history() {
    // runc refused the cpuset once; kubelet's next attempt started the container, which is Running
    // and Ready now: the cgroup finding is history, not the pod's current failure.
    let (v, code) = json("testdata/history/cgroup-write-then-started.txt");
    assert_eq!(code, 0, "history must not fail the run: {v:#}");
    all_history(&v);
    let f = finding(&v, "container-cgroup-write-failed");
    assert_eq!(f["history"]["originalSeverity"], "critical");
    assert!(f["history"]["resolvedBy"][0]
        .as_str()
        .is_some_and(|s| s.contains("Started container worker")));
}
