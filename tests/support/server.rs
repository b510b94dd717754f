//! HTTP handling of the test API server: TLS accept loop, authentication, RBAC denials, faults,
//! latency, routing and the request log.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Bytes, Frame, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;

use super::printers::{self, Shape};
use super::store::{api_version_of, known_resource, ApiError, Query, Store};
use super::{FaultKind, Forbid, Recorded};

pub(crate) type RespBody = http_body_util::combinators::UnsyncBoxBody<Bytes, Infallible>;

/// The user a valid bearer token authenticates as.
pub const TOKEN_USER: &str = "system:serviceaccount:ci:diagnose";

pub(crate) struct Shared {
    pub token: String,
    pub latency: Duration,
    pub forbidden: Vec<Forbid>,
    pub faults: Vec<(regex::Regex, FaultKind)>,
    /// Requests each fault has answered (same order as `faults`).
    pub fault_hits: Vec<std::sync::atomic::AtomicU32>,
    pub start: Instant,
    pub store: Mutex<Store>,
    pub log: Mutex<Vec<Recorded>>,
    pub client_cert_der: Vec<u8>,
    pub addr: Mutex<Option<SocketAddr>>,
    pub audit: AtomicU64,
}

impl Shared {
    fn fault(&self, path: &str, query: &str) -> Option<FaultKind> {
        let full = format!("{path}?{query}");
        for (i, (re, kind)) in self.faults.iter().enumerate() {
            if !(re.is_match(path) || (!query.is_empty() && re.is_match(&full))) {
                continue;
            }
            let hits = self.fault_hits[i].fetch_add(1, Ordering::SeqCst);
            if let FaultKind::Times { times, .. } = kind {
                if hits >= *times {
                    continue;
                }
            }
            return Some(kind.clone());
        }
        None
    }
}

/// Finishes a request's log entry; when the request is dropped unanswered (hang, close, client gone,
/// server stopped) the entry keeps status 0 and `end` is when that happened.
struct LogGuard {
    shared: Arc<Shared>,
    index: usize,
    done: bool,
}

impl LogGuard {
    fn finish(&mut self, status: u16) {
        let end = self.shared.start.elapsed();
        if let Ok(mut log) = self.shared.log.lock() {
            if let Some(r) = log.get_mut(self.index) {
                r.status = status;
                r.end = end;
            }
        }
        self.done = true;
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        if !self.done {
            self.finish(0);
        }
    }
}

fn full(body: impl Into<Bytes>) -> RespBody {
    Full::new(body.into()).boxed_unsync()
}

#[derive(Serialize)]
struct StatusDetails<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusObj<'a> {
    kind: &'static str,
    api_version: &'static str,
    metadata: StatusDetails<'a>,
    status: &'static str,
    message: &'a str,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<StatusDetails<'a>>,
    code: u16,
}

fn respond(shared: &Shared, code: u16, content_type: &str, body: RespBody) -> Response<RespBody> {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
    h.insert(
        "cache-control",
        HeaderValue::from_static("no-cache, private"),
    );
    let n = shared.audit.fetch_add(1, Ordering::Relaxed);
    h.insert(
        "audit-id",
        HeaderValue::from_str(&format!("6f1c3a52-0d7e-4b8a-9c21-{n:012x}")).unwrap(),
    );
    resp
}

pub(crate) fn error_response(shared: &Shared, e: &ApiError) -> Response<RespBody> {
    let details = e.details.as_ref().map(|(name, kind)| StatusDetails {
        name: name.as_deref(),
        kind: kind.as_deref(),
    });
    let obj = StatusObj {
        kind: "Status",
        api_version: "v1",
        metadata: StatusDetails {
            name: None,
            kind: None,
        },
        status: "Failure",
        message: &e.message,
        reason: e.reason,
        details,
        code: e.code,
    };
    let mut resp = respond(
        shared,
        e.code,
        "application/json",
        full(serde_json::to_vec(&obj).unwrap()),
    );
    if e.code == 429 {
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
    }
    resp
}

fn json_response(shared: &Shared, v: &Value) -> Response<RespBody> {
    respond(
        shared,
        200,
        "application/json",
        full(serde_json::to_vec(v).unwrap()),
    )
}

fn injected_status(code: u16) -> ApiError {
    let (reason, message) = match code {
        400 => ("BadRequest", "the server rejected our request for an unknown reason"),
        401 => ("Unauthorized", "Unauthorized"),
        403 => ("Forbidden", "forbidden"),
        404 => ("NotFound", "the server could not find the requested resource"),
        405 => ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
        409 => ("Conflict", "the server reported a conflict"),
        410 => ("Expired", "the resource version is too old"),
        429 => ("TooManyRequests", "Too many requests, please try again later."),
        500 => ("InternalError", "Internal error occurred: injected fault"),
        503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
        504 => ("Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"),
        _ => ("InternalError", "injected fault"),
    };
    ApiError {
        code,
        reason,
        message: message.to_string(),
        details: Some((None, None)),
    }
}

/// The scenario's "now" (shifted or frozen) plus the time since the server started.
fn now(shared: &Shared, store: &Store) -> chrono::DateTime<chrono::Utc> {
    store.now + chrono::Duration::from_std(shared.start.elapsed()).unwrap_or_default()
}

/// What a request path addresses.
enum Target {
    Raw(Value),
    Health,
    List {
        resource: &'static str,
        kind: &'static str,
        ns: Option<String>,
    },
    Get {
        resource: &'static str,
        ns: Option<String>,
        name: String,
    },
    Log {
        ns: String,
        name: String,
    },
    NotFound,
}

fn discovery_v1() -> Value {
    let r = |name: &str,
             singular: &str,
             namespaced: bool,
             kind: &str,
             verbs: &[&str],
             short: &[&str]| {
        let mut v = json!({
            "name": name, "singularName": singular, "namespaced": namespaced, "kind": kind,
            "verbs": verbs,
        });
        if !short.is_empty() {
            v["shortNames"] = json!(short);
        }
        v
    };
    json!({
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            r("events", "event", true, "Event", &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], &["ev"]),
            r("namespaces", "namespace", false, "Namespace", &["create", "delete", "get", "list", "patch", "update", "watch"], &["ns"]),
            r("nodes", "node", false, "Node", &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], &["no"]),
            r("pods", "pod", true, "Pod", &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], &["po"]),
            r("pods/log", "", true, "Pod", &["get"], &[]),
        ],
    })
}

fn route(path: &str, addr: Option<SocketAddr>) -> Target {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["version"] => {
            return Target::Raw(json!({
                "major": "1",
                "minor": "32",
                "gitVersion": "v1.32.2-tke.6",
                "gitCommit": "5e2ff0c5a7a2d3fd6d5b3a8e9b1d7f4c20a6b1e3",
                "gitTreeState": "clean",
                "buildDate": "2025-03-18T02:19:40Z",
                "goVersion": "go1.23.6",
                "compiler": "gc",
                "platform": "linux/amd64",
            }))
        }
        ["api"] => {
            return Target::Raw(json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{
                    "clientCIDR": "0.0.0.0/0",
                    "serverAddress": addr.map(|a| a.to_string()).unwrap_or_default(),
                }],
            }))
        }
        ["apis"] => {
            return Target::Raw(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []}))
        }
        ["api", "v1"] => return Target::Raw(discovery_v1()),
        ["healthz"] | ["livez"] | ["readyz"] => return Target::Health,
        _ => {}
    }
    // Resource paths: /api/v1/... for the core group, /apis/GROUP/VERSION/... for apps and batch.
    let (gv, tail): (String, &[&str]) = match segs.as_slice() {
        ["api", "v1", tail @ ..] => ("v1".to_string(), tail),
        ["apis", g, v, tail @ ..] => (format!("{g}/{v}"), tail),
        _ => return Target::NotFound,
    };
    let lookup = |plural: &str| known_resource(plural).filter(|r| api_version_of(r.0) == gv);
    match tail {
        [plural] => match lookup(plural) {
            Some((resource, kind, _)) => Target::List {
                resource,
                kind,
                ns: None,
            },
            None => Target::NotFound,
        },
        [plural, name] => match lookup(plural) {
            Some((resource, _, false)) => Target::Get {
                resource,
                ns: None,
                name: name.to_string(),
            },
            _ => Target::NotFound,
        },
        ["namespaces", ns, plural] => match lookup(plural) {
            Some((resource, kind, true)) => Target::List {
                resource,
                kind,
                ns: Some(ns.to_string()),
            },
            _ => Target::NotFound,
        },
        ["namespaces", ns, plural, name] => match lookup(plural) {
            Some((resource, _, true)) => Target::Get {
                resource,
                ns: Some(ns.to_string()),
                name: name.to_string(),
            },
            _ => Target::NotFound,
        },
        ["namespaces", ns, "pods", name, "log"] if gv == "v1" => Target::Log {
            ns: ns.to_string(),
            name: name.to_string(),
        },
        _ => Target::NotFound,
    }
}

fn forbidden(
    shared: &Shared,
    user: &str,
    verb: &str,
    resource: &str,
    ns: Option<&str>,
    name: Option<&str>,
) -> Option<ApiError> {
    let denied = shared.forbidden.iter().any(|f| {
        f.resource == resource
            && match (&f.namespace, ns) {
                (None, _) => true,
                (Some(fns), Some(ns)) => fns == ns,
                // A cluster-wide request needs the permission everywhere.
                (Some(_), None) => true,
            }
    });
    if !denied {
        return None;
    }
    let base = resource.split('/').next().unwrap_or(resource);
    let subject = match name {
        Some(n) => format!("{base} \"{n}\""),
        None => base.to_string(),
    };
    let scope = match ns {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    Some(ApiError {
        code: 403,
        reason: "Forbidden",
        message: format!(
            "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"\" {scope}"
        ),
        details: Some((name.map(str::to_string), Some(base.to_string()))),
    })
}

/// A watch response body: JSON lines until the timeout, the server closing the watch, or the client
/// going away.
struct WatchBody {
    rx: UnboundedReceiver<Bytes>,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl Body for WatchBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(b)) => Poll::Ready(Some(Ok(Frame::data(b)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

fn serve(
    shared: &Arc<Shared>,
    user: &str,
    method: &str,
    path: &str,
    query: &str,
    accept: &str,
) -> Response<RespBody> {
    let shape = Shape::from_accept(accept);
    let target = route(path, *shared.addr.lock().unwrap());
    if method != "GET" {
        return error_response(
            shared,
            &ApiError {
                code: 405,
                reason: "MethodNotAllowed",
                message: "the server does not allow this method on the requested resource".into(),
                details: Some((None, None)),
            },
        );
    }
    let q = Query(super::store::parse_query(query));
    let result: Result<Response<RespBody>, ApiError> = (|| match target {
        Target::Raw(v) => Ok(json_response(shared, &v)),
        Target::Health => Ok(respond(
            shared,
            200,
            "text/plain; charset=utf-8",
            full("ok"),
        )),
        Target::NotFound => Err(ApiError {
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource".into(),
            details: Some((None, None)),
        }),
        Target::Get { resource, ns, name } => {
            if let Some(e) = forbidden(shared, user, "get", resource, ns.as_deref(), Some(&name)) {
                return Err(e);
            }
            let store = shared.store.lock().unwrap();
            if resource == "namespaces" || ns.is_none() {
                return store
                    .get(resource, None, &name)
                    .map(|v| json_response(shared, &v));
            }
            store
                .get(resource, ns.as_deref(), &name)
                .map(|v| json_response(shared, &v))
        }
        Target::List { resource, kind, ns } => {
            let watch = q.flag("watch")?;
            let verb = if watch { "watch" } else { "list" };
            if let Some(e) = forbidden(shared, user, verb, resource, ns.as_deref(), None) {
                return Err(e);
            }
            let mut store = shared.store.lock().unwrap();
            if watch {
                let rx = store.watch(resource, ns.as_deref(), &q, shape)?;
                let timeout = q
                    .int("timeoutSeconds")?
                    .filter(|t| *t > 0)
                    .map(|t| Duration::from_secs(t as u64))
                    .unwrap_or(Duration::from_secs(1800));
                let body = WatchBody {
                    rx,
                    deadline: Box::pin(tokio::time::sleep(timeout)),
                };
                return Ok(respond(
                    shared,
                    200,
                    "application/json",
                    body.boxed_unsync(),
                ));
            }
            let list = store.list(resource, kind, ns.as_deref(), &q)?;
            let v = match shape {
                Shape::Full => list,
                Shape::Metadata => printers::partial_list(&list),
                Shape::Table => {
                    let items = list["items"].as_array().cloned().unwrap_or_default();
                    printers::table(
                        resource,
                        &items,
                        list["metadata"].clone(),
                        now(shared, &store),
                    )
                }
            };
            Ok(json_response(shared, &v))
        }
        Target::Log { ns, name } => {
            if let Some(e) = forbidden(shared, user, "get", "pods/log", Some(&ns), Some(&name)) {
                return Err(e);
            }
            let store = shared.store.lock().unwrap();
            store
                .pod_log(&ns, &name, &q)
                .map(|text| respond(shared, 200, "text/plain", full(text)))
        }
    })();
    result.unwrap_or_else(|e| error_response(shared, &e))
}

async fn handle(
    shared: Arc<Shared>,
    cert_user: Option<String>,
    req: Request<Incoming>,
) -> Result<Response<RespBody>, std::io::Error> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let user_agent = header("user-agent");
    let impersonate: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("impersonate-"))
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let accept = header("accept");
    let authorization = header("authorization");
    let index = {
        let mut log = shared.log.lock().unwrap();
        let start = shared.start.elapsed();
        log.push(Recorded {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            status: 0,
            start,
            end: start,
            user_agent,
            impersonate,
        });
        log.len() - 1
    };
    let mut guard = LogGuard {
        shared: shared.clone(),
        index,
        done: false,
    };
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    if let Some(fault) = shared.fault(&path, &query) {
        match fault {
            FaultKind::Hang => {
                std::future::pending::<()>().await;
            }
            FaultKind::Close => {
                guard.finish(0);
                return Err(std::io::Error::other(
                    "injected fault: close the connection",
                ));
            }
            FaultKind::Raw {
                code,
                content_type,
                body,
            } => {
                guard.finish(code);
                return Ok(respond(&shared, code, &content_type, full(body)));
            }
            FaultKind::CutOff { announced, body } => {
                guard.finish(200);
                // A body of unknown length, so that hyper sends the announced length as is.
                // The end comes a moment later, once the bytes sent have been flushed.
                use futures::StreamExt;
                let frames = futures::stream::iter(vec![Ok::<_, Infallible>(Frame::data(
                    Bytes::from(body),
                ))])
                .chain(
                    futures::stream::once(tokio::time::sleep(Duration::from_millis(200)))
                        .filter_map(|()| async { None }),
                );
                let body = http_body_util::StreamBody::new(frames).boxed_unsync();
                let mut resp = respond(&shared, 200, "application/json", body);
                resp.headers_mut().insert(
                    hyper::header::CONTENT_LENGTH,
                    HeaderValue::from_str(&announced.to_string()).unwrap(),
                );
                return Ok(resp);
            }
            FaultKind::Status(code) => {
                guard.finish(code);
                return Ok(error_response(&shared, &injected_status(code)));
            }
            FaultKind::Times {
                code, retry_after, ..
            } => {
                guard.finish(code);
                let mut resp = error_response(&shared, &injected_status(code));
                resp.headers_mut().remove("retry-after");
                if let Some(r) = retry_after {
                    resp.headers_mut()
                        .insert("retry-after", HeaderValue::from_str(&r).unwrap());
                }
                return Ok(resp);
            }
        }
    }
    // x509 is tried before bearer tokens, as in the apiserver's union authenticator.
    let token_ok = authorization
        .strip_prefix("Bearer ")
        .is_some_and(|t| t.trim() == shared.token);
    let user = match (&cert_user, token_ok) {
        (Some(u), _) => u.clone(),
        (None, true) => TOKEN_USER.to_string(),
        (None, false) => {
            guard.finish(401);
            return Ok(error_response(
                &shared,
                &ApiError {
                    code: 401,
                    reason: "Unauthorized",
                    message: "Unauthorized".into(),
                    details: None,
                },
            ));
        }
    };
    let resp = serve(&shared, &user, &method, &path, &query, &accept);
    guard.finish(resp.status().as_u16());
    Ok(resp)
}

/// Accept TLS connections until `stop` fires; each connection is served on its own task.
pub(crate) async fn accept_loop(
    listener: std::net::TcpListener,
    config: Arc<rustls::ServerConfig>,
    shared: Arc<Shared>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let (tcp, _peer) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let tls =
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => tls,
                    _ => return,
                };
            let cert_user = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| {
                    if c.as_ref() == shared.client_cert_der.as_slice() {
                        super::tls::CLIENT_CERT_CN.to_string()
                    } else {
                        "system:unknown-certificate".to_string()
                    }
                });
            let svc = hyper::service::service_fn(move |req| {
                handle(shared.clone(), cert_user.clone(), req)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(tls), svc)
                .await;
        });
    }
}
