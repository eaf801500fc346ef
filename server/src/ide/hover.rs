//! Hover: the spec behind a reference, the graph around a title, the meaning of a key or
//! value, the state of a path.

use crate::model::schema::{self, Kind};
use crate::model::{SpecKey, Workspace};
use crate::syntax::TextRange;

use super::query::{target_at, Target};
use super::{resolve_ref, spec_card, spec_line};

#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

pub fn hover(ws: &Workspace, key: SpecKey, offset: usize) -> Option<Hover> {
    let f = ws.get(key)?;
    let target = target_at(f, offset)?;
    let (range, markdown) = match target {
        Target::SpecRef { id, range } => {
            let text = match resolve_ref(ws, key, &id) {
                Some((k, _, true)) => spec_card(ws, k),
                Some((k, t, false)) => format!(
                    "`{id}` is not an exact spec ID (chant reports it unknown); it means `{}`.\n\n{}",
                    t.id,
                    spec_card(ws, k)
                ),
                None => format!("`{id}`: no spec has this ID."),
            };
            (range, text)
        }
        Target::Title { range } => (range, title_hover(ws, key)),
        Target::Key { name, range } => (range, key_doc(&name)?),
        Target::Value {
            field,
            value,
            range,
        } => {
            let doc = key_doc(&field)?;
            (range, format!("`{field}: {value}`\n\n{doc}"))
        }
        Target::Label { value, range } => {
            let users: Vec<String> = ws
                .labels()
                .filter(|(l, _)| *l == value)
                .map(|(_, n)| format!("{n} spec(s) carry the label `{value}`."))
                .collect();
            (range, users.join(""))
        }
        Target::Path { path, range, .. } => (range, path_hover(ws, key, &path)),
    };
    Some(Hover { range, markdown })
}

fn title_hover(ws: &Workspace, key: SpecKey) -> String {
    let Some(f) = ws.get(key) else {
        return String::new();
    };
    let mut out = spec_card(ws, key);
    let mut dependencies: Vec<String> = f
        .facts
        .deps()
        .iter()
        .map(|d| match resolve_ref(ws, key, &d.value) {
            Some((_, t, true)) => spec_line(t),
            Some((_, t, false)) => format!("`{}` means {}", d.value, spec_line(t)),
            None => format!("`{}` (no such spec)", d.value),
        })
        .collect();
    dependencies.sort();
    list(&mut out, "Depends on", &dependencies);
    let mut deps: Vec<_> = ws.dependents(&f.id).map(|(_, d)| spec_line(d)).collect();
    deps.sort();
    out.push_str(&format!("\n\n**Depended on by** ({})", deps.len()));
    for d in &deps {
        out.push_str(&format!("\n- {d}"));
    }
    let mut members: Vec<_> = ws.members_of(&f.id).map(|(_, m)| spec_line(m)).collect();
    members.sort();
    list(&mut out, "Members", &members);
    if let Some(n) = f.issue {
        let mut same: Vec<_> = ws
            .issue_specs(n)
            .filter(|(k, _)| *k != key)
            .map(|(_, s)| s)
            .collect();
        same.sort_by_key(|s| (s.phase.unwrap_or(usize::MAX), s.id.clone()));
        out.push_str(&format!(
            "\n\n**Issue #{n}** ({} other spec(s), in phase order)",
            same.len()
        ));
        for s in same {
            let phase = ws
                .phase(s)
                .map_or_else(|| "—".to_string(), |p| p.title.clone());
            out.push_str(&format!("\n- {phase}: {}", spec_line(s)));
        }
    }
    out
}

/// A titled list, left out when empty.
fn list(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    out.push_str(&format!("\n\n**{title}** ({})", lines.len()));
    for l in lines {
        out.push_str(&format!("\n- {l}"));
    }
}

/// The documentation of a frontmatter key, with its allowed values.
pub fn key_doc(name: &str) -> Option<String> {
    let field = match name.split_once('.') {
        None => schema::field(name)?,
        Some((parent, child)) => match schema::field(parent)?.kind {
            Kind::Map(fields) => fields.iter().find(|f| f.name == child)?,
            _ => return None,
        },
    };
    let mut out = format!("**{name}** ({})\n\n{}", kind_name(field.kind), field.doc);
    if let Kind::Enum(values) = field.kind {
        out.push_str(&format!(
            "\n\nAllowed: {}",
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Some(out)
}

pub fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Enum(_) => "one of a fixed set",
        Kind::List => "list",
        Kind::StrOrList => "ID or list of IDs",
        Kind::Str => "text",
        Kind::Bool => "true or false",
        Kind::Int => "whole number",
        Kind::Map(_) => "mapping",
    }
}

fn path_hover(ws: &Workspace, key: SpecKey, path: &str) -> String {
    if path.contains("://") {
        return format!("Link: <{path}>");
    }
    if let Some((k, _)) = ws.by_rel(path) {
        return spec_card(ws, k);
    }
    let exists = if path.contains(['*', '?', '[', '{']) {
        "a glob pattern"
    } else if ws.file_exists(path) {
        "exists"
    } else {
        "does not exist (yet)"
    };
    let mut out = format!("`{path}` {exists}.");
    let mut users: Vec<String> = ws
        .naming_path(path)
        .filter(|(k, _)| *k != key)
        .map(|(_, s)| spec_line(s))
        .collect();
    users.sort();
    if !users.is_empty() {
        out.push_str("\n\nAlso named by:");
        for u in users {
            out.push_str(&format!("\n- {u}"));
        }
    }
    out
}
