//! Column tables as kubectl's tabwriter prints them.
//!
//! Owns cutting a row into cells by the header's column start positions. Positions are counted in
//! characters, not bytes, because Go's tabwriter pads by rune count (rows contain Chinese text). A row
//! whose words straddle a column boundary is reported as misaligned so the caller can fall back to
//! splitting on whitespace ([`tokens`]).

/// One column of a header: its (upper-cased) title and the character position where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub title: String,
    pub start: usize,
}

/// Column layout taken from a header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub cols: Vec<Column>,
}

impl Layout {
    /// Splits a header into titles separated by two or more spaces (titles such as `LAST SEEN`
    /// contain single spaces).
    pub fn from_header(header: &str) -> Layout {
        let mut cols = Vec::new();
        let chars: Vec<char> = header.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == ' ' || chars[i] == '\t' {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i;
            while end < chars.len() {
                if chars[end] == '\t' {
                    break;
                }
                if chars[end] == ' ' && (end + 1 >= chars.len() || chars[end + 1] == ' ') {
                    break;
                }
                end += 1;
            }
            let title: String = chars[start..end].iter().collect();
            cols.push(Column {
                title: title.trim().to_uppercase(),
                start,
            });
            i = end;
        }
        Layout { cols }
    }

    pub fn titles(&self) -> impl Iterator<Item = &str> {
        self.cols.iter().map(|c| c.title.as_str())
    }

    /// Cuts `row` at the column starts. Returns `None` when the row does not line up with the header
    /// (a word straddles a boundary, or text precedes the first column).
    pub fn cut<'a>(&self, row: &'a str) -> Option<Vec<&'a str>> {
        let first = self.cols.first()?;
        // Byte offset of every char position we need.
        let nchars;
        let offsets: Vec<usize>;
        let ascii = row.is_ascii();
        if ascii {
            nchars = row.len();
            offsets = Vec::new();
        } else {
            offsets = row
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(row.len()))
                .collect();
            nchars = offsets.len() - 1;
        }
        let byte_at = |pos: usize| -> usize {
            if pos >= nchars {
                row.len()
            } else if ascii {
                pos
            } else {
                offsets.get(pos).copied().unwrap_or(row.len())
            }
        };
        let char_at = |pos: usize| -> Option<char> {
            if pos >= nchars {
                return None;
            }
            let b = byte_at(pos);
            row.get(b..).and_then(|s| s.chars().next())
        };
        // Nothing but blanks may precede the first column.
        if !row.get(..byte_at(first.start))?.trim().is_empty() {
            return None;
        }
        let mut cells = Vec::with_capacity(self.cols.len());
        for (i, col) in self.cols.iter().enumerate() {
            let start = col.start;
            if i > 0 && start < nchars {
                let before = char_at(start - 1).unwrap_or(' ');
                let at = char_at(start).unwrap_or(' ');
                if !before.is_whitespace() && !at.is_whitespace() {
                    return None;
                }
            }
            let end = match self.cols.get(i + 1) {
                Some(next) => next.start,
                None => usize::MAX,
            };
            let cell = row.get(byte_at(start)..byte_at(end)).unwrap_or("");
            cells.push(trim_cell(cell));
        }
        Some(cells)
    }
}

/// `cell.trim()`, faster for a cell padded with many spaces (every cell of a table but its last):
/// they are taken off eight at a time first.
fn trim_cell(cell: &str) -> &str {
    let b = cell.as_bytes();
    let mut end = b.len();
    while end >= 8 && b[end - 8..end] == [b' '; 8] {
        end -= 8;
    }
    // Only ASCII spaces were taken off: `end` is a character boundary.
    cell.get(..end).unwrap_or(cell).trim_ascii().trim()
}

/// A whitespace-separated token with its byte span in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Splits on whitespace, remembering positions (so the rest of a line can be taken verbatim).
pub fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(Token {
                    text: &line[s..i],
                    start: s,
                    end: i,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: &line[s..],
            start: s,
            end: line.len(),
        });
    }
    out
}

/// Number of leading spaces (a tab counts as one).
pub fn indent(line: &str) -> usize {
    line.bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_titles_and_positions() {
        let l = Layout::from_header("LAST SEEN   TYPE      REASON    OBJECT    MESSAGE");
        let t: Vec<&str> = l.titles().collect();
        assert_eq!(t, vec!["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
        assert_eq!(l.cols[1].start, 12);
    }

    #[test]
    fn cuts_by_char_positions() {
        let l = Layout::from_header("  Type     Reason  Message");
        let cells = l.cut("  Warning  失败了     镜像  拉取失败").unwrap();
        assert_eq!(cells, vec!["Warning", "失败了", "镜像  拉取失败"]);
        // misaligned: a word straddles the Reason boundary
        assert!(l.cut("  Warning FreeDiskSpaceFailed x").is_none());
    }

    #[test]
    fn token_spans() {
        let t = tokens("  ab  c d");
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].start, 6);
        assert_eq!(&"  ab  c d"[t[1].start..], "c d");
    }
}
