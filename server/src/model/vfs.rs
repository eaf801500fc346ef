//! The filesystem as the model sees it: a small interface so tests can replace it.

use std::io;
use std::path::{Path, PathBuf};

/// Files bigger than this are not indexed; a spec is a page, not a data set.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub trait Fs: Send + Sync {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    fn exists(&self, path: &Path) -> bool;
    /// Entries of a directory: (path, is_dir). Symlinks are followed.
    fn list(&self, dir: &Path) -> io::Result<Vec<(PathBuf, bool)>>;
    /// A directory's real identity, the same through every symlink that reaches it, so a
    /// walk visits it once (a link loop ends). None where there are no links (memory).
    fn dir_id(&self, _dir: &Path) -> Option<DirId> {
        None
    }
    /// The path with every symlink resolved, to keep walks inside the workspace.
    fn real_path(&self, path: &Path) -> Option<PathBuf> {
        Some(path.to_path_buf())
    }
    /// A small file's bytes, or an error when it holds more than `max` (an agent's lock
    /// is a PID: a huge file there is not chant's and is not read whole).
    fn read_at_most(&self, path: &Path, max: u64) -> io::Result<Vec<u8>> {
        let bytes = self.read(path)?;
        if bytes.len() as u64 > max {
            return Err(io::Error::other(format!("larger than {max} bytes")));
        }
        Ok(bytes)
    }
    /// When the file was last written; None where unknown (memory).
    fn modified(&self, _path: &Path) -> Option<std::time::SystemTime> {
        None
    }
}

/// Device and inode of a directory.
pub type DirId = (u64, u64);

#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl Fs for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        use std::io::Read;
        // A FIFO or device would block or never end: only regular files are read (the
        // stat follows symlinks, so a linked spec is read like any other).
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        let len = meta.len();
        if len > MAX_FILE_BYTES {
            return Err(io::Error::other(format!(
                "file is {} MB, larger than the {} MB chant-lsp reads",
                len / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        let file = std::fs::File::open(path)?;
        // Room for the known size (not zeroed first), then reading to the end: one more
        // read sees the end, or what the file grew meanwhile (a `Take` has no size hint,
        // so there is no second stat or seek).
        let mut buf = Vec::with_capacity(len as usize);
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf)?;
        if (buf.len() as u64) < len {
            // It shrank meanwhile: as `read_exact` of the size it had reports it.
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "failed to fill whole buffer",
            ));
        }
        Ok(buf)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn read_at_most(&self, path: &Path, max: u64) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() || meta.len() > max {
            return Err(io::Error::other(format!(
                "not a regular file of at most {max} bytes"
            )));
        }
        let mut buf = Vec::new();
        std::fs::File::open(path)?
            .take(max + 1)
            .read_to_end(&mut buf)?;
        if buf.len() as u64 > max {
            return Err(io::Error::other(format!("larger than {max} bytes")));
        }
        Ok(buf)
    }

    fn modified(&self, path: &Path) -> Option<std::time::SystemTime> {
        std::fs::metadata(path).ok()?.modified().ok()
    }

    fn dir_id(&self, dir: &Path) -> Option<DirId> {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
    }

    fn real_path(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<(PathBuf, bool)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let Ok(entry) = entry else { continue };
            // The directory entry knows its type (no stat, which in a folder of 10,000
            // specs costs more than the listing); only a link is followed to its target.
            let is_dir = match entry.file_type() {
                Ok(t) if t.is_symlink() => {
                    std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir())
                }
                Ok(t) => t.is_dir(),
                Err(_) => false,
            };
            out.push((entry.file_name(), is_dir));
        }
        // By name: every entry shares `dir`, so this is the paths' order, without
        // comparing them component by component.
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(out
            .into_iter()
            .map(|(name, is_dir)| (dir.join(name), is_dir))
            .collect())
    }
}

/// Decodes a file's bytes the way chant's `read_to_string` accepts them.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (first bad byte at offset {}): chant cannot read this spec",
            e.utf8_error().valid_up_to()
        )
    })
}

/// An in-memory filesystem for tests and benchmarks.
#[derive(Debug, Default)]
pub struct MemFs {
    files: std::sync::RwLock<std::collections::BTreeMap<PathBuf, Vec<u8>>>,
}

impl MemFs {
    pub fn new(files: impl IntoIterator<Item = (PathBuf, String)>) -> MemFs {
        let fs = MemFs::default();
        for (p, t) in files {
            fs.write(&p, t.into_bytes());
        }
        fs
    }

    pub fn write(&self, path: &Path, bytes: Vec<u8>) {
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), bytes);
    }

    pub fn remove(&self, path: &Path) {
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path);
    }
}

impl Fs for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not found"))
    }

    fn exists(&self, path: &Path) -> bool {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files.keys().any(|p| p.starts_with(path))
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<(PathBuf, bool)>> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<(PathBuf, bool)> = Vec::new();
        for p in files.keys() {
            let Ok(rest) = p.strip_prefix(dir) else {
                continue;
            };
            let Some(first) = rest.components().next() else {
                continue;
            };
            let child = dir.join(first);
            let is_dir = rest.components().count() > 1;
            if !out.iter().any(|(c, _)| *c == child) {
                out.push((child, is_dir));
            }
        }
        if out.is_empty() && !files.keys().any(|p| p.starts_with(dir)) {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no such directory"));
        }
        Ok(out)
    }
}
