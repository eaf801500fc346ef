//! Changing a spec's text. The edits are always computed on the exact text they are
//! applied to: the open buffer at its version (the editor refuses them if the buffer moved
//! on), or the file as read for the write (re-read just before replacing it).

use std::path::Path;

use crate::syntax::edit::{apply, Edit};

use super::Ctx;

/// Where a change should go when the spec is open in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    /// Into the open buffer, where the person reads it next and can undo it (a draft).
    Buffer,
    /// Onto disk, so it survives `:q!`: a record. Only an open buffer with unsaved edits
    /// gets it instead (writing the file would fork it from the buffer).
    Disk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The file on disk holds the change.
    Disk,
    /// The open buffer holds it, not saved yet.
    Buffer,
    /// There was nothing to change.
    Unchanged,
}

/// The spec's text as the person sees it: the open buffer, else the file.
pub fn current(ctx: &Ctx<'_>, path: &Path) -> Result<String, String> {
    match ctx.editor.buffer(path) {
        Some(b) => Ok(b.text),
        None => ctx
            .disk
            .read(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
    }
}

/// Applies the edits `change` computes on the spec's text.
pub async fn change(
    ctx: &Ctx<'_>,
    path: &Path,
    prefer: Prefer,
    change: &(dyn Fn(&str) -> Result<Vec<Edit>, String> + Sync),
) -> Result<Written, String> {
    let buffer = ctx.editor.buffer(path);
    let into_buffer = match (&buffer, prefer) {
        (Some(b), _) if b.dirty => true,
        (Some(_), Prefer::Buffer) => ctx.editor.can_edit(),
        _ => false,
    };
    if let (true, Some(b)) = (into_buffer, buffer) {
        if !ctx.editor.can_edit() {
            return Err("the spec has unsaved changes and this editor does not take edits from the server: save it, then run this again".into());
        }
        let edits = change(&b.text)?;
        if edits.is_empty() {
            return Ok(Written::Unchanged);
        }
        ctx.editor.edit(path, b.version, &b.text, edits).await?;
        return Ok(Written::Buffer);
    }
    // Twice at most: a file that changes between our read and our write is read again.
    for _ in 0..2 {
        let text = ctx
            .disk
            .read(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let edits = change(&text)?;
        if edits.is_empty() {
            return Ok(Written::Unchanged);
        }
        let new = apply(&text, &edits);
        if ctx.disk.read(path).ok().as_deref() != Some(text.as_str()) {
            continue;
        }
        ctx.disk
            .write(path, &new)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        ctx.editor.reload(vec![path.to_path_buf()]).await;
        return Ok(Written::Disk);
    }
    Err(format!(
        "{} kept changing while it was being written; try again",
        path.display()
    ))
}

/// Like [`change`], for a change written as the new text (None: leave it as it is); the
/// edit sent is the smallest one, so an editor keeps the cursor and marks outside it.
pub async fn rewrite(
    ctx: &Ctx<'_>,
    path: &Path,
    prefer: Prefer,
    f: &(dyn Fn(&str) -> Result<Option<String>, String> + Sync),
) -> Result<Written, String> {
    change(ctx, path, prefer, &|text| {
        Ok(f(text)?
            .map(|new| smallest_edit(text, &new))
            .into_iter()
            .flatten()
            .collect())
    })
    .await
}

/// One edit turning `old` into `new`: the part between their common prefix and suffix
/// (cut at character boundaries); None when they are equal.
pub fn smallest_edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((i, _), _)| i);
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix = old
        .chars()
        .rev()
        .zip(new.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .scan(0, |sum, n| {
            *sum += n;
            Some(*sum)
        })
        .take_while(|s| *s <= max_suffix)
        .last()
        .unwrap_or(0);
    let range = crate::syntax::TextRange::new(prefix, old.len() - suffix);
    let replacement = new.get(prefix..new.len() - suffix)?;
    Some(Edit::replace(range, replacement))
}

#[cfg(test)]
mod tests {
    use super::smallest_edit;
    use crate::syntax::edit::apply;

    #[test]
    fn smallest_edit_turns_old_into_new() {
        for (old, new) in [
            ("abc", "abXc"),
            ("aaaa", "aa"),
            ("aa", "aaaa"),
            ("héllo wörld", "héllo, wörld!"),
            ("", "x"),
            ("x", ""),
            ("ab€", "a€"),
            ("line\nPR: 1\nend", "line\nPR: 2\nStatus: ok\nend"),
        ] {
            let e = smallest_edit(old, new).expect("differs");
            assert_eq!(
                apply(old, std::slice::from_ref(&e)),
                new,
                "{old:?} -> {new:?}"
            );
            assert!(e.range.end() - e.range.start() <= old.len());
        }
        assert_eq!(smallest_edit("same", "same"), None);
        let e = smallest_edit("title: a\nbody", "title: b\nbody").unwrap();
        assert_eq!(
            (e.range.start(), e.range.end(), e.new_text.as_str()),
            (7, 8, "b")
        );
    }
}
