//! Times as kubectl and cloud consoles print them.
//!
//! Owns the parsing of relative ages (`5m`, `3m12s`, `2d3h`, `<unknown>`), the repeat suffix of event
//! ages (`2m (x10 over 4m)`), and absolute times: RFC 3339 (`2024-05-01T10:00:00Z`, objects), RFC 1123
//! (`Mon, 01 Jul 2024 09:00:00 +0000`, describe node conditions) and console times
//! (`2019/06/24 14:46:07 GMT+08:00`).

use crate::evidence::When;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

/// A parsed age token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    Secs(u64),
    /// `<unknown>` / `<invalid>`: a valid cell that carries no time.
    Unknown,
}

impl Age {
    pub fn when(self) -> Option<When> {
        match self {
            Age::Secs(s) => Some(When::Age(s)),
            Age::Unknown => None,
        }
    }
}

/// Parses a kubectl human duration: `44s`, `5m`, `3m12s`, `2d3h`, `2y35d`; `<unknown>`, `<invalid>`.
pub fn parse_age(s: &str) -> Option<Age> {
    if s == "<unknown>" || s == "<invalid>" || s == "Unknown" {
        return Some(Age::Unknown);
    }
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() {
        return None;
    }
    let mut total: u64 = 0;
    let mut num: u64 = 0;
    let mut have_digit = false;
    for &c in b {
        if c.is_ascii_digit() {
            num = num.saturating_mul(10).saturating_add(u64::from(c - b'0'));
            have_digit = true;
            continue;
        }
        if !have_digit {
            return None;
        }
        let unit: u64 = match c {
            b's' => 1,
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86_400,
            b'y' => 365 * 86_400,
            _ => return None,
        };
        total = total.saturating_add(num.saturating_mul(unit));
        num = 0;
        have_digit = false;
    }
    if have_digit {
        // trailing digits without a unit
        return None;
    }
    Some(Age::Secs(total))
}

/// An event age cell: `2m`, or `2m (x10 over 4m)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AgeCell {
    pub last: Option<When>,
    pub first: Option<When>,
    pub count: Option<u32>,
}

/// Parses a whole age cell; `None` when it is not one.
pub fn parse_age_cell(s: &str) -> Option<AgeCell> {
    let s = s.trim();
    let (age, rest) = match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    };
    let last = parse_age(age)?.when();
    if rest.is_empty() {
        return Some(AgeCell {
            last,
            first: None,
            count: None,
        });
    }
    let (count, over) = parse_repeat(rest)?;
    Some(AgeCell {
        last,
        first: over,
        count: Some(count),
    })
}

/// Parses `(x10 over 4m)` into the count and the first-seen age.
pub fn parse_repeat(s: &str) -> Option<(u32, Option<When>)> {
    let inner = s.strip_prefix("(x")?.strip_suffix(')')?;
    let mut it = inner.split_whitespace();
    let count: u32 = it.next()?.parse().ok()?;
    if it.next()? != "over" {
        return None;
    }
    let over = parse_age(it.next()?)?.when();
    if it.next().is_some() {
        return None;
    }
    Some((count, over))
}

/// RFC 3339 (`2024-05-01T10:00:00Z`, with optional fraction or offset) to epoch seconds.
pub fn rfc3339(s: &str) -> Option<When> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| When::Absolute(d.timestamp()))
}

/// RFC 1123 with numeric zone (`Mon, 01 Jul 2024 09:00:00 +0000`) as `kubectl describe` prints it.
pub fn rfc1123(s: &str) -> Option<When> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(When::Absolute(d.timestamp()));
    }
    // Named zones chrono does not know (`CST`): read the date-time as UTC.
    let without_zone = s.rsplit_once(' ').map(|(a, _)| a)?;
    NaiveDateTime::parse_from_str(without_zone, "%a, %d %b %Y %H:%M:%S")
        .ok()
        .map(|d| When::Absolute(d.and_utc().timestamp()))
}

/// Console times: `2019/06/24 14:46:07 GMT+08:00`; a missing or truncated offset (`GMT+...`) is read
/// as UTC. Also accepts `-` as date separator.
pub fn console_time(s: &str) -> Option<When> {
    let s = s.trim();
    let mut parts = s.split_whitespace();
    let date = parts.next()?;
    let time = parts.next()?;
    let zone = parts.next();
    let dt = format!("{} {}", date.replace('-', "/"), time);
    let naive = NaiveDateTime::parse_from_str(&dt, "%Y/%m/%d %H:%M:%S").ok()?;
    let offset = zone.and_then(parse_gmt_offset).unwrap_or(0);
    let tz = FixedOffset::east_opt(offset)?;
    let local = tz.from_local_datetime(&naive).single()?;
    Some(When::Absolute(local.timestamp()))
}

/// `GMT+08:00`, `UTC+8`, `GMT-0530` to seconds east of UTC.
fn parse_gmt_offset(z: &str) -> Option<i32> {
    let rest = z
        .strip_prefix("GMT")
        .or_else(|| z.strip_prefix("UTC"))
        .unwrap_or(z);
    let (sign, digits) = if let Some(d) = rest.strip_prefix('+') {
        (1, d)
    } else if let Some(d) = rest.strip_prefix('-') {
        (-1, d)
    } else {
        return None;
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if digits.len() == 4 && digits.is_ascii() => {
            (digits[..2].parse().ok()?, digits[2..].parse().ok()?)
        }
        None => (digits.parse::<i32>().ok()?, 0),
    };
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("5m"), Some(Age::Secs(300)));
        assert_eq!(parse_age("3m12s"), Some(Age::Secs(192)));
        assert_eq!(parse_age("2d3h"), Some(Age::Secs(2 * 86400 + 3 * 3600)));
        assert_eq!(parse_age("44s"), Some(Age::Secs(44)));
        assert_eq!(parse_age("<unknown>"), Some(Age::Unknown));
        assert_eq!(parse_age("5"), None);
        assert_eq!(parse_age("m5"), None);
        assert_eq!(parse_age("kubelet"), None);
        assert_eq!(
            parse_age("99999999999999999999999y"),
            Some(Age::Secs(u64::MAX))
        );
    }

    #[test]
    fn age_cells() {
        let c = parse_age_cell("2m (x10 over 4m)").unwrap();
        assert_eq!(c.last, Some(When::Age(120)));
        assert_eq!(c.first, Some(When::Age(240)));
        assert_eq!(c.count, Some(10));
        let c = parse_age_cell("<invalid>").unwrap();
        assert_eq!(c.last, None);
        assert!(parse_age_cell("2m (x10 4m)").is_none());
    }

    #[test]
    fn absolute_times() {
        assert_eq!(
            rfc3339("2021-04-20T07:00:16Z"),
            Some(When::Absolute(1_618_902_016))
        );
        assert_eq!(
            rfc1123("Tue, 20 Apr 2021 07:00:16 +0000"),
            Some(When::Absolute(1_618_902_016))
        );
        assert_eq!(
            rfc1123("Tue, 20 Apr 2021 07:00:16 JST"),
            Some(When::Absolute(1_618_902_016))
        );
        assert_eq!(
            console_time("2021/04/20 15:00:16 GMT+08:00"),
            Some(When::Absolute(1_618_902_016))
        );
        assert_eq!(
            console_time("2021/04/20 07:00:16 GMT+..."),
            Some(When::Absolute(1_618_902_016))
        );
        assert_eq!(console_time("yesterday"), None);
    }
}
