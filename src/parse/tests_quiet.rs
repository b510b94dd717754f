//! The quiet-line fast path of `parse_stream` (`quiet_line`, `Parser::skip_quiet`): a plain log
//! line the filter rejects whole skips the per-line work. These tests parse the same inputs with
//! the fast path allowed and not, and require the same evidence and summary.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Keeps lines holding one of `words`; with `fast`, also says which lines it rejects whole (a line
/// without any word has no substring with one), and counts them.
struct Words {
    words: &'static [&'static str],
    fast: bool,
    skipped: AtomicUsize,
}

impl Words {
    fn new(words: &'static [&'static str], fast: bool) -> Self {
        Words {
            words,
            fast,
            skipped: AtomicUsize::new(0),
        }
    }
}

impl LineFilter for Words {
    fn wants(&self, text: &str) -> bool {
        self.words.iter().any(|w| text.contains(w))
    }
    fn rejects_line(&self, line: &str) -> bool {
        let r = self.fast && !self.wants(line);
        if r {
            self.skipped.fetch_add(1, Relaxed);
        }
        r
    }
}

/// Parses `data` with and without the fast path; both must give the same evidence and summary
/// (or the same error). Returns the lines the fast path skipped.
fn same_both_ways(name: &str, data: &[u8], words: &'static [&'static str]) -> usize {
    let run = |fast: bool| {
        let f = Words::new(words, fast);
        let mut ev = Evidence::new();
        let r = parse_reader(name, data, &f, &mut ev).map_err(|e| e.to_string());
        // JSON: the Debug form would show the order of a hash map's entries.
        let ev = serde_json::to_string_pretty(&ev).expect("evidence serialises");
        (ev, format!("{r:?}"), f.skipped.load(Relaxed))
    };
    let (ev_slow, r_slow, _) = run(false);
    let (ev_fast, r_fast, skipped) = run(true);
    assert_eq!(r_fast, r_slow, "{name}: summary differs with {words:?}");
    assert_eq!(ev_fast, ev_slow, "{name}: evidence differs with {words:?}");
    skipped
}

/// Words that no line holds (every line is rejected: the fast path is taken wherever it may be)
/// and words of real failures (some lines are kept).
const WORD_LISTS: [&[&str]; 3] = [
    &["\u{0}never"],
    &["error", "Error", "failed", "refused", "Killed", "panic"],
    &["e", "1"],
];

#[test]
fn the_fast_path_gives_the_same_evidence_on_every_fixture_and_corpus_case() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    for dir in [
        "testdata/parse",
        "testdata/examples",
        "testdata/realworld/cases",
    ] {
        let Ok(rd) = std::fs::read_dir(format!("{root}/{dir}")) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().is_file() {
                files.push(e.path());
            }
        }
    }
    files.sort();
    assert!(files.len() > 100, "fixtures found: {}", files.len());
    let mut skipped = 0;
    for path in &files {
        let data = std::fs::read(path).expect("fixture reads");
        for words in WORD_LISTS {
            skipped += same_both_ways(&path.display().to_string(), &data, words);
        }
    }
    // Some inputs hold `kubectl logs` output (most corpus logs are pasted without the command,
    // as free text, which the fast path leaves alone): it is exercised, not just allowed.
    assert!(skipped > 100, "the fast path skipped only {skipped} lines");
}

/// A log after `kubectl logs`, with lines of every kind the per-line work treats specially in
/// between plain ones: each must leave the fast path and be read as before.
#[test]
fn special_lines_inside_a_log_leave_the_fast_path() {
    let special = [
        "$ kubectl logs other-7d9f8c6b5-x2k4p -c sidecar --previous",
        "ubuntu@ip-10-0-0-1:~$ kubectl describe pod web-0",
        "kubectl get pods -n shop",
        "==== START logs for container web of pod default/web-1 ====",
        "==== END logs for container web of pod default/web-1 ====",
        "Error from server (BadRequest): container \"app\" in pod \"web-0\" is waiting to start: ContainerCreating",
        "NAME                     READY   STATUS             RESTARTS   AGE",
        "web-0   0/1     CrashLoopBackOff   5          3m",
        "web-0   0/1     CrashLoopBackOff   5          3mweb-1   1/1   Running   0   3m",
        "Events:",
        "  Type     Reason   Age   From     Message",
        "LAST SEEN   TYPE      REASON    OBJECT      MESSAGE",
        "apiVersion: v1",
        "kind: Pod",
        "{\"level\":\"error\",\"msg\":\"dial tcp 10.0.0.1:5432: connect: connection refused\"}",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}",
        "json.status.containerStatuses[0].state.waiting.reason = \"ImagePullBackOff\";",
        "Type\tReason\tAge\tFrom\tMessage",
        "12:00 | web | started | ok | fine",
        "5 &quot;quoted&quot; words",
        "**Warning  BackOff  kubelet  Back-off restarting**",
        "2024 took 5 ms</code>",
        "line ending in a tag {code}",
        "_italic  start of a table_",
        "```",
        "```yaml",
        "> quoted line",
        "#   State:  Terminated",
        "web-7d9f8c6b5-x2k4p app listening on 8080",
        "[web-7d9f8c6b5-x2k4p] listening on 8080",
        "[pod/web-0/app] listening on 8080",
        "Name:         web-0",
        "Namespace:    default",
        "  Warning  BackOff  3m  kubelet  Back-off restarting failed container",
        "2024-05-01T10:00:00.123456789Z stdout F ready to serve",
        "1 plain line with a \u{a0}non-breaking space",
        "...",
        "   ",
        "",
    ];
    let plain = [
        "10.0.0.1 - - [03/Apr/2024:07:52:01 +0000] \"GET /healthz HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.28\"",
        "2024-04-03 07:52:02 WARN  [pool-1-thread-2] slow query took 1200 ms",
        "I0403 07:52:03.123456       1 server.go:42] served 12 requests",
        "Started server on port 8080",
    ];
    let mut text = String::from("$ kubectl logs web-7d9f8c6b5-x2k4p -c app\n");
    for (i, s) in special.iter().enumerate() {
        for p in &plain {
            text.push_str(p);
            text.push('\n');
        }
        text.push_str(s);
        text.push('\n');
        // Again after a fresh log header: a special line may have ended the log.
        if i % 3 == 0 {
            text.push_str("$ kubectl logs web-7d9f8c6b5-x2k4p -c app\n");
        }
    }
    for p in &plain {
        text.push_str(p);
        text.push('\n');
    }
    for words in WORD_LISTS {
        same_both_ways("special", text.as_bytes(), words);
    }
    // Each special line at the very end, and right after the header.
    for s in special {
        let t = format!("$ kubectl logs web-0\n{}\n{s}\n", plain[0]);
        same_both_ways(s, t.as_bytes(), WORD_LISTS[0]);
        let t = format!("$ kubectl logs web-0\n{s}\n{}\n", plain[1]);
        same_both_ways(s, t.as_bytes(), WORD_LISTS[0]);
    }
}

/// The plain lines of a typical application log take the fast path: if a change makes them leave
/// it (a new first byte or character treated specially), this fails before the benchmark slows.
#[test]
fn plain_log_lines_take_the_fast_path() {
    let mut text = String::from("$ kubectl logs web-7d9f8c6b5-x2k4p -c app\n");
    let lines = [
        "10.0.0.1 - - [03/Apr/2024:07:52:01 +0000] \"GET /api/v1/orders/1 HTTP/1.1\" 200 512 \"-\" \"kube-probe/1.28\"",
        "2024-04-03 07:52:02 WARN  [pool-1-thread-2] slow query took 1200 ms",
        "I0403 07:52:03.123456       1 server.go:42] served 12 requests",
        "INFO  Started OrderService in 3.2 seconds",
        "2024-04-03T07:52:04.123Z stdout F GET /healthz 200",
        "Caused by a retry of order 42",
    ];
    let n = 600;
    for i in 0..n {
        text.push_str(lines[i % lines.len()]);
        text.push('\n');
    }
    let skipped = same_both_ways("plain", text.as_bytes(), WORD_LISTS[0]);
    assert!(
        skipped == n,
        "the fast path took {skipped} of {n} plain log lines"
    );
}
