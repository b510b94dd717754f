//! Bounded line reading: the only code that touches raw input bytes.
//!
//! [`LineReader`] reads one line at a time straight out of a `BufRead`'s buffer
//! (`fill_buf`/`consume`), so memory is bounded by [`MAX_LINE`] whatever the input size: the part of
//! a line beyond 64 KiB is consumed and discarded, never buffered. It also owns the byte-level clean
//! up every parser relies on: the trailing `\r` of CRLF input and ANSI escape sequences (colored
//! kubectl output) are removed before anything looks at the text. [`peek_binary`] decides whether an
//! input is binary from its first 8 KiB.

use std::io::{self, BufRead, Read};

/// Longest line kept, in bytes; the rest of a longer line is discarded.
pub const MAX_LINE: usize = 64 * 1024;
/// How many leading bytes are checked for NUL to detect binary input.
pub const BINARY_PEEK: usize = 8 * 1024;

/// Reads the first [`BINARY_PEEK`] bytes of `reader` (fewer at end of input). Returns them and the
/// offset of the first NUL byte among them, if any.
pub fn peek_binary<R: Read>(reader: &mut R) -> io::Result<(Vec<u8>, Option<usize>)> {
    let mut prefix = vec![0u8; BINARY_PEEK];
    let mut filled = 0;
    while filled < BINARY_PEEK {
        match reader.read(&mut prefix[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    prefix.truncate(filled);
    let nul = prefix.iter().position(|&b| b == 0);
    Ok((prefix, nul))
}

/// Binary by content, for data without NUL bytes (random or compressed bytes): text of any encoding
/// (UTF-8, GBK, Latin-1, logs with ANSI colours) has almost no C0 control bytes other than tab, line
/// ends, form feed and escape, while random bytes have about one in nine. Returns the count when
/// more than 1 in 20 of `prefix` (at least 64 bytes) are such controls.
pub fn binary_by_content(prefix: &[u8]) -> Option<usize> {
    if prefix.len() < 64 {
        return None;
    }
    let controls = prefix
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f)
        .count();
    (controls * 20 > prefix.len()).then_some(controls)
}

/// A line reader with a hard bound on line length.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Bytes consumed so far, newlines and discarded line tails included.
    pub bytes: u64,
    /// The last line ended at a `\r`: a `\n` right after it belongs to the same line end.
    after_cr: bool,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader {
            inner,
            buf: Vec::with_capacity(256),
            bytes: 0,
            after_cr: false,
        }
    }

    /// Reads the next line (without its `\n`, `\r` and ANSI escapes) into the internal buffer.
    /// Returns `None` at end of input, else whether the line was cut at [`MAX_LINE`] bytes.
    pub fn next_line(&mut self) -> io::Result<Option<bool>> {
        self.buf.clear();
        let mut truncated = false;
        let mut any = false;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                if !any {
                    return Ok(None);
                }
                break;
            }
            if self.after_cr {
                self.after_cr = false;
                if avail[0] == b'\n' {
                    self.inner.consume(1);
                    self.bytes += 1;
                    continue;
                }
            }
            any = true;
            // `\n`, `\r\n` and a lone `\r` (old Mac, some Windows tools) all end a line.
            let (chunk, used, done) = match memchr::memchr2(b'\n', b'\r', avail) {
                Some(i) => {
                    if avail[i] == b'\r' {
                        if avail.get(i + 1) == Some(&b'\n') {
                            (&avail[..i], i + 2, true)
                        } else {
                            self.after_cr = i + 1 == avail.len();
                            (&avail[..i], i + 1, true)
                        }
                    } else {
                        (&avail[..i], i + 1, true)
                    }
                }
                None => (avail, avail.len(), false),
            };
            let room = MAX_LINE.saturating_sub(self.buf.len());
            if chunk.len() > room {
                self.buf.extend_from_slice(&chunk[..room]);
                truncated = true;
            } else {
                self.buf.extend_from_slice(chunk);
            }
            self.inner.consume(used);
            self.bytes += used as u64;
            if done {
                break;
            }
        }
        if self.buf.contains(&0x1b) {
            strip_ansi(&mut self.buf);
        }
        Ok(Some(truncated))
    }

    /// The line read by the last successful [`LineReader::next_line`].
    pub fn line(&self) -> &[u8] {
        &self.buf
    }
}

/// Removes ANSI escape sequences in place: CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL|ESC \`) and
/// two-byte escapes.
pub fn strip_ansi(buf: &mut Vec<u8>) {
    let mut out = 0;
    let mut i = 0;
    let n = buf.len();
    while i < n {
        let b = buf[i];
        if b != 0x1b {
            buf[out] = b;
            out += 1;
            i += 1;
            continue;
        }
        // ESC
        match buf.get(i + 1) {
            Some(b'[') => {
                let mut j = i + 2;
                while j < n && (0x20..=0x3f).contains(&buf[j]) {
                    j += 1;
                }
                // final byte
                if j < n && (0x40..=0x7e).contains(&buf[j]) {
                    j += 1;
                }
                i = j;
            }
            Some(b']') => {
                let mut j = i + 2;
                while j < n {
                    if buf[j] == 0x07 {
                        j += 1;
                        break;
                    }
                    if buf[j] == 0x1b && buf.get(j + 1) == Some(&b'\\') {
                        j += 2;
                        break;
                    }
                    j += 1;
                }
                i = j;
            }
            // charset designation: ESC ( B
            Some(b'(' | b')' | b'*' | b'+' | b'-' | b'.' | b'/') => i += 3,
            Some(_) => i += 2,
            None => i += 1,
        }
    }
    buf.truncate(out);
}

/// The text encoding an input announces with a byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bom {
    None,
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// The byte order mark at the start of `prefix`, if any (PowerShell's `>` writes UTF-16LE with one;
/// Notepad writes UTF-8 with one).
pub fn bom(prefix: &[u8]) -> Bom {
    match prefix {
        [0xEF, 0xBB, 0xBF, ..] => Bom::Utf8,
        [0xFF, 0xFE, ..] => Bom::Utf16Le,
        [0xFE, 0xFF, ..] => Bom::Utf16Be,
        _ => Bom::None,
    }
}

/// Decodes a UTF-16 byte stream (after its BOM) into UTF-8, a chunk at a time; unpaired surrogates
/// become U+FFFD. Memory stays bounded by the chunk size.
pub struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    /// Undecoded input bytes carried over (an odd byte, or a high surrogate waiting for its pair).
    carry: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16Reader {
            inner,
            big_endian,
            carry: Vec::new(),
            out: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        let mut raw = std::mem::take(&mut self.carry);
        let mut chunk = [0u8; 8192];
        while !self.eof && raw.len() < 4 {
            match self.inner.read(&mut chunk) {
                Ok(0) => self.eof = true,
                Ok(n) => raw.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            if raw.len() >= 4 {
                break;
            }
        }
        let units: Vec<u16> = raw
            .chunks_exact(2)
            .map(|p| {
                if self.big_endian {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        let mut used = units.len() * 2;
        let mut units = &units[..];
        // A high surrogate at the end waits for the next chunk (unless the input ended).
        if !self.eof {
            if let Some(&last) = units.last() {
                if (0xD800..0xDC00).contains(&last) {
                    units = &units[..units.len() - 1];
                    used -= 2;
                }
            }
        }
        let mut tmp = [0u8; 4];
        for c in char::decode_utf16(units.iter().copied()) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
        self.carry = raw[used..].to_vec();
        if self.eof && !self.carry.is_empty() && self.out.is_empty() {
            // a lone trailing byte
            self.carry.clear();
            self.out
                .extend_from_slice(char::REPLACEMENT_CHARACTER.encode_utf8(&mut tmp).as_bytes());
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.out.len() {
            if self.eof && self.carry.is_empty() {
                return Ok(0);
            }
            self.fill()?;
            if self.out.is_empty() && self.eof && self.carry.is_empty() {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// What chat and issue trackers wrap around pasted output, per line: leading `>` quote markers
/// (nested), Markdown code fences (returned as a blank line, so they end a segment), lines where the
/// user cut something (`...`, `[...]`, `<snip>`), and non-breaking or zero-width spaces. Returns
/// the line as the parsers should see it.
pub fn unwrap_paste(line: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let mut s: Cow<'_, str> = Cow::Borrowed(line);
    // Every line of a big paste passes here. Most hold none of the bytes the steps below look for
    // (see [`has_markup`]): for those only the quote markers, italics at the ends, fences and
    // cut marks are looked for (what is left of them stays such a line: only a part is taken).
    let plain = !has_markup(line);
    // Of those, a line whose ends hold none of the characters these start or end with (`>`; `_`;
    // `~~~`, `'''`; `...`, `(...)`) is given back as it is.
    if plain {
        let t = line.trim().as_bytes();
        let starts = t.first().is_some_and(|b| b">_~'.(".contains(b));
        if !starts && t.last() != Some(&b'_') {
            return Cow::Borrowed(line);
        }
    }
    if !plain
        && !s.is_ascii()
        && s.contains([
            '\u{a0}', '\u{2007}', '\u{202f}', '\u{200b}', '\u{feff}', '\u{3000}',
        ])
    {
        let t: String = s
            .chars()
            .filter(|c| !matches!(c, '\u{200b}' | '\u{feff}'))
            .map(|c| match c {
                '\u{a0}' | '\u{2007}' | '\u{202f}' => ' ',
                c => c,
            })
            .collect();
        s = Cow::Owned(t);
    }
    // Markup a tracker or page puts around a code block, on its own line or glued to the block's
    // first and last lines: HTML `<pre>`, `<code>` (`<pre><code class="language-yaml">first line`,
    // `last line</code></pre>`), Jira `{code}` / `{code:yaml}` / `{noformat}`, forum BBCode
    // `[code]`. Alone on a line it is a fence.
    if !plain && s.contains(['<', '{', '[']) {
        if let Some(t) = strip_block_tags(&s) {
            if t.trim().is_empty() {
                return Cow::Borrowed(FENCE);
            }
            s = Cow::Owned(t);
        }
    }
    // HTML entities of a paste copied from a page's source or an HTML mail (`&quot;` around every
    // quoted name): the characters they stand for.
    if !plain && s.contains('&') {
        if let Some(t) = html_unescape(&s) {
            s = Cow::Owned(t);
        }
    }
    // `> ` quote markers, nested (`> > `, `>> `), at most 3 spaces before each.
    let quoted = {
        let t = s.trim_start_matches(' ');
        t.starts_with('>') && s.len() - t.len() <= 3
    };
    if quoted {
        let mut rest: &str = &s;
        loop {
            let t = rest.trim_start_matches(' ');
            if rest.len() - t.len() > 3 {
                break;
            }
            match t.strip_prefix('>') {
                Some(r) => rest = r.strip_prefix(' ').unwrap_or(r),
                None => break,
            }
        }
        s = Cow::Owned(rest.to_string());
    }
    // A terminal UI's box (k9s, lazydocker, `systemctl status` in some pagers): the vertical
    // borders `│ ... │` around each line are taken off, and a line of box drawing only (`┌───┐`,
    // `├───┤`, `└───┘`, a border with a title `┌── Logs(ns/pod) ──┐`) is blank. After the quote
    // markers: a quoted box (`> │ Traceback ... │`) is a box too.
    if !plain && !s.is_ascii() {
        if let Some(t) = strip_box(&s) {
            s = Cow::Owned(t);
        }
    }
    // A Markdown table (`Type | Reason | Age | Source | Message`, as a rendered table copies):
    // cells become columns; its `-- | --` rule becomes a blank line.
    let t = s.trim();
    if !plain
        && t.as_bytes().contains(&b'|')
        && (t.matches(" | ").count() >= 3
            || (t.len() > 2 && t.starts_with('|') && t.ends_with('|')))
    {
        if t.bytes()
            .all(|b| matches!(b, b'-' | b'|' | b':' | b' ' | b'\t'))
        {
            return Cow::Borrowed("");
        }
        let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
        s = Cow::Owned(cells.join("   "));
    }
    // `**Warning  Unhealthy ...**`: Markdown bold around a pasted line, or around some of its
    // cells (`Unhealthy  **2m52s (x13 over 6m42s)  kubelet  Readiness probe failed: ...**`).
    if let Some(inner) = Some(&*s)
        .filter(|_| !plain)
        .map(str::trim)
        .and_then(|t| t.strip_prefix("**"))
        .and_then(|r| r.strip_suffix("**"))
        .filter(|r| !r.is_empty())
    {
        let lead = s.len() - s.trim_start().len();
        s = Cow::Owned(format!("{}{inner}", &s[..lead]));
    }
    if !plain && s.contains("**") {
        if let Some(t) = strip_bold(&s) {
            s = Cow::Owned(t);
        }
    }
    // Markdown italics (`_..._`, `*...*`) opened at the start of a table or describe block and
    // closed at its end: `_NAME     READY   STATUS ...` / `test-6   3/4   ErrImagePull   0   2m20s_`.
    if let Some(t) = strip_italic(&s) {
        s = Cow::Owned(t);
    }
    // A one-line code block: ```` ``` default-scheduler  0/2 nodes are available: ...``` ````.
    if let Some(t) = (!plain).then(|| one_line_fence(&s)).flatten() {
        s = Cow::Owned(t);
    }
    // Inline code marks around a pasted line (`` `Warning  Failed  ...` ``), or opening or closing
    // a line run (a one-backtick "block" over several lines): taken off when they are the line's
    // only backticks, at its ends.
    let t = s.trim();
    if !plain && !t.starts_with("``") && !t.ends_with("``") {
        let ticks = t.matches('`').count();
        let wrapped = ticks == 2 && t.len() > 2 && t.starts_with('`') && t.ends_with('`');
        let one_end = ticks == 1 && (t.starts_with('`') || t.ends_with('`'));
        // A line pasted as several inline-code spans with only spaces between them (`` `Warning
        // FailedScheduling ... binding volumes:` `provisioning failed for PVC "x"` ``): the spans,
        // one after the other.
        let parts: Vec<&str> = t.split('`').collect();
        let spans = ticks >= 4
            && ticks.is_multiple_of(2)
            && t.starts_with('`')
            && t.ends_with('`')
            && parts
                .iter()
                .enumerate()
                .all(|(i, p)| i % 2 == 1 || p.trim().is_empty());
        if wrapped || one_end {
            let lead = s.len() - s.trim_start().len();
            let inner = t.trim_start_matches('`').trim_end_matches('`');
            s = Cow::Owned(format!("{}{inner}", &s[..lead]));
        } else if spans {
            let lead = s.len() - s.trim_start().len();
            let inner: Vec<&str> = parts.iter().skip(1).step_by(2).copied().collect();
            s = Cow::Owned(format!("{}{}", &s[..lead], inner.join(" ")));
        }
    }
    let t = s.trim();
    // ```` ``` ````, four or more backticks (a fence around a fence), `~~~`, and the `'''` some
    // users type instead; the info string after it (`yaml`, `diff`) is at most a word.
    let info = ["```", "~~~", "'''"]
        .iter()
        .find(|m| t.starts_with(**m))
        .map(|m| t[m.len()..].trim_start_matches(m.as_bytes()[0] as char));
    let fence = info.is_some_and(|i| !i.contains(['`', ' ', '\'']) && i.len() <= 20);
    if fence && info == Some("diff") {
        return Cow::Borrowed(DIFF_FENCE);
    }
    let cut = matches!(
        t,
        "..."
            | "…"
            | "[...]"
            | "[…]"
            | "(...)"
            | "<snip>"
            | "[snip]"
            | "..snip.."
            | "<...>"
            | "<truncated>"
            | "[truncated]"
            | "......"
    );
    if fence {
        return Cow::Borrowed(FENCE);
    }
    if cut {
        return Cow::Borrowed("");
    }
    s
}

/// Whether `line` holds a byte that some step of [`unwrap_paste`] needs before it can change a
/// line (wherever it stands): non-ASCII (non-breaking and zero-width spaces, box drawing, `…`),
/// `<`, `{` and `[` (block tags), `&` (HTML entities), `|` (Markdown tables), `*` (bold) and `` ` ``
/// (inline code and one-line fences). A line without any of them can only be changed by its quote
/// markers, italics marked with `_` at its ends, a fence or a cut mark made of other characters
/// (`~~~`, `'''`, `...`, `(...)`).
fn has_markup(line: &str) -> bool {
    // 32 bytes at a time with no branch per byte: the comparisons are vectorised.
    line.as_bytes().chunks(32).any(|c| {
        c.iter().fold(false, |any, &b| {
            any | (b >= 0x80)
                | (b == b'<')
                | (b == b'{')
                | (b == b'[')
                | (b == b'&')
                | (b == b'|')
                | (b == b'*')
                | (b == b'`')
        })
    })
}

/// The opening and closing markup of a code block at the start and end of `line` (see
/// [`unwrap_paste`]); `None` when there is none. What is left keeps the indentation it had after the
/// opening tags.
fn strip_block_tags(line: &str) -> Option<String> {
    // An opening tag: the name, then `>` or attributes (`<pre class="x">`), `}` or `:params}`.
    fn open(t: &str) -> Option<usize> {
        const HTML: [&str; 4] = ["pre", "code", "samp", "tt"];
        if let Some(r) = t.strip_prefix('<') {
            let name = HTML.iter().find(|n| {
                r.as_bytes()
                    .get(..n.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(n.as_bytes()))
                    && matches!(r.as_bytes().get(n.len()), Some(b'>' | b' '))
            })?;
            let end = r.find('>')?;
            // attributes, never another tag or a quoted `>` inside
            if r[name.len()..end].contains(['<', '\n']) {
                return None;
            }
            return Some(end + 2);
        }
        if let Some(r) = t.strip_prefix('{') {
            let name = ["code", "noformat"]
                .into_iter()
                .find(|n| r.starts_with(n))?;
            let rest = &r[name.len()..];
            if rest.starts_with('}') {
                return Some(name.len() + 2);
            }
            let params = rest.strip_prefix(':')?;
            let end = params.find('}')?;
            if params[..end].contains(['{', ' ']) && !params[..end].contains('=') {
                return None;
            }
            return Some(1 + name.len() + 1 + end + 1);
        }
        for tag in ["[code]", "[CODE]"] {
            if t.starts_with(tag) {
                return Some(tag.len());
            }
        }
        None
    }
    fn close(t: &str) -> Option<usize> {
        const TAGS: [&str; 10] = [
            "</pre>",
            "</code>",
            "</samp>",
            "</tt>",
            "</PRE>",
            "</CODE>",
            "{code}",
            "{noformat}",
            "[/code]",
            "[/CODE]",
        ];
        TAGS.iter().find(|c| t.ends_with(**c)).map(|c| c.len())
    }
    let lead = line.len() - line.trim_start().len();
    let mut body = &line[lead..];
    let mut opened = false;
    while let Some(n) = open(body) {
        body = &body[n..];
        opened = true;
    }
    let mut closed = false;
    loop {
        let t = body.trim_end();
        match close(t) {
            Some(n) => {
                body = &t[..t.len() - n];
                closed = true;
            }
            None => break,
        }
    }
    if !(opened || closed) {
        return None;
    }
    // The block's first line starts right after the tag; a line that only lost its closing tag
    // keeps its indentation.
    Some(if opened {
        body.to_string()
    } else {
        format!("{}{}", &line[..lead], body)
    })
}

/// The HTML entities a page or mail escapes text with (`&quot;`, `&#34;`, `&#39;`, `&#x27;`,
/// `&apos;`, `&lt;`, `&gt;`, `&nbsp;`, `&amp;` last); `None` when there is none.
fn html_unescape(line: &str) -> Option<String> {
    const ENTITIES: [(&str, &str); 9] = [
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&apos;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&nbsp;", " "),
        ("&amp;", "&"),
    ];
    if !ENTITIES.iter().any(|(e, _)| line.contains(e)) {
        return None;
    }
    // One pass, so `&amp;quot;` becomes `&quot;` (what was escaped twice stays escaped once).
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match ENTITIES.iter().find(|(e, _)| tail.starts_with(e)) {
            Some((e, c)) => {
                out.push_str(c);
                rest = &tail[e.len()..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Box-drawing vertical borders a terminal UI draws around a line: one at the start (after at most
/// a few spaces) followed by a space or the line's end, and the one at its end if there is one (a
/// copied pane may lose its right edge). A line of box-drawing characters and spaces only, or a
/// horizontal border carrying a title, becomes blank. `None` when the line has no border.
fn strip_box(line: &str) -> Option<String> {
    let is_box = |c: char| ('\u{2500}'..='\u{257f}').contains(&c);
    let is_vertical = |c: char| {
        matches!(
            c,
            '│' | '┃'
                | '║'
                | '┆'
                | '┇'
                | '┊'
                | '┋'
                | '╎'
                | '╏'
                | '├'
                | '┤'
                | '┣'
                | '┫'
        )
    };
    let t = line.trim();
    let first = t.chars().next()?;
    if !is_box(first) {
        return None;
    }
    // `┌─── Logs(default/web-0:app)[tail] ───┐`: a horizontal border, with or without a title.
    let horizontal = |c: char| matches!(c, '─' | '━' | '═' | '┄' | '┅' | '┈' | '┉' | '╌' | '╍');
    if !is_vertical(first) || t.chars().nth(1).is_some_and(horizontal) {
        return t
            .chars()
            .filter(|c| horizontal(*c))
            .nth(2)
            .map(|_| String::new());
    }
    if t.chars().all(|c| is_box(c) || c == ' ') {
        return Some(String::new());
    }
    let rest = &t[first.len_utf8()..];
    if !rest.starts_with(' ') {
        return None;
    }
    // The content keeps its own indentation, less the one space after the border.
    let rest = &rest[1..];
    let rest = match rest.trim_end().chars().last() {
        Some(c) if is_vertical(c) => rest.trim_end().strip_suffix(c)?.trim_end(),
        _ => rest.trim_end(),
    };
    Some(rest.to_string())
}

/// Markdown bold (`**...**`) around part of a line, in pairs: an opening `**` at the start or after
/// whitespace and not followed by whitespace, and a closing one after a non-space and followed by
/// the end, whitespace or punctuation. A lone `**` (`f(*args, **kwargs)`) stays.
fn strip_bold(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let mut marks = Vec::new();
    let mut open: Option<usize> = None;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'*' && b[i + 1] == b'*' && b.get(i + 2) != Some(&b'*') {
            let before = i.checked_sub(1).map(|j| b[j]);
            let after = b.get(i + 2).copied();
            let opens = before.is_none_or(|c| c.is_ascii_whitespace() || c == b'(')
                && after.is_some_and(|c| !c.is_ascii_whitespace());
            let closes = before.is_some_and(|c| !c.is_ascii_whitespace())
                && after.is_none_or(|c| c.is_ascii_whitespace() || b",.;:)".contains(&c));
            match open {
                Some(o) if closes => {
                    marks.push(o);
                    marks.push(i);
                    open = None;
                }
                None if opens => open = Some(i),
                _ => {}
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    if marks.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for m in marks {
        out.push_str(&line[last..m]);
        last = m + 2;
    }
    out.push_str(&line[last..]);
    Some(out)
}

/// A single `_` or `*` opening or closing Markdown italics at the edge of a line cut in columns
/// (two spaces or a tab between words, as kubectl's tables and describe print): the opening one
/// before a letter or digit, the closing one after a letter, digit, `)` or `.`, in a last word with
/// no other such mark. Kubernetes names have no `_`, so a column line ending in one is a mark.
fn strip_italic(line: &str) -> Option<String> {
    let t = line.trim();
    let b = t.as_bytes();
    let mark = |c: u8| c == b'_' || c == b'*';
    // Cheap test first (most lines): a mark at neither end opens or closes nothing.
    if b.len() <= 2 || !(mark(b[0]) || mark(b[b.len() - 1])) {
        return None;
    }
    if !(t.contains("  ") || t.contains('\t')) {
        return None;
    }
    let opens = b.len() > 2 && mark(b[0]) && b[1].is_ascii_alphanumeric();
    let last_word = t.rsplit([' ', '\t']).next().unwrap_or("");
    let closes = b.len() > 2
        && mark(b[b.len() - 1])
        && (b[b.len() - 2].is_ascii_alphanumeric() || matches!(b[b.len() - 2], b')' | b'.'))
        && last_word.bytes().filter(|&c| c == b[b.len() - 1]).count() == 1;
    let opens = opens
        && !t[1..]
            .split([' ', '\t'])
            .next()
            .unwrap_or("")
            .contains(b[0] as char);
    if !(opens || closes) {
        return None;
    }
    let lead = line.len() - line.trim_start().len();
    let inner = &t[usize::from(opens)..t.len() - usize::from(closes)];
    Some(format!("{}{inner}", &line[..lead]))
}

/// A code block opened and closed on one line (```` ```text``` ````, ```` ``` text ``` ````), or a
/// fence glued to the end of its last line (```` 0/2 nodes are available ...``` ````): the text
/// inside. A line that is only a fence (with its info string) is not one.
fn one_line_fence(line: &str) -> Option<String> {
    let t = line.trim();
    let (open, inner) = match t.strip_prefix("```") {
        Some(r) => (true, r.trim_start_matches('`')),
        None => (false, t),
    };
    let (close, inner) = match inner.strip_suffix("```") {
        Some(r) if !r.is_empty() => (true, r.trim_end_matches('`')),
        _ => (false, inner),
    };
    if !(open || close) || inner.contains("```") {
        return None;
    }
    // ```` ```yaml ````: a fence with its info string.
    if open && !close && !inner.trim().contains(' ') {
        return None;
    }
    let inner = inner.trim();
    if inner.is_empty() {
        return None;
    }
    // Only the closing fence was glued on: the line keeps its indentation.
    if !open {
        let lead = line.len() - line.trim_start().len();
        return Some(format!("{}{}", &line[..lead], inner));
    }
    Some(inner.to_string())
}

/// The line number at the start of `line` (`  12 `, `12: `, `12|`, `12.`, `12\t`) and the bytes it
/// takes with one separator after it; `None` when the line does not start with one.
fn leading_number(line: &[u8]) -> Option<(u64, usize)> {
    let spaces = line.iter().take_while(|&&b| b == b' ').count();
    let digits = line[spaces..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let n: u64 = std::str::from_utf8(&line[spaces..spaces + digits])
        .ok()?
        .parse()
        .ok()?;
    let mut i = spaces + digits;
    // `1|Name` (no space after a bar) is how some viewers copy
    if line.get(i) == Some(&b'|') {
        i += 1;
        if matches!(line.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        return Some((n, i));
    }
    if matches!(line.get(i), Some(b':' | b'.')) {
        i += 1;
    }
    match line.get(i) {
        None => {}
        Some(b' ' | b'\t') => i += 1,
        // `12:34` (a time), `1.5`, `3m`, `100%`: not a line number
        Some(_) => return None,
    }
    Some((n, i))
}

/// Line numbers a code viewer or an editor put before every line of a paste (`  1 Name: web`,
/// `1: Name: web`, `1|Name: web`): decided once from the start of the input, when its first lines
/// (at least [`NUMBERED_MIN`]) all start with consecutive numbers. Then each line that starts with
/// the next number loses it; a line without it (one the viewer wrapped) is left as it is.
#[derive(Debug, Default)]
pub struct LineNumbers {
    next: Option<u64>,
}

/// How many consecutively numbered lines make an input numbered.
pub const NUMBERED_MIN: usize = 3;

impl LineNumbers {
    /// Decides from the first bytes of the input (already decoded to UTF-8).
    pub fn detect(prefix: &[u8]) -> Self {
        let mut first = None;
        let mut expect = None;
        let mut seen = 0;
        for line in prefix.split(|&b| b == b'\n').take(40) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) && expect.is_none() {
                continue;
            }
            match leading_number(line) {
                Some((n, _)) if expect.is_none_or(|e| e == n) => {
                    first.get_or_insert(n);
                    expect = Some(n + 1);
                    seen += 1;
                }
                _ => break,
            }
        }
        LineNumbers {
            next: (seen >= NUMBERED_MIN).then_some(first).flatten(),
        }
    }

    /// `line` without its number, when the input is numbered and the line carries the next one.
    /// Whether the input is not numbered: [`LineNumbers::strip`] gives every line back as it is.
    pub fn is_off(&self) -> bool {
        self.next.is_none()
    }

    pub fn strip<'a>(&mut self, line: &'a str) -> &'a str {
        let Some(next) = self.next else {
            return line;
        };
        match leading_number(line.as_bytes()) {
            Some((n, used)) if n == next => {
                self.next = Some(n + 1);
                &line[used..]
            }
            _ => line,
        }
    }
}

/// What [`unwrap_paste`] returns for a Markdown code fence: a segment boundary.
pub const FENCE: &str = "\u{0}fence";
/// What [`unwrap_paste`] returns for a fence that opens a `diff` block: its lines start with the
/// diff's `+`, `-` or space.
pub const DIFF_FENCE: &str = "\u{0}fence-diff";

#[cfg(test)]
mod tests {
    #[test]
    fn random_bytes_without_nul_are_binary_and_text_in_any_encoding_is_not() {
        // xorshift bytes with the NULs replaced: what issue 9's 10 MB of random bytes looked like.
        let mut x: u32 = 2463534242;
        let random: Vec<u8> = (0..8192)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x as u8).max(1)
            })
            .collect();
        assert!(binary_by_content(&random).is_some());
        // GBK-encoded Chinese (a Windows console log), ANSI-coloured kubectl output, UTF-8.
        let gbk: Vec<u8> = [
            0xc8u8, 0xdd, 0xc6, 0xf7, 0xc6, 0xf4, 0xb6, 0xaf, 0xca, 0xa7, 0xb0, 0xdc, b'\n',
        ]
        .repeat(100);
        assert_eq!(binary_by_content(&gbk), None);
        let ansi =
            "\x1b[31mWarning\x1b[0m  BackOff  kubelet  Back-off restarting failed container\r\n"
                .repeat(50);
        assert_eq!(binary_by_content(ansi.as_bytes()), None);
        let utf8 = "容器启动失败：端口 80 已被占用\tExit Code: 1\n".repeat(50);
        assert_eq!(binary_by_content(utf8.as_bytes()), None);
    }

    use super::*;
    use std::io::BufReader;

    fn read_all(data: &[u8]) -> Vec<(String, bool)> {
        let mut r = LineReader::new(BufReader::with_capacity(16, data));
        let mut out = Vec::new();
        while let Some(t) = r.next_line().unwrap() {
            out.push((String::from_utf8_lossy(r.line()).into_owned(), t));
        }
        out
    }

    #[test]
    fn splits_lines_and_strips_cr() {
        let v = read_all(b"a\r\nbb\n\nlast");
        let texts: Vec<&str> = v.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(texts, vec!["a", "bb", "", "last"]);
    }

    #[test]
    fn truncates_long_lines_without_buffering_the_rest() {
        let mut data = vec![b'x'; MAX_LINE * 3 + 17];
        data.extend_from_slice(b"\nnext\n");
        let mut r = LineReader::new(BufReader::with_capacity(4096, &data[..]));
        assert_eq!(r.next_line().unwrap(), Some(true));
        assert_eq!(r.line().len(), MAX_LINE);
        assert!(r.buf.capacity() < MAX_LINE * 2);
        assert_eq!(r.next_line().unwrap(), Some(false));
        assert_eq!(r.line(), b"next");
        assert_eq!(r.next_line().unwrap(), None);
        assert_eq!(r.bytes, data.len() as u64);
    }

    #[test]
    fn strips_ansi_sequences() {
        let mut b =
            b"\x1b[1m\x1b[31mWarning\x1b[0m  BackOff \x1b]8;;http://x\x07link\x1b]8;;\x07 \x1b(Bx"
                .to_vec();
        strip_ansi(&mut b);
        assert_eq!(b, b"Warning  BackOff link x");
        let mut c = b"end\x1b".to_vec();
        strip_ansi(&mut c);
        assert_eq!(c, b"end");
    }

    #[test]
    fn code_block_markup_glued_to_the_text_is_taken_off() {
        use std::borrow::Cow;
        let u = |l: &'static str| -> Cow<'static, str> { unwrap_paste(l) };
        assert_eq!(u("<pre>Name:         web-0"), "Name:         web-0");
        assert_eq!(u("<pre><code class=\"language-yaml\">status:"), "status:");
        assert_eq!(
            u("  Warning  BackOff  kubelet  Back-off</code></pre>"),
            "  Warning  BackOff  kubelet  Back-off"
        );
        assert_eq!(u("{code:yaml}status:"), "status:");
        assert_eq!(
            u("{code:title=pod.yaml|borderStyle=solid}apiVersion: v1"),
            "apiVersion: v1"
        );
        assert_eq!(u("    phase: Pending{code}"), "    phase: Pending");
        assert_eq!(
            u("[code]0/3 nodes are available[/code]"),
            "0/3 nodes are available"
        );
        for fence in [
            "<pre>",
            "</pre>",
            "{code}",
            "{noformat}",
            "{code:java}",
            "<pre><code>",
            "[/code]",
        ] {
            assert_eq!(u(fence), FENCE, "{fence}");
        }
        // text that merely mentions such markup stays
        assert_eq!(u("a <code> b"), "a <code> b");
        assert_eq!(u("{codec}"), "{codec}");
        assert_eq!(u("<presence>x"), "<presence>x");
        // multi-byte text after `<` (a property test found a slice inside a character)
        assert_eq!(u("<ଲ"), "<ଲ");
        assert_eq!(u("<pଲe>"), "<pଲe>");
        assert_eq!(u("{\"code\": 1}"), "{\"code\": 1}");
    }

    #[test]
    fn line_numbers_are_taken_off_when_the_input_starts_numbered() {
        let text = "  1 Name:   web-0\n  2 Status: Running\n  3   Reason: OOMKilled\n  4\n  5 Events:\nwrapped\n  6 end\n";
        let mut n = LineNumbers::detect(text.as_bytes());
        let out: Vec<&str> = text.lines().map(|l| n.strip(l)).collect();
        assert_eq!(
            out,
            [
                "Name:   web-0",
                "Status: Running",
                "  Reason: OOMKilled",
                "",
                "Events:",
                "wrapped",
                "end"
            ]
        );
        for (text, first) in [
            ("1: a\n2: b\n3: c\n", "a"),
            ("10|a\n11|b\n12|c\n", "a"),
            ("1\ta\n2\tb\n3\tc\n", "a"),
        ] {
            let mut n = LineNumbers::detect(text.as_bytes());
            assert_eq!(n.strip(text.lines().next().unwrap()), first, "{text:?}");
        }
        // not numbered: times, sizes, numbers that do not follow each other, too few lines
        for text in [
            "12:00:01 a\n12:00:02 b\n12:00:03 c\n",
            "2023-11-13T03:50:55Z a\n2023-11-13T03:50:56Z b\n2023-11-13T03:50:57Z c\n",
            "1 a\n3 b\n4 c\n",
            "1 a\n2 b\n",
            "1.5 a\n2.5 b\n3.5 c\n",
        ] {
            let mut n = LineNumbers::detect(text.as_bytes());
            let first = text.lines().next().unwrap();
            assert_eq!(n.strip(first), first, "{text:?}");
        }
    }

    #[test]
    fn peek_finds_nul() {
        let data = b"abc\0def";
        let (p, nul) = peek_binary(&mut &data[..]).unwrap();
        assert_eq!(p.len(), 7);
        assert_eq!(nul, Some(3));
    }
}
