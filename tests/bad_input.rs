//! The bad-input matrix: every kind of broken, hostile or odd input `kubectl-diagnose file` can be
//! given, each with the exit code README's "Exit codes" table documents, a one-line error on stderr
//! that names the input and what to do (for code 2), no panic, and bounded memory (every case runs
//! with its data segment limited, so a run that holds more than the limits allow dies instead of
//! passing) and bounded time (inputs are small; a hang is cut off by the timeout).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest data segment any case may use.
const LIMIT_MIB: u64 = 256;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(path: &Path, extra: &[&str]) -> Run {
    use std::os::unix::process::CommandExt;
    let exe = assert_cmd::cargo::cargo_bin("kubectl-diagnose");
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("file")
        .arg(path)
        .args(extra)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    let bytes = LIMIT_MIB * 1024 * 1024;
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
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    // Read both pipes on threads so that a large report cannot block the child.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t1 = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut s).ok();
        s
    });
    let t2 = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut s).ok();
        s
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            panic!("{} did not finish in 120 s", path.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&t1.join().expect("stdout")).into_owned(),
        stderr: String::from_utf8_lossy(&t2.join().expect("stderr")).into_owned(),
    }
}

/// `kubectl describe pod` of a pod whose container was OOM-killed.
const DESCRIBE_OOM: &str = "Name:         web-1\nNamespace:    shop\nStatus:       Running\nContainers:\n  app:\n    Image:          x\n    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n    Ready:          False\n    Restart Count:  5\n";

/// A Pod as JSON with `n` container statuses and one OOM-killed, one status a line (compact, as
/// `jq -c` prints them: no line holds a key alone, so items cannot be located by their keys).
fn pod_json(n: usize) -> String {
    let mut s = String::from(
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\"},\n\"status\":{\"phase\":\"Running\",\"containerStatuses\":[\n",
    );
    for i in 0..n {
        s.push_str(&format!("{{\"name\":\"c{i}\"}},\n"));
    }
    s.push_str("{\"name\":\"app\",\"ready\":false,\"restartCount\":5,\"lastState\":{\"terminated\":{\"reason\":\"OOMKilled\",\"exitCode\":137}}}\n]}}\n");
    s
}

fn tar_gz(path: &Path, name: &str, body: &[u8]) {
    let f = std::fs::File::create(path).expect("create");
    let gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    let mut h = tar::Header::new_gnu();
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, name, body).expect("append");
    b.into_inner().expect("tar").finish().expect("gzip");
}

/// What a case must produce.
struct Expect {
    code: i32,
    /// Phrases of stderr (code 2) or of stdout (codes 0 and 1).
    says: &'static [&'static str],
}

type Make = Box<dyn Fn(&Path) -> PathBuf>;

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write");
    p
}

#[test]
fn every_bad_input_gets_its_documented_exit_code_and_a_one_line_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    let root = unsafe { libc::geteuid() } == 0;
    let mut cases: Vec<(&str, Make, Expect)> = vec![
        (
            "empty file",
            Box::new(|d| write(d, "empty.txt", b"")),
            Expect {
                code: 2,
                says: &["is empty", "paste `kubectl describe pod`"],
            },
        ),
        (
            "empty directory",
            Box::new(|d| {
                let p = d.join("emptydir");
                std::fs::create_dir(&p).expect("mkdir");
                p
            }),
            Expect {
                code: 2,
                says: &["is empty"],
            },
        ),
        (
            "missing path",
            Box::new(|d| d.join("missing.txt")),
            Expect {
                code: 2,
                says: &["cannot read", "check the path"],
            },
        ),
        (
            "random binary without NUL bytes",
            Box::new(|d| {
                let mut x: u32 = 12345;
                let data: Vec<u8> = (0..64 * 1024)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        ((x >> 16) as u8).max(1)
                    })
                    .collect();
                write(d, "random.bin", &data)
            }),
            Expect {
                code: 2,
                says: &["looks binary", "pass the text output of kubectl"],
            },
        ),
        (
            "NUL bytes",
            Box::new(|d| write(d, "nul.txt", b"Name: web-1\0\0\nStatus: Running\n")),
            Expect {
                code: 2,
                says: &["looks binary (NUL byte at offset 11)"],
            },
        ),
        (
            "UTF-16LE with a byte order mark (PowerShell redirection)",
            Box::new(|d| {
                let mut data = vec![0xFF, 0xFE];
                for u in DESCRIBE_OOM.encode_utf16() {
                    data.extend_from_slice(&u.to_le_bytes());
                }
                write(d, "describe-utf16.txt", &data)
            }),
            Expect {
                code: 1,
                says: &["oom-killed"],
            },
        ),
        (
            "UTF-8 byte order mark before a Pod JSON",
            Box::new(|d| {
                let mut data = b"\xEF\xBB\xBF".to_vec();
                data.extend_from_slice(pod_json(0).as_bytes());
                write(d, "pod-bom.json", &data)
            }),
            Expect {
                code: 1,
                says: &["oom-killed"],
            },
        ),
        (
            "invalid UTF-8 inside a describe",
            Box::new(|d| {
                let text = DESCRIBE_OOM.replace("Image:          x", "Image:          x\u{1}");
                let data = text.replace('\u{1}', "\u{0}").into_bytes();
                let data: Vec<u8> = data
                    .into_iter()
                    .map(|b| if b == 0 { 0xFF } else { b })
                    .collect();
                write(d, "describe-latin1.txt", &data)
            }),
            Expect {
                code: 1,
                says: &["oom-killed"],
            },
        ),
        (
            "a line longer than 64 KiB and nothing else",
            Box::new(|d| write(d, "huge-line.txt", "x".repeat(200 * 1024).as_bytes())),
            Expect {
                code: 2,
                says: &["longer than 65536 bytes", "send that part again in full"],
            },
        ),
        (
            "truncated JSON",
            Box::new(|d| {
                let j = pod_json(0);
                write(d, "truncated.json", &j.as_bytes()[..j.len() / 2])
            }),
            Expect {
                code: 2,
                says: &[
                    "JSON document could not be parsed",
                    "send that part again in full",
                ],
            },
        ),
        (
            "truncated YAML",
            Box::new(|d| {
                write(
                    d,
                    "truncated.yaml",
                    b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\nstatus:\n  phase: Running\n  containerStatuses:\n  - name: app\n    lastState: {terminated: [\n",
                )
            }),
            Expect {
                code: 2,
                says: &["looks truncated", "send that part again in full"],
            },
        ),
        (
            "damaged tar.gz",
            Box::new(|d| {
                write(
                    d,
                    "damaged.tar.gz",
                    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage",
                )
            }),
            Expect {
                code: 2,
                says: &["damaged.tar.gz", "archive", "copy it again"],
            },
        ),
        (
            "gzip bomb: 32 MiB of list items in a small archive",
            Box::new(|d| {
                let mut body = b"{\"kind\":\"PodList\",\"items\":[\n".to_vec();
                body.extend(std::iter::repeat_n(&b" 0,\n"[..], 8 * 1024 * 1024).flatten());
                body.extend_from_slice(b"0]}\n");
                let p = d.join("bomb.tar.gz");
                tar_gz(&p, "dump/shop/pods.json", &body);
                assert!(std::fs::metadata(&p).expect("archive").len() < 1024 * 1024);
                p
            }),
            // Numbers are not objects: nothing to diagnose, and nothing was left unread.
            Expect { code: 0, says: &[] },
        ),
        (
            "a Pod JSON with 10^5 containers",
            Box::new(|d| write(d, "many-containers.json", pod_json(100_000).as_bytes())),
            Expect {
                code: 1,
                says: &["oom-killed"],
            },
        ),
        (
            "deep nesting",
            Box::new(|d| {
                let mut s = String::from("{\n");
                for _ in 0..5000 {
                    s.push_str(" \"a\": {\n");
                }
                for _ in 0..5001 {
                    s.push_str("}\n");
                }
                write(d, "deep.json", s.as_bytes())
            }),
            Expect {
                code: 2,
                says: &["could not be parsed", "recursion limit exceeded"],
            },
        ),
        (
            "a YAML field larger than any object (10^5 labels of 3 MiB)",
            Box::new(|d| {
                let mut s = String::from(
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  labels:\n",
                );
                let mut i = 0;
                while s.len() < 3 * 1024 * 1024 {
                    s.push_str(&format!("    k{i}: v\n"));
                    i += 1;
                }
                s.push_str("status:\n  containerStatuses:\n  - name: app\n    restartCount: 5\n    lastState:\n      terminated:\n        reason: OOMKilled\n        exitCode: 137\n");
                write(d, "labels.yaml", s.as_bytes())
            }),
            Expect {
                code: 1,
                says: &["oom-killed", "field `metadata` is larger than 2 MiB"],
            },
        ),
        (
            "symbolic link loop",
            Box::new(|d| {
                let (a, b) = (d.join("loop-a"), d.join("loop-b"));
                std::os::unix::fs::symlink(&b, &a).expect("symlink");
                std::os::unix::fs::symlink(&a, &b).expect("symlink");
                a
            }),
            Expect {
                code: 2,
                says: &["cannot read", "loop-a", "symbolic link"],
            },
        ),
        (
            "/dev/zero",
            Box::new(|_| PathBuf::from("/dev/zero")),
            Expect {
                code: 2,
                says: &["/dev/zero looks binary"],
            },
        ),
        (
            "a named pipe with a writer",
            Box::new(|d| {
                let p = d.join("fifo");
                let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).expect("path");
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
                let w = p.clone();
                std::thread::spawn(move || {
                    let mut f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(w)
                        .expect("open");
                    f.write_all(DESCRIBE_OOM.as_bytes()).ok();
                });
                p
            }),
            Expect {
                code: 1,
                says: &["oom-killed", "\"name\": \"web-1\""],
            },
        ),
    ];
    if !root {
        // root reads any file: there is no permission to be denied.
        cases.push((
            "permission denied",
            Box::new(|d| {
                use std::os::unix::fs::PermissionsExt;
                let p = write(d, "secret.txt", DESCRIBE_OOM.as_bytes());
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000))
                    .expect("chmod");
                p
            }),
            Expect {
                code: 2,
                says: &["cannot read", "secret.txt", "check the file's permissions"],
            },
        ));
    }
    let mut failures = Vec::new();
    for (what, make, want) in cases {
        let path = make(&dir);
        // Code-1 cases are checked in JSON (which quotes the evidence: the FIFO's `Name:` line).
        let extra: &[&str] = if want.code == 1 { &["-o", "json"] } else { &[] };
        let r = run(&path, extra);
        let mut bad = Vec::new();
        if r.code != Some(want.code) {
            bad.push(format!("exit {:?}, want {}", r.code, want.code));
        }
        if r.stderr.contains("panicked") || r.code.is_none() {
            bad.push("panicked or killed".to_string());
        }
        if want.code == 2 {
            let e = r.stderr.trim_end();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            if e.lines().count() != 1 || !e.starts_with("kubectl-diagnose: error: ") {
                bad.push("stderr is not one error line".to_string());
            }
            if !e.contains(name) {
                bad.push(format!("the error does not name {name}"));
            }
            if e.chars().any(|c| c.is_control()) {
                bad.push("raw control character on stderr".to_string());
            }
        }
        let out = if want.code == 2 { &r.stderr } else { &r.stdout };
        for s in want.says {
            if !out.contains(s) {
                bad.push(format!("{s:?} missing"));
            }
        }
        if !bad.is_empty() {
            failures.push(format!(
                "{what}: {}\n  stderr: {}\n  stdout: {}",
                bad.join("; "),
                r.stderr.trim_end(),
                r.stdout.chars().take(400).collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
