//! YAML with byte ranges: the frontmatter as a small tree whose every key, value and
//! list item knows where it sits in the file.
//!
//! Built from saphyr-parser's event stream with an explicit stack, so deep nesting
//! cannot overflow ours, and capped at [`MAX_DEPTH`] so it cannot exhaust memory.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::text::TextRange;

/// Frontmatter deeper than this is certainly not a spec; we stop building the tree.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct YamlNode {
    pub kind: NodeKind,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar {
        value: String,
        style: Style,
    },
    Seq {
        items: Vec<YamlNode>,
        flow: bool,
    },
    Map {
        entries: Vec<MapEntry>,
        flow: bool,
    },
    /// `*anchor`: chant accepts aliases; we do not expand them.
    Alias,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

/// A scalar's range without its quotes, when it was written in quotes.
pub fn inside_quotes(range: TextRange, quoted: bool) -> TextRange {
    if quoted && range.end() >= range.start() + 2 {
        TextRange::new(range.start() + 1, range.end() - 1)
    } else {
        range
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub key: YamlNode,
    pub value: YamlNode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub range: TextRange,
    pub message: String,
}

impl YamlNode {
    /// The node's range without the quotes of a quoted scalar: where its value is.
    pub fn unquoted_range(&self) -> TextRange {
        let quoted = matches!(
            &self.kind,
            NodeKind::Scalar {
                style: Style::Quoted,
                ..
            }
        );
        inside_quotes(self.range, quoted)
    }

    /// A YAML null: an empty plain scalar, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, style: Style::Plain }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[MapEntry] {
        match &self.kind {
            NodeKind::Map { entries, .. } => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[YamlNode] {
        match &self.kind {
            NodeKind::Seq { items, .. } => items,
            _ => &[],
        }
    }

    /// The first entry whose key is `key` (chant rejects duplicates; we report them elsewhere).
    pub fn get(&self, key: &str) -> Option<&MapEntry> {
        self.entries()
            .iter()
            .find(|e| e.key.as_scalar() == Some(key))
    }

    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } if self.is_null() => "an empty value",
            NodeKind::Scalar { .. } => "a single value",
            NodeKind::Seq { .. } => "a list",
            NodeKind::Map { .. } => "a mapping",
            NodeKind::Alias => "an alias",
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        items: Vec<YamlNode>,
        flow: bool,
    },
    Map {
        start: usize,
        entries: Vec<MapEntry>,
        key: Option<YamlNode>,
        flow: bool,
    },
}

/// Parses `src` (the frontmatter text, which starts at byte `base` of the file).
/// Returns the root node (None for an empty document) and the first error, if any.
pub fn parse(src: &str, base: usize) -> (Option<YamlNode>, Option<YamlError>) {
    // saphyr stops quietly at a NUL (hiding what follows); chant's parser refuses the file.
    if let Some((i, c)) = src.char_indices().find(|&(_, c)| refused_by_chant(c)) {
        let error = YamlError {
            range: TextRange::new(base + i, base + i + c.len_utf8()),
            message: format!(
                "invalid YAML: the control character `{}` is not allowed (chant's YAML parser refuses the file)",
                c.escape_unicode()
            ),
        };
        return (None, Some(error));
    }
    let offsets = CharOffsets::new(src);
    let at = |i: usize| base + offsets.byte(i);
    let mut parser = Parser::new_from_str(src);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<YamlNode> = None;

    loop {
        let (event, span): (Event, Span) = match parser.next_event() {
            None => break,
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                let start = at(e.marker().index()).min(base + src.len());
                return (
                    root,
                    Some(YamlError {
                        range: token_range(src, base, start),
                        message: describe_scan_error(e.info()),
                    }),
                );
            }
        };
        let start = at(span.start.index());
        let end = at(span.end.index());
        let node = match event {
            Event::StreamEnd => break,
            Event::Scalar(value, style, _, _) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    _ => Style::Block,
                };
                // The scanner grows its strings as it goes; every spec's tree lives as
                // long as the workspace, so each is cut to its size.
                let mut value = Cow::into_owned(value);
                value.shrink_to_fit();
                YamlNode {
                    kind: NodeKind::Scalar { value, style },
                    range: TextRange::new(start, end),
                }
            }
            Event::Alias(_) => YamlNode {
                kind: NodeKind::Alias,
                range: TextRange::new(start, end),
            },
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return (
                        None,
                        Some(YamlError {
                            range: token_range(src, base, start),
                            message: format!(
                                "nesting deeper than {MAX_DEPTH} levels; a spec's frontmatter is a flat list of fields"
                            ),
                        }),
                    );
                }
                let flow = matches!(src.as_bytes().get(start - base), Some(b'[' | b'{'));
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        start,
                        items: Vec::new(),
                        flow,
                    }
                } else {
                    Frame::Map {
                        start,
                        entries: Vec::new(),
                        key: None,
                        flow,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else { continue };
                // Flow collections end at their bracket; block ones at their last child.
                match frame {
                    Frame::Seq {
                        start,
                        mut items,
                        flow,
                    } => {
                        items.shrink_to_fit();
                        let last = if flow {
                            end
                        } else {
                            items.last().map_or(start, |n| n.range.end())
                        };
                        YamlNode {
                            kind: NodeKind::Seq { items, flow },
                            range: TextRange::new(start, last),
                        }
                    }
                    Frame::Map {
                        start,
                        mut entries,
                        flow,
                        ..
                    } => {
                        entries.shrink_to_fit();
                        let last = if flow {
                            end
                        } else {
                            entries.last().map_or(start, |e| e.value.range.end())
                        };
                        YamlNode {
                            kind: NodeKind::Map { entries, flow },
                            range: TextRange::new(start, last),
                        }
                    }
                }
            }
            _ => continue,
        };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(MapEntry {
                    key: k,
                    value: node,
                }),
            },
        }
    }
    (root, None)
}

/// Characters libyaml (under chant's serde_yaml) refuses anywhere in a document: it accepts
/// tab, LF, CR, printable ASCII, NEL (U+0085) and U+00A0 up, except U+FFFE and U+FFFF.
fn refused_by_chant(c: char) -> bool {
    let allowed = matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}')
        || ('\u{a0}'..='\u{fffd}').contains(&c)
        || c >= '\u{10000}';
    !allowed
}

/// saphyr's messages are terse parser jargon; say what a person can act on.
fn describe_scan_error(info: &str) -> String {
    let hint = if info.contains("mapping values are not allowed") {
        " (a value containing ': ' needs quotes)"
    } else if info.contains("did not find expected key") || info.contains("block mapping") {
        " (check the indentation of this line)"
    } else if info.contains("tab") {
        " (YAML does not allow tabs for indentation)"
    } else {
        ""
    };
    format!("invalid YAML: {info}{hint}")
}

/// The token starting at `start`: up to the next whitespace, at least one character.
fn token_range(src: &str, base: usize, start: usize) -> TextRange {
    let rel = (start - base).min(src.len());
    let rest = &src[rel..];
    let len = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let len = if len == 0 {
        rest.chars().next().map_or(0, |c| {
            if c == '\n' || c == '\r' {
                0
            } else {
                c.len_utf8()
            }
        })
    } else {
        len
    };
    TextRange::new(start, start + len)
}

/// saphyr reports positions in chars; we need bytes.
struct CharOffsets {
    /// None when the text is ASCII (char index == byte index).
    table: Option<Vec<u32>>,
    len: usize,
}

impl CharOffsets {
    fn new(src: &str) -> CharOffsets {
        let table = (!src.is_ascii()).then(|| {
            let mut t: Vec<u32> = src.char_indices().map(|(i, _)| i as u32).collect();
            t.push(src.len() as u32);
            t
        });
        CharOffsets {
            table,
            len: src.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).map_or(self.len, |b| *b as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(src: &str, r: TextRange) -> &str {
        &src[r.start()..r.end()]
    }

    #[test]
    fn keys_values_and_items_have_exact_ranges() {
        let src = "type: code\ndepends_on:\n- a-1\n- 'b'\nlabels: [x, é]\n";
        let (root, err) = parse(src, 0);
        assert!(err.is_none());
        let root = root.unwrap();
        let deps = root.get("depends_on").unwrap();
        assert_eq!(slice(src, deps.key.range), "depends_on");
        let items = deps.value.items();
        assert_eq!(slice(src, items[0].range), "a-1");
        assert_eq!(slice(src, items[1].range), "'b'");
        let labels = root.get("labels").unwrap();
        assert!(matches!(
            labels.value.kind,
            NodeKind::Seq { flow: true, .. }
        ));
        assert_eq!(slice(src, labels.value.items()[1].range), "é");
        assert_eq!(slice(src, labels.value.range), "[x, é]");
        assert_eq!(slice(src, root.get("type").unwrap().value.range), "code");
    }

    #[test]
    fn empty_values_are_null() {
        let (root, _) = parse("prompt:\nlabels: ~\n", 0);
        let root = root.unwrap();
        assert!(root.get("prompt").unwrap().value.is_null());
        assert!(root.get("labels").unwrap().value.is_null());
    }

    #[test]
    fn syntax_error_points_at_the_fault() {
        let src = "type: code\nstatus: [open\n";
        let (_, err) = parse(src, 10);
        let err = err.unwrap();
        assert!(err.range.start >= 10 + 11, "{err:?}");
    }

    #[test]
    fn control_characters_are_refused_at_the_character() {
        // A NUL used to end the document silently, hiding `status: bogus` after it.
        let src = "\ntitle: a\u{0}b\nstatus: bogus\n";
        let (root, err) = parse(src, 10);
        let err = err.expect("a NUL is an error");
        assert!(root.is_none());
        assert_eq!(err.range, TextRange::new(10 + 9, 10 + 10));
        assert!(err.message.contains("`\\u{0}`"), "{}", err.message);
        for c in [
            '\u{1}', '\u{1b}', '\u{7f}', '\u{80}', '\u{9f}', '\u{fffe}', '\u{ffff}',
        ] {
            let src = format!("a: x{c}\n");
            let (_, err) = parse(&src, 0);
            assert_eq!(
                err.map(|e| e.range),
                Some(TextRange::new(4, 4 + c.len_utf8())),
                "{c:?}"
            );
        }
        for ok in ["a: \tx\r\n", "a: x\u{85}y", "a: \u{a0}é\u{feff}😀"] {
            assert!(
                parse(ok, 0)
                    .1
                    .is_none_or(|e| !e.message.contains("control")),
                "{ok:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = "[".repeat(10_000);
        let (_, err) = parse(&src, 0);
        assert!(err.is_some());
    }
}
