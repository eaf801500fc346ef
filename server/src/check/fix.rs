//! `check --fix` and `--diff`: the quick fixes the rules attach to their diagnostics (the
//! same edits the editor's code actions apply), chosen without a person's judgement.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostics::{self, Fix};
use crate::model::{Location, SpecKey, Workspace};
use crate::syntax::edit::{self, Edit};

/// Fixing one finding can reveal the next (a BOM hides the frontmatter's tabs): re-check
/// and fix again, at most this many times.
const MAX_PASSES: usize = 8;

/// One applied fix, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// 1-based line in the text the fix was applied to.
    pub line: usize,
    pub code: &'static str,
    pub title: String,
}

/// A file the fixes changed: its text before and after.
#[derive(Debug)]
pub struct Changed {
    pub path: PathBuf,
    pub rel: String,
    pub before: String,
    pub after: String,
    pub applied: Vec<Applied>,
}

/// The fix `--fix` may take for a diagnostic: the only one offered, and safe unless
/// `--unsafe-fixes`; never one that deletes a file (those are the editor's).
fn chosen(fixes: &[Fix], unsafe_fixes: bool) -> Option<&Fix> {
    match fixes {
        [only] if (only.safe || unsafe_fixes) && only.delete.is_none() => Some(only),
        _ => None,
    }
}

/// A fix chosen for a spec: what the report says, and its edits.
type Planned = (Applied, Vec<Edit>);

/// Non-overlapping fixes for one spec's current text; overlapping ones wait for the next
/// pass (after a re-check, on the new text).
fn plan(ws: &Workspace, key: SpecKey, unsafe_fixes: bool) -> Vec<Planned> {
    let Some(file) = ws.get(key) else {
        return Vec::new();
    };
    if file.read_error.is_some() {
        return Vec::new();
    }
    let Some(src) = file.source() else {
        return Vec::new();
    };
    let text = src.text();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for d in diagnostics::check_spec_files(ws, key) {
        let Some(fix) = chosen(&d.fixes, unsafe_fixes) else {
            continue;
        };
        let spans: Vec<(usize, usize)> = fix
            .edits
            .iter()
            .map(|e| (e.range.start(), e.range.end()))
            .collect();
        let valid = spans
            .iter()
            .all(|&(s, e)| s <= e && text.get(s..e).is_some());
        let overlaps = spans.iter().any(|&a| taken.iter().any(|&b| conflict(a, b)));
        if !valid || overlaps {
            continue;
        }
        taken.extend(spans);
        let at = d.range.start().min(text.len());
        let line = text.get(..at).map_or(0, |t| t.matches('\n').count()) + 1;
        out.push((
            Applied {
                line,
                code: d.code,
                title: fix.title.clone(),
            },
            fix.edits.clone(),
        ));
    }
    out
}

/// Whether two edits' spans touch the same text: an overlap, the same start, or an
/// insertion strictly inside the other.
fn conflict((s, e): (usize, usize), (ts, te): (usize, usize)) -> bool {
    (s < te && ts < e) || s == ts || (s == e && ts < s && s < te) || (ts == te && s < ts && ts < e)
}

/// Applies the fixes in memory (the workspace is updated, so the findings reported
/// afterwards are those that remain) and returns the files that changed, in path order.
pub fn fix_all(ws: &mut Workspace, include_archive: bool, unsafe_fixes: bool) -> Vec<Changed> {
    let mut changed: Vec<Changed> = Vec::new();
    for _ in 0..MAX_PASSES {
        let mut keys: Vec<(SpecKey, String)> = ws
            .specs()
            .filter(|(_, f)| include_archive || f.location == Location::Active)
            .map(|(k, f)| (k, f.rel.clone()))
            .collect();
        keys.sort_by(|a, b| a.1.cmp(&b.1));
        let plans: Vec<(SpecKey, Vec<Planned>)> = {
            let ws = &*ws;
            crate::par::flat_map(&keys, |(key, _)| {
                let p = plan(ws, *key, unsafe_fixes);
                (!p.is_empty()).then_some((*key, p))
            })
        };
        let mut progressed = false;
        for (key, fixes) in plans {
            let Some(file) = ws.get(key) else { continue };
            let Some(src) = file.source() else { continue };
            let (path, rel, before) = (file.path.clone(), file.rel.clone(), src.text().to_string());
            let edits: Vec<Edit> = fixes.iter().flat_map(|(_, e)| e.clone()).collect();
            let after = edit::apply(&before, &edits);
            if after == before {
                // A fix that changes nothing would be "applied" again on every pass.
                continue;
            }
            let applied = fixes.into_iter().map(|(a, _)| a);
            match changed.iter_mut().find(|c| c.path == path) {
                Some(c) => {
                    c.after.clone_from(&after);
                    c.applied.extend(applied);
                }
                None => changed.push(Changed {
                    path: path.clone(),
                    rel,
                    before,
                    after: after.clone(),
                    applied: applied.collect(),
                }),
            }
            ws.update(&path, Some(after));
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    changed.retain(|c| c.before != c.after);
    changed.sort_by(|a, b| a.rel.cmp(&b.rel));
    changed
}

/// Writes `text` to `path` atomically: a temporary file in the same directory, renamed
/// over the original (keeping its permissions). Refuses when the file on disk is no
/// longer `expected`, so an edit made meanwhile is never lost.
pub fn write_atomically(path: &Path, expected: &str, text: &str) -> io::Result<()> {
    // A linked spec: replace the file the link points to, not the link.
    let path = &std::fs::canonicalize(path)?;
    let on_disk = std::fs::read(path)?;
    if on_disk != expected.as_bytes() {
        return Err(io::Error::other(
            "the file changed while it was being checked",
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "spec".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.chant-lsp-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A unified diff of one changed file, paths as `a/<rel>` and `b/<rel>` like git.
pub fn unified_diff(c: &Changed) -> String {
    similar::TextDiff::from_lines(&c.before, &c.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", c.rel), &format!("b/{}", c.rel))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::model::vfs::MemFs;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        let root = PathBuf::from("/w");
        let fs = MemFs::new(files.iter().map(|(p, t)| (root.join(p), t.to_string())));
        Workspace::load(root, Arc::new(fs))
    }

    const DEP: &str = "---\ntype: code\n---\n# Dep\n";

    #[test]
    fn safe_fixes_apply_and_guesses_wait_for_unsafe_fixes() {
        let files = [
            (".chant/specs/2026-01-01-001-abc.md", DEP),
            (
                ".chant/specs/2026-01-01-002-def.md",
                "\u{feff}---\nstatus: complet\ndepends_on: [001-abc]\n---\n# Uses\n",
            ),
        ];
        let mut w = ws(&files);
        let changed = fix_all(&mut w, false, false);
        assert_eq!(changed.len(), 1);
        let c = &changed[0];
        assert_eq!(
            c.after,
            "---\nstatus: complet\ndepends_on: [2026-01-01-001-abc]\n---\n# Uses\n"
        );
        let codes: Vec<&str> = c.applied.iter().map(|a| a.code).collect();
        assert_eq!(codes, ["byte-order-mark", "inexact-dependency-id"]);
        // The did-you-mean `completed` is a guess.
        let mut w = ws(&files);
        let changed = fix_all(&mut w, false, true);
        assert!(
            changed[0].after.starts_with("---\nstatus: completed\n"),
            "{}",
            changed[0].after
        );
    }

    #[test]
    fn tabs_become_spaces_and_clean_files_are_untouched() {
        let mut w = ws(&[
            (".chant/specs/2026-01-01-001-abc.md", DEP),
            (
                ".chant/specs/2026-01-01-002-def.md",
                "---\nlabels:\n\t- a\n---\n# Tabs\n",
            ),
        ]);
        let changed = fix_all(&mut w, false, false);
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!(changed[0].rel, ".chant/specs/2026-01-01-002-def.md");
        assert_eq!(changed[0].after, "---\nlabels:\n  - a\n---\n# Tabs\n");
        let diff = unified_diff(&changed[0]);
        assert!(diff.contains("-\t- a\n+  - a\n"), "{diff}");
        assert!(
            diff.starts_with("--- a/.chant/specs/2026-01-01-002-def.md\n+++ b/"),
            "{diff}"
        );
    }

    #[test]
    fn ambiguous_fixes_are_never_chosen() {
        let fixes = vec![
            Fix {
                title: "a".into(),
                edits: vec![],
                safe: true,
                delete: None,
            },
            Fix {
                title: "b".into(),
                edits: vec![],
                safe: true,
                delete: None,
            },
        ];
        assert!(chosen(&fixes, true).is_none());
        assert!(chosen(&fixes[..1], false).is_some());
        let guess = [Fix {
            title: "g".into(),
            edits: vec![],
            safe: false,
            delete: None,
        }];
        assert!(chosen(&guess, false).is_none());
        assert!(chosen(&guess, true).is_some());
        let delete = [Fix {
            title: "d".into(),
            edits: vec![],
            safe: true,
            delete: Some(PathBuf::from("/r/.chant/.locks/x.lock")),
        }];
        assert!(chosen(&delete, true).is_none());
    }

    #[test]
    fn atomic_write_refuses_a_file_changed_meanwhile() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.md");
        std::fs::write(&p, "old").expect("write");
        assert!(write_atomically(&p, "other", "new").is_err());
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "old");
        write_atomically(&p, "old", "new").expect("write");
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "new");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.md");
            std::os::unix::fs::symlink(&p, &link).expect("symlink");
            write_atomically(&link, "new", "newer").expect("write");
            assert!(std::fs::symlink_metadata(&link).expect("stat").is_symlink());
            assert_eq!(std::fs::read_to_string(&p).expect("read"), "newer");
        }
    }
}
