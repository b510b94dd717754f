//! The rules engine: matches [`Evidence`] against a [`RuleSet`] and produces findings.
//!
//! The engine knows source kinds and matchers, never any particular failure. At construction it
//! groups every field regex of every rule by (source, field), each distinct pattern once — the
//! prefilter ([`FieldMatcher`]). Nothing is compiled up front: for each evidence item's field text,
//! one Aho-Corasick scan for the patterns' required literals picks the few patterns that can match,
//! and only those are compiled (once) and run; a field asked about thousands of times (the lines of
//! a big log) switches to one combined `RegexSet`, split into several when one would exceed the
//! regex crate's size limit (large user rule sets; user rules are compiled at load so errors name
//! their file). A leaf matches an item when all of the leaf's pattern indices are among the item's
//! matches. Regexes with captures are run only for the items that matched. The same prefilter
//! decides which log lines are worth keeping while input streams past (see
//! [`Engine::wants_log_line`]).
//!
//! Semantics (documented for rule authors in `rules/README.md`):
//! - a leaf matches an item when every field regex it names matches that item's field text (absent
//!   fields are the empty string; multi-valued fields such as annotations match if any value does);
//! - `any` matches when at least one child does, `all` when every child does, `not` when its child
//!   matches nothing; a finding's evidence is every item matched by a leaf outside a `not`;
//! - captures are taken from the first matching item in evidence order; across `all`/`any` the first
//!   value bound to a name wins.

use crate::evidence::{ContainerState, Evidence, Provenance, When};
use crate::rules::{MatchNode, Platform, Reference, Rule, RuleKind, RuleSet, Severity, Source};
use regex::RegexSet;
use regex_automata::meta;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Most evidence items one finding quotes; the rest are counted in `evidence_omitted` (an 8 MB event
/// list can match one rule 20,000 times).
pub const MAX_EVIDENCE_PER_FINDING: usize = 50;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A rule compiled against the prefilter.
struct CompiledRule {
    rule: Rule,
    root: CNode,
}

enum CNode {
    All(Vec<CNode>),
    Any(Vec<CNode>),
    Not(Box<CNode>),
    Leaf(CLeaf),
}

struct CLeaf {
    source: Source,
    /// (field, index of the pattern in that field's RegexSet, index in [`Engine::captures`] when
    /// the pattern has named groups)
    fields: Vec<(&'static str, usize, Option<usize>)>,
    /// Positions in `fields` of the message fields (`event.message`, `container.waiting_message`,
    /// `container.termination_message`): what a message found in free text is matched on.
    msg_fields: Vec<usize>,
    /// Some message regex of this leaf requires a literal of at least [`MIN_TEMPLATE_LITERAL`]
    /// bytes: it is a whole message template, not a word an application log may merely mention.
    specific: bool,
}

/// Shortest required literal that makes a message regex a template that may match free text whose
/// reason is not known (`Back-off pulling image` is one, `timeout` is not).
pub const MIN_TEMPLATE_LITERAL: usize = 16;

fn is_message_field(source: Source, field: &str) -> bool {
    matches!(
        (source, field),
        (Source::Event, "message") | (Source::Container, "waiting_message" | "termination_message")
    )
}

/// Length in bytes of the longest literal every match of `pattern` must contain (case-insensitive
/// letters and tiny classes such as `[Ff]` count as literal characters). 0 when it cannot be
/// computed.
pub fn required_literal_len(pattern: &str) -> usize {
    crate::rules::pattern_facts(pattern).map_or(0, |f| f.literal_len)
}

/// One [`FieldMatcher`] per (source, field).
#[derive(Default)]
struct Prefilter {
    sets: HashMap<(Source, &'static str), std::sync::Arc<FieldMatcher>>,
}

/// The longest literal every match of `pattern` must contain (ASCII letters lowercased: it is
/// looked for without ASCII case, so `(?i)` letters count), or `None` when there is none of at
/// least 3 bytes. A text without it cannot match the pattern.
pub fn required_needle(pattern: &str) -> Option<Vec<u8>> {
    crate::rules::pattern_facts(pattern).and_then(|f| f.needle)
}

/// The patterns of one (source, field), matched without compiling them all: a pattern is run only
/// on texts that contain one of its required literals (`regex_facts::needle_set_of`, computed by
/// build.rs for the built-in rules; one Aho-Corasick scan finds them all), and compiled the first
/// time that happens. A field asked about many times (the log
/// lines of a big paste) switches to one combined [`SplitSet`], built then.
struct FieldMatcher {
    patterns: Vec<LazyRegex>,
    /// Scans for every pattern's required literal (built on first use: many fields are never asked
    /// about in one run); `needle_owner[k]` lists the patterns of needle k. `None` inside when
    /// there are no needles or the automaton cannot be built: then every pattern is a candidate.
    needles: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>>,
    needle_owner: Vec<Vec<usize>>,
    /// Patterns without a required literal: always run.
    always: Vec<usize>,
    /// The distinct needles, to build `needles` from.
    needle_list: Vec<Vec<u8>>,
    /// For each needle, three of its byte pairs (first, middle, last): the first
    /// [`FieldMatcher::SCAN_BEFORE_AC`] texts look a needle up only when the text holds all three
    /// (see [`PairSet`]).
    probes: Vec<Option<[u16; 3]>>,
    /// Texts looked at so far (decides between the pair look-ups and the automaton).
    scans: std::sync::atomic::AtomicUsize,
    calls: std::sync::atomic::AtomicUsize,
    /// `None` when the combined set cannot be built (then the per-pattern path stays).
    set: std::sync::OnceLock<Option<GatedSet>>,
    /// Whether the combined set sits behind a literal gate ([`GatedSet`]): only for the log
    /// text, whose lines mostly hold no literal of the catalog. The fields of a big event paste
    /// (kubelet's messages, which mostly do hold one) were measured slower and bigger with it.
    gate: bool,
    /// Texts the combined set was run on, and texts its gate let through (see [`GatedSet`]);
    /// read by tests guarding the cost of a big log scan.
    #[cfg(test)]
    gate_stats: (
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    ),
}

/// The combined set of a field asked about many times, behind a gate: one Aho-Corasick DFA holding
/// every required literal of every pattern (`regex_facts::needle_set_of`) says whether a text can
/// match any pattern that has literals; only a text that holds one is given to the whole set.
/// Patterns without a literal are their own (small) set, run on every text. Most lines of a big
/// log hold none of the catalog's literals, and the DFA's one pass over a line costs a fraction
/// of the combined set's lazy DFA (hundreds of patterns) over it.
struct GatedSet {
    set: SplitSet,
    /// `None` when no pattern has a literal: every text goes to `set`. A contiguous NFA at first;
    /// see [`GatedSet::fast`].
    gate: Option<aho_corasick::AhoCorasick>,
    /// The gate's literals, kept to build [`GatedSet::fast`] from.
    gate_needles: Vec<Vec<u8>>,
    /// Bytes of text given to the gate so far.
    scanned: std::sync::atomic::AtomicUsize,
    /// The gate as a DFA, built once [`GatedSet::DFA_AFTER_BYTES`] of text went through it (a
    /// big pasted log); `None` inside when it cannot be built. The DFA of the log catalog's
    /// ~1,000 folded-case literals holds ~16 MiB against the NFA's ~1, and runs about twice as
    /// fast: a live sweep's bounded logs never pay for it, a 256 MiB log runs mostly on it.
    fast: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>>,
    /// The patterns without a literal (their indices in the whole list, ascending) and their set;
    /// `None` when every pattern has one.
    always: Option<(Vec<usize>, SplitSet)>,
    /// For each pattern of `always`, an ASCII byte every match of it contains
    /// (`regex_facts::rare_required_byte`), the rarest in logs; `None` when some pattern has none
    /// (then `always` runs on every text). A text holding none of them skips `always`.
    always_bytes: Option<Vec<u8>>,
}

impl GatedSet {
    /// Shortest literal the gate holds: a pattern one of whose literals is shorter (`] `, `at`)
    /// would open it on most lines of any log, so such a pattern is run on every text instead,
    /// with those without a literal.
    const MIN_GATE_NEEDLE: usize = 3;

    /// Text through the NFA gate after which the DFA gate is built (see [`GatedSet::fast`]).
    /// Measured (scripts/bench.sh, release, 2026-12-02): with the NFA gate alone the 256 MiB log
    /// took 1.14-1.29x ripgrep's CPU and 44 MiB, with the DFA alone 0.81x and 59 MiB; the live
    /// 20,000-pod sweep (about 8 MiB of logs) 88 MiB with the NFA and 103 MiB with the DFA.
    const DFA_AFTER_BYTES: usize = 32 << 20;

    /// `set` (the whole `list`) behind a gate of `needles` (`owners[k]`: the patterns of needle
    /// k); `always` are the patterns without one. When the gate or the set of the patterns it
    /// does not cover cannot be built, every text goes to `set`.
    fn new(
        set: SplitSet,
        list: &[Src],
        needles: &[Vec<u8>],
        owners: &[Vec<usize>],
        always: &[usize],
    ) -> GatedSet {
        let mut ungated: Vec<bool> = vec![false; list.len()];
        for &i in always {
            ungated[i] = true;
        }
        for (n, own) in needles.iter().zip(owners) {
            if n.len() < Self::MIN_GATE_NEEDLE {
                own.iter().for_each(|&i| ungated[i] = true);
            }
        }
        let needles: Vec<&Vec<u8>> = needles
            .iter()
            .zip(owners)
            .filter(|(_, own)| own.iter().any(|&i| !ungated[i]))
            .map(|(n, _)| n)
            .collect();
        let always: Vec<usize> = (0..list.len()).filter(|&i| ungated[i]).collect();
        // A contiguous NFA first: the DFA is built only for a big log (see `fast`).
        let gate_needles: Vec<Vec<u8>> = needles.into_iter().cloned().collect();
        let gate = (!gate_needles.is_empty())
            .then(|| Self::automaton(&gate_needles, aho_corasick::AhoCorasickKind::ContiguousNFA))
            .flatten();
        let always = if always.is_empty() || gate.is_none() {
            None
        } else {
            let pats: Vec<Src> = always.iter().map(|&i| list[i].clone()).collect();
            match SplitSet::new(&pats) {
                Ok(s) => Some((always, s)),
                Err(_) => {
                    return GatedSet::ungated(set);
                }
            }
        };
        let always_bytes = always.as_ref().and_then(|(ids, _)| {
            ids.iter()
                .map(|&i| {
                    regex_syntax::Parser::new()
                        .parse(&list[i])
                        .ok()
                        .and_then(|h| crate::regex_facts::rare_required_byte(&h))
                })
                .collect::<Option<Vec<u8>>>()
        });
        GatedSet {
            set,
            gate,
            gate_needles,
            scanned: Default::default(),
            fast: Default::default(),
            always,
            always_bytes,
        }
    }

    /// `set` with no gate: every text goes to it.
    fn ungated(set: SplitSet) -> GatedSet {
        GatedSet {
            set,
            gate: None,
            gate_needles: Vec::new(),
            scanned: Default::default(),
            fast: Default::default(),
            always: None,
            always_bytes: None,
        }
    }

    /// The gate automaton of `needles` (ASCII case-insensitive, as `(?i)` needs).
    fn automaton(
        needles: &[Vec<u8>],
        kind: aho_corasick::AhoCorasickKind,
    ) -> Option<aho_corasick::AhoCorasick> {
        aho_corasick::AhoCorasick::builder()
            .kind(Some(kind))
            .ascii_case_insensitive(true)
            .build(needles)
            .ok()
    }

    /// The gate to run on `text`: the NFA, or the DFA once enough text went through.
    fn gate_for(&self, text: &str) -> Option<&aho_corasick::AhoCorasick> {
        if let Some(fast) = self.fast.get() {
            return fast.as_ref().or(self.gate.as_ref());
        }
        let seen = self
            .scanned
            .fetch_add(text.len(), std::sync::atomic::Ordering::Relaxed);
        if seen < Self::DFA_AFTER_BYTES {
            return self.gate.as_ref();
        }
        self.fast
            .get_or_init(|| Self::automaton(&self.gate_needles, aho_corasick::AhoCorasickKind::DFA))
            .as_ref()
            .or(self.gate.as_ref())
    }

    /// Whether `text` must go to the set of the patterns without a gate literal: it holds one of
    /// their required bytes (or they do not all have one).
    fn always_open(&self, text: &str) -> bool {
        match (&self.always, &self.always_bytes) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(_), Some(bytes)) => bytes
                .iter()
                .any(|&b| memchr::memchr(b, text.as_bytes()).is_some()),
        }
    }

    /// False only when no pattern can match `text` nor any part of it: it holds no gate literal,
    /// no character `(?i)` folds onto an ASCII letter, and none of the required bytes of the
    /// patterns without a literal (a part of a text holds no more than the text).
    fn may_match(&self, text: &str) -> bool {
        self.gate.is_none() || self.always_open(text) || self.open(text)
    }

    /// Whether `text` must go to the whole set: it holds a required literal, or a character
    /// `(?i)` folds onto an ASCII letter (see `regex_facts::has_fold_hazard`).
    fn open(&self, text: &str) -> bool {
        if self.gate.is_none() {
            return true;
        }
        match self.gate_for(text) {
            None => true,
            Some(ac) => ac.is_match(text) || crate::regex_facts::has_fold_hazard(text.as_bytes()),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        if self.open(text) {
            return self.set.is_match(text);
        }
        self.always_open(text) && self.always.as_ref().is_some_and(|(_, s)| s.is_match(text))
    }

    fn matches(&self, text: &str) -> Vec<usize> {
        if self.open(text) {
            return self.set.matches(text).collect();
        }
        match &self.always {
            Some((ids, s)) if self.always_open(text) => s.matches(text).map(|i| ids[i]).collect(),
            _ => Vec::new(),
        }
    }
}

impl FieldMatcher {
    /// Calls after which the combined set pays for itself.
    const SET_AFTER: usize = 2048;

    /// Texts after which the Aho-Corasick automaton pays for itself: building it costs about as
    /// much as this many texts searched needle by needle (a paste asks most fields a handful of
    /// times, so most fields never build it). A text counts once per [`Self::SCAN_TEXT_BYTES`]
    /// bytes: the needle-by-needle search reads it once per needle, the automaton once.
    const SCAN_BEFORE_AC: usize = 256;

    /// The length up to which a text counts as one text towards [`Self::SCAN_BEFORE_AC`] (a log
    /// line or an event message is shorter); a 40 KB log line counts as 313, so a log of such
    /// lines builds the automaton at its first line instead of searching 256 of them once per
    /// needle (seconds a line in a debug build).
    const SCAN_TEXT_BYTES: usize = 128;

    fn new(list: &[Src]) -> FieldMatcher {
        let mut needle_ids: HashMap<Vec<u8>, usize, foldhash::fast::FixedState> =
            HashMap::default();
        let mut needle_list: Vec<Vec<u8>> = Vec::new();
        let mut needle_owner: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, p) in list.iter().enumerate() {
            let has_needles = crate::rules::for_each_needle(p, |n| {
                let k = match needle_ids.get(n) {
                    Some(&k) => k,
                    None => {
                        needle_ids.insert(n.to_vec(), needle_list.len());
                        needle_list.push(n.to_vec());
                        needle_owner.push(Vec::new());
                        needle_list.len() - 1
                    }
                };
                if needle_owner[k].last() != Some(&i) {
                    needle_owner[k].push(i);
                }
            });
            if !has_needles {
                always.push(i);
            }
        }
        FieldMatcher {
            patterns: list
                .iter()
                .map(|p| LazyRegex {
                    source: p.clone(),
                    regex: std::sync::OnceLock::new(),
                })
                .collect(),
            needles: std::sync::OnceLock::new(),
            needle_owner,
            always,
            probes: needle_list.iter().map(|n| pair_probes(n)).collect(),
            needle_list,
            scans: std::sync::atomic::AtomicUsize::new(0),
            calls: std::sync::atomic::AtomicUsize::new(0),
            set: std::sync::OnceLock::new(),
            gate: false,
            #[cfg(test)]
            gate_stats: Default::default(),
        }
    }

    /// This matcher with its combined set behind a literal gate (see [`FieldMatcher::gate`]).
    fn with_gate(mut self) -> FieldMatcher {
        self.gate = true;
        self
    }

    /// The needle scanner, built on first use.
    fn needles(&self) -> Option<&aho_corasick::AhoCorasick> {
        self.needles
            .get_or_init(|| {
                (!self.needle_list.is_empty())
                    .then(|| {
                        // The NFA builds in a fraction of the DFA's time.
                        aho_corasick::AhoCorasick::builder()
                            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
                            .ascii_case_insensitive(true)
                            .build(&self.needle_list)
                            .ok()
                    })
                    .flatten()
            })
            .as_ref()
    }

    /// Builds the combined set now; an error names the index of a pattern that cannot compile
    /// even alone (user rules are checked this way when they load).
    fn build_now(&self) -> Result<(), (usize, regex::Error)> {
        let list: Vec<Src> = self.patterns.iter().map(|p| p.source.clone()).collect();
        let set = SplitSet::new(&list)?;
        let _ = self.set.set(Some(self.gated(set, &list)));
        Ok(())
    }

    fn gated(&self, set: SplitSet, list: &[Src]) -> GatedSet {
        if !self.gate {
            return GatedSet::ungated(set);
        }
        GatedSet::new(
            set,
            list,
            &self.needle_list,
            &self.needle_owner,
            &self.always,
        )
    }

    /// The combined set, once this matcher has been asked often enough.
    /// `n` texts are about to be asked: when that many would build the combined set part way
    /// through them, it is built at the first (the texts before it would each run the patterns
    /// one by one, the dearer way for that many).
    fn expect(&self, n: usize) {
        if n >= Self::SET_AFTER {
            self.calls
                .fetch_max(Self::SET_AFTER, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn set(&self) -> Option<&GatedSet> {
        if let Some(s) = self.set.get() {
            return s.as_ref();
        }
        let n = self
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n < Self::SET_AFTER {
            return None;
        }
        self.set
            .get_or_init(|| {
                let list: Vec<Src> = self.patterns.iter().map(|p| p.source.clone()).collect();
                SplitSet::new(&list).ok().map(|set| self.gated(set, &list))
            })
            .as_ref()
    }

    /// Patterns worth running on `text`, in index order: those whose required literals it holds,
    /// and those without one.
    fn candidates(&self, text: &str) -> Vec<usize> {
        if self.needle_list.is_empty() || crate::regex_facts::has_fold_hazard(text.as_bytes()) {
            // No needles: every pattern is run. So is every pattern on a text with a character
            // `(?i)` folds onto k or s, which the ASCII needles do not see (see
            // `regex_facts::needle_set_of`).
            return (0..self.patterns.len()).collect();
        }
        let mut out = self.always.clone();
        let cost = 1 + text.len() / Self::SCAN_TEXT_BYTES;
        let n = self
            .scans
            .fetch_add(cost, std::sync::atomic::Ordering::Relaxed);
        if n.saturating_add(cost) <= Self::SCAN_BEFORE_AC {
            // Needles are lowercase: an exact search of the lowercased text is the search
            // without ASCII case. A needle is searched for only when the text holds its three
            // probe pairs, which rules out almost every needle of a short text in three bit
            // tests (per-needle substring finders, kept for the process, took ~0.9 MiB of a
            // start-up's heap; this takes none).
            let lower = text.as_bytes().to_ascii_lowercase();
            let pairs = PairSet::of(&lower);
            for (k, needle) in self.needle_list.iter().enumerate() {
                let probed = self.probes[k].is_none_or(|pr| pr.iter().all(|&p| pairs.has(p)));
                // A two-byte needle is its one pair: the probe was the search.
                if probed && (needle.len() == 2 || memchr::memmem::find(&lower, needle).is_some()) {
                    out.extend_from_slice(&self.needle_owner[k]);
                }
            }
        } else {
            let Some(ac) = self.needles() else {
                // (Cannot happen with these sizes) no scanner: every pattern is run.
                return (0..self.patterns.len()).collect();
            };
            for m in ac.find_overlapping_iter(text) {
                out.extend_from_slice(&self.needle_owner[m.pattern().as_usize()]);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    #[cfg(test)]
    fn count_gate(&self, set: &GatedSet, text: &str) {
        use std::sync::atomic::Ordering::Relaxed;
        self.gate_stats.0.fetch_add(1, Relaxed);
        if set.open(text) {
            self.gate_stats.1.fetch_add(1, Relaxed);
        }
    }

    /// True only when no pattern can match `text` nor any substring of it (see
    /// [`GatedSet::may_match`]); false until the combined set is built.
    fn rejects(&self, text: &str) -> bool {
        self.set
            .get()
            .and_then(Option::as_ref)
            .is_some_and(|s| !s.may_match(text))
    }

    /// Number of patterns.
    fn len(&self) -> usize {
        self.patterns.len()
    }

    fn is_match(&self, text: &str) -> bool {
        if let Some(set) = self.set() {
            #[cfg(test)]
            self.count_gate(set, text);
            return set.is_match(text);
        }
        self.candidates(text).into_iter().any(|i| {
            self.patterns[i]
                .matcher()
                .is_some_and(|re| re.is_match(text))
        })
    }

    /// Whether pattern `i` matches `text` (what [`FieldMatcher::matches`] says of it).
    fn pattern_matches(&self, i: usize, text: &str) -> bool {
        self.patterns
            .get(i)
            .and_then(LazyRegex::matcher)
            .is_some_and(|re| re.is_match(text))
    }

    /// Indices of the patterns that match `text`.
    fn matches(&self, text: &str) -> Vec<usize> {
        if let Some(set) = self.set() {
            #[cfg(test)]
            self.count_gate(set, text);
            return set.matches(text);
        }
        self.candidates(text)
            .into_iter()
            .filter(|&i| {
                self.patterns[i]
                    .matcher()
                    .is_some_and(|re| re.is_match(text))
            })
            .collect()
    }
}

/// The byte pairs a text holds, as a 65,536-bit set on the stack: a needle whose pairs are not
/// all in it is not in the text.
struct PairSet([u64; 1024]);

impl PairSet {
    fn of(text: &[u8]) -> PairSet {
        let mut bits = [0u64; 1024];
        for w in text.windows(2) {
            let p = usize::from(w[0]) << 8 | usize::from(w[1]);
            bits[p >> 6] |= 1 << (p & 63);
        }
        PairSet(bits)
    }

    fn has(&self, pair: u16) -> bool {
        let p = usize::from(pair);
        self.0[p >> 6] & (1 << (p & 63)) != 0
    }
}

/// Three byte pairs of `needle`: its first, a middle and its last (a two-byte needle is its one
/// pair, exactly); `None` for a needle shorter than two bytes (none is made, see
/// [`crate::regex_facts::MIN_SET_NEEDLE`]), which is then always searched for.
fn pair_probes(needle: &[u8]) -> Option<[u16; 3]> {
    let pair = |i: usize| -> Option<u16> {
        Some(u16::from(*needle.get(i)?) << 8 | u16::from(*needle.get(i + 1)?))
    };
    let last = needle.len().checked_sub(2)?;
    Some([pair(0)?, pair(last / 2)?, pair(last)?])
}

/// The patterns of one (source, field) as one `RegexSet`, or as several when one would exceed the
/// regex crate's size limit (thousands of user rules): the list is halved until every part compiles,
/// and indices stay those of the whole list.
struct SplitSet {
    /// (index of the part's first pattern in the whole list, the part)
    parts: Vec<(usize, RegexSet)>,
}

impl SplitSet {
    /// Patterns per part to start with: the built-in catalog fits in one part per field, and a
    /// directory of thousands of user rules never tries (and fails) one enormous compilation.
    const PART: usize = 256;
    /// Cache of the lazy DFA that runs a part over each text. The regex crate's default (2 MiB) is
    /// too small for a set of a few hundred rule patterns: the cache fills, is cleared over and
    /// over, and the search falls back to the NFA simulation (PikeVM), ~1000x slower (a 2 MB log
    /// took 12 s of CPU). The cache only grows as states are visited, so this is a ceiling, not an
    /// allocation; ripgrep's own default is far larger.
    const DFA_CACHE: usize = 64 << 20;

    /// Compiles `list`; an error names the index of a pattern that cannot compile even alone.
    fn new(list: &[Src]) -> Result<SplitSet, (usize, regex::Error)> {
        let mut parts = Vec::new();
        for (i, chunk) in list.chunks(Self::PART).enumerate() {
            Self::build(chunk, i * Self::PART, &mut parts)?;
        }
        Ok(SplitSet { parts })
    }

    fn build(
        list: &[Src],
        offset: usize,
        parts: &mut Vec<(usize, RegexSet)>,
    ) -> Result<(), (usize, regex::Error)> {
        let built = regex::RegexSetBuilder::new(list)
            .dfa_size_limit(Self::DFA_CACHE)
            .build();
        match built {
            Ok(set) => {
                parts.push((offset, set));
                Ok(())
            }
            Err(regex::Error::CompiledTooBig(_)) if list.len() > 1 => {
                let mid = list.len() / 2;
                Self::build(&list[..mid], offset, parts)?;
                Self::build(&list[mid..], offset + mid, parts)
            }
            Err(e) => Err((offset, e)),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.parts.iter().any(|(_, s)| s.is_match(text))
    }

    /// Indices (in the whole list) of the patterns that match `text`.
    fn matches<'s>(&'s self, text: &'s str) -> impl Iterator<Item = usize> + 's {
        self.parts
            .iter()
            .flat_map(move |(off, s)| s.matches(text).into_iter().map(move |i| off + i))
    }
}

/// A pattern's source text: borrowed from the binary for the built-in rules
/// ([`crate::rules::Pattern::source`]), so the matchers of many fields share one copy.
type Src = std::borrow::Cow<'static, str>;

/// A rule pattern, compiled (once, whichever rules share it) the first time it is needed: most
/// never are in one run, and compiling is most of a start-up.
struct LazyRegex {
    source: Src,
    regex: std::sync::OnceLock<Option<meta::Regex>>,
}

impl LazyRegex {
    /// The pattern compiled to answer `is_match` only (see [`match_config`]).
    fn matcher(&self) -> Option<&meta::Regex> {
        // It compiles (user rules are checked at load, built-in rules by the tests), so this does
        // not fail in practice; a pattern that somehow does not compile matches nothing.
        self.regex
            .get_or_init(|| compile_shared(&self.source, false))
            .as_ref()
    }

    /// The pattern compiled with its capture groups (see [`capture_config`]).
    fn capturer(&self) -> Option<&meta::Regex> {
        self.regex
            .get_or_init(|| compile_shared(&self.source, true))
            .as_ref()
    }
}

/// How a pattern asked only whether it matches is compiled: no capture groups and no one-pass DFA
/// (nothing to capture), no lazy DFA (it needs a reverse NFA, the dearest part of a build, and a
/// field text is short: the bounded backtracker and the PikeVM answer it about as fast) and no
/// prefilter (a pattern only runs on texts that hold one of its required literals). What matches
/// is exactly what `regex::Regex::is_match` says; only the search strategy differs. Measured on
/// the small shipped example: 45 ms and 26 MiB with `regex::Regex`'s configuration, 27 ms and
/// 21 MiB with this one.
fn match_config() -> meta::Config {
    meta::Config::new()
        .utf8_empty(true)
        .which_captures(regex_automata::nfa::thompson::WhichCaptures::None)
        .onepass(false)
        .hybrid(false)
        .auto_prefilter(false)
}

/// How a pattern whose named groups a finding needs is compiled: as [`match_config`] with its
/// capture groups (it runs once per leaf that matched, on the few texts that leaf matched).
fn capture_config() -> meta::Config {
    meta::Config::new()
        .utf8_empty(true)
        .onepass(false)
        .hybrid(false)
        .auto_prefilter(false)
}

/// Captures of the first match of `re` in `text` into `out` (a name already bound keeps its
/// value); whether it matched.
fn capture_into(re: &meta::Regex, text: &str, out: &mut BTreeMap<String, String>) -> bool {
    let mut caps = re.create_captures();
    re.captures(text, &mut caps);
    if !caps.is_match() {
        return false;
    }
    let names = re
        .group_info()
        .pattern_names(regex_automata::PatternID::ZERO);
    for (i, name) in names.enumerate() {
        let (Some(name), Some(span)) = (name, caps.get_group(i)) else {
            continue;
        };
        if let Some(v) = text.get(span.range()) {
            out.entry(name.to_string()).or_insert_with(|| v.to_string());
        }
    }
    true
}

/// Compiles `source` for matching or for its captures, or hands out the regex already compiled
/// for the same text: one pattern is held by several fields (a log line, a termination message
/// and an event message share a signature) and by the message templates, and compiling is most of
/// a start-up. `meta::Regex` clones share one compiled program.
fn compile_shared(source: &str, captures: bool) -> Option<meta::Regex> {
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<(String, bool), Option<meta::Regex>>>;
    static COMPILED: OnceLock<Cache> = OnceLock::new();
    let cache = COMPILED.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (source.to_string(), captures);
    if let Some(r) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return r;
    }
    let config = if captures {
        capture_config()
    } else {
        match_config()
    };
    let r = meta::Builder::new().configure(config).build(source).ok();
    if let Ok(mut c) = cache.lock() {
        // A bound on what the process keeps (user rule directories can be large).
        if c.len() > 16_384 {
            c.clear();
        }
        c.insert(key, r.clone());
    }
    r
}

/// `text` without surrounding whitespace, still borrowed when it was (a reference to the `Cow`,
/// not a `&str`, so the borrowed case keeps its `'static` lifetime).
#[allow(clippy::ptr_arg)]
fn trimmed(text: &std::borrow::Cow<'static, str>) -> std::borrow::Cow<'static, str> {
    match text {
        std::borrow::Cow::Borrowed(t) => std::borrow::Cow::Borrowed(t.trim()),
        std::borrow::Cow::Owned(t) => std::borrow::Cow::Owned(t.trim().to_string()),
    }
}

/// Compiled rules plus their prefilter; build once, use for any number of evidence sets.
pub struct Engine {
    rules: Vec<CompiledRule>,
    /// The compiled matchers of the rules, in rule order, until [`Engine::new`] or
    /// [`Engine::from_set`] pairs them with their rules.
    roots: Vec<CNode>,
    prefilter: Prefilter,
    /// The `log.text` matcher, asked about every line of a log (no map look-up per line).
    log_text: Option<std::sync::Arc<FieldMatcher>>,
    /// The distinct patterns with named groups (see [`CLeaf::fields`]).
    captures: Vec<LazyRegex>,
    /// True when some log leaf constrains no `text` field, so every log line may matter.
    log_wants_all: bool,
    /// The message regexes that are whole templates ([`MIN_TEMPLATE_LITERAL`]): what a line of
    /// free text with no reason must match to be kept as a message.
    templates: FieldMatcher,
    /// Built on first use (big event pastes only), so start-up does not pay for it.
    event_filter: std::sync::OnceLock<EventFilter>,
}

/// Which events some rule could match: every `event` leaf of every rule's `match` and
/// `resolved_by` (placeholders standing for anything), as one regex set per field plus, per leaf,
/// the patterns it needs. An event is wanted when some leaf has all its fields matched.
struct EventFilter {
    /// (field, its patterns): matched like the engine's fields (required-literal prefilter, each
    /// pattern compiled when first needed, one combined set once asked often).
    sets: Vec<(&'static str, FieldMatcher)>,
    /// Per leaf: (position in `sets`, pattern index) of each field.
    leaves: Vec<Vec<(usize, usize)>>,
    /// Some event leaf constrains no field: every event is wanted.
    all: bool,
    /// Per position in `sets`: the patterns each value asked so far matched (at most
    /// [`EventFilter::REMEMBERED`] values). The short fields of a big paste repeat a few values.
    seen: Vec<std::sync::Mutex<HashMap<String, Vec<usize>, foldhash::fast::FixedState>>>,
}

impl EventFilter {
    fn new(rules: &[CompiledRule]) -> EventFilter {
        fn walk(n: &MatchNode, templated: bool, out: &mut Vec<Vec<(&'static str, Src)>>) {
            match n {
                MatchNode::All(v) | MatchNode::Any(v) => {
                    v.iter().for_each(|c| walk(c, templated, out))
                }
                MatchNode::Not(c) => walk(c, templated, out),
                MatchNode::Leaf(l) if l.source == Source::Event => out.push(
                    l.fields
                        .iter()
                        .filter_map(|(f, p)| {
                            let name = Source::Event.fields().iter().copied().find(|x| x == f)?;
                            let src = if templated {
                                crate::rules::fill_template(&p.source, &BTreeMap::new(), "(?s:.*)")
                                    .into()
                            } else {
                                p.source.clone()
                            };
                            Some((name, src))
                        })
                        .collect(),
                ),
                MatchNode::Leaf(_) => {}
            }
        }
        let mut raw: Vec<Vec<(&'static str, Src)>> = Vec::new();
        for cr in rules {
            walk(&cr.rule.matcher, false, &mut raw);
            if let Some(rb) = &cr.rule.resolved_by {
                walk(&rb.after, true, &mut raw);
                if let Some(u) = &rb.unless {
                    walk(u, true, &mut raw);
                }
            }
        }
        let mut lists: Vec<(&'static str, Vec<Src>)> = Vec::new();
        let mut leaves = Vec::new();
        let mut all = false;
        for leaf in raw {
            if leaf.is_empty() {
                all = true;
                continue;
            }
            let mut refs = Vec::new();
            for (f, src) in leaf {
                let fi = match lists.iter().position(|(n, _)| *n == f) {
                    Some(i) => i,
                    None => {
                        lists.push((f, Vec::new()));
                        lists.len() - 1
                    }
                };
                let list = &mut lists[fi].1;
                let pi = match list.iter().position(|x| *x == src) {
                    Some(i) => i,
                    None => {
                        list.push(src);
                        list.len() - 1
                    }
                };
                refs.push((fi, pi));
            }
            leaves.push(refs);
        }
        let sets = lists
            .iter()
            .map(|(f, list)| (*f, FieldMatcher::new(list)))
            .collect();
        let seen = (0..lists.len()).map(|_| Default::default()).collect();
        EventFilter {
            sets,
            leaves,
            all,
            seen,
        }
    }

    /// Most distinct values of one field remembered.
    const REMEMBERED: usize = 4096;

    /// The patterns of field `fi` that `text` matches, sorted.
    fn field_hits(&self, fi: usize, text: &str) -> Vec<usize> {
        let mut seen = self.seen[fi].lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = seen.get(text) {
            return v.clone();
        }
        let mut v = self.sets[fi].1.matches(text);
        v.sort_unstable();
        if seen.len() < Self::REMEMBERED {
            seen.insert(text.to_string(), v.clone());
        }
        v
    }

    fn wants(&self, e: &crate::evidence::Event) -> bool {
        if self.all {
            return true;
        }
        // The short fields first, whole. The message (the long text, and the most patterns: its
        // combined set's overlapping search was most of the cost of a big event paste) is asked
        // only about the patterns of the leaves whose other fields all matched, one pattern at a
        // time, behind its required literals: the same answer as the whole set's.
        let hits: Vec<Option<Vec<usize>>> = self
            .sets
            .iter()
            .enumerate()
            .map(|(fi, (f, _))| (*f != "message").then(|| self.field_hits(fi, &event_field(e, f))))
            .collect();
        let mut candidates: Option<Vec<usize>> = None;
        let mut asked: Vec<(usize, bool)> = Vec::new();
        let mut message_hit = |set: &FieldMatcher, q: usize| -> bool {
            if let Some(&(_, hit)) = asked.iter().find(|(p, _)| *p == q) {
                return hit;
            }
            let hit = candidates
                .get_or_insert_with(|| set.candidates(&e.message))
                .binary_search(&q)
                .is_ok()
                && set.pattern_matches(q, &e.message);
            asked.push((q, hit));
            hit
        };
        self.leaves.iter().any(|leaf| {
            leaf.iter().all(|&(f, q)| {
                hits[f]
                    .as_ref()
                    .is_none_or(|list| list.binary_search(&q).is_ok())
            }) && leaf
                .iter()
                .filter(|&&(f, _)| hits[f].is_none())
                .all(|&(f, q)| message_hit(&self.sets[f].1, q))
        })
    }
}

/// One field of an event, as the rules see it.
fn event_field<'a>(e: &'a crate::evidence::Event, field: &str) -> Cow<'a, str> {
    fn o(s: &Option<String>) -> Cow<'_, str> {
        Cow::Borrowed(s.as_deref().unwrap_or(""))
    }
    match field {
        "type" => o(&e.type_),
        "reason" => o(&e.reason),
        "message" => Cow::Borrowed(e.message.as_str()),
        "count" => Cow::Owned(e.count.map(|x| x.to_string()).unwrap_or_default()),
        "object_kind" => o(&e.object_kind),
        "object_name" => o(&e.object_name),
        "source" => o(&e.source),
        _ => Cow::Borrowed(""),
    }
}

/// One quoted piece of evidence in a finding.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceItem {
    /// Source kind: `event`, `container`, `node_condition`, `taint`, `log`, `pod`, `pod_condition`,
    /// `claim`.
    pub source: Source,
    /// The quoted line: an event message, a log line, a condition message, a container state.
    pub text: String,
    /// Short human label of where it came from (`event Warning BackOff ×10`, `log of web (previous)`).
    pub label: String,
    pub provenance: Provenance,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Occurrences: event count or repeats of an identical log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Seconds before the newest evidence, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<u64>,
}

/// A rule that matched, with its evidence and rendered texts. Ranking fills `rank`, `explains` and
/// `explained_by`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub rank: usize,
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    pub kind: RuleKind,
    /// The rule's prose, borrowed from the binary for a built-in rule (a sweep holds thousands of
    /// findings).
    pub detects: std::borrow::Cow<'static, str>,
    pub why: std::borrow::Cow<'static, str>,
    /// The fix for the detected platform when the rule has one, else the generic fix.
    pub fix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_zh: Option<String>,
    /// Set when `fix` is a platform's own fix: the platform id (`tencent-eks`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_platform: Option<String>,
    /// The generic fix, present when `fix` is platform-specific.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generic_fix: Option<String>,
    pub captures: BTreeMap<String, String>,
    pub evidence: Vec<EvidenceItem>,
    /// Matched items beyond [`MAX_EVIDENCE_PER_FINDING`], counted but not quoted.
    #[serde(skip_serializing_if = "is_zero")]
    pub evidence_omitted: usize,
    /// Ids of fired symptom findings this cause explains.
    pub explains: Vec<String>,
    /// Ids of fired cause findings that explain this symptom.
    pub explained_by: Vec<String>,
    /// Distinct kinds of source that agree (events, logs, container status, node...).
    pub corroboration: usize,
    pub references: Vec<Reference>,
    /// Set when later evidence shows the failure over: reported as history (`info`), ranked below
    /// every current finding (see `crate::history`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::history::History>,
    /// Set for a node-level finding that cannot be the cause of this pod's state (its rule's
    /// `affects`): reported as context (`info`), ranked below every current finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unrelated: Option<crate::history::Unrelated>,
    #[serde(skip)]
    pub(crate) rule_explains: Vec<String>,
    /// Every evidence item the rule matched, in `evidence`'s order (which quotes the first ones).
    #[serde(skip)]
    pub(crate) items: Vec<ItemRef>,
}

impl Finding {
    /// A current failure: neither history nor unrelated context.
    pub fn is_current(&self) -> bool {
        self.history.is_none() && self.unrelated.is_none()
    }
}

/// Reference to one item of an [`Evidence`]: (source, index in that source's vector).
pub(crate) type ItemRef = (Source, usize);

#[derive(Default)]
struct MatchResult {
    items: Vec<ItemRef>,
    captures: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
#[error("rule `{rule}`: regexes for {kind}.{field} cannot be combined: {message}")]
pub struct EngineError {
    rule: String,
    kind: &'static str,
    field: &'static str,
    message: String,
}

impl Engine {
    /// Compile a rule set. Fails only if the combined regex sets exceed the regex size limits.
    pub fn new(set: &RuleSet) -> Result<Engine, EngineError> {
        Self::analyse(set).map(|e| e.with_rules(set.rules.iter().cloned()))
    }

    /// [`Engine::new`] that keeps the rule set instead of copying its rules (what a run that
    /// needs the rules only through the engine does: a start-up no longer copies ~200 rules).
    pub fn from_set(set: RuleSet) -> Result<Engine, EngineError> {
        Self::analyse(&set).map(|e| e.with_rules(set.rules))
    }

    /// Pairs the compiled matchers with their rules (the same rules, in the same order).
    fn with_rules(mut self, rules: impl IntoIterator<Item = Rule>) -> Engine {
        self.rules = rules
            .into_iter()
            .zip(std::mem::take(&mut self.roots))
            .map(|(rule, root)| CompiledRule { rule, root })
            .collect();
        self
    }

    /// Everything [`Engine::new`] builds but the rules' copies.
    fn analyse(set: &RuleSet) -> Result<Engine, EngineError> {
        // First pass: collect pattern sources per (source, field), deduplicated.
        let mut pats: BTreeMap<(Source, &'static str), Vec<Src>> = BTreeMap::new();
        fn field_name(source: Source, f: &str) -> &'static str {
            source
                .fields()
                .iter()
                .copied()
                .find(|x| *x == f)
                .unwrap_or("") // ok: the loader only admits known field names
        }
        // Where each pattern sits in its field's list (a look-up, not a scan of the list: the
        // log text has ~700 patterns, and every leaf asks).
        type PatIndex = HashMap<(Source, &'static str, Src), usize, foldhash::fast::FixedState>;
        fn collect(
            n: &MatchNode,
            pats: &mut BTreeMap<(Source, &'static str), Vec<Src>>,
            index: &mut PatIndex,
        ) {
            match n {
                MatchNode::All(v) | MatchNode::Any(v) => {
                    v.iter().for_each(|c| collect(c, pats, index))
                }
                MatchNode::Not(c) => collect(c, pats, index),
                MatchNode::Leaf(l) => {
                    for (f, p) in &l.fields {
                        let name = field_name(l.source, f);
                        let list = pats.entry((l.source, name)).or_default();
                        index
                            .entry((l.source, name, p.source.clone()))
                            .or_insert_with(|| {
                                list.push(p.source.clone());
                                list.len() - 1
                            });
                    }
                }
            }
        }
        let mut index = PatIndex::default();
        for r in &set.rules {
            collect(&r.matcher, &mut pats, &mut index);
        }
        // The built-in rules are proven to compile by the test suite, so their sets are built when
        // first needed; user rules are compiled now, so a pattern too big for the regex crate is
        // reported at load with its rule and file.
        let eager = set.rules.iter().any(|r| r.batch > 0);
        let mut prefilter = Prefilter::default();
        for ((source, field), list) in &pats {
            let rs = FieldMatcher::new(list);
            let rs = if (*source, *field) == (Source::Log, "text") {
                rs.with_gate()
            } else {
                rs
            };
            let built = if eager { rs.build_now() } else { Ok(()) };
            built.map_err(|(i, e)| {
                // Name the rule (and its file) whose pattern cannot be compiled even on its own.
                let culprit = list.get(i).and_then(|src| {
                    set.rules
                        .iter()
                        .find(|r| rule_uses(&r.matcher, *source, field, src))
                });
                EngineError {
                    rule: culprit
                        .map(|r| format!("{} ({})", r.id, r.origin))
                        .unwrap_or_else(|| "(combined)".into()),
                    kind: source.name(),
                    field,
                    message: e.to_string(),
                }
            })?;
            prefilter
                .sets
                .insert((*source, *field), std::sync::Arc::new(rs));
        }
        fn rule_uses(n: &MatchNode, source: Source, field: &str, src: &str) -> bool {
            match n {
                MatchNode::All(v) | MatchNode::Any(v) => {
                    v.iter().any(|c| rule_uses(c, source, field, src))
                }
                MatchNode::Not(c) => rule_uses(c, source, field, src),
                MatchNode::Leaf(l) => {
                    l.source == source
                        && l.fields.iter().any(|(f, p)| f == field && p.source == src)
                }
            }
        }
        fn compile(
            n: &MatchNode,
            pats: &PatIndex,
            captures: &mut Vec<LazyRegex>,
            interned: &mut HashMap<Src, usize, foldhash::fast::FixedState>,
        ) -> CNode {
            match n {
                MatchNode::All(v) => CNode::All(
                    v.iter()
                        .map(|c| compile(c, pats, captures, interned))
                        .collect(),
                ),
                MatchNode::Any(v) => CNode::Any(
                    v.iter()
                        .map(|c| compile(c, pats, captures, interned))
                        .collect(),
                ),
                MatchNode::Not(c) => CNode::Not(Box::new(compile(c, pats, captures, interned))),
                MatchNode::Leaf(l) => {
                    let fields: Vec<(&'static str, usize, Option<usize>)> = l
                        .fields
                        .iter()
                        .map(|(f, p)| {
                            let name = field_name(l.source, f);
                            let idx = pats
                                .get(&(l.source, name, p.source.clone()))
                                .copied()
                                .unwrap_or(0); // ok: collected in the first pass
                            let cap = (!p.captures.is_empty()).then(|| {
                                *interned.entry(p.source.clone()).or_insert_with(|| {
                                    captures.push(LazyRegex {
                                        source: p.source.clone(),
                                        regex: std::sync::OnceLock::new(),
                                    });
                                    captures.len() - 1
                                })
                            });
                            (name, idx, cap)
                        })
                        .collect();
                    let msg_fields: Vec<usize> = fields
                        .iter()
                        .enumerate()
                        .filter(|(_, (f, _, _))| is_message_field(l.source, f))
                        .map(|(i, _)| i)
                        .collect();
                    let specific = l.fields.iter().any(|(f, p)| {
                        is_message_field(l.source, f)
                            && required_literal_len(&p.source) >= MIN_TEMPLATE_LITERAL
                    });
                    CNode::Leaf(CLeaf {
                        source: l.source,
                        fields,
                        msg_fields,
                        specific,
                    })
                }
            }
        }
        let template_list: Vec<Src> = pats
            .iter()
            .filter(|((source, field), _)| is_message_field(*source, field))
            .flat_map(|(_, list)| list.iter())
            .filter(|p| required_literal_len(p) >= MIN_TEMPLATE_LITERAL)
            .cloned()
            .collect();
        // Every pattern here already compiled in its own field's set.
        let templates = FieldMatcher::new(&template_list);
        if eager {
            templates.build_now().map_err(|(_, e)| EngineError {
                rule: "(combined)".into(),
                kind: "event",
                field: "message",
                message: e.to_string(),
            })?;
        }
        let mut log_wants_all = false;
        fn log_leaf_without_text(n: &MatchNode) -> bool {
            match n {
                MatchNode::All(v) | MatchNode::Any(v) => v.iter().any(log_leaf_without_text),
                MatchNode::Not(c) => log_leaf_without_text(c),
                MatchNode::Leaf(l) => {
                    l.source == Source::Log && !l.fields.iter().any(|(f, _)| f == "text")
                }
            }
        }
        let mut captures = Vec::new();
        let mut interned = HashMap::default();
        let roots = set
            .rules
            .iter()
            .map(|r| {
                log_wants_all |= log_leaf_without_text(&r.matcher);
                compile(&r.matcher, &index, &mut captures, &mut interned)
            })
            .collect();
        let log_text = prefilter.sets.get(&(Source::Log, "text")).cloned();
        Ok(Engine {
            rules: Vec::new(),
            roots,
            prefilter,
            log_text,
            captures,
            log_wants_all,
            templates,
            event_filter: std::sync::OnceLock::new(),
        })
    }

    /// Whether a log or free-text line could matter to any rule (used while streaming input, so only
    /// such lines are kept).
    pub fn wants_log_line(&self, text: &str) -> bool {
        self.log_wants_all || self.log_text.as_ref().is_some_and(|s| s.is_match(text))
    }

    /// True only when no part of `line` (no substring of it) can be a log line some rule wants:
    /// [`Engine::wants_log_line`] says no to all of them. Answered from the combined set's gate
    /// once it is built (see [`GatedSet::may_match`]); before that, and whenever unsure, false.
    pub fn rejects_log_line(&self, line: &str) -> bool {
        if self.log_wants_all {
            return false;
        }
        match &self.log_text {
            None => true,
            Some(fm) => fm.rejects(line),
        }
    }

    /// Whether some rule could match this event (its `match` or `resolved_by`): what a big event
    /// paste keeps (see [`crate::evidence::EVENTS_KEPT_UNFILTERED`]).
    pub fn wants_event(&self, e: &crate::evidence::Event) -> bool {
        self.event_filter
            .get_or_init(|| EventFilter::new(&self.rules))
            .wants(e)
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().map(|c| &c.rule).find(|r| r.id == id)
    }

    /// Whether a message found in free text (or a journal line) could matter to an `event` or
    /// `container` message matcher: such lines are kept as [`crate::evidence::TextMessage`]s.
    /// Without a reason (`has_reason`: the line gave or implied one) only whole message templates
    /// can match it (see [`MIN_TEMPLATE_LITERAL`]).
    pub fn wants_message(&self, text: &str, has_reason: bool) -> bool {
        if !has_reason {
            return self.templates.is_match(text);
        }
        [
            (Source::Event, "message"),
            (Source::Container, "waiting_message"),
            (Source::Container, "termination_message"),
        ]
        .iter()
        .any(|k| self.prefilter.sets.get(k).is_some_and(|s| s.is_match(text)))
    }

    /// Number of compiled rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Run every rule over the evidence with generic fixes. Findings come back unranked.
    pub fn evaluate(&self, ev: &Evidence) -> Vec<Finding> {
        self.evaluate_for(ev, None)
    }

    /// Run every rule over the evidence; where a rule has a fix for `platform`, that fix is shown
    /// first. Findings come back unranked (see `crate::rank`).
    pub fn evaluate_for(&self, ev: &Evidence, platform: Option<Platform>) -> Vec<Finding> {
        let ctx = Ctx::new(ev, &self.prefilter, &self.captures);
        let mut out = Vec::new();
        for cr in &self.rules {
            let Some(m) = ctx.eval(&cr.root) else {
                continue;
            };
            if m.items.is_empty() {
                // A rule made only of `not` conditions proves nothing by itself.
                continue;
            }
            // Keep the order in which the rule's leaves matched (authors put the most telling
            // source first), dropping repeats. A message found in free text counts once whichever
            // leaves it satisfied, and as what it is: pasted text (source `log`).
            let mut seen = BTreeSet::new();
            let items: Vec<ItemRef> = m
                .items
                .iter()
                .map(|r| ctx.canonical(*r))
                .filter(|r| seen.insert(*r))
                .collect();
            // Corroboration counts every matched item; the finding quotes a bounded number of them,
            // a line of text once even when several leaves matched it.
            let mut quoted: BTreeSet<(String, u64)> = BTreeSet::new();
            let mut evidence: Vec<EvidenceItem> = Vec::new();
            let mut consumed = 0;
            for r in &items {
                if evidence.len() >= MAX_EVIDENCE_PER_FINDING {
                    break;
                }
                consumed += 1;
                let e = ctx.describe(*r);
                if let (Source::Log, Some(l)) = (e.source, e.provenance.line) {
                    if !quoted.insert((e.provenance.input.clone(), l)) {
                        continue;
                    }
                }
                evidence.push(e);
            }
            let evidence_omitted = items.len() - consumed;
            let corroboration = items.iter().map(|(s, _)| *s).collect::<BTreeSet<_>>().len();
            let r = &cr.rule;
            let generic = render(r.fix.trim(), &m.captures);
            let generic_zh = r.fix_zh.as_ref().map(|z| render(z.trim(), &m.captures));
            let chosen = platform.and_then(|p| r.platforms.get(&p).map(|f| (p, f)));
            let (fix, fix_zh, fix_platform, generic_fix) = match chosen {
                Some((p, pf)) => (
                    render(pf.fix.trim(), &m.captures),
                    pf.fix_zh.as_ref().map(|z| render(z.trim(), &m.captures)),
                    Some(p.id().to_string()),
                    Some(generic),
                ),
                None => (generic, generic_zh, None, None),
            };
            out.push(Finding {
                rank: 0,
                id: r.id.clone(),
                title: render(&r.title, &m.captures),
                severity: r.severity,
                category: r.category.clone(),
                kind: r.kind,
                detects: trimmed(&r.detects),
                why: trimmed(&r.why),
                fix,
                fix_zh,
                fix_platform,
                generic_fix,
                captures: m.captures,
                evidence,
                evidence_omitted,
                explains: Vec::new(),
                explained_by: Vec::new(),
                corroboration,
                references: r.references.clone(),
                history: None,
                unrelated: None,
                rule_explains: r.explains.clone(),
                items,
            });
        }
        out
    }
}

/// Field texts of one item; multi-valued fields (annotations, labels) yield several values.
pub(crate) fn field_values<'a>(
    ev: &'a Evidence,
    (source, i): ItemRef,
    field: &str,
) -> Vec<Cow<'a, str>> {
    fn o(s: &Option<String>) -> Cow<'_, str> {
        Cow::Borrowed(s.as_deref().unwrap_or(""))
    }
    fn n<T: ToString>(v: Option<T>) -> Cow<'static, str> {
        Cow::Owned(v.map(|x| x.to_string()).unwrap_or_default())
    }
    let one = |c: Cow<'a, str>| vec![c];
    if let Some(m) = virtual_message(ev, (source, i)) {
        return one(match (source, field) {
            (Source::Event, "message") => Cow::Borrowed(m.message.as_str()),
            (Source::Event, "type") => o(&m.type_),
            (Source::Event, "reason") => o(&m.reason),
            (Source::Event, "object_kind") => o(&m.object_kind),
            (Source::Event, "object_name") => Cow::Borrowed(
                m.pod
                    .as_deref()
                    .map(|p| p.rsplit('/').next().unwrap_or(p))
                    .unwrap_or(""),
            ),
            (Source::Event, "source") => o(&m.source),
            (Source::Container, "waiting_message" | "termination_message") => {
                Cow::Borrowed(m.message.as_str())
            }
            (Source::Container, "name") => o(&m.container),
            _ => Cow::Borrowed(""),
        });
    }
    match source {
        Source::Event => one(event_field(&ev.events[i], field)),
        Source::Container => {
            let c = &ev.containers[i];
            let waiting = match &c.state {
                Some(ContainerState::Waiting { reason, message }) => Some((reason, message)),
                _ => None,
            };
            let term = match (&c.state, &c.last_state) {
                (Some(t @ ContainerState::Terminated { .. }), _) => Some(t),
                (_, Some(t @ ContainerState::Terminated { .. })) => Some(t),
                _ => None,
            };
            let t = |f: &str| -> Cow<'a, str> {
                match term {
                    Some(ContainerState::Terminated {
                        reason,
                        message,
                        exit_code,
                        signal,
                        ..
                    }) => match f {
                        "terminated_reason" => o(reason),
                        "termination_message" => o(message),
                        "exit_code" => n(*exit_code),
                        "signal" => n(*signal),
                        _ => Cow::Borrowed(""),
                    },
                    _ => Cow::Borrowed(""),
                }
            };
            one(match field {
                "name" => Cow::Borrowed(c.name.as_str()),
                "kind" => Cow::Borrowed(c.kind.as_str()),
                "image" => o(&c.image),
                "ready" => n(c.ready),
                "state" => Cow::Borrowed(c.state.as_ref().map(|s| s.name()).unwrap_or("")),
                "waiting_reason" => waiting.map(|w| o(w.0)).unwrap_or_default(),
                "waiting_message" => waiting.map(|w| o(w.1)).unwrap_or_default(),
                "restart_count" => n(c.restart_count),
                "liveness_probe" => o(&c.probes.liveness),
                "readiness_probe" => o(&c.probes.readiness),
                "startup_probe" => o(&c.probes.startup),
                f => t(f),
            })
        }
        Source::NodeCondition => {
            let c = &ev.node_conditions[i];
            one(match field {
                "node" => o(&c.node),
                "type" => Cow::Borrowed(c.type_.as_str()),
                "status" => Cow::Borrowed(c.status.as_str()),
                "reason" => o(&c.reason),
                "message" => o(&c.message),
                _ => Cow::Borrowed(""),
            })
        }
        Source::Taint => {
            let t = &ev.taints[i];
            one(match field {
                "node" => o(&t.node),
                "key" => Cow::Borrowed(t.key.as_str()),
                "value" => o(&t.value),
                "effect" => Cow::Borrowed(t.effect.as_str()),
                _ => Cow::Borrowed(""),
            })
        }
        Source::Log => {
            let l = &ev.logs[i];
            one(match field {
                "container" => o(&l.container),
                "previous" => n(l.previous),
                "text" => Cow::Borrowed(l.text.as_str()),
                _ => Cow::Borrowed(""),
            })
        }
        Source::Pod => {
            let p = &ev.pods[i];
            match field {
                "annotation" | "label" | "requests" => {
                    let kv = match field {
                        "annotation" => &p.annotations,
                        "label" => &p.labels,
                        _ => &p.requests,
                    };
                    if kv.is_empty() {
                        one(Cow::Borrowed(""))
                    } else {
                        kv.iter()
                            .map(|(k, v)| Cow::Owned(format!("{k}={v}")))
                            .collect()
                    }
                }
                _ => one(match field {
                    "name" => o(&p.name),
                    "namespace" => o(&p.namespace),
                    "phase" => o(&p.phase),
                    "reason" => o(&p.reason),
                    "message" => o(&p.message),
                    "node" => o(&p.node_name),
                    "controlled_by" => o(&p.controlled_by),
                    // Seconds since deletion was requested; empty when not terminating.
                    "terminating_for" => n(p.deletion.and_then(|w| ev.age_of(w))),
                    // Seconds since the pod was created (the AGE of a `kubectl get pods` row).
                    "age" => n(p.created.and_then(|w| ev.age_of(w))),
                    "status" => o(&p.listed_status),
                    _ => Cow::Borrowed(""),
                }),
            }
        }
        Source::PodCondition => {
            let c = &ev.pod_conditions[i];
            one(match field {
                "type" => Cow::Borrowed(c.type_.as_str()),
                "status" => Cow::Borrowed(c.status.as_str()),
                "reason" => o(&c.reason),
                "message" => o(&c.message),
                _ => Cow::Borrowed(""),
            })
        }
        Source::Claim => {
            let c = &ev.claims[i];
            one(match field {
                "name" => Cow::Borrowed(c.name.as_str()),
                "namespace" => o(&c.namespace),
                "status" => Cow::Borrowed(c.status.as_str()),
                "volume" => o(&c.volume),
                "storage_class" => o(&c.storage_class),
                "age" => n(c.created.and_then(|w| ev.age_of(w))),
                _ => Cow::Borrowed(""),
            })
        }
    }
}

/// The message behind a virtual item: `event` and `container` items past the real ones stand for
/// [`Evidence::messages`] (free text and journal lines), in order.
fn virtual_message(ev: &Evidence, (source, i): ItemRef) -> Option<&crate::evidence::TextMessage> {
    let real = match source {
        Source::Event => ev.events.len(),
        Source::Container => ev.containers.len(),
        _ => return None,
    };
    i.checked_sub(real).and_then(|k| ev.messages.get(k))
}

/// Whether a virtual item (a message found in text) knows `field`: what the line itself said.
fn message_knows(m: &crate::evidence::TextMessage, source: Source, field: &str) -> bool {
    match (source, field) {
        (Source::Event, "message") => true,
        (Source::Event, "type") => m.type_.is_some(),
        (Source::Event, "reason") => m.reason.is_some(),
        (Source::Event, "object_kind") => m.object_kind.is_some(),
        (Source::Event, "object_name") => m.pod.is_some(),
        (Source::Event, "source") => m.source.is_some(),
        (Source::Container, "waiting_message" | "termination_message") => true,
        (Source::Container, "name") => m.container.is_some(),
        _ => false,
    }
}

pub(crate) fn source_len(ev: &Evidence, s: Source) -> usize {
    match s {
        Source::Event => ev.events.len() + ev.messages.len(),
        Source::Container => ev.containers.len() + ev.messages.len(),
        Source::NodeCondition => ev.node_conditions.len(),
        Source::Taint => ev.taints.len(),
        Source::Log => ev.logs.len(),
        Source::Pod => ev.pods.len(),
        Source::PodCondition => ev.pod_conditions.len(),
        Source::Claim => ev.claims.len(),
    }
}

/// Evaluation context: the evidence plus, per item and field, which prefilter patterns matched.
struct Ctx<'a> {
    ev: &'a Evidence,
    captures: &'a [LazyRegex],
    /// (source, field) -> per pattern index -> sorted indices of the items whose field it matched
    /// (an inverted index: a leaf visits only the items its patterns matched, never every item).
    hits: HashMap<(Source, &'static str), Vec<Vec<usize>>>,
    newest: Option<i64>,
    /// Per message of `ev.messages`: false when structured evidence already carries the same
    /// message (then the structured item, whose fields are known, is what matches).
    message_active: Vec<bool>,
}

impl<'a> Ctx<'a> {
    fn new(ev: &'a Evidence, pf: &Prefilter, captures: &'a [LazyRegex]) -> Ctx<'a> {
        let mut hits = HashMap::new();
        for ((source, field), set) in &pf.sets {
            let mut postings: Vec<Vec<usize>> = vec![Vec::new(); set.len()];
            // Most values of a short field repeat (the type, reason, kind and source of thousands
            // of events): each distinct value is matched once, in the order they first appear.
            let mut ids: HashMap<Cow<'a, str>, usize, foldhash::fast::FixedState> =
                HashMap::default();
            let mut items: Vec<(usize, usize)> = Vec::new();
            for i in 0..source_len(ev, *source) {
                for v in field_values(ev, (*source, i), field) {
                    let next = ids.len();
                    items.push((i, *ids.entry(v).or_insert(next)));
                }
            }
            set.expect(ids.len());
            let mut values: Vec<&str> = vec![""; ids.len()];
            for (v, &id) in &ids {
                values[id] = v;
            }
            let matched: Vec<Vec<usize>> = values.iter().map(|v| set.matches(v)).collect();
            for (i, id) in items {
                for &m in &matched[id] {
                    // Items are visited in order: a posting list stays sorted, and a pattern
                    // matching several values of one item (labels) is listed once.
                    if let Some(list) = postings.get_mut(m) {
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                }
            }
            hits.insert((*source, *field), postings);
        }
        let mut structured: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for e in &ev.events {
            structured.insert(e.message.trim());
        }
        for c in &ev.containers {
            // A state without its reason knows less than the message's own template implies.
            for st in [&c.state, &c.last_state].into_iter().flatten() {
                if let ContainerState::Waiting {
                    message: Some(m),
                    reason: Some(_),
                }
                | ContainerState::Terminated {
                    message: Some(m),
                    reason: Some(_),
                    ..
                } = st
                {
                    structured.insert(m.trim());
                }
            }
        }
        let message_active = ev
            .messages
            .iter()
            .map(|m| !structured.contains(m.message.trim()))
            .collect();
        Ctx {
            ev,
            captures,
            hits,
            newest: ev.newest_absolute(),
            message_active,
        }
    }

    fn hit(&self, leaf: &CLeaf, field: &'static str, idx: usize, i: usize) -> bool {
        self.postings(leaf.source, field, idx)
            .binary_search(&i)
            .is_ok()
    }

    /// The items (sorted) whose `field` pattern `idx` matched.
    fn postings(&self, source: Source, field: &'static str, idx: usize) -> &[usize] {
        self.hits
            .get(&(source, field))
            .and_then(|v| v.get(idx))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The only items a leaf can match, sorted; `None` when it may match any item (a leaf with no
    /// field). Every item a leaf matches hits one of its fields that is required whatever the item:
    /// a message field when the leaf has one (a message found in text must hit it, and an unnamed
    /// container too), else a container field other than its name or image (an unnamed container
    /// must hit one), else any field. The shortest such posting list is the candidate set.
    fn candidates(&self, leaf: &CLeaf) -> Option<&[usize]> {
        let identity = |f: &str| leaf.source == Source::Container && matches!(f, "name" | "image");
        let required: Vec<usize> = if !leaf.msg_fields.is_empty() {
            leaf.msg_fields.clone()
        } else if leaf.fields.iter().any(|(f, _, _)| !identity(f)) {
            (0..leaf.fields.len())
                .filter(|&k| !identity(leaf.fields[k].0))
                .collect()
        } else {
            (0..leaf.fields.len()).collect()
        };
        required
            .iter()
            .filter_map(|&k| leaf.fields.get(k))
            .map(|(f, idx, _)| self.postings(leaf.source, f, *idx))
            .min_by_key(|l| l.len())
    }

    /// Whether a leaf matches item `i` of its source. Items the input only partly describes match
    /// on what they know (see `rules/README.md`, "How the text fallback ranks against structured
    /// evidence"):
    /// - a message found in free text (a virtual `event`/`container` item) matches when the leaf
    ///   constrains a message field and every message regex matches; every other field the line
    ///   said (type, reason, pod, container) must match, and fields it did not say are not held
    ///   against it, provided the message regex is a whole template (a required literal of
    ///   [`MIN_TEMPLATE_LITERAL`] bytes) or the reason the line gave or implied matched;
    /// - a container whose name the input did not give (`kubectl get pods`) matches a leaf on its
    ///   other fields, the name and image being unknown rather than empty.
    fn leaf_matches_item(&self, leaf: &CLeaf, i: usize) -> bool {
        if let Some(m) = virtual_message(self.ev, (leaf.source, i)) {
            let k = i - (source_len(self.ev, leaf.source) - self.ev.messages.len());
            if leaf.msg_fields.is_empty() || !self.message_active.get(k).copied().unwrap_or(false) {
                return false;
            }
            let mut reason_matched = false;
            for (pos, (f, idx, _)) in leaf.fields.iter().enumerate() {
                let hit = self.hit(leaf, f, *idx, i);
                if leaf.msg_fields.contains(&pos) {
                    if !hit {
                        return false;
                    }
                    continue;
                }
                let known = message_knows(m, leaf.source, f);
                if hit {
                    reason_matched |= known && *f == "reason";
                    continue;
                }
                if known {
                    return false;
                }
            }
            return leaf.specific || reason_matched;
        }
        // A container whose name or image the input does not give (a `kubectl get pods` row, the
        // error `kubectl logs` prints for a container that never started) matches on its other
        // fields: what is unknown is not held against it.
        if let Some(c) = self.ev.containers.get(i).filter(|c| {
            leaf.source == Source::Container && (c.name.is_empty() || c.image.is_none())
        }) {
            let mut other_matched = false;
            for (f, idx, _) in &leaf.fields {
                let identity = matches!(*f, "name" | "image");
                let unknown =
                    (*f == "name" && c.name.is_empty()) || (*f == "image" && c.image.is_none());
                if self.hit(leaf, f, *idx, i) {
                    other_matched |= !identity;
                    continue;
                }
                if !unknown {
                    return false;
                }
            }
            return other_matched;
        }
        leaf.fields
            .iter()
            .all(|(f, idx, _)| self.hit(leaf, f, *idx, i))
    }

    /// The item a reference stands for: messages found in text are one item (source `log`, indexed
    /// past the log lines) whichever source's leaf matched them.
    fn canonical(&self, r: ItemRef) -> ItemRef {
        match virtual_message(self.ev, r) {
            Some(_) => {
                let real = source_len(self.ev, r.0) - self.ev.messages.len();
                (Source::Log, self.ev.logs.len() + (r.1 - real))
            }
            None => r,
        }
    }

    fn eval(&self, n: &CNode) -> Option<MatchResult> {
        match n {
            CNode::Leaf(leaf) => {
                let mut res = MatchResult::default();
                let every: Vec<usize>;
                let candidates: &[usize] = match self.candidates(leaf) {
                    Some(c) => c,
                    None => {
                        every = (0..source_len(self.ev, leaf.source)).collect();
                        &every
                    }
                };
                for &i in candidates {
                    if !self.leaf_matches_item(leaf, i) {
                        continue;
                    }
                    if res.items.is_empty() {
                        for (f, _, cap) in &leaf.fields {
                            let Some(re) = cap
                                .and_then(|k| self.captures.get(k))
                                .and_then(LazyRegex::capturer)
                            else {
                                continue;
                            };
                            for v in field_values(self.ev, (leaf.source, i), f) {
                                if capture_into(re, &v, &mut res.captures) {
                                    break;
                                }
                            }
                        }
                    }
                    res.items.push((leaf.source, i));
                }
                (!res.items.is_empty()).then_some(res)
            }
            CNode::All(children) => {
                let mut res = MatchResult::default();
                for c in children {
                    let m = self.eval(c)?;
                    merge(&mut res, m);
                }
                Some(res)
            }
            CNode::Any(children) => {
                let mut res: Option<MatchResult> = None;
                for c in children {
                    if let Some(m) = self.eval(c) {
                        merge(res.get_or_insert_with(MatchResult::default), m);
                    }
                }
                res
            }
            CNode::Not(c) => match self.eval(c) {
                Some(_) => None,
                None => Some(MatchResult::default()),
            },
        }
    }

    fn age(&self, w: Option<When>) -> Option<u64> {
        match w? {
            When::Age(a) => Some(a),
            When::Absolute(t) => self.newest.map(|n| (n - t).max(0) as u64),
        }
    }

    /// Turn an item reference into a quotable evidence line.
    fn describe(&self, (source, i): ItemRef) -> EvidenceItem {
        let ev = self.ev;
        let mut item = EvidenceItem {
            source,
            text: String::new(),
            label: String::new(),
            provenance: Provenance::default(),
            container: None,
            previous: None,
            node: None,
            count: None,
            age_seconds: None,
        };
        match source {
            Source::Event => {
                let e = &ev.events[i];
                item.text = e.message.clone();
                let mut label = format!(
                    "event {} {}",
                    e.type_.as_deref().unwrap_or("-"),
                    e.reason.as_deref().unwrap_or("-")
                );
                if let (Some(k), Some(n)) = (&e.object_kind, &e.object_name) {
                    label.push_str(&format!(" on {}/{}", k.to_lowercase(), n));
                    if k == "Node" {
                        item.node = Some(n.clone());
                    }
                }
                if let Some(c) = e.count.filter(|c| *c > 1) {
                    label.push_str(&format!(" ×{c}"));
                }
                item.label = label;
                item.count = e.count.map(u64::from);
                item.age_seconds = self.age(e.last_seen.or(e.first_seen));
                item.provenance = e.provenance.clone();
            }
            Source::Container => {
                let c = &ev.containers[i];
                let mut parts = Vec::new();
                match &c.state {
                    Some(ContainerState::Waiting { reason, message }) => parts.push(format!(
                        "Waiting: {}{}",
                        reason.as_deref().unwrap_or("-"),
                        message
                            .as_deref()
                            .map(|m| format!(" ({m})"))
                            .unwrap_or_default()
                    )),
                    Some(t @ ContainerState::Terminated { .. }) => {
                        parts.push(format!("Terminated: {}", term_text(t)))
                    }
                    Some(ContainerState::Running { .. }) => parts.push("Running".into()),
                    None => {}
                }
                if let Some(t @ ContainerState::Terminated { .. }) = &c.last_state {
                    parts.push(format!("Last State: Terminated: {}", term_text(t)));
                }
                if let Some(r) = c.restart_count {
                    parts.push(format!("Restart Count: {r}"));
                }
                item.text = parts.join("; ");
                // `kubectl get pods` does not name the container.
                let name = if c.name.is_empty() {
                    "(name not shown)"
                } else {
                    c.name.as_str()
                };
                item.label = match c.kind {
                    crate::evidence::ContainerKind::Regular => format!("container {name}"),
                    k => format!("{} container {name}", k.as_str()),
                };
                item.container = Some(c.name.clone()).filter(|n| !n.is_empty());
                item.provenance = c.provenance.clone();
            }
            Source::NodeCondition => {
                let c = &ev.node_conditions[i];
                item.text = condition_text(&c.type_, &c.status, &c.reason, &c.message);
                item.label = format!(
                    "condition of node {}",
                    c.node.as_deref().unwrap_or("(unnamed)")
                );
                item.node = c.node.clone();
                item.age_seconds = self.age(c.last_transition);
                item.provenance = c.provenance.clone();
            }
            Source::Taint => {
                let t = &ev.taints[i];
                item.text = match &t.value {
                    Some(v) if !v.is_empty() => format!("{}={}:{}", t.key, v, t.effect),
                    _ => format!("{}:{}", t.key, t.effect),
                };
                item.label = format!("taint of node {}", t.node.as_deref().unwrap_or("(unnamed)"));
                item.node = t.node.clone();
                item.provenance = t.provenance.clone();
            }
            Source::Log if i >= ev.logs.len() => {
                let Some(m) = ev.messages.get(i - ev.logs.len()) else {
                    return item;
                };
                item.text = m.line.trim().to_string();
                item.label = match m.provenance.format.as_str() {
                    "journal" => match &m.source {
                        Some(s) => format!("{s} log line"),
                        None => "node log line".to_string(),
                    },
                    _ => "pasted text".to_string(),
                };
                if m.repeats > 1 {
                    item.label.push_str(&format!(" ×{}", m.repeats));
                }
                item.container = m.container.clone();
                item.count = Some(m.repeats);
                item.provenance = m.provenance.clone();
            }
            Source::Log => {
                let l = &ev.logs[i];
                item.text = l.text.clone();
                item.label = if l.free_text {
                    "pasted text".to_string()
                } else {
                    let which = match l.previous {
                        Some(true) => " (previous)",
                        Some(false) => " (current)",
                        None => "",
                    };
                    match &l.container {
                        Some(c) => format!("log of {c}{which}"),
                        None => format!("log{which}"),
                    }
                };
                if l.repeats > 1 {
                    item.label.push_str(&format!(" ×{}", l.repeats));
                }
                item.container = l.container.clone();
                item.previous = l.previous;
                item.count = Some(l.repeats);
                item.provenance = l.provenance.clone();
            }
            Source::Pod => {
                let p = &ev.pods[i];
                let mut parts = Vec::new();
                // A `kubectl get pods` row: its STATUS cell as printed (`Init:0/2`).
                if let Some(x) = p.listed_status.as_ref().or(p.phase.as_ref()) {
                    parts.push(format!("Status: {x}"));
                }
                if let Some(x) = &p.reason {
                    parts.push(format!("Reason: {x}"));
                }
                if let Some(x) = &p.message {
                    parts.push(format!("Message: {x}"));
                }
                if let Some(age) = p.deletion.and_then(|w| ev.age_of(w)) {
                    parts.push(format!("deletion requested {} ago", short_duration(age)));
                }
                if let Some(age) = p.created.and_then(|w| ev.age_of(w)) {
                    parts.push(format!("created {} ago", short_duration(age)));
                }
                item.text = parts.join("; ");
                item.label = format!("pod {}", p.name.as_deref().unwrap_or("(unnamed)"));
                item.provenance = p.provenance.clone();
            }
            Source::PodCondition => {
                let c = &ev.pod_conditions[i];
                item.text = condition_text(&c.type_, &c.status, &c.reason, &c.message);
                item.label = "pod condition".to_string();
                item.provenance = c.provenance.clone();
            }
            Source::Claim => {
                let c = &ev.claims[i];
                let mut parts = vec![format!("Status: {}", c.status)];
                if let Some(v) = &c.volume {
                    parts.push(format!("volume {v}"));
                }
                match &c.storage_class {
                    Some(sc) => parts.push(format!("storage class {sc}")),
                    None => parts.push("no storage class".to_string()),
                }
                if let Some(age) = c.created.and_then(|w| ev.age_of(w)) {
                    parts.push(format!("created {} ago", short_duration(age)));
                }
                item.text = parts.join("; ");
                item.label = format!("persistentvolumeclaim {}", c.name);
                item.provenance = c.provenance.clone();
            }
        }
        item
    }
}

/// `Type=Status Reason: message`, as a condition reads in evidence.
fn condition_text(
    type_: &str,
    status: &str,
    reason: &Option<String>,
    message: &Option<String>,
) -> String {
    format!(
        "{type_}={status}{}{}",
        reason
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default(),
        message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default()
    )
}

fn term_text(t: &ContainerState) -> String {
    let ContainerState::Terminated {
        reason,
        message,
        exit_code,
        signal,
        ..
    } = t
    else {
        return String::new();
    };
    let mut s = reason.clone().unwrap_or_else(|| "-".into());
    if let Some(c) = exit_code {
        s.push_str(&format!(", exit code {c}"));
    }
    if let Some(sig) = signal.filter(|s| *s != 0) {
        s.push_str(&format!(", signal {sig}"));
    }
    if let Some(m) = message.as_deref().filter(|m| !m.trim().is_empty()) {
        s.push_str(&format!(" ({})", m.trim()));
    }
    s
}

fn merge(into: &mut MatchResult, from: MatchResult) {
    into.items.extend(from.items);
    for (k, v) in from.captures {
        into.captures.entry(k).or_insert(v);
    }
}

/// Render `{{name}}` / `{{name|filter}}` placeholders. A capture that did not take part in the match
/// renders as `<name>` so the text still reads as a template to fill in.
///
/// `{{?name}}text` keeps `text` only when capture `name` took part in the match, `{{!name}}text`
/// only when it did not; such a section runs to the next `{{?`/`{{!` or to the end of its line
/// (a line none of whose text is kept disappears with its newline), so one template reads right
/// for every leaf of an `any`.
pub fn render(template: &str, captures: &BTreeMap<String, String>) -> String {
    let template = sections(template, captures);
    crate::regex_facts::expand_placeholders(&template, |inner, out| {
        let (name, filter) = match inner.split_once('|') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner, None),
        };
        match captures.get(name) {
            Some(v) => out.push_str(&apply_filter(v, filter)),
            None => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
        }
    })
}

/// Keeps the `{{?name}}` / `{{!name}}` sections of a template whose condition holds.
fn sections<'t>(
    template: &'t str,
    captures: &BTreeMap<String, String>,
) -> std::borrow::Cow<'t, str> {
    if !template.contains("{{?") && !template.contains("{{!") {
        return std::borrow::Cow::Borrowed(template);
    }
    let mut out = String::with_capacity(template.len());
    for line in template.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let mut kept = String::new();
        let mut keep = true;
        let mut rest = body;
        loop {
            let next = [rest.find("{{?"), rest.find("{{!")]
                .into_iter()
                .flatten()
                .min();
            let Some(at) = next else {
                if keep {
                    kept.push_str(rest);
                }
                break;
            };
            if keep {
                kept.push_str(&rest[..at]);
            }
            let after = &rest[at + 3..];
            let Some(end) = after.find("}}") else {
                if keep {
                    kept.push_str(&rest[at..]);
                }
                break;
            };
            let has = captures.contains_key(after[..end].trim());
            keep = if &rest[at + 2..at + 3] == "?" {
                has
            } else {
                !has
            };
            rest = &after[end + 2..];
        }
        // A line none of whose text is kept goes with its newline.
        if !kept.is_empty() || body.is_empty() {
            out.push_str(&kept);
            out.push_str(newline);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn apply_filter(v: &str, filter: Option<&str>) -> String {
    match filter {
        Some("duration") => match v.parse::<u64>() {
            Ok(n) => short_duration(n),
            Err(_) => v.to_string(),
        },
        Some("ip_scope") => ip_scope(v).to_string(),
        Some("ip_scope_zh") => ip_scope_zh(v).to_string(),
        Some("bytes") => match v.parse::<u64>() {
            Ok(n) => format!("{n} bytes ({})", human_bytes(n)),
            Err(_) => v.to_string(),
        },
        _ => v.to_string(),
    }
}

/// Classify an IP address the way the seed documents ask: public or private (VPC-internal).
pub fn ip_scope(ip: &str) -> &'static str {
    use std::net::IpAddr;
    let trimmed = ip.trim_matches(|c| c == '[' || c == ']');
    match trimmed.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => {
            let o = a.octets();
            if a.is_unspecified() {
                "unspecified (any local address)"
            } else if a.is_loopback() {
                "loopback"
            } else if a.is_private() {
                "private"
            } else if a.is_link_local() {
                "link-local"
            } else if o[0] == 100 && (64..128).contains(&o[1]) {
                "shared (100.64.0.0/10)"
            } else {
                "public"
            }
        }
        Ok(IpAddr::V6(a)) => {
            let s = a.segments();
            if a.is_loopback() {
                "loopback"
            } else if s[0] & 0xfe00 == 0xfc00 {
                "private"
            } else if s[0] & 0xffc0 == 0xfe80 {
                "link-local"
            } else {
                "public"
            }
        }
        // A host name (or the `xxx` a document prints in its place): no scope without resolving it.
        Err(_) => "host name, not an IP (resolve it to see whether it is public or private)",
    }
}

/// [`ip_scope`] in the words of the Chinese vendor documents (公网 public, 内网 private).
pub fn ip_scope_zh(ip: &str) -> &'static str {
    match ip_scope(ip) {
        "public" => "公网",
        "private" => "内网",
        "loopback" => "回环",
        "link-local" => "链路本地",
        "shared (100.64.0.0/10)" => "共享地址段（100.64.0.0/10）",
        "unspecified (any local address)" => "未指定",
        _ => "域名而非 IP（请解析后判断公网或内网）",
    }
}

/// `8040` -> `2h14m`, `45` -> `45s`: durations the way kubectl prints ages.
pub(crate) fn short_duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) if s == 0 => format!("{m}m"),
        (0, 0, _) => format!("{m}m{s}s"),
        (0, _, _) => format!("{h}h{m}m"),
        _ => format!("{d}d{h}h"),
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ContainerKind, ContainerStatus, Event, LogLine};

    fn rules(yaml: &[&str]) -> RuleSet {
        let mut set = RuleSet::default();
        set.rules = yaml
            .iter()
            .enumerate()
            .map(|(i, y)| Rule::from_yaml(&format!("r{i}.yaml"), y).expect("test rule parses"))
            .collect();
        set
    }

    const BIND: &str = r#"
id: port-in-use
title: Port {{port}} in use
severity: critical
category: runtime
detects: d
why: w
fix: Free port {{port}} on {{addr|ip_scope}} address.
references: [{url: "https://example.invalid"}]
match:
  all:
    - log: { text: 'bind\(\) to (?P<addr>[0-9.]+):(?P<port>\d+) failed' }
    - not: { log: { text: 'still could not bind\(\)' , container: sidecar } }
"#;

    const CRASH: &str = r#"
id: crash-loop
title: Crash loop of {{name}}
severity: critical
category: runtime
kind: symptom
detects: d
why: w
fix: Read the logs of {{name}}.
references: [{url: "https://example.invalid"}]
match:
  any:
    - container: { waiting_reason: '^CrashLoopBackOff$', name: '(?P<name>.+)' }
    - event: { reason: '^BackOff$', message: 'Back-off restarting failed container' }
"#;

    fn log(text: &str, line: u64) -> LogLine {
        LogLine {
            pod: None,
            container: Some("web".into()),
            previous: Some(true),
            free_text: false,
            text: text.into(),
            repeats: 1,
            provenance: Provenance::new("in.txt", Some(line), "log"),
        }
    }

    fn crashing() -> Evidence {
        let mut ev = Evidence::new();
        ev.containers.push(ContainerStatus {
            probes: Default::default(),
            pod: None,
            name: "web".into(),
            kind: ContainerKind::Regular,
            image: Some("nginx:1.25".into()),
            ready: Some(false),
            restart_count: Some(5),
            state: Some(ContainerState::Waiting {
                reason: Some("CrashLoopBackOff".into()),
                message: None,
            }),
            last_state: Some(ContainerState::Terminated {
                reason: Some("Error".into()),
                message: None,
                exit_code: Some(1),
                signal: None,
                finished_at: None,
            }),
            provenance: Provenance::new("in.txt", Some(12), "describe-pod"),
        });
        ev.events.push(Event {
            type_: Some("Warning".into()),
            reason: Some("BackOff".into()),
            message: "Back-off restarting failed container web in pod web-1_default(0f1e)".into(),
            count: Some(10),
            last_seen: Some(When::Age(120)),
            provenance: Provenance::new("in.txt", Some(40), "describe-pod"),
            ..Default::default()
        });
        ev
    }

    #[test]
    fn leaf_captures_and_templates_fix() {
        let engine = Engine::new(&rules(&[BIND])).unwrap();
        let mut ev = crashing();
        ev.push_log(log(
            "2019/04/03 07:52:42 [emerg] 24#24: bind() to 10.0.0.5:80 failed (98: Address in use)",
            50,
        ));
        let f = engine.evaluate(&ev);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].title, "Port 80 in use");
        assert_eq!(f[0].fix, "Free port 80 on private address.");
        assert_eq!(f[0].evidence[0].provenance.line, Some(50));
        assert_eq!(f[0].evidence[0].label, "log of web (previous)");
    }

    #[test]
    fn not_blocks_a_match_only_for_the_constrained_item() {
        let engine = Engine::new(&rules(&[BIND])).unwrap();
        let mut ev = Evidence::new();
        ev.push_log(log(
            "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)",
            1,
        ));
        // `still could not bind()` from container web does not trigger the `not` (it names sidecar).
        ev.push_log(log(
            "2019/04/03 07:52:42 [emerg] 24#24: still could not bind()",
            2,
        ));
        assert_eq!(engine.evaluate(&ev).len(), 1);
        let mut l = log("still could not bind()", 3);
        l.container = Some("sidecar".into());
        ev.push_log(l);
        assert!(engine.evaluate(&ev).is_empty());
    }

    #[test]
    fn a_finding_quotes_a_bounded_number_of_items_and_counts_the_rest() {
        let engine = Engine::new(&rules(&[BIND])).unwrap();
        let mut ev = Evidence::new();
        for port in 0..(MAX_EVIDENCE_PER_FINDING as u64 + 70) {
            ev.push_log(log(
                &format!(
                    "nginx: [emerg] bind() to 0.0.0.0:{} failed (98: Address in use)",
                    1000 + port
                ),
                port + 1,
            ));
        }
        let f = engine.evaluate(&ev);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.len(), MAX_EVIDENCE_PER_FINDING);
        assert_eq!(f[0].evidence_omitted, 70);
        let json = serde_json::to_value(&f[0]).unwrap();
        assert_eq!(json["evidenceOmitted"], 70);
    }

    #[test]
    fn any_collects_evidence_from_every_matching_branch() {
        let engine = Engine::new(&rules(&[CRASH])).unwrap();
        let f = engine.evaluate(&crashing());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.len(), 2);
        assert_eq!(f[0].corroboration, 2);
        assert_eq!(f[0].title, "Crash loop of web");
        assert_eq!(f[0].evidence[1].label, "event Warning BackOff ×10");
        assert_eq!(f[0].evidence[1].age_seconds, Some(120));
    }

    #[test]
    fn prefilter_keeps_only_lines_some_rule_can_match() {
        let engine = Engine::new(&rules(&[BIND, CRASH])).unwrap();
        assert!(engine.wants_log_line("nginx: [emerg] bind() to 0.0.0.0:80 failed (98)"));
        assert!(engine.wants_log_line("still could not bind()"));
        assert!(!engine.wants_log_line("GET /healthz 200"));
    }

    #[test]
    fn an_event_is_wanted_when_some_event_leaf_can_match_it() {
        let engine = Engine::new(&rules(&[BIND, CRASH])).unwrap();
        let ev = |reason: &str, message: &str| Event {
            reason: Some(reason.into()),
            message: message.into(),
            ..Default::default()
        };
        assert!(engine.wants_event(&ev("BackOff", "Back-off restarting failed container web")));
        // Every field of the leaf must match: the reason alone is not enough.
        assert!(!engine.wants_event(&ev("BackOff", "Back-off pulling image \"x\"")));
        assert!(!engine.wants_event(&ev("Scheduled", "Successfully assigned a/b to n1")));
    }

    #[test]
    fn a_leaf_is_checked_only_against_the_items_its_patterns_matched() {
        // Many events, one of them the crash: the finding quotes exactly that one, whatever its
        // position, and a leaf's candidates are the posting list of its most selective field.
        let engine = Engine::new(&rules(&[CRASH])).unwrap();
        let mut ev = Evidence::new();
        for i in 0..3000 {
            ev.events.push(Event {
                reason: Some(if i % 2 == 0 { "BackOff" } else { "Pulled" }.into()),
                message: format!("Back-off pulling image \"img-{i}\""),
                ..Default::default()
            });
        }
        ev.events.insert(
            1717,
            Event {
                reason: Some("BackOff".into()),
                message: "Back-off restarting failed container web in pod web-1".into(),
                ..Default::default()
            },
        );
        let f = engine.evaluate(&ev);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].items, vec![(Source::Event, 1717)]);
    }

    fn message(text: &str, reason: Option<&str>, line: u64) -> crate::evidence::TextMessage {
        crate::evidence::TextMessage {
            message: text.into(),
            line: text.into(),
            reason: reason.map(str::to_string),
            repeats: 1,
            provenance: Provenance::new("in.txt", Some(line), "free-text"),
            ..Default::default()
        }
    }

    const SCHED: &str = r#"
id: sched
title: "Unschedulable: {{summary}}"
severity: warning
category: scheduling
kind: symptom
detects: d
why: w
fix: f
references: [{url: "https://example.invalid"}]
match:
  event: { reason: '^FailedScheduling$', message: '^(?P<summary>.+)$' }
"#;

    const PULL: &str = r#"
id: pull
title: "Image {{image}}"
severity: critical
category: image-pull
kind: symptom
detects: d
why: w
fix: f
references: [{url: "https://example.invalid"}]
match:
  any:
    - container: { name: '^(?P<container>.+)$', waiting_reason: '^ImagePullBackOff$' }
    - event: { reason: '^BackOff$', message: '^Back-off pulling image "(?P<image>[^"]+)"' }
"#;

    const TIMEOUT: &str = r#"
id: timeout
title: t
severity: critical
category: runtime
detects: d
why: w
fix: f
references: [{url: "https://example.invalid"}]
match:
  event: { reason: '^Failed$', message: 'timeout' }
"#;

    #[test]
    fn free_text_messages_match_whole_templates_or_their_reason() {
        let engine = Engine::new(&rules(&[SCHED, PULL, TIMEOUT])).unwrap();
        // a whole template: the reason it does not say is not held against it
        let mut ev = Evidence::new();
        ev.push_message(message("Back-off pulling image \"nginx:1.99\"", None, 3));
        let f = engine.evaluate(&ev);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, "pull");
        assert_eq!(f[0].title, "Image nginx:1.99");
        assert_eq!(f[0].evidence[0].label, "pasted text");
        assert_eq!(f[0].evidence[0].provenance.line, Some(3));
        assert_eq!(f[0].corroboration, 1);
        // a message that matches any text fires only with the reason the line implied
        let mut ev = Evidence::new();
        ev.push_message(message(
            "0/5 nodes are available: 3 Insufficient cpu.",
            None,
            1,
        ));
        assert!(engine.evaluate(&ev).is_empty());
        let mut ev = Evidence::new();
        ev.push_message(message(
            "0/5 nodes are available: 3 Insufficient cpu.",
            Some("FailedScheduling"),
            1,
        ));
        let f = engine.evaluate(&ev);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id, "sched");
        // a word an application log merely mentions does not make an event
        let mut ev = Evidence::new();
        ev.push_message(message("upstream timeout after 30s", None, 1));
        assert!(engine.evaluate(&ev).is_empty());
        // a reason the line gave that contradicts the leaf
        let mut ev = Evidence::new();
        ev.push_message(message("Back-off pulling image \"x\"", Some("Pulled"), 1));
        assert!(engine.evaluate(&ev).is_empty());
        // the prefilter keeps only what could match
        assert!(engine.wants_message("Back-off pulling image \"x\"", false));
        assert!(!engine.wants_message("0/5 nodes are available", false));
        assert!(engine.wants_message("0/5 nodes are available", true));
    }

    #[test]
    fn free_text_is_not_used_when_structured_evidence_has_the_message() {
        let engine = Engine::new(&rules(&[PULL])).unwrap();
        let mut ev = Evidence::new();
        ev.events.push(Event {
            type_: Some("Normal".into()),
            reason: Some("Pulled".into()),
            message: "Back-off pulling image \"x\"".into(),
            ..Default::default()
        });
        ev.push_message(message("Back-off pulling image \"x\"", None, 9));
        assert!(engine.evaluate(&ev).is_empty());
    }

    #[test]
    fn unnamed_container_matches_on_its_other_fields() {
        let engine = Engine::new(&rules(&[PULL])).unwrap();
        let mut ev = Evidence::new();
        ev.containers.push(ContainerStatus {
            probes: Default::default(),
            pod: Some("web-0".into()),
            name: String::new(),
            kind: ContainerKind::Regular,
            image: None,
            ready: Some(false),
            restart_count: Some(0),
            state: Some(ContainerState::Waiting {
                reason: Some("ImagePullBackOff".into()),
                message: None,
            }),
            last_state: None,
            provenance: Provenance::new("in.txt", Some(2), "get-pods"),
        });
        let f = engine.evaluate(&ev);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].title, "Image <image>");
        assert_eq!(f[0].evidence[0].label, "container (name not shown)");
        // a name-only leaf proves nothing about an unnamed container
        ev.containers[0].state = None;
        assert!(engine.evaluate(&ev).is_empty());
    }

    #[test]
    fn container_of_unknown_image_matches_on_its_known_fields() {
        // `kubectl logs` refused: the container is named, its image is not given.
        let rule = PULL.replace(
            "name: '^(?P<container>.+)$'",
            "name: '^(?P<container>.+)$', image: '^(?P<image>.+)$'",
        );
        let engine = Engine::new(&rules(&[&rule])).unwrap();
        let mut ev = Evidence::new();
        ev.containers.push(ContainerStatus {
            probes: Default::default(),
            pod: Some("web-0".into()),
            name: "app".into(),
            kind: ContainerKind::Regular,
            image: None,
            ready: Some(false),
            restart_count: None,
            state: Some(ContainerState::Waiting {
                reason: Some("ImagePullBackOff".into()),
                message: None,
            }),
            last_state: None,
            provenance: Provenance::new("in.txt", Some(2), "kubectl-logs-error"),
        });
        let f = engine.evaluate(&ev);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].title, "Image <image>");
        // a known name that does not match still blocks the leaf
        let rule = rule.replace("'^(?P<container>.+)$'", "'^sidecar$'");
        let engine = Engine::new(&rules(&[&rule])).unwrap();
        assert!(engine.evaluate(&ev).is_empty());
    }

    #[test]
    fn required_literals_of_message_templates() {
        assert_eq!(required_literal_len("^Back-off pulling image"), 22);
        assert_eq!(required_literal_len("^(?P<m>.+)$"), 0);
        assert_eq!(required_literal_len("timeout"), 7);
        assert_eq!(
            required_literal_len("^Error: (?:ErrImagePull|ImagePullBackOff)$"),
            19
        );
        assert_eq!(required_literal_len("(?i)no space left"), 13);
        assert_eq!(required_literal_len("a(?:bcd)?efg"), 3);
    }

    #[test]
    fn required_needle_is_a_literal_every_match_contains() {
        assert_eq!(
            required_needle("^Back-off pulling image").as_deref(),
            Some(&b"back-off pulling image"[..])
        );
        // `(?i)s` also matches the long s (ſ): the run breaks there.
        assert_eq!(
            required_needle("(?i)no space left").as_deref(),
            Some(&b"pace left"[..])
        );
        assert_eq!(
            required_needle(r"bind\(\) to \S+:(?P<port>\d+) failed").as_deref(),
            Some(&b"bind() to "[..])
        );
        // Alternations, optional parts and short literals give none: such patterns always run.
        assert_eq!(required_needle("^(?:foo|barbaz)$"), None);
        assert_eq!(required_needle("^(?P<m>.+)$"), None);
        assert_eq!(required_needle("ab"), None);
        // `(?i)k` also matches the Kelvin sign, so it is not an ASCII letter in either case.
        assert_eq!(required_needle("(?i)kkk"), None);
    }

    #[test]
    fn field_matcher_agrees_with_each_regex_before_and_after_the_combined_set() {
        let all = [
            r"bind\(\) to \S+:(?P<port>\d+) failed",
            "(?i)no space left",
            "^(?P<m>.+)$",
            "^BackOff$",
            r"(?-u:\b)lookup (?P<host>\S+)",
            "x{2,}",
            "(?i)disk pressure|out of memory",
            "(?i)kill(?:ed)?",
            "[Ff]ailed to (?:pull|start)",
        ];
        // With patterns that have no required literal (the gate's own set), and without; with
        // the literal gate and without.
        for gate in [false, true] {
            field_matcher_agrees(&all, gate);
            field_matcher_agrees(
                &[all[0], all[1], all[3], all[4], all[6], all[7], all[8]],
                gate,
            );
        }
    }

    #[test]
    fn a_long_text_builds_the_automaton_at_once() {
        // A log of 40 KB lines: searching each once per needle cost seconds a line in a debug
        // build; the length counts, so the first such line builds the automaton.
        let list: Vec<Src> = [r"bind\(\) to \S+:(?P<port>\d+) failed", "(?i)no space left"]
            .iter()
            .map(|s| Src::Borrowed(s))
            .collect();
        let fm = FieldMatcher::new(&list);
        fm.candidates("a short line");
        assert!(fm.needles.get().is_none(), "a short text: needle by needle");
        let long = format!("{} no space left", "x".repeat(40_000));
        assert_eq!(fm.candidates(&long), vec![1]);
        assert!(fm.needles.get().is_some(), "a long text: the automaton");
        assert_eq!(fm.candidates("bind() to 0.0.0.0:80 failed"), vec![0]);
    }

    #[test]
    fn needle_sets_hold_one_literal_of_every_match() {
        let set = |p: &str| {
            let hir = regex_syntax::Parser::new().parse(p).unwrap();
            crate::regex_facts::needle_set_of(&hir).map(|v| {
                v.into_iter()
                    .map(|n| String::from_utf8(n).unwrap())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            set("(?i)password|secret"),
            Some(vec!["password".to_string(), "secret".to_string()])
        );
        assert_eq!(
            set("[Ff]ailed to (?:pull|start)"),
            Some(vec![
                "failed to pull".to_string(),
                "failed to start".to_string()
            ])
        );
        // `(?i)k` also admits the Kelvin sign: counted as k (callers check `has_fold_hazard`).
        assert_eq!(set("(?i)token"), Some(vec!["token".to_string()]));
        assert_eq!(set("^(?P<m>.+)$"), None);
        assert_eq!(set("a|bc"), None, "a 1-byte needle filters nothing");
        assert_eq!(set("(?:foo)?bar"), Some(vec!["bar".to_string()]));
        assert!(crate::regex_facts::has_fold_hazard(
            "\u{212A}ILLED".as_bytes()
        ));
        assert!(crate::regex_facts::has_fold_hazard("ſecret".as_bytes()));
        assert!(!crate::regex_facts::has_fold_hazard(
            "killed, secret, 名字".as_bytes()
        ));
    }

    /// Guards the cost of a big log scan without timing it: past [`FieldMatcher::SET_AFTER`]
    /// lines, the built-in catalog's `log.text` set sits behind its literal gate, and the lines of
    /// a healthy application log (access lines, JSON info lines, stack frames, slow-query
    /// warnings: what `scripts/bench.sh log` scans) hold none of the catalog's literals, so the
    /// gate keeps nearly all of them away from the set of hundreds of patterns. A rule whose
    /// only literal is a common word (`get`, `info`, `ms`) would open the gate on most lines of
    /// every log: this fails then, before the benchmark gets slower. The lines that matter still
    /// pass.
    #[test]
    fn rare_required_byte_is_one_every_match_holds() {
        let rb = |p: &str| {
            let hir = regex_syntax::Parser::new().parse(p).expect("parses");
            crate::regex_facts::rare_required_byte(&hir)
        };
        // klog's fatal line: `F` is rarer in logs than digits, spaces and `:`.
        assert_eq!(rb(r"(?:^|\s)F\d{4} \d\d:\d\d:\d\d\] "), Some(b'F'));
        // Only bytes every branch holds; `(?i)` letters are two bytes each, optional parts none.
        assert_eq!(rb(r"a+b|b"), Some(b'b'));
        assert_eq!(rb(r"ab|cd"), None);
        assert_eq!(rb(r"(?i)fatal"), None);
        assert_eq!(rb(r"x?y*"), None);
        assert_eq!(rb(r"é+"), None);
    }

    #[test]
    fn the_log_gate_keeps_healthy_lines_away_from_the_combined_set() {
        let set = RuleSet::builtin().expect("built-in rules load");
        let engine = Engine::new(&set).expect("built-in rules compile");
        let fm = engine
            .log_text
            .clone()
            .expect("built-in rules match log text");
        let healthy = |i: usize| {
            match i % 6 {
            0 => format!(
                "10.0.{}.{} - - [03/Apr/2024:07:52:{:02} +0000] \"GET /api/v1/orders/{i} HTTP/1.1\" 200 {} \"-\" \"kube-probe/1.28\"",
                i % 255,
                i % 251,
                i % 60,
                512 + i % 4096
            ),
            // A JSON line reaches the filter as its message (`objects::json_log_text`).
            1 => format!("order {i} processed in {} ms", i % 250),
            2 => "\tat com.example.orders.OrderService.process(OrderService.java:142)".to_string(),
            3 => format!(
                "2024-04-03 07:52:{:02} WARN  [pool-{}-thread-{}] slow query took {} ms",
                i % 60,
                i % 8,
                i % 32,
                i % 5000
            ),
            4 => format!("I0403 07:52:{:02}.123456       1 server.go:42] served {i} requests", i % 60),
            _ => format!("2024-04-03 07:52:{:02} 信息 处理订单 {i} 完成，耗时 {} 毫秒", i % 60, i % 250),
        }
        };
        let n = 3 * FieldMatcher::SET_AFTER;
        let kept = (0..n)
            .filter(|&i| engine.wants_log_line(&healthy(i)))
            .count();
        let (asked, opened) = (
            fm.gate_stats.0.load(std::sync::atomic::Ordering::Relaxed),
            fm.gate_stats.1.load(std::sync::atomic::Ordering::Relaxed),
        );
        assert!(
            asked >= n - FieldMatcher::SET_AFTER,
            "the combined set ran ({asked} texts)"
        );
        assert!(
            opened * 100 <= asked,
            "the gate let {opened} of {asked} healthy lines through to the combined set"
        );
        assert_eq!(kept, 0, "no healthy line is kept");
        // The parser's fast path (`LineFilter::rejects_line`) skips a line only when the gate,
        // the fold check and the required bytes of the patterns without a literal all say no:
        // that too must hold for nearly every healthy line, or a big log is read the slow way.
        let rejected = (0..n)
            .filter(|&i| engine.rejects_log_line(&healthy(i)))
            .count();
        assert!(
            rejected * 100 >= n * 99,
            "only {rejected} of {n} healthy lines are rejected whole"
        );
        for line in [
            "2024/04/03 07:52:42 [emerg] 24#24: bind() to 0.0.0.0:80 failed (98: Address in use)",
            "Caused by: java.net.UnknownHostException: orders-db.prod.svc.cluster.local: Temporary failure in name resolution",
            "F0403 07:52:42.123456       1 main.go:42] cannot start: config missing",
            "07:52:42 FTL cannot open database error=\"no such file\"",
        ] {
            assert!(engine.wants_log_line(line), "{line}");
            assert!(!engine.rejects_log_line(line), "{line}");
            // Nor is a line that holds such a line after a prefix of its own.
            let prefixed = format!("2024-04-03T07:52:42.000Z stdout F {line}");
            assert!(!engine.rejects_log_line(&prefixed), "{prefixed}");
        }
    }

    fn field_matcher_agrees(patterns: &[&str], gate: bool) {
        let list: Vec<Src> = patterns.iter().map(|s| Src::Owned(s.to_string())).collect();
        let texts = [
            "nginx: [emerg] bind() to 0.0.0.0:80 failed (98)",
            "write /data/x: NO SPACE LEFT on device",
            "BackOff",
            "dial tcp: lookup db.svc on 10.0.0.10:53: no such host",
            "",
            "xx and 名字 lookup 数据库",
            "nothing to see",
            "Node has DISK PRESSURE",
            "container was \u{212A}ILLED",
            "Failed to pull image",
        ];
        let fm = FieldMatcher::new(&list);
        let fm = if gate { fm.with_gate() } else { fm };
        let expected: Vec<Vec<usize>> = texts
            .iter()
            .map(|t| {
                (0..list.len())
                    .filter(|&i| regex::Regex::new(&list[i]).unwrap().is_match(t))
                    .collect()
            })
            .collect();
        for (t, want) in texts.iter().zip(&expected) {
            assert_eq!(&fm.matches(t), want, "{t:?}");
            assert_eq!(fm.is_match(t), !want.is_empty(), "{t:?}");
        }
        assert!(fm.set.get().is_none(), "few calls: no combined set yet");
        // Past the needle-by-needle scans: the Aho-Corasick automaton picks the candidates.
        for _ in 0..FieldMatcher::SCAN_BEFORE_AC {
            fm.candidates("nothing");
        }
        for (t, want) in texts.iter().zip(&expected) {
            assert_eq!(&fm.matches(t), want, "{t:?}");
            assert_eq!(fm.is_match(t), !want.is_empty(), "{t:?}");
        }
        assert!(fm.set.get().is_none(), "no combined set yet");
        for _ in 0..FieldMatcher::SET_AFTER {
            fm.is_match("nothing");
        }
        assert!(
            fm.set.get().is_some_and(|s| s.is_some()),
            "combined set built"
        );
        for (t, want) in texts.iter().zip(&expected) {
            assert_eq!(&fm.matches(t), want, "{t:?}");
            assert_eq!(fm.is_match(t), !want.is_empty(), "{t:?}");
        }
        if !gate {
            return;
        }
        // A big log: past `DFA_AFTER_BYTES` of text the gate is rebuilt as a DFA, which must
        // answer as the NFA did.
        let set = fm.set.get().and_then(Option::as_ref).unwrap();
        assert!(set.fast.get().is_none(), "a few texts: the NFA gate only");
        set.scanned.store(
            GatedSet::DFA_AFTER_BYTES,
            std::sync::atomic::Ordering::Relaxed,
        );
        fm.is_match("nothing");
        assert!(
            set.fast.get().is_some_and(|f| f.is_some()),
            "the DFA gate is built"
        );
        for (t, want) in texts.iter().zip(&expected) {
            assert_eq!(&fm.matches(t), want, "{t:?}");
            assert_eq!(fm.is_match(t), !want.is_empty(), "{t:?}");
        }
    }

    #[test]
    fn missing_capture_renders_as_placeholder() {
        let caps = BTreeMap::new();
        assert_eq!(
            render("port {{port}} is taken", &caps),
            "port <port> is taken"
        );
    }

    #[test]
    fn ip_scope_classifies_addresses() {
        assert_eq!(ip_scope("10.0.3.7"), "private");
        assert_eq!(ip_scope("172.16.0.1"), "private");
        assert_eq!(ip_scope("192.168.1.1"), "private");
        assert_eq!(ip_scope("43.137.22.10"), "public");
        assert_eq!(ip_scope("127.0.0.1"), "loopback");
        assert_eq!(ip_scope("0.0.0.0"), "unspecified (any local address)");
        assert_eq!(ip_scope("100.96.0.4"), "shared (100.64.0.0/10)");
        assert_eq!(ip_scope("[fd00::1]"), "private");
        assert_eq!(ip_scope("2600:1f18::1"), "public");
        assert!(ip_scope("registry").starts_with("host name"));
        assert_eq!(ip_scope_zh("43.137.22.10"), "公网");
        assert_eq!(ip_scope_zh("172.16.0.12"), "内网");
    }

    #[test]
    fn short_durations_read_like_kubectl_ages() {
        assert_eq!(short_duration(45), "45s");
        assert_eq!(short_duration(125), "2m5s");
        assert_eq!(short_duration(8040), "2h14m");
        assert_eq!(short_duration(200_000), "2d7h");
    }

    #[test]
    fn conditional_sections_follow_the_captures() {
        let mut caps = BTreeMap::new();
        caps.insert("msg".to_string(), "0/3 nodes".to_string());
        let t = "{{?msg}}Says: {{msg}}{{!msg}}Pending {{age|duration}}\n{{!msg}}Ask.\nAlways.";
        assert_eq!(render(t, &caps), "Says: 0/3 nodes\nAlways.");
        let mut caps = BTreeMap::new();
        caps.insert("age".to_string(), "218".to_string());
        assert_eq!(render(t, &caps), "Pending 3m38s\nAsk.\nAlways.");
        // No section marker: the template is kept whole.
        assert_eq!(render("a {{age}} b", &caps), "a 218 b");
    }

    #[test]
    fn bytes_filter_is_human_readable() {
        let mut caps = BTreeMap::new();
        caps.insert("n".to_string(), "4220828057".to_string());
        assert_eq!(render("{{n|bytes}}", &caps), "4220828057 bytes (3.9 GiB)");
    }
}
