//! Any bytes as a paste: the parser and the whole diagnosis must never panic.
#![no_main]
use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::rules::RuleSet;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let set = RuleSet::builtin().expect("built-in rules load");
        Engine::new(&set).expect("engine builds")
    })
}

fuzz_target!(|data: &[u8]| {
    let mut ev = Evidence::new();
    if let Ok(input) = kubectl_diagnose::parse::parse_reader("fuzz.txt", data, engine(), &mut ev) {
        let _ = kubectl_diagnose::diagnose(engine(), &ev, vec![input]);
    }
});
