//! What is under the cursor, found once and shared by hover, definition, references,
//! rename and completion.

use crate::model::schema::{self, Kind, Role};
use crate::model::SpecFile;
use crate::syntax::yaml::{NodeKind, YamlNode};
use crate::syntax::TextRange;

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A spec ID: a `depends_on`/`members`/`blocked_specs`/`original_spec` entry, or a
    /// full ID written in the body.
    SpecRef {
        id: String,
        range: TextRange,
    },
    /// A path: an entry of a path field, `output_schema`, or the prompt's file.
    Path {
        field: String,
        path: String,
        range: TextRange,
    },
    /// A frontmatter key (`parent.key` for nested ones).
    Key {
        name: String,
        range: TextRange,
    },
    /// An enum value (`status: completed`).
    Value {
        field: String,
        value: String,
        range: TextRange,
    },
    Label {
        value: String,
        range: TextRange,
    },
    /// This spec's own `# Title` line.
    Title {
        range: TextRange,
    },
}

/// A top-level field whose values are spec IDs (the field table decides).
pub fn is_spec_field(key: &str) -> bool {
    schema::role(key) == Role::SpecIds
}

/// A top-level field whose values are repository paths or globs.
pub fn is_path_field(key: &str) -> bool {
    schema::role(key).is_path()
}

fn within(r: TextRange, offset: usize) -> bool {
    r.start() <= offset && offset <= r.end()
}

pub fn target_at(f: &SpecFile, offset: usize) -> Option<Target> {
    if let Some(root) = f.syntax.root() {
        if let Some(t) = in_map(root, None, offset) {
            return Some(t);
        }
    }
    let body = &f.syntax.body;
    if let Some(t) = &body.title {
        if within(t.range, offset) {
            // An ID written in the title is still a reference.
            if let Some(m) = body.id_mentions.iter().find(|m| within(m.range, offset)) {
                return Some(Target::SpecRef {
                    id: m.id.clone(),
                    range: m.range,
                });
            }
            return Some(Target::Title { range: t.range });
        }
    }
    body.id_mentions
        .iter()
        .find(|m| within(m.range, offset))
        .map(|m| Target::SpecRef {
            id: m.id.clone(),
            range: m.range,
        })
}

fn in_map(map: &YamlNode, parent: Option<&str>, offset: usize) -> Option<Target> {
    for e in map.entries() {
        let Some(key) = e.key.as_scalar() else {
            continue;
        };
        let name = match parent {
            Some(p) => format!("{p}.{key}"),
            None => key.to_string(),
        };
        if within(e.key.range, offset) {
            return Some(Target::Key {
                name,
                range: e.key.range,
            });
        }
        if !within(e.value.range, offset) {
            continue;
        }
        let field = match parent {
            None => schema::field(key),
            Some(p) => schema::field(p).and_then(|pf| match pf.kind {
                Kind::Map(fields) => fields.iter().find(|x| x.name == key),
                _ => None,
            }),
        };
        if let NodeKind::Map { .. } = e.value.kind {
            return in_map(&e.value, Some(key), offset);
        }
        let nodes: Vec<&YamlNode> = match &e.value.kind {
            NodeKind::Seq { items, .. } => items.iter().collect(),
            NodeKind::Scalar { .. } if !e.value.is_null() => vec![&e.value],
            _ => Vec::new(),
        };
        let node = nodes.into_iter().find(|n| within(n.range, offset))?;
        let value = node.as_scalar()?.to_string();
        let range = node.unquoted_range();
        if parent.is_none() && is_spec_field(key) {
            return Some(Target::SpecRef { id: value, range });
        }
        if parent.is_none() && is_path_field(key) {
            return Some(Target::Path {
                field: key.into(),
                path: value,
                range,
            });
        }
        if parent.is_none() && schema::role(key) == Role::Prompt {
            return Some(Target::Path {
                field: key.into(),
                path: schema::prompt_path(&value),
                range,
            });
        }
        if parent.is_none() && schema::role(key) == Role::Labels {
            return Some(Target::Label { value, range });
        }
        if matches!(field.map(|f| f.kind), Some(Kind::Enum(_))) {
            return Some(Target::Value {
                field: name,
                value,
                range,
            });
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::model::config::Config;
    use crate::model::Location;

    fn at(text: &str, marker: &str) -> Option<Target> {
        let offset = text.find(marker).unwrap();
        let text = text.replacen(marker, "", 1);
        let f = SpecFile::parse(
            PathBuf::from("/r/.chant/specs/x.md"),
            "x".into(),
            "x".into(),
            Location::Active,
            Ok(text),
            &Config::default(),
        );
        target_at(&f, offset)
    }

    #[test]
    fn finds_every_kind_of_target() {
        let t = "---\nstatus: comp$0leted\ndepends_on:\n- \"2026-01-01-00$0\"\nprompt: rep$0\napproval:\n  sta$0tus: approved\nlabels: [a$0]\ninformed_by: [.chant/x$0.md]\n---\n# Ti$0tle 2026-01-01-001-aaa\nsee 2026-01-01-002-b$0bb\n";
        let markers: Vec<usize> = t.match_indices("$0").map(|(i, _)| i).collect();
        let got: Vec<String> = (0..markers.len())
            .map(|n| {
                // Keep only the n-th marker.
                let mut s = String::new();
                let mut count = 0;
                for (i, part) in t.split("$0").enumerate() {
                    s.push_str(part);
                    if i + 1 < t.split("$0").count() {
                        if count == n {
                            s.push_str("$0");
                        }
                        count += 1;
                    }
                }
                format!(
                    "{:?}",
                    at(&s, "$0").map(|t| std::mem::discriminant(&t)).is_some() as u8
                ) + &match at(&s, "$0") {
                    Some(Target::SpecRef { id, .. }) => format!(" ref {id}"),
                    Some(Target::Path { path, .. }) => format!(" path {path}"),
                    Some(Target::Key { name, .. }) => format!(" key {name}"),
                    Some(Target::Value { field, value, .. }) => format!(" value {field}={value}"),
                    Some(Target::Label { value, .. }) => format!(" label {value}"),
                    Some(Target::Title { .. }) => " title".to_string(),
                    None => " none".to_string(),
                }
            })
            .collect();
        assert_eq!(
            got,
            [
                "1 value status=completed",
                "1 ref 2026-01-01-00",
                "1 path .chant/prompts/rep.md",
                "1 key approval.status",
                "1 label a",
                "1 path .chant/x.md",
                "1 title",
                "1 ref 2026-01-01-002-bbb",
            ]
        );
    }
}
