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

/// A line reader with a hard bound on line length.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Bytes consumed so far, newlines and discarded line tails included.
    pub bytes: u64,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader {
            inner,
            buf: Vec::with_capacity(256),
            bytes: 0,
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
            any = true;
            let (chunk, used, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (&avail[..i], i + 1, true),
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
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
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

#[cfg(test)]
mod tests {
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
    fn peek_finds_nul() {
        let data = b"abc\0def";
        let (p, nul) = peek_binary(&mut &data[..]).unwrap();
        assert_eq!(p.len(), 7);
        assert_eq!(nul, Some(3));
    }
}
