//! Reaching a cluster the way kubectl does: its connection flags, kubeconfig lists, in-cluster
//! service accounts, Go durations, bounded retries and `-v` request logging.
//!
//! Everything another front end needs (the CLI, an MCP server) is [`ClusterArgs`] (kubectl's flags,
//! flattened into a clap command) → [`ClusterOptions`] → [`resolve`] (a `kube::Config` plus the
//! context name) → [`client`] (a `kube::Client`).
//!
//! kube does the loading: the kubeconfig is read and merged with `Kubeconfig::read_from`, the flags
//! are applied to the selected context, cluster and user entries, and `Config::from_custom_kubeconfig`
//! resolves credentials (tokens, token files, client certificates, exec plugins, impersonation). The
//! HTTP stack is kube's own layers (`base_uri_layer`, `auth_layer`, `extra_headers_layer`, kube's
//! `RetryPolicy`) over hyper, assembled here for three things kube's default stack does not do:
//! trusting a serving certificate that is byte-for-byte one of the configured CA certificates (as
//! Go's crypto/x509 does), bounding retries in time and saying so, and logging requests at `-v`.

use crate::live::LiveError;
use crate::report::escape_terminal;
use http::{Request, Response};
use kube::client::retry::RetryPolicy;
use kube::client::{Body, ConfigExt};
use kube::config::{AuthInfo, Cluster, Context, KubeConfigOptions, Kubeconfig, NamedAuthInfo};
use kube::config::{NamedCluster, NamedContext};
use kube::{Client, Config};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower::retry::{Policy, RetryLayer};
use tower::{BoxError, Service, ServiceBuilder};

/// Default for `--request-timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// At most this many retries of one request answered 429, 503 or 504.
pub const MAX_RETRIES: u32 = 5;
/// Retries of one request stop when waiting longer would pass this much time since it was first
/// sent (a `Retry-After` beyond it is not waited for).
pub const RETRY_BUDGET: Duration = Duration::from_secs(30);
/// Where a pod's service account is mounted (kubectl and kube read the same files).
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// Name of the context, cluster and user made from the command line when no kubeconfig exists.
pub const FLAGS_CONTEXT: &str = "command-line";
/// Name of the context, cluster and user of the in-cluster configuration.
pub const IN_CLUSTER_CONTEXT: &str = "in-cluster";

/// kubectl's connection flags. Global, so they may come before or after the subcommand
/// (`kubectl diagnose --context prod pod web-1`).
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Cluster options (as kubectl's)")]
pub struct ClusterArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, a list of files that are merged, files
    /// that do not exist skipped; else ~/.kube/config; else the pod's service account when run
    /// inside a cluster).
    #[arg(long, value_name = "PATH", global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME", global = true)]
    pub context: Option<String>,
    /// The kubeconfig cluster to use (default: the context's).
    #[arg(long, value_name = "NAME", global = true)]
    pub cluster: Option<String>,
    /// The kubeconfig user to use (default: the context's).
    #[arg(long, value_name = "NAME", global = true)]
    pub user: Option<String>,
    /// Namespace (default: the context's namespace, else "default").
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// The address and port of the Kubernetes API server.
    #[arg(short = 's', long, value_name = "URL", global = true)]
    pub server: Option<String>,
    /// Bearer token for authentication to the API server.
    #[arg(long, value_name = "TOKEN", global = true)]
    pub token: Option<String>,
    /// Username to impersonate for the operation (a user or a service account).
    #[arg(long = "as", value_name = "USER", global = true)]
    pub as_user: Option<String>,
    /// Group to impersonate for the operation; repeatable.
    #[arg(long = "as-group", value_name = "GROUP", global = true)]
    pub as_group: Vec<String>,
    /// UID to impersonate for the operation.
    #[arg(long = "as-uid", value_name = "UID", global = true)]
    pub as_uid: Option<String>,
    /// Do not check the server's certificate (insecure: anyone on the path can read the traffic).
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false",
          action = clap::ArgAction::Set, value_parser = clap::value_parser!(bool))]
    pub insecure_skip_tls_verify: bool,
    /// Path to a cert file for the certificate authority.
    #[arg(long, value_name = "PATH", global = true)]
    pub certificate_authority: Option<PathBuf>,
    /// Path to a client certificate file for TLS.
    #[arg(long, value_name = "PATH", global = true)]
    pub client_certificate: Option<PathBuf>,
    /// Path to a client key file for TLS.
    #[arg(long, value_name = "PATH", global = true)]
    pub client_key: Option<PathBuf>,
    /// Server name to use for server certificate validation (default: the server's host name).
    #[arg(long, value_name = "NAME", global = true)]
    pub tls_server_name: Option<String>,
    /// Give up on a request after this long, retries included: a Go duration (30s, 1m30s, 500ms)
    /// or seconds; 0 waits forever.
    #[arg(long, default_value = "30s", value_name = "DURATION", global = true)]
    pub request_timeout: String,
    /// Log each API request to stderr: method, URL, status and time (any level from 1; kubectl
    /// shows them at 6); 7 and above add request and response headers, credentials masked.
    #[arg(
        short = 'v',
        long = "v",
        value_name = "LEVEL",
        global = true,
        default_value_t = 0
    )]
    pub verbosity: u8,
}

impl Default for ClusterArgs {
    fn default() -> Self {
        ClusterArgs {
            kubeconfig: None,
            context: None,
            cluster: None,
            user: None,
            namespace: None,
            server: None,
            token: None,
            as_user: None,
            as_group: Vec::new(),
            as_uid: None,
            insecure_skip_tls_verify: false,
            certificate_authority: None,
            client_certificate: None,
            client_key: None,
            tls_server_name: None,
            request_timeout: "30s".into(),
            verbosity: 0,
        }
    }
}

impl ClusterArgs {
    /// Check the flags (durations, paths) and turn them into [`ClusterOptions`]; also sets the
    /// process-wide `-v` level.
    pub fn options(&self) -> Result<ClusterOptions, String> {
        set_verbosity(self.verbosity);
        let request_timeout = parse_duration(&self.request_timeout).map_err(|e| {
            format!(
                "invalid --request-timeout \"{}\": {e}",
                self.request_timeout
            )
        })?;
        if self.insecure_skip_tls_verify && self.certificate_authority.is_some() {
            return Err("--insecure-skip-tls-verify and --certificate-authority cannot be used together (kubectl refuses them too)".into());
        }
        for (flag, p) in [
            ("--certificate-authority", &self.certificate_authority),
            ("--client-certificate", &self.client_certificate),
            ("--client-key", &self.client_key),
        ] {
            if let Some(p) = p {
                if !p.is_file() {
                    return Err(format!("{flag} {}: no such file", p.display()));
                }
            }
        }
        if self.client_certificate.is_some() != self.client_key.is_some() {
            return Err("--client-certificate and --client-key go together".into());
        }
        Ok(ClusterOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            cluster: self.cluster.clone(),
            user: self.user.clone(),
            namespace: self.namespace.clone(),
            server: self.server.clone(),
            token: self.token.clone(),
            as_user: self.as_user.clone(),
            as_group: self.as_group.clone(),
            as_uid: self.as_uid.clone(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            certificate_authority: self.certificate_authority.clone(),
            client_certificate: self.client_certificate.clone(),
            client_key: self.client_key.clone(),
            tls_server_name: self.tls_server_name.clone(),
            request_timeout,
        })
    }
}

/// How to reach the cluster, with kubectl's meaning for each field (see [`ClusterArgs`]).
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
    pub server: Option<String>,
    pub token: Option<String>,
    pub as_user: Option<String>,
    pub as_group: Vec<String>,
    pub as_uid: Option<String>,
    pub insecure_skip_tls_verify: bool,
    pub certificate_authority: Option<PathBuf>,
    pub client_certificate: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub tls_server_name: Option<String>,
    /// `None` means no timeout (`--request-timeout 0`).
    pub request_timeout: Option<Duration>,
}

/// A resolved configuration: kube's `Config` and the name of the context it came from.
pub struct Resolved {
    pub config: Config,
    pub context: String,
}

/// Parse a kubectl duration: a Go duration (`1m30s`, `500ms`, `1h`), a bare number of seconds, or
/// `0` for none. Uses kube's Go-duration parser.
pub fn parse_duration(s: &str) -> Result<Option<Duration>, String> {
    let t = s.trim();
    let d = if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        let secs: f64 = t.parse().map_err(|_| format!("not a number: {t}"))?;
        if !secs.is_finite() {
            return Err("not a finite number".into());
        }
        Duration::from_secs_f64(secs)
    } else {
        let d: kube::core::Duration = t.parse().map_err(|e| {
            format!("{e}; use a Go duration such as 30s, 1m30s, 500ms, 2h, or 0 for none")
        })?;
        if d.is_negative() {
            return Err("a duration cannot be negative".into());
        }
        d.into()
    };
    Ok((!d.is_zero()).then_some(d))
}

// ----- kubeconfig -------------------------------------------------------------------------------

/// An error and its causes on one line. Only each message's first line is kept: a YAML parser's
/// message goes on with a snippet of the file (its lines, a caret), which would break the one-line
/// error into a quoted block of whatever the file holds.
fn chain(e: &dyn std::error::Error) -> String {
    let first_line = |t: String| match t.split_once('\n') {
        Some((head, _)) => head.trim_end().to_string(),
        None => t,
    };
    let mut parts = vec![first_line(e.to_string())];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = first_line(s.to_string());
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// The kubeconfig files kubectl would read: `--kubeconfig` (must exist), else every existing file
/// of `$KUBECONFIG` (missing ones skipped, as kubectl does), else `~/.kube/config` if it exists.
/// `None` when there is none.
pub fn load_kubeconfig(explicit: Option<&Path>) -> Result<Option<Kubeconfig>, LiveError> {
    let read = |p: &Path| {
        Kubeconfig::read_from(p)
            .map_err(|e| LiveError::Config(format!("{}: {}", p.display(), chain(&e))))
    };
    if let Some(p) = explicit {
        return read(p).map(Some);
    }
    if let Some(value) = std::env::var_os("KUBECONFIG") {
        let paths: Vec<PathBuf> = std::env::split_paths(&value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !paths.is_empty() {
            let mut merged: Option<Kubeconfig> = None;
            for p in paths.iter().filter(|p| p.exists()) {
                let next = read(p)?;
                merged = Some(match merged {
                    None => next,
                    Some(m) => m.merge(next).map_err(|e| {
                        LiveError::Config(format!("merging {}: {}", p.display(), chain(&e)))
                    })?,
                });
            }
            return Ok(merged);
        }
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from);
    match home.map(|h| h.join(".kube").join("config")) {
        Some(p) if p.exists() => read(&p).map(Some),
        _ => Ok(None),
    }
}

/// The pod's service account as a kubeconfig, when running inside a cluster: the API server from
/// `KUBERNETES_SERVICE_HOST`/`_PORT` (as `Config::incluster` and client-go read it), the token file,
/// `ca.crt` and `namespace` from the service-account directory. The directory is
/// `/var/run/secrets/kubernetes.io/serviceaccount` unless `KUBECTL_DIAGNOSE_SERVICE_ACCOUNT_DIR`
/// names another (kube's `Config::incluster` reads only the fixed path; going through a kubeconfig
/// also lets every flag apply to it). `None` when not in a cluster.
pub fn in_cluster_kubeconfig() -> Option<Kubeconfig> {
    let host = std::env::var("KUBERNETES_SERVICE_HOST")
        .ok()
        .filter(|h| !h.is_empty())?;
    let port = std::env::var("KUBERNETES_SERVICE_PORT")
        .ok()
        .filter(|p| !p.is_empty())?;
    let dir = std::env::var_os("KUBECTL_DIAGNOSE_SERVICE_ACCOUNT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(SERVICE_ACCOUNT_DIR));
    let token = dir.join("token");
    if !token.is_file() {
        return None;
    }
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host
    };
    let ca = dir.join("ca.crt");
    let namespace = std::fs::read_to_string(dir.join("namespace"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    Some(Kubeconfig {
        clusters: vec![NamedCluster {
            name: IN_CLUSTER_CONTEXT.into(),
            cluster: Some(Cluster {
                server: Some(format!("https://{host}:{port}")),
                certificate_authority: ca.is_file().then(|| ca.to_string_lossy().into_owned()),
                ..Cluster::default()
            }),
            ..NamedCluster::default()
        }],
        auth_infos: vec![NamedAuthInfo {
            name: IN_CLUSTER_CONTEXT.into(),
            auth_info: Some(AuthInfo {
                token_file: Some(token.to_string_lossy().into_owned()),
                ..AuthInfo::default()
            }),
            ..NamedAuthInfo::default()
        }],
        contexts: vec![NamedContext {
            name: IN_CLUSTER_CONTEXT.into(),
            context: Some(Context {
                cluster: IN_CLUSTER_CONTEXT.into(),
                user: Some(IN_CLUSTER_CONTEXT.into()),
                namespace,
                ..Context::default()
            }),
            ..NamedContext::default()
        }],
        current_context: Some(IN_CLUSTER_CONTEXT.into()),
        ..Kubeconfig::default()
    })
}

fn known<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = names.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Apply the flags to the selected context's cluster and user entries (kubectl's overrides).
/// Returns (context, cluster, user) names to load.
fn apply_overrides(
    kc: &mut Kubeconfig,
    opts: &ClusterOptions,
) -> Result<(String, String, Option<String>), LiveError> {
    if kc.contexts.is_empty() && kc.current_context.is_none() {
        if opts.server.is_none() && kc.clusters.is_empty() {
            // An empty kubeconfig (or one of only users) and no --server: nothing names a cluster.
            return Err(LiveError::Config(
                "the kubeconfig has no context and no cluster; point --kubeconfig or KUBECONFIG at \
                 a kubeconfig with a current-context, or pass --server"
                    .into(),
            ));
        }
        // No context at all: one made from the flags (kubectl -s URL --token T with no kubeconfig).
        kc.contexts.push(NamedContext {
            name: FLAGS_CONTEXT.into(),
            context: Some(Context {
                cluster: opts.cluster.clone().unwrap_or_else(|| FLAGS_CONTEXT.into()),
                user: Some(opts.user.clone().unwrap_or_else(|| FLAGS_CONTEXT.into())),
                ..Context::default()
            }),
            ..NamedContext::default()
        });
        kc.current_context = Some(FLAGS_CONTEXT.into());
    }
    let context_name = match opts.context.clone().or_else(|| kc.current_context.clone()) {
        Some(c) => c,
        None => {
            return Err(LiveError::Config(format!(
                "the kubeconfig has no current-context; pass --context (known: {})",
                known(kc.contexts.iter().map(|c| c.name.as_str()))
            )))
        }
    };
    let Some(ctx) = kc
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.clone())
    else {
        return Err(LiveError::Config(format!(
            "context \"{context_name}\" is not in the kubeconfig (known: {})",
            known(kc.contexts.iter().map(|c| c.name.as_str()))
        )));
    };
    let cluster_name = opts.cluster.clone().unwrap_or(ctx.cluster.clone());
    let user_name = opts.user.clone().or(ctx.user.clone());

    if !kc.clusters.iter().any(|c| c.name == cluster_name) {
        if opts.server.is_none() {
            return Err(LiveError::Config(format!(
                "cluster \"{cluster_name}\" is not in the kubeconfig (known: {}); pass --server",
                known(kc.clusters.iter().map(|c| c.name.as_str()))
            )));
        }
        kc.clusters.push(NamedCluster {
            name: cluster_name.clone(),
            cluster: Some(Cluster::default()),
            ..NamedCluster::default()
        });
    }
    if let Some(u) = &opts.user {
        if !kc.auth_infos.iter().any(|a| &a.name == u) {
            return Err(LiveError::Config(format!(
                "user \"{u}\" is not in the kubeconfig (known: {})",
                known(kc.auth_infos.iter().map(|a| a.name.as_str()))
            )));
        }
    }
    if let Some(c) = kc.clusters.iter_mut().find(|c| c.name == cluster_name) {
        let cluster = c.cluster.get_or_insert_with(Cluster::default);
        if let Some(s) = &opts.server {
            cluster.server = Some(s.clone());
        }
        if opts.insecure_skip_tls_verify {
            cluster.insecure_skip_tls_verify = Some(true);
            cluster.certificate_authority = None;
            cluster.certificate_authority_data = None;
        }
        if let Some(ca) = &opts.certificate_authority {
            cluster.certificate_authority = Some(ca.to_string_lossy().into_owned());
            cluster.certificate_authority_data = None;
            cluster.insecure_skip_tls_verify = None;
        }
        if let Some(n) = &opts.tls_server_name {
            cluster.tls_server_name = Some(n.clone());
        }
    }
    let user_overrides = opts.token.is_some()
        || opts.client_certificate.is_some()
        || opts.as_user.is_some()
        || !opts.as_group.is_empty()
        || opts.as_uid.is_some();
    let user_name = match user_name {
        Some(u) => Some(u),
        None if user_overrides => {
            // The context names no user: the flags make one.
            if let Some(c) = kc.contexts.iter_mut().find(|c| c.name == context_name) {
                if let Some(ctx) = c.context.as_mut() {
                    ctx.user = Some(FLAGS_CONTEXT.into());
                }
            }
            Some(FLAGS_CONTEXT.into())
        }
        None => None,
    };
    if let Some(u) = &user_name {
        if !kc.auth_infos.iter().any(|a| &a.name == u) {
            kc.auth_infos.push(NamedAuthInfo {
                name: u.clone(),
                auth_info: Some(AuthInfo::default()),
                ..NamedAuthInfo::default()
            });
        }
        if let Some(a) = kc.auth_infos.iter_mut().find(|a| &a.name == u) {
            let auth = a.auth_info.get_or_insert_with(AuthInfo::default);
            if let Some(t) = &opts.token {
                // kubectl: an explicit token replaces the kubeconfig's token sources.
                auth.token = Some(secrecy::SecretString::from(t.clone()));
                auth.token_file = None;
                auth.exec = None;
                auth.auth_provider = None;
                auth.username = None;
                auth.password = None;
            }
            if let (Some(cert), Some(key)) = (&opts.client_certificate, &opts.client_key) {
                auth.client_certificate = Some(cert.to_string_lossy().into_owned());
                auth.client_certificate_data = None;
                auth.client_key = Some(key.to_string_lossy().into_owned());
                auth.client_key_data = None;
            }
            if let Some(who) = &opts.as_user {
                auth.impersonate = Some(who.clone());
            }
            if !opts.as_group.is_empty() {
                auth.impersonate_groups = Some(opts.as_group.clone());
            }
            if let Some(uid) = &opts.as_uid {
                auth.impersonate_uid = Some(uid.clone());
            }
        }
    }
    Ok((context_name, cluster_name, user_name))
}

/// Build kube's `Config` as kubectl would from the flags, the kubeconfig files, or the pod's service
/// account.
pub async fn resolve(opts: &ClusterOptions) -> Result<Resolved, LiveError> {
    let mut kc = match load_kubeconfig(opts.kubeconfig.as_deref())? {
        Some(k) => k,
        None => match in_cluster_kubeconfig() {
            Some(k) => k,
            None if opts.server.is_some() => Kubeconfig::default(),
            None => {
                return Err(LiveError::Config(
                    "no kubeconfig found ($KUBECONFIG names no existing file and ~/.kube/config does not exist) and not running in a pod with a service account; set KUBECONFIG, pass --kubeconfig, or pass --server".into(),
                ))
            }
        },
    };
    let (context, cluster, user) = apply_overrides(&mut kc, opts)?;
    let kco = KubeConfigOptions {
        context: Some(context.clone()),
        cluster: Some(cluster),
        user,
    };
    let mut config = Config::from_custom_kubeconfig(kc, &kco)
        .await
        .map_err(|e| LiveError::Config(chain(&e)))?;
    if let Some(n) = &opts.namespace {
        config.default_namespace = n.clone();
    }
    if let Some(t) = opts.request_timeout {
        config.connect_timeout = Some(t);
        config.read_timeout = Some(t);
        config.write_timeout = Some(t);
        config.reset_reader_on_write = true;
    }
    Ok(Resolved { config, context })
}

// ----- the client -------------------------------------------------------------------------------

/// A kube `Client` for `config`: kube's layers over hyper and rustls, with the CA-pinning rule,
/// bounded retries of 429/503/504 (honouring `Retry-After`) and `-v` logging.
pub fn client(config: &Config) -> Result<Client, LiveError> {
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::rt::TokioExecutor;
    let cfg_err = |e: kube::Error| LiveError::Config(chain(&e));
    let mut tls = config.rustls_client_config().map_err(cfg_err)?;
    if !config.accept_invalid_certs {
        if let Some(roots) = &config.root_cert {
            let verifier = AnchorAwareVerifier::new(roots)
                .map_err(|e| LiveError::Config(format!("certificate authority: {e}")))?;
            tls.dangerous().set_certificate_verifier(Arc::new(verifier));
        }
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    let mut builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    if let Some(name) = &config.tls_server_name {
        let name = rustls::pki_types::ServerName::try_from(name.clone())
            .map_err(|e| LiveError::Config(format!("--tls-server-name \"{name}\": {e}")))?;
        builder =
            builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name));
    }
    let https = builder.enable_http1().wrap_connector(http);
    let mut timeouts = hyper_timeout::TimeoutConnector::new(https);
    timeouts.set_connect_timeout(config.connect_timeout);
    timeouts.set_read_timeout(config.read_timeout);
    timeouts.set_write_timeout(config.write_timeout);
    timeouts.set_reset_reader_on_write(config.reset_reader_on_write);
    let hyper_client: hyper_util::client::legacy::Client<_, Body> =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(timeouts);
    let policy = BoundedRetry::new();
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .layer_fn(|inner| CheckService { inner })
        .layer(RetryLayer::new(policy))
        .option_layer(config.auth_layer().map_err(cfg_err)?)
        .layer(config.extra_headers_layer().map_err(cfg_err)?)
        .layer_fn(|inner| LogService { inner })
        .map_err(BoxError::from)
        .service(hyper_client);
    Ok(Client::new(service, config.default_namespace.clone()))
}

// ----- trust: a serving certificate that is one of the CA certificates --------------------------

/// rustls's WebPKI verification, plus Go's rule that a server certificate which is itself one of
/// the trusted certificates (byte for byte) is trusted: a self-signed CA used as the serving
/// certificate, or a leaf pasted into `certificate-authority-data`. Such a certificate still has to
/// name the server and be within its validity period, and the handshake signature is still checked
/// with its key. Nothing else is accepted that WebPKI refuses.
#[derive(Debug)]
pub struct AnchorAwareVerifier {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    anchors: Vec<Vec<u8>>,
}

impl AnchorAwareVerifier {
    pub fn new(roots: &[Vec<u8>]) -> Result<Self, String> {
        let mut store = rustls::RootCertStore::empty();
        for der in roots {
            store
                .add(rustls::pki_types::CertificateDer::from(der.clone()))
                .map_err(|e| e.to_string())?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                .build()
                .map_err(|e| e.to_string())?;
        Ok(AnchorAwareVerifier {
            inner,
            anchors: roots.to_vec(),
        })
    }
}

impl rustls::client::danger::ServerCertVerifier for AnchorAwareVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let refused = match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if !self
            .anchors
            .iter()
            .any(|a| a.as_slice() == end_entity.as_ref())
        {
            return Err(refused);
        }
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        match der_validity(end_entity.as_ref()) {
            Some((not_before, not_after)) => {
                let t = now.as_secs() as i64;
                if t < not_before {
                    return Err(rustls::Error::InvalidCertificate(
                        rustls::CertificateError::NotValidYet,
                    ));
                }
                if t > not_after {
                    return Err(rustls::Error::InvalidCertificate(
                        rustls::CertificateError::Expired,
                    ));
                }
            }
            None => return Err(refused),
        }
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// One DER element: (tag, content, rest).
fn der_next(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *data.first()?;
    let first = *data.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *data.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((tag, data.get(header..end)?, data.get(end..)?))
}

/// `notBefore` and `notAfter` of an X.509 certificate, as Unix seconds.
fn der_validity(cert: &[u8]) -> Option<(i64, i64)> {
    let (_, certificate, _) = der_next(cert)?;
    let (_, tbs, _) = der_next(certificate)?;
    let (tag, _, mut rest) = der_next(tbs)?;
    if tag == 0xa0 {
        // [0] version: the serial number follows.
        rest = der_next(rest)?.2;
    }
    let (_, _, rest) = der_next(rest)?; // signature algorithm
    let (_, _, rest) = der_next(rest)?; // issuer
    let (_, validity, _) = der_next(rest)?;
    let (t1, nb, rest) = der_next(validity)?;
    let (t2, na, _) = der_next(rest)?;
    Some((der_time(t1, nb)?, der_time(t2, na)?))
}

/// UTCTime (0x17, YYMMDDHHMMSSZ) or GeneralizedTime (0x18, YYYYMMDDHHMMSSZ) as Unix seconds.
fn der_time(tag: u8, v: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(v).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            let yy: i32 = s.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
        }
        0x18 => (s.get(..4)?.parse().ok()?, s.get(4..)?),
        _ => return None,
    };
    let n = |i: usize| -> Option<u32> { rest.get(i..i + 2)?.parse().ok() };
    let date = chrono::NaiveDate::from_ymd_opt(year, n(0)?, n(2)?)?;
    let t = date.and_hms_opt(n(4)?, n(6)?, n(8)?)?;
    Some(t.and_utc().timestamp())
}

// ----- retries ----------------------------------------------------------------------------------

/// kube's server-aware `RetryPolicy` (exponential backoff, `Retry-After` honoured) bounded to
/// [`MAX_RETRIES`] retries and [`RETRY_BUDGET`] of waiting, each retry reported at `-v`.
#[derive(Clone)]
struct BoundedRetry {
    inner: RetryPolicy,
    started: Option<tokio::time::Instant>,
    attempt: u32,
}

impl BoundedRetry {
    fn new() -> Self {
        BoundedRetry {
            // Only the parameters are ours; they are valid (min < max), so this cannot fail.
            inner: RetryPolicy::new(
                Duration::from_millis(250),
                Duration::from_secs(8),
                MAX_RETRIES,
                true,
            )
            .unwrap_or_else(|_| RetryPolicy::server_retry()),
            started: None,
            attempt: 0,
        }
    }
}

impl<Res> Policy<Request<Body>, Response<Res>, BoxError> for BoundedRetry {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut Request<Body>,
        result: &mut Result<Response<Res>, BoxError>,
    ) -> Option<Self::Future> {
        let (status, retry_after) = match result {
            Ok(r) => (
                r.status(),
                r.headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            ),
            Err(_) => return None,
        };
        let sleep =
            Policy::<Request<Body>, Response<Res>, BoxError>::retry(&mut self.inner, req, result);
        let Some(sleep) = sleep else {
            if matches!(status.as_u16(), 429 | 503 | 504) && self.attempt > 0 {
                vlog(
                    1,
                    &format!(
                        "{} {}: {status} after {} retries; giving up",
                        req.method(),
                        req.uri(),
                        self.attempt
                    ),
                );
            }
            return None;
        };
        let now = tokio::time::Instant::now();
        let started = *self.started.get_or_insert(now);
        let delay = sleep.deadline().saturating_duration_since(now);
        if now.duration_since(started) + delay > RETRY_BUDGET {
            vlog(
                1,
                &format!(
                    "{} {}: {status}{}; not retrying: waiting {} would pass the {}s retry budget",
                    req.method(),
                    req.uri(),
                    retry_after
                        .as_deref()
                        .map(|r| format!(" (Retry-After: {})", escape_terminal(r)))
                        .unwrap_or_default(),
                    human_ms(delay),
                    RETRY_BUDGET.as_secs()
                ),
            );
            return None;
        }
        self.attempt += 1;
        vlog(
            1,
            &format!(
                "{} {}: {status}{}; retry {} of {MAX_RETRIES} in {}",
                req.method(),
                req.uri(),
                retry_after
                    .as_deref()
                    .map(|r| format!(" (Retry-After: {})", escape_terminal(r)))
                    .unwrap_or_default(),
                self.attempt,
                human_ms(delay)
            ),
        );
        Some(sleep)
    }

    fn clone_request(&mut self, req: &Request<Body>) -> Option<Request<Body>> {
        if self.started.is_none() {
            self.started = Some(tokio::time::Instant::now());
        }
        Policy::<Request<Body>, Response<Res>, BoxError>::clone_request(&mut self.inner, req)
    }
}

fn human_ms(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}ms", d.as_millis())
    }
}

// ----- -v logging -------------------------------------------------------------------------------

static VERBOSITY: AtomicU8 = AtomicU8::new(0);

/// Set the `-v` level for this process.
pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// Print one line to stderr when `-v` is at least `level`; control characters escaped.
pub fn vlog(level: u8, msg: &str) {
    if verbosity() >= level {
        eprintln!("I {}", escape_terminal(msg));
    }
}

/// Headers whose values are credentials: never printed.
fn is_secret_header(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    )
}

fn headers_text(h: &http::HeaderMap) -> String {
    let mut out = Vec::new();
    for (k, v) in h {
        let value = if is_secret_header(k.as_str()) {
            "<masked>".to_string()
        } else {
            String::from_utf8_lossy(v.as_bytes()).into_owned()
        };
        out.push(format!("    {}: {}", k, value));
    }
    out.join("\n")
}

#[derive(Clone)]
struct LogService<S> {
    inner: S,
}

impl<S, B> Service<Request<Body>> for LogService<S>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<B>, S::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let level = verbosity();
        if level == 0 {
            return Box::pin(self.inner.call(req));
        }
        let line = format!("{} {}", req.method(), req.uri());
        if level >= 7 {
            vlog(
                7,
                &format!(
                    "{line}\n  Request headers:\n{}",
                    headers_text(req.headers())
                ),
            );
        }
        let start = std::time::Instant::now();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let r = fut.await;
            let ms = start.elapsed().as_millis();
            match &r {
                Ok(resp) => {
                    vlog(1, &format!("{line} {} in {ms} milliseconds", resp.status()));
                    if level >= 7 {
                        vlog(
                            7,
                            &format!("  Response headers:\n{}", headers_text(resp.headers())),
                        );
                    }
                }
                Err(e) => vlog(1, &format!("{line} failed after {ms} milliseconds: {e}")),
            }
            r
        })
    }
}

// ----- what the server sent ---------------------------------------------------------------------

/// An answer that is not what the API server sends for a request, recognised before kube parses it
/// (kube would report a parse failure, or the transport error of a body cut short, without the
/// response in hand). Reached through kube's `Error::Service` chain.
#[derive(Debug, thiserror::Error)]
pub enum ServerAnswer {
    /// An HTML page (a proxy's, a load balancer's or a login portal's).
    #[error("HTTP {status}, {content_type}{title}")]
    NotApiServer {
        status: u16,
        content_type: String,
        title: String,
    },
    /// A `Status` object with `status: Failure` served with a success code.
    #[error("HTTP {status} with a Status failure: {reason}: {message}")]
    StatusFailure {
        status: u16,
        reason: String,
        message: String,
    },
    /// The body ended in a transport error after `bytes` bytes.
    #[error("cut off after {bytes} bytes{announced}: {detail}")]
    CutOff {
        bytes: u64,
        announced: String,
        detail: String,
    },
}

/// Most bytes of an HTML page or a `Status` read to describe it.
const ANSWER_HEAD: usize = 64 * 1024;

#[derive(Clone)]
struct CheckService<S> {
    inner: S,
}

impl<S, B> Service<Request<Body>> for CheckService<S>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<Checked<B>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await.map_err(Into::into)?;
            let (parts, body) = resp.into_parts();
            let announced = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let mut body = Checked {
                inner: Box::pin(body),
                prefix: Vec::new(),
                bytes: 0,
                announced,
            };
            let ct = parts
                .headers
                .get(http::header::CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase())
                .unwrap_or_default();
            let media = ct.split(';').next().unwrap_or_default().trim().to_string();
            let status = parts.status.as_u16();
            if media == "text/html" || media == "application/xhtml+xml" {
                body.read_head(ANSWER_HEAD).await?;
                let head = body.head();
                let head = String::from_utf8_lossy(&head);
                return Err(Box::new(ServerAnswer::NotApiServer {
                    status,
                    content_type: media.chars().take(60).collect(),
                    title: html_title(&head)
                        .map(|t| format!(": \"{t}\""))
                        .unwrap_or_default(),
                }) as BoxError);
            }
            if parts.status.is_success() && (media.is_empty() || media.ends_with("json")) {
                // A Status is small and starts with its kind; a watch stream's events never do.
                body.read_head(1).await?;
                if looks_like_status(&body.head()) {
                    body.read_head(ANSWER_HEAD).await?;
                    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body.head()) {
                        if v.get("status").and_then(|s| s.as_str()) == Some("Failure") {
                            let field = |k: &str| {
                                v.get(k)
                                    .and_then(|s| s.as_str())
                                    .unwrap_or("")
                                    .split_whitespace()
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            };
                            return Err(Box::new(ServerAnswer::StatusFailure {
                                status,
                                reason: field("reason"),
                                message: field("message"),
                            }) as BoxError);
                        }
                    }
                }
            }
            Ok(Response::from_parts(parts, body))
        })
    }
}

/// Whether the first bytes of a JSON body are those of a `Status` object.
fn looks_like_status(head: &[u8]) -> bool {
    let head = &head[..head.len().min(256)];
    let text = String::from_utf8_lossy(head);
    let compact: String = text.split_whitespace().collect();
    compact.starts_with("{\"kind\":\"Status\"")
        || compact.starts_with("{\"apiVersion\":\"v1\",\"kind\":\"Status\"")
}

/// The `<title>` of an HTML page (else its first `<h1>`), whitespace collapsed, at most 100
/// characters.
fn html_title(page: &str) -> Option<String> {
    let lower = page.to_ascii_lowercase();
    let inner = |tag: &str| -> Option<String> {
        let open = lower.find(&format!("<{tag}"))?;
        let start = open + lower[open..].find('>')? + 1;
        let end = start + lower[start..].find(&format!("</{tag}"))?;
        let t: String = page
            .get(start..end)?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        (!t.is_empty()).then(|| t.chars().take(100).collect())
    };
    inner("title").or_else(|| inner("h1"))
}

/// A response body that counts what arrived and turns a transport error into
/// [`ServerAnswer::CutOff`]; `prefix` holds what was read ahead to classify the answer.
pub struct Checked<B> {
    inner: Pin<Box<B>>,
    prefix: Vec<bytes::Bytes>,
    bytes: u64,
    announced: Option<u64>,
}

impl<B> Checked<B>
where
    B: http_body::Body<Data = bytes::Bytes>,
    B::Error: Into<BoxError>,
{
    fn head(&self) -> Vec<u8> {
        self.prefix.concat()
    }

    /// Reads ahead until `limit` bytes are held or the body ends.
    async fn read_head(&mut self, limit: usize) -> Result<(), BoxError> {
        use bytes::Buf;
        let mut held: usize = self.prefix.iter().map(|b| b.len()).sum();
        while held < limit {
            let frame = std::future::poll_fn(|cx| self.inner.as_mut().poll_frame(cx)).await;
            match frame {
                None => break,
                Some(Ok(f)) => {
                    if let Ok(mut data) = f.into_data() {
                        let d = data.copy_to_bytes(data.remaining());
                        self.bytes += d.len() as u64;
                        held += d.len();
                        self.prefix.push(d);
                    }
                }
                Some(Err(e)) => return Err(self.cut_off(e.into())),
            }
        }
        Ok(())
    }

    fn cut_off(&self, e: BoxError) -> BoxError {
        // A read timeout stays a timeout.
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e.as_ref());
        while let Some(c) = cur {
            if let Some(io) = c.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::TimedOut {
                    return e;
                }
            }
            cur = c.source();
        }
        Box::new(ServerAnswer::CutOff {
            bytes: self.bytes,
            announced: self
                .announced
                .map(|n| format!(" of the {n} announced"))
                .unwrap_or_default(),
            detail: chain(e.as_ref()),
        })
    }
}

impl<B> http_body::Body for Checked<B>
where
    B: http_body::Body<Data = bytes::Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = bytes::Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, BoxError>>> {
        use std::task::Poll;
        let this = &mut *self;
        if !this.prefix.is_empty() {
            let first = this.prefix.remove(0);
            return Poll::Ready(Some(Ok(http_body::Frame::data(first))));
        }
        match this.inner.as_mut().poll_frame(cx) {
            Poll::Ready(Some(Ok(f))) => {
                if let Some(d) = f.data_ref() {
                    this.bytes += d.len() as u64;
                }
                Poll::Ready(Some(Ok(f)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(this.cut_off(e.into())))),
            other => other.map(|o| o.map(|r| r.map_err(Into::into))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_titles_and_status_prefixes_are_recognised() {
        assert_eq!(
            html_title("<html><head><TITLE>\n 502 Bad\tGateway </TITLE></head>").as_deref(),
            Some("502 Bad Gateway")
        );
        assert_eq!(
            html_title("<body><h1 class=x>Sign in</h1>").as_deref(),
            Some("Sign in")
        );
        assert_eq!(html_title("<p>no title</p>"), None);
        assert!(looks_like_status(
            b"{\"kind\":\"Status\",\"apiVersion\":\"v1\""
        ));
        assert!(looks_like_status(b"{\n  \"kind\": \"Status\",\n"));
        assert!(!looks_like_status(
            b"{\"kind\":\"PodList\",\"items\":[{\"kind\":\"Status\""
        ));
        assert!(!looks_like_status(
            b"{\"type\":\"ADDED\",\"object\":{\"kind\":\"Status\""
        ));
    }

    #[test]
    fn durations_are_go_durations_or_seconds() {
        assert_eq!(parse_duration("0"), Ok(None));
        assert_eq!(parse_duration("30"), Ok(Some(Duration::from_secs(30))));
        assert_eq!(parse_duration("5s"), Ok(Some(Duration::from_secs(5))));
        assert_eq!(
            parse_duration("500ms"),
            Ok(Some(Duration::from_millis(500)))
        );
        assert_eq!(parse_duration("1m30s"), Ok(Some(Duration::from_secs(90))));
        assert_eq!(parse_duration("1h30m"), Ok(Some(Duration::from_secs(5400))));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("-5s").is_err());
    }

    #[test]
    fn der_times_parse() {
        assert_eq!(der_time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(der_time(0x18, b"20240403080000Z"), Some(1712131200));
        assert_eq!(der_time(0x17, b"240403080000Z"), Some(1712131200));
        assert_eq!(der_time(0x17, b"2404030800"), None);
    }

    #[test]
    fn secrets_are_masked_in_logged_headers() {
        let mut h = http::HeaderMap::new();
        h.insert("authorization", "Bearer abc.def".parse().unwrap());
        h.insert("impersonate-user", "jane".parse().unwrap());
        let t = headers_text(&h);
        assert!(t.contains("authorization: <masked>"), "{t}");
        assert!(!t.contains("abc.def"), "{t}");
        assert!(t.contains("impersonate-user: jane"), "{t}");
    }
}
