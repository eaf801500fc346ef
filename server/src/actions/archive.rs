//! Where chant archives a spec, and a move that never overwrites; the archive flows
//! themselves (plan, confirm, all or nothing) are in `flows::archive`.

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{id, Location, SpecFile, Workspace};

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

/// A spec with its active members, members first (by number), as chant moves them.
pub fn with_members<'a>(ws: &'a Workspace, spec: &'a SpecFile) -> Vec<&'a SpecFile> {
    let mut g: Vec<&SpecFile> = ws
        .members_of(&spec.id)
        .map(|(_, m)| m)
        .filter(|m| m.location == Location::Active)
        .collect();
    g.sort_by_key(|m| (id::member_number(&m.id), m.id.clone()));
    g.push(spec);
    g
}

/// The specs "Archive investigation #n" moves: every active driver or lone spec of the
/// issue, by ID, each with its active members (which may not carry the issue's label).
/// The action's title counts these, so it names what the flow archives.
pub fn investigation(ws: &Workspace, n: u64) -> Vec<&SpecFile> {
    let mut drivers: Vec<&SpecFile> = ws
        .issue_specs(n)
        .map(|(_, f)| f)
        .filter(|f| f.location == Location::Active && id::driver_of(&f.id).is_none())
        .collect();
    drivers.sort_by(|a, b| a.id.cmp(&b.id));
    let mut specs: Vec<&SpecFile> = Vec::new();
    for d in drivers {
        for s in with_members(ws, d) {
            if !specs.iter().any(|x| x.id == s.id) {
                specs.push(s);
            }
        }
    }
    specs
}
