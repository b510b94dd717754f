//! Wrapping text for a terminal without breaking what people copy.
//!
//! Text is cut into atoms that are never split: a word, a whole `` `code span` `` (a command with
//! its spaces), a URL, a rule id, a name. Lines break only between atoms, so a command is pasted as
//! it was written. Chinese and other wide text has no spaces: a break is allowed between two wide
//! characters, never before closing punctuation (`，。）`) nor after opening punctuation (`（「`).
//! An atom wider than the line goes on a line of its own, unbroken (the terminal may fold it, but
//! a copy of it is intact). Widths are display columns (`unicode-width`): a CJK character is two.
//!
//! The text must already be safe for a terminal (`crate::report::escape_terminal`): wrapping does
//! not escape.

use unicode_width::UnicodeWidthStr;

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// One unbreakable piece of a line and whether a space separated it from the previous one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub text: String,
    pub space_before: bool,
}

fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

/// Punctuation a line must not start with.
fn no_break_before(c: char) -> bool {
    "，。、；：！？）」』》〉】”’·…,.;:!?)]}".contains(c)
}

/// Punctuation a line must not end with.
fn no_break_after(c: char) -> bool {
    "（「『《〈【“‘([{".contains(c)
}

/// The atoms of one line of text (no newlines). Backticks that pair up delimit code spans, which
/// are kept whole with their spaces; an unpaired backtick is an ordinary character.
pub fn atoms(line: &str) -> Vec<Atom> {
    let chars: Vec<char> = line.chars().collect();
    // Positions of backticks that open a span closed later on the line.
    let ticks: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] == '`').collect();
    let mut code_end = vec![usize::MAX; chars.len()];
    for pair in ticks.chunks(2) {
        if let [a, b] = pair {
            code_end[*a] = *b;
        }
    }
    let mut out: Vec<Atom> = Vec::new();
    let mut cur = String::new();
    let mut space = false;
    let mut prev: Option<char> = None;
    let mut i = 0;
    let flush = |out: &mut Vec<Atom>, cur: &mut String, space: &mut bool| {
        if !cur.is_empty() {
            out.push(Atom {
                text: std::mem::take(cur),
                space_before: *space,
            });
            *space = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '`' && code_end[i] != usize::MAX {
            // A code span: one piece with the word it is glued to.
            if let Some(p) = prev {
                if is_wide(p) && !no_break_after(p) {
                    flush(&mut out, &mut cur, &mut space);
                }
            }
            let end = code_end[i];
            cur.extend(&chars[i..=end]);
            prev = Some('`');
            i = end + 1;
            continue;
        }
        if c.is_whitespace() {
            flush(&mut out, &mut cur, &mut space);
            if !out.is_empty() || !cur.is_empty() {
                space = true;
            }
            prev = None;
            i += 1;
            continue;
        }
        if let Some(p) = prev {
            let breakable = (is_wide(p) || is_wide(c)) && !no_break_before(c) && !no_break_after(p);
            // ASCII glued to ASCII never breaks (a URL after Chinese text stays whole).
            if breakable && !(p.is_ascii() && c.is_ascii()) {
                flush(&mut out, &mut cur, &mut space);
            }
        }
        cur.push(c);
        prev = Some(c);
        i += 1;
    }
    flush(&mut out, &mut cur, &mut space);
    out
}

/// Wrap `text` to `width` columns. The first line starts with `first`, the others with `rest`
/// (a hanging indent); a newline in the text starts a new line (with `rest`). Lines never end with
/// spaces. An atom that does not fit even on an empty line stands alone on its line.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut prefix = first;
    for para in text.split('\n') {
        let mut line = prefix.to_string();
        let mut used = self::width(prefix);
        let mut empty = true;
        for a in atoms(para) {
            let w = self::width(&a.text);
            let gap = usize::from(a.space_before && !empty);
            if !empty && used + gap + w > width {
                lines.push(line.trim_end().to_string());
                line = rest.to_string();
                used = self::width(rest);
                empty = true;
            }
            if a.space_before && !empty {
                line.push(' ');
                used += 1;
            }
            line.push_str(&a.text);
            used += w;
            empty = false;
        }
        lines.push(line.trim_end().to_string());
        prefix = rest;
    }
    lines
}

/// [`wrap`] joined into one newline-terminated block.
pub fn block(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut s = wrap(text, width, first, rest).join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[Atom]) -> Vec<&str> {
        v.iter().map(|a| a.text.as_str()).collect()
    }

    #[test]
    fn code_spans_stay_whole_with_their_spaces() {
        let a = atoms("run (`kubectl get pod web -o jsonpath='{.spec}'`), then");
        assert_eq!(
            texts(&a),
            [
                "run",
                "(`kubectl get pod web -o jsonpath='{.spec}'`),",
                "then"
            ]
        );
    }

    #[test]
    fn an_unpaired_backtick_is_a_character() {
        assert_eq!(texts(&atoms("a `b c")), ["a", "`b", "c"]);
    }

    #[test]
    fn chinese_breaks_between_characters_but_not_before_punctuation() {
        let a = atoms("查看日志，再重启");
        assert_eq!(texts(&a), ["查", "看", "日", "志，", "再", "重", "启"]);
        assert!(a.iter().all(|x| !x.space_before));
        // A URL or command glued to Chinese text stays whole.
        let a = atoms("参见https://example.com/a说明");
        assert!(texts(&a).contains(&"https://example.com/a"), "{a:?}");
    }

    #[test]
    fn wraps_at_word_boundaries_with_a_hanging_indent() {
        let l = wrap("one two three four five six", 12, "1. ", "   ");
        assert_eq!(l, ["1. one two", "   three", "   four five", "   six"]);
        assert!(l.iter().all(|x| width(x) <= 12));
    }

    #[test]
    fn a_token_wider_than_the_line_stands_alone_unbroken() {
        let url = "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/";
        let l = wrap(&format!("see {url} now"), 20, "", "");
        assert_eq!(l, ["see", url, "now"]);
    }

    #[test]
    fn newlines_are_hard_breaks() {
        assert_eq!(wrap("a\nb", 80, "> ", "  "), ["> a", "  b"]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let l = wrap("镜像拉取失败镜像拉取失败", 10, "", "");
        assert!(l.iter().all(|x| width(x) <= 10), "{l:?}");
        assert_eq!(l.concat(), "镜像拉取失败镜像拉取失败");
    }
}
