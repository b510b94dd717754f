//! Wrapper invariance: what chat and issue trackers put around a paste must not change the diagnosis.
//!
//! Every real-world corpus case the tool gets right at top-1 (testdata/realworld/) is wrapped the ways
//! pastes arrive: Markdown fences with and without a language, `> ` quoting (nested, and `>` without
//! a space), Jira `{code}` / `{noformat}`, HTML `<pre>` / `<code>` with entities, leading line
//! numbers, CRLF, tabs between columns, a `$ kubectl ...` prompt line before it, UTF-16 LE with a BOM,
//! 4-space indented Markdown code, and Slack's per-line inline code. The top-1 rule must stay the same.
//!
//! A debug run of the whole matrix takes many minutes, so by default one failure case in eight is
//! tried, under two wrappers taken in turn (a fixed slice: every wrapper meets cases of several
//! shapes); `WRAPPERS_FULL=1` runs every case under every wrapper, `WRAPPERS_ONLY=<name>,<name>` only those
//! wrapper.

use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::rules::RuleSet;
use kubectl_diagnose::{diagnose, parse};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    shape: String,
    #[serde(default)]
    expect: Vec<String>,
    #[serde(default)]
    healthy: bool,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/realworld")
}

fn cases() -> Vec<Case> {
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(root())
        .expect("testdata/realworld is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".cases.yaml"))
        .collect();
    manifests.sort();
    let mut out = Vec::new();
    for m in manifests {
        let text = std::fs::read_to_string(&m).expect("manifest is readable");
        let list: Vec<Case> = serde_yaml::from_str(&text).expect("manifest parses");
        out.extend(list);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The top-ranked rule for these bytes (`None`: nothing found or the input was refused).
fn top1(engine: &Engine, bytes: &[u8]) -> Option<String> {
    let mut ev = Evidence::new();
    let summary = parse::parse_reader("paste", bytes, engine, &mut ev).ok()?;
    diagnose(engine, &ev, vec![summary])
        .findings
        .first()
        .map(|f| f.id.clone())
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
}

fn per_line(text: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for l in lines(text) {
        out.push_str(&f(l));
        out.push('\n');
    }
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The `$ kubectl ...` line a user would have typed to get output of this shape.
fn prompt_for(shape: &str) -> &'static str {
    match shape {
        "describe" | "describe-fragment" => "$ kubectl describe pod web-0 -n default",
        "event-table" => "$ kubectl get events -n default",
        "get-pods" => "$ kubectl get pods -n default",
        "yaml-json" => "$ kubectl get pod web-0 -n default -o yaml",
        "logs" => "$ kubectl logs web-0 -n default",
        "journal" => "$ journalctl -u kubelet",
        _ => "$ kubectl describe pod web-0",
    }
}

/// Runs of two or more spaces between words become one tab (a table copied from a UI or an
/// editor that tabifies); indentation is kept.
fn tabs_between_columns(line: &str) -> String {
    let lead = line.len() - line.trim_start().len();
    let (indent, body) = line.split_at(lead);
    let mut out = String::from(indent);
    let mut spaces = 0;
    for c in body.chars() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        match spaces {
            0 => {}
            1 => out.push(' '),
            _ => out.push('\t'),
        }
        spaces = 0;
        out.push(c);
    }
    out
}

type Wrap = fn(&str, &str) -> Vec<u8>;

/// `logs`-shaped cases that are not a container's log (see the `prompt` wrapper).
const NOT_CONTAINER_LOGS: &[&str] = &["evict-jupyterhub-event-log-ephemeral-while-pulling-f47"];

/// Every wrapper, by name. Each takes the case text and its shape.
fn wrappers() -> Vec<(&'static str, Wrap)> {
    vec![
        ("fence", |t, _| format!("```\n{t}\n```\n").into_bytes()),
        ("fence-lang", |t, _| {
            format!("```console\n{t}\n```\n").into_bytes()
        }),
        ("fence-tilde-yaml", |t, _| {
            format!("~~~yaml\n{t}\n~~~\n").into_bytes()
        }),
        ("quote", |t, _| {
            per_line(t, |l| format!("> {l}")).into_bytes()
        }),
        ("quote-nested", |t, _| {
            per_line(t, |l| format!("> > {l}")).into_bytes()
        }),
        ("quote-no-space", |t, _| {
            per_line(t, |l| format!(">{l}")).into_bytes()
        }),
        ("jira-code", |t, _| {
            format!("{{code}}\n{t}\n{{code}}\n").into_bytes()
        }),
        ("jira-code-lang", |t, _| {
            format!("{{code:yaml}}{t}{{code}}\n").into_bytes()
        }),
        ("jira-noformat", |t, _| {
            format!("{{noformat}}\n{t}\n{{noformat}}\n").into_bytes()
        }),
        ("html-pre", |t, _| {
            format!("<pre>{}</pre>\n", html_escape(t)).into_bytes()
        }),
        ("html-pre-code", |t, _| {
            format!("<pre><code>{}\n</code></pre>\n", html_escape(t)).into_bytes()
        }),
        ("line-numbers", |t, _| {
            let mut out = String::new();
            for (i, l) in t.lines().enumerate() {
                out.push_str(&format!("{:>3} {l}\n", i + 1));
            }
            out.into_bytes()
        }),
        ("line-numbers-colon", |t, _| {
            let mut out = String::new();
            for (i, l) in t.lines().enumerate() {
                out.push_str(&format!("{}: {l}\n", i + 1));
            }
            out.into_bytes()
        }),
        ("crlf", |t, _| {
            per_line(t, |l| format!("{l}\r")).into_bytes()
        }),
        ("tabs", |t, _| {
            per_line(t, tabs_between_columns).into_bytes()
        }),
        ("prompt", |t, s| {
            format!("{}\n{t}", prompt_for(s)).into_bytes()
        }),
        ("utf16le-bom", |t, _| {
            let mut out = vec![0xFF, 0xFE];
            for u in t.encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
            out
        }),
        ("indent4", |t, _| {
            per_line(t, |l| {
                if l.trim().is_empty() {
                    String::new()
                } else {
                    format!("    {l}")
                }
            })
            .into_bytes()
        }),
        ("slack-inline", |t, _| {
            per_line(t, |l| {
                if l.trim().is_empty() {
                    String::new()
                } else {
                    format!("`{l}`")
                }
            })
            .into_bytes()
        }),
    ]
}

#[test]
fn wrapping_a_paste_does_not_change_its_diagnosis() {
    let set = RuleSet::builtin().expect("built-in rules load");
    let engine = Engine::new(&set).expect("engine builds");
    let full = std::env::var_os("WRAPPERS_FULL").is_some();
    let only = std::env::var("WRAPPERS_ONLY").ok();
    let wrappers = wrappers();
    // One case in `STRIDE`, each under two wrappers taken in turn (so every wrapper meets cases of
    // every shape); the whole matrix with WRAPPERS_FULL.
    const STRIDE: usize = 8;
    let mut right = 0;
    let mut tried: BTreeMap<&str, usize> = BTreeMap::new();
    let mut broken: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut failure_index = 0usize;
    for c in cases().iter() {
        if c.healthy {
            continue;
        }
        // `i` counts failure cases only, so healthy cases added to a manifest shift no slice.
        failure_index += 1;
        let i = failure_index;
        let n = wrappers.len();
        let chosen: Vec<usize> = (0..n)
            .filter(|&w| {
                full || (i.is_multiple_of(STRIDE)
                    && (w == (i / STRIDE) % n || w == (i / STRIDE + n / 2) % n))
            })
            .filter(|w| {
                only.as_deref()
                    .is_none_or(|o| o.split(',').any(|x| x == wrappers[*w].0))
            })
            .collect();
        if chosen.is_empty() {
            continue;
        }
        let path = root().join("cases").join(format!("{}.txt", c.id));
        let bytes = std::fs::read(&path).expect("case is readable");
        let Some(plain) = top1(&engine, &bytes) else {
            continue;
        };
        if !c.expect.contains(&plain) {
            continue;
        }
        right += 1;
        let text = String::from_utf8_lossy(&bytes);
        for w in chosen {
            let (name, wrap) = wrappers[w];
            // One or two lines that start with `1 `, `2 ` are ambiguous: numbering is recognised
            // from three lines on.
            if name.starts_with("line-numbers") && text.lines().count() < 3 {
                continue;
            }
            // A `kubectl logs` line makes what follows a container's log, by design. These
            // cases are not container logs (JupyterHub's spawn event log): under that line their
            // event lines are read as a log, not offered to the event rules. Known, not hidden.
            if name == "prompt" && NOT_CONTAINER_LOGS.contains(&c.id.as_str()) {
                continue;
            }
            *tried.entry(name).or_default() += 1;
            let got = top1(&engine, &wrap(&text, &c.shape));
            if got.as_deref() != Some(plain.as_str()) {
                broken.entry(name).or_default().push(format!(
                    "{} [{}]: {} became {}",
                    c.id,
                    c.shape,
                    plain,
                    got.as_deref().unwrap_or("nothing")
                ));
            }
        }
    }
    println!("{right} cases right at top-1 unwrapped; wrapped runs per wrapper: {tried:?}");
    // Every wrapper met enough cases to mean something.
    if only.is_none() {
        for (name, _) in &wrappers {
            let n = tried.get(name).copied().unwrap_or(0);
            assert!(n >= 5, "wrapper {name} was tried on only {n} cases");
        }
    }
    let report: Vec<String> = broken
        .iter()
        .map(|(w, v)| {
            format!(
                "{w} ({} of {}):\n    {}",
                v.len(),
                tried[w],
                v.join("\n    ")
            )
        })
        .collect();
    assert!(
        broken.is_empty(),
        "wrapping changed the top-1 rule:\n  {}",
        report.join("\n  ")
    );
}

/// The wrappers themselves do what they claim (a wrapper that returned its input unchanged would
/// make the test above pass vacuously).
#[test]
fn each_wrapper_changes_the_bytes() {
    let text = "NAME    READY   STATUS             RESTARTS   AGE\nweb-0   0/1     CrashLoopBackOff   5          3m\n";
    let mut seen = std::collections::BTreeSet::new();
    for (name, wrap) in wrappers() {
        let b = wrap(text, "get-pods");
        assert_ne!(b, text.as_bytes(), "{name} left the text as it was");
        assert!(seen.insert(b), "{name} wraps like another wrapper");
    }
    assert_eq!(
        tabs_between_columns("  a  b c   d"),
        "  a\tb c\td",
        "indentation kept, column gaps become tabs"
    );
}
