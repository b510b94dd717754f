//! Redaction: never panics, and is idempotent (redacting redacted text changes nothing).
#![no_main]
use kubectl_diagnose::redact::redact;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = redact(&text).into_owned();
    let twice = redact(&once).into_owned();
    assert_eq!(once, twice, "redaction is not idempotent");
});
