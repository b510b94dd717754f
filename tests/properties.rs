//! Property tests (stable Rust, part of `cargo test`) over the entry points that take untrusted input:
//! the paste parser, the rule loader and redaction. They pin the properties the fuzz targets look for:
//! no panic on any input, and redaction that is idempotent and never grows a clean text.

use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::parse::{parse_reader, KeepAll};
use kubectl_diagnose::redact::redact;
use kubectl_diagnose::rules::Rule;
use proptest::prelude::*;

/// Pieces real inputs are made of, so random strings reach the interesting states (a URL user-info, a
/// quoted key, a secret flag, a PEM marker, describe and event headers) far more often than bytes would.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("://".to_string()),
        Just("\"auth\":\"".to_string()),
        Just("'token': '".to_string()),
        Just("password".to_string()),
        Just(" is ".to_string()),
        Just("--db-password ".to_string()),
        Just("@".to_string()),
        Just(":".to_string()),
        Just("=".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("****".to_string()),
        Just("Bearer ".to_string()),
        Just("-----BEGIN PRIVATE KEY-----".to_string()),
        Just("-----END PRIVATE KEY-----".to_string()),
        Just("&sig=".to_string()),
        Just("glpat-".to_string()),
        Just("Events:\n  Type    Reason   Age  From     Message\n".to_string()),
        Just("State:          Waiting\n      Reason:       CrashLoopBackOff\n".to_string()),
        Just("apiVersion: v1\nkind: Pod\n".to_string()),
        Just("items:\n- kind: Pod\n  metadata:\n    name: a\n".to_string()),
        Just(
            "status:\n  containerStatuses:\n  - name: app\n    lastState: {terminated: ["
                .to_string()
        ),
        Just("\n  ".to_string()),
        Just("\n- ".to_string()),
        Just("{\"kind\":\"Pod\",\"status\":{".to_string()),
        Just("$ kubectl logs x --previous\n".to_string()),
        "[a-zA-Z0-9_.+/-]{1,24}",
        "\\PC{0,8}",
    ]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..24).prop_map(|v| v.concat())
}

proptest! {
    // PROPTEST_CASES raises the count for a longer local run (`PROPTEST_CASES=20000 cargo test --test properties`).
    #![proptest_config(ProptestConfig { cases: cases(), .. ProptestConfig::default() })]

    #[test]
    fn redaction_is_idempotent(s in text()) {
        let once = redact(&s).into_owned();
        let twice = redact(&once).into_owned();
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn parsing_any_text_never_panics_and_counts_every_line(s in text()) {
        let mut ev = Evidence::new();
        if let Ok(summary) = parse_reader("prop.txt", s.as_bytes(), &KeepAll, &mut ev) {
            prop_assert!(summary.bytes as usize <= s.len());
        }
    }

    #[test]
    fn parsing_any_bytes_never_panics(b in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut ev = Evidence::new();
        let _ = parse_reader("bytes.bin", b.as_slice(), &KeepAll, &mut ev);
    }

    #[test]
    fn loading_any_rule_text_never_panics(s in text()) {
        let _ = Rule::from_yaml("prop.yaml", &format!("id: x\nmatch:\n  any:\n    - log:\n        text: '{s}'\n"));
        let _ = Rule::from_yaml("prop.yaml", &s);
    }
}
