//! Redaction of secrets in quoted evidence: a realistic log full of secrets is masked and the rest
//! kept, near misses are left alone, a diagnosis is masked everywhere it quotes input, and the CLI
//! never prints a secret unless asked to with `--no-redact`.

use assert_cmd::Command;
use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::parse::parse_reader;
use kubectl_diagnose::redact::{redact, redact_diagnosis};
use kubectl_diagnose::rules::RuleSet;
use std::borrow::Cow;

const JWT: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6Ik1YZ2RfN2QifQ.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjIl0sImV4cCI6MTc0MzY2NzIwMCwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OnNob3A6d2ViIn0.Qm9ndXNTaWduYXR1cmVGb3JUZXN0c09ubHlfX18tLS0";

/// Secrets planted in the log below; none may survive.
const SECRETS: &[&str] = &[
    "Sup3rS3cret!",
    "hunter2-prod",
    "AKIAZ7Q3EXAMPLE4KEYS",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    "kF9x2LmQ8pR4vT6wY1zA3cE5gH7jK9",
    "ghp_R8k2Lm5Np7Qr9St1Uv3Wx5Yz7Ab9Cd1Ef3Gh",
    "xoxb-2048719520-6128309151-Zq8Yw4Rt2Ux6Vp0Ko3Nm",
    "c2VydmljZTpwYXNzd29yZDEyMw==",
    "sk-live-4f9a8b7c6d5e",
    "rabbit-pass-77",
    "Tr0ub4dor&3",
];

fn realistic_log() -> String {
    format!(
        r#"2024-04-03 07:52:38.104  INFO 1 --- [main] c.s.orders.OrdersApplication : Starting OrdersApplication v2.4.1 using Java 17.0.10
2024-04-03 07:52:39.882  INFO 1 --- [main] com.zaxxer.hikari.HikariDataSource : HikariPool-1 - Starting... url=jdbc:postgresql://postgres.shop.svc:5432/orders?user=orders&password=Sup3rS3cret!&sslmode=require
2024-04-03 07:52:40.017 ERROR 1 --- [main] o.s.boot.SpringApplication : Application run failed: Connection to postgres://orders:Sup3rS3cret!@postgres.shop.svc:5432/orders refused
2024-04-03 07:52:40.018 DEBUG 1 --- [main] o.s.web.client.RestTemplate : HTTP GET https://auth.shop.svc/api/v1/me, headers=[Authorization:"Bearer {JWT}", Accept:"application/json"]
time="2024-04-03T07:52:41Z" level=error msg="cannot open db" dsn="postgres://app:hunter2-prod@10.96.12.7:5432/shop?sslmode=disable" err="dial tcp 10.96.12.7:5432: connect: connection refused"
time="2024-04-03T07:52:41Z" level=debug msg="loaded config" config="{{DBHost:postgres DBUser:app DBPassword:hunter2-prod Port:8080}}"
time="2024-04-03T07:52:41Z" level=info msg="token refreshed" token={JWT}
[2024-04-03 07:52:42,311] INFO in app: environment: DB_HOST=postgres DB_PASSWORD=hunter2-prod AWS_ACCESS_KEY_ID=AKIAZ7Q3EXAMPLE4KEYS AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY AWS_REGION=ap-guangzhou
[2024-04-03 07:52:42,312] DEBUG in settings: {{'SECRET_KEY': 'kF9x2LmQ8pR4vT6wY1zA3cE5gH7jK9', 'DEBUG': False, 'ALLOWED_HOSTS': ['*']}}
[2024-04-03 07:52:42,313] DEBUG in settings: {{"stripe_api_key": "sk-live-4f9a8b7c6d5e", "currency": "CNY"}}
[2024-04-03 07:52:42,400] ERROR in tls: could not load key: -----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
-----BEGIN RSA PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
dGhpcyBpcyBub3QgYSByZWFsIGtleSwganVzdCBmaXh0dXJlIHRleHQ=
-----END RSA PRIVATE KEY-----
git clone https://x-access-token:ghp_R8k2Lm5Np7Qr9St1Uv3Wx5Yz7Ab9Cd1Ef3Gh@github.com/shop/orders.git
posting alert with token xoxb-2048719520-6128309151-Zq8Yw4Rt2Ux6Vp0Ko3Nm to #oncall
GET /internal/metrics Authorization: Basic c2VydmljZTpwYXNzd29yZDEyMw== 401
amqp://orders:rabbit-pass-77@rabbitmq.shop.svc:5672/ connection reset
--admin-password=Tr0ub4dor&3 --listen=:8080
"#
    )
}

/// The parts of the log that must survive redaction verbatim.
const KEPT: &[&str] = &[
    "Starting OrdersApplication v2.4.1 using Java 17.0.10",
    "url=jdbc:postgresql://postgres.shop.svc:5432/orders?user=orders&password=****&sslmode=require",
    "Connection to postgres://orders:****@postgres.shop.svc:5432/orders refused",
    "Authorization:\"Bearer ****\"",
    "dsn=\"postgres://app:****@10.96.12.7:5432/shop?sslmode=disable\"",
    "err=\"dial tcp 10.96.12.7:5432: connect: connection refused\"",
    "DBPassword:**** Port:8080",
    "DB_HOST=postgres DB_PASSWORD=****",
    "AWS_SECRET_ACCESS_KEY=**** AWS_REGION=ap-guangzhou",
    "'SECRET_KEY': '****', 'DEBUG': False",
    "\"stripe_api_key\": \"****\", \"currency\": \"CNY\"",
    "-----BEGIN RSA PRIVATE KEY-----\n****\n-----END RSA PRIVATE KEY-----",
    "git clone https://x-access-token:****@github.com/shop/orders.git",
    "posting alert with token xoxb-**** to #oncall",
    "Authorization: Basic **** 401",
    "amqp://orders:****@rabbitmq.shop.svc:5672/ connection reset",
    "--admin-password=**** --listen=:8080",
];

#[test]
fn a_log_full_of_secrets_is_masked_and_the_rest_kept() {
    let log = realistic_log();
    let out = redact(&log);
    for s in SECRETS {
        assert!(!out.contains(s), "secret {s} survived:\n{out}");
    }
    assert!(
        !out.contains("eyJhbGciOiJSUzI1NiIs"),
        "JWT survived:\n{out}"
    );
    for k in KEPT {
        assert!(out.contains(k), "lost {k:?}:\n{out}");
    }
    // Only the PEM block's two body lines collapse into one mask.
    assert_eq!(out.lines().count(), log.lines().count() - 1);
    // Line by line, as evidence is quoted, gives the same masking for single-line secrets.
    for line in log.lines() {
        let r = redact(line);
        for s in SECRETS.iter().filter(|s| line.contains(*s)) {
            if line.trim() == *s {
                continue; // a PEM body line alone carries no marker
            }
            assert!(!r.contains(s), "{s} survived in {r}");
        }
    }
}

#[test]
fn near_misses_are_left_alone() {
    for s in [
        "time=\"2024-04-03T07:52:41Z\" level=info msg=\"rate limiter: token bucket refilled (10 tokens)\"",
        "2024-04-03 07:52:42 INFO password policy updated for tenant shop",
        "Error: secret \"db-creds\" not found",
        "MountVolume.SetUp failed for volume \"db-secret\" : secret \"db-secret\" not found",
        "Warning  FailedMount  kubelet  MountVolume.SetUp failed for volume \"tls\" : secret \"shop-tls\" not found",
        "Error: couldn't find key password in Secret shop/db-creds",
        "      DB_PASSWORD:  <set to the key 'password' in secret 'db-creds'>  Optional: false",
        "    Environment:  PWD=/app HOME=/root",
        "oauth2-proxy: using authentication provider \"oidc\"",
        "Basic authentication is disabled",
        "Bearer token validation failed: token is expired",
        "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)",
        "dial tcp 43.137.86.21:443: i/o timeout",
        "Pulling image \"shop-prod.tencentcloudcr.com/shop/web:1.4.2\"",
        "imageID: docker.io/library/nginx@sha256:3a6c10d98759e95eb18e15ee5a9df7cd9eb11b277b653fb56c965f4b0eba50a7",
        "spring.security.oauth2.client.registration.keycloak.client-id=orders",
        "max_tokens=4096 temperature=0.2",
        "auth_required=false",
        "-----BEGIN CERTIFICATE-----",
    ] {
        assert!(
            matches!(redact(s), Cow::Borrowed(x) if x == s),
            "changed: {s} -> {}",
            redact(s)
        );
    }
}

#[test]
fn redact_diagnosis_masks_evidence_captures_and_fix() {
    let engine = Engine::new(&RuleSet::builtin().expect("rules")).expect("engine");
    let text = "$ kubectl logs orders-7c9d8f6b5-k2j4x -n shop --previous\n\
        time=\"2024-04-03T07:52:41Z\" level=error msg=\"cannot open db\" dsn=\"postgres://app:hunter2-prod@10.96.12.7:5432/shop\" err=\"dial tcp 10.96.12.7:5432: connect: connection refused\"\n";
    let mut ev = Evidence::new();
    let input = parse_reader("orders.log", text.as_bytes(), &engine, &mut ev).expect("parses");
    let mut d = kubectl_diagnose::diagnose(&engine, &ev, vec![input]);
    let before = d.to_json();
    assert!(
        before.contains("hunter2-prod"),
        "the fixture quotes the secret"
    );
    let f = d
        .findings
        .iter_mut()
        .find(|f| f.id == "dependency-connection-refused")
        .expect("rule fires");
    // Make the rendered texts and captures quote the secret too, as a rule template could.
    f.captures
        .insert("dsn".into(), "postgres://app:hunter2-prod@db/x".into());
    f.title.push_str(" (postgres://app:hunter2-prod@db/x)");
    f.fix.push_str("\nDB_PASSWORD=hunter2-prod");
    d.not_checked.push(kubectl_diagnose::evidence::NotChecked {
        what: "line 9 of orders.log".into(),
        reason: "token=hunter2-prod could not be parsed".into(),
    });
    redact_diagnosis(&mut d);
    let after = d.to_json();
    assert!(!after.contains("hunter2-prod"), "{after}");
    assert!(after.contains("postgres://app:****@10.96.12.7:5432/shop"));
    assert!(after.contains("connect: connection refused"));
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "dependency-connection-refused")
        .expect("still there");
    assert_eq!(f.captures["dsn"], "postgres://app:****@db/x");
    assert_eq!(f.captures["port"], "5432", "ordinary captures untouched");
    assert!(f.fix.ends_with("DB_PASSWORD=****"));
}

fn bin() -> Command {
    let mut c = Command::cargo_bin("kubectl-diagnose").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR").env("COLUMNS", "140");
    c
}

#[test]
fn the_cli_never_prints_a_secret_unless_told_to() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = tmp.path().join("orders.log");
    std::fs::write(
        &p,
        format!(
            "$ kubectl logs orders-7c9d8f6b5-k2j4x -n shop --previous\n\
             time=\"2024-04-03T07:52:41Z\" level=error msg=\"cannot open db\" dsn=\"postgres://app:hunter2-prod@10.96.12.7:5432/shop\" token={JWT} err=\"dial tcp 10.96.12.7:5432: connect: connection refused\"\n"
        ),
    )
    .expect("write");
    for format in ["json", "table"] {
        let out = bin()
            .arg("file")
            .arg(&p)
            .args(["-o", format])
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.code() == Some(1), "{format}: {stdout}");
        assert!(stdout.contains("connection refused"), "{format}: {stdout}");
        assert!(!stdout.contains("hunter2-prod"), "{format}: {stdout}");
        assert!(!stdout.contains(&JWT[..30]), "{format}: {stdout}");
    }
    let out = bin()
        .arg("file")
        .arg(&p)
        .args(["-o", "json", "--no-redact"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("hunter2-prod"));
}
