//! Where chant archives a spec, and a move that never overwrites; the archive flows
//! themselves (plan, confirm, all or nothing) are in `flows::archive`.

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{id, Location, SpecKey, Workspace};

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

/// The specs "Archive investigation #n" moves: every active spec of the issue.
pub fn investigation(ws: &Workspace, n: u64) -> Vec<SpecKey> {
    let mut keys: Vec<SpecKey> = ws
        .issue_specs(n)
        .filter(|(_, f)| f.location == Location::Active)
        .map(|(k, _)| k)
        .collect();
    keys.sort_by_key(|k| ws.get(*k).map(|f| f.id.clone()));
    keys
}
