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
    // Make the rendered texts quote the secret through captures, as a rule template can
    // (`{{dsn}}`, `{{env}}`); the rule's own words around them must stay as written.
    f.captures
        .insert("dsn".into(), "postgres://app:hunter2-prod@db/x".into());
    f.captures
        .insert("env".into(), "DB_PASSWORD=hunter2-prod".into());
    f.title.push_str(" (postgres://app:hunter2-prod@db/x)");
    f.fix
        .push_str("\nCheck the credentials: DB_PASSWORD=hunter2-prod");
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
    assert!(
        f.fix.ends_with("Check the credentials: DB_PASSWORD=****"),
        "{}",
        f.fix
    );
    assert!(
        f.title.ends_with("(postgres://app:****@db/x)"),
        "{}",
        f.title
    );
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

/// One line per kind of secret, each in the token format its vendor documents (values invented), and
/// the secret part that must not survive. Each line also carries an error a rule quotes, so the line
/// reaches every report format as evidence.
const SECRET_TYPES: &[(&str, &str, &str)] = &[
    ("jwt", "token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3ZWIiLCJpYXQiOjE3MDB9.kX3vQ9nZ2pL8rT5mW1yB7cD4fG6hJ0aS", "kX3vQ9nZ2pL8rT5mW1yB7cD4fG6hJ0aS"),
    ("bearer", "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("basic", "Authorization: Basic YWRtaW46czNjcjN0LXBhc3M=", "YWRtaW46czNjcjN0LXBhc3M="),
    ("url-userinfo", "dsn=mysql://shop:Qw3rty-9x@mysql.shop.svc:3306/shop", "Qw3rty-9x"),
    ("env", "DB_PASSWORD=Pa55-w0rd-env", "Pa55-w0rd-env"),
    ("json", r#"{"password": "js0n-Secret-1"}"#, "js0n-Secret-1"),
    ("python-dict", "{'secret_key': 'dj4ng0-K3y-xyz'}", "dj4ng0-K3y-xyz"),
    ("yaml", "clientSecret: 0a1b2c3d4e5f-yaml", "0a1b2c3d4e5f-yaml"),
    ("flag-equals", "--api-key=flagK3y-778", "flagK3y-778"),
    ("query", "GET /cb?code=1&access_token=qT0k3n-556&x=1", "qT0k3n-556"),
    ("go-struct", "{User:app Password:g0Struct-Pw Host:db}", "g0Struct-Pw"),
    ("aws-key-id", "AWS_ACCESS_KEY_ID=AKIAZ7Q3EXAMPLE4KEYS", "Z7Q3EXAMPLE4KEYS"),
    ("aws-secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG"),
    ("github-classic", "clone with ghp_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F292c6912E7710c838347Ae178B4a"),
    ("github-fine-grained", "GITHUB=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU", "11ABCDEFG0123456789_abcdef"),
    ("slack-bot", "posting with xoxb-2048719520-6128309151-Zq8Yw4Rt2Ux6Vp0Ko3Nm", "2048719520-6128309151-Zq8Yw4Rt2Ux6Vp0Ko3Nm"),
    ("slack-webhook", "webhook https://hooks.slack.com/services/T024BE7LD/B01J5Q3KZ7M/aBcDeFgHiJkLmNoPqRsTuVwX", "aBcDeFgHiJkLmNoPqRsTuVwX"),
    ("pem-inline", "TLS_KEY=-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASCpem", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCpem"),
    ("gitlab", "CI_TOKEN glpat-xYz12AbC34dEf56GhI78 used", "xYz12AbC34dEf56GhI78"),
    ("gitlab-runner", "runner token glrt-t1_AbCdEfGhIjKlMnOpQrStU", "t1_AbCdEfGhIjKlMnOpQrStU"),
    ("stripe-live", "charge failed with key sk_live_51H8xYzAbCdEfGhIjKlMnOpQr", "51H8xYzAbCdEfGhIjKlMnOpQr"),
    ("stripe-restricted", "using rk_test_4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc"),
    ("google-api-key", "maps key AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", "SyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
    ("azure-account-key", "DefaultEndpointsProtocol=https;AccountName=shopstore;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;EndpointSuffix=core.windows.net", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50u"),
    ("azure-shared-access-key", "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=Sb9xKq2Lm4Np6Rs8Tu0Vw2Xy4Za6Bc8De0Fg2Hi4Jk=", "Sb9xKq2Lm4Np6Rs8Tu0Vw2Xy4Za6Bc8De0Fg2Hi4Jk="),
    ("azure-sas", "GET https://shop.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-01-01T00:00:00Z&sig=Xk3%2FdGhpc2lzbm90YXJlYWxzaWc%3D", "Xk3%2FdGhpc2lzbm90YXJlYWxzaWc%3D"),
    ("kubeconfig-client-key", "    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB", "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB"),
    ("kubeconfig-token", "    token: kubeconfigT0ken-abcdef0123456789", "kubeconfigT0ken-abcdef0123456789"),
    ("docker-config-auth", r#"{"auths":{"registry.example.com":{"auth":"dXNlcjpkMGNrZXItcGFzcw=="}}}"#, "dXNlcjpkMGNrZXItcGFzcw=="),
    ("vault", "VAULT_TOKEN hvs.CAESIJ1k2l3m4n5o6p7q8r9s0tUvWxYz", "CAESIJ1k2l3m4n5o6p7q8r9s0tUvWxYz"),
    ("openai-project", "using sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90"),
    ("openai-legacy", "key 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", "Ab12Cd34Ef56Gh78Ij90T3BlbkFJ"),
    ("anthropic", "key sk-ant-api03-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56"),
    ("npm", "//registry.npmjs.org/:_authToken=npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"),
    ("sendgrid", "mailer key 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", "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"),
    ("huggingface", "HF hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567", "AbCdEfGhIjKlMnOpQrStUvWxYz01234567"),
    ("digitalocean", "doctl dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef0123456789abcdef"),
    ("flag-space", "starting: /app/server --db-password Sp4ce-Separated", "Sp4ce-Separated"),
    ("prose", "note: the password is Pr0se-Secret!", "Pr0se-Secret"),
    ("pgpassword", "PGPASSWORD=pgP4ss-42 psql -h db", "pgP4ss-42"),
    ("mysql-root", "MYSQL_ROOT_PASSWORD: r00t-Mysql-pw", "r00t-Mysql-pw"),
    ("x-api-key-header", "X-Api-Key: hdrK3y-0987654321", "hdrK3y-0987654321"),
    ("amqp-url", "amqp://orders:rabbit-pass-77@rabbitmq.shop.svc:5672/", "rabbit-pass-77"),
];

#[test]
fn every_secret_type_is_masked_and_masking_is_stable() {
    for (name, line, secret) in SECRET_TYPES {
        let once = redact(line);
        assert!(!once.contains(secret), "{name}: survived: {once}");
        assert_eq!(redact(&once), once, "{name}: not idempotent");
    }
}

#[test]
fn no_secret_type_leaks_in_any_report_format() {
    use clap::ValueEnum;
    use kubectl_diagnose::formats::{render_pod, Format};
    use kubectl_diagnose::report::TableOptions;
    let engine = Engine::new(&RuleSet::builtin().expect("rules")).expect("engine");
    for (name, line, secret) in SECRET_TYPES {
        let text = format!(
            "$ kubectl logs orders-7c9d8f6b5-k2j4x -n shop --previous\n\
             {line} err=\"dial tcp 10.96.12.7:5432: connect: connection refused\"\n"
        );
        let mut ev = Evidence::new();
        let input = parse_reader("orders.log", text.as_bytes(), &engine, &mut ev).expect("parses");
        let mut d = kubectl_diagnose::diagnose(&engine, &ev, vec![input]);
        assert!(
            d.to_json().contains(secret),
            "{name}: the fixture must quote the secret before redaction"
        );
        redact_diagnosis(&mut d);
        let opts = TableOptions {
            max_evidence: 50,
            ..TableOptions::default()
        };
        for f in Format::value_variants() {
            let out = render_pod(&d, *f, &opts, None);
            assert!(!out.contains(secret), "{name} leaks in {f:?}:\n{out}");
        }
    }
}

#[test]
fn redaction_never_changes_a_rules_own_title_or_fix() {
    // A diagnosis whose findings carry every built-in rule's texts, with no input quoted in them.
    let set = RuleSet::builtin().expect("rules");
    let engine = Engine::new(&set).expect("engine");
    let text = "$ kubectl logs web-0 --previous\nerr=\"dial tcp 10.0.0.1:5432: connect: connection refused\"\n";
    let mut ev = Evidence::new();
    let input = parse_reader("x.log", text.as_bytes(), &engine, &mut ev).expect("parses");
    let mut d = kubectl_diagnose::diagnose(&engine, &ev, vec![input]);
    let template = d.findings.first().cloned().expect("a finding");
    // Every text a rule writes itself: title, fix, Chinese fix, and each platform's fixes.
    let mut texts: Vec<String> = Vec::new();
    for r in &set.rules {
        texts.push(r.title.clone());
        texts.push(r.fix.to_string());
        texts.extend(r.fix_zh.as_deref().map(str::to_string));
        for p in r.platforms.values() {
            texts.push(p.fix.clone());
            texts.extend(p.fix_zh.clone());
        }
    }
    d.findings = texts
        .chunks(2)
        .map(|pair| {
            let mut f = template.clone();
            f.captures.clear();
            f.title = pair[0].clone();
            f.fix = pair.get(1).cloned().unwrap_or_default();
            f.fix_zh = None;
            f.generic_fix = None;
            f
        })
        .collect();
    let before: Vec<(String, String, Option<String>, Option<String>)> = d
        .findings
        .iter()
        .map(|f| {
            (
                f.title.clone(),
                f.fix.clone(),
                f.fix_zh.clone(),
                f.generic_fix.clone(),
            )
        })
        .collect();
    redact_diagnosis(&mut d);
    for (f, b) in d.findings.iter().zip(before) {
        assert_eq!(
            (
                f.title.clone(),
                f.fix.clone(),
                f.fix_zh.clone(),
                f.generic_fix.clone()
            ),
            b,
            "redaction changed a rule's own text"
        );
    }
}
