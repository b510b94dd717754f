//! Object lists read item by item: the `pods.json`, `events.json` and `nodes.json` of a dump.
//!
//! A big cluster's list is one document of hundreds of megabytes, and an archive can claim anything,
//! so a list is never buffered or parsed whole. JSON is deserialized as a stream: each element of
//! `items` (or of a top-level array) becomes a `serde_json::Value`, is turned into evidence and
//! dropped before the next is read. YAML lists (`-o yaml`) are cut into items at their `- ` lines and
//! each item is parsed on its own. No item may exceed [`MAX_ITEM`]: the API server refuses to store an
//! object larger than 1.5 MiB, so a larger item is not a real object; reading stops there with a
//! not-checked note. Memory is therefore bounded by one item plus the evidence kept, whatever size
//! the file claims.

use super::{InputError, InputSummary, Segment};
use crate::evidence::{Evidence, Provenance};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// Largest single list item read (bytes of text). etcd's request limit is 1.5 MiB.
pub const MAX_ITEM: u64 = 2 * 1024 * 1024;

/// Most top-level keys kept from a document that is one object rather than a list.
const MAX_TOP_KEYS: usize = 64;

/// Counts bytes and lines as the deserializer consumes them, and fails the read once the current
/// item has used up its budget.
struct Budgeted<R> {
    inner: R,
    st: Rc<Counters>,
}

#[derive(Default)]
struct Counters {
    budget: Cell<u64>,
    over: Cell<bool>,
    bytes: Cell<u64>,
    lines: Cell<u64>,
    /// Set by [`Counters::reset`]: the next significant byte read starts an item; its line goes to
    /// `start`.
    mark: Cell<bool>,
    start: Cell<u64>,
}

impl Counters {
    fn reset(&self, budget: u64) {
        self.budget.set(budget);
        self.mark.set(true);
        self.start.set(self.line());
    }
    /// 1-based line the reader is on.
    fn line(&self) -> u64 {
        self.lines.get() + 1
    }
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.st.budget.get();
        if left == 0 {
            self.st.over.set(true);
            return Err(io::Error::other("list item too large"));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..want])?;
        let chunk = &buf[..got];
        self.st.budget.set(left - got as u64);
        self.st.bytes.set(self.st.bytes.get() + got as u64);
        for &b in chunk {
            if b == b'\n' {
                self.st.lines.set(self.st.lines.get() + 1);
            } else if self.st.mark.get() && !matches!(b, b' ' | b'\t' | b'\r' | b',' | b'[') {
                self.st.mark.set(false);
                self.st.start.set(self.st.line());
            }
        }
        Ok(got)
    }
}

/// Where converted items go.
struct Sink<'a> {
    name: &'a str,
    ev: &'a mut Evidence,
    st: Rc<Counters>,
    items: u64,
    emitted: usize,
    /// Line of `name` before the stream's first line (a document found inside a paste).
    offset: u64,
}

impl Sink<'_> {
    fn emit(&mut self, v: &Value, line: u64, format: &str) {
        self.items += 1;
        let before = Lens::of(self.ev);
        self.emitted += super::api_object_to_evidence(v, self.name, self.ev);
        before.relocate(self.ev, self.name, line + self.offset, format);
    }
}

/// Lengths of the evidence lists, to find what one item added.
struct Lens([usize; 8]);

impl Lens {
    fn of(ev: &Evidence) -> Lens {
        Lens([
            ev.pods.len(),
            ev.pod_conditions.len(),
            ev.containers.len(),
            ev.events.len(),
            ev.node_conditions.len(),
            ev.taints.len(),
            ev.logs.len(),
            ev.ports.len(),
        ])
    }

    /// Point the provenance of everything added since `self` at `line` of `input`.
    fn relocate(&self, ev: &mut Evidence, input: &str, line: u64, format: &str) {
        let at = Provenance::new(input, Some(line), format);
        let [a, b, c, d, e, f, g, h] = self.0;
        macro_rules! relocate {
            ($($list:ident from $n:ident),*) => {
                $(ev.$list.iter_mut().skip($n).for_each(|x| x.provenance = at.clone());)*
            };
        }
        relocate!(pods from a, pod_conditions from b, containers from c, events from d,
            node_conditions from e, taints from f, logs from g, ports from h);
    }
}

/// The document: a List object (its `items` streamed), a bare array (streamed), or one object.
struct Top<'s, 'a>(&'s mut Sink<'a>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes object or list")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let line = self.0.st.line();
        let mut rest = serde_json::Map::new();
        let mut listed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                listed = true;
                map.next_value_seed(Items(&mut *self.0))?;
                self.0.st.reset(MAX_ITEM);
            } else if rest.len() < MAX_TOP_KEYS {
                self.0.st.reset(MAX_ITEM);
                let v: Value = map.next_value()?;
                rest.insert(key, v);
            } else {
                self.0.st.reset(u64::MAX);
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !listed {
            self.0.emit(&Value::Object(rest), line, "json");
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Items(self.0).visit_seq(seq)
    }
}

/// The elements of `items` (or of a top-level array), one at a time.
struct Items<'s, 'a>(&'s mut Sink<'a>);

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(()) // `"items": null`
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            self.0.st.reset(MAX_ITEM);
            match seq.next_element::<Value>()? {
                // Only objects can be evidence; anything else is counted and dropped at once.
                Some(v @ Value::Object(_)) => {
                    let line = self.0.st.start.get();
                    self.0.emit(&v, line, "json")
                }
                Some(_) => self.0.items += 1,
                None => return Ok(()),
            }
        }
    }
}

fn summary(name: &str, st: &Counters, format: &str) -> InputSummary {
    let lines = st.lines.get().max(1);
    InputSummary {
        name: name.to_string(),
        lines,
        bytes: st.bytes.get(),
        segments: vec![Segment {
            format: format.to_string(),
            first_line: 1,
            last_line: lines,
        }],
    }
}

/// Read a JSON object list (or one object) item by item. Items before damage are kept; the damage
/// and what was not read are recorded as not checked.
pub(crate) fn json_list<R: BufRead>(
    name: &str,
    reader: R,
    ev: &mut Evidence,
) -> Result<InputSummary, InputError> {
    json_list_at(name, reader, ev, 0).map(|(s, _)| s)
}

/// A JSON document of a paste too big to parse whole (it starts at line `offset + 1` of `name`),
/// read like a dump's list. Returns how many evidence items it gave.
pub(crate) fn json_text(name: &str, text: &str, offset: u64, ev: &mut Evidence) -> usize {
    json_list_at(name, text.as_bytes(), ev, offset).map_or(0, |(_, n)| n)
}

/// A YAML document of a paste too big to parse whole, read like a dump's list.
pub(crate) fn yaml_text(name: &str, text: &str, offset: u64, ev: &mut Evidence) -> usize {
    yaml_list_at(name, text.as_bytes(), ev, offset).map_or(0, |(_, n)| n)
}

fn json_list_at<R: BufRead>(
    name: &str,
    reader: R,
    ev: &mut Evidence,
    offset: u64,
) -> Result<(InputSummary, usize), InputError> {
    let st = Rc::new(Counters::default());
    st.reset(MAX_ITEM);
    let mut sink = Sink {
        name,
        ev,
        st: st.clone(),
        items: 0,
        emitted: 0,
        offset,
    };
    let mut de = serde_json::Deserializer::from_reader(Budgeted {
        inner: reader,
        st: st.clone(),
    });
    let result = Top(&mut sink).deserialize(&mut de).and_then(|()| {
        st.reset(MAX_ITEM);
        de.end()
    });
    let (items, ev, emitted) = (sink.items, sink.ev, sink.emitted);
    if let Err(e) = result {
        let reason = if st.over.get() {
            format!(
                "item {} (from line {}) is larger than {} MiB, more than the API server stores for \
                 one object; it and the rest of the file were not read",
                items + 1,
                st.line() + offset,
                MAX_ITEM / (1024 * 1024)
            )
        } else if e.is_io() {
            format!(
                "reading stopped at line {} ({e}); {items} items before it were read",
                st.line() + offset
            )
        } else {
            format!(
                "the JSON is damaged at line {} column {} ({}); {items} items before it were read, \
                 the rest was not",
                e.line() as u64 + offset,
                e.column(),
                e.to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
            )
        };
        ev.not_checked(name.to_string(), reason);
    }
    Ok((summary(name, &st, "json"), emitted))
}

/// Read a YAML object list (`kubectl get -o yaml` of many objects) item by item: each `- ` line at
/// column 0 after `items:` starts an item. A document without `items:` is one object, cut at its
/// top-level keys (lines at column 0): each key's value is parsed on its own if it fits in
/// [`MAX_ITEM`], so one oversized field (a million labels) is skipped with a note while the rest of
/// the object (its status) is still read, and memory stays bounded by one field.
pub(crate) fn yaml_list<R: BufRead>(
    name: &str,
    reader: R,
    ev: &mut Evidence,
) -> Result<InputSummary, InputError> {
    yaml_list_at(name, reader, ev, 0).map(|(s, _)| s)
}

/// The top-level keys of a YAML document that is one object, read one key at a time.
struct TopKeys {
    /// The key being read: its text, first line, and whether it outgrew [`MAX_ITEM`].
    text: String,
    line: u64,
    over: bool,
    keys: serde_json::Map<String, Value>,
    /// A document that is not a mapping (a bare sequence), parsed whole.
    other: Option<Value>,
    dropped: usize,
}

impl TopKeys {
    fn push(&mut self, sink: &mut Sink<'_>, n: u64, line: &str, listed: bool) {
        let starts_key = !line.is_empty()
            && !line.starts_with([' ', '\t', '#', '-'])
            && line != "..."
            && !self.text.is_empty();
        if starts_key {
            self.flush(sink, listed);
        }
        if self.text.is_empty() {
            self.line = n;
        }
        if self.over {
            return;
        }
        if self.text.len() + line.len() >= MAX_ITEM as usize {
            self.over = true;
            return;
        }
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// Parses the key read so far (a List's own keys are not needed and not parsed).
    fn flush(&mut self, sink: &mut Sink<'_>, listed: bool) {
        let text = std::mem::take(&mut self.text);
        let over = std::mem::replace(&mut self.over, false);
        if listed || (text.trim().is_empty() && !over) {
            return;
        }
        let at = format!("line {} of {}", self.line + sink.offset, sink.name);
        if over {
            let key: String = text
                .split(':')
                .next()
                .unwrap_or_default()
                .chars()
                .take(60)
                .collect();
            sink.ev.not_checked(
                at,
                format!(
                    "the YAML field `{key}` is larger than {} MiB, more than the API server stores \
                     for one object; it was skipped and the rest of the object was read",
                    MAX_ITEM / (1024 * 1024)
                ),
            );
            return;
        }
        match super::objects::yaml_value(&text) {
            Ok(Value::Object(m)) => {
                for (k, v) in m {
                    if self.keys.len() < MAX_TOP_KEYS {
                        self.keys.insert(k, v);
                    } else {
                        self.dropped += 1;
                    }
                }
            }
            Ok(Value::Null) => {}
            Ok(v) => self.other = Some(v),
            Err(e) => sink.ev.not_checked(
                at,
                format!(
                    "the YAML could not be parsed ({}); it was skipped",
                    e.to_string().split(" at line ").next().unwrap_or_default()
                ),
            ),
        }
    }
}

fn yaml_list_at<R: BufRead>(
    name: &str,
    reader: R,
    ev: &mut Evidence,
    offset: u64,
) -> Result<(InputSummary, usize), InputError> {
    let st = Rc::new(Counters::default());
    let mut sink = Sink {
        name,
        ev,
        st: st.clone(),
        items: 0,
        emitted: 0,
        offset,
    };
    let mut lines = super::lines::LineReader::new(reader);
    let mut item = String::new();
    let mut item_line = 0u64;
    let mut in_items = false;
    let mut listed = false;
    let mut skipping = false;
    // Text outside `items:` (a single object, or a List's own keys).
    let mut top = TopKeys {
        text: String::new(),
        line: 1,
        over: false,
        keys: serde_json::Map::new(),
        other: None,
        dropped: 0,
    };
    let mut first_line = None;
    let mut n = 0u64;
    while lines
        .next_line()
        .map_err(|source| InputError::Io {
            input: name.to_string(),
            source,
        })?
        .is_some()
    {
        n += 1;
        st.lines.set(n);
        st.bytes.set(lines.bytes);
        let line = String::from_utf8_lossy(lines.line());
        let line = line.as_ref();
        if !in_items {
            if line.trim_end() == "items:" {
                in_items = true;
                listed = true;
            } else {
                if first_line.is_none() && !line.trim().is_empty() {
                    first_line = Some(n);
                }
                top.push(&mut sink, n, line, listed);
            }
            continue;
        }
        let starts_item = line.starts_with("- ") || line == "-";
        let ends_items = !line.is_empty() && !line.starts_with([' ', '-', '#']);
        if starts_item || ends_items {
            if !item.is_empty() && !skipping {
                yaml_item(&mut sink, &item, item_line);
            }
            item.clear();
            skipping = false;
            if ends_items {
                // `kind: List`, `metadata:` after the items.
                in_items = false;
                continue;
            }
            item_line = n;
            // `- apiVersion: v1` becomes `  apiVersion: v1`, level with the item's other keys.
            item.push(' ');
            item.push_str(&line[1..]);
            item.push('\n');
            continue;
        }
        if skipping {
            continue;
        }
        if item.len() + line.len() >= MAX_ITEM as usize {
            sink.items += 1;
            sink.ev.not_checked(
                format!("line {} of {name}", item_line + offset),
                format!(
                    "list item {} is larger than {} MiB, more than the API server stores for one \
                     object; it was skipped",
                    sink.items,
                    MAX_ITEM / (1024 * 1024)
                ),
            );
            skipping = true;
            item.clear();
            continue;
        }
        if item.is_empty() {
            // Indented lines after `items:` before any `- `: they start the item.
            item_line = n;
        }
        item.push_str(line);
        item.push('\n');
    }
    if !item.is_empty() && !skipping {
        yaml_item(&mut sink, &item, item_line);
    }
    top.flush(&mut sink, listed);
    if !listed {
        let at = first_line.unwrap_or(1);
        if top.dropped > 0 {
            sink.ev.not_checked(
                format!("line {} of {name}", at + offset),
                format!(
                    "the YAML object has more than {MAX_TOP_KEYS} top-level fields; {} were skipped",
                    top.dropped
                ),
            );
        }
        if !top.keys.is_empty() {
            let keys = std::mem::take(&mut top.keys);
            sink.emit(&Value::Object(keys), at, "yaml");
        }
        if let Some(v) = top.other.take() {
            sink.emit(&v, at, "yaml");
        }
    }
    let emitted = sink.emitted;
    Ok((summary(name, &st, "yaml"), emitted))
}

fn yaml_item(sink: &mut Sink<'_>, text: &str, line: u64) {
    match super::objects::yaml_value(text) {
        Ok(v) => sink.emit(&v, line, "yaml"),
        Err(e) => {
            sink.items += 1;
            let msg = e.to_string();
            sink.ev.not_checked(
                format!("line {} of {}", line + sink.offset, sink.name),
                format!(
                    "list item {} could not be parsed ({}); it was skipped",
                    sink.items,
                    msg.split(" at line ").next().unwrap_or_default()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, reason: &str) -> String {
        format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"shop"}},"spec":{{"nodeName":"n1","containers":[{{"name":"app","image":"x"}}]}},"status":{{"phase":"Running","containerStatuses":[{{"name":"app","ready":false,"restartCount":3,"image":"x","imageID":"","state":{{"waiting":{{"reason":"CrashLoopBackOff","message":"back-off"}}}},"lastState":{{"terminated":{{"reason":"{reason}","exitCode":137}}}}}}]}}}}"#
        )
    }

    #[test]
    fn a_json_list_is_read_item_by_item_with_lines() {
        let text = format!(
            "{{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[\n{},\n{}\n]}}\n",
            pod("a", "OOMKilled"),
            pod("b", "Error")
        );
        let mut ev = Evidence::new();
        let s = json_list("pods.json", text.as_bytes(), &mut ev).expect("reads");
        assert_eq!(ev.pods.len(), 2);
        assert_eq!(ev.pods[1].name.as_deref(), Some("b"));
        assert_eq!(ev.pods[1].provenance.line, Some(3));
        assert_eq!(ev.containers.len(), 2);
        assert!(ev.not_checked.is_empty(), "{:?}", ev.not_checked);
        assert_eq!(s.lines, 4);
    }

    #[test]
    fn a_bare_array_and_a_single_object_are_read() {
        let mut ev = Evidence::new();
        json_list(
            "a.json",
            format!("[{}]", pod("a", "OOMKilled")).as_bytes(),
            &mut ev,
        )
        .expect("reads");
        json_list("b.json", pod("b", "Error").as_bytes(), &mut ev).expect("reads");
        assert_eq!(ev.pods.len(), 2);
    }

    #[test]
    fn an_oversized_item_stops_reading_with_a_note() {
        let big = format!(
            "{{\"items\":[{},{{\"kind\":\"Pod\",\"spec\":{{\"x\":[{}0]}}}},{}]}}",
            pod("a", "OOMKilled"),
            " 0,\n".repeat((MAX_ITEM / 4 + 10) as usize),
            pod("c", "Error")
        );
        let mut ev = Evidence::new();
        json_list("pods.json", big.as_bytes(), &mut ev).expect("reads");
        assert_eq!(ev.pods.len(), 1, "the item before is kept");
        assert_eq!(ev.not_checked.len(), 1);
        assert!(
            ev.not_checked[0].reason.contains("item 2") && ev.not_checked[0].reason.contains("MiB"),
            "{:?}",
            ev.not_checked
        );
    }

    #[test]
    fn damage_keeps_the_items_before_it() {
        let text = format!("{{\"items\":[{},{{\"kind\":\"Pod\",", pod("a", "OOMKilled"));
        let mut ev = Evidence::new();
        json_list("pods.json", text.as_bytes(), &mut ev).expect("reads");
        assert_eq!(ev.pods.len(), 1);
        assert!(ev.not_checked[0]
            .reason
            .contains("1 items before it were read"));
    }

    #[test]
    fn a_yaml_list_is_cut_into_items() {
        let text = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n    namespace: shop\n  status:\n    phase: Pending\n    reason: Evicted\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: b\n  status:\n    phase: Running\nkind: List\nmetadata:\n  resourceVersion: \"\"\n";
        let mut ev = Evidence::new();
        yaml_list("pods.yaml", text.as_bytes(), &mut ev).expect("reads");
        assert_eq!(ev.pods.len(), 2);
        assert_eq!(ev.pods[0].reason.as_deref(), Some("Evicted"));
        assert_eq!(ev.pods[1].provenance.line, Some(11));
    }

    #[test]
    fn an_oversized_yaml_item_is_skipped_and_the_next_read() {
        let mut text =
            String::from("items:\n- kind: Pod\n  metadata:\n    name: a\n  spec:\n    x:\n");
        for _ in 0..(MAX_ITEM / 8 + 10) {
            text.push_str("    - 0\n");
        }
        text.push_str("- kind: Pod\n  metadata:\n    name: b\n");
        let mut ev = Evidence::new();
        yaml_list("pods.yaml", text.as_bytes(), &mut ev).expect("reads");
        assert_eq!(ev.pods.len(), 1);
        assert_eq!(ev.pods[0].name.as_deref(), Some("b"));
        assert!(ev.not_checked[0].reason.contains("item 1"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// The item and field reader used for documents too big to parse whole never panics on
        /// any YAML- or JSON-shaped text, and every line it cites is a line of the document.
        #[test]
        fn the_big_document_readers_never_panic_and_cite_lines_of_the_document(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("items:\n".to_string()),
                proptest::strategy::Just("- kind: Pod\n  metadata:\n    name: a\n".to_string()),
                proptest::strategy::Just("  status:\n    phase: Failed\n    reason: Evicted\n".to_string()),
                proptest::strategy::Just("kind: Pod\n".to_string()),
                proptest::strategy::Just("status: {phase: [\n".to_string()),
                proptest::strategy::Just("{\"kind\":\"Pod\",\"status\":{\"reason\":\"Evicted\"}}\n".to_string()),
                proptest::strategy::Just("[\n".to_string()),
                proptest::strategy::Just("# c\n".to_string()),
                proptest::strategy::Just("---\n".to_string()),
                "[ -~]{0,12}\n",
            ], 0..16),
            offset in 0u64..5,
        ) {
            let text = parts.concat();
            let lines = text.lines().count() as u64 + 1;
            let mut ev = Evidence::new();
            yaml_text("big.yaml", &text, offset, &mut ev);
            json_text("big.json", &text, offset, &mut ev);
            for p in ev.pods.iter().map(|p| &p.provenance) {
                let line = p.line.unwrap_or(0);
                proptest::prop_assert!(line > offset && line <= offset + lines, "line {} of {}", line, text);
            }
        }
    }
}
