#![allow(dead_code)]
//! A Kubernetes API server for tests.
//!
//! `ApiServer::start("registry-timeout", Options::default())` serves the scenario in
//! `testdata/live/registry-timeout/` over HTTPS (its own CA) on 127.0.0.1, with bearer-token or
//! client-certificate authentication, the real API's JSON (objects, lists, `Status` errors,
//! selectors, pagination, watches, pod logs), injected latency, RBAC denials and faults, and a log
//! of every request. It runs on its own tokio runtime in a background thread and stops on drop.
//! See `testdata/live/README.md` for the scenarios and the exact semantics.

mod client;
mod printers;
pub mod run;
mod server;
mod store;
mod tls;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

#[allow(unused_imports)]
pub use client::{RawAuth, RawResponse};
#[allow(unused_imports)]
pub use server::TOKEN_USER;
#[allow(unused_imports)]
pub use store::SCENARIO_NOW;
#[allow(unused_imports)]
pub use tls::CLIENT_CERT_CN;

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Options {
    /// The bearer token the server accepts (default "test-token").
    pub token: String,
    /// Added before every response (default 0).
    pub latency: Duration,
    /// RBAC denials: matching requests get the real 403 `Status`.
    pub forbidden: Vec<Forbid>,
    /// Faults: the first whose regex matches the request applies.
    pub faults: Vec<Fault>,
    /// Serve a self-signed CA certificate as the serving certificate (it is then also `ca_pem`).
    pub self_signed: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            token: "test-token".to_string(),
            latency: Duration::ZERO,
            forbidden: Vec::new(),
            faults: Vec::new(),
            self_signed: false,
        }
    }
}

/// Deny every verb on `resource` ("pods", "events", "nodes", "namespaces", "pods/log") in
/// `namespace` (`None`: everywhere). A cluster-scoped request (`/api/v1/events`, `/api/v1/nodes/X`)
/// is denied by any `Forbid` of its resource, whatever its namespace.
#[derive(Clone, Debug)]
pub struct Forbid {
    pub resource: String,
    pub namespace: Option<String>,
}

impl Forbid {
    pub fn new(resource: &str, namespace: Option<&str>) -> Forbid {
        Forbid {
            resource: resource.to_string(),
            namespace: namespace.map(str::to_string),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Accept the request and never answer (the client has to give up).
    Hang,
    /// Answer with a `Status` of this code (429 also gets `Retry-After: 1`).
    Status(u16),
    /// Close the connection without answering.
    Close,
    /// Answer with this code, `Content-Type` and body (a proxy's page, a Status served with 200).
    Raw {
        code: u16,
        content_type: String,
        body: String,
    },
    /// Answer 200 with a `Content-Length` of `announced` but send only `body`, then close.
    CutOff { announced: usize, body: String },
    /// Answer the first `times` matching requests with a `Status` of `code` and, when given, a
    /// `Retry-After` header of exactly this text; later requests are served normally.
    Times {
        code: u16,
        times: u32,
        retry_after: Option<String>,
    },
}

/// `path_regex` is matched against the request path, and against `path?query` (raw query) when
/// there is a query; either match applies the fault.
#[derive(Clone, Debug)]
pub struct Fault {
    pub path_regex: String,
    pub kind: FaultKind,
}

impl Fault {
    pub fn new(path_regex: &str, kind: FaultKind) -> Fault {
        Fault {
            path_regex: path_regex.to_string(),
            kind,
        }
    }
}

/// One request, in arrival order. `status` is 0 while unanswered and for requests never answered
/// (Hang, Close, client gone); `end` is then when the server dropped the request. For a watch,
/// `end` is when the response headers were sent.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw (percent-encoded) query string, "" when none; see `param`.
    pub query: String,
    pub status: u16,
    /// Since server start.
    pub start: Duration,
    pub end: Duration,
    pub user_agent: String,
    /// `Impersonate-*` request headers (lower-case name, value), in order.
    pub impersonate: Vec<(String, String)>,
}

impl Recorded {
    /// All query parameters, percent-decoded.
    pub fn params(&self) -> Vec<(String, String)> {
        store::parse_query(&self.query)
    }
    /// A query parameter, percent-decoded (`r.param("fieldSelector")`).
    pub fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
    /// `GET /api/v1/...?query -> 200 (3ms)`, for assertion messages.
    pub fn line(&self) -> String {
        let q = if self.query.is_empty() {
            String::new()
        } else {
            format!("?{}", store::percent_decode(&self.query))
        };
        format!(
            "{} {}{} -> {} ({}ms at +{}ms)",
            self.method,
            self.path,
            q,
            self.status,
            self.end.saturating_sub(self.start).as_millis(),
            self.start.as_millis()
        )
    }
}

pub struct ApiServer {
    addr: std::net::SocketAddr,
    shared: Arc<server::Shared>,
    certs: tls::Certs,
    token: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// `testdata/live/` of this crate.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/live")
}

/// The scenario directories present (each with an `objects.yaml`).
pub fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().join("objects.yaml").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

impl ApiServer {
    /// Serve `testdata/live/<scenario>/`, with every timestamp shifted so that `SCENARIO_NOW` is
    /// the server's start time (event ages are as written).
    pub fn start(scenario: &str, opts: Options) -> ApiServer {
        Self::start_impl(scenario, opts, true)
    }

    /// Serve the scenario with its timestamps exactly as written.
    pub fn start_frozen(scenario: &str, opts: Options) -> ApiServer {
        Self::start_impl(scenario, opts, false)
    }

    fn start_impl(scenario: &str, opts: Options, shift: bool) -> ApiServer {
        let dir = scenarios_dir().join(scenario);
        assert!(
            dir.join("objects.yaml").is_file(),
            "no scenario {scenario:?}: {} has no objects.yaml",
            dir.display()
        );
        let store = store::Store::load(&dir, shift);
        let certs = tls::generate(opts.self_signed);
        let config = tls::server_config(&certs);
        let faults = opts
            .faults
            .iter()
            .map(|f| {
                let re = regex::Regex::new(&f.path_regex)
                    .unwrap_or_else(|e| panic!("bad fault regex {:?}: {e}", f.path_regex));
                (re, f.kind.clone())
            })
            .collect();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let fault_hits = opts
            .faults
            .iter()
            .map(|_| std::sync::atomic::AtomicU32::new(0))
            .collect();
        let shared = Arc::new(server::Shared {
            token: opts.token.clone(),
            latency: opts.latency,
            forbidden: opts.forbidden.clone(),
            faults,
            fault_hits,
            start: Instant::now(),
            store: Mutex::new(store),
            log: Mutex::new(Vec::new()),
            client_cert_der: certs.client_cert_der.as_ref().to_vec(),
            addr: Mutex::new(Some(addr)),
            audit: AtomicU64::new(1),
        });
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("apiserver-{scenario}"))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(4)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(server::accept_loop(
                    listener,
                    config,
                    thread_shared,
                    stop_rx,
                ));
                rt.shutdown_timeout(Duration::from_millis(500));
            })
            .expect("spawn server thread");
        ApiServer {
            addr,
            shared,
            certs,
            token: opts.token,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `https://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    pub fn ca_pem(&self) -> String {
        self.certs.ca_pem.clone()
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.log.lock().unwrap().clone()
    }

    /// The request log, one `Recorded::line` per line (for assertion messages).
    pub fn requests_text(&self) -> String {
        self.requests()
            .iter()
            .map(Recorded::line)
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn clear_requests(&self) {
        self.shared.log.lock().unwrap().clear();
    }

    /// The server's "now" for the scenario plus `offset_secs`, RFC 3339 (for objects a test adds).
    pub fn timestamp(&self, offset_secs: i64) -> String {
        let now = self.shared.store.lock().unwrap().now;
        let elapsed = chrono::Duration::from_std(self.shared.start.elapsed()).unwrap_or_default();
        (now + elapsed + chrono::Duration::seconds(offset_secs))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    // ----- scripted changes (for watches / --wait) ---------------------------------------------

    /// The object as GET returns it.
    pub fn object(&self, resource: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        self.shared
            .store
            .lock()
            .unwrap()
            .get(resource, namespace, name)
            .ok()
    }

    /// Change a pod: GET returns the result, open watches get MODIFIED (or ADDED / DELETED when
    /// it enters / leaves their selector). Returns the new resourceVersion.
    pub fn update_pod(&self, namespace: &str, name: &str, f: impl FnOnce(&mut Value)) -> u64 {
        self.shared
            .store
            .lock()
            .unwrap()
            .modify("pods", Some(namespace), name, f)
    }

    /// Change a node (see `update_pod`).
    pub fn update_node(&self, name: &str, f: impl FnOnce(&mut Value)) -> u64 {
        self.shared
            .store
            .lock()
            .unwrap()
            .modify("nodes", None, name, f)
    }

    /// Create or replace a Pod, Event, Node, Namespace or workload (Deployment, StatefulSet,
    /// DaemonSet, ReplicaSet, Job; give its apiVersion) (ADDED / MODIFIED to watches).
    pub fn put_object(&self, object: Value) -> u64 {
        self.shared.store.lock().unwrap().put(object)
    }

    /// Delete an object (DELETED to watches); false if it did not exist.
    pub fn delete_object(&self, resource: &str, namespace: Option<&str>, name: &str) -> bool {
        let resource = store::known_resource(resource)
            .unwrap_or_else(|| panic!("unknown resource {resource}"))
            .0;
        self.shared
            .store
            .lock()
            .unwrap()
            .delete(resource, namespace, name)
    }

    /// Replace a container's current (`previous = false`) or previous log.
    pub fn set_log(&self, namespace: &str, pod: &str, container: &str, previous: bool, text: &str) {
        self.shared.store.lock().unwrap().set_log(
            namespace,
            pod,
            container,
            previous,
            text.to_string(),
        );
    }

    /// End every open watch stream now.
    pub fn close_watches(&self) {
        self.shared.store.lock().unwrap().close_watches();
    }

    // ----- kubeconfigs ---------------------------------------------------------------------------

    fn kubeconfig(&self, ca_pem: &str, namespace: &str, user: Value) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let config = json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{
                "name": "test",
                "cluster": {
                    "server": self.url(),
                    "certificate-authority-data": b64(ca_pem),
                },
            }],
            "contexts": [{
                "name": "test",
                "context": {"cluster": "test", "user": "test", "namespace": namespace},
            }],
            "current-context": "test",
            "preferences": {},
            "users": [{"name": "test", "user": user}],
        });
        serde_yaml::to_string(&config).expect("kubeconfig yaml")
    }

    fn write(dir: &Path, file: &str, text: &str) -> PathBuf {
        std::fs::create_dir_all(dir).expect("create kubeconfig dir");
        let path = dir.join(file);
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }

    /// Token auth, CA inline, context "test" with `namespace`. Writes `dir/kubeconfig`.
    pub fn write_kubeconfig(&self, dir: &Path, namespace: &str) -> PathBuf {
        let text = self.kubeconfig(&self.certs.ca_pem, namespace, json!({"token": self.token}));
        Self::write(dir, "kubeconfig", &text)
    }

    /// Like `write_kubeconfig` with another token. Writes `dir/kubeconfig-token`.
    pub fn write_kubeconfig_with_token(&self, dir: &Path, namespace: &str, token: &str) -> PathBuf {
        let text = self.kubeconfig(&self.certs.ca_pem, namespace, json!({"token": token}));
        Self::write(dir, "kubeconfig-token", &text)
    }

    /// Like `write_kubeconfig` but `certificate-authority-data` holds the server's own (leaf)
    /// certificate, not the CA that signed it. Writes `dir/kubeconfig-leaf`.
    pub fn write_kubeconfig_trusting_leaf(&self, dir: &Path, namespace: &str) -> PathBuf {
        let text = self.kubeconfig(
            &self.certs.server_cert_pem,
            namespace,
            json!({"token": self.token}),
        );
        Self::write(dir, "kubeconfig-leaf", &text)
    }

    /// A pod's service-account directory: `token`, `ca.crt` (the server's CA) and `namespace`, as
    /// the kubelet mounts them at /var/run/secrets/kubernetes.io/serviceaccount.
    pub fn write_service_account(&self, dir: &Path, namespace: &str) -> PathBuf {
        let sa = dir.join("serviceaccount");
        Self::write(&sa, "token", &self.token);
        Self::write(&sa, "ca.crt", &self.certs.ca_pem);
        Self::write(&sa, "namespace", namespace);
        sa
    }

    /// The PEM of the certificate the server presents.
    pub fn server_cert_pem(&self) -> String {
        self.certs.server_cert_pem.clone()
    }

    /// Like `write_kubeconfig` but trusting a different CA (TLS verification fails). Writes
    /// `dir/kubeconfig-wrong-ca`.
    pub fn write_kubeconfig_with_wrong_ca(&self, dir: &Path, namespace: &str) -> PathBuf {
        let (_, _, other_ca, _) = tls::self_signed_ca("kubernetes");
        let text = self.kubeconfig(&other_ca, namespace, json!({"token": self.token}));
        Self::write(dir, "kubeconfig-wrong-ca", &text)
    }

    /// The user authenticates with an exec credential plugin: `dir/exec-credential.sh` (executable)
    /// prints a client.authentication.k8s.io/v1beta1 ExecCredential with the token. The kubeconfig
    /// runs it as `/bin/sh dir/exec-credential.sh` (reading the script rather than executing the
    /// freshly written file avoids ETXTBSY when tests spawn processes concurrently). Writes
    /// `dir/kubeconfig-exec`.
    pub fn write_exec_kubeconfig(&self, dir: &Path, namespace: &str) -> PathBuf {
        let credential = json!({
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "kind": "ExecCredential",
            "status": {"token": self.token},
        });
        let script = format!("#!/bin/sh\ncat <<'EOF'\n{credential}\nEOF\n");
        let script_path = Self::write(dir, "exec-credential.sh", &script);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script_path, std::fs::Permissions::from_mode(0o755))
                .expect("chmod exec plugin");
        }
        let user = json!({
            "exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": "/bin/sh",
                "args": [script_path.to_string_lossy()],
                "interactiveMode": "Never",
                "provideClusterInfo": false,
            },
        });
        let text = self.kubeconfig(&self.certs.ca_pem, namespace, user);
        Self::write(dir, "kubeconfig-exec", &text)
    }

    /// The user authenticates with a client certificate (CN "diagnose-user") signed by the
    /// server's CA; no token. Writes `dir/kubeconfig-cert`.
    pub fn write_client_cert_kubeconfig(&self, dir: &Path, namespace: &str) -> PathBuf {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let user = json!({
            "client-certificate-data": b64(&self.certs.client_cert_pem),
            "client-key-data": b64(&self.certs.client_key_pem),
        });
        let text = self.kubeconfig(&self.certs.ca_pem, namespace, user);
        Self::write(dir, "kubeconfig-cert", &text)
    }

    // ----- a minimal HTTPS client ----------------------------------------------------------------

    /// `GET path_and_query` with the server's token (blocking; `Connection: close`).
    pub fn get(&self, path_and_query: &str) -> RawResponse {
        self.request("GET", path_and_query, RawAuth::Token(self.token.clone()))
    }

    /// Any request, with a chosen authentication (blocking; `Connection: close`).
    pub fn request(&self, method: &str, path_and_query: &str, auth: RawAuth) -> RawResponse {
        client::request(
            self.addr,
            &self.certs,
            method,
            path_and_query,
            &auth,
            Duration::from_secs(30),
        )
        .unwrap_or_else(|e| panic!("{method} {path_and_query}: {e}"))
    }

    /// Like `request`, but a transport failure (closed connection, read timeout) is an `Err`.
    pub fn try_request(
        &self,
        method: &str,
        path_and_query: &str,
        auth: RawAuth,
        timeout: Duration,
    ) -> Result<RawResponse, String> {
        client::request(
            self.addr,
            &self.certs,
            method,
            path_and_query,
            &auth,
            timeout,
        )
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
