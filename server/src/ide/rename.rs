//! Renaming a spec ID: its file (and its members' files) and every reference to it, as one
//! plan the protocol layer turns into one undoable workspace edit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::schema::Role;
use crate::model::{SpecKey, Workspace};
use crate::syntax::edit::Edit;
use crate::syntax::TextRange;

use super::navigation::subject;
use super::query::{target_at, Target};

#[derive(Debug, Default, PartialEq)]
pub struct RenamePlan {
    /// Text edits per file, in the files' current text.
    pub edits: BTreeMap<PathBuf, Vec<Edit>>,
    /// File moves, applied after the edits.
    pub renames: Vec<(PathBuf, PathBuf)>,
}

/// The range to show in the rename box and the current ID.
pub fn prepare(ws: &Workspace, key: SpecKey, offset: usize) -> Option<(TextRange, String)> {
    let f = ws.get(key)?;
    let id = subject(ws, key, offset)?;
    ws.resolve_exact(&id)?;
    let range = match target_at(f, offset)? {
        Target::SpecRef { range, .. } | Target::Title { range } | Target::Path { range, .. } => {
            range
        }
        _ => return None,
    };
    Some((range, id))
}

pub fn rename(ws: &Workspace, old: &str, new: &str) -> Result<RenamePlan, String> {
    let new = new.trim().trim_end_matches(".md");
    if new.is_empty() || new.contains(['/', '\\', ':']) || new.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{new}` is not a usable spec ID (no spaces, slashes or colons)"
        ));
    }
    if new == old {
        return Ok(RenamePlan::default());
    }
    let Some((_, spec)) = ws.resolve_exact(old) else {
        return Err(format!("no spec has the ID `{old}`"));
    };
    if ws.by_id(new).next().is_some() {
        return Err(format!("a spec with the ID `{new}` already exists"));
    }
    let mut pairs = vec![(spec.id.clone(), new.to_string(), spec.path.clone())];
    for (_, m) in ws.members_of(old) {
        pairs.push((
            m.id.clone(),
            format!("{new}{}", &m.id[old.len()..]),
            m.path.clone(),
        ));
    }
    let mut plan = RenamePlan::default();
    for (a, b, path) in &pairs {
        let to = path.with_file_name(format!("{b}.md"));
        if ws.fs.exists(&to) {
            return Err(format!("{} already exists", ws.rel(&to)));
        }
        let old_rel = ws.rel(path);
        let new_rel = ws.rel(&to);
        add_edits(
            &mut plan,
            reference_edits(ws, a, Some(b), &old_rel, &new_rel),
        );
        plan.renames.push((path.clone(), to));
    }
    Ok(plan)
}

/// The editor moved or renamed a spec file itself: the references to follow it.
pub fn will_rename_file(ws: &Workspace, from: &Path, to: &Path) -> RenamePlan {
    let mut plan = RenamePlan::default();
    let Some(f) = ws.key_of(from).and_then(|k| ws.get(k)) else {
        return plan;
    };
    let new_id = to
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|_| to.extension().is_some_and(|e| e == "md"));
    let new_id = new_id.filter(|n| *n != f.id);
    add_edits(
        &mut plan,
        reference_edits(ws, &f.id, new_id.as_deref(), &f.rel, &ws.rel(to)),
    );
    plan
}

fn add_edits(plan: &mut RenamePlan, edits: Vec<(PathBuf, Edit)>) {
    for (p, e) in edits {
        let list = plan.edits.entry(p).or_default();
        if !list.contains(&e) {
            list.push(e);
        }
    }
}

/// Edits that make references to `old` (by ID, and by path `old_rel`) name the new
/// ID / path. `new_id` None keeps IDs (a move that keeps the file name).
fn reference_edits(
    ws: &Workspace,
    old: &str,
    new_id: Option<&str>,
    old_rel: &str,
    new_rel: &str,
) -> Vec<(PathBuf, Edit)> {
    let mut out = Vec::new();
    for k in ws.referencing(old, Some(old_rel)) {
        let Some(f) = ws.get(k) else { continue };
        let mut push =
            |range: TextRange, text: &str| out.push((f.path.clone(), Edit::replace(range, text)));
        if let Some(new) = new_id {
            for r in f.refs_of(Role::SpecIds).filter(|r| r.item.value == old) {
                push(r.item.unquoted(), new);
            }
            for m in f.syntax.body.id_mentions.iter().filter(|m| m.id == old) {
                push(m.range, new);
            }
        }
        if old_rel != new_rel {
            for (r, _) in f.named_paths().filter(|(_, p)| p == old_rel) {
                push(r.item.unquoted(), new_rel);
            }
        }
    }
    out
}
