//! Throughput and memory benchmark: `cargo bench --bench throughput`.
//!
//! Generates a realistic pasted dump — a `kubectl describe pod`, an events table, then a large
//! container log of access lines, JSON log lines and Java stack traces with a bind failure and a DNS
//! error sprinkled in — writes it to a temporary file, and pipes it through the release binary's
//! `file -` (stdin) several times. Reports MB/s and the child's peak resident memory for each size, so
//! the README can show that memory does not grow with input size.
//!
//! Sizes default to 64 MiB and 512 MiB; override with `BENCH_SIZES_MB=16,128`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

const HEADER: &str = include_str!("../testdata/examples/crashloop-port-conflict.txt");

fn generate(path: &std::path::Path, target_bytes: u64) -> std::io::Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    w.write_all(HEADER.as_bytes())?;
    w.write_all(b"\n$ kubectl logs web-7d9f8c6b5-x2x4p -c web --previous\n")?;
    let mut written = HEADER.len() as u64;
    let mut i: u64 = 0;
    // A small deterministic PRNG so every run generates the same bytes.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    while written < target_bytes {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let line = match i % 10 {
            0..=5 => format!(
                "10.0.{}.{} - - [03/Apr/2024:07:52:{:02} +0000] \"GET /api/v1/orders/{} HTTP/1.1\" 200 {} \"-\" \"kube-probe/1.28\"\n",
                seed % 255, (seed >> 8) % 255, i % 60, seed % 100_000, 512 + seed % 4096
            ),
            6 | 7 => format!(
                "{{\"ts\":\"2024-04-03T07:52:{:02}.{:03}Z\",\"level\":\"info\",\"msg\":\"order processed\",\"order_id\":{},\"latency_ms\":{}}}\n",
                i % 60, seed % 1000, seed % 1_000_000, seed % 250
            ),
            8 => "\tat com.example.orders.OrderService.process(OrderService.java:142)\n".to_string(),
            _ => {
                if i % 100_000 == 9 {
                    "2024/04/03 07:52:42 [emerg] 24#24: bind() to 0.0.0.0:80 failed (98: Address in use)\n".to_string()
                } else if i % 250_000 == 19 {
                    "Caused by: java.net.UnknownHostException: orders-db.prod.svc.cluster.local: Temporary failure in name resolution\n".to_string()
                } else {
                    format!("2024-04-03 07:52:{:02} WARN  [pool-{}-thread-{}] slow query took {} ms\n", i % 60, seed % 8, seed % 32, seed % 5000)
                }
            }
        };
        w.write_all(line.as_bytes())?;
        written += line.len() as u64;
        i += 1;
    }
    w.flush()?;
    Ok(written)
}

/// Peak resident set of terminated children, in KiB (Linux reports ru_maxrss in KiB).
fn children_peak_rss_kib() -> i64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss
}

fn run_once(bin: &str, path: &std::path::Path) -> (f64, i64) {
    // Each measurement runs in a fresh helper process so RUSAGE_CHILDREN only sees this run.
    let out = Command::new(std::env::current_exe().expect("bench exe"))
        .env("BENCH_CHILD_BIN", bin)
        .env("BENCH_CHILD_INPUT", path)
        .output()
        .expect("spawn measuring child");
    let s = String::from_utf8_lossy(&out.stdout);
    let mut parts = s.split_whitespace();
    let secs: f64 = parts
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or(f64::NAN);
    let rss: i64 = parts.next().and_then(|x| x.parse().ok()).unwrap_or(-1);
    (secs, rss)
}

fn child_main(bin: &str, input: &str) {
    let f = File::open(input).expect("open input");
    let start = Instant::now();
    let out = Command::new(bin)
        .args(["file", "-", "-o", "json", "--fail-on", "never"])
        .stdin(Stdio::from(f))
        .stdout(Stdio::piped())
        .output()
        .expect("run kubectl-diagnose");
    let secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "kubectl-diagnose failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(
        v["findings"][0]["id"], "port-already-in-use",
        "benchmark input must still be diagnosed"
    );
    println!("{secs} {}", children_peak_rss_kib());
}

fn main() {
    if let (Ok(bin), Ok(input)) = (
        std::env::var("BENCH_CHILD_BIN"),
        std::env::var("BENCH_CHILD_INPUT"),
    ) {
        child_main(&bin, &input);
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and should stay quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: Vec<u64> = std::env::var("BENCH_SIZES_MB")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| if quick { vec![4] } else { vec![64, 512] });
    let bin = env!("CARGO_BIN_EXE_kubectl-diagnose");
    let dir = tempfile::tempdir().expect("temp dir");
    println!("kubectl-diagnose throughput (file -, JSON output, built-in rules)");
    println!(
        "{:>10} {:>10} {:>10} {:>12}",
        "input MB", "best s", "MB/s", "peak RSS MiB"
    );
    for mb in sizes {
        let path = dir.path().join(format!("dump-{mb}.txt"));
        let bytes = generate(&path, mb * 1024 * 1024).expect("generate input");
        let runs = if quick { 1 } else { 3 };
        let mut best = f64::INFINITY;
        let mut peak = 0;
        for _ in 0..runs {
            let (s, rss) = run_once(bin, &path);
            best = best.min(s);
            peak = peak.max(rss);
        }
        let mbytes = bytes as f64 / (1024.0 * 1024.0);
        println!(
            "{:>10.0} {:>10.3} {:>10.1} {:>12.1}",
            mbytes,
            best,
            mbytes / best,
            peak as f64 / 1024.0
        );
    }
}
