//! Archiving specs like `chant archive`, from the editor, losing nothing: validate
//! everything first, move without ever overwriting, stage the move like `git mv`, and undo
//! the move when git refuses.

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{id, Location, SpecKey, Workspace};

use super::git::{self, Staged};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub id: String,
    pub from: PathBuf,
    pub to: PathBuf,
}

/// Where chant puts an archived spec: `archive/<first 10 characters of the ID>/<ID>.md`.
pub fn destination(ws: &Workspace, spec_id: &str) -> Option<PathBuf> {
    let folder = id::archive_folder(spec_id)?;
    Some(
        ws.chant_dir()
            .join("archive")
            .join(folder)
            .join(format!("{spec_id}.md")),
    )
}

fn done(status: &str) -> bool {
    matches!(status, "completed" | "cancelled")
}

/// The moves that archive `key` (members first, then their driver), or why not.
/// `anyway` lets a spec that is not completed go; nothing else is relaxed.
/// `dirty(path)` tells whether the editor holds unsaved changes for that file.
pub fn plan(
    ws: &Workspace,
    key: SpecKey,
    anyway: bool,
    dirty: &dyn Fn(&Path) -> bool,
) -> Result<Vec<Move>, String> {
    let spec = ws
        .get(key)
        .ok_or("this spec is no longer in the workspace")?;
    if spec.location != Location::Active {
        return Err(format!("`{}` is already archived", spec.id));
    }
    let status = spec.facts.status();
    if !done(status) && !anyway {
        return Err(format!(
            "`{}` is `{status}`, not completed; use \"Archive anyway\" to archive it as it is",
            spec.id
        ));
    }
    let mut group: Vec<&crate::model::SpecFile> = ws
        .members_of(&spec.id)
        .map(|(_, m)| m)
        .filter(|m| m.location == Location::Active)
        .collect();
    group.sort_by_key(|m| (id::member_number(&m.id), m.id.clone()));
    if let Some(m) = group.iter().find(|m| !done(m.facts.status())) {
        return Err(format!("member `{}` of `{}` is `{}`: a driver is archived with all its members, once they are done", m.id, spec.id, m.facts.status()));
    }
    group.push(spec);
    let mut moves = Vec::new();
    for s in group {
        if dirty(&s.path) {
            return Err(format!(
                "`{}` has unsaved changes in the editor; save or revert them first",
                s.id
            ));
        }
        let to = destination(ws, &s.id).ok_or_else(|| format!("`{}` is shorter than 10 characters: chant's archive layout needs a date-sized prefix", s.id))?;
        if ws.fs.exists(&to) {
            return Err(format!(
                "{} already exists; archiving never overwrites",
                ws.rel(&to)
            ));
        }
        moves.push(Move {
            id: s.id.clone(),
            from: s.path.clone(),
            to,
        });
    }
    check_branch(ws, spec)?;
    Ok(moves)
}

/// A spec's work branch must be merged before its spec is archived (as chant checks).
fn check_branch(ws: &Workspace, spec: &crate::model::SpecFile) -> Result<(), String> {
    let Some(branch) = spec.scalar("branch") else {
        return Ok(());
    };
    let main = &ws.config.main_branch;
    if branch == main {
        return Ok(());
    }
    let Some(repo) = git::open(&ws.root) else {
        return Ok(());
    };
    match git::is_merged(&repo, branch, main) {
        Some(false) => Err(format!(
            "the work branch `{branch}` of `{}` is not merged into `{main}`; merge it first",
            spec.id
        )),
        _ => Ok(()),
    }
}

/// What happened, for the person.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub archived: Vec<(String, PathBuf, Staged)>,
    /// The failure, and what was done about it.
    pub failure: Option<String>,
}

/// Moves the files (unless the editor already did: `already_moved`) and stages each move.
/// If staging fails, the file is moved back; a spec is never left nowhere.
pub fn execute(ws_root: &Path, moves: &[Move], already_moved: bool) -> Outcome {
    let mut out = Outcome::default();
    let repo = git::open(ws_root);
    for m in moves {
        if !already_moved {
            if let Err(e) = move_file(&m.from, &m.to) {
                out.failure = Some(format!(
                    "could not move `{}`: {e}; it was not touched",
                    m.id
                ));
                return out;
            }
        }
        let staged = match &repo {
            None => Ok(Staged::Untracked),
            Some(r) => git::stage_move(r, &m.from, &m.to),
        };
        match staged {
            Ok(s) => out.archived.push((m.id.clone(), m.to.clone(), s)),
            Err(e) => {
                let undo = if already_moved {
                    Err(io::Error::other("the editor moved it"))
                } else {
                    move_file(&m.to, &m.from).map(|()| remove_empty_dir(&m.to))
                };
                out.failure = Some(match undo {
                    Ok(()) => format!("git could not stage the move of `{}` ({e}); the file was moved back, nothing changed for it", m.id),
                    Err(_) => format!(
                        "git could not stage the move of `{}` ({e}); the file is at {}, unstaged: run `git add -A .chant` when git is free",
                        m.id,
                        m.to.display()
                    ),
                });
                return out;
            }
        }
    }
    out
}

/// Moves a file without ever replacing an existing one: a hard link fails atomically if the
/// destination exists; where links are not possible, check then rename.
pub fn move_file(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::hard_link(from, to) {
        Ok(()) => std::fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            if to.exists() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "destination exists",
                ));
            }
            std::fs::rename(from, to)
        }
    }
}

fn remove_empty_dir(file: &Path) {
    if let Some(dir) = file.parent() {
        let _ = std::fs::remove_dir(dir); // only succeeds when empty
    }
}

/// The completed specs of issue `n`, for "Archive investigation", members before drivers.
pub fn investigation(ws: &Workspace, n: u64) -> Vec<SpecKey> {
    let mut keys: Vec<SpecKey> = ws
        .issue_specs(n)
        .filter(|(_, f)| {
            f.location == Location::Active
                && done(f.facts.status())
                && id::driver_of(&f.id).is_none()
        })
        .map(|(k, _)| k)
        .collect();
    keys.sort_by_key(|k| ws.get(*k).map(|f| f.id.clone()));
    keys
}
