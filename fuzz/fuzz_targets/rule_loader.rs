//! A user's rule file: any text must load or fail with an error, never panic; a rule that loads must
//! compile into an engine.
#![no_main]
use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::rules::{Rule, RuleSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(rule) = Rule::from_yaml("fuzz.yaml", &text) {
        let Ok(dir) = tempfile::tempdir() else {
            return;
        };
        let p = dir.path().join(format!("{}.yaml", rule.id));
        if std::fs::write(&p, text.as_bytes()).is_ok() {
            if let Ok(mut set) = RuleSet::builtin() {
                if set.extend_from_dir(dir.path()).is_ok() {
                    let _ = Engine::new(&set);
                }
            }
        }
    }
});
