//! Completion in the frontmatter: keys, enum values, spec IDs, paths, labels, prompts.
//! The context is read from the line text, not the YAML tree, because the frontmatter is
//! usually half-typed (and so not valid YAML) exactly when completion is asked for.

use std::collections::{HashSet, VecDeque};

use crate::model::schema::{self, Kind, FIELDS};
use crate::model::{SpecKey, Workspace};
use crate::syntax::TextRange;

use super::hover::key_doc;
use super::query::is_path_field;
use super::spec_card;

/// Spec ID lists are cut here; the client asks again as the person types.
const MAX_SPEC_ITEMS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Field,
    Value,
    Spec,
    File,
    Folder,
    Label,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    pub insert: String,
    /// The text the insertion replaces (the partly typed word).
    pub replace: TextRange,
    pub sort: String,
    /// Ask the client to complete again after inserting (a folder, a key).
    pub retrigger: bool,
}

#[derive(Debug, Default, PartialEq)]
pub struct Completions {
    pub items: Vec<Item>,
    /// More would match: the client should ask again as the person types.
    pub incomplete: bool,
}

/// Where the cursor is, in frontmatter terms.
#[derive(Debug, PartialEq)]
enum Context {
    /// A new key at the top level.
    Key,
    /// The value of `field` (nested `parent.child` for maps), as one value.
    Value(String),
    /// An item of the list `field`.
    ListItem(String),
}

pub fn complete(ws: &Workspace, key: SpecKey, offset: usize) -> Completions {
    let Some(f) = ws.get(key) else {
        return Completions::default();
    };
    let Some(fm) = f.syntax.frontmatter() else {
        return Completions::default();
    };
    if offset < fm.yaml.start() || offset > fm.yaml.end() {
        return Completions::default();
    }
    let Some(src) = f.source() else {
        return Completions::default();
    };
    let text = src.text();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let before = &text[line_start..offset];
    let Some((ctx, token_start)) = context(text, line_start, before) else {
        return Completions::default();
    };
    let token_end = offset
        + text[offset..line_end]
            .find([',', ']', ' ', '#'])
            .unwrap_or(line_end - offset);
    let replace = TextRange::new(token_start, token_end);
    let typed = &text[token_start..offset];
    let typed = typed.trim_start_matches(['"', '\'']);
    let mut out = Completions::default();
    match ctx {
        Context::Key => {
            let present: HashSet<&str> = f
                .syntax
                .root()
                .map(|r| {
                    r.entries()
                        .iter()
                        .filter(|e| !e.key.range.intersects(replace))
                        .filter_map(|e| e.key.as_scalar())
                        .collect()
                })
                .unwrap_or_default();
            for (i, field) in FIELDS.iter().enumerate() {
                if present.contains(field.name)
                    || !field.name.starts_with(typed)
                        && !typed.is_empty()
                        && !field.name.contains(typed)
                {
                    continue;
                }
                let list = matches!(field.kind, Kind::List);
                out.items.push(Item {
                    label: field.name.to_string(),
                    kind: ItemKind::Field,
                    detail: Some(super::hover::kind_name(field.kind).to_string()),
                    documentation: key_doc(field.name),
                    insert: if list {
                        format!("{}:\n- ", field.name)
                    } else {
                        format!("{}: ", field.name)
                    },
                    replace,
                    sort: format!("{i:02}"),
                    retrigger: true,
                });
            }
        }
        Context::Value(field) | Context::ListItem(field)
            if kind_of(&field).is_some_and(|k| matches!(k, Kind::Enum(_))) =>
        {
            let Some(Kind::Enum(values)) = kind_of(&field) else {
                return out;
            };
            for (i, v) in values.iter().enumerate() {
                out.items.push(Item {
                    label: v.to_string(),
                    kind: ItemKind::Value,
                    detail: None,
                    documentation: key_doc(&field),
                    insert: v.to_string(),
                    replace,
                    sort: format!("{i:02}"),
                    retrigger: false,
                });
            }
        }
        Context::Value(field) | Context::ListItem(field)
            if matches!(
                field.as_str(),
                "depends_on" | "members" | "blocked_specs" | "original_spec"
            ) =>
        {
            spec_ids(ws, key, &field, typed, replace, &mut out);
        }
        Context::Value(field) | Context::ListItem(field) if field == "labels" => {
            let mut labels: Vec<(&str, usize)> =
                ws.labels().filter(|(l, _)| l.contains(typed)).collect();
            labels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            for (i, (l, n)) in labels.into_iter().enumerate() {
                out.items.push(Item {
                    label: l.to_string(),
                    kind: ItemKind::Label,
                    detail: Some(format!("{n} spec(s)")),
                    documentation: None,
                    insert: l.to_string(),
                    replace,
                    sort: format!("{i:05}"),
                    retrigger: false,
                });
            }
        }
        Context::Value(field) if field == "prompt" => {
            let dir = ws.chant_dir().join("prompts");
            for (path, is_dir) in ws.fs.list(&dir).unwrap_or_default() {
                let Some(name) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                    continue;
                };
                if is_dir || path.extension().is_none_or(|e| e != "md") || !name.starts_with(typed)
                {
                    continue;
                }
                out.items.push(Item {
                    label: name.clone(),
                    kind: ItemKind::File,
                    detail: Some(format!(".chant/prompts/{name}.md")),
                    documentation: None,
                    insert: name.clone(),
                    replace,
                    sort: name,
                    retrigger: false,
                });
            }
        }
        Context::Value(field) | Context::ListItem(field) if is_path_field(field.as_str()) => {
            paths(ws, typed, replace, &mut out);
        }
        _ => {}
    }
    out
}

fn kind_of(field: &str) -> Option<Kind> {
    match field.split_once('.') {
        None => schema::field(field).map(|f| f.kind),
        Some((p, c)) => match schema::field(p)?.kind {
            Kind::Map(fields) => fields.iter().find(|f| f.name == c).map(|f| f.kind),
            _ => None,
        },
    }
}

/// The context of a cursor at the end of `before` (the line up to the cursor), and where
/// the word being typed starts.
fn context(text: &str, line_start: usize, before: &str) -> Option<(Context, usize)> {
    let indent = before.len() - before.trim_start().len();
    let rest = &before[indent..];
    if let Some(item) = rest.strip_prefix('-') {
        // `- item` under some list key.
        let owner = owning_key(text, line_start, indent)?;
        let start = line_start + indent + 1 + (item.len() - item.trim_start().len());
        return Some((Context::ListItem(owner), start));
    }
    match rest.split_once(':') {
        None => {
            // Typing a key: only at the top level, or inside a mapping value.
            if indent == 0 {
                return Some((Context::Key, line_start));
            }
            None
        }
        Some((raw_key, value)) => {
            // Only spaces and tabs surround a YAML key; offsets count the raw key's bytes
            // (trimming NBSP or U+2028 too made them land inside a character).
            let k = raw_key.trim_matches([' ', '\t']);
            let field = if indent > 0 {
                let parent = owning_key(text, line_start, indent)?;
                format!("{parent}.{k}")
            } else {
                k.to_string()
            };
            let value_start = line_start + indent + raw_key.len() + 1;
            if let Some(open) = value.find('[') {
                let inner = &value[open + 1..];
                let last = inner.rfind(',').map_or(0, |i| i + 1);
                let lead = inner[last..].len() - inner[last..].trim_start().len();
                let start = value_start + open + 1 + last + lead;
                return Some((Context::ListItem(field), start));
            }
            let lead = value.len() - value.trim_start().len();
            Some((Context::Value(field), value_start + lead))
        }
    }
}

/// The key a line at `indent` belongs to: the nearest line above with a smaller indent,
/// or the same indent for a `- item` list written at the key's column.
fn owning_key(text: &str, line_start: usize, indent: usize) -> Option<String> {
    let mut end = line_start.checked_sub(1)?;
    loop {
        let start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end];
        let ind = line.len() - line.trim_start().len();
        let t = line.trim();
        if !t.is_empty()
            && !t.starts_with('#')
            && !t.starts_with('-')
            && (ind < indent || ind == indent && ind == 0)
        {
            if t == "---" {
                return None;
            }
            let (k, _) = t.split_once(':')?;
            let k = k.trim();
            if ind > 0 {
                // A nested key: qualify it with its own parent.
                return owning_key(text, start, ind)
                    .map(|p| format!("{p}.{k}"))
                    .or(Some(k.to_string()));
            }
            return Some(k.to_string());
        }
        if start == 0 {
            return None;
        }
        end = start - 1;
    }
}

/// Spec IDs for a dependency list: never this spec, never one already listed, never one
/// that would close a cycle (a spec that already depends on this one, transitively).
fn spec_ids(
    ws: &Workspace,
    key: SpecKey,
    field: &str,
    typed: &str,
    replace: TextRange,
    out: &mut Completions,
) {
    let Some(me) = ws.get(key) else { return };
    let listed: HashSet<&str> = me
        .facts
        .deps()
        .iter()
        .chain(crate::model::facts::items(&me.facts.members))
        .map(|i| i.value.as_str())
        .collect();
    let mut excluded: HashSet<String> = HashSet::from([me.id.clone()]);
    if field == "depends_on" {
        // Everything that reaches this spec through depends_on: found through the
        // reverse index, so the cost is that subgraph, not the workspace.
        let mut queue = VecDeque::from([me.id.clone()]);
        while let Some(id) = queue.pop_front() {
            for (_, d) in ws.dependents(&id) {
                if excluded.insert(d.id.clone()) {
                    queue.push_back(d.id.clone());
                }
            }
        }
    }
    let needle = typed.to_lowercase();
    let wanted = |id: &str| -> Option<SpecKey> {
        if excluded.contains(id) || listed.contains(id) {
            return None;
        }
        let (k, f) = ws.resolve_exact(id)?;
        let hit = needle.is_empty()
            || id.contains(&needle)
            || f.title()
                .is_some_and(|t| t.to_lowercase().contains(&needle));
        hit.then_some(k)
    };
    // The same investigation first, then the whole workspace newest first (dated IDs
    // sort by date), stopping once the list is full: the cost is the list, not the
    // workspace.
    let mut chosen: Vec<(String, SpecKey)> = Vec::new();
    if let Some(n) = me.issue {
        let mut same: Vec<&str> = ws.issue_specs(n).map(|(_, f)| f.id.as_str()).collect();
        same.sort_unstable_by(|a, b| b.cmp(a));
        same.dedup();
        chosen.extend(
            same.into_iter()
                .filter_map(|id| wanted(id).map(|k| (id.to_string(), k))),
        );
    }
    for id in ws.ids_newest_first() {
        if chosen.len() > MAX_SPEC_ITEMS {
            break;
        }
        if chosen.iter().any(|(c, _)| c == id) {
            continue;
        }
        if let Some(k) = wanted(id) {
            chosen.push((id.to_string(), k));
        }
    }
    out.incomplete = chosen.len() > MAX_SPEC_ITEMS;
    for (i, (id, k)) in chosen.into_iter().take(MAX_SPEC_ITEMS).enumerate() {
        let Some(f) = ws.get(k) else { continue };
        out.items.push(Item {
            label: id.clone(),
            kind: ItemKind::Spec,
            detail: Some(format!(
                "{} ({})",
                f.title().unwrap_or("(no title)"),
                f.facts.status()
            )),
            documentation: Some(spec_card(ws, k)),
            insert: id,
            replace,
            sort: format!("{i:04}"),
            retrigger: false,
        });
    }
}

/// Files and folders of the repository, one directory level at a time.
fn paths(ws: &Workspace, typed: &str, replace: TextRange, out: &mut Completions) {
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let abs = ws.root.join(dir.trim_start_matches("./"));
    let mut entries = ws.fs.list(&abs).unwrap_or_default();
    entries.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (i, (path, is_dir)) in entries.into_iter().enumerate() {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let hidden_ok = prefix.starts_with('.') || name == ".chant" || dir.starts_with(".chant");
        if !name.starts_with(prefix)
            || name.starts_with('.') && !hidden_ok
            || name == ".git"
            || name == "target"
        {
            continue;
        }
        let full = format!("{dir}{name}{}", if is_dir { "/" } else { "" });
        out.items.push(Item {
            label: format!("{name}{}", if is_dir { "/" } else { "" }),
            kind: if is_dir {
                ItemKind::Folder
            } else {
                ItemKind::File
            },
            detail: None,
            documentation: None,
            insert: full,
            replace,
            sort: format!("{i:05}"),
            retrigger: is_dir,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(text: &str) -> Option<(Context, String)> {
        let offset = text.find('|').unwrap();
        let text = text.replace('|', "");
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        context(&text, line_start, &text[line_start..offset])
            .map(|(c, s)| (c, text[s..offset].to_string()))
    }

    #[test]
    fn cursor_contexts() {
        assert_eq!(ctx("---\nsta|"), Some((Context::Key, "sta".into())));
        assert_eq!(
            ctx("---\nstatus: com|"),
            Some((Context::Value("status".into()), "com".into()))
        );
        assert_eq!(
            ctx("---\ndepends_on: [a, 20|"),
            Some((Context::ListItem("depends_on".into()), "20".into()))
        );
        assert_eq!(
            ctx("---\ndepends_on:\n- a\n- 20|"),
            Some((Context::ListItem("depends_on".into()), "20".into()))
        );
        assert_eq!(
            ctx("---\nlabels:\n  - x\n  - |"),
            Some((Context::ListItem("labels".into()), "".into()))
        );
        assert_eq!(
            ctx("---\napproval:\n  status: ap|"),
            Some((Context::Value("approval.status".into()), "ap".into()))
        );
        assert_eq!(
            ctx("---\ninformed_by:\n- .chant/re|"),
            Some((Context::ListItem("informed_by".into()), ".chant/re".into()))
        );
    }
}
