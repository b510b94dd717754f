//! Parsers of pasted text: the only code that knows kubectl's text formats.
//!
//! Input is read as a stream of lines and split into segments by kind (describe output, event
//! tables, YAML/JSON objects, logs, free text); each segment is turned into [`Evidence`]. Several
//! kinds may be pasted into one input, in any order. Lines that fit no known kind are scanned as free
//! text (they become [`crate::evidence::LogLine`]s with `free_text: true`), so nothing the user gave is
//! silently dropped.

use crate::evidence::Evidence;
use std::io::Read;
use std::path::Path;

/// Decides which log/free-text lines are worth keeping (the engine keeps only lines some rule could
/// match); everything structured (events, container states, conditions) is always kept.
pub trait LineFilter {
    fn wants(&self, text: &str) -> bool;
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
    /// `describe-pod`, `describe-node`, `events-table`, `console-events`, `yaml`, `json`, `log`,
    /// `free-text`.
    pub format: String,
    pub first_line: u64,
    pub last_line: u64,
}

/// An input that cannot be diagnosed at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {input}: {source}")]
    Io {
        input: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{input} is empty: nothing to diagnose; paste `kubectl describe pod`, events, YAML or logs")]
    Empty { input: String },
    #[error("{input} looks binary (NUL byte at offset {offset}); pass the text output of kubectl, not an archive or image")]
    Binary { input: String, offset: u64 },
}
