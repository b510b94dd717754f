//! Works wherever kubectl works: kubectl's connection flags, KUBECONFIG lists with missing files,
//! in-cluster service accounts, a serving certificate that is one of the CA certificates, Go
//! durations, retries of 429/503 with Retry-After, `-v` request logging, plugin naming from
//! KUBECTL_PATH, kubectl's nouns and unknown namespaces — each against the in-test HTTPS API server.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use support::run::Run;
use support::{ApiServer, Fault, FaultKind, Options};

const POD: &str = "web-7d9f8c6b5-x2x4p";
const POD_PATH: &str = "/api/v1/namespaces/shop/pods/web-7d9f8c6b5-x2x4p";

/// The binary with a clean environment: no KUBECONFIG, no in-cluster variables, HOME = `home`.
fn cmd(home: &Path) -> Command {
    let mut c = Command::cargo_bin("kubectl-diagnose").expect("binary");
    c.env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT")
        .env_remove("KUBECTL_DIAGNOSE_SERVICE_ACCOUNT_DIR")
        .env_remove("KUBECTL_PATH")
        .env("HOME", home)
        .timeout(Duration::from_secs(90));
    c
}

fn run(mut c: Command, args: &[&str]) -> Run {
    Run::from_output(c.args(args).output().expect("runs"))
}

/// Runs the binary with `--kubeconfig KC` followed by `args`.
fn kd(home: &Path, kc: &str, args: &[&str]) -> Run {
    let mut all = vec!["--kubeconfig", kc];
    all.extend_from_slice(args);
    run(cmd(home), &all)
}

fn top(r: &Run) -> String {
    r.json["findings"][0]["id"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn diagnosed(r: &Run) {
    assert_eq!(
        r.code, 1,
        "expected a diagnosis (exit 1)\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
    assert_eq!(top(r), "image-pull-registry-timeout", "{}", r.stdout);
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn server_token_and_ca_flags_work_without_any_kubeconfig() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let ca = write(home.path(), "ca.pem", &s.ca_pem());
    let url = s.url();
    let args = [
        "-s",
        url.as_str(),
        "--token",
        s.token(),
        "--certificate-authority",
        ca.as_str(),
        "-n",
        "shop",
        "pod",
        POD,
        "-o",
        "json",
    ];
    let r = run(cmd(home.path()), &args);
    diagnosed(&r);
    assert_eq!(r.json["cluster"]["context"], "command-line", "{}", r.stdout);
    // Without the CA the server's certificate is not trusted: a one-line TLS error, exit 2.
    let r = run(
        cmd(home.path()),
        &["-s", &url, "--token", s.token(), "-n", "shop", "pod", POD],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("TLS"), "{}", r.stderr);
}

#[test]
fn token_flag_overrides_the_kubeconfig_user() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig_with_token(home.path(), "shop", "wrong-token");
    let kc = kc.to_string_lossy().into_owned();
    let r = kd(home.path(), &kc, &["pod", POD]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("401"), "{}", r.stderr);
    let r = kd(
        home.path(),
        &kc,
        &["--token", s.token(), "pod", POD, "-o", "json"],
    );
    diagnosed(&r);
}

#[test]
fn impersonation_flags_send_the_impersonate_headers() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let kc = kc.to_string_lossy().into_owned();
    let r = kd(
        home.path(),
        &kc,
        &[
            "--as",
            "jane",
            "--as-group",
            "devs",
            "--as-group",
            "ops",
            "--as-uid",
            "1234",
            "pod",
            POD,
            "-o",
            "json",
        ],
    );
    diagnosed(&r);
    let reqs = s.requests();
    let get = reqs.iter().find(|q| q.path == POD_PATH).expect("pod GET");
    let h = |name: &str| -> Vec<&str> {
        get.impersonate
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(h("impersonate-user"), vec!["jane"], "{:?}", get.impersonate);
    assert_eq!(h("impersonate-group"), vec!["devs", "ops"]);
    assert_eq!(h("impersonate-uid"), vec!["1234"]);
}

#[test]
fn insecure_skip_tls_verify_and_tls_server_name() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let wrong = s.write_kubeconfig_with_wrong_ca(home.path(), "shop");
    let wrong = wrong.to_string_lossy().into_owned();
    let r = kd(home.path(), &wrong, &["pod", POD]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("TLS"), "{}", r.stderr);
    let r = kd(
        home.path(),
        &wrong,
        &["--insecure-skip-tls-verify", "pod", POD, "-o", "json"],
    );
    diagnosed(&r);
    // kubectl's `--flag=true` form too.
    let r = kd(
        home.path(),
        &wrong,
        &["--insecure-skip-tls-verify=true", "pod", POD, "-o", "json"],
    );
    diagnosed(&r);

    let kc = s.write_kubeconfig(home.path(), "shop");
    let kc = kc.to_string_lossy().into_owned();
    // The certificate names localhost: checking against that name passes, another name fails.
    let r = kd(
        home.path(),
        &kc,
        &["--tls-server-name", "localhost", "pod", POD, "-o", "json"],
    );
    diagnosed(&r);
    let r = kd(
        home.path(),
        &kc,
        &["--tls-server-name", "api.example.com", "pod", POD],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("TLS"), "{}", r.stderr);
}

#[test]
fn client_certificate_flags_authenticate() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    // A kubeconfig whose user has a client certificate: its files are given as flags to another
    // kubeconfig whose user has no credentials.
    let cert_kc = s.write_client_cert_kubeconfig(home.path(), "shop");
    let v: Value = serde_yaml::from_str(&std::fs::read_to_string(&cert_kc).unwrap()).unwrap();
    use base64::Engine as _;
    let b64 = |p: &str| {
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(v.pointer(p).and_then(Value::as_str).unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    let cert = write(
        home.path(),
        "client.crt",
        &b64("/users/0/user/client-certificate-data"),
    );
    let key = write(
        home.path(),
        "client.key",
        &b64("/users/0/user/client-key-data"),
    );
    let ca = write(home.path(), "ca.pem", &s.ca_pem());
    let url = s.url();
    let base = [
        "-s",
        url.as_str(),
        "--certificate-authority",
        ca.as_str(),
        "-n",
        "shop",
    ];
    let r = run(cmd(home.path()), &[&base[..], &["pod", POD]].concat());
    assert_eq!(r.code, 2, "no credentials: 401 expected; {}", r.stderr);
    let r = run(
        cmd(home.path()),
        &[
            &base[..],
            &[
                "--client-certificate",
                cert.as_str(),
                "--client-key",
                key.as_str(),
                "pod",
                POD,
                "-o",
                "json",
            ],
        ]
        .concat(),
    );
    diagnosed(&r);
    // A missing file is a one-line error.
    let r = run(
        cmd(home.path()),
        &[
            "--client-certificate",
            "/nonexistent.crt",
            "--client-key",
            &key,
            "pod",
            POD,
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent.crt"), "{}", r.stderr);
}

#[test]
fn cluster_and_user_flags_select_kubeconfig_entries() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    // Add a cluster "dead" (nothing listens) and a user "nobody" (bad token), and point the
    // context at them.
    let mut v: Value = serde_yaml::from_str(&std::fs::read_to_string(&kc).unwrap()).unwrap();
    let mut dead = v["clusters"][0].clone();
    dead["name"] = "dead".into();
    dead["cluster"]["server"] = "https://127.0.0.1:1".into();
    v["clusters"].as_array_mut().unwrap().push(dead);
    v["users"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "nobody", "user": {"token": "nope"}}));
    v["contexts"][0]["context"]["cluster"] = "dead".into();
    v["contexts"][0]["context"]["user"] = "nobody".into();
    let kc = write(home.path(), "kc-two", &serde_yaml::to_string(&v).unwrap());
    let r = kd(home.path(), &kc, &["pod", POD]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let r = kd(
        home.path(),
        &kc,
        &[
            "--cluster",
            "test",
            "--user",
            "test",
            "pod",
            POD,
            "-o",
            "json",
        ],
    );
    diagnosed(&r);
    let r = kd(home.path(), &kc, &["--user", "ghost", "pod", POD]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("user \"ghost\" is not in the kubeconfig") && r.stderr.contains("nobody"),
        "{}",
        r.stderr
    );
}

#[test]
fn kubeconfig_list_skips_missing_files() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let missing = home.path().join("does-not-exist.yaml");
    let list = std::env::join_paths([missing.as_path(), kc.as_path()]).unwrap();
    let mut c = cmd(home.path());
    c.env("KUBECONFIG", &list);
    let r = run(c, &["pod", POD, "-o", "json"]);
    diagnosed(&r);
    // Only missing files: no kubeconfig, and not in a cluster: a clear error.
    let mut c = cmd(home.path());
    c.env("KUBECONFIG", &missing);
    let r = run(c, &["pod", POD]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no kubeconfig found"), "{}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
}

#[test]
fn a_kubeconfig_that_is_not_one_gets_a_one_line_error() {
    let home = tempfile::tempdir().unwrap();
    // A paste saved where the kubeconfig was expected, with a terminal escape in it: the YAML
    // parser's message quotes the file with a caret under the column; only its first line is kept.
    let paste = write(
        home.path(),
        "paste.txt",
        "$ kubectl describe pod web\nclusters: [\u{1b}[2J\n",
    );
    // An empty file: no context and no cluster to connect to.
    let empty = write(home.path(), "empty.yaml", "");
    for (kc, says) in [
        (&paste, "paste.txt: failed to parse kubeconfig YAML"),
        (&empty, "the kubeconfig has no context and no cluster"),
    ] {
        let r = kd(home.path(), kc, &["pod", POD]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("cannot load kubeconfig"), "{}", r.stderr);
        assert!(r.stderr.contains(says), "{}", r.stderr);
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
        assert!(!r.stderr.contains('\u{1b}'), "{}", r.stderr);
    }
}

#[test]
fn in_cluster_service_account_is_used_without_a_kubeconfig() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let sa = s.write_service_account(home.path(), "shop");
    let mut c = cmd(home.path());
    c.env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", s.addr().port().to_string())
        .env("KUBECTL_DIAGNOSE_SERVICE_ACCOUNT_DIR", &sa);
    // No -n: the namespace comes from the service account's namespace file.
    let r = run(c, &["pod", POD, "-o", "json"]);
    diagnosed(&r);
    assert_eq!(r.json["cluster"]["context"], "in-cluster", "{}", r.stdout);
    assert_eq!(r.json["cluster"]["namespace"], "shop", "{}", r.stdout);
}

#[test]
fn a_self_signed_serving_certificate_that_is_the_ca_is_trusted() {
    let s = ApiServer::start(
        "registry-timeout",
        Options {
            self_signed: true,
            ..Options::default()
        },
    );
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    assert_eq!(
        s.ca_pem(),
        s.server_cert_pem(),
        "the CA is the serving cert"
    );
    let r = kd(
        home.path(),
        kc.to_str().unwrap(),
        &["pod", POD, "-o", "json"],
    );
    diagnosed(&r);
    // Nothing looser: the same server checked against another name still fails.
    let r = kd(
        home.path(),
        kc.to_str().unwrap(),
        &["--tls-server-name", "api.example.com", "pod", POD],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("TLS"), "{}", r.stderr);
}

#[test]
fn a_leaf_certificate_given_as_the_ca_is_trusted() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig_trusting_leaf(home.path(), "shop");
    let r = kd(
        home.path(),
        kc.to_str().unwrap(),
        &["pod", POD, "-o", "json"],
    );
    diagnosed(&r);
}

#[test]
fn go_durations_are_accepted() {
    let s = ApiServer::start("healthy", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let kc = kc.to_string_lossy().into_owned();
    let r = kd(
        home.path(),
        &kc,
        &[
            "--request-timeout",
            "1m30s",
            "pod",
            "redis-0",
            "--wait",
            "1h30m",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = kd(
        home.path(),
        &kc,
        &["--request-timeout", "5 minutes", "pod", "redis-0"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--request-timeout"), "{}", r.stderr);
}

#[test]
fn throttled_requests_are_retried_honouring_retry_after() {
    let s = ApiServer::start(
        "registry-timeout",
        Options {
            faults: vec![Fault::new(
                &format!("^{POD_PATH}$"),
                FaultKind::Times {
                    code: 429,
                    times: 2,
                    retry_after: Some("1".into()),
                },
            )],
            ..Options::default()
        },
    );
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let r = kd(
        home.path(),
        kc.to_str().unwrap(),
        &["-v", "6", "pod", POD, "-o", "json"],
    );
    diagnosed(&r);
    let gets: Vec<_> = s
        .requests()
        .into_iter()
        .filter(|q| q.path == POD_PATH)
        .collect();
    assert_eq!(
        gets.iter().map(|q| q.status).collect::<Vec<_>>(),
        vec![429, 429, 200],
        "{}",
        s.requests_text()
    );
    // Retry-After: 1 was honoured: each retry came at least a second later.
    for w in gets.windows(2) {
        assert!(
            w[1].start >= w[0].end + Duration::from_millis(900),
            "{}",
            s.requests_text()
        );
    }
    assert!(
        r.stderr
            .contains("429 Too Many Requests (Retry-After: 1); retry 1 of 5"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("retry 2 of 5"), "{}", r.stderr);
}

#[test]
fn unavailable_is_retried_with_backoff_and_bounded() {
    // Two 503s then success.
    let s = ApiServer::start(
        "registry-timeout",
        Options {
            faults: vec![Fault::new(
                &format!("^{POD_PATH}$"),
                FaultKind::Times {
                    code: 503,
                    times: 2,
                    retry_after: None,
                },
            )],
            ..Options::default()
        },
    );
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let r = kd(
        home.path(),
        kc.to_str().unwrap(),
        &["pod", POD, "-o", "json"],
    );
    diagnosed(&r);
    // Never available: 1 + 5 attempts, then a one-line error.
    let s = ApiServer::start(
        "registry-timeout",
        Options {
            faults: vec![Fault::new(
                &format!("^{POD_PATH}$"),
                FaultKind::Times {
                    code: 503,
                    times: 1000,
                    retry_after: None,
                },
            )],
            ..Options::default()
        },
    );
    let kc = s.write_kubeconfig(home.path(), "shop");
    let r = kd(home.path(), kc.to_str().unwrap(), &["-v", "1", "pod", POD]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let n = s.requests().iter().filter(|q| q.path == POD_PATH).count();
    assert_eq!(n, 6, "{}", s.requests_text());
    assert!(r.stderr.contains("503 Service Unavailable"), "{}", r.stderr);
    // A Retry-After longer than the retry budget is not waited for.
    let s = ApiServer::start(
        "registry-timeout",
        Options {
            faults: vec![Fault::new(
                &format!("^{POD_PATH}$"),
                FaultKind::Times {
                    code: 429,
                    times: 1000,
                    retry_after: Some("600".into()),
                },
            )],
            ..Options::default()
        },
    );
    let kc = s.write_kubeconfig(home.path(), "shop");
    let start = Instant::now();
    let r = kd(home.path(), kc.to_str().unwrap(), &["-v", "1", "pod", POD]);
    assert!(start.elapsed() < Duration::from_secs(20), "waited too long");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("retry budget"), "{}", r.stderr);
}

#[test]
fn verbose_logs_requests_without_credentials() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let kc = kc.to_string_lossy().into_owned();
    let r = kd(home.path(), &kc, &["pod", POD, "-o", "json"]);
    assert!(
        !r.stderr.contains("GET "),
        "no logging by default: {}",
        r.stderr
    );
    let r = kd(home.path(), &kc, &["--v=6", "pod", POD, "-o", "json"]);
    diagnosed(&r);
    let want = format!("GET {}{POD_PATH} 200 OK in ", s.url());
    assert!(r.stderr.contains(&want), "{want}\n{}", r.stderr);
    assert!(!r.stderr.contains("Request headers"), "{}", r.stderr);
    let r = kd(home.path(), &kc, &["-v", "8", "pod", POD, "-o", "json"]);
    diagnosed(&r);
    assert!(r.stderr.contains("authorization: <masked>"), "{}", r.stderr);
    assert!(r.stderr.contains("audit-id: "), "{}", r.stderr);
    assert!(!r.stderr.contains(s.token()), "token leaked: {}", r.stderr);
}

#[test]
fn plugin_name_comes_from_kubectl_path() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(home.path());
    c.env("KUBECTL_PATH", "/usr/local/bin/kubectl")
        .env_remove("_");
    let r = run(c, &["namespace", "--help"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("kubectl diagnose namespace"),
        "{}",
        r.stdout
    );
    let mut c = cmd(home.path());
    c.env_remove("_");
    let r = run(c, &["namespace", "--help"]);
    assert!(
        r.stdout.contains("kubectl-diagnose namespace"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_unknown_namespace_is_an_error_naming_the_known_ones() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let kc = kc.to_string_lossy().into_owned();
    let r = kd(home.path(), &kc, &["namespace", "nosuchns"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let err = r.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("namespace \"nosuchns\" does not exist")
            && err.contains("default")
            && err.contains("shop"),
        "{err}"
    );
    // `--wait` does not wait for pods of a namespace that does not exist.
    let start = Instant::now();
    let r = kd(home.path(), &kc, &["namespace", "nosuchns", "--wait", "1m"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
    assert!(start.elapsed() < Duration::from_secs(30));
    // An existing namespace with no pods is not an error.
    let r = kd(home.path(), &kc, &["ns", "kube-public"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // A pod in a namespace that does not exist says so too.
    let r = kd(home.path(), &kc, &["-n", "nosuchns", "pod", "web"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
}

#[test]
fn kubectl_nouns_work() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let kc = kc.to_string_lossy().into_owned();
    for form in [
        vec!["po", POD],
        vec!["pods", POD],
        vec![POD],
        vec!["-n", "shop", POD],
    ] {
        let pod_slash = format!("pod/{POD}");
        let _ = &pod_slash;
        let mut args = vec!["--kubeconfig", kc.as_str(), "-o", "json"];
        args.extend(form.iter().copied());
        let r = run(cmd(home.path()), &args);
        diagnosed(&r);
    }
    let pod_slash = format!("pod/{POD}");
    let r = kd(home.path(), &kc, &[&pod_slash, "-o", "json"]);
    diagnosed(&r);
    // `pods` alone, `ns`, `ns/NAME`: a sweep.
    for form in [vec!["pods"], vec!["ns", "shop"], vec!["ns/shop"]] {
        let mut args = vec!["--kubeconfig", kc.as_str(), "-o", "json"];
        args.extend(form.iter().copied());
        let r = run(cmd(home.path()), &args);
        assert_eq!(r.code, 1, "{form:?}: {}\n{}", r.stdout, r.stderr);
        assert_eq!(
            r.json["scope"]["kind"], "namespace",
            "{form:?}: {}",
            r.stdout
        );
        assert_eq!(
            r.json["pods"][0]["findings"][0]["id"],
            "image-pull-registry-timeout"
        );
    }
    let r = kd(home.path(), &kc, &["svc/web"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a kind"), "{}", r.stderr);
}

#[test]
fn help_and_man_page_list_every_connection_flag() {
    let home = tempfile::tempdir().unwrap();
    let help = run(cmd(home.path()), &["--help"]).stdout;
    let man = run(cmd(home.path()), &["man"]).stdout.replace("\\-", "-");
    for flag in [
        "--kubeconfig",
        "--context",
        "--cluster",
        "--user",
        "--namespace",
        "--server",
        "--token",
        "--as ",
        "--as-group",
        "--as-uid",
        "--insecure-skip-tls-verify",
        "--certificate-authority",
        "--client-certificate",
        "--client-key",
        "--tls-server-name",
        "--request-timeout",
        "--v",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
        assert!(man.contains(flag.trim_end()), "man page lacks {flag}");
    }
}
