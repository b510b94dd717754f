//! Dumps: many pods' objects and logs at once, read by path.
//!
//! Owns recognising the layout of a `kubectl cluster-info dump --output-directory` and of a
//! troubleshoot.sh support bundle ([`detect`]), deciding from a file's path what it holds (pod,
//! event and node lists are parsed, other kinds are skipped, a container's log file is attributed to
//! its pod and container by its path), and streaming `.tar.gz`/`.tgz`/`.tar` archives entry by entry
//! without unpacking them. Object lists (`pods.json`, `events.json`, `nodes.json`, their `.yaml`
//! forms) are streamed item by item ([`super::stream`]), so memory stays bounded by one object
//! whatever size an archive claims; other files go through the ordinary parsers.
//!
//! Layouts read:
//! - cluster-info dump: `nodes.json`, `<ns>/{pods,events}.json`, `<ns>/<pod>/logs.txt` (with
//!   `==== START logs for container ... ====` markers); `.yaml` with `-o yaml`;
//!   `<ns>/{replicasets,deployments,services,...}.json` are skipped.
//! - support bundle: `cluster-resources/nodes.json`, `cluster-resources/{pods,events}/<ns>.json`,
//!   `cluster-resources/pods/logs/<ns>/<pod>/<container>[-previous].log`, and any other
//!   `.../<ns>/<pod>/<container>[-previous].log` (logs collectors); the rest of `cluster-resources/`
//!   is skipped.
//!
//! The decision depends only on the path (relative to the directory, or inside the archive), so a
//! directory and an archive of it give the same evidence.

use super::logs::LogHeader;
use super::{parse_stream, stream, InputError, InputSummary, LineFilter, StreamOptions};
use crate::evidence::Evidence;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Component, Path};

/// What kind of dump a directory or archive is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DumpKind {
    /// `kubectl cluster-info dump --output-directory=DIR`.
    ClusterInfoDump,
    /// A troubleshoot.sh (`kubectl support-bundle`) bundle.
    SupportBundle,
}

impl DumpKind {
    /// `cluster-info-dump` or `support-bundle`.
    pub fn as_str(self) -> &'static str {
        match self {
            DumpKind::ClusterInfoDump => "cluster-info-dump",
            DumpKind::SupportBundle => "support-bundle",
        }
    }

    /// Human name: `kubectl cluster-info dump` or `support bundle`.
    pub fn describe(self) -> &'static str {
        match self {
            DumpKind::ClusterInfoDump => "kubectl cluster-info dump",
            DumpKind::SupportBundle => "support bundle",
        }
    }
}

impl std::fmt::Display for DumpKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of dump at `path`: a directory (or the directory holding one extracted bundle), or a
/// `.tar.gz`/`.tgz`/`.tar` archive (its entry names are read until one decides). `None` for anything
/// else, including an unreadable or corrupt archive.
pub fn detect(path: &Path) -> Option<DumpKind> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        detect_dir(path)
    } else if meta.is_file() && is_compressed_or_archive(path) {
        detect_archive(path)
    } else {
        None
    }
}

fn detect_dir(dir: &Path) -> Option<DumpKind> {
    if dir.join("cluster-resources").is_dir() {
        return Some(DumpKind::SupportBundle);
    }
    // One namespace directory of a cluster-info dump.
    if has_list(dir, "pods") {
        return Some(DumpKind::ClusterInfoDump);
    }
    let mut children: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    children.sort();
    let mut cluster_info = false;
    for c in &children {
        if c.join("cluster-resources").is_dir() {
            return Some(DumpKind::SupportBundle);
        }
        cluster_info |= has_list(c, "pods");
    }
    cluster_info.then_some(DumpKind::ClusterInfoDump)
}

/// `dir/<stem>.json` or `.yaml`/`.yml` exists.
fn has_list(dir: &Path, stem: &str) -> bool {
    ["json", "yaml", "yml"]
        .iter()
        .any(|ext| dir.join(format!("{stem}.{ext}")).is_file())
}

fn detect_archive(path: &Path) -> Option<DumpKind> {
    let file = std::fs::File::open(path).ok()?;
    let opened = open_stream(file).ok()?;
    let mut archive = tar::Archive::new(opened.reader);
    for entry in archive.entries().ok()? {
        let entry = entry.ok()?;
        let Ok(p) = entry.path() else {
            continue;
        };
        let comps = components(&p);
        if comps.iter().any(|c| c == "cluster-resources") {
            return Some(DumpKind::SupportBundle);
        }
        if let Some(f) = comps.last() {
            let (stem, ext) = split_ext(f);
            if stem == "pods" && is_data_ext(ext) {
                return Some(DumpKind::ClusterInfoDump);
            }
        }
    }
    None
}

/// Whether `path` names, or starts like, a gzip stream or a tar archive (by extension or magic
/// bytes). Such a file is read by [`parse_archive`], not as text.
pub fn is_compressed_or_archive(path: &Path) -> bool {
    if archive_name(path).is_some() {
        return true;
    }
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(head) = read_up_to(&mut f, 262) else {
        return false;
    };
    head.starts_with(&GZIP_MAGIC) || is_tar_header(&head)
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What the file name says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArchiveName {
    TarGz,
    Tar,
    Gz,
}

fn archive_name(path: &Path) -> Option<ArchiveName> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        Some(ArchiveName::TarGz)
    } else if name.ends_with(".tar") {
        Some(ArchiveName::Tar)
    } else if name.ends_with(".gz") {
        Some(ArchiveName::Gz)
    } else {
        None
    }
}

/// A POSIX/GNU tar header has `ustar` at offset 257.
fn is_tar_header(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar".as_slice())
}

fn read_up_to<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n);
    r.by_ref().take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// A stream opened for reading as an archive.
struct Opened {
    /// The decompressed bytes, from the start.
    reader: Box<dyn Read>,
    /// Whether it was gzipped.
    compressed: bool,
    /// Its first (up to) 512 decompressed bytes, also still in `reader`.
    head: Vec<u8>,
}

/// The decompressed stream of `file` (gunzipped when it starts with the gzip magic), with its
/// first 512 bytes peeked.
fn open_stream<R: Read + 'static>(mut file: R) -> io::Result<Opened> {
    let magic = read_up_to(&mut file, 2)?;
    let compressed = magic == GZIP_MAGIC;
    let raw = io::Cursor::new(magic).chain(file);
    let mut reader: Box<dyn Read> = if compressed {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            64 * 1024,
            raw,
        )))
    } else {
        Box::new(raw)
    };
    let head = read_up_to(&mut reader, 512)?;
    let reader = Box::new(io::Cursor::new(head.clone()).chain(reader));
    Ok(Opened {
        reader,
        compressed,
        head,
    })
}

/// An archive that cannot be read at all.
fn corrupt(input: &str, e: io::Error) -> InputError {
    InputError::Io {
        input: input.to_string(),
        source: io::Error::new(
            e.kind(),
            format!("not a readable .tar.gz/.tgz/.tar archive: {e}"),
        ),
    }
}

/// Why a file or entry that could not be parsed was skipped.
fn skipped_reason(e: &InputError) -> String {
    match e {
        InputError::Binary { .. } | InputError::BinaryContent { .. } => {
            "looks binary; skipped".to_string()
        }
        InputError::Empty { .. } => "empty; skipped".to_string(),
        InputError::Io { source, .. } => format!("cannot be read ({source}); skipped"),
    }
}

/// Read a dump directory: every regular file under `root` (sorted, hidden entries skipped) that
/// its path says is worth reading, log files attributed to their pod and container. Unreadable or
/// binary files are recorded as not checked; an error only if nothing could be read.
pub fn parse_dir(
    root: &Path,
    filter: &dyn LineFilter,
    ev: &mut Evidence,
) -> Result<Vec<InputSummary>, InputError> {
    let mut files = Vec::new();
    let mut first_err: Option<InputError> = None;
    super::collect_files(root, &mut files, ev, &mut first_err);
    let mut out = Vec::new();
    for f in files {
        let rel = f.strip_prefix(root).unwrap_or(&f);
        let Some(opts) = classify(&components(rel)).options() else {
            continue;
        };
        let fname = f.display().to_string();
        let result = std::fs::File::open(&f)
            .map_err(|source| InputError::Io {
                input: fname.clone(),
                source,
            })
            .and_then(|file| read_entry(&fname, file, filter, ev, opts));
        ev.settle_events(false, &|e| filter.wants_event(e));
        match result {
            Ok(s) => out.push(s),
            Err(e) => {
                ev.not_checked(fname, skipped_reason(&e));
                first_err.get_or_insert(e);
            }
        }
    }
    if out.is_empty() {
        return Err(first_err.unwrap_or(InputError::Empty {
            input: root.display().to_string(),
        }));
    }
    Ok(out)
}

/// Read a `.tar.gz`/`.tgz`/`.tar` archive entry by entry, never unpacking it: entries are chosen
/// and attributed by their path as in [`parse_dir`] and named `archive.tar.gz:path/in/archive`. An
/// archive that cannot be opened at all is an error; a bad entry is recorded as not checked; damage
/// after some entries were read ends the reading with a not-checked note. A gzipped file that is
/// not a tar archive is parsed as one text stream.
pub fn parse_archive(
    path: &Path,
    filter: &dyn LineFilter,
    ev: &mut Evidence,
) -> Result<Vec<InputSummary>, InputError> {
    let file = std::fs::File::open(path).map_err(|source| InputError::Io {
        input: path.display().to_string(),
        source,
    })?;
    parse_archive_from(path, file, filter, ev)
}

/// Whether a stream named `path` that starts with `head` (its first 262 bytes or fewer) is an
/// archive or a gzip stream, by its name or its magic bytes.
pub(crate) fn looks_like_archive(path: &Path, head: &[u8]) -> bool {
    archive_name(path).is_some() || head.starts_with(&GZIP_MAGIC) || is_tar_header(head)
}

/// [`parse_archive`] over an already opened stream (a pipe can be opened only once).
pub(crate) fn parse_archive_from<R: Read + 'static>(
    path: &Path,
    file: R,
    filter: &dyn LineFilter,
    ev: &mut Evidence,
) -> Result<Vec<InputSummary>, InputError> {
    let name = path.display().to_string();
    let Opened {
        reader,
        compressed,
        head,
    } = open_stream(file).map_err(|e| corrupt(&name, e))?;
    let named = archive_name(path);
    let is_tar =
        is_tar_header(&head) || matches!(named, Some(ArchiveName::Tar | ArchiveName::TarGz));
    if !is_tar {
        if compressed {
            // `app.log.gz`: one gzipped text file.
            return super::parse_reader(&name, reader, filter, ev).map(|s| vec![s]);
        }
        return Err(corrupt(
            &name,
            io::Error::new(io::ErrorKind::InvalidData, "no gzip or tar header"),
        ));
    }
    if !compressed && named == Some(ArchiveName::TarGz) && !is_tar_header(&head) {
        return Err(corrupt(
            &name,
            io::Error::new(io::ErrorKind::InvalidData, "no gzip header"),
        ));
    }
    let mut archive = tar::Archive::new(reader);
    let entries = archive.entries().map_err(|e| corrupt(&name, e))?;
    let mut out = Vec::new();
    let mut first_err: Option<InputError> = None;
    let mut seen = 0usize;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if seen == 0 {
                    return Err(corrupt(&name, e));
                }
                ev.not_checked(
                    name.clone(),
                    format!(
                        "the archive is damaged after entry {seen} ({e}); the rest of it was not read"
                    ),
                );
                break;
            }
        };
        seen += 1;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let comps = match entry.path() {
            Ok(p) => components(&p),
            Err(e) => {
                ev.not_checked(
                    format!("entry {seen} of {name}"),
                    format!("its name cannot be read ({e}); skipped"),
                );
                continue;
            }
        };
        let Some(opts) = classify(&comps).options() else {
            continue;
        };
        let ename = format!("{name}:{}", comps.join("/"));
        let read = read_entry(&ename, &mut entry, filter, ev, opts);
        ev.settle_events(false, &|e| filter.wants_event(e));
        match read {
            Ok(s) => out.push(s),
            Err(e) => {
                ev.not_checked(ename, skipped_reason(&e));
                first_err.get_or_insert(e);
            }
        }
    }
    if out.is_empty() {
        return Err(first_err.unwrap_or(InputError::Empty { input: name }));
    }
    Ok(out)
}

/// Read one file of a dump. Object lists (`.json` whose text starts an object or array, `.yaml`/`.yml`)
/// are streamed item by item ([`stream`]) so memory does not grow with the file; everything else goes
/// through the ordinary parsers.
fn read_entry<R: Read>(
    name: &str,
    reader: R,
    filter: &dyn LineFilter,
    ev: &mut Evidence,
    opts: StreamOptions,
) -> Result<InputSummary, InputError> {
    let (_, ext) = split_ext(name.rsplit(['/', '\\']).next().unwrap_or(name));
    if opts.log.is_some() || !is_data_ext(ext) {
        return parse_stream(name, reader, filter, ev, opts);
    }
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let head = reader.fill_buf().map_err(|source| InputError::Io {
        input: name.to_string(),
        source,
    })?;
    let first = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    if first.is_none() && head.is_empty() {
        return Err(InputError::Empty {
            input: name.to_string(),
        });
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    match (ext, first) {
        ("json", Some(b'{' | b'[')) => stream::json_list(name, reader, ev),
        ("yaml" | "yml", Some(_)) => stream::yaml_list(name, reader, ev),
        _ => parse_stream(name, reader, filter, ev, opts),
    }
}

/// The normal components of a relative path, as text (`.`, `/` and drive prefixes dropped).
fn components(p: &Path) -> Vec<String> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect()
}

/// What to do with one file of a dump, from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// Not about pods (another kind of object, bundle metadata): not read.
    Skip,
    /// Read as any pasted input (object lists, text).
    Parse,
    /// A container's log: every line is that container's unless a header in the file says otherwise.
    Log(LogHeader),
}

impl Action {
    fn options(self) -> Option<StreamOptions> {
        match self {
            Action::Skip => None,
            Action::Parse => Some(StreamOptions {
                log: None,
                max_doc: None,
            }),
            Action::Log(h) => Some(StreamOptions {
                log: Some(h),
                max_doc: None,
            }),
        }
    }
}

/// Lists of kinds other than pods, events and nodes, as a cluster-info dump (or a user's own
/// `kubectl get -o json > x.json`) names them: skipped for speed.
const OTHER_KINDS: &[&str] = &[
    "replication-controllers",
    "replicationcontrollers",
    "services",
    "daemonsets",
    "deployments",
    "replicasets",
    "statefulsets",
    "jobs",
    "cronjobs",
    "endpoints",
    "endpointslices",
    "configmaps",
    "secrets",
    "ingresses",
    "persistentvolumes",
    "persistentvolumeclaims",
    "namespaces",
    "serviceaccounts",
    "storageclasses",
    "limitranges",
    "resourcequotas",
    "leases",
    "priorityclasses",
    "horizontalpodautoscalers",
    "poddisruptionbudgets",
    "networkpolicies",
    "roles",
    "rolebindings",
    "clusterroles",
    "clusterrolebindings",
    "customresourcedefinitions",
];

/// Support bundle metadata at its top level: not evidence.
const BUNDLE_META: &[&str] = &["analysis.json", "version.yaml", "execution-data"];

fn split_ext(file: &str) -> (&str, &str) {
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext),
        _ => (file, ""),
    }
}

fn is_data_ext(ext: &str) -> bool {
    matches!(ext, "json" | "yaml" | "yml")
}

/// Decides from the components of a path inside the dump what the file holds.
fn classify(comps: &[String]) -> Action {
    let Some(file) = comps.last() else {
        return Action::Skip;
    };
    if comps.iter().any(|c| c.starts_with('.') || c == "__MACOSX") {
        return Action::Skip;
    }
    if let Some(i) = comps.iter().rposition(|c| c == "cluster-resources") {
        return bundle_resource(&comps[i + 1..]);
    }
    if comps
        .iter()
        .take(comps.len().saturating_sub(1).min(2))
        .chain(std::iter::once(file))
        .any(|c| BUNDLE_META.contains(&c.as_str()))
    {
        return Action::Skip;
    }
    let (stem, ext) = split_ext(file);
    let n = comps.len();
    if ext == "log" && n >= 3 {
        if stem.ends_with("-errors") {
            return Action::Skip;
        }
        return match container_log(&comps[n - 3], &comps[n - 2], stem) {
            Some(h) => Action::Log(h),
            None => Action::Parse,
        };
    }
    if is_data_ext(ext) {
        if OTHER_KINDS.contains(&stem) {
            return Action::Skip;
        }
        return Action::Parse;
    }
    if file == "logs.txt" && n >= 3 {
        let (ns, pod) = (&comps[n - 3], &comps[n - 2]);
        if dns_name(ns, false) && dns_name(pod, true) {
            return Action::Log(LogHeader {
                pod: Some(format!("{ns}/{pod}")),
                container: None,
                previous: None,
            });
        }
    }
    Action::Parse
}

/// A path inside a bundle's `cluster-resources/`.
fn bundle_resource(rest: &[String]) -> Action {
    let is_list = |f: &str| {
        let (stem, ext) = split_ext(f);
        is_data_ext(ext) && !stem.ends_with("-errors")
    };
    match rest {
        [f] if split_ext(f).0 == "nodes" && is_list(f) => Action::Parse,
        [kind, f] if (kind == "pods" || kind == "events") && is_list(f) => Action::Parse,
        [pods, logs, ns, pod, f] if pods == "pods" && logs == "logs" => {
            let (stem, ext) = split_ext(f);
            if ext != "log" || stem.ends_with("-errors") {
                return Action::Skip;
            }
            container_log(ns, pod, stem).map_or(Action::Skip, Action::Log)
        }
        _ => Action::Skip,
    }
}

/// The header of `<ns>/<pod>/<container>.log` (`<container>-previous.log` for the previous
/// container), when the names are valid Kubernetes names.
fn container_log(ns: &str, pod: &str, stem: &str) -> Option<LogHeader> {
    let (container, previous) = match stem
        .strip_suffix("-previous")
        .or_else(|| stem.strip_suffix(".previous"))
    {
        Some(c) => (c, true),
        None => (stem, false),
    };
    if !(dns_name(ns, false) && dns_name(pod, true) && dns_name(container, false)) {
        return None;
    }
    Some(LogHeader {
        pod: Some(format!("{ns}/{pod}")),
        container: Some(container.to_string()),
        previous: Some(previous),
    })
}

/// A DNS label (`dots`: subdomain) as Kubernetes names are: lowercase letters, digits, `-` (and
/// `.`), starting and ending with a letter or digit.
fn dns_name(s: &str, dots: bool) -> bool {
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 253
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter()
            .all(|c| alnum(c) || *c == b'-' || (dots && *c == b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cl(path: &str) -> Action {
        let comps: Vec<String> = path.split('/').map(str::to_string).collect();
        classify(&comps)
    }

    fn log(pod: &str, c: Option<&str>, previous: Option<bool>) -> Action {
        Action::Log(LogHeader {
            pod: Some(pod.to_string()),
            container: c.map(str::to_string),
            previous,
        })
    }

    #[test]
    fn cluster_info_dump_paths() {
        assert_eq!(cl("nodes.json"), Action::Parse);
        assert_eq!(cl("shop/pods.json"), Action::Parse);
        assert_eq!(cl("shop/events.yaml"), Action::Parse);
        assert_eq!(cl("dump/kube-system/pods.json"), Action::Parse);
        assert_eq!(cl("shop/replicasets.json"), Action::Skip);
        assert_eq!(cl("shop/replication-controllers.yaml"), Action::Skip);
        assert_eq!(
            cl("shop/web-1/logs.txt"),
            log("shop/web-1", None, None),
            "markers inside name the container"
        );
        assert_eq!(cl("dump/Shop_X/web-1/logs.txt"), Action::Parse);
        assert_eq!(cl("notes.txt"), Action::Parse);
        assert_eq!(cl(".hidden/pods.json"), Action::Skip);
        assert_eq!(cl("__MACOSX/shop/._pods.json"), Action::Skip);
    }

    #[test]
    fn support_bundle_paths() {
        let b = "support-bundle-2024-04-03T08_00_00";
        assert_eq!(
            cl(&format!("{b}/cluster-resources/pods/shop.json")),
            Action::Parse
        );
        assert_eq!(
            cl("cluster-resources/events/kube-system.json"),
            Action::Parse
        );
        assert_eq!(cl("cluster-resources/nodes.json"), Action::Parse);
        assert_eq!(cl("cluster-resources/pods-errors.json"), Action::Skip);
        assert_eq!(cl("cluster-resources/deployments/shop.json"), Action::Skip);
        assert_eq!(
            cl("cluster-resources/custom-resources/x.yaml"),
            Action::Skip
        );
        assert_eq!(
            cl(&format!(
                "{b}/cluster-resources/pods/logs/shop/web-1/web-previous.log"
            )),
            log("shop/web-1", Some("web"), Some(true))
        );
        assert_eq!(
            cl("cluster-resources/pods/logs/shop/web-1/istio-proxy.log"),
            log("shop/web-1", Some("istio-proxy"), Some(false))
        );
        assert_eq!(
            cl("cluster-resources/pods/logs/shop/web-1/web-logs-errors.log"),
            Action::Skip
        );
        assert_eq!(
            cl("pods/logs/shop/web-1/web.log"),
            log("shop/web-1", Some("web"), Some(false))
        );
        assert_eq!(
            cl(&format!(
                "{b}/app-logs/kube-system/coredns-5d78c9869d-4xk2p/coredns.log"
            )),
            log(
                "kube-system/coredns-5d78c9869d-4xk2p",
                Some("coredns"),
                Some(false)
            )
        );
        assert_eq!(cl("x/Logs/App.log"), Action::Parse, "not Kubernetes names");
        assert_eq!(cl(&format!("{b}/analysis.json")), Action::Skip);
        assert_eq!(cl("version.yaml"), Action::Skip);
        assert_eq!(
            cl(&format!("{b}/execution-data/summary.json")),
            Action::Skip
        );
    }

    #[test]
    fn names() {
        assert!(dns_name("web-7d9f8c6b5-x2x4p", false));
        assert!(dns_name("redis-0.redis", true));
        assert!(!dns_name("redis-0.redis", false));
        assert!(!dns_name("-x", false));
        assert!(!dns_name("", true));
        assert!(!dns_name("Web", true));
        assert_eq!(split_ext("pods.json"), ("pods", "json"));
        assert_eq!(split_ext(".json"), (".json", ""));
        assert_eq!(split_ext("logs"), ("logs", ""));
    }

    #[test]
    fn gzip_and_tar_are_recognised_by_magic() {
        assert!(is_tar_header(&{
            let mut h = vec![0u8; 512];
            h[257..262].copy_from_slice(b"ustar");
            h
        }));
        assert!(!is_tar_header(b"short"));
        let mut o =
            open_stream(io::Cursor::new(b"plain text".to_vec())).expect("reading from memory");
        assert!(!o.compressed);
        assert_eq!(o.head, b"plain text");
        let mut all = String::new();
        o.reader
            .read_to_string(&mut all)
            .expect("reading from memory");
        assert_eq!(all, "plain text");
        let gz = {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(b"hello\n").expect("in memory");
            e.finish().expect("in memory")
        };
        let mut o = open_stream(io::Cursor::new(gz)).expect("valid gzip");
        assert!(o.compressed);
        let mut all = String::new();
        o.reader.read_to_string(&mut all).expect("valid gzip");
        assert_eq!(all, "hello\n");
        assert!(open_stream(io::Cursor::new(vec![0x1f, 0x8b, 0, 0, 1, 2, 3])).is_err());
    }
}
