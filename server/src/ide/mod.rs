//! Editor features, one module per request, each a function of the workspace model and
//! a position, returning plain data in byte ranges. No protocol types here.

pub mod actions;
pub mod completion;
pub mod hints;
pub mod hover;
pub mod navigation;
pub mod outline;
pub mod query;
pub mod rename;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crate::model::readiness::{readiness, Readiness};
use crate::model::{Location, SpecFile, SpecKey, Workspace};
use crate::syntax::TextRange;

/// A range in some file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRange {
    pub path: PathBuf,
    pub range: TextRange,
}

/// Where to land in a spec: its title line, else the start of the file.
pub fn spec_anchor(f: &SpecFile) -> FileRange {
    FileRange {
        path: f.path.clone(),
        range: f
            .syntax
            .body
            .title
            .as_ref()
            .map_or_else(|| TextRange::empty(0), |t| t.range),
    }
}

/// `3/5`: checked over total criteria of the last acceptance section.
pub fn criteria_progress(f: &SpecFile) -> Option<(usize, usize)> {
    let c = &f.syntax.body.criteria;
    (!c.is_empty()).then(|| (c.iter().filter(|c| c.checked).count(), c.len()))
}

/// A `file://` URL for a markdown link (percent-encoding what markdown and URLs need).
pub fn file_url(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One line naming a spec: `` `id` title (status) ``.
pub fn spec_line(f: &SpecFile) -> String {
    format!(
        "`{}` {} ({})",
        f.id,
        f.title().unwrap_or("(no title)"),
        f.facts.status()
    )
}

/// What a person needs to know about a spec at a glance (hover, completion docs).
pub fn spec_card(ws: &Workspace, key: SpecKey) -> String {
    let Some(f) = ws.get(key) else {
        return String::new();
    };
    let mut facts = vec![
        format!("`{}`", f.id),
        f.facts.status().to_string(),
        f.facts.spec_type().to_string(),
    ];
    if let Some(p) = ws.phase(f) {
        facts.push(format!("phase: {}", p.title));
    }
    if let Some((done, total)) = criteria_progress(f) {
        facts.push(format!("criteria {done}/{total}"));
    }
    if f.location == Location::Archived {
        facts.push("archived".into());
    }
    if !f.loads {
        facts.push("**chant cannot load it**".into());
    }
    let ready = match readiness(ws, key) {
        Readiness::Ready => "Ready to work.".to_string(),
        Readiness::Done(s) => format!("Done ({s})."),
        Readiness::Other(s) => format!("Status {s}."),
        Readiness::Blocked(b) => format!(
            "Blocked by {}.",
            b.iter()
                .map(|b| format!("`{}` ({})", b.id, b.why))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let pr = submitted_pr(f)
        .map(|(n, url)| format!("\n\nPull request: [#{n}]({url})"))
        .unwrap_or_default();
    format!(
        "**{}**\n\n{}\n\n{}{pr}\n\n[{}]({})",
        f.title().unwrap_or("(no title)"),
        facts.join(" · "),
        ready,
        f.rel,
        file_url(&f.path)
    )
}

/// The pull request recorded in the spec's upstream-PR section, if one was submitted.
pub fn submitted_pr(f: &SpecFile) -> Option<(u64, String)> {
    if !f.graph.pr_section {
        return None;
    }
    crate::actions::pr_body::find_section(&f.text).and_then(|s| s.pr)
}
