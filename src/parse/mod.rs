//! Parsers of pasted text: the only code that knows kubectl's text formats.
//!
//! Input is read as a stream of lines and split into segments by kind (describe output, event
//! tables, YAML/JSON objects, logs, free text); each segment is turned into [`Evidence`]. Several
//! kinds may be pasted into one input, in any order. Lines that fit no known kind are scanned as free
//! text (they become [`crate::evidence::LogLine`]s with `free_text: true`), so nothing the user gave is
//! silently dropped.
//!
//! This module owns the public entry points ([`parse_reader`], [`parse_path`]) and the line-oriented
//! state machine: each line is offered to the current segment, which keeps it or ends; a line no
//! segment keeps is checked (first byte, then prefix) for the start of a new segment, and otherwise is
//! a log line (after a `kubectl logs` header) or free text. Submodules own the formats:
//! [`lines`] (bounded reading), [`time`], [`table`] (column cutting), [`describe`], [`events`],
//! [`objects`] (YAML/JSON) and [`logs`] (log headers).

mod describe;
pub mod dump;
mod events;
mod lines;
mod listing;
mod logs;
mod objects;
pub use objects::api_object_to_evidence;
mod stream;
mod table;
pub(crate) mod text;
mod time;

use crate::evidence::{Evidence, LogLine, Provenance};
use std::io::{BufReader, Read};
use std::path::Path;

/// Decides which log/free-text lines are worth keeping (the engine keeps only lines some rule could
/// match); everything structured (events, container states, conditions) is always kept.
pub trait LineFilter {
    fn wants(&self, text: &str) -> bool;
    /// True only when `wants` is false for `line` and for every substring of it: the parser may
    /// then skip a plain log line's work (see `Parser::quiet_line`). False when unsure.
    fn rejects_line(&self, line: &str) -> bool {
        let _ = line;
        false
    }
    /// Whether a message found in free text or a journal line could matter to an `event` or
    /// `container` message matcher (kept as a [`crate::evidence::TextMessage`]).
    fn wants_message(&self, text: &str, has_reason: bool) -> bool {
        let _ = has_reason;
        self.wants(text)
    }
    /// Whether some rule could match this event (past [`crate::evidence::EVENTS_KEPT_UNFILTERED`]
    /// events, only those are kept).
    fn wants_event(&self, e: &crate::evidence::Event) -> bool {
        let _ = e;
        true
    }
}

/// Keeps every line; for tests and tooling.
pub struct KeepAll;
impl LineFilter for KeepAll {
    fn wants(&self, _: &str) -> bool {
        true
    }
}

/// What one input turned out to contain.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputSummary {
    pub name: String,
    pub lines: u64,
    pub bytes: u64,
    pub segments: Vec<Segment>,
}

/// A run of lines recognised as one kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// `describe-pod`, `describe-node`, `describe` (another kind of object), `events-table`,
    /// `event-lines`, `event-fields` (an event printed one field per line), `console-events`, `yaml`,
    /// `json`, `log`, `free-text`.
    pub format: String,
    pub first_line: u64,
    pub last_line: u64,
}

/// An input that cannot be diagnosed at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {input}: {source}{hint}", hint = io_hint(.source))]
    Io {
        input: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{input} is empty: nothing to diagnose; paste `kubectl describe pod`, events, YAML or logs"
    )]
    Empty { input: String },
    #[error("{input} looks binary (NUL byte at offset {offset}); pass the text output of kubectl, not an archive or image")]
    Binary { input: String, offset: u64 },
    #[error("{input} looks binary ({controls} control bytes in its first {of} bytes); pass the text output of kubectl, not an archive or image")]
    BinaryContent {
        input: String,
        controls: usize,
        of: usize,
    },
}

/// What to do about a read error, appended to its one-line message.
fn io_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "; check the path",
        ErrorKind::PermissionDenied => {
            "; check the file's permissions, or copy it somewhere readable"
        }
        _ if e.to_string().contains("symbolic link") => {
            "; a symbolic link leads back to itself: check where it points"
        }
        _ if e.to_string().contains("archive") => {
            "; the archive is damaged or cut short: copy it again and check it with `tar -tzf`"
        }
        _ => "",
    }
}

/// Parse one stream. `name` is used in provenance and errors (a path, or "-" for stdin).
///
/// Memory stays bounded whatever the input size: lines are read one at a time (cut at 64 KiB), and
/// log or free-text lines are kept only when `filter` wants them.
pub fn parse_reader<R: Read>(
    name: &str,
    reader: R,
    filter: &dyn LineFilter,
    ev: &mut Evidence,
) -> Result<InputSummary, InputError> {
    parse_stream(name, reader, filter, ev, StreamOptions::default())
}

/// How [`parse_stream`] reads one stream beyond what [`parse_reader`] does.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamOptions {
    /// The whole stream is this container's log until a header in it says otherwise (a log file of
    /// a dump, attributed by its path).
    pub log: Option<logs::LogHeader>,
    /// Largest YAML/JSON document buffered (default [`objects::MAX_DOC`]); dumps hold big lists.
    pub max_doc: Option<usize>,
}

/// [`parse_reader`] with [`StreamOptions`].
pub(crate) fn parse_stream<R: Read>(
    name: &str,
    mut reader: R,
    filter: &dyn LineFilter,
    ev: &mut Evidence,
    opts: StreamOptions,
) -> Result<InputSummary, InputError> {
    let io_err = |source: std::io::Error| InputError::Io {
        input: name.to_string(),
        source,
    };
    let (mut prefix, _) = lines::peek_binary(&mut reader).map_err(io_err)?;
    // UTF-16 with a BOM (PowerShell `>` redirection) is decoded to UTF-8 before anything else;
    // a UTF-8 BOM is dropped.
    let bom = lines::bom(&prefix);
    let mut source = match bom {
        lines::Bom::Utf16Le | lines::Bom::Utf16Be => {
            prefix.drain(..2);
            Decoded::Utf16(lines::Utf16Reader::new(
                std::io::Cursor::new(prefix).chain(reader),
                bom == lines::Bom::Utf16Be,
            ))
        }
        lines::Bom::Utf8 | lines::Bom::None => {
            if bom == lines::Bom::Utf8 {
                prefix.drain(..3);
            }
            Decoded::Plain(std::io::Cursor::new(prefix).chain(reader))
        }
    };
    let (prefix, nul) = lines::peek_binary(&mut source).map_err(io_err)?;
    if let Some(offset) = nul {
        return Err(InputError::Binary {
            input: name.to_string(),
            offset: offset as u64,
        });
    }
    if let Some(controls) = lines::binary_by_content(&prefix) {
        return Err(InputError::BinaryContent {
            input: name.to_string(),
            controls,
            of: prefix.len(),
        });
    }
    let mut numbers = lines::LineNumbers::detect(&prefix);
    let chained = std::io::Cursor::new(prefix).chain(source);
    let mut lr = lines::LineReader::new(BufReader::with_capacity(64 * 1024, chained));
    let pods_before = ev.pods.len();
    let containers_before = ev.containers.len();
    let conditions_before = ev.pod_conditions.len();
    let mut p = Parser::new(name, filter, ev);
    if let Some(max) = opts.max_doc {
        p.max_doc = max;
    }
    if let Some(h) = opts.log {
        let seg = p.cx.begin("log", 1);
        p.log = Some((h, seg));
    }
    let mut n: u64 = 0;
    let mut long_recorded = false;
    let mut any_text = false;
    let mut diff = false;
    // Whether the paste's `>` quote markers come without the space after them (`>line`), learned
    // from the first quoted line with text right after its markers (`Some(true)`) or after one
    // space (`Some(false)`).
    let mut quote_glued: Option<bool> = None;
    while let Some(truncated) = lr.next_line().map_err(io_err)? {
        n += 1;
        if truncated && !long_recorded {
            long_recorded = true;
            p.cx.ev.not_checked(
                format!("line {n} of {name}"),
                "longer than 65536 bytes; only the first 64 KiB was scanned",
            );
        }
        // Most lines of a big log: a plain line of a container's log that no rule can want. All
        // the per-line work below would do with it is the bookkeeping `Parser::skip_quiet` does.
        // A quiet line the filter may want (or a JSON log line, whose text is read from it) goes
        // straight to `Parser::plain`, where the full path would take it too.
        if !diff && numbers.is_off() && p.quiet() {
            if let Ok(line) = std::str::from_utf8(lr.line()) {
                if quiet_line(line) {
                    any_text = true;
                    if !line.starts_with('{') && filter.rejects_line(line) {
                        p.skip_quiet(n, line);
                    } else {
                        p.plain(n, line);
                        p.remember(line);
                    }
                    continue;
                }
            }
        }
        // Valid UTF-8 (nearly every line) is checked by the fast validator, not the lossy one.
        let raw = match std::str::from_utf8(lr.line()) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(lr.line()),
        };
        let raw = match numbers.strip(&raw) {
            s if s.len() == raw.len() => raw,
            s => std::borrow::Cow::Owned(s.to_string()),
        };
        // Inside a ```diff block every line starts with the diff's `+`, `-` or space.
        let raw = match raw.as_bytes().first() {
            Some(b'+' | b'-' | b' ') if diff => std::borrow::Cow::Owned(raw[1..].to_string()),
            _ => raw,
        };
        // `unwrap_paste` takes one space after a `>` marker as part of the marker; in a paste quoted
        // without that space (`>  indented`), every space after the marker is the line's own: one
        // is added back for it to take, so indented lines keep their column.
        let raw = match quote_marks(&raw) {
            Some(after) if quote_glued.is_none() && !after.is_empty() => {
                let glued = !after.starts_with(' ');
                if glued || !after[1..].starts_with(' ') {
                    quote_glued = Some(glued);
                }
                raw
            }
            Some(after) if quote_glued == Some(true) && after.starts_with(' ') => {
                let at = raw.len() - after.len();
                std::borrow::Cow::Owned(format!("{} {after}", &raw[..at]))
            }
            _ => raw,
        };
        let text = lines::unwrap_paste(&raw);
        if text == lines::FENCE || text == lines::DIFF_FENCE {
            diff = !diff && text == lines::DIFF_FENCE;
            p.fence();
            continue;
        }
        if !any_text && text.bytes().any(|b| !b.is_ascii_whitespace()) {
            any_text = true;
        }
        let text = p.uncomment(text);
        // A `kubectl get` listing whose newlines a web page dropped: its lines, one by one.
        match listing::unflatten(&text) {
            Some(parts) => parts.iter().for_each(|part| p.feed(n, part)),
            None => p.feed(n, &text),
        }
        if p.cx.ev.events.len() >= p.cx.ev.events_unsettled_mark() {
            p.cx.ev.settle_events(true, &|e| filter.wants_event(e));
        }
    }
    p.end_state();
    name_unnamed_pods(&mut p.cx.ev.pods[pods_before..]);
    namespace_listed_pods(p.cx.ev, pods_before, containers_before, conditions_before);
    p.cx.ev.settle_events(false, &|e| filter.wants_event(e));
    if !any_text {
        return Err(InputError::Empty {
            input: name.to_string(),
        });
    }
    Ok(InputSummary {
        name: name.to_string(),
        lines: n,
        bytes: lr.bytes,
        segments: p.cx.segments,
    })
}

/// A pod's `status:` pasted without its metadata next to the describe (or listing) of exactly one
/// pod is that pod's: the unnamed pod takes its name and namespace.
fn name_unnamed_pods(pods: &mut [crate::evidence::PodInfo]) {
    let mut named = pods
        .iter()
        .filter_map(|p| p.name.as_deref().map(|n| (n, p)));
    let Some((name, first)) = named.next() else {
        return;
    };
    if named.any(|(n, _)| n != name) {
        return;
    }
    let (name, namespace) = (name.to_string(), first.namespace.clone());
    for p in pods.iter_mut().filter(|p| p.name.is_none()) {
        p.name = Some(name.clone());
        if p.namespace.is_none() {
            p.namespace = namespace.clone();
        }
    }
}

/// A pod listed without its namespace (`kubectl get pod NAME` without `-A`) next to the describe
/// or YAML of the same pod with its namespace is that pod: it takes the namespace (when the input
/// names exactly one for that pod name), and so do its containers' and conditions' pod keys.
fn namespace_listed_pods(
    ev: &mut Evidence,
    pods_before: usize,
    containers_before: usize,
    conditions_before: usize,
) {
    use std::collections::HashMap;
    let mut namespaces: HashMap<String, Option<String>> = HashMap::new();
    for p in &ev.pods[pods_before..] {
        if let (Some(n), Some(ns)) = (&p.name, &p.namespace) {
            namespaces
                .entry(n.clone())
                .and_modify(|known| {
                    if known.as_deref() != Some(ns.as_str()) {
                        *known = None;
                    }
                })
                .or_insert_with(|| Some(ns.clone()));
        }
    }
    let known = |name: &str| namespaces.get(name).cloned().flatten();
    let mut renamed = false;
    for p in &mut ev.pods[pods_before..] {
        if p.namespace.is_none() {
            if let Some(ns) = p.name.as_deref().and_then(known) {
                p.namespace = Some(ns);
                renamed = true;
            }
        }
    }
    if !renamed {
        return;
    }
    // A pod key without a namespace (`name`) gets the one its pod was listed with.
    let qualify = |pod: &mut Option<String>| {
        if let Some(ns) = pod.as_deref().filter(|k| !k.contains('/')).and_then(known) {
            *pod = pod
                .as_deref()
                .and_then(|n| crate::evidence::pod_key(Some(&ns), n));
        }
    };
    for c in &mut ev.containers[containers_before..] {
        qualify(&mut c.pod);
    }
    for c in &mut ev.pod_conditions[conditions_before..] {
        qualify(&mut c.pod);
    }
}

/// An input stream after its byte order mark: as is, or decoded from UTF-16.
enum Decoded<R: Read> {
    Plain(std::io::Chain<std::io::Cursor<Vec<u8>>, R>),
    Utf16(lines::Utf16Reader<std::io::Chain<std::io::Cursor<Vec<u8>>, R>>),
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Decoded::Plain(r) => r.read(buf),
            Decoded::Utf16(r) => r.read(buf),
        }
    }
}

/// Parse a file, or every regular file under a directory (recursive, sorted, hidden files skipped).
/// In a directory, unreadable or binary files are recorded with `ev.not_checked(what, reason)` and
/// skipped; an error only if nothing at all could be read. A single file that is
/// binary/empty/unreadable is an error.
///
/// Dumps are recognised ([`dump::detect`]): a `kubectl cluster-info dump` directory or a support
/// bundle is read by path (non-pod kinds skipped, log files attributed to their pod and container),
/// and a `.tar.gz`/`.tgz`/`.tar` archive (or a gzipped file) is streamed entry by entry.
pub fn parse_path(
    path: &Path,
    filter: &dyn LineFilter,
    ev: &mut Evidence,
) -> Result<Vec<InputSummary>, InputError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| InputError::Io {
        input: name.clone(),
        source,
    })?;
    if meta.is_dir() && dump::detect(path).is_some() {
        return dump::parse_dir(path, filter, ev);
    }
    if !meta.is_dir() {
        // Opened once and sniffed from what was read: a named pipe or `<(kubectl describe ...)` can
        // be read only once, and opening it twice lost its first bytes (or hung).
        let mut f = std::fs::File::open(path).map_err(|source| InputError::Io {
            input: name.clone(),
            source,
        })?;
        let mut head = Vec::with_capacity(262);
        (&mut f)
            .take(262)
            .read_to_end(&mut head)
            .map_err(|source| InputError::Io {
                input: name.clone(),
                source,
            })?;
        let archive = dump::looks_like_archive(path, &head);
        let stream = std::io::Cursor::new(head).chain(f);
        if archive {
            return dump::parse_archive_from(path, stream, filter, ev);
        }
        return parse_reader(&name, stream, filter, ev).map(|s| vec![s]);
    }
    let mut files = Vec::new();
    let mut first_err: Option<InputError> = None;
    collect_files(path, &mut files, ev, &mut first_err);
    let mut out = Vec::new();
    for f in files {
        let fname = f.display().to_string();
        let result = std::fs::File::open(&f)
            .map_err(|source| InputError::Io {
                input: fname.clone(),
                source,
            })
            .and_then(|file| parse_reader(&fname, file, filter, ev));
        match result {
            Ok(s) => out.push(s),
            Err(e) => {
                let reason = match &e {
                    InputError::Binary { .. } | InputError::BinaryContent { .. } => {
                        "looks binary; skipped".to_string()
                    }
                    InputError::Empty { .. } => "empty; skipped".to_string(),
                    InputError::Io { source, .. } => format!("cannot be read ({source}); skipped"),
                };
                ev.not_checked(fname, reason);
                first_err.get_or_insert(e);
            }
        }
    }
    if out.is_empty() {
        return Err(first_err.unwrap_or(InputError::Empty { input: name }));
    }
    Ok(out)
}

/// Regular files under `dir`, recursively, sorted by name, hidden entries skipped. Symlinks to
/// files are followed; symlinked directories are not (no loops).
fn collect_files(
    dir: &Path,
    out: &mut Vec<std::path::PathBuf>,
    ev: &mut Evidence,
    first_err: &mut Option<InputError>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            let name = dir.display().to_string();
            ev.not_checked(
                name.clone(),
                format!("directory cannot be read ({source}); skipped"),
            );
            first_err.get_or_insert(InputError::Io {
                input: name,
                source,
            });
            return;
        }
    };
    let mut paths: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    paths.sort();
    for p in paths {
        let Ok(lmeta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if lmeta.is_dir() {
            collect_files(&p, out, ev, first_err);
        } else if lmeta.is_file() {
            out.push(p);
        } else if lmeta.file_type().is_symlink() {
            if let Ok(m) = std::fs::metadata(&p) {
                if m.is_file() {
                    out.push(p);
                }
            }
        }
    }
}

/// What a segment does with a line offered to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offer {
    /// The line belongs to the segment, which goes on.
    Taken,
    /// The line belongs to the segment, which is complete.
    Done,
    /// The line does not belong: the segment ends and the line is looked at anew.
    Rejected,
}

/// What became of a finished segment.
enum Outcome {
    Accepted,
    /// It was not this format after all: its segment is withdrawn and its lines are scanned as plain
    /// (log or free-text) lines.
    Replay {
        first: u64,
        text: String,
    },
    /// Recognised (its segment stays) but nothing in it was evidence: scan its lines as free text.
    ScanAsText {
        first: u64,
        text: String,
        format: &'static str,
    },
}

/// What segments write into: the evidence, the segment list and the filter.
struct Cx<'a> {
    name: &'a str,
    ev: &'a mut Evidence,
    filter: &'a dyn LineFilter,
    segments: Vec<Segment>,
    /// False for objects that did not come from text (live API responses): no line numbers.
    lines: bool,
    /// The last free-text lines (number, text), consecutive, at most [`MAX_JOINED`] - 1: a message
    /// wrapped over several lines (a terminal, a YAML folded scalar) is also offered joined.
    recent: Vec<(u64, String)>,
    /// Container failures already taken from messages (pod, container, reason, message).
    failures: std::collections::HashSet<(Option<String>, String, String, String)>,
    /// The message the last free-text line started or continued (its line, its index in
    /// `ev.messages`, whether that line ends as a hard wrap does): the next line may continue it.
    wrap: Option<(u64, usize, bool)>,
}

/// Most free-text lines joined into one message.
const MAX_JOINED: usize = 3;
/// Longest free-text line remembered for joining.
const MAX_JOINED_LINE: usize = 4096;

impl Cx<'_> {
    fn prov(&self, line: u64, format: &str) -> Provenance {
        Provenance {
            input: self.name.to_string(),
            line: self.lines.then_some(line),
            format: format.to_string(),
        }
    }

    /// Starts a new segment; returns its index.
    fn begin(&mut self, format: &str, line: u64) -> usize {
        self.segments.push(Segment {
            format: format.to_string(),
            first_line: line,
            last_line: line,
        });
        self.segments.len() - 1
    }

    fn touch(&mut self, seg: usize, line: u64) {
        if let Some(s) = self.segments.get_mut(seg) {
            s.last_line = s.last_line.max(line);
        }
    }

    fn set_format(&mut self, seg: usize, format: &str) {
        if let Some(s) = self.segments.get_mut(seg) {
            if s.format != format {
                s.format = format.to_string();
            }
        }
    }

    /// Removes segment `seg` if it is the last one.
    fn withdraw(&mut self, seg: usize) {
        if seg + 1 == self.segments.len() {
            self.segments.pop();
        }
    }

    /// A line that is not part of any structure and not under a log header.
    fn free_text(&mut self, n: u64, text: &str) {
        match self.segments.last_mut() {
            Some(s) if s.format == "free-text" => s.last_line = n,
            _ => {
                self.begin("free-text", n);
            }
        }
        self.keep(n, text, None, "free-text");
        // A message hard-wrapped by a console or a mail (the line before ended with a space or a
        // `:`/`,` and this one starts nothing new): the line continues that message.
        if let Some((line, i, true)) = self.wrap {
            if line + 1 == n && text::continues_message(text) {
                if let Some(m) = self.ev.messages.get_mut(i) {
                    if m.message.len() + text.len() < MAX_JOINED_LINE * 4 {
                        m.message.push(' ');
                        m.message.push_str(text.trim());
                        self.wrap = Some((n, i, text::ends_wrapped(text)));
                        return;
                    }
                }
            }
        }
        self.wrap = None;
        let pushed_before = self.ev.messages.len();
        let alone = self.message(n, text);
        if alone && self.ev.messages.len() > pushed_before {
            self.wrap = Some((n, pushed_before, text::ends_wrapped(text)));
        }
        // A message wrapped over consecutive lines: offer it joined when the line alone was not
        // wanted.
        if self.recent.last().is_some_and(|(l, _)| *l + 1 != n) {
            self.recent.clear();
        }
        if !alone {
            for k in 1..=self.recent.len() {
                let start = self.recent.len() - k;
                let mut joined = String::new();
                for (_, t) in &self.recent[start..] {
                    joined.push_str(t.trim());
                    joined.push(' ');
                }
                joined.push_str(text.trim());
                let first = self.recent[start].0;
                if self.message(first, &joined) {
                    break;
                }
            }
        }
        if text.len() <= MAX_JOINED_LINE {
            self.recent.push((n, text.to_string()));
            if self.recent.len() >= MAX_JOINED {
                self.recent.remove(0);
            }
        } else {
            self.recent.clear();
        }
    }

    /// Offers the message a free-text line carries to the event and container matchers
    /// ([`text::analyse`]); kept when the filter wants it.
    fn message(&mut self, n: u64, line: &str) -> bool {
        let Some(a) = text::analyse(line) else {
            return false;
        };
        let format = if a.journal { "journal" } else { "free-text" };
        if let Some(f) = text::container_failure(&a.message) {
            self.container_failure(n, format, a.pod.clone(), f);
        }
        if let Some((name, code, reason)) = text::step_exit(&a.message) {
            let key = (a.pod.clone(), name.clone(), code.to_string(), String::new());
            if self.failures.len() < 1000 && self.failures.insert(key) {
                let prov = self.prov(n, format);
                self.ev.containers.push(text::step_exit_status(
                    a.pod.clone(),
                    name,
                    code,
                    reason,
                    prov,
                ));
            }
        }
        if !self.filter.wants_message(&a.message, a.reason.is_some()) {
            return false;
        }
        let prov = self.prov(n, format);
        self.ev.push_message(a.into_message(line, prov));
        true
    }

    /// A container that kubelet says could not start (see [`text::container_failure`]): its
    /// waiting state, once per pod, container, reason and message.
    fn container_failure(
        &mut self,
        n: u64,
        format: &str,
        pod: Option<String>,
        f: text::ContainerFailure,
    ) {
        use crate::evidence::{ContainerKind, ContainerState, ContainerStatus};
        const MAX_FAILURES: usize = 1000;
        let key = (
            pod.clone(),
            f.container.clone(),
            f.reason.clone(),
            f.message.clone(),
        );
        if self.failures.len() >= MAX_FAILURES || !self.failures.insert(key) {
            return;
        }
        let provenance = self.prov(n, format);
        self.ev.containers.push(ContainerStatus {
            probes: Default::default(),
            pod,
            name: f.container,
            kind: if f.init {
                ContainerKind::Init
            } else {
                ContainerKind::Regular
            },
            image: f.image,
            ready: Some(false),
            restart_count: None,
            state: Some(ContainerState::Waiting {
                reason: Some(f.reason),
                message: Some(f.message),
            }),
            last_state: None,
            provenance,
        });
    }

    /// Offers a log or free-text line to the filter; keeps it if wanted.
    fn keep(&mut self, n: u64, text: &str, header: Option<&logs::LogHeader>, format: &str) {
        // `kubectl logs --timestamps` and CRI log files: the line after the time (and stream).
        let text = logs::log_body(text);
        if text.trim().is_empty() || !self.filter.wants(text) {
            return;
        }
        let line = LogLine {
            pod: header.and_then(|h| h.pod.clone()),
            container: header.and_then(|h| h.container.clone()),
            previous: header.and_then(|h| h.previous),
            free_text: header.is_none(),
            text: text.to_string(),
            repeats: 1,
            provenance: self.prov(n, format),
        };
        self.ev.push_log(line);
    }
}

/// The segment being read.
enum State {
    Text,
    Describe(Box<describe::Describe>),
    Table(Box<events::EventsTableState>),
    EventLines(events::EventLinesState),
    Fields(Box<events::FieldsState>),
    UiTable(Box<events::UiTableState>),
    Console(Box<events::ConsoleState>),
    Doc(Box<objects::Doc>),
    Listing(Box<listing::ListingState>),
}

struct Parser<'a> {
    cx: Cx<'a>,
    state: State,
    /// The current log header and its segment, if lines are a container's log.
    log: Option<(logs::LogHeader, usize)>,
    /// The log header that was current when the segment being read started (restored if that
    /// segment turns out not to be one).
    suspended_log: Option<(logs::LogHeader, usize)>,
    /// Largest YAML/JSON document buffered.
    max_doc: usize,
    /// The line before the one being read (short lines only): a container's name line before a
    /// pasted `State:` block.
    prev: Option<String>,
    /// Markdown code fences seen.
    fences: u64,
    /// A `kubectl get pod -o jsonpath=...` line was just read: its output follows.
    jsonpath: Option<logs::JsonPathQuery>,
    /// The object a `kubectl describe KIND NAME` line named (kind as an API kind): the events of
    /// the describe that follows are about it when the paste lost its `Name:` line.
    described: Option<(String, String)>,
    /// Lines are output commented out with `#` (a bats test's TAP diagnostics, a shell script
    /// quoting output): the marker is taken off while consecutive lines carry it.
    commented: bool,
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b.is_ascii_whitespace())
}

/// Bytes that make [`quiet_line`] say no wherever they stand: non-ASCII (the paste cleaning of
/// What follows a line's run of `>` quote markers (at most 3 spaces before it), or `None` when the
/// line is not quoted.
fn quote_marks(line: &str) -> Option<&str> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 || !t.starts_with('>') {
        return None;
    }
    Some(t.trim_start_matches('>'))
}

/// `lines::unwrap_paste` looks for non-breaking spaces and box drawing), `&` (HTML entities), `|`
/// (Markdown tables), `*` and `` ` `` (Markdown emphasis and code), and the whitespace other than
/// space and tab that `str::trim` takes off.
const NOT_QUIET: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x80;
    while b < 256 {
        t[b] = true;
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'|' as usize] = true;
    t[b'*' as usize] = true;
    t[b'`' as usize] = true;
    t[b'\r' as usize] = true;
    t[0x0b] = true;
    t[0x0c] = true;
    t
};

/// Whether the per-line work would read `line`, inside a container's log (see
/// [`Parser::quiet`]), as a plain log line of its own (straight to [`Parser::plain`]):
/// `lines::unwrap_paste` gives it back as it is, it is no fence, no commented-out output, no
/// flattened listing, no kubectl command line, no start of a segment (describe, events, YAML,
/// JSON, listing) and no kubelet "waiting to start" answer. Conservative: what it cannot rule out
/// cheaply (the first bytes of segment starts and prompts, the bytes of [`NOT_QUIET`], a line
/// ending as a closing tag or emphasis does) is left to the full path. A change there that makes a new kind of line special must
/// keep this in step (`tests_quiet` compares both paths on every fixture and corpus case).
fn quiet_line(line: &str) -> bool {
    let b = line.as_bytes();
    let Some(&b0) = b.first() else {
        return false;
    };
    let lead = b
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(b.len());
    let end = line.trim_end();
    if b0 == b'{' {
        // A JSON log line (not the start of a JSON document), without the `{code}` tags of
        // `lines::strip_block_tags` at either end.
        if !end.ends_with('}')
            || ["{code", "{noformat"].iter().any(|t| line.starts_with(t))
            || ["{code}", "{noformat}"].iter().any(|t| end.ends_with(t))
            || objects::json_start(line)
        {
            return false;
        }
    } else {
        // After the indentation: no quote marker, fence, comment, tag, JSON or emphasis.
        if !b.get(lead).is_some_and(u8::is_ascii_alphanumeric) {
            return false;
        }
        // Segment starts inside a log (`Parser::try_start` with `strong_only`) and gron (`j`),
        // by their first byte.
        if matches!(b0, b'N' | b'E' | b'a' | b'k' | b'T' | b'L' | b'P' | b'j') {
            return false;
        }
        // Closing tags of `lines::strip_block_tags` (`</code>`, `{code}`, `[/code]`), italics
        // closed at the end (`..._`).
        if matches!(end.as_bytes().last(), Some(b'>' | b'}' | b']' | b'_')) {
            return false;
        }
    }
    if b.iter().any(|&c| NOT_QUIET[usize::from(c)]) {
        return false;
    }
    // Tab-separated event tables (a tab anywhere), and the segment starts an indented line may be.
    if memchr::memchr(b'\t', b).is_some() && events::ui_header(line).is_some() {
        return false;
    }
    if lead > 0
        && (describe::is_start(line)
            || describe::is_events_start(line)
            || objects::json_start(line)
            || listing::header(line).is_some()
            || events::fields_start(line)
            || events::looks_like_header(line)
            || events::may_be_console_header(line))
    {
        return false;
    }
    logs::prompt(line).is_none()
        && listing::unflatten(line).is_none()
        && logs::not_started(line).is_none()
}

impl<'a> Parser<'a> {
    fn new(name: &'a str, filter: &'a dyn LineFilter, ev: &'a mut Evidence) -> Self {
        Parser {
            cx: Cx {
                name,
                ev,
                filter,
                segments: Vec::new(),
                lines: true,
                recent: Vec::new(),
                failures: Default::default(),
                wrap: None,
            },
            state: State::Text,
            log: None,
            suspended_log: None,
            max_doc: objects::MAX_DOC,
            prev: None,
            fences: 0,
            jsonpath: None,
            commented: false,
            described: None,
        }
    }

    /// Takes off the `# ` that bats (TAP diagnostics) and shell scripts put before quoted output:
    /// a run starts at a line whose `#` is followed by two or more spaces or a tab (the output's
    /// own indentation, `#     State:  Terminated`) and goes on while lines start with `#`. Not
    /// inside a YAML or JSON document, where `#` starts a comment.
    fn uncomment<'t>(&mut self, text: std::borrow::Cow<'t, str>) -> std::borrow::Cow<'t, str> {
        let t = text.trim_start();
        let Some(after) = t.strip_prefix('#') else {
            self.commented = false;
            return text;
        };
        if matches!(self.state, State::Doc(_)) || after.starts_with(['#', '!']) {
            self.commented = false;
            return text;
        }
        if !(self.commented || after.starts_with("  ") || after.starts_with('\t')) {
            return text;
        }
        self.commented = true;
        let after = after.strip_prefix(' ').unwrap_or(after);
        std::borrow::Cow::Owned(after.to_string())
    }

    /// In a container's log and nothing else pending: a [`quiet_line`] here is only a log line.
    fn quiet(&self) -> bool {
        matches!(self.state, State::Text)
            && self.log.is_some()
            && self.jsonpath.is_none()
            && !self.commented
    }

    /// What [`Parser::feed`] does with a [`quiet_line`] (not a JSON line, whose text is not a
    /// part of it) that the filter rejects whole
    /// ([`LineFilter::rejects_line`]) when [`Parser::quiet`]: the log's segment reaches the line,
    /// and the line is the one before the next.
    fn skip_quiet(&mut self, n: u64, line: &str) {
        if let Some((_, seg)) = &self.log {
            let seg = *seg;
            self.cx.touch(seg, n);
        }
        self.remember(line);
    }

    /// Keeps `line` (not blank) as the line before the next one.
    fn remember(&mut self, line: &str) {
        // Reuses the buffer: this runs for every line of a big log.
        match (&mut self.prev, line.len() <= 256) {
            (Some(p), true) => {
                p.clear();
                p.push_str(line);
            }
            (prev, true) => *prev = Some(line.to_string()),
            (prev, false) => *prev = None,
        }
    }

    fn feed(&mut self, n: u64, line: &str) {
        let cx = &mut self.cx;
        let offer = match &mut self.state {
            State::Text => Offer::Rejected,
            State::Describe(d) => d.offer(n, line, cx),
            State::Table(t) => t.offer(n, line, cx),
            State::EventLines(e) => e.offer(n, line, cx),
            State::Fields(f) => f.offer(n, line, cx),
            State::UiTable(t) => t.offer(n, line, cx),
            State::Console(c) => c.offer(n, line, cx),
            State::Doc(d) => d.offer(n, line, cx),
            State::Listing(l) => l.offer(n, line, cx),
        };
        match offer {
            Offer::Taken => {}
            Offer::Done => self.end_state(),
            Offer::Rejected => {
                self.end_state();
                self.dispatch(n, line);
            }
        }
        if !is_blank(line) {
            self.remember(line);
        }
    }

    /// A Markdown code fence: whatever was being read ends there; a closing fence also ends the
    /// log a `kubectl logs` line inside the block started.
    fn fence(&mut self) {
        self.end_state();
        self.fences += 1;
        if self.fences.is_multiple_of(2) {
            self.log = None;
        }
        self.prev = None;
    }

    /// Finishes the current segment, emitting its evidence.
    fn end_state(&mut self) {
        let state = std::mem::replace(&mut self.state, State::Text);
        let (outcome, seg) = match state {
            State::Text => return,
            State::Describe(d) => {
                let seg = d.seg();
                let before = self.cx.ev.events.len();
                let outcome = d.finish(&mut self.cx);
                if let Some((kind, name)) = &self.described {
                    for e in &mut self.cx.ev.events[before..] {
                        if e.object_kind.is_none() && e.object_name.is_none() {
                            e.object_kind = Some(kind.clone());
                            e.object_name = Some(name.clone());
                        }
                    }
                }
                (outcome, seg)
            }
            State::Doc(d) => {
                let seg = d.seg();
                (d.finish(&mut self.cx), seg)
            }
            State::Fields(mut f) => {
                f.finish(&mut self.cx);
                (Outcome::Accepted, usize::MAX)
            }
            State::Table(_)
            | State::UiTable(_)
            | State::EventLines(_)
            | State::Console(_)
            | State::Listing(_) => (Outcome::Accepted, usize::MAX),
        };
        let suspended = self.suspended_log.take();
        // A document inside a log that holds no Kubernetes object is part of that log.
        let outcome = match outcome {
            Outcome::ScanAsText { first, text, .. } if suspended.is_some() => {
                Outcome::Replay { first, text }
            }
            other => other,
        };
        match outcome {
            Outcome::Accepted => {}
            Outcome::Replay { first, text } => {
                self.cx.withdraw(seg);
                if let Some((h, s)) = suspended {
                    let s = if s + 1 == self.cx.segments.len() {
                        s
                    } else {
                        self.cx.begin("log", first)
                    };
                    self.log = Some((h, s));
                }
                // A `Name:` line and what followed it without making a describe: `kubectl describe
                // pod | grep -E 'Name:|kubelet'` keeps event rows without their `Events:` header,
                // and those are still event rows.
                let mut rows = None;
                for (i, l) in text.split('\n').enumerate() {
                    let n = first + i as u64;
                    if i > 0 {
                        if let Some(mut e) = events::parse_event_line(l) {
                            let seg = *rows.get_or_insert_with(|| self.cx.begin("event-lines", n));
                            self.cx.touch(seg, n);
                            e.provenance = self.cx.prov(n, "event-lines");
                            self.cx.ev.events.push(e);
                            continue;
                        }
                    }
                    self.plain(n, l);
                }
            }
            Outcome::ScanAsText {
                first,
                text,
                format,
            } => {
                for (i, l) in text.split('\n').enumerate() {
                    if !is_blank(l) {
                        self.cx.keep(first + i as u64, l, None, format);
                        self.cx.message(first + i as u64, l);
                    }
                }
            }
        }
    }

    /// A line that belongs to no structure: a log line under a header, or free text.
    fn plain(&mut self, n: u64, line: &str) {
        if is_blank(line) {
            return;
        }
        // A log line written as a JSON object (docker's json-file, an app's structured log): its
        // text, line by line.
        let t = line.trim();
        if t.starts_with('{') && t.ends_with('}') && t.len() <= 64 * 1024 {
            if let Some(text) = objects::json_log_text(t) {
                for l in text.split('\n') {
                    if !l.trim_start().starts_with('{') {
                        self.plain(n, l);
                    }
                }
                return;
            }
        }
        if let Some(w) = logs::not_started(line) {
            self.not_started(n, w);
        }
        // Other tailers' prefixes (kubetail, stern), only outside a `kubectl logs` stream whose
        // lines are that one container's own: the line after the prefix is read as free text (a
        // component's klog line is still a message), and the log lines it gives are that pod's.
        if let Some((h, text)) = self
            .log
            .is_none()
            .then(|| logs::tool_prefixed(line))
            .flatten()
        {
            let before = self.cx.ev.logs.len();
            self.cx.free_text(n, text);
            for l in &mut self.cx.ev.logs[before..] {
                l.pod.clone_from(&h.pod);
                l.container.clone_from(&h.container);
                l.free_text = false;
            }
            return;
        }
        if let Some((mut h, text)) = logs::prefixed(line) {
            // The namespace and `--previous` of the `kubectl logs --prefix` line before.
            if let Some((cur, seg)) = &self.log {
                if let Some(k) = cur
                    .pod
                    .as_deref()
                    .filter(|k| k.split_once('/').map(|(_, name)| name) == h.pod.as_deref())
                {
                    h.pod = Some(k.to_string());
                }
                h.previous = cur.previous;
                let seg = *seg;
                self.cx.touch(seg, n);
            } else {
                match self.cx.segments.last_mut() {
                    Some(s) if s.format == "log" && s.last_line + 1 >= n => s.last_line = n,
                    _ => {
                        self.cx.begin("log", n);
                    }
                }
            }
            self.cx.keep(n, text, Some(&h), "log");
            return;
        }
        if let Some((h, seg)) = &self.log {
            self.cx.touch(*seg, n);
            // A component's record of an event (a controller's or a CI job's log) is that event
            // too; the line stays this container's log line.
            if text::relays_event(line) {
                let h = h.clone();
                let before = self.cx.ev.logs.len();
                self.cx.free_text(n, line);
                for l in &mut self.cx.ev.logs[before..] {
                    l.pod.clone_from(&h.pod);
                    l.container.clone_from(&h.container);
                    l.previous = h.previous;
                    l.free_text = false;
                }
                return;
            }
            self.cx.keep(n, line, Some(h), "log");
        } else {
            self.cx.free_text(n, line);
        }
    }

    /// The output of `kubectl get pod -o jsonpath` for the paths that say why a pod fails: the
    /// pod's phase, reason and message, and its containers' state and last state (`[*]` prints one
    /// value per container, separated by spaces).
    fn jsonpath_value(&mut self, n: u64, q: &logs::JsonPathQuery, value: &str) {
        use crate::evidence::{ContainerKind, ContainerState, ContainerStatus, PodInfo};
        if value.is_empty() {
            return;
        }
        let provenance = self.cx.prov(n, "jsonpath");
        let (namespace, name) = match q.pod.as_deref().map(|p| p.split_once('/')) {
            Some(Some((ns, name))) => (Some(ns.to_string()), Some(name.to_string())),
            Some(None) => (None, q.pod.clone()),
            None => (None, None),
        };
        let word = |v: &str| {
            v.starts_with(|c: char| c.is_ascii_uppercase())
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':')
        };
        let pod = |f: &mut PodInfo| {
            f.name = name.clone();
            f.namespace = namespace.clone();
            f.provenance = provenance.clone();
        };
        match q.path.as_str() {
            ".status.phase" | ".status.reason" if word(value) => {
                let mut p = PodInfo::default();
                pod(&mut p);
                if q.path == ".status.phase" {
                    p.phase = Some(value.to_string());
                } else {
                    p.reason = Some(value.to_string());
                }
                self.cx.ev.pods.push(p);
                return;
            }
            ".status.message" => {
                let mut p = PodInfo::default();
                pod(&mut p);
                p.message = Some(value.to_string());
                self.cx.ev.pods.push(p);
                return;
            }
            _ => {}
        }
        let Some(rest) = q.path.strip_prefix(".status.") else {
            return;
        };
        let (kind, rest) = if let Some(r) = rest.strip_prefix("containerStatuses.") {
            (ContainerKind::Regular, r)
        } else if let Some(r) = rest.strip_prefix("initContainerStatuses.") {
            (ContainerKind::Init, r)
        } else {
            return;
        };
        let (last, rest) = match rest.split_once('.') {
            Some(("state", r)) => (false, r),
            Some(("lastState", r)) => (true, r),
            _ => return,
        };
        let Some((st, field)) = rest.split_once('.') else {
            return;
        };
        // Reasons and exit codes are single words: `[*]` separates containers with spaces.
        let values: Vec<&str> = if field == "message" {
            vec![value]
        } else {
            value.split_whitespace().collect()
        };
        for v in values {
            let state = match (st, field) {
                ("waiting", "reason") if word(v) => ContainerState::Waiting {
                    reason: Some(v.to_string()),
                    message: None,
                },
                ("waiting", "message") => ContainerState::Waiting {
                    reason: None,
                    message: Some(v.to_string()),
                },
                ("terminated", "reason") if word(v) => ContainerState::Terminated {
                    reason: Some(v.to_string()),
                    message: None,
                    exit_code: None,
                    signal: None,
                    finished_at: None,
                },
                ("terminated", "message") => ContainerState::Terminated {
                    reason: None,
                    message: Some(v.to_string()),
                    exit_code: None,
                    signal: None,
                    finished_at: None,
                },
                ("terminated", "exitCode") => match v.parse::<i32>() {
                    Ok(code) => ContainerState::Terminated {
                        reason: None,
                        message: None,
                        exit_code: Some(code),
                        signal: None,
                        finished_at: None,
                    },
                    Err(_) => return,
                },
                _ => return,
            };
            let (state, last_state) = if last {
                (None, Some(state))
            } else {
                (Some(state), None)
            };
            self.cx.ev.containers.push(ContainerStatus {
                probes: Default::default(),
                pod: q.pod.clone(),
                name: q.container.clone().unwrap_or_default(),
                kind,
                image: None,
                ready: None,
                restart_count: None,
                state,
                last_state,
                provenance: provenance.clone(),
            });
        }
    }

    /// `kubectl logs` refused because the container is waiting to start: that container's state.
    fn not_started(&mut self, n: u64, w: logs::NotStarted) {
        // The namespace, when the `kubectl logs` line before named the same pod with `-n`.
        let key = match self.log.as_ref().and_then(|(h, _)| h.pod.as_deref()) {
            Some(k) if k.rsplit('/').next() == Some(w.pod.as_str()) => k.to_string(),
            _ => w.pod.clone(),
        };
        let provenance = self.cx.prov(n, "kubectl-logs-error");
        self.cx
            .ev
            .containers
            .push(crate::evidence::ContainerStatus {
                probes: Default::default(),
                pod: Some(key),
                name: w.container,
                kind: crate::evidence::ContainerKind::Regular,
                image: None,
                ready: Some(false),
                restart_count: None,
                state: Some(crate::evidence::ContainerState::Waiting {
                    reason: Some(w.reason),
                    message: None,
                }),
                last_state: None,
                provenance,
            });
    }

    /// Starts a new segment at `line`, or treats it as a plain line.
    fn dispatch(&mut self, n: u64, line: &str) {
        let Some(&b0) = line.as_bytes().first() else {
            return;
        };
        if b0.is_ascii_whitespace() && is_blank(line) {
            return;
        }
        if let Some(p) = logs::prompt(line) {
            self.log = None;
            self.jsonpath = None;
            self.described = None;
            match p {
                logs::Prompt::Logs(h) => {
                    let seg = self.cx.begin("log", n);
                    self.log = Some((h, seg));
                }
                logs::Prompt::JsonPath(q) => self.jsonpath = Some(q),
                logs::Prompt::Describe(kind, name) => {
                    self.described = Some((events::kind_name(&kind), name))
                }
                logs::Prompt::Other => {}
            }
            // Output glued to its command when the paste lost its line breaks (`$ kubectl describe
            // pod db-0 ... Events: Type Reason Age From Message ---- ... Warning FailedScheduling
            // ...`): the part from `Events:` on is read as free text. Also glued to what stood
            // around it (`pod-1 ...Events:Type Reason Age From Message---- ...`).
            let glued = line.match_indices("Events:").find(|&(i, _)| {
                let before = line[..i].chars().next_back();
                let after = line[i + 7..].chars().next();
                before.is_some_and(|c| c.is_whitespace() || c == '.')
                    && after.is_some_and(|c| c.is_whitespace() || c.is_ascii_uppercase())
            });
            if let Some((i, _)) = glued {
                self.cx.free_text(n, &line[i..]);
            }
            return;
        }
        // The value a `kubectl get pod -o jsonpath` line before asked for (an object or list is
        // read as JSON below).
        if let Some(q) = self.jsonpath.take() {
            if !matches!(b0, b'{' | b'[') {
                self.jsonpath_value(n, &q, line.trim());
            }
        }
        // gron's flattened JSON (`json.status.containerStatuses[0].state.waiting.reason = "...";`):
        // each assignment is what `-o jsonpath` of that path prints.
        if b0 == b'j' {
            if let Some((path, value)) = logs::gron_line(line) {
                let q = logs::JsonPathQuery {
                    pod: None,
                    path,
                    container: None,
                };
                self.jsonpath_value(n, &q, &value);
                self.cx.keep(n, line, None, "free-text");
                return;
            }
        }
        if b0 == b'=' {
            if let Some(m) = logs::cluster_info_marker(line) {
                match m {
                    logs::Marker::Start(h) => {
                        let seg = self.cx.begin("log", n);
                        self.log = Some((h, seg));
                    }
                    logs::Marker::End => {
                        if let Some((_, seg)) = self.log.take() {
                            self.cx.touch(seg, n);
                        }
                    }
                }
                return;
            }
        }
        let strong_only = self.log.is_some();
        if let Some(state) = self.try_start(n, line, b0, strong_only) {
            self.suspended_log = self.log.take();
            self.state = state;
            if let State::Doc(d) = &self.state {
                if d.complete() {
                    self.end_state();
                }
            }
            return;
        }
        self.plain(n, line);
    }

    /// Recognises the start of a segment. Inside a log only unambiguous starts count.
    fn try_start(&mut self, n: u64, line: &str, b0: u8, strong_only: bool) -> Option<State> {
        let ws = b0 == b' ' || b0 == b'\t';
        match b0 {
            b'N' | b' ' | b'\t' if describe::is_start(line) => {
                return Some(self.start_describe(n, line, "describe"))
            }
            b'E' | b' ' | b'\t' if describe::is_events_start(line) => {
                return Some(self.start_describe(n, line, "events-table"))
            }
            b'a' | b'k' if objects::yaml_start(line, true) => {
                return Some(self.start_doc(objects::DocKind::Yaml, n, line))
            }
            b'{' | b'[' | b'"' | b' ' | b'\t' if objects::json_start(line) => {
                return Some(self.start_doc(objects::DocKind::Json, n, line))
            }
            _ => {}
        }
        if matches!(b0, b'N' | b'P' | b' ' | b'\t') {
            if let Some(listing) = listing::header(line) {
                let seg = self.cx.begin(listing.format(), n);
                return Some(State::Listing(Box::new(listing::ListingState {
                    listing,
                    seg,
                    rows: 0,
                })));
            }
        }
        if matches!(b0, b'T' | b' ' | b'\t') && events::fields_start(line) {
            let seg = self.cx.begin("event-fields", n);
            return Some(State::Fields(Box::new(events::FieldsState::new(
                seg, n, line,
            ))));
        }
        if matches!(b0, b'L' | b'N' | b' ' | b'T' | b'\t') && events::looks_like_header(line) {
            if let Some(table) = events::EventTable::from_header(line) {
                let seg = self.cx.begin("events-table", n);
                return Some(State::Table(Box::new(events::EventsTableState::new(
                    table, seg,
                ))));
            }
        }
        if let Some(table) = events::ui_header(line) {
            let seg = self.cx.begin("events-table", n);
            return Some(State::UiTable(Box::new(events::UiTableState {
                table,
                seg,
                rows: 0,
            })));
        }
        if matches!(b0, b' ' | b'\t' | b'E' | 0xE4) && events::may_be_console_header(line) {
            if let Some(table) = events::console_header(line) {
                let seg = self.cx.begin("console-events", n);
                return Some(State::Console(Box::new(events::ConsoleState {
                    table,
                    seg,
                })));
            }
        }
        if strong_only {
            return None;
        }
        if ws || matches!(b0, b'C' | b'I' | b'S' | b'L' | b'T' | b'R') {
            if let Some(f) = describe::fragment_start(line) {
                let seg = self.cx.begin("describe-fragment", n);
                let name = self.prev.as_deref().and_then(describe::container_name_line);
                let d = describe::Describe::fragment(n, line, seg, f, name);
                return Some(State::Describe(Box::new(d)));
            }
        }
        match b0 {
            b'-' | b'm' | b's' | b'i' | b't' | b'c' | b'l' | b'e' | b'w' | b' ' | b'\t'
                if objects::yaml_start(line, false) =>
            {
                Some(self.start_doc(objects::DocKind::Yaml, n, line))
            }
            _ => {
                if let Some(mut e) = events::parse_event_line(line) {
                    let seg = self.cx.begin("event-lines", n);
                    e.provenance = self.cx.prov(n, "event-lines");
                    self.cx.ev.events.push(e);
                    return Some(State::EventLines(events::EventLinesState::new(seg, line)));
                }
                let listing = listing::headerless(line)?;
                let seg = self.cx.begin(listing.format(), n);
                let mut st = listing::ListingState {
                    listing,
                    seg,
                    rows: 0,
                };
                if !st.row(n, line, &mut self.cx) {
                    self.cx.withdraw(seg);
                    return None;
                }
                st.rows = 1;
                Some(State::Listing(Box::new(st)))
            }
        }
    }

    fn start_describe(&mut self, n: u64, line: &str, format: &str) -> State {
        let seg = self.cx.begin(format, n);
        State::Describe(Box::new(describe::Describe::new(n, line, seg)))
    }

    fn start_doc(&mut self, kind: objects::DocKind, n: u64, line: &str) -> State {
        let seg = self.cx.begin(kind.format(), n);
        State::Doc(Box::new(
            objects::Doc::new(kind, n, line, seg).with_limit(self.max_doc),
        ))
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_claims;
#[cfg(test)]
mod tests_layouts;
#[cfg(test)]
mod tests_paste;
#[cfg(test)]
mod tests_quiet;
#[cfg(test)]
mod tests_status;
#[cfg(test)]
mod tests_wrappers;
