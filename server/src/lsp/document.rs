//! An open buffer: a rope that takes the client's incremental edits in its negotiated
//! encoding.

use ropey::Rope;

use crate::syntax::text::column_in_line;
use crate::syntax::Encoding;

#[derive(Debug, Clone)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
}

/// One `contentChanges` entry: `range` None replaces the whole text.
pub struct Change<'a> {
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: &'a str,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        Document {
            rope: Rope::from_str(text),
            version,
        }
    }

    pub fn apply(&mut self, change: &Change, enc: Encoding) {
        match change.range {
            None => self.rope = Rope::from_str(change.text),
            Some((start, end)) => {
                let s = self.char_index(start, enc);
                let e = self.char_index(end, enc).max(s);
                self.rope.remove(s..e);
                self.rope.insert(s, change.text);
            }
        }
    }

    /// The char index of an LSP position; a column past the line's end means its end,
    /// a line past the last means the end of the text (LSP spec).
    pub fn char_index(&self, (line, col): (u32, u32), enc: Encoding) -> usize {
        let rope = &self.rope;
        let line = line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        // The same column rules as the model's line index, by the same function.
        let start = rope.line_to_char(line);
        start + column_in_line(rope.line(line).chars(), col, enc).chars
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_edits_in_utf16_and_utf8() {
        let mut d = Document::new("a😀b\nsecond\n", 1);
        d.apply(
            &Change {
                range: Some(((0, 3), (0, 4))),
                text: "X",
            },
            Encoding::Utf16,
        );
        assert_eq!(d.text(), "a😀X\nsecond\n");
        d.apply(
            &Change {
                range: Some(((0, 5), (0, 6))),
                text: "Y",
            },
            Encoding::Utf8,
        );
        assert_eq!(d.text(), "a😀Y\nsecond\n");
        // Past the end of a line clamps to the line end, not into the next line.
        d.apply(
            &Change {
                range: Some(((1, 99), (1, 99))),
                text: "!",
            },
            Encoding::Utf16,
        );
        assert_eq!(d.text(), "a😀Y\nsecond!\n");
        d.apply(
            &Change {
                range: Some(((9, 0), (9, 0))),
                text: "end",
            },
            Encoding::Utf16,
        );
        assert_eq!(d.text(), "a😀Y\nsecond!\nend");
        d.apply(
            &Change {
                range: None,
                text: "new",
            },
            Encoding::Utf16,
        );
        assert_eq!(d.text(), "new");
    }

    /// Found by the edit property test: a column inside a surrogate pair must snap the
    /// same way `LineIndex::offset` snaps it (forward), or the buffer and the model differ.
    #[test]
    fn columns_inside_a_character_snap_forward() {
        let mut d = Document::new("a😀b", 1);
        d.apply(
            &Change {
                range: Some(((0, 2), (0, 2))),
                text: "X",
            },
            Encoding::Utf16,
        );
        assert_eq!(d.text(), "a😀Xb");
        let mut d = Document::new("aéb", 1);
        d.apply(
            &Change {
                range: Some(((0, 2), (0, 2))),
                text: "X",
            },
            Encoding::Utf8,
        );
        assert_eq!(d.text(), "aéXb");
    }

    #[test]
    fn crlf_lines() {
        let mut d = Document::new("a\r\nb", 1);
        d.apply(
            &Change {
                range: Some(((0, 5), (1, 0))),
                text: "",
            },
            Encoding::Utf16,
        );
        assert_eq!(d.text(), "ab");
    }
}
