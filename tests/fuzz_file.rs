//! A deterministic fuzzer over the whole `kubectl-diagnose file` pipeline, in process and fast
//! enough for every `cargo test` (a few seconds in a debug build): real pastes from
//! testdata/realworld/cases are spliced together, cut at any byte (inside a UTF-8 character too),
//! given flipped bytes, huge numbers, long lines and deep indentation, or re-encoded as UTF-16;
//! each result is parsed, diagnosed, redacted and rendered in every output format at odd widths
//! and budgets. No step may panic. A failure prints the seed and the mutation and writes the input
//! to a file so that it can be replayed with `kubectl-diagnose file`. A second test does the same
//! with the dumps of testdata/dumps packed as tar or tar.gz archives, with files cut short and the
//! archive cut or damaged.
//!
//! `FUZZ_ITERATIONS` and `FUZZ_ARCHIVES` run more inputs (the defaults keep the tests fast);
//! `FUZZ_SEED` another sequence.

use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::output::{self, Format};
use kubectl_diagnose::report::TableOptions;
use kubectl_diagnose::rules::{RuleSet, Severity};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// xorshift64*: the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every pasted case of the real-world corpus (name, bytes), smallest first so that a short run
/// still covers many layouts.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/realworld/cases");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("testdata/realworld/cases is readable")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            std::fs::read(e.path()).ok().map(|b| (name, b))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() > 100, "the corpus has {} cases", out.len());
    out
}

/// Lines `from..to` (clamped) of a text, with their newlines.
fn line_range(b: &[u8], from: usize, len: usize) -> Vec<u8> {
    let lines: Vec<&[u8]> = b.split_inclusive(|&c| c == b'\n').collect();
    let from = from.min(lines.len());
    let to = from.saturating_add(len).min(lines.len());
    lines[from..to].concat()
}

/// Strange bytes a byte flip writes: NUL, a lone continuation byte, the start of a 4-byte
/// character, CR, ESC, TAB, a BOM byte, and the delimiters the parsers split on.
const ODD_BYTES: &[u8] = b"\x00\x80\xf0\r\x1b\t\xef\xff:|[]{}\"' \n-#";

const HUGE: &[&str] = &[
    "99999999999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "4294967296",
    "1e999",
    "NaN",
    "0x",
    "",
];

/// One mutated input and a short description of how it was made.
fn mutate(rng: &mut Rng, cases: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let (name, base) = rng.pick(cases);
    match rng.below(9) {
        // Pieces of several cases one after another: layouts interrupt each other mid-table.
        0 => {
            let mut out = Vec::new();
            let mut names = Vec::new();
            for _ in 0..1 + rng.below(5) {
                let (n, b) = rng.pick(cases);
                let lines = b.iter().filter(|&&c| c == b'\n').count() + 1;
                let from = rng.below(lines);
                out.extend(line_range(b, from, 1 + rng.below(12)));
                names.push(format!("{n}@{from}"));
            }
            (format!("splice {}", names.join(" + ")), out)
        }
        // Cut short at any byte, inside a character too.
        1 => {
            let at = rng.below(base.len() + 1);
            (format!("{name} cut at byte {at}"), base[..at].to_vec())
        }
        // A few bytes flipped to odd values.
        2 => {
            let mut b = base.clone();
            let n = 1 + rng.below(8);
            for _ in 0..n {
                if b.is_empty() {
                    break;
                }
                let i = rng.below(b.len());
                b[i] = *rng.pick(ODD_BYTES);
            }
            (format!("{name} with {n} bytes flipped"), b)
        }
        // UTF-16, with or without a byte-order mark, sometimes of odd length.
        3 => {
            let text = String::from_utf8_lossy(base);
            let be = rng.below(2) == 0;
            let mut b: Vec<u8> = Vec::new();
            if rng.below(3) > 0 {
                b.extend(if be { [0xfe, 0xff] } else { [0xff, 0xfe] });
            }
            for u in text.encode_utf16() {
                b.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            if rng.below(2) == 0 {
                let at = rng.below(b.len() + 1);
                b.truncate(at);
            }
            (
                format!(
                    "{name} as UTF-16{} ({} bytes)",
                    if be { "BE" } else { "LE" },
                    b.len()
                ),
                b,
            )
        }
        // Every number replaced by a huge (or malformed) one.
        4 => {
            let text = String::from_utf8_lossy(base);
            let huge = *rng.pick(HUGE);
            let mut out = String::with_capacity(text.len());
            let mut in_digits = false;
            for c in text.chars() {
                if c.is_ascii_digit() {
                    if !in_digits {
                        out.push_str(huge);
                    }
                    in_digits = true;
                } else {
                    in_digits = false;
                    out.push(c);
                }
            }
            (format!("{name} with numbers as {huge:?}"), out.into_bytes())
        }
        // One line repeated very long, or indented very deep.
        5 => {
            let lines = base.iter().filter(|&&c| c == b'\n').count() + 1;
            let at = rng.below(lines);
            let line = line_range(base, at, 1);
            let line = line.strip_suffix(b"\n").unwrap_or(&line).to_vec();
            let mut out = line_range(base, 0, at);
            if rng.below(2) == 0 {
                // Long, not huge: lines over 64 KiB are cut (tested elsewhere) and a debug build
                // scans a long line slowly.
                out.extend(line.repeat(1 + 8_000 / (line.len() + 1)));
            } else {
                out.extend(b" ".repeat(5000));
                out.extend(&line);
            }
            out.push(b'\n');
            out.extend(line_range(base, at + 1, usize::MAX));
            (format!("{name} with line {at} made long"), out)
        }
        // Lines dropped at random: tables lose their headers, blocks their openings.
        6 => {
            let keep = 1 + rng.below(4);
            let out: Vec<u8> = base
                .split_inclusive(|&c| c == b'\n')
                .filter(|_| rng.below(keep + 1) != 0)
                .flatten()
                .copied()
                .collect();
            (format!("{name} with lines dropped"), out)
        }
        // Whitespace changed: tabs for spaces, CRLF, indentation taken off.
        7 => {
            let text = String::from_utf8_lossy(base);
            let (how, out) = match rng.below(3) {
                0 => ("tabs", text.replace("  ", "\t")),
                1 => ("CRLF", text.replace('\n', "\r\n")),
                _ => (
                    "no indentation",
                    text.lines()
                        .map(|l| l.trim_start())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            };
            (format!("{name} with {how}"), out.into_bytes())
        }
        // Quoting and markup a forum adds: a Markdown quote, code fences, line numbers.
        _ => {
            let text = String::from_utf8_lossy(base);
            let (how, out) = match rng.below(3) {
                0 => (
                    "quoted",
                    text.lines().map(|l| format!("> {l}\n")).collect::<String>(),
                ),
                1 => ("fenced", format!("```\n{text}\n```\n")),
                _ => (
                    "numbered",
                    text.lines()
                        .enumerate()
                        .map(|(i, l)| format!("{:>4} {l}\n", i + 1))
                        .collect::<String>(),
                ),
            };
            (format!("{name} {how}"), out.into_bytes())
        }
    }
}

const FORMATS: &[Format] = &[
    Format::Table,
    Format::Json,
    Format::Yaml,
    Format::Junit,
    Format::Sarif,
    Format::Github,
    Format::Markdown,
];

/// What `kubectl-diagnose file` does with one input, every step of it.
fn pipeline(engine: &Engine, input: &[u8], rng: &mut Rng) {
    let mut ev = Evidence::new();
    let Ok(summary) = kubectl_diagnose::parse::parse_reader("fuzz.txt", input, engine, &mut ev)
    else {
        return; // a clear error is a fine answer
    };
    let opts = TableOptions {
        width: *rng.pick(&[0, 1, 2, 7, 20, 40, 80, 100, u16::MAX]),
        chinese: rng.below(2) == 0,
        color: rng.below(4) == 0,
        max_evidence: rng.below(5),
        sarif_artifact: None,
    };
    let fail_on = Some(Severity::Warning);
    let budget = *rng.pick(&[1, 10, 200, 2000]);
    match output::pasted_sweep_report(engine, &ev, "files", "fuzz.txt") {
        Some(mut r) => {
            kubectl_diagnose::redact::redact_sweep(&mut r);
            for f in FORMATS {
                output::render_sweep(&r, *f, &opts, fail_on);
            }
            kubectl_diagnose::agent::render_sweep(&r, budget);
        }
        None => {
            let mut d = kubectl_diagnose::diagnose(engine, &ev, vec![summary]);
            kubectl_diagnose::redact::redact_diagnosis(&mut d);
            for f in FORMATS {
                output::render_pod(&d, *f, &opts, fail_on);
            }
            kubectl_diagnose::agent::render_pod(&d, budget);
            d.to_json();
        }
    }
}

#[test]
fn mutated_pastes_never_panic_anywhere_in_the_file_pipeline() {
    let cases = corpus();
    let engine = Engine::from_set(RuleSet::builtin().expect("built-in rules load"))
        .expect("built-in rules compile");
    let seed = env_num("FUZZ_SEED", 0x6b75_6265_6374_6c21);
    let iterations = env_num("FUZZ_ITERATIONS", 150);
    let mut rng = Rng(seed.max(1));
    // A panic message once per failure, not the default hook's backtrace for each.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    for i in 0..iterations {
        let (how, input) = mutate(&mut rng, &cases);
        let mut inner = Rng(rng.next() | 1);
        let t0 = std::time::Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| pipeline(&engine, &input, &mut inner)));
        if std::env::var_os("FUZZ_TIMES").is_some() {
            eprintln!(
                "{:>8.3}s {} bytes {how}",
                t0.elapsed().as_secs_f64(),
                input.len()
            );
        }
        if let Err(p) = result {
            let msg = panic_message(&p);
            let path = std::env::temp_dir().join(format!("fuzz-file-{seed:x}-{i}.txt"));
            std::fs::write(&path, &input).ok();
            failures.push(format!(
                "iteration {i} ({how}): panicked: {msg}\n  input: {}",
                path.display()
            ));
        }
    }
    std::panic::set_hook(hook);
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {iterations} inputs panicked (FUZZ_SEED={seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every file under `dir` (relative path, bytes), in path order.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)
            .expect("dump dir is readable")
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let (Ok(rel), Ok(b)) = (p.strip_prefix(dir), std::fs::read(&p)) {
                out.push((rel.to_string_lossy().into_owned(), b));
            }
        }
    }
    out.sort();
    out
}

/// A tar archive of `files` under `root/`, gzipped when `gz`.
fn archive(root: &str, files: &[(String, Vec<u8>)], gz: bool) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("{root}/{name}"), &data[..])
            .expect("tar entry");
    }
    let tar = b.into_inner().expect("tar");
    if !gz {
        return tar;
    }
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut e, &tar).expect("gzip");
    e.finish().expect("gzip")
}

#[test]
fn damaged_dump_archives_never_panic() {
    let engine = Engine::from_set(RuleSet::builtin().expect("built-in rules load"))
        .expect("built-in rules compile");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/dumps");
    let dumps = [
        ("cluster-info", tree(&root.join("cluster-info"))),
        ("support-bundle", tree(&root.join("support-bundle"))),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = env_num("FUZZ_SEED", 0x6b75_6265_6374_6c21);
    let iterations = env_num("FUZZ_ARCHIVES", 24);
    let mut rng = Rng(seed.max(1) ^ 0xa5a5);
    let mut failures = Vec::new();
    for i in 0..iterations {
        let (name, files) = rng.pick(&dumps);
        // A few of its files, some of them damaged JSON or cut logs.
        let mut chosen: Vec<(String, Vec<u8>)> = files
            .iter()
            .filter(|_| rng.below(3) != 0)
            .cloned()
            .collect();
        for (_, data) in chosen.iter_mut() {
            if rng.below(4) == 0 {
                let at = rng.below(data.len() + 1);
                data.truncate(at);
            }
        }
        let gz = rng.below(2) == 0;
        let mut bytes = archive(name, &chosen, gz);
        let how = match rng.below(3) {
            0 => {
                let at = rng.below(bytes.len() + 1);
                bytes.truncate(at);
                format!("cut at byte {at}")
            }
            1 => {
                for _ in 0..1 + rng.below(6) {
                    let at = rng.below(bytes.len());
                    bytes[at] = *rng.pick(ODD_BYTES);
                }
                "bytes flipped".to_string()
            }
            _ => "whole".to_string(),
        };
        let how = format!(
            "{name} ({} files) as {}, {how}",
            chosen.len(),
            if gz { "tar.gz" } else { "tar" }
        );
        let path = dir
            .path()
            .join(format!("{name}-{i}.{}", if gz { "tar.gz" } else { "tar" }));
        std::fs::write(&path, &bytes).expect("write archive");
        let mut inner = Rng(rng.next() | 1);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut ev = Evidence::new();
            if let Ok(inputs) = kubectl_diagnose::parse::parse_path(&path, &engine, &mut ev) {
                let src = path.display().to_string();
                match output::pasted_sweep_report(&engine, &ev, name, &src) {
                    Some(r) => {
                        output::render_sweep(&r, Format::Table, &TableOptions::default(), None);
                        kubectl_diagnose::agent::render_sweep(&r, *inner.pick(&[1, 2000]));
                    }
                    None => {
                        let d = kubectl_diagnose::diagnose(&engine, &ev, inputs);
                        output::render_pod(&d, Format::Table, &TableOptions::default(), None);
                    }
                }
            }
        }));
        if let Err(p) = result {
            let msg = panic_message(&p);
            let keep = std::env::temp_dir().join(path.file_name().unwrap_or_default());
            std::fs::copy(&path, &keep).ok();
            failures.push(format!(
                "iteration {i} ({how}): panicked: {msg}\n  input: {}",
                keep.display()
            ));
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {iterations} archives panicked (FUZZ_SEED={seed})",
        failures.len()
    );
}

/// The text a panic was raised with (`panic!("...")` gives a `&str` or a `String`).
fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
