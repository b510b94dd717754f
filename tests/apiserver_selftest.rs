//! Checks the test API server in `tests/support/` against the real API's semantics, and (when
//! `kubectl` is installed) that kubectl works against it.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Event, Node, Pod};
use serde_json::{json, Value};
use support::{ApiServer, Fault, FaultKind, Forbid, Options, RawAuth};

const WEB: &str = "web-7d9f8c6b5-x2x4p";
const PORT_CONFLICT: &str = "port-conflict-5b7f9c6d8-m4t2w";
const NODE: &str = "eklet-subnet-bok73g4c-7f8d9";

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

/// Follows `continue` tokens; returns every item's name and the number of pages.
fn all_pages(s: &ApiServer, path: &str, limit: usize) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut pages = 0;
    let mut token = String::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{sep}limit={limit}");
        if !token.is_empty() {
            url += &format!(
                "&continue={}",
                token.replace('=', "%3D").replace('+', "%2B")
            );
        }
        let r = s.get(&url);
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        let v = r.json();
        assert!(names(&v).len() <= limit);
        out.extend(names(&v));
        pages += 1;
        match v["metadata"]["continue"].as_str() {
            Some(t) if !t.is_empty() => token = t.to_string(),
            _ => return (out, pages),
        }
    }
}

#[test]
fn every_scenario_serves_typed_objects() {
    let scenarios = support::scenario_names();
    for expected in [
        "registry-timeout",
        "insufficient-scope",
        "image-not-found",
        "devmapper-digest",
        "port-conflict",
        "subnet-exhausted",
        "image-gc-failed",
        "libcuda",
        "healthy",
        "init-failure",
    ] {
        assert!(
            scenarios.iter().any(|s| s == expected),
            "missing {expected}"
        );
    }
    for scenario in &scenarios {
        let s = ApiServer::start(scenario, Options::default());
        let pods = s.get("/api/v1/namespaces/shop/pods");
        assert_eq!(pods.status, 200, "{scenario}: {}", pods.body);
        assert_eq!(pods.header("content-type"), Some("application/json"));
        let list = pods.json();
        assert_eq!(list["kind"], "PodList");
        assert_eq!(list["apiVersion"], "v1");
        assert!(list["metadata"]["resourceVersion"].is_string());
        let list: k8s_openapi::List<Pod> = serde_json::from_value(list).expect("PodList");
        assert!(!list.items.is_empty(), "{scenario} has no pod in shop");
        for pod in &list.items {
            let name = pod.metadata.name.as_deref().unwrap();
            let one = s.get(&format!("/api/v1/namespaces/shop/pods/{name}"));
            assert_eq!(one.status, 200);
            let v = one.json();
            assert_eq!(
                (v["kind"].as_str(), v["apiVersion"].as_str()),
                (Some("Pod"), Some("v1"))
            );
            let typed: Pod = serde_json::from_value(v).expect("Pod");
            assert!(typed.metadata.uid.is_some() && typed.metadata.resource_version.is_some());
            assert!(typed.metadata.creation_timestamp.is_some());
        }
        let events: k8s_openapi::List<Event> =
            serde_json::from_value(s.get("/api/v1/events").json()).expect("EventList");
        assert!(!events.items.is_empty(), "{scenario} has no events");
        let nodes: k8s_openapi::List<Node> =
            serde_json::from_value(s.get("/api/v1/nodes").json()).expect("NodeList");
        assert!(!nodes.items.is_empty(), "{scenario} has no nodes");
        for node in &nodes.items {
            let name = node.metadata.name.as_deref().unwrap();
            assert_eq!(s.get(&format!("/api/v1/nodes/{name}")).status, 200);
        }
    }
}

#[test]
fn server_can_be_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ApiServer>();
}

#[test]
fn timestamps_are_shifted_to_server_start() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let pod = s.get(&format!("/api/v1/namespaces/shop/pods/{WEB}")).json();
    let created = chrono::DateTime::parse_from_rfc3339(
        pod["metadata"]["creationTimestamp"].as_str().unwrap(),
    )
    .unwrap();
    let age = chrono::Utc::now()
        .signed_duration_since(created)
        .num_seconds();
    // Written as 12m05s before SCENARIO_NOW.
    assert!((720..800).contains(&age), "age {age}s");
    let frozen = ApiServer::start_frozen("registry-timeout", Options::default());
    let pod = frozen
        .get(&format!("/api/v1/namespaces/shop/pods/{WEB}"))
        .json();
    assert_eq!(pod["metadata"]["creationTimestamp"], "2024-04-03T07:47:55Z");
}

#[test]
fn missing_pod_is_a_404_status() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let r = s.get("/api/v1/namespaces/shop/pods/nope");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
               "message":"pods \"nope\" not found","reason":"NotFound",
               "details":{"name":"nope","kind":"pods"},"code":404})
    );
    // Field order as the apiserver writes it.
    assert!(r.body.starts_with(r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}"#), "{}", r.body);
    let r = s.get("/api/v1/nodes/nope");
    assert_eq!(r.json()["message"], "nodes \"nope\" not found");
    let r = s.get("/api/v1/namespaces/shop/services");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["message"],
        "the server could not find the requested resource"
    );
}

#[test]
fn authentication() {
    let s = ApiServer::start("healthy", Options::default());
    let path = "/api/v1/namespaces/shop/pods/redis-0";
    let bad = s.request("GET", path, RawAuth::Token("wrong".into()));
    assert_eq!(bad.status, 401);
    assert_eq!(
        bad.json(),
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
               "message":"Unauthorized","reason":"Unauthorized","code":401})
    );
    assert_eq!(s.request("GET", path, RawAuth::None).status, 401);
    assert_eq!(s.request("GET", path, RawAuth::ClientCert).status, 200);
    assert_eq!(s.get(path).status, 200);
    let custom = ApiServer::start(
        "healthy",
        Options {
            token: "s3cr3t".into(),
            ..Options::default()
        },
    );
    assert_eq!(custom.get(path).status, 200);
    assert_eq!(
        custom
            .request("GET", path, RawAuth::Token("test-token".into()))
            .status,
        401
    );
    // Not GET.
    let post = s.request(
        "POST",
        "/api/v1/namespaces/shop/pods",
        RawAuth::Token("test-token".into()),
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.json()["reason"], "MethodNotAllowed");
}

#[test]
fn rbac_denials_look_like_the_real_ones() {
    let s = ApiServer::start(
        "registry-timeout",
        Options {
            forbidden: vec![
                Forbid::new("nodes", None),
                Forbid::new("events", Some("shop")),
                Forbid::new("pods/log", Some("shop")),
            ],
            ..Options::default()
        },
    );
    let r = s.get(&format!("/api/v1/nodes/{NODE}"));
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
               "message": format!("nodes \"{NODE}\" is forbidden: User \"system:serviceaccount:ci:diagnose\" cannot get resource \"nodes\" in API group \"\" at the cluster scope"),
               "reason":"Forbidden","details":{"name":NODE,"kind":"nodes"},"code":403})
    );
    let r = s.get("/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dx");
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["message"], "events is forbidden: User \"system:serviceaccount:ci:diagnose\" cannot list resource \"events\" in API group \"\" in the namespace \"shop\"");
    assert_eq!(r.json()["details"], json!({"kind": "events"}));
    // Other namespaces are allowed; the cluster-wide list is not.
    assert_eq!(s.get("/api/v1/namespaces/default/events").status, 200);
    assert_eq!(s.get("/api/v1/events").status, 403);
    let r = s.get(&format!(
        "/api/v1/namespaces/shop/pods/{WEB}/log?container=web"
    ));
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["message"], format!("pods \"{WEB}\" is forbidden: User \"system:serviceaccount:ci:diagnose\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"shop\""));
    assert_eq!(
        s.get(&format!("/api/v1/namespaces/shop/pods/{WEB}")).status,
        200
    );
    // A client certificate is another user.
    let r = s.request("GET", &format!("/api/v1/nodes/{NODE}"), RawAuth::ClientCert);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("User \"diagnose-user\""));
}

#[test]
fn uid_field_selector_excludes_the_old_pods_event() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let pod = s.get(&format!("/api/v1/namespaces/shop/pods/{WEB}")).json();
    let uid = pod["metadata"]["uid"].as_str().unwrap();
    let by_name = s
        .get(&format!(
            "/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3D{WEB}"
        ))
        .json();
    let messages = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(messages(&by_name)
        .iter()
        .any(|m| m == "Started container web"));
    let sel =
        format!("involvedObject.name={WEB},involvedObject.namespace=shop,involvedObject.uid={uid}");
    let by_uid = s
        .get(&format!(
            "/api/v1/namespaces/shop/events?fieldSelector={}",
            sel.replace('=', "%3D").replace(',', "%2C")
        ))
        .json();
    let m = messages(&by_uid);
    assert!(!m.iter().any(|m| m == "Started container web"), "{m:?}");
    assert!(m
        .iter()
        .any(|m| m.contains("dial tcp 43.137.86.21:443: i/o timeout")));
    assert_eq!(m.len() + 2, messages(&by_name).len());
    // Items of a list carry no kind/apiVersion, as from the real apiserver.
    assert!(by_uid["items"][0].get("kind").is_none());
    // type / reason / != and unsupported fields.
    let warnings = s
        .get("/api/v1/events?fieldSelector=type%3DWarning%2Creason%21%3DFailed")
        .json();
    assert!(names(&warnings).is_empty());
    let r = s.get("/api/v1/events?fieldSelector=foo%3Dbar");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["message"], "field label not supported: foo");
}

#[test]
fn selectors_on_pods_and_nodes() {
    let s = ApiServer::start("healthy", Options::default());
    let get = |q: &str| names(&s.get(&format!("/api/v1/pods?{q}")).json());
    assert_eq!(get("labelSelector=app%3Dcatalog").len(), 2);
    assert_eq!(get("labelSelector=app%21%3Dcatalog"), vec!["redis-0"]);
    assert_eq!(
        get("labelSelector=statefulset.kubernetes.io%2Fpod-name"),
        vec!["redis-0"]
    );
    assert_eq!(
        get("labelSelector=%21statefulset.kubernetes.io%2Fpod-name").len(),
        2
    );
    assert_eq!(
        get("labelSelector=app+in+%28redis%2Cnope%29"),
        vec!["redis-0"]
    );
    assert_eq!(
        get("fieldSelector=metadata.name%3D%3Dredis-0"),
        vec!["redis-0"]
    );
    assert_eq!(
        get(&format!(
            "fieldSelector=spec.nodeName%3D{NODE}%2Cstatus.phase%3DRunning"
        ))
        .len(),
        3
    );
    assert!(get("fieldSelector=status.phase%21%3DRunning").is_empty());
    assert!(get("fieldSelector=metadata.namespace%3Ddefault").is_empty());
    let pending = ApiServer::start("subnet-exhausted", Options::default());
    let unbound = pending
        .get("/api/v1/namespaces/shop/pods?fieldSelector=spec.nodeName%3D")
        .json();
    assert_eq!(names(&unbound).len(), 2);
    let nodes = pending
        .get(&format!(
            "/api/v1/nodes?fieldSelector=metadata.name%3D{NODE}"
        ))
        .json();
    assert_eq!(names(&nodes), vec![NODE]);
    let nodes = pending
        .get("/api/v1/nodes?labelSelector=type%3Dvirtual-kubelet")
        .json();
    assert_eq!(names(&nodes).len(), 2);
    // Node events live in "default".
    let ev = pending
        .get(&format!("/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DNode%2CinvolvedObject.name%3D{NODE}"))
        .json();
    assert_eq!(ev["items"][0]["reason"], "EKLetHasInsufficientSubnetIP");
}

#[test]
fn pagination_returns_every_item_once() {
    let s = ApiServer::start("healthy", Options::default());
    let all = names(&s.get("/api/v1/namespaces/shop/events").json());
    assert!(all.len() >= 10);
    for limit in [1, 2, 3, 7, 100] {
        let (paged, pages) = all_pages(&s, "/api/v1/namespaces/shop/events", limit);
        assert_eq!(paged, all, "limit {limit}");
        assert_eq!(pages, all.len().div_ceil(limit).max(1), "limit {limit}");
    }
    let (pods, pages) = all_pages(&s, "/api/v1/pods", 1);
    assert_eq!((pods.len(), pages), (3, 3));
    let first = s.get("/api/v1/pods?limit=1").json();
    assert_eq!(first["metadata"]["remainingItemCount"], 2);
    let (with_selector, _) = all_pages(&s, "/api/v1/pods?labelSelector=app%3Dcatalog", 1);
    assert_eq!(with_selector.len(), 2);
    let bad = s.get("/api/v1/pods?limit=1&continue=garbage");
    assert_eq!(bad.status, 400);
}

#[test]
fn logs_follow_apiserver_and_kubelet_semantics() {
    let s = ApiServer::start("port-conflict", Options::default());
    let log = |q: &str| {
        s.get(&format!(
            "/api/v1/namespaces/shop/pods/{PORT_CONFLICT}/log{q}"
        ))
    };
    let r = log("");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["message"], format!("a container name must be specified for pod {PORT_CONFLICT}, choose one of: [web sidecar]"));
    let r = log("?container=nginx");
    assert_eq!(
        r.json()["message"],
        format!("container nginx is not valid for pod {PORT_CONFLICT}")
    );
    let prev = log("?container=web&previous=true");
    assert_eq!(prev.status, 200);
    assert_eq!(prev.header("content-type"), Some("text/plain"));
    assert!(prev
        .body
        .ends_with("nginx: [emerg] still could not bind()\n"));
    assert!(prev.body.contains(
        "2024/04/03 07:52:42 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address in use)"
    ));
    let cur = log("?container=web");
    assert!(cur.body.contains("(98: Address in use)") && cur.body.len() < prev.body.len());
    let tail = log("?container=web&previous=true&tailLines=2");
    assert_eq!(tail.body, "2024/04/03 07:52:42 [emerg] 1#1: still could not bind()\nnginx: [emerg] still could not bind()\n");
    assert_eq!(log("?container=web&previous=true&tailLines=0").body, "");
    assert_eq!(
        log("?container=web&previous=true&limitBytes=10").body.len(),
        10
    );
    let ts = log("?container=web&previous=true&tailLines=1&timestamps=true");
    assert!(
        regex::Regex::new(
            r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z nginx: \[emerg\] still could not bind\(\)\n$"
        )
        .unwrap()
        .is_match(&ts.body),
        "{}",
        ts.body
    );
    let r = log("?container=sidecar&previous=true");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["message"],
        format!("previous terminated container \"sidecar\" in pod \"{PORT_CONFLICT}\" not found")
    );
    assert!(log("?container=sidecar")
        .body
        .contains("listening on 0.0.0.0:80"));

    let s = ApiServer::start("registry-timeout", Options::default());
    let r = s.get(&format!("/api/v1/namespaces/shop/pods/{WEB}/log"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["message"], format!("container \"web\" in pod \"{WEB}\" is waiting to start: trying and failing to pull image"));
    let r = s.get(&format!(
        "/api/v1/namespaces/shop/pods/{WEB}/log?previous=1"
    ));
    assert_eq!(
        r.json()["message"],
        format!("previous terminated container \"web\" in pod \"{WEB}\" not found")
    );

    // CrashLoopBackOff without a current log file: kubelet serves the last terminated container.
    let s = ApiServer::start("libcuda", Options::default());
    let pod = "recommend-train-6c8d7f9b5-k7x2p";
    let cur = s.get(&format!(
        "/api/v1/namespaces/shop/pods/{pod}/log?container=trainer"
    ));
    assert!(cur.body.ends_with(
        "OSError: libcuda.so.1: cannot open shared object file: No such file or directory\n"
    ));

    // Init containers: named in the error, readable by name; the main container is PodInitializing.
    let s = ApiServer::start("init-failure", Options::default());
    let pod = "checkout-6b9d7c8f5-p3v7n";
    let r = s.get(&format!(
        "/api/v1/namespaces/shop/pods/{pod}/log?container=checkout"
    ));
    assert_eq!(
        r.json()["message"],
        format!("container \"checkout\" in pod \"{pod}\" is waiting to start: PodInitializing")
    );
    let r = s.get(&format!(
        "/api/v1/namespaces/shop/pods/{pod}/log?container=migrate&previous=true"
    ));
    assert!(r.body.contains("connection refused"));

    // Unscheduled pod: empty stream.
    let s = ApiServer::start("subnet-exhausted", Options::default());
    let r = s.get("/api/v1/namespaces/shop/pods/order-sync-7f9c8d6b5-5tq8v/log");
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    s.set_log(
        "shop",
        "order-sync-7f9c8d6b5-5tq8v",
        "order-sync",
        false,
        "x\n",
    );
}

#[test]
fn request_log_records_everything_in_order() {
    let s = ApiServer::start(
        "registry-timeout",
        Options {
            forbidden: vec![Forbid::new("nodes", None)],
            ..Options::default()
        },
    );
    s.get(&format!("/api/v1/namespaces/shop/pods/{WEB}"));
    s.get("/api/v1/namespaces/shop/events?fieldSelector=involvedObject.uid%3Dabc&limit=500");
    s.get(&format!("/api/v1/nodes/{NODE}"));
    s.request(
        "GET",
        "/api/v1/namespaces/shop/pods/x",
        RawAuth::Token("bad".into()),
    );
    s.request(
        "DELETE",
        "/api/v1/namespaces/shop/pods/x",
        RawAuth::Token("test-token".into()),
    );
    s.get("/api/v1/namespaces/shop/pods/missing");
    let reqs = s.requests();
    let got: Vec<(&str, &str, u16)> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "GET",
                "/api/v1/namespaces/shop/pods/web-7d9f8c6b5-x2x4p",
                200
            ),
            ("GET", "/api/v1/namespaces/shop/events", 200),
            ("GET", "/api/v1/nodes/eklet-subnet-bok73g4c-7f8d9", 403),
            ("GET", "/api/v1/namespaces/shop/pods/x", 401),
            ("DELETE", "/api/v1/namespaces/shop/pods/x", 405),
            ("GET", "/api/v1/namespaces/shop/pods/missing", 404),
        ],
        "{}",
        s.requests_text()
    );
    assert_eq!(
        reqs[1].query,
        "fieldSelector=involvedObject.uid%3Dabc&limit=500"
    );
    assert_eq!(
        reqs[1].param("fieldSelector").as_deref(),
        Some("involvedObject.uid=abc")
    );
    assert_eq!(reqs[1].param("limit").as_deref(), Some("500"));
    assert_eq!(reqs[0].user_agent, "apiserver-selftest");
    for w in reqs.windows(2) {
        assert!(w[0].start <= w[0].end && w[0].end <= w[1].start);
    }
}

#[test]
fn latency_and_concurrency() {
    let s = ApiServer::start(
        "healthy",
        Options {
            latency: Duration::from_millis(300),
            ..Options::default()
        },
    );
    let t = Instant::now();
    assert_eq!(s.get("/api/v1/namespaces/shop/pods/redis-0").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| assert_eq!(s.get("/api/v1/namespaces/shop/pods/redis-0").status, 200));
        }
    });
    // Served concurrently: far less than 8 x 300ms.
    assert!(
        t.elapsed() < Duration::from_millis(2000),
        "{:?}",
        t.elapsed()
    );
    let r = &s.requests()[1];
    assert!(r.end - r.start >= Duration::from_millis(300));
}

#[test]
fn faults() {
    let s = ApiServer::start(
        "registry-timeout",
        Options {
            faults: vec![
                Fault::new(r"/api/v1/nodes/", FaultKind::Hang),
                Fault::new(r"/events$", FaultKind::Status(503)),
                Fault::new(r"/log\?.*previous=true", FaultKind::Close),
                Fault::new(r"^/api/v1/pods$", FaultKind::Status(429)),
            ],
            ..Options::default()
        },
    );
    let r = s.get("/api/v1/namespaces/shop/events");
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["reason"], "ServiceUnavailable");
    let r = s.get("/api/v1/pods");
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    let auth = || RawAuth::Token("test-token".into());
    let closed = s.try_request(
        "GET",
        &format!("/api/v1/namespaces/shop/pods/{WEB}/log?previous=true"),
        auth(),
        Duration::from_secs(5),
    );
    assert!(closed.is_err(), "{closed:?}");
    // The same path without the query is served.
    assert_eq!(
        s.get(&format!("/api/v1/namespaces/shop/pods/{WEB}/log"))
            .status,
        400
    );
    // Hang: the client gives up; other requests are still served meanwhile.
    let t = Instant::now();
    std::thread::scope(|scope| {
        let hung = scope.spawn(|| {
            s.try_request(
                "GET",
                &format!("/api/v1/nodes/{NODE}"),
                auth(),
                Duration::from_millis(800),
            )
        });
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(
            s.get(&format!("/api/v1/namespaces/shop/pods/{WEB}")).status,
            200
        );
        assert!(hung.join().unwrap().is_err());
    });
    assert!(t.elapsed() < Duration::from_secs(3));
    let hung = s
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/api/v1/nodes/"))
        .unwrap();
    assert_eq!(hung.status, 0);
    // A hanging request does not block the server's shutdown.
    let t = Instant::now();
    let s2 = ApiServer::start(
        "healthy",
        Options {
            faults: vec![Fault::new(".", FaultKind::Hang)],
            ..Options::default()
        },
    );
    let _ = s2.try_request("GET", "/api/v1/pods", auth(), Duration::from_millis(200));
    drop(s2);
    drop(s);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[test]
fn watch_streams_added_then_modified() {
    let s = ApiServer::start("registry-timeout", Options::default());
    let r = s.get("/api/v1/namespaces/shop/pods?watch=true&timeoutSeconds=1");
    assert_eq!(r.status, 200);
    let lines: Vec<Value> = r
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "ADDED");
    assert_eq!(lines[0]["object"]["kind"], "Pod");
    let list_rv = s.get("/api/v1/namespaces/shop/pods").json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    std::thread::scope(|scope| {
        let watch = scope.spawn(|| {
            s.get(&format!("/api/v1/namespaces/shop/pods?watch=1&resourceVersion={list_rv}&fieldSelector=metadata.name%3D{WEB}&timeoutSeconds=2"))
        });
        std::thread::sleep(Duration::from_millis(500));
        s.update_pod("shop", WEB, |p| {
            p["status"]["containerStatuses"][0]["state"] =
                json!({"running": {"startedAt": "2024-04-03T08:00:00Z"}});
            p["status"]["phase"] = json!("Running");
        });
        let body = watch.join().unwrap().body;
        let events: Vec<Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(events.len(), 1, "{body}");
        assert_eq!(events[0]["type"], "MODIFIED");
        assert_eq!(events[0]["object"]["status"]["phase"], "Running");
    });
    let pod = s.get(&format!("/api/v1/namespaces/shop/pods/{WEB}")).json();
    assert_eq!(pod["status"]["phase"], "Running");
    assert_ne!(
        pod["metadata"]["resourceVersion"].as_str().unwrap(),
        list_rv
    );
}

async fn kube_client(kubeconfig: &Path) -> kube::Client {
    let kc = kube::config::Kubeconfig::read_from(kubeconfig).expect("read kubeconfig");
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .expect("kube config");
    kube::Client::try_from(config).expect("kube client")
}

/// The client the tool uses (kube 5 with rustls) works with every kind of kubeconfig.
#[tokio::test(flavor = "multi_thread")]
async fn kube_rs_client_works_against_the_server() {
    use futures::{StreamExt, TryStreamExt};
    use kube::api::{Api, ListParams, LogParams, WatchEvent, WatchParams};

    let s = ApiServer::start(
        "port-conflict",
        Options {
            forbidden: vec![Forbid::new("nodes", None)],
            ..Options::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    for kc in [
        s.write_kubeconfig(dir.path(), "shop"),
        s.write_exec_kubeconfig(dir.path(), "shop"),
        s.write_client_cert_kubeconfig(dir.path(), "shop"),
    ] {
        let client = kube_client(&kc).await;
        let pods: Api<Pod> = Api::default_namespaced(client);
        let pod = pods
            .get(PORT_CONFLICT)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", kc.display()));
        assert_eq!(pod.metadata.name.as_deref(), Some(PORT_CONFLICT));
    }
    let client = kube_client(&s.write_kubeconfig(dir.path(), "shop")).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let pod = pods.get(PORT_CONFLICT).await.unwrap();
    let uid = pod.metadata.uid.unwrap();
    let events: Api<Event> = Api::namespaced(client.clone(), "shop");
    let list = events
        .list(
            &ListParams::default()
                .fields(&format!("involvedObject.uid={uid}"))
                .limit(4),
        )
        .await
        .unwrap();
    assert_eq!(list.items.len(), 4);
    assert!(list.metadata.continue_.is_some());
    let meta = pods
        .list_metadata(&ListParams::default().limit(500))
        .await
        .unwrap();
    assert_eq!(meta.items[0].metadata.name.as_deref(), Some(PORT_CONFLICT));
    let log = pods
        .logs(
            PORT_CONFLICT,
            &LogParams {
                container: Some("web".into()),
                previous: true,
                tail_lines: Some(1),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log, "nginx: [emerg] still could not bind()\n");
    match pods.get("nope").await {
        Err(kube::Error::Api(st)) => assert_eq!((st.code, st.reason.as_str()), (404, "NotFound")),
        other => panic!("{other:?}"),
    }
    match pods.logs(PORT_CONFLICT, &LogParams::default()).await {
        Err(kube::Error::Api(st)) => {
            assert_eq!(st.code, 400);
            assert!(st.message.contains("choose one of: [web sidecar]"));
        }
        other => panic!("{other:?}"),
    }
    let nodes: Api<Node> = Api::all(client.clone());
    match nodes.get(NODE).await {
        Err(kube::Error::Api(st)) => {
            assert_eq!((st.code, st.reason.as_str()), (403, "Forbidden"));
            assert!(st.message.contains("cannot get resource \"nodes\""));
        }
        other => panic!("{other:?}"),
    }
    let stream = pods
        .watch(&WatchParams::default().timeout(1), "0")
        .await
        .unwrap();
    let events: Vec<WatchEvent<Pod>> = stream.try_collect().await.unwrap();
    assert!(
        matches!(&events[..], [WatchEvent::Added(p)] if p.metadata.name.as_deref() == Some(PORT_CONFLICT))
    );
    let mut stream = pods
        .watch(
            &WatchParams::default().timeout(5),
            &pod.metadata.resource_version.unwrap(),
        )
        .await
        .unwrap()
        .boxed();
    s.update_pod("shop", PORT_CONFLICT, |p| {
        p["status"]["phase"] = json!("Failed")
    });
    match stream.next().await {
        Some(Ok(WatchEvent::Modified(p))) => {
            assert_eq!(p.status.unwrap().phase.as_deref(), Some("Failed"))
        }
        other => panic!("{other:?}"),
    }

    let bad = kube_client(&s.write_kubeconfig_with_token(dir.path(), "shop", "wrong")).await;
    match Api::<Pod>::namespaced(bad, "shop").get(PORT_CONFLICT).await {
        Err(kube::Error::Api(st)) => assert_eq!(st.code, 401),
        other => panic!("{other:?}"),
    }
    let wrong_ca = kube_client(&s.write_kubeconfig_with_wrong_ca(dir.path(), "shop")).await;
    let err = Api::<Pod>::namespaced(wrong_ca, "shop")
        .get(PORT_CONFLICT)
        .await
        .unwrap_err();
    assert!(!matches!(err, kube::Error::Api(_)), "{err:?}");
}

fn kubectl() -> Option<&'static str> {
    let k = "/usr/bin/kubectl";
    if Path::new(k).exists() {
        Some(k)
    } else {
        println!("note: /usr/bin/kubectl not found; skipping the kubectl checks");
        None
    }
}

fn run_kubectl(k: &str, kubeconfig: &Path, cache: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(k)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache)
        .arg("--request-timeout=10s")
        .args(args)
        .env("HOME", cache)
        .output()
        .expect("run kubectl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn kubectl_works_against_the_server() {
    let Some(k) = kubectl() else { return };
    let s = ApiServer::start("port-conflict", Options::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    for kc in [
        s.write_kubeconfig(dir.path(), "shop"),
        s.write_exec_kubeconfig(dir.path(), "shop"),
        s.write_client_cert_kubeconfig(dir.path(), "shop"),
    ] {
        let (ok, out, err) = run_kubectl(
            k,
            &kc,
            &cache,
            &["get", "pod", PORT_CONFLICT, "-n", "shop", "-o", "json"],
        );
        assert!(ok, "{}: {err}\n{}", kc.display(), s.requests_text());
        let pod: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(pod["metadata"]["name"], PORT_CONFLICT);
    }
    let kc = s.write_kubeconfig(dir.path(), "shop");
    let (ok, out, err) = run_kubectl(k, &kc, &cache, &["get", "pods"]);
    assert!(ok, "{err}");
    // Server-side printing (Table), as kubectl shows a real cluster's pods.
    assert!(
        out.starts_with("NAME                            READY   STATUS             RESTARTS"),
        "{out}"
    );
    assert!(
        out.contains("port-conflict-5b7f9c6d8-m4t2w   1/2     CrashLoopBackOff   7 ("),
        "{out}"
    );
    let (ok, out, err) = run_kubectl(k, &kc, &cache, &["get", "nodes", "-o", "wide"]);
    assert!(ok && out.contains("Ready    agent"), "{out}{err}");
    let (ok, out, err) = run_kubectl(k, &kc, &cache, &["describe", "pod", PORT_CONFLICT]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Back-off restarting failed container web"),
        "{out}"
    );
    let (ok, out, err) = run_kubectl(
        k,
        &kc,
        &cache,
        &["logs", PORT_CONFLICT, "-c", "web", "--previous", "--tail=1"],
    );
    assert!(ok, "{err}");
    assert_eq!(out, "nginx: [emerg] still could not bind()\n");
    let (ok, _, err) = run_kubectl(
        k,
        &kc,
        &cache,
        &["logs", PORT_CONFLICT, "-c", "sidecar", "--previous"],
    );
    assert!(
        !ok && err.contains("previous terminated container \"sidecar\""),
        "{err}"
    );
    let (ok, out, err) = run_kubectl(
        k,
        &kc,
        &cache,
        &[
            "get",
            "events",
            "--field-selector",
            "type=Warning",
            "-o",
            "name",
        ],
    );
    assert!(ok && out.lines().count() == 1, "{out}{err}");
    let (ok, _, err) = run_kubectl(k, &kc, &cache, &["get", "pod", "nope"]);
    assert!(!ok && err.contains("pods \"nope\" not found"), "{err}");
    // `kubectl get pods -w` (Table watch) prints the scripted change.
    let mut watch = Command::new(k)
        .arg("--kubeconfig")
        .arg(&kc)
        .arg("--cache-dir")
        .arg(&cache)
        .args(["get", "pods", "-w"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl get -w");
    let t = Instant::now();
    while !s.requests().iter().any(|r| r.query.contains("watch=true")) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{}",
            s.requests_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s.update_pod("shop", PORT_CONFLICT, |p| {
        assert_eq!(p["status"]["containerStatuses"][1]["name"], "web");
        p["status"]["containerStatuses"][1]["restartCount"] = json!(8);
    });
    std::thread::sleep(Duration::from_millis(700));
    watch.kill().expect("kill kubectl get -w");
    let out = watch.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CrashLoopBackOff   7 ("), "{text}");
    assert!(
        text.contains("CrashLoopBackOff   8 ("),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = s.write_kubeconfig_with_token(dir.path(), "shop", "wrong");
    let (ok, _, err) = run_kubectl(k, &bad, &cache, &["get", "pod", PORT_CONFLICT]);
    assert!(!ok && err.contains("Unauthorized"), "{err}");
    let wrong_ca = s.write_kubeconfig_with_wrong_ca(dir.path(), "shop");
    let (ok, _, err) = run_kubectl(k, &wrong_ca, &cache, &["get", "pod", PORT_CONFLICT]);
    assert!(!ok && err.contains("certificate"), "{err}");
}

/// Manual exploration: `APISERVER_SCENARIO=port-conflict cargo test --test apiserver_selftest
/// serve -- --ignored --nocapture` serves a scenario for APISERVER_SECONDS (default 600) and writes
/// kubeconfigs to APISERVER_KUBECONFIG_DIR (default /tmp/apiserver-selftest).
#[test]
#[ignore]
fn serve() {
    let scenario = std::env::var("APISERVER_SCENARIO").unwrap_or_else(|_| "healthy".into());
    let secs: u64 = std::env::var("APISERVER_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let dir = std::env::var("APISERVER_KUBECONFIG_DIR")
        .unwrap_or_else(|_| "/tmp/apiserver-selftest".into());
    let s = ApiServer::start(&scenario, Options::default());
    let kc = s.write_kubeconfig(Path::new(&dir), "shop");
    s.write_exec_kubeconfig(Path::new(&dir), "shop");
    s.write_client_cert_kubeconfig(Path::new(&dir), "shop");
    println!(
        "serving {scenario} at {} kubeconfig {}",
        s.url(),
        kc.display()
    );
    let start = Instant::now();
    let mut seen = 0;
    while start.elapsed().as_secs() < secs {
        std::thread::sleep(Duration::from_millis(200));
        let reqs = s.requests();
        for r in &reqs[seen..] {
            println!("{}", r.line());
        }
        seen = reqs.len();
    }
}
