//! An open buffer: a rope that takes the client's incremental edits in its negotiated
//! encoding.

use ropey::Rope;

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
        let start = rope.line_to_char(line);
        let slice = rope.line(line);
        let mut content_chars = slice.len_chars();
        // Exclude the line break from the addressable columns.
        while content_chars > 0 && matches!(slice.char(content_chars - 1), '\n' | '\r') {
            content_chars -= 1;
        }
        let line_end = start + content_chars;
        // Clamp in the column's own units before converting: ropey panics past the end.
        // A column inside a character (half a surrogate pair, a UTF-8 continuation byte)
        // snaps forward past it, as `LineIndex::offset` does, so both agree.
        match enc {
            Encoding::Utf16 => {
                let first = rope.char_to_utf16_cu(start);
                let last = rope.char_to_utf16_cu(line_end);
                let cu = (first + col as usize).min(last);
                let c = rope.utf16_cu_to_char(cu);
                if rope.char_to_utf16_cu(c) < cu {
                    c + 1
                } else {
                    c
                }
            }
            Encoding::Utf8 => {
                let first = rope.char_to_byte(start);
                let last = rope.char_to_byte(line_end);
                let b = (first + col as usize).min(last);
                let c = rope.byte_to_char(b);
                if rope.char_to_byte(c) < b {
                    c + 1
                } else {
                    c
                }
            }
            Encoding::Utf32 => (start + col as usize).min(line_end),
        }
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
