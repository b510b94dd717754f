//! Archives and dumps: any bytes as a `.tar.gz` (and as a plain `.tar`) read through `file`'s path
//! entry point, which streams entries and their object lists.
#![no_main]
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::parse::{parse_path, KeepAll};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    for name in ["dump.tar.gz", "dump.tar", "pods.json"] {
        let p = dir.path().join(name);
        if std::fs::write(&p, data).is_ok() {
            let mut ev = Evidence::new();
            let _ = parse_path(&p, &KeepAll, &mut ev);
        }
    }
});
