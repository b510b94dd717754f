//! YAML and JSON objects: the bytes behind a `kind: Pod` header (YAML) and as a JSON document, through
//! the paste parser and the API-object converter live mode uses.
#![no_main]
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::parse::{api_object_to_evidence, parse_reader, KeepAll};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut ev = Evidence::new();
    let yaml = format!("apiVersion: v1\nkind: Pod\n{text}");
    let _ = parse_reader("fuzz.yaml", yaml.as_bytes(), &KeepAll, &mut ev);
    let json = format!("{{\"kind\":\"Pod\",{text}");
    let _ = parse_reader("fuzz.json", json.as_bytes(), &KeepAll, &mut ev);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = api_object_to_evidence(&v, "fuzz", &mut ev);
    }
});
