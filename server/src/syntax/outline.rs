//! The body's Markdown structure (headings, sections, code blocks) from tree-sitter-md,
//! for outlines and folding. Computed on request for one file, never while indexing.
//! Diagnostics do not use it: chant reads bodies line by line (see `body.rs`).

use tree_sitter::{Node, Parser, Query, QueryCursor, StreamingIterator};

use super::text::TextRange;

/// The shared query that names headings, sections and code blocks.
pub const SECTIONS_QUERY: &str = include_str!("../../../grammars/queries/chant-spec/sections.scm");

/// Bodies larger than this get no outline rather than a slow one.
const MAX_OUTLINE_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outline {
    pub headings: Vec<Heading>,
    pub code_blocks: Vec<TextRange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// The heading line.
    pub range: TextRange,
    /// The heading and everything under it up to the next heading of the same or a
    /// higher level.
    pub section: TextRange,
}

pub fn outline(text: &str, body_start: usize) -> Outline {
    let mut out = Outline::default();
    let body_start = body_start.min(text.len());
    let body = &text[body_start..];
    if body.len() > MAX_OUTLINE_BYTES {
        return out;
    }
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_md::LANGUAGE.into())
        .is_err()
    {
        return out;
    }
    let Some(tree) = parser.parse(body, None) else {
        return out;
    };
    let abs = |n: &Node| TextRange::new(body_start + n.start_byte(), body_start + n.end_byte());
    // The shape of a spec is defined once, in grammars/ (shared with the editors).
    let Ok(query) = Query::new(&tree_sitter_md::LANGUAGE.into(), SECTIONS_QUERY) else {
        return out;
    };
    let names = query.capture_names();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&query, tree.root_node(), body.as_bytes());
    while let Some(m) = matches.next() {
        for c in m.captures {
            match names[c.index as usize] {
                "heading" => {
                    if let Some(h) = heading(&c.node, body, &abs) {
                        out.headings.push(h);
                    }
                }
                "code" => out.code_blocks.push(trim_end(text, abs(&c.node))),
                _ => {}
            }
        }
    }
    out.headings.sort_by_key(|h| h.range.start);
    out.code_blocks.sort_by_key(|r| r.start);
    out
}

fn heading(node: &Node, body: &str, abs: &impl Fn(&Node) -> TextRange) -> Option<Heading> {
    let mut level = 0u8;
    let mut content = None;
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        let kind = child.kind();
        if let Some(n) = kind
            .strip_prefix("atx_h")
            .and_then(|k| k.strip_suffix("_marker"))
        {
            level = n.parse().unwrap_or(1);
        } else if kind == "setext_h1_underline" {
            level = 1;
        } else if kind == "setext_h2_underline" {
            level = 2;
        } else if kind == "inline" || kind == "paragraph" {
            content = Some(child);
        }
    }
    let text = content
        .map_or("", |c| body[c.start_byte()..c.end_byte()].trim())
        .to_string();
    let line = abs(node);
    // The enclosing `section` node spans the heading's whole section.
    let section = node
        .parent()
        .filter(|p| p.kind() == "section")
        .map_or(line, |p| abs(&p));
    let head_text = &body[node.start_byte()..node.end_byte()];
    let first_line_len = head_text.find('\n').unwrap_or(head_text.len());
    let range = TextRange::new(line.start(), line.start() + first_line_len);
    Some(Heading {
        level: level.max(1),
        text,
        range,
        section,
    })
}

fn trim_end(text: &str, r: TextRange) -> TextRange {
    let s = &text[r.start()..r.end()];
    TextRange::new(r.start(), r.start() + s.trim_end().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_sections_and_fences() {
        let text = "---\ntitle: x\n---\n# Title\n\nintro\n\n## Acceptance Criteria\n- [ ] a\n\n```\n# not a heading\n```\n\n## Notes\ntext\n";
        let body = text.find("# Title").unwrap();
        let o = outline(text, body);
        let names: Vec<(u8, &str)> = o
            .headings
            .iter()
            .map(|h| (h.level, h.text.as_str()))
            .collect();
        assert_eq!(
            names,
            [(1, "Title"), (2, "Acceptance Criteria"), (2, "Notes")]
        );
        let ac = &o.headings[1];
        assert_eq!(
            &text[ac.range.start()..ac.range.end()],
            "## Acceptance Criteria"
        );
        assert!(text[ac.section.start()..ac.section.end()].contains("# not a heading"));
        assert!(!text[ac.section.start()..ac.section.end()].contains("## Notes"));
        assert_eq!(o.code_blocks.len(), 1);
        assert!(text[o.code_blocks[0].start()..o.code_blocks[0].end()].ends_with("```"));
    }

    #[test]
    fn every_shared_query_compiles_against_the_grammar() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../grammars/queries/chant-spec");
        for name in ["sections.scm", "injections.scm", "highlights.scm"] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            if let Err(e) = Query::new(&tree_sitter_md::LANGUAGE.into(), &text) {
                panic!("{name}: {e}");
            }
        }
    }

    #[test]
    fn odd_input_gives_some_outline() {
        for t in [
            "",
            "\u{0}\u{1}",
            "#",
            &"> ".repeat(5000),
            &"- ".repeat(5000),
        ] {
            let _ = outline(t, 0);
        }
    }
}
