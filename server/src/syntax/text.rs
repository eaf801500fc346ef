//! Byte ranges and line/column conversion.
//!
//! Everything below the protocol layer speaks byte offsets into the file's text; the
//! conversion to the client's negotiated encoding happens once, here.

/// A half-open byte range `[start, end)` into a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> TextRange {
        TextRange {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn empty(at: usize) -> TextRange {
        TextRange::new(at, at)
    }

    pub fn contains_range(&self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn intersects(&self, other: TextRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    pub fn start(&self) -> usize {
        self.start as usize
    }

    pub fn end(&self) -> usize {
        self.end as usize
    }
}

/// How columns are counted, as negotiated with the client (`positionEncoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    /// Unicode scalar values; used for human-facing `line:col` output.
    Utf32,
}

/// Line starts of one text, so offset <-> (line, column) is a binary search plus a
/// scan of one line.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    /// Line breaks are `\n`, `\r\n` and a lone `\r`, as the LSP specification and ropey count them.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0u32];
        if !text.contains('\r') {
            // The common case, found with memchr.
            starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
            return LineIndex { starts };
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i as u32 + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).map(|s| *s as usize)
    }

    /// Zero-based line and column of `offset`, the column counted in `enc` units.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> (u32, u32) {
        let offset = clamp_to_char_boundary(text, offset.min(text.len()));
        let line = match self.starts.binary_search(&(offset as u32)) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let start = self.starts[line] as usize;
        let col = column_width(&text[start..offset], enc);
        (line as u32, col as u32)
    }

    /// Byte offset of a zero-based (line, column); out-of-range positions clamp to the
    /// end of the line or of the text, as the LSP specification asks.
    pub fn offset(&self, text: &str, line: u32, col: u32, enc: Encoding) -> usize {
        let Some(&start) = self.starts.get(line as usize) else {
            return text.len();
        };
        let start = start as usize;
        let end = self
            .starts
            .get(line as usize + 1)
            .map(|s| *s as usize)
            .unwrap_or(text.len());
        let line_text = text.get(start..end).unwrap_or("");
        start + column_in_line(line_text.chars(), col, enc).bytes
    }
}

/// Where a column falls in a line: how many chars and bytes of the line precede it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineColumn {
    pub chars: usize,
    pub bytes: usize,
}

/// The column rules of LSP positions, in one place for the line index and the document
/// store (ropey): `col` counts `enc` units from the start of `line` (its chars, a line
/// break ending it); a column past the end is the end of the line (the break excluded); a
/// column inside a character (half a surrogate pair, a UTF-8 continuation byte) snaps
/// forward past it.
pub fn column_in_line(line: impl Iterator<Item = char>, col: u32, enc: Encoding) -> LineColumn {
    let mut at = LineColumn { chars: 0, bytes: 0 };
    let mut remaining = col as usize;
    for ch in line {
        if remaining == 0 || matches!(ch, '\n' | '\r') {
            break;
        }
        let w = char_width(ch, enc);
        at.chars += 1;
        at.bytes += ch.len_utf8();
        if w >= remaining {
            break;
        }
        remaining -= w;
    }
    at
}

pub fn char_width(ch: char, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => ch.len_utf8(),
        Encoding::Utf16 => ch.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

pub fn column_width(s: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => s.len(),
        Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => s.chars().count(),
    }
}

pub fn clamp_to_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Iterates `(start, line)` over `text[from..]`, lines split on `\n` with a trailing `\r`
/// removed, the way Rust's `str::lines` (and so chant) splits them.
pub fn lines_from(text: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = from.min(text.len());
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        let rest = &text[start..];
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], start + i + 1),
            None => (rest, text.len()),
        };
        pos = next;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_every_encoding() {
        let text = "a\r\nb😀c\nd\re";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        let c = text.find('c').unwrap();
        assert_eq!(idx.position(text, c, Encoding::Utf16), (1, 3));
        assert_eq!(idx.position(text, c, Encoding::Utf8), (1, 5));
        assert_eq!(idx.position(text, c, Encoding::Utf32), (1, 2));
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let (l, col) = idx.position(text, c, enc);
            assert_eq!(idx.offset(text, l, col, enc), c);
        }
        assert_eq!(
            idx.position(text, text.find('e').unwrap(), Encoding::Utf16),
            (3, 0)
        );
    }

    #[test]
    fn offsets_clamp() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, 0, 99, Encoding::Utf16), 2);
        assert_eq!(idx.offset(text, 9, 0, Encoding::Utf16), text.len());
        // Inside a surrogate pair snaps past the character.
        let t = "😀x";
        assert_eq!(LineIndex::new(t).offset(t, 0, 1, Encoding::Utf16), 4);
    }

    #[test]
    fn columns_in_a_line() {
        let at = |line: &str, col, enc| {
            let c = column_in_line(line.chars(), col, enc);
            (c.chars, c.bytes)
        };
        assert_eq!(at("a😀b\n", 1, Encoding::Utf16), (1, 1));
        assert_eq!(
            at("a😀b\n", 2, Encoding::Utf16),
            (2, 5),
            "inside the pair: forward"
        );
        assert_eq!(at("a😀b\n", 3, Encoding::Utf16), (2, 5));
        assert_eq!(
            at("a😀b\n", 99, Encoding::Utf16),
            (3, 6),
            "the break is not addressable"
        );
        assert_eq!(at("aéb", 2, Encoding::Utf8), (2, 3));
        assert_eq!(at("aéb", 3, Encoding::Utf8), (2, 3));
        assert_eq!(at("aéb\r\n", 9, Encoding::Utf32), (3, 4));
        assert_eq!(at("", 5, Encoding::Utf16), (0, 0));
    }

    #[test]
    fn lines_like_str_lines() {
        let text = "a\r\nb\n\nc";
        let got: Vec<_> = lines_from(text, 0).map(|(_, l)| l).collect();
        assert_eq!(got, text.lines().collect::<Vec<_>>());
    }
}
