//! Call hierarchy over `depends_on`: incoming calls are a spec's dependents, outgoing
//! calls its dependencies, so editors walk the graph as far as the person wants.

use crate::model::{SpecKey, Workspace};
use crate::syntax::TextRange;

use super::query::{target_at, Target};
use super::{resolve_ref, spec_anchor};

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub key: SpecKey,
    pub id: String,
    pub name: String,
    /// `id · status`.
    pub detail: String,
    pub path: std::path::PathBuf,
    /// The whole spec.
    pub range: TextRange,
    /// Its title (the start of the file without one).
    pub selection: TextRange,
}

pub fn item(ws: &Workspace, key: SpecKey) -> Option<Item> {
    let f = ws.get(key)?;
    let anchor = spec_anchor(f);
    Some(Item {
        key,
        id: f.id.clone(),
        name: f.title().unwrap_or(&f.id).to_string(),
        detail: format!("{} · {}", f.id, f.facts.status()),
        path: f.path.clone(),
        range: TextRange::new(0, f.text_len()),
        selection: anchor.range,
    })
}

/// On a spec ID (exact, or a short one that means one spec) or on this spec's title.
pub fn prepare(ws: &Workspace, key: SpecKey, offset: usize) -> Option<Item> {
    let f = ws.get(key)?;
    match target_at(f, offset)? {
        Target::SpecRef { id, .. } => resolve_ref(ws, key, &id).and_then(|(k, _, _)| item(ws, k)),
        Target::Title { .. } => item(ws, key),
        _ => None,
    }
}

/// A neighbour in the graph with the `depends_on` entries that link the two, in the
/// caller's file (the dependent for incoming, this spec for outgoing), as LSP wants.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub item: Item,
    pub from_ranges: Vec<TextRange>,
}

/// The specs whose `depends_on` names this one.
pub fn incoming(ws: &Workspace, key: SpecKey) -> Vec<Call> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let mut out: Vec<Call> = ws
        .dependents(&f.id)
        .filter_map(|(k, d)| {
            let from_ranges = d
                .facts
                .deps()
                .iter()
                .filter(|i| i.value == f.id)
                .map(|i| i.unquoted())
                .collect();
            Some(Call {
                item: item(ws, k)?,
                from_ranges,
            })
        })
        .collect();
    out.sort_by(|a, b| a.item.id.cmp(&b.item.id));
    out
}

/// The specs this one's `depends_on` names (a short ID counts as the spec it means).
pub fn outgoing(ws: &Workspace, key: SpecKey) -> Vec<Call> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let mut out: Vec<Call> = Vec::new();
    for d in f.facts.deps() {
        let Some((k, _, _)) = resolve_ref(ws, key, &d.value) else {
            continue;
        };
        let range = d.unquoted();
        match out.iter_mut().find(|c| c.item.key == k) {
            Some(c) => c.from_ranges.push(range),
            None => {
                if let Some(item) = item(ws, k) {
                    out.push(Call {
                        item,
                        from_ranges: vec![range],
                    })
                }
            }
        }
    }
    out
}
