//! Test fixtures: a multi-file workspace written inline, rust-analyzer style.
//!
//! ```text
//! //- .chant/specs/a.md
//! ---
//! depends_on: [b$0]
//! ---
//! ```
//! `$0` marks the cursor (at most one, removed from the text).

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::vfs::MemFs;
use crate::model::{SpecKey, Workspace};

pub const ROOT: &str = "/repo";

pub fn root() -> PathBuf {
    PathBuf::from(ROOT)
}

/// The files of a fixture, cursor marker still in place.
pub fn parse_fixture(fixture: &str) -> Vec<(PathBuf, String)> {
    fixture
        .split("//- ")
        .skip(1)
        .map(|chunk| {
            let (path, text) = chunk.split_once('\n').unwrap_or((chunk, ""));
            (root().join(path.trim()), text.to_string())
        })
        .collect()
}

pub fn load(fixture: &str) -> Workspace {
    Workspace::load(root(), Arc::new(MemFs::new(parse_fixture(fixture))))
}

/// The workspace, the spec holding `$0`, and the cursor's byte offset in it.
pub fn load_with_cursor(fixture: &str) -> (Workspace, SpecKey, usize) {
    let mut files = parse_fixture(fixture);
    let mut cursor = None;
    for (path, text) in &mut files {
        if let Some(i) = text.find("$0") {
            text.replace_range(i..i + 2, "");
            cursor = Some((path.clone(), i));
        }
    }
    let (path, offset) = cursor.expect("fixture has a $0 cursor");
    let ws = Workspace::load(root(), Arc::new(MemFs::new(files)));
    let key = ws.key_of(&path).expect("cursor in a spec");
    (ws, key, offset)
}
