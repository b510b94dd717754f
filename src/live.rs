//! Live mode: the only code that talks to a cluster. Read-only, always: every request is a GET.
//!
//! It fetches the pod first, then everything else it needs concurrently, so one diagnosis costs about
//! two API round trips: the pod's events (selected by the pod's uid, so a recreated pod with the same
//! name does not inherit old events), its node and the node's events, the previous and current logs of
//! the containers that are failing (healthy containers' logs are not fetched), and for a Pending pod
//! with no node, the nodes with their taints and conditions. Objects become evidence through the same
//! converter as pasted YAML (`parse::api_object_to_evidence`); log lines through the same filter.
//!
//! A failed fetch other than the pod itself is not an error: the diagnosis runs on what was fetched,
//! and [`Evidence::not_checked`] says what could not be checked and which permission would allow it.

use crate::evidence::{ContainerKind, ContainerState, Evidence, LogLine, Provenance};
use crate::parse::{api_object_to_evidence, LineFilter};
use futures::future::join_all;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, ListParams, LogParams};
use kube::Client;
use std::time::Duration;

/// Largest log body read per container and log (current or previous).
pub const MAX_LOG_BYTES: usize = 8 * 1024 * 1024;

/// Default for `--tail`: lines of each log fetched.
pub const DEFAULT_TAIL: i64 = 500;
/// How to reach the cluster (kubectl's connection flags, parsed).
pub use crate::connect::ClusterOptions;
/// Default for `--request-timeout`.
pub use crate::connect::DEFAULT_TIMEOUT;

/// What to diagnose.
#[derive(Debug, Clone)]
pub struct PodTarget {
    pub name: String,
    /// Limit logs and findings to this container (`-c`).
    pub container: Option<String>,
    pub tail: i64,
}

/// Why live diagnosis could not run at all (each maps to exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("cannot load kubeconfig: {0}")]
    Config(String),
    #[error("pod \"{pod}\" not found in namespace \"{namespace}\" (context \"{context}\"){hint}")]
    PodNotFound {
        pod: String,
        namespace: String,
        context: String,
        hint: String,
    },
    #[error("not allowed to read pod \"{pod}\" in namespace \"{namespace}\" (context \"{context}\"): {message}; the diagnosis needs at least `get` on `pods` there")]
    PodForbidden {
        pod: String,
        namespace: String,
        context: String,
        message: String,
    },
    #[error("the cluster at {server} rejected the credentials of context \"{context}\" (401 Unauthorized); log in again or check the token, client certificate or exec plugin in your kubeconfig")]
    Unauthorized { server: String, context: String },
    #[error("TLS handshake with {server} failed (context \"{context}\"): {detail}; check certificate-authority-data in your kubeconfig")]
    Tls {
        server: String,
        context: String,
        detail: String,
    },
    #[error("a proxy or load balancer answered instead of the API server at {server} (context \"{context}\"): {detail}; check the cluster's server URL in your kubeconfig and any HTTPS_PROXY/NO_PROXY setting")]
    NotApiServer {
        server: String,
        context: String,
        detail: String,
    },
    #[error("the server at {server} returned a Status failure (context \"{context}\"): {detail}; the request failed on the server's side: check the reason, or rerun with -v=6 to see the request")]
    StatusFailure {
        server: String,
        context: String,
        detail: String,
    },
    #[error("the response from {server} was cut off after {detail} (context \"{context}\"); the API server, a proxy or a load balancer closed the connection early: retry, and check their timeouts and response size limits")]
    CutOff {
        server: String,
        context: String,
        detail: String,
    },
    #[error("the response from {server} is not what the API server sends (context \"{context}\"): {detail}; check that the cluster's server URL points at the API server and not at a proxy")]
    BadResponse {
        server: String,
        context: String,
        detail: String,
    },
    #[error("the server at {server} closed the connection without answering (context \"{context}\"): {detail}; check that the cluster's server URL points at the API server, and any proxy in between")]
    Closed {
        server: String,
        context: String,
        detail: String,
    },
    #[error("cannot reach the cluster at {server} (context \"{context}\"): {detail}")]
    Unreachable {
        server: String,
        context: String,
        detail: String,
    },
    #[error("request to {server} timed out after {secs}s (context \"{context}\"); raise --request-timeout or check the connection")]
    Timeout {
        server: String,
        context: String,
        secs: u64,
    },
    #[error("reading pod \"{pod}\" failed: {detail}")]
    Api { pod: String, detail: String },
    #[error("namespace \"{namespace}\" does not exist (context \"{context}\"){known}")]
    NamespaceNotFound {
        namespace: String,
        context: String,
        known: String,
    },
    #[error(
        "{kind} \"{name}\" not found in namespace \"{namespace}\" (context \"{context}\"){hint}"
    )]
    ObjectNotFound {
        kind: String,
        name: String,
        namespace: String,
        context: String,
        hint: String,
    },
}

/// The evidence gathered for one pod, and where it came from.
#[derive(Debug)]
pub struct Gathered {
    pub evidence: Evidence,
    pub namespace: String,
    pub context: String,
    pub server: String,
    /// API requests made.
    pub requests: usize,
    /// Current logs identical to the previous log of their container, not scanned again.
    pub repeated_logs: usize,
}

/// What a namespace sweep covers.
#[derive(Debug, Clone, Default)]
pub struct SweepTarget {
    /// `None` sweeps all namespaces (`-A`).
    pub all_namespaces: bool,
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    /// Log requests in flight at once.
    pub concurrency: usize,
    pub tail: i64,
}

/// The evidence of a sweep: one evidence set per unhealthy pod, plus counts.
#[derive(Debug)]
pub struct SweepGathered {
    /// Per unhealthy pod; an unscheduled pod's evidence lacks the nodes (see
    /// [`SweepGathered::evidence`], which adds them).
    pub unhealthy: Vec<Evidence>,
    /// Every node's conditions and taints, for the unscheduled pods (the scheduler weighed every
    /// node): kept once, not copied into each such pod.
    pub all_nodes: Evidence,
    /// Per entry of `unhealthy`: unscheduled (gets `all_nodes`).
    pub unscheduled: Vec<bool>,
    pub total: usize,
    pub healthy: usize,
    /// `namespace/name` of each healthy pod (JUnit lists them as passing test cases).
    pub healthy_names: Vec<String>,
    pub not_checked: Vec<crate::evidence::NotChecked>,
    pub namespace: Option<String>,
    pub context: String,
    pub server: String,
    pub requests: usize,
    /// Current logs identical to the previous log of their container, not scanned again.
    pub repeated_logs: usize,
}

impl SweepGathered {
    /// Each unhealthy pod's whole evidence, an unscheduled pod's with every node added: built one
    /// pod at a time, so the nodes are held once however many pods are pending.
    pub fn evidence(&self) -> impl Iterator<Item = std::borrow::Cow<'_, Evidence>> {
        self.unhealthy.iter().enumerate().map(|(i, ev)| {
            if self.unscheduled.get(i).copied().unwrap_or(false) && !self.all_nodes.is_empty() {
                let mut e = ev.clone();
                e.merge(self.all_nodes.clone());
                std::borrow::Cow::Owned(e)
            } else {
                std::borrow::Cow::Borrowed(ev)
            }
        })
    }
}

/// What a sweep is doing, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Listing the pods in scope: the page being fetched (1-based, 500 pods a page).
    ListingPods { page: usize },
    /// Listing the events (and the nodes) of the namespace.
    ListingEvents,
    /// Fetching the logs of failing containers: how many are done of how many.
    ReadingLogs { done: u64, total: u64 },
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Phase::ListingPods { page } => write!(f, "listing pods (page {page})"),
            Phase::ListingEvents => f.write_str("listing events and nodes"),
            Phase::ReadingLogs { done, total } => write!(f, "reading logs {done}/{total}"),
        }
    }
}

/// Progress callback for long sweeps: called as each phase starts, and after each log fetch.
pub type Progress<'a> = &'a (dyn Fn(Phase) + Sync);

/// A connected client plus what the kubeconfig resolved to.
pub struct Cluster {
    pub(crate) client: Client,
    pub namespace: String,
    pub context: String,
    pub server: String,
    timeout: Option<Duration>,
}

impl Cluster {
    /// Resolve the configuration as kubectl would ([`crate::connect::resolve`]: flags, kubeconfig
    /// files, or the pod's service account) and build a client. Token, client-certificate and
    /// exec-plugin credentials work as kube supports them.
    pub async fn connect(opts: &ClusterOptions) -> Result<Cluster, LiveError> {
        let resolved = crate::connect::resolve(opts).await?;
        let config = resolved.config;
        let namespace = config.default_namespace.clone();
        let server = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        let client = crate::connect::client(&config)?;
        Ok(Cluster {
            client,
            namespace,
            context: resolved.context,
            server,
            timeout: opts.request_timeout,
        })
    }

    /// Names for shell completion: pods or workloads of the namespace, or the namespaces (one LIST of
    /// metadata).
    pub async fn names(&self, what: &crate::complete::Lookup) -> Result<Vec<String>, LiveError> {
        use crate::complete::Lookup;
        use k8s_openapi::api::core::v1::Namespace;
        let lp = ListParams::default().limit(500);
        let fail = |f: Failure| LiveError::Api {
            pod: "(completion)".into(),
            detail: f.to_string(),
        };
        let metas = match what {
            Lookup::Pods => {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), &self.namespace);
                self.call(api.list_metadata(&lp))
                    .await
                    .map_err(fail)?
                    .items
                    .into_iter()
                    .map(|m| m.metadata.name)
                    .collect::<Vec<_>>()
            }
            Lookup::Namespaces => {
                let api: Api<Namespace> = Api::all(self.client.clone());
                self.call(api.list_metadata(&lp))
                    .await
                    .map_err(fail)?
                    .items
                    .into_iter()
                    .map(|m| m.metadata.name)
                    .collect()
            }
            Lookup::Workloads(k) => {
                let api: Api<kube::api::DynamicObject> = Api::namespaced_with(
                    self.client.clone(),
                    &self.namespace,
                    &crate::workload::resource(*k),
                );
                self.call(api.list_metadata(&lp))
                    .await
                    .map_err(fail)?
                    .items
                    .into_iter()
                    .map(|m| m.metadata.name)
                    .collect()
            }
            _ => Vec::new(),
        };
        Ok(metas.into_iter().flatten().collect())
    }

    /// The underlying kube client (for callers that read other resources).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Run one request with the overall timeout.
    pub(crate) async fn call<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, Failure> {
        match self.timeout {
            Some(t) => match tokio::time::timeout(t, fut).await {
                Ok(r) => r.map_err(Failure::Kube),
                Err(_) => Err(Failure::Timeout(t)),
            },
            None => fut.await.map_err(Failure::Kube),
        }
    }

    pub(crate) fn connection_error(&self, f: &Failure) -> Option<LiveError> {
        match f {
            Failure::Timeout(t) => Some(LiveError::Timeout {
                server: self.server.clone(),
                context: self.context.clone(),
                secs: t.as_secs().max(1),
            }),
            Failure::Kube(kube::Error::Api(s)) if s.code == 401 => Some(LiveError::Unauthorized {
                server: self.server.clone(),
                context: self.context.clone(),
            }),
            Failure::Kube(kube::Error::Api(_)) => None,
            Failure::Kube(e) => {
                let (server, context) = (self.server.clone(), self.context.clone());
                if let Some(a) = server_answer(e) {
                    use crate::connect::ServerAnswer as A;
                    let detail = a.to_string();
                    return Some(match a {
                        A::NotApiServer { .. } => LiveError::NotApiServer {
                            server,
                            context,
                            detail,
                        },
                        A::StatusFailure {
                            status,
                            reason,
                            message,
                        } => LiveError::StatusFailure {
                            server,
                            context,
                            detail: format!("HTTP {status}: {reason}: {message}"),
                        },
                        A::CutOff {
                            bytes,
                            announced,
                            detail,
                        } => LiveError::CutOff {
                            server,
                            context,
                            detail: format!("{bytes} bytes{announced} ({detail})"),
                        },
                    });
                }
                let detail = chain(e);
                if let kube::Error::SerdeError(_) = e {
                    return Some(LiveError::BadResponse {
                        server,
                        context,
                        detail: format!("invalid JSON: {detail}"),
                    });
                }
                let lower = detail.to_lowercase();
                if lower.contains("close_notify")
                    || lower.contains("connection closed before message completed")
                    || lower.contains("connection reset")
                {
                    return Some(LiveError::Closed {
                        server,
                        context,
                        detail,
                    });
                }
                if lower.contains("certificate")
                    || lower.contains("tls")
                    || lower.contains("handshake")
                {
                    Some(LiveError::Tls {
                        server: self.server.clone(),
                        context: self.context.clone(),
                        detail,
                    })
                } else if lower.contains("timed out") || lower.contains("elapsed") {
                    Some(LiveError::Timeout {
                        server: self.server.clone(),
                        context: self.context.clone(),
                        secs: self.timeout.map(|t| t.as_secs().max(1)).unwrap_or(0),
                    })
                } else if lower.contains("unauthorized") || lower.contains("auth") {
                    Some(LiveError::Unauthorized {
                        server: self.server.clone(),
                        context: self.context.clone(),
                    })
                } else {
                    Some(LiveError::Unreachable {
                        server: self.server.clone(),
                        context: self.context.clone(),
                        detail,
                    })
                }
            }
        }
    }

    /// Gather the evidence for one pod.
    pub async fn gather_pod(
        &self,
        target: &PodTarget,
        filter: &dyn LineFilter,
    ) -> Result<Gathered, LiveError> {
        let ns = self.namespace.as_str();
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), ns);
        let mut requests = 1;

        // Round trip 1: the pod.
        let pod = match self.call(pods.get(&target.name)).await {
            Ok(p) => p,
            Err(f) => {
                if let Some(e) = self.connection_error(&f) {
                    return Err(e);
                }
                let Failure::Kube(kube::Error::Api(s)) = &f else {
                    return Err(LiveError::Api {
                        pod: target.name.clone(),
                        detail: f.to_string(),
                    });
                };
                return Err(match s.code {
                    404 => {
                        let similar = self.similar_pods(&pods, &target.name).await;
                        if similar.is_empty() {
                            self.check_namespace(ns).await?;
                        }
                        LiveError::PodNotFound {
                            pod: target.name.clone(),
                            namespace: ns.to_string(),
                            context: self.context.clone(),
                            hint: if similar.is_empty() {
                                format!("; list pods with `kubectl get pods -n {ns}`")
                            } else {
                                format!("; similar pods there: {}", similar.join(", "))
                            },
                        }
                    }
                    403 => LiveError::PodForbidden {
                        pod: target.name.clone(),
                        namespace: ns.to_string(),
                        context: self.context.clone(),
                        message: s.message.clone(),
                    },
                    _ => LiveError::Api {
                        pod: target.name.clone(),
                        detail: format!("{} ({})", s.message, s.code),
                    },
                });
            }
        };

        let mut ev = Evidence::new();
        let pod_input = format!("pod {ns}/{}", target.name);
        if let Some(c) = &target.container {
            let known = container_names(&pod);
            if !known.iter().any(|k| k == c) {
                return Err(LiveError::Api {
                    pod: target.name.clone(),
                    detail: format!(
                        "container \"{c}\" is not in pod \"{}\" (containers: {})",
                        target.name,
                        known.join(", ")
                    ),
                });
            }
        }
        let pod_json = serde_json::to_value(&pod).unwrap_or_default();
        api_object_to_evidence(&pod_json, &pod_input, &mut ev);
        age_deletions(&mut ev);
        if let Some(c) = &target.container {
            ev.containers.retain(|s| &s.name == c);
        }

        // Round trip 2: everything else, concurrently.
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let node_name = pod.spec.as_ref().and_then(|s| s.node_name.clone());
        let pending_unscheduled = node_name.is_none();
        let events_ns: Api<Event> = Api::namespaced(self.client.clone(), ns);
        let events_all: Api<Event> = Api::all(self.client.clone());
        let nodes: Api<Node> = Api::all(self.client.clone());

        let pod_events = async {
            let lp = ListParams::default().fields(&format!("involvedObject.uid={uid}"));
            self.call(events_ns.list(&lp)).await
        };
        let node = async {
            match &node_name {
                Some(n) => Some(self.call(nodes.get(n)).await),
                None => None,
            }
        };
        let node_events = async {
            match &node_name {
                Some(n) => {
                    let lp = ListParams::default()
                        .fields(&format!("involvedObject.kind=Node,involvedObject.name={n}"));
                    Some(self.call(events_all.list(&lp)).await)
                }
                None => None,
            }
        };
        let all_nodes = async {
            if pending_unscheduled {
                Some(self.call(nodes.list(&ListParams::default())).await)
            } else {
                None
            }
        };
        let wanted = logs_to_fetch(&ev, target.container.as_deref());
        let logs = join_all(wanted.iter().map(|(c, previous)| {
            let lp = LogParams {
                container: Some(c.clone()),
                previous: *previous,
                tail_lines: Some(target.tail),
                ..LogParams::default()
            };
            let pods = pods.clone();
            let name = target.name.clone();
            async move { self.fetch_log(&pods, &name, &lp).await }
        }));
        let (pod_events, node, node_events, all_nodes, logs) =
            tokio::join!(pod_events, node, node_events, all_nodes, logs);

        requests += 1;
        match pod_events {
            Ok(list) => {
                for e in list.items {
                    api_object_to_evidence(
                        &serde_json::to_value(&e).unwrap_or_default(),
                        &format!("events of pod {ns}/{}", target.name),
                        &mut ev,
                    );
                }
            }
            Err(f) => self.degrade(
                &mut ev,
                &f,
                "events of the pod",
                &format!("list events in namespace \"{ns}\""),
            ),
        }
        if let (Some(n), Some(res)) = (&node_name, node) {
            requests += 1;
            match res {
                Ok(obj) => {
                    api_object_to_evidence(
                        &serde_json::to_value(&obj).unwrap_or_default(),
                        &format!("node {n}"),
                        &mut ev,
                    );
                }
                Err(f) => self.degrade(
                    &mut ev,
                    &f,
                    &format!("conditions and taints of node {n}"),
                    "get nodes (cluster scope)",
                ),
            }
        }
        if let (Some(n), Some(res)) = (&node_name, node_events) {
            requests += 1;
            match res {
                Ok(list) => {
                    for e in list.items {
                        api_object_to_evidence(
                            &serde_json::to_value(&e).unwrap_or_default(),
                            &format!("events of node {n}"),
                            &mut ev,
                        );
                    }
                }
                Err(f) => self.degrade(
                    &mut ev,
                    &f,
                    &format!("events of node {n}"),
                    "list events (cluster scope)",
                ),
            }
        }
        if let Some(res) = all_nodes {
            requests += 1;
            match res {
                Ok(list) => {
                    for n in list.items {
                        api_object_to_evidence(
                            &serde_json::to_value(&n).unwrap_or_default(),
                            &format!("node {}", n.metadata.name.as_deref().unwrap_or("?")),
                            &mut ev,
                        );
                    }
                }
                Err(f) => self.degrade(
                    &mut ev,
                    &f,
                    "taints and conditions of the nodes the scheduler considered",
                    "list nodes (cluster scope)",
                ),
            }
        }
        let mut logs: Vec<_> = wanted.iter().cloned().zip(logs).collect();
        // Every log was requested, the repeated ones included.
        requests += logs.len();
        let same = same_as_previous(&mut logs);
        let repeated_logs = same.len();
        for ((container, previous), res) in logs {
            self.add_log(&mut ev, ns, &target.name, &container, previous, res, filter);
        }

        if let Some(c) = &target.container {
            ev.events.retain(|e| {
                // Keep pod-level events and those that name this container (`spec.containers{web}`).
                !e.message.contains("container ") || e.message.contains(c.as_str())
            });
        }
        Ok(Gathered {
            evidence: ev,
            namespace: ns.to_string(),
            context: self.context.clone(),
            server: self.server.clone(),
            requests,
            repeated_logs,
        })
    }

    /// Diagnose every pod in scope with a bounded number of requests: the pod list, the event list
    /// (namespace or all), the node-event list and the node list, each paged by [`LIST_PAGE`], and
    /// logs only for failing containers of unhealthy pods, `concurrency` at a time. Pod pages are
    /// classified as they arrive: healthy pods are counted and dropped, so memory grows with the
    /// unhealthy pods, not with the cluster.
    pub async fn sweep(
        &self,
        target: &SweepTarget,
        filter: &dyn LineFilter,
        progress: Option<Progress<'_>>,
    ) -> Result<SweepGathered, LiveError> {
        let ns = (!target.all_namespaces).then(|| self.namespace.clone());
        let pods_api: Api<Pod> = match &ns {
            Some(n) => Api::namespaced(self.client.clone(), n),
            None => Api::all(self.client.clone()),
        };
        // Round trip 1 (plus pages): every pod in scope, each page classified as it arrives so
        // that only unhealthy pods are kept (healthy ones are counted).
        let now = chrono::Utc::now().timestamp();
        let mut kept = Classified::default();
        let base = pod_list_params(target);
        let listed = self
            .list_each_with(
                &pods_api,
                &base,
                |page| {
                    if let Some(p) = progress {
                        p(Phase::ListingPods { page });
                    }
                },
                |page: Vec<Pod>| kept.add(page, now),
            )
            .await;
        let pages = match listed {
            Ok(pages) => pages,
            Err(f) => {
                if let Some(e) = self.connection_error(&f) {
                    return Err(e);
                }
                let where_ = match &ns {
                    Some(n) => format!("in namespace \"{n}\""),
                    None => "in any namespace (-A)".to_string(),
                };
                return Err(LiveError::Api {
                    pod: "(sweep)".into(),
                    detail: format!(
                        "cannot list pods {where_}: {f}; a sweep needs `list` on `pods`"
                    ),
                });
            }
        };
        if kept.total == 0 {
            if let Some(n) = &ns {
                self.check_namespace(n).await?;
            }
        }
        self.sweep_classified(kept, ns, pages, target, filter, progress)
            .await
    }

    /// Diagnose these pods (listed by the caller with `pages` requests) as a sweep does.
    pub(crate) async fn sweep_pods(
        &self,
        pods: Vec<Pod>,
        ns: Option<String>,
        pages: usize,
        target: &SweepTarget,
        filter: &dyn LineFilter,
        progress: Option<Progress<'_>>,
    ) -> Result<SweepGathered, LiveError> {
        let mut kept = Classified::default();
        kept.add(pods, chrono::Utc::now().timestamp());
        self.sweep_classified(kept, ns, pages, target, filter, progress)
            .await
    }

    /// The rest of a sweep once its pods are classified: events, nodes and logs of the unhealthy
    /// ones. Event and node lists are read page by page; an event or node is turned into evidence
    /// only when an unhealthy pod needs it, found by index (pod uid, node name), never by scanning.
    async fn sweep_classified(
        &self,
        kept: Classified,
        ns: Option<String>,
        pages: usize,
        target: &SweepTarget,
        filter: &dyn LineFilter,
        progress: Option<Progress<'_>>,
    ) -> Result<SweepGathered, LiveError> {
        let mut requests = pages;
        let Classified {
            total,
            healthy,
            healthy_names,
            mut unhealthy,
        } = kept;
        let mut all_nodes = Evidence::new();
        let mut sweep_nc = Evidence::new();
        if unhealthy.is_empty() {
            return Ok(SweepGathered {
                unhealthy: Vec::new(),
                all_nodes,
                unscheduled: Vec::new(),
                total,
                healthy,
                healthy_names,
                not_checked: Vec::new(),
                namespace: ns,
                context: self.context.clone(),
                server: self.server.clone(),
                requests,
                repeated_logs: 0,
            });
        }
        // Indexes for the joins: pod uid -> pod; node -> pods scheduled there.
        let by_uid: std::collections::HashMap<String, usize> = unhealthy
            .iter()
            .enumerate()
            .filter(|(_, k)| !k.uid.is_empty())
            .map(|(i, k)| (k.uid.clone(), i))
            .collect();
        let mut by_node: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        let mut any_unscheduled = false;
        for (i, k) in unhealthy.iter().enumerate() {
            match &k.node {
                Some(n) => by_node.entry(n.clone()).or_default().push(i),
                None => any_unscheduled = true,
            }
        }

        // Round trip 2: events, node events, nodes — once for the whole sweep, paginated.
        let events_api: Api<Event> = match &ns {
            Some(n) => Api::namespaced(self.client.clone(), n),
            None => Api::all(self.client.clone()),
        };
        let events_all: Api<Event> = Api::all(self.client.clone());
        let nodes_api: Api<Node> = Api::all(self.client.clone());
        let need_node_events = ns.is_some();
        if let Some(p) = progress {
            p(Phase::ListingEvents);
        }
        // Matching events, in list order: (pod index or node name, the event as evidence).
        let mut pod_events: Vec<(Joined, Evidence)> = Vec::new();
        let mut node_events_kept: Vec<(Joined, Evidence)> = Vec::new();
        // Nodes some unhealthy pod needs, in list order, as evidence.
        let mut node_ev: Vec<(String, Evidence)> = Vec::new();
        let join_event = |e: &Event, out: &mut Vec<(Joined, Evidence)>| {
            let io = &e.involved_object;
            let target = match io.uid.as_deref().and_then(|u| by_uid.get(u)) {
                Some(&i) => Joined::Pod(i),
                None if io.kind.as_deref() == Some("Node") => match io.name.as_deref() {
                    Some(n) if by_node.contains_key(n) => Joined::Node(n.to_string()),
                    _ => return,
                },
                None => return,
            };
            let input = match &target {
                Joined::Pod(i) => {
                    let k = &unhealthy[*i];
                    format!("events of pod {}/{}", k.ns, k.name)
                }
                Joined::Node(n) => format!("events of node {n}"),
            };
            let mut one = Evidence::new();
            api_object_to_evidence(
                &serde_json::to_value(e).unwrap_or_default(),
                &input,
                &mut one,
            );
            out.push((target, one));
        };
        let all_params = ListParams::default();
        let (events, node_events, nodes) = tokio::join!(
            self.list_each(&events_api, &all_params, |page: Vec<Event>| {
                page.iter().for_each(|e| join_event(e, &mut pod_events))
            }),
            async {
                if need_node_events {
                    let lp = ListParams::default().fields("involvedObject.kind=Node");
                    Some(
                        self.list_each(&events_all, &lp, |page: Vec<Event>| {
                            page.iter()
                                .for_each(|e| join_event(e, &mut node_events_kept))
                        })
                        .await,
                    )
                } else {
                    None
                }
            },
            self.list_each(&nodes_api, &all_params, |page: Vec<Node>| {
                for n in page {
                    let Some(name) = n.metadata.name.clone() else {
                        continue;
                    };
                    // A scheduled pod gets its node; an unscheduled one every node (their taints
                    // and conditions are what the scheduler weighed).
                    if !any_unscheduled && !by_node.contains_key(name.as_str()) {
                        continue;
                    }
                    let mut one = Evidence::new();
                    api_object_to_evidence(
                        &serde_json::to_value(&n).unwrap_or_default(),
                        &format!("node {name}"),
                        &mut one,
                    );
                    node_ev.push((name, one));
                }
            }),
        );
        match events {
            Ok(p) => requests += p,
            Err(f) => {
                requests += 1;
                let perm = match &ns {
                    Some(n) => format!("list events in namespace \"{n}\""),
                    None => "list events (cluster scope)".to_string(),
                };
                self.degrade(&mut sweep_nc, &f, "events of the pods", &perm)
            }
        }
        match node_events {
            Some(Ok(p)) => requests += p,
            Some(Err(f)) => {
                requests += 1;
                self.degrade(
                    &mut sweep_nc,
                    &f,
                    "events of the nodes",
                    "list events (cluster scope)",
                )
            }
            None => {}
        }
        match nodes {
            Ok(p) => requests += p,
            Err(f) => {
                requests += 1;
                node_ev.clear();
                self.degrade(
                    &mut sweep_nc,
                    &f,
                    "conditions and taints of the nodes",
                    "list nodes (cluster scope)",
                );
            }
        }
        drop(by_uid);
        // Attach events (in list order) and then nodes to each unhealthy pod.
        for (to, one) in pod_events.into_iter().chain(node_events_kept) {
            match to {
                Joined::Pod(i) => unhealthy[i].ev.merge(one),
                Joined::Node(n) => {
                    for &i in by_node.get(n.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                        unhealthy[i].ev.merge(one.clone());
                    }
                }
            }
        }
        let node_at: std::collections::HashMap<&str, usize> = node_ev
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.as_str(), i))
            .collect();
        let scheduled: Vec<(usize, Option<String>)> = unhealthy
            .iter()
            .enumerate()
            .map(|(i, k)| (i, k.node.clone()))
            .collect();
        drop(by_node);
        // A scheduled pod gets its node; the unscheduled ones get every node, held once for all of
        // them (see `SweepGathered::evidence`).
        for (i, node) in scheduled {
            if let Some(&at) = node.as_deref().and_then(|n| node_at.get(n)) {
                unhealthy[i].ev.merge(node_ev[at].1.clone());
            }
        }
        drop(node_at);
        if any_unscheduled {
            for (_, one) in node_ev {
                all_nodes.merge(one);
            }
        }

        // Round trip 3: logs of failing containers, bounded concurrency.
        let mut jobs: Vec<(usize, String, String, String, bool)> = Vec::new();
        for (i, k) in unhealthy.iter().enumerate() {
            for (c, previous) in logs_to_fetch(&k.ev, None) {
                jobs.push((i, k.ns.clone(), k.name.clone(), c, previous));
            }
        }
        let total_jobs = jobs.len() as u64;
        if let (Some(p), true) = (progress, total_jobs > 0) {
            p(Phase::ReadingLogs {
                done: 0,
                total: total_jobs,
            });
        }
        let done = std::sync::atomic::AtomicU64::new(0);
        let results: Vec<_> = {
            use futures::stream::StreamExt;
            futures::stream::iter(jobs.into_iter().map(|(i, pns, name, c, previous)| {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), &pns);
                let lp = LogParams {
                    container: Some(c.clone()),
                    previous,
                    tail_lines: Some(target.tail),
                    ..LogParams::default()
                };
                let done = &done;
                async move {
                    let r = self.fetch_log(&api, &name, &lp).await;
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if let Some(p) = progress {
                        p(Phase::ReadingLogs {
                            done: n,
                            total: total_jobs,
                        });
                    }
                    (i, pns, name, c, previous, r)
                }
            }))
            .buffer_unordered(target.concurrency.max(1))
            .collect()
            .await
        };
        requests += results.len();
        let mut results = results;
        results.sort_by(|a, b| (a.0, &a.3, a.4).cmp(&(b.0, &b.3, b.4)));
        // Per pod: its logs, the current ones identical to the previous ones scanned once.
        let mut repeated_logs = 0;
        let mut results = results.into_iter().peekable();
        while let Some(first) = results.next() {
            let (i, pns, name) = (first.0, first.1, first.2);
            let mut logs = vec![((first.3, first.4), first.5)];
            while let Some(r) = results.next_if(|r| r.0 == i) {
                logs.push(((r.3, r.4), r.5));
            }
            let same = same_as_previous(&mut logs);
            let ev = &mut unhealthy[i].ev;
            for ((container, previous), res) in logs {
                self.add_log(ev, &pns, &name, &container, previous, res, filter);
            }
            repeated_logs += same.len();
        }
        let unscheduled = unhealthy.iter().map(|k| k.node.is_none()).collect();
        Ok(SweepGathered {
            unhealthy: unhealthy.into_iter().map(|k| k.ev).collect(),
            all_nodes,
            unscheduled,
            total,
            healthy,
            healthy_names,
            not_checked: sweep_nc.not_checked,
            namespace: ns,
            context: self.context.clone(),
            server: self.server.clone(),
            requests,
            repeated_logs,
        })
    }

    /// Every object of a list, [`LIST_PAGE`] per request following `continue` tokens, each page
    /// handed to `page` as it arrives (and dropped after): memory holds one page, whatever the size
    /// of the cluster. Returns the number of requests made.
    pub(crate) async fn list_each<K>(
        &self,
        api: &Api<K>,
        base: &ListParams,
        page: impl FnMut(Vec<K>),
    ) -> Result<usize, Failure>
    where
        K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        self.list_each_with(api, base, |_| {}, page).await
    }

    /// [`Cluster::list_each`], calling `before` with the 1-based page number before each request
    /// (for a progress display).
    pub(crate) async fn list_each_with<K>(
        &self,
        api: &Api<K>,
        base: &ListParams,
        mut before: impl FnMut(usize),
        mut page: impl FnMut(Vec<K>),
    ) -> Result<usize, Failure>
    where
        K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let mut pages = 0;
        let mut token: Option<String> = None;
        loop {
            let mut lp = base.clone().limit(LIST_PAGE);
            if let Some(t) = &token {
                lp = lp.continue_token(t);
            }
            pages += 1;
            before(pages);
            let list = self.call(api.list(&lp)).await?;
            token = list.metadata.continue_.clone().filter(|t| !t.is_empty());
            page(list.items);
            if token.is_none() {
                return Ok(pages);
            }
        }
    }

    /// When a namespace turned out empty: is it there at all? A namespace that does not exist is an
    /// error naming the ones that do (a typo must not pass a CI gate as "0 pods"). Costs one GET (and
    /// one LIST of namespaces when it is missing); without permission to read namespaces, nothing is
    /// said.
    pub(crate) async fn check_namespace(&self, ns: &str) -> Result<(), LiveError> {
        use k8s_openapi::api::core::v1::Namespace;
        let api: Api<Namespace> = Api::all(self.client.clone());
        match self.call(api.get_metadata(ns)).await {
            Err(Failure::Kube(kube::Error::Api(s))) if s.code == 404 => {
                let known = match self
                    .call(api.list_metadata(&ListParams::default().limit(500)))
                    .await
                {
                    Ok(list) => {
                        let mut names: Vec<String> = list
                            .items
                            .into_iter()
                            .filter_map(|n| n.metadata.name)
                            .collect();
                        names.sort();
                        if names.is_empty() {
                            String::new()
                        } else {
                            format!("; namespaces: {}", names.join(", "))
                        }
                    }
                    Err(_) => String::new(),
                };
                Err(LiveError::NamespaceNotFound {
                    namespace: ns.to_string(),
                    context: self.context.clone(),
                    known,
                })
            }
            _ => Ok(()),
        }
    }

    /// The current state of one pod (one GET), for `--wait`.
    pub async fn pod_state(&self, name: &str) -> Result<Evidence, LiveError> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.namespace);
        match self.call(pods.get(name)).await {
            Ok(p) => {
                let mut ev = Evidence::new();
                api_object_to_evidence(
                    &serde_json::to_value(&p).unwrap_or_default(),
                    &format!("pod {}/{name}", self.namespace),
                    &mut ev,
                );
                Ok(ev)
            }
            // Not created yet (`kubectl apply` just ran): an empty state means "keep waiting".
            Err(Failure::Kube(kube::Error::Api(s))) if s.code == 404 => Ok(Evidence::new()),
            Err(f) => Err(self.connection_error(&f).unwrap_or_else(|| LiveError::Api {
                pod: name.to_string(),
                detail: f.to_string(),
            })),
        }
    }

    /// The current state of every pod in a sweep's scope (one LIST, paginated), for `--wait`: one
    /// evidence set per pod, keyed `namespace/name`.
    pub async fn pod_states(
        &self,
        target: &SweepTarget,
    ) -> Result<Vec<(String, Evidence)>, LiveError> {
        let api: Api<Pod> = if target.all_namespaces {
            Api::all(self.client.clone())
        } else {
            Api::namespaced(self.client.clone(), &self.namespace)
        };
        let (pods, _) = self.list_pods(&api, target).await.map_err(|f| {
            self.connection_error(&f).unwrap_or_else(|| LiveError::Api {
                pod: "(sweep)".into(),
                detail: format!("cannot list pods: {f}"),
            })
        })?;
        if pods.is_empty() && !target.all_namespaces {
            // `--wait` on a misspelt namespace must not wait for pods that can never come.
            self.check_namespace(&self.namespace).await?;
        }
        let mut out = Vec::new();
        for p in pods {
            let key = format!(
                "{}/{}",
                p.metadata.namespace.as_deref().unwrap_or(""),
                p.metadata.name.as_deref().unwrap_or("")
            );
            let mut ev = Evidence::new();
            api_object_to_evidence(
                &serde_json::to_value(&p).unwrap_or_default(),
                &format!("pod {key}"),
                &mut ev,
            );
            out.push((key, ev));
        }
        Ok(out)
    }

    /// Every pod in a sweep's scope, 500 per page following `continue` tokens; returns the pods and
    /// the number of requests made.
    pub(crate) async fn list_pods(
        &self,
        api: &Api<Pod>,
        target: &SweepTarget,
    ) -> Result<(Vec<Pod>, usize), Failure> {
        self.list_pods_with(api, target, None).await
    }

    /// [`Cluster::list_pods`], reporting each page to `progress`.
    pub(crate) async fn list_pods_with(
        &self,
        api: &Api<Pod>,
        target: &SweepTarget,
        progress: Option<Progress<'_>>,
    ) -> Result<(Vec<Pod>, usize), Failure> {
        let mut pods = Vec::new();
        let pages = self
            .list_each_with(
                api,
                &pod_list_params(target),
                |page| {
                    if let Some(p) = progress {
                        p(Phase::ListingPods { page });
                    }
                },
                |page| pods.extend(page),
            )
            .await?;
        Ok((pods, pages))
    }

    /// Add one fetched log (or the reason it could not be fetched) to a pod's evidence.
    #[allow(clippy::too_many_arguments)]
    /// One container log, bounded: the API is asked for at most [`MAX_LOG_BYTES`] (`limitBytes`, beside
    /// `tailLines`) and the body is streamed and cut there too, so a server that ignores the limit or
    /// streams without end costs no more. Returns the text and whether it was cut.
    pub(crate) async fn fetch_log(
        &self,
        api: &Api<Pod>,
        name: &str,
        lp: &LogParams,
    ) -> Result<(String, bool), Failure> {
        use futures::AsyncReadExt;
        let mut lp = lp.clone();
        // One byte more than is kept: receiving it is how a cut body is told from one that fits.
        lp.limit_bytes = Some(MAX_LOG_BYTES as i64 + 1);
        let read = async {
            let stream = api.log_stream(name, &lp).await?;
            let stream = std::pin::pin!(stream);
            let mut buf = Vec::new();
            stream
                .take(MAX_LOG_BYTES as u64 + 1)
                .read_to_end(&mut buf)
                .await
                .map_err(kube::Error::ReadEvents)?;
            Ok::<_, kube::Error>(buf)
        };
        let mut buf = self.call(read).await?;
        let cut = buf.len() > MAX_LOG_BYTES;
        buf.truncate(MAX_LOG_BYTES);
        Ok((String::from_utf8_lossy(&buf).into_owned(), cut))
    }

    #[allow(clippy::too_many_arguments)]
    fn add_log(
        &self,
        ev: &mut Evidence,
        ns: &str,
        pod: &str,
        container: &str,
        previous: bool,
        res: Result<(String, bool), Failure>,
        filter: &dyn LineFilter,
    ) {
        let input = format!(
            "kubectl logs {pod} -n {ns} -c {container}{}",
            if previous { " --previous" } else { "" }
        );
        match res {
            Ok((text, cut)) => {
                if cut {
                    ev.not_checked(
                        format!(
                            "{} log of container {container} past its first {} MiB",
                            if previous { "previous" } else { "current" },
                            MAX_LOG_BYTES / (1024 * 1024)
                        ),
                        "the log body is larger than the per-container limit; lower --tail to \
                         read its end instead"
                            .to_string(),
                    );
                }
                for (i, line) in text.lines().enumerate() {
                    if filter.wants(line) {
                        ev.push_log(LogLine {
                            pod: crate::evidence::pod_key(Some(ns), pod),
                            container: Some(container.to_string()),
                            previous: Some(previous),
                            free_text: false,
                            text: line.to_string(),
                            repeats: 1,
                            provenance: Provenance::new(&input, Some(i as u64 + 1), "log"),
                        });
                    }
                }
            }
            // 400: no such log yet (a container waiting to start, no previous instance) — normal.
            Err(Failure::Kube(kube::Error::Api(s))) if s.code == 400 => {}
            Err(f) => self.degrade(
                ev,
                &f,
                &format!(
                    "{} log of container {container}",
                    if previous { "previous" } else { "current" }
                ),
                &format!("get pods/log in namespace \"{ns}\""),
            ),
        }
    }

    /// Record a failed secondary fetch as "not checked", naming the permission that would allow it.
    pub(crate) fn degrade(&self, ev: &mut Evidence, f: &Failure, what: &str, permission: &str) {
        let reason = match f {
            Failure::Kube(kube::Error::Api(s)) if s.code == 403 => {
                format!(
                    "forbidden by RBAC; allow `{permission}` to check it ({})",
                    s.message
                )
            }
            Failure::Timeout(t) => format!("the request timed out after {}s", t.as_secs().max(1)),
            other => format!("the request failed: {other}"),
        };
        ev.not_checked(what, reason);
    }

    /// Pods in the namespace whose names share a prefix with `name` (for the not-found message).
    async fn similar_pods(&self, pods: &Api<Pod>, name: &str) -> Vec<String> {
        let Ok(list) = self
            .call(pods.list_metadata(&ListParams::default().limit(500)))
            .await
        else {
            return Vec::new();
        };
        let stem = name_stem(name);
        let mut out: Vec<String> = list
            .items
            .into_iter()
            .filter_map(|p| p.metadata.name)
            .filter(|n| n.starts_with(stem) || name_stem(n) == stem || n.contains(name))
            .collect();
        out.sort();
        out.truncate(5);
        out
    }
}

/// A fetched log: (container, previous) and the text (or why it could not be fetched).
type FetchedLog = ((String, bool), Result<(String, bool), Failure>);

/// A crash-looping container's current log is its last run's, the same text as `--previous`
/// (kubelet serves the most recent terminated instance while the container waits to restart): the
/// two are fetched concurrently, and a current log identical to the previous one is dropped so its
/// lines are scanned once. Returns the containers whose current log was dropped.
fn same_as_previous(logs: &mut Vec<FetchedLog>) -> Vec<String> {
    let previous: std::collections::HashMap<&str, &str> = logs
        .iter()
        .filter_map(|((c, p), r)| match r {
            Ok((text, _)) if *p && !text.is_empty() => Some((c.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    let same: Vec<String> = logs
        .iter()
        .filter_map(|((c, p), r)| match r {
            Ok((text, _)) if !*p && previous.get(c.as_str()) == Some(&text.as_str()) => {
                Some(c.clone())
            }
            _ => None,
        })
        .collect();
    logs.retain(|((c, p), _)| *p || !same.contains(c));
    same
}

/// Objects per list request (`limit`), as kubectl uses for its own lists.
pub const LIST_PAGE: u32 = 500;

/// The pod list of a sweep: its label and field selectors.
fn pod_list_params(target: &SweepTarget) -> ListParams {
    let mut lp = ListParams::default();
    if let Some(l) = &target.label_selector {
        lp = lp.labels(l);
    }
    if let Some(f) = &target.field_selector {
        lp = lp.fields(f);
    }
    lp
}

/// What an event of a sweep is joined to: an unhealthy pod (by uid) or every unhealthy pod on a
/// node.
enum Joined {
    Pod(usize),
    Node(String),
}

/// An unhealthy pod kept by a sweep: its identity for the joins, and its evidence so far.
struct Kept {
    uid: String,
    name: String,
    ns: String,
    node: Option<String>,
    ev: Evidence,
}

/// Pods of a sweep, classified page by page: healthy ones only counted.
#[derive(Default)]
struct Classified {
    total: usize,
    healthy: usize,
    /// `namespace/name` of each healthy pod (JUnit lists them as passing test cases).
    healthy_names: Vec<String>,
    unhealthy: Vec<Kept>,
}

impl Classified {
    fn add(&mut self, page: Vec<Pod>, now: i64) {
        for pod in page {
            self.total += 1;
            let name = pod.metadata.name.clone().unwrap_or_default();
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let mut ev = Evidence::new();
            api_object_to_evidence(
                &serde_json::to_value(&pod).unwrap_or_default(),
                &format!("pod {ns}/{name}"),
                &mut ev,
            );
            age_deletions(&mut ev);
            let is_ok = ev
                .pods
                .first()
                .is_some_and(|p| crate::sweep::is_healthy(p, &ev, now));
            if is_ok {
                self.healthy += 1;
                self.healthy_names.push(format!("{ns}/{name}"));
                continue;
            }
            self.unhealthy.push(Kept {
                uid: pod.metadata.uid.clone().unwrap_or_default(),
                node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
                name,
                ns,
                ev,
            });
        }
    }
}

/// A failed request.
#[derive(Debug)]
pub(crate) enum Failure {
    Kube(kube::Error),
    Timeout(Duration),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Kube(kube::Error::Api(s)) => write!(f, "{} ({})", s.message, s.code),
            Failure::Kube(e) => f.write_str(&chain(e)),
            Failure::Timeout(t) => write!(f, "timed out after {}s", t.as_secs().max(1)),
        }
    }
}

/// Live objects are read now: turn a deletion timestamp into how long ago it was, by the clock.
fn age_deletions(ev: &mut Evidence) {
    let now = chrono::Utc::now().timestamp();
    for p in &mut ev.pods {
        if let Some(crate::evidence::When::Absolute(t)) = p.deletion {
            p.deletion = Some(crate::evidence::When::Age((now - t).max(0) as u64));
        }
    }
}

/// `web-7d9f8c6b5-x2x4p` -> `web`: the name without ReplicaSet/pod hash suffixes.
fn name_stem(name: &str) -> &str {
    let mut stem = name;
    for _ in 0..2 {
        if let Some((head, tail)) = stem.rsplit_once('-') {
            if tail.len() >= 4
                && tail.chars().all(|c| c.is_ascii_alphanumeric())
                && !head.is_empty()
            {
                stem = head;
            }
        }
    }
    stem
}

fn container_names(pod: &Pod) -> Vec<String> {
    let Some(spec) = &pod.spec else {
        return Vec::new();
    };
    spec.init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
        .map(|c| c.name.clone())
        .collect()
}

/// Which logs to fetch: (container, previous). Only containers that are waiting, restarting or
/// terminated with a failure; a healthy running container's log is not fetched.
fn logs_to_fetch(ev: &Evidence, only: Option<&str>) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for c in &ev.containers {
        if only.is_some_and(|o| o != c.name) {
            continue;
        }
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        let restarted = c.restart_count.unwrap_or(0) > 0
            || matches!(c.last_state, Some(ContainerState::Terminated { .. }));
        let failed_now = matches!(
            &c.state,
            Some(ContainerState::Terminated { exit_code: Some(code), .. }) if *code != 0
        ) || matches!(
            &c.state,
            Some(ContainerState::Terminated { reason: Some(r), .. }) if r != "Completed"
        );
        let waiting_reason = match &c.state {
            Some(ContainerState::Waiting { reason, .. }) => Some(reason.as_deref().unwrap_or("")),
            _ => None,
        };
        // A crash-looping container's "current" log is its last exited instance; a container waiting
        // for its image or sandbox has no log at all.
        let crash_waiting =
            waiting_reason.is_some_and(|r| r == "CrashLoopBackOff" || r == "RunContainerError");
        let running = matches!(c.state, Some(ContainerState::Running { .. }));
        if restarted {
            out.push((c.name.clone(), true));
        }
        if failed_now || crash_waiting || (running && restarted) {
            out.push((c.name.clone(), false));
        }
    }
    out
}

/// An error and its causes on one line.
/// What the response check found wrong with the server's answer, if that is why `e` failed.
fn server_answer(e: &kube::Error) -> Option<&crate::connect::ServerAnswer> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(a) = c.downcast_ref::<crate::connect::ServerAnswer>() {
            return Some(a);
        }
        cur = c.source();
    }
    None
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// Parse kubectl's `--request-timeout` values: `0` (none), `30`, `30s`, `500ms`, `1m30s`, `1h`.
pub fn parse_timeout(s: &str) -> Result<Option<Duration>, String> {
    crate::connect::parse_duration(s).map_err(|e| format!("invalid --request-timeout \"{s}\": {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_current_log_identical_to_the_previous_one_is_scanned_once() {
        let ok = |t: &str| Ok((t.to_string(), false));
        let mut logs: Vec<FetchedLog> = vec![
            (("web".into(), false), ok("boom\n")),
            (("web".into(), true), ok("boom\n")),
            (("side".into(), false), ok("new run\n")),
            (("side".into(), true), ok("old run\n")),
            (("init".into(), false), ok("")),
            (("init".into(), true), ok("")),
        ];
        let same = same_as_previous(&mut logs);
        assert_eq!(same, ["web"]);
        let kept: Vec<(&str, bool)> = logs.iter().map(|((c, p), _)| (c.as_str(), *p)).collect();
        assert_eq!(
            kept,
            [
                ("web", true),
                ("side", false),
                ("side", true),
                ("init", false),
                ("init", true)
            ]
        );
    }

    #[test]
    fn request_timeout_accepts_kubectl_forms() {
        assert_eq!(parse_timeout("0"), Ok(None));
        assert_eq!(parse_timeout("30"), Ok(Some(Duration::from_secs(30))));
        assert_eq!(parse_timeout("5s"), Ok(Some(Duration::from_secs(5))));
        assert_eq!(parse_timeout("500ms"), Ok(Some(Duration::from_millis(500))));
        assert_eq!(parse_timeout("2m"), Ok(Some(Duration::from_secs(120))));
        assert_eq!(parse_timeout("1m30s"), Ok(Some(Duration::from_secs(90))));
        assert!(parse_timeout("soon").is_err());
        assert!(parse_timeout("5d").is_err());
    }

    #[test]
    fn progress_phases_read_as_the_spinner_shows_them() {
        assert_eq!(
            Phase::ListingPods { page: 3 }.to_string(),
            "listing pods (page 3)"
        );
        assert_eq!(Phase::ListingEvents.to_string(), "listing events and nodes");
        assert_eq!(
            Phase::ReadingLogs { done: 4, total: 17 }.to_string(),
            "reading logs 4/17"
        );
    }

    #[test]
    fn name_stem_drops_workload_hashes() {
        assert_eq!(name_stem("web-7d9f8c6b5-x2x4p"), "web");
        assert_eq!(name_stem("port-conflict-5b7f9c6d8-m4t2w"), "port-conflict");
        assert_eq!(name_stem("db-0"), "db-0");
    }

    fn status(
        name: &str,
        state: Option<ContainerState>,
        last: Option<ContainerState>,
        restarts: u32,
    ) -> crate::evidence::ContainerStatus {
        crate::evidence::ContainerStatus {
probes: Default::default(),
            pod: None,
            name: name.into(),
            kind: ContainerKind::Regular,
            image: None,
            ready: None,
            restart_count: Some(restarts),
            state,
            last_state: last,
            provenance: Provenance::default(),
        }
    }

    #[test]
    fn logs_are_fetched_only_for_failing_containers() {
        let term = |code| ContainerState::Terminated {
            reason: Some(if code == 0 { "Completed" } else { "Error" }.into()),
            message: None,
            exit_code: Some(code),
            signal: None,
            finished_at: None,
        };
        let mut ev = Evidence::new();
        ev.containers.push(status(
            "web",
            Some(ContainerState::Waiting {
                reason: Some("CrashLoopBackOff".into()),
                message: None,
            }),
            Some(term(1)),
            7,
        ));
        ev.containers.push(status(
            "sidecar",
            Some(ContainerState::Running { started_at: None }),
            None,
            0,
        ));
        ev.containers.push(status(
            "pull",
            Some(ContainerState::Waiting {
                reason: Some("ImagePullBackOff".into()),
                message: None,
            }),
            None,
            0,
        ));
        ev.containers.push(status("done", Some(term(0)), None, 0));
        ev.containers.push(status("job", Some(term(2)), None, 0));
        assert_eq!(
            logs_to_fetch(&ev, None),
            vec![
                ("web".to_string(), true),
                ("web".to_string(), false),
                ("job".to_string(), false)
            ]
        );
        assert_eq!(logs_to_fetch(&ev, Some("sidecar")), vec![]);
    }
}
