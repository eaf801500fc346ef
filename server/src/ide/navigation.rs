//! Go to definition and find references.

use crate::model::schema::Role;
use crate::model::{SpecKey, Workspace};
use crate::syntax::TextRange;

use super::query::{target_at, Target};
use super::{spec_anchor, FileRange};

pub fn definition(ws: &Workspace, key: SpecKey, offset: usize) -> Option<FileRange> {
    let f = ws.get(key)?;
    match target_at(f, offset)? {
        Target::SpecRef { id, .. } => {
            super::resolve_ref(ws, key, &id).map(|(_, t, _)| spec_anchor(t))
        }
        Target::Path { path, .. } => {
            if path.contains("://") || path.contains(['*', '?', '[', '{']) {
                return None;
            }
            if let Some((_, t)) = ws.by_rel(&path) {
                return Some(spec_anchor(t));
            }
            ws.file_exists(&path).then(|| FileRange {
                path: ws.root.join(path.trim_start_matches("./")),
                range: TextRange::empty(0),
            })
        }
        _ => None,
    }
}

/// The spec ID a references/rename request is about: a reference under the cursor, or
/// this spec itself when the cursor is on its title.
pub fn subject(ws: &Workspace, key: SpecKey, offset: usize) -> Option<String> {
    let f = ws.get(key)?;
    match target_at(f, offset)? {
        Target::SpecRef { id, .. } => Some(id),
        Target::Title { .. } => Some(f.id.clone()),
        Target::Path { path, .. } => ws.by_rel(&path).map(|(_, t)| t.id.clone()),
        _ => None,
    }
}

/// Every place that names spec `id`: `depends_on`, `members`, paths to its file, and
/// full IDs in bodies, across active and archived specs.
pub fn references(ws: &Workspace, id: &str, include_declaration: bool) -> Vec<FileRange> {
    let mut out = Vec::new();
    let target = ws.resolve_exact(id);
    let rel = target.map(|(_, t)| t.rel.clone());
    for k in ws.referencing(id, rel.as_deref()) {
        let Some(f) = ws.get(k) else { continue };
        let mut ranges: Vec<TextRange> = Vec::new();
        // Every spec-ID field and every path field, as the field table says.
        ranges.extend(
            f.refs_of(Role::SpecIds)
                .filter(|r| r.item.value == id)
                .map(|r| r.item.unquoted()),
        );
        if let Some(rel) = &rel {
            ranges.extend(
                f.named_paths()
                    .filter(|(_, p)| p == rel)
                    .map(|(r, _)| r.item.unquoted()),
            );
        }
        ranges.extend(
            f.syntax
                .body
                .id_mentions
                .iter()
                .filter(|m| m.id == id)
                .map(|m| m.range),
        );
        ranges.sort();
        ranges.dedup();
        out.extend(ranges.into_iter().map(|range| FileRange {
            path: f.path.clone(),
            range,
        }));
    }
    if include_declaration {
        if let Some((_, t)) = target {
            out.insert(0, spec_anchor(t));
        }
    }
    out
}
