//! Dumps of many pods: `kubectl cluster-info dump` directories and troubleshoot.sh support bundles,
//! as directories and as `.tar.gz` archives. Every failing pod must get its own right top cause,
//! healthy pods none, and logs must be attributed to the pod and container their path names.

use assert_cmd::Command;
use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::parse::dump::{self, DumpKind};
use kubectl_diagnose::parse::{parse_path, InputError, InputSummary, KeepAll};
use kubectl_diagnose::report::Diagnosis;
use kubectl_diagnose::rules::{RuleSet, Severity};
use kubectl_diagnose::sweep::split_by_pod;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/dumps")
}

fn engine() -> Engine {
    Engine::new(&RuleSet::builtin().expect("builtin rules load")).expect("rules compile")
}

const REGISTRY_TIMEOUT: &str = "shop/web-7d9f8c6b5-x2x4p";
const PORT_CONFLICT: [&str; 2] = [
    "shop/storefront-5b7f9c6d8-k8p3z",
    "shop/storefront-5b7f9c6d8-m4t2w",
];
const HEALTHY: [&str; 7] = [
    "shop/catalog-6d8f7c9b4-q9w2e",
    "shop/catalog-6d8f7c9b4-r7t5k",
    "shop/redis-0",
    "shop/db-migrate-28541160-7xk2p",
    "kube-system/coredns-5d78c9869d-4xk2p",
    "kube-system/coredns-5d78c9869d-9fz7m",
    "kube-system/kube-proxy-x8k2d",
];

/// Parses a dump and diagnoses each pod in it: `namespace/name` → diagnosis.
fn diagnose_dump(path: &Path) -> (BTreeMap<String, Diagnosis>, Vec<InputSummary>, Evidence) {
    let engine = engine();
    let mut ev = Evidence::new();
    let inputs = parse_path(path, &engine, &mut ev)
        .unwrap_or_else(|e| panic!("{} parses: {e}", path.display()));
    let mut out = BTreeMap::new();
    for part in split_by_pod(&ev) {
        let key = part
            .pods
            .first()
            .and_then(|p| p.key())
            .unwrap_or_else(|| "(unattributed)".to_string());
        let d = kubectl_diagnose::diagnose(&engine, &part, Vec::new());
        assert!(out.insert(key.clone(), d).is_none(), "{key} twice");
    }
    (out, inputs, ev)
}

fn top(d: &Diagnosis) -> Option<&str> {
    d.findings.first().map(|f| f.id.as_str())
}

fn assert_expected_causes(pods: &BTreeMap<String, Diagnosis>) {
    let keys: Vec<&str> = pods.keys().map(String::as_str).collect();
    assert_eq!(pods.len(), 10, "one diagnosis per pod: {keys:?}");
    assert_eq!(
        top(&pods[REGISTRY_TIMEOUT]),
        Some("image-pull-registry-timeout"),
        "{:#?}",
        pods[REGISTRY_TIMEOUT].findings
    );
    let f = &pods[REGISTRY_TIMEOUT].findings[0];
    assert_eq!(
        f.captures.get("ip").map(String::as_str),
        Some("43.137.86.21")
    );
    for p in PORT_CONFLICT {
        assert_eq!(
            top(&pods[p]),
            Some("port-already-in-use"),
            "{p}: {:#?}",
            pods[p].findings
        );
        assert_eq!(
            pods[p].findings[0].captures.get("port").map(String::as_str),
            Some("80")
        );
    }
    for p in HEALTHY {
        let d = &pods[p];
        let bad: Vec<_> = d
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| &f.id)
            .collect();
        assert!(bad.is_empty(), "healthy pod {p} has findings {bad:?}");
        assert_eq!(
            d.subject.as_ref().and_then(|s| s.name.as_deref()),
            p.split('/').nth(1)
        );
    }
}

#[test]
fn cluster_info_dump_directory_diagnoses_every_failing_pod() {
    let dir = root().join("cluster-info");
    assert_eq!(dump::detect(&dir), Some(DumpKind::ClusterInfoDump));
    let (pods, inputs, _) = diagnose_dump(&dir);
    assert_expected_causes(&pods);
    // Other kinds are skipped; pods, events, nodes and logs are read.
    let names: Vec<&str> = inputs.iter().map(|s| s.name.as_str()).collect();
    assert!(names.iter().all(|n| !n.ends_with("replicasets.json")
        && !n.ends_with("services.json")
        && !n.ends_with("deployments.json")));
    for want in ["nodes.json", "shop/pods.json", "shop/events.json"] {
        assert!(names.iter().any(|n| n.ends_with(want)), "{want}: {names:?}");
    }
    assert_eq!(
        names.iter().filter(|n| n.ends_with("/logs.txt")).count(),
        10
    );
}

#[test]
fn support_bundle_directory_diagnoses_every_failing_pod() {
    let dir = root().join("support-bundle");
    assert_eq!(dump::detect(&dir), Some(DumpKind::SupportBundle));
    let (pods, inputs, _) = diagnose_dump(&dir);
    assert_expected_causes(&pods);
    let names: Vec<&str> = inputs.iter().map(|s| s.name.as_str()).collect();
    for skipped in [
        "analysis.json",
        "version.yaml",
        "namespaces.json",
        "deployments/shop.json",
        "pods-errors.json",
    ] {
        assert!(
            names.iter().all(|n| !n.ends_with(skipped)),
            "{skipped} read: {names:?}"
        );
    }
}

#[test]
fn the_parent_of_an_extracted_bundle_is_a_bundle_too() {
    assert_eq!(dump::detect(&root()), Some(DumpKind::SupportBundle));
    assert_eq!(
        dump::detect(&root().join("cluster-info/shop")),
        Some(DumpKind::ClusterInfoDump)
    );
    assert_eq!(
        dump::detect(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/examples")),
        None
    );
    assert_eq!(dump::detect(&root().join("cluster-info/nodes.json")), None);
}

/// A kept log line: (pod, container, previous, free text, text).
type Line = (Option<String>, Option<String>, Option<bool>, bool, String);

/// Every kept log line.
fn logs_of(path: &Path) -> Vec<Line> {
    let mut ev = Evidence::new();
    parse_path(path, &KeepAll, &mut ev).expect("parses");
    ev.logs
        .iter()
        .map(|l| {
            (
                l.pod.clone(),
                l.container.clone(),
                l.previous,
                l.free_text,
                l.text.clone(),
            )
        })
        .collect()
}

fn find<'a>(logs: &'a [Line], needle: &str) -> &'a Line {
    logs.iter()
        .find(|l| l.4.contains(needle))
        .unwrap_or_else(|| panic!("no log line with {needle}"))
}

fn attr(
    pod: &str,
    c: &str,
    previous: Option<bool>,
) -> (Option<String>, Option<String>, Option<bool>) {
    (Some(pod.to_string()), Some(c.to_string()), previous)
}

#[test]
fn cluster_info_logs_are_attributed_by_their_markers() {
    let logs = logs_of(&root().join("cluster-info"));
    let l = find(&logs, "07:58:27 [emerg] 1#1: bind() to 0.0.0.0:80");
    assert_eq!(
        (l.0.clone(), l.1.clone(), l.2),
        attr(PORT_CONFLICT[0], "web", Some(false))
    );
    assert!(!l.3, "a log line, not free text");
    let l = find(&logs, "scraping http://127.0.0.1:9113/metrics");
    assert_eq!(l.0.as_deref(), Some(PORT_CONFLICT[0]));
    assert_eq!(l.1.as_deref(), Some("sidecar"));
    let l = find(&logs, "Redis is starting");
    assert_eq!(
        (l.0.clone(), l.1.clone()),
        (Some("shop/redis-0".into()), Some("redis".into()))
    );
    // No log line is left without its pod (an empty EventList is scanned as free text).
    assert!(
        logs.iter().filter(|l| !l.3).all(|l| l.0.is_some()),
        "{logs:#?}"
    );
    assert!(logs.iter().filter(|l| l.3).all(|l| !l.4.contains("emerg")));
}

#[test]
fn support_bundle_logs_are_attributed_by_their_path() {
    let logs = logs_of(&root().join("support-bundle"));
    let m4 = PORT_CONFLICT[1];
    let prev = find(&logs, "2024/04/03 07:52:38 [emerg] 1#1: bind()");
    assert_eq!(
        (prev.0.clone(), prev.1.clone(), prev.2),
        attr(m4, "web", Some(true))
    );
    let cur = find(&logs, "2024/04/03 07:59:47 [emerg] 1#1: bind()");
    assert_eq!(
        (cur.0.clone(), cur.1.clone(), cur.2),
        attr(m4, "web", Some(false))
    );
    // A `logs` collector: <collector>/<ns>/<pod>/<container>.log
    let l = find(&logs, "Started CatalogApplication");
    assert_eq!(l.0.as_deref(), Some("shop/catalog-6d8f7c9b4-q9w2e"));
    assert_eq!(l.1.as_deref(), Some("catalog"));
    assert_eq!(l.2, Some(false));
    let l = find(&logs, "CoreDNS-1.11.1");
    assert_eq!(l.0.as_deref(), Some("kube-system/coredns-5d78c9869d-4xk2p"));
}

/// Writes `dir` into a gzipped tar at `out`, entries named `<dir name>/<relative path>`, files in
/// the same order as a directory walk (sorted per directory, depth first).
fn tar_gz(dir: &Path, out: &Path) {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("fixture dir")
            .map(|e| e.expect("fixture entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, files);
            } else {
                files.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    let base = dir.file_name().expect("named dir");
    let f = std::fs::File::create(out).expect("create archive");
    let gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    for p in files {
        let rel = p.strip_prefix(dir).expect("under dir");
        b.append_path_with_name(&p, Path::new(base).join(rel))
            .expect("append");
    }
    b.into_inner()
        .expect("finish tar")
        .finish()
        .expect("finish gzip");
}

/// Each pod's diagnosis as JSON, with input names made independent of where the dump was read.
fn normalised(
    pods: &BTreeMap<String, Diagnosis>,
    from: &str,
    to: &str,
) -> BTreeMap<String, String> {
    pods.iter()
        .map(|(k, d)| (k.clone(), d.to_json().replace(from, to)))
        .collect()
}

#[test]
fn archives_give_the_same_diagnoses_as_directories() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, archive, kind) in [
        (
            "cluster-info",
            "cluster-info.tar.gz",
            DumpKind::ClusterInfoDump,
        ),
        (
            "support-bundle",
            "support-bundle.tgz",
            DumpKind::SupportBundle,
        ),
    ] {
        let dir = root().join(name);
        let arc = tmp.path().join(archive);
        tar_gz(&dir, &arc);
        assert_eq!(dump::detect(&arc), Some(kind), "{archive}");
        let (from_dir, dir_inputs, _) = diagnose_dump(&dir);
        let (from_arc, arc_inputs, _) = diagnose_dump(&arc);
        assert_expected_causes(&from_arc);
        let arc_prefix = format!("{}:{name}/", arc.display());
        let dir_prefix = format!("{}/", dir.display());
        assert_eq!(
            normalised(&from_dir, &dir_prefix, "DUMP/"),
            normalised(&from_arc, &arc_prefix, "DUMP/"),
            "{archive}"
        );
        // Entries are named archive:path, and the same files are read.
        let dn: Vec<String> = dir_inputs
            .iter()
            .map(|s| s.name.replace(&dir_prefix, "DUMP/"))
            .collect();
        let an: Vec<String> = arc_inputs
            .iter()
            .map(|s| s.name.replace(&arc_prefix, "DUMP/"))
            .collect();
        assert_eq!(dn, an);
        assert!(arc_inputs[0].name.starts_with(&arc_prefix));
    }
}

#[test]
fn yaml_cluster_info_dump_gives_the_same_causes() {
    // `kubectl cluster-info dump -o yaml`: the same lists as YAML.
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = root().join("cluster-info");
    let dst = tmp.path().join("dump-yaml");
    fn copy(src: &Path, dst: &Path) {
        std::fs::create_dir_all(dst).expect("mkdir");
        for e in std::fs::read_dir(src).expect("read fixture") {
            let p = e.expect("entry").path();
            let name = p.file_name().expect("name").to_owned();
            if p.is_dir() {
                copy(&p, &dst.join(name));
            } else if p.extension().is_some_and(|x| x == "json") {
                let v: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("json");
                let y = serde_yaml::to_string(&v).expect("yaml");
                std::fs::write(dst.join(name).with_extension("yaml"), y).expect("write");
            } else {
                std::fs::copy(&p, dst.join(name)).expect("copy");
            }
        }
    }
    copy(&src, &dst);
    assert_eq!(dump::detect(&dst), Some(DumpKind::ClusterInfoDump));
    let (pods, inputs, _) = diagnose_dump(&dst);
    assert_expected_causes(&pods);
    assert!(inputs.iter().any(
        |s| s.name.ends_with("shop/pods.yaml") && s.segments.iter().any(|g| g.format == "yaml")
    ));
}

#[test]
fn a_corrupt_archive_is_one_clean_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut ev = Evidence::new();

    // Not gzip at all.
    let junk = tmp.path().join("dump.tar.gz");
    std::fs::write(&junk, b"this is not an archive\n").expect("write");
    let err = parse_path(&junk, &KeepAll, &mut ev).expect_err("junk is refused");
    assert!(matches!(err, InputError::Io { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("dump.tar.gz") && msg.contains("archive"),
        "{msg}"
    );
    assert_eq!(dump::detect(&junk), None);

    // A gzip header followed by garbage.
    let bad = tmp.path().join("bad.tgz");
    std::fs::write(
        &bad,
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef],
    )
    .expect("write");
    let err = parse_path(&bad, &KeepAll, &mut ev).expect_err("bad gzip is refused");
    assert!(err.to_string().contains("bad.tgz"), "{err}");

    // Cut in the middle: what was read is kept, the damage is reported, nothing panics.
    let good = tmp.path().join("cluster-info.tar.gz");
    tar_gz(&root().join("cluster-info"), &good);
    let bytes = std::fs::read(&good).expect("read");
    let cut = tmp.path().join("cut.tar.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let mut ev = Evidence::new();
    match parse_path(&cut, &KeepAll, &mut ev) {
        Ok(inputs) => {
            assert!(!inputs.is_empty());
            assert!(
                ev.not_checked.iter().any(|n| n.what.contains("cut.tar.gz")),
                "{:#?}",
                ev.not_checked
            );
        }
        Err(e) => assert!(e.to_string().contains("cut.tar.gz"), "{e}"),
    }
}

#[test]
fn a_bad_entry_is_not_checked_and_the_rest_is_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let arc = tmp.path().join("mixed.tar.gz");
    let f = std::fs::File::create(&arc).expect("create");
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        f,
        flate2::Compression::fast(),
    ));
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).expect("append");
    };
    add(
        "dump/shop/heap.hprof",
        b"JAVA PROFILE 1.0.2\x00\x00\x00\x04",
    );
    add("dump/shop/empty.txt", b"");
    add(
        "dump/shop/storefront-5b7f9c6d8-m4t2w/logs.txt",
        b"==== START logs for container web of pod shop/storefront-5b7f9c6d8-m4t2w ====\n\
          nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n\
          ==== END logs for container web of pod shop/storefront-5b7f9c6d8-m4t2w ====\n",
    );
    b.into_inner().expect("tar").finish().expect("gzip");
    let mut ev = Evidence::new();
    let inputs = parse_path(&arc, &KeepAll, &mut ev).expect("the good entry is read");
    assert_eq!(inputs.len(), 1);
    let whats: Vec<&str> = ev.not_checked.iter().map(|n| n.what.as_str()).collect();
    assert!(
        whats
            .iter()
            .any(|w| w.ends_with("mixed.tar.gz:dump/shop/heap.hprof")),
        "{whats:?}"
    );
    assert!(whats.iter().any(|w| w.ends_with("empty.txt")), "{whats:?}");
    assert_eq!(
        ev.logs[0].pod.as_deref(),
        Some("shop/storefront-5b7f9c6d8-m4t2w")
    );
    assert_eq!(ev.logs[0].container.as_deref(), Some("web"));
}

#[test]
fn a_gzipped_log_file_is_read_as_text() {
    use std::io::Write;
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = tmp.path().join("web.log.gz");
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(&p).expect("create"),
        flate2::Compression::fast(),
    );
    e.write_all(b"nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n")
        .expect("write");
    e.finish().expect("gzip");
    let mut ev = Evidence::new();
    let inputs = parse_path(&p, &KeepAll, &mut ev).expect("reads");
    assert_eq!(inputs.len(), 1);
    assert_eq!(ev.logs.len(), 1);
}

fn bin() -> Command {
    let mut c = Command::cargo_bin("kubectl-diagnose").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR").env("COLUMNS", "140");
    c
}

#[test]
fn the_binary_diagnoses_a_dump_directory() {
    let out = bin()
        .args(["file", "testdata/dumps/cluster-info", "-o", "json"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str::<serde_json::Value>(&stdout).expect("JSON output");
    for id in [REGISTRY_TIMEOUT, PORT_CONFLICT[0], PORT_CONFLICT[1]] {
        let name = id.split('/').nth(1).expect("ns/name");
        assert!(stdout.contains(name), "{id} not in output");
    }
}

#[test]
fn the_binary_refuses_a_corrupt_archive_with_exit_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let junk = tmp.path().join("dump.tar.gz");
    std::fs::write(&junk, b"\x1f\x8b\x08\x00garbage").expect("write");
    let out = bin().arg("file").arg(&junk).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("dump.tar.gz") && !err.contains("panicked"),
        "{err}"
    );
}

/// Builds a `.tar.gz` holding `dump/<ns>/pods.json` whose body is `body_lines` repeats of `line`
/// between `head` and `tail`, plus one real failing pod's log, without holding the body in memory.
fn bomb(path: &Path, head: &str, line: &str, body_lines: usize, tail: &str) {
    use std::io::Write;
    let size = head.len() + line.len() * body_lines + tail.len();
    let f = std::fs::File::create(path).expect("create");
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        f,
        flate2::Compression::fast(),
    ));
    let mut h = tar::Header::new_gnu();
    h.set_size(size as u64);
    h.set_mode(0o644);
    h.set_cksum();
    // A reader that produces the body on the fly.
    struct Body<'a> {
        parts: Vec<&'a [u8]>,
        repeat: (usize, &'a [u8]),
        stage: usize,
        pos: usize,
    }
    impl std::io::Read for Body<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            loop {
                let cur: &[u8] = match self.stage {
                    0 => self.parts[0],
                    1 if self.repeat.0 > 0 => self.repeat.1,
                    1 => {
                        self.stage = 2;
                        continue;
                    }
                    2 => self.parts[1],
                    _ => return Ok(0),
                };
                if self.pos == cur.len() {
                    self.pos = 0;
                    if self.stage == 1 {
                        self.repeat.0 -= 1;
                    } else {
                        self.stage += 1;
                    }
                    continue;
                }
                if self.stage == 1 && self.pos == 0 {
                    // Whole repeats at once, so the archive is written in big blocks.
                    let whole = (buf.len() / cur.len()).min(self.repeat.0);
                    if whole > 0 {
                        for chunk in buf.chunks_mut(cur.len()).take(whole) {
                            chunk.copy_from_slice(cur);
                        }
                        self.repeat.0 -= whole;
                        return Ok(whole * cur.len());
                    }
                }
                let n = buf.len().min(cur.len() - self.pos);
                buf[..n].copy_from_slice(&cur[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
        }
    }
    let body = Body {
        parts: vec![head.as_bytes(), tail.as_bytes()],
        repeat: (body_lines, line.as_bytes()),
        stage: 0,
        pos: 0,
    };
    b.append_data(&mut h, "dump/shop/pods.json", body)
        .expect("append");
    let log = b"==== START logs for container web of pod shop/storefront-5b7f9c6d8-m4t2w ====\n\
          nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n\
          ==== END logs for container web of pod shop/storefront-5b7f9c6d8-m4t2w ====\n";
    let mut h = tar::Header::new_gnu();
    h.set_size(log.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(
        &mut h,
        "dump/shop/storefront-5b7f9c6d8-m4t2w/logs.txt",
        &log[..],
    )
    .expect("append");
    let mut gz = b.into_inner().expect("tar");
    gz.flush().expect("flush");
    gz.finish().expect("gzip");
}

/// Runs the binary on `path` with its data segment (heap and private mappings) limited to
/// `limit_mib`, so a run that tries to hold the input in memory dies instead of passing.
fn run_limited(path: &Path, limit_mib: u64) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let exe = assert_cmd::cargo::cargo_bin("kubectl-diagnose");
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("file").arg(path).args(["-o", "json"]);
    let bytes = limit_mib * 1024 * 1024;
    // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_DATA, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().expect("runs")
}

#[test]
fn an_archive_bomb_of_list_items_is_read_in_bounded_memory() {
    // 48 MiB of ` 0,` items in a PodList (the archive is a few hundred KiB): holding the document
    // and its parsed form (32 bytes a number) would take more than 400 MiB.
    let tmp = tempfile::tempdir().expect("tempdir");
    let arc = tmp.path().join("bomb.tar.gz");
    bomb(
        &arc,
        "{\"kind\":\"PodList\",\"items\":[\n",
        " 0,\n",
        12 * 1024 * 1024,
        "0]}\n",
    );
    assert!(std::fs::metadata(&arc).expect("archive").len() < 4 * 1024 * 1024);
    let out = run_limited(&arc, 256);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("port-already-in-use"), "{stdout}");
}

#[test]
fn an_oversized_list_item_is_not_checked_in_bounded_memory() {
    // One "pod" whose spec holds 64 MiB of numbers: reading stops at the item limit and says so.
    // Only the first 2 MiB are read, so this is fast.
    let tmp = tempfile::tempdir().expect("tempdir");
    let arc = tmp.path().join("huge-item.tar.gz");
    bomb(
        &arc,
        "{\"kind\":\"PodList\",\"items\":[{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"n\":[\n",
        " 0,\n",
        16 * 1024 * 1024,
        "0]}}]}\n",
    );
    let out = run_limited(&arc, 256);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let notes = v.to_string();
    assert!(
        notes.contains("pods.json") && notes.contains("larger than 2 MiB"),
        "{notes}"
    );
}
