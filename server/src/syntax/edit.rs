//! Text edits to frontmatter that keep the file's own style (block or flow lists, its
//! indentation), for quick fixes.

use super::frontmatter::Frontmatter;
use super::text::TextRange;
use super::yaml::NodeKind;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

impl Edit {
    pub fn replace(range: TextRange, new_text: impl Into<String>) -> Edit {
        Edit {
            range,
            new_text: new_text.into(),
        }
    }

    pub fn insert(at: usize, new_text: impl Into<String>) -> Edit {
        Edit {
            range: TextRange::empty(at),
            new_text: new_text.into(),
        }
    }
}

/// A YAML plain scalar when that reads back as the same string, else double-quoted.
pub fn scalar(value: &str) -> String {
    let plain_ok = !value.is_empty()
        && !value.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with([':', ' '])
        && !matches!(value, "~" | "null" | "true" | "false" | "yes" | "no");
    if plain_ok {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn end_of_line(text: &str, at: usize) -> usize {
    text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i)
}

/// Where a new `key: ...` line goes: just before the closing delimiter.
fn new_key_at(fm: &Frontmatter) -> usize {
    fm.close.start()
}

/// Sets `key` to a single value, replacing what is there.
pub fn set_scalar(text: &str, fm: &Frontmatter, key: &str, value: &str) -> Edit {
    let entry = fm.root.as_ref().and_then(|r| r.get(key));
    match entry {
        Some(e) if !e.value.is_null() => Edit::replace(e.value.range, scalar(value)),
        Some(e) => Edit::replace(
            TextRange::new(e.key.range.end(), end_of_line(text, e.key.range.end())),
            format!(": {}", scalar(value)),
        ),
        None => Edit::insert(new_key_at(fm), format!("{key}: {}\n", scalar(value))),
    }
}

/// Appends `value` to the list `key`, creating the key when absent.
pub fn add_list_item(text: &str, fm: &Frontmatter, key: &str, value: &str) -> Edit {
    let value = scalar(value);
    let Some(e) = fm.root.as_ref().and_then(|r| r.get(key)) else {
        return Edit::insert(new_key_at(fm), format!("{key}:\n- {value}\n"));
    };
    match &e.value.kind {
        _ if e.value.is_null() => Edit::replace(
            TextRange::new(e.key.range.end(), end_of_line(text, e.key.range.end())),
            format!(":\n- {value}"),
        ),
        NodeKind::Seq { items, flow: true } => {
            let close = e.value.range.end().saturating_sub(1);
            if items.is_empty() {
                Edit::insert(close, value)
            } else {
                Edit::insert(items[items.len() - 1].range.end(), format!(", {value}"))
            }
        }
        NodeKind::Seq { items, flow: false } if !items.is_empty() => {
            let (first, last) = (&items[0], &items[items.len() - 1]);
            let line_start = text[..first.range.start()].rfind('\n').map_or(0, |i| i + 1);
            let dash = text[line_start..first.range.start()].find('-').unwrap_or(0);
            let indent = &text[line_start..line_start + dash];
            Edit::insert(last.range.end(), format!("\n{indent}- {value}"))
        }
        _ => {
            let old = &text[e.value.range.start()..e.value.range.end()];
            Edit::replace(e.value.range, format!("[{old}, {value}]"))
        }
    }
}

/// Applies edits (non-overlapping) to a text; for tests and for server-side writes.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in sorted {
        out.replace_range(e.range.start()..e.range.end(), &e.new_text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::frontmatter::split;

    fn add(text: &str, key: &str, value: &str) -> String {
        let fm = split(text).frontmatter.unwrap();
        apply(text, &[add_list_item(text, &fm, key, value)])
    }

    fn set(text: &str, key: &str, value: &str) -> String {
        let fm = split(text).frontmatter.unwrap();
        apply(text, &[set_scalar(text, &fm, key, value)])
    }

    #[test]
    fn list_items_follow_the_files_style() {
        assert_eq!(
            add("---\nlabels:\n  - a\n---\n", "labels", "b"),
            "---\nlabels:\n  - a\n  - b\n---\n"
        );
        assert_eq!(
            add("---\nlabels: [a]\n---\n", "labels", "b"),
            "---\nlabels: [a, b]\n---\n"
        );
        assert_eq!(
            add("---\nlabels: []\n---\n", "labels", "b"),
            "---\nlabels: [b]\n---\n"
        );
        assert_eq!(
            add("---\nlabels:\n---\n", "labels", "b"),
            "---\nlabels:\n- b\n---\n"
        );
        assert_eq!(
            add("---\ntype: code\n---\n", "labels", "b"),
            "---\ntype: code\nlabels:\n- b\n---\n"
        );
        assert_eq!(
            add("---\ndepends_on: x\n---\n", "depends_on", "y"),
            "---\ndepends_on: [x, y]\n---\n"
        );
    }

    #[test]
    fn scalars_replace_or_insert() {
        assert_eq!(
            set("---\ntype: docs\n---\n", "type", "documentation"),
            "---\ntype: documentation\n---\n"
        );
        assert_eq!(
            set("---\ntype:\n---\n", "type", "code"),
            "---\ntype: code\n---\n"
        );
        assert_eq!(
            set("---\n---\n", "prompt", "reproduce"),
            "---\nprompt: reproduce\n---\n"
        );
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar(".chant/research/x.md"), ".chant/research/x.md");
    }
}
