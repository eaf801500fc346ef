//! Editor features, one module per request, each a function of the workspace model and
//! a position, returning plain data in byte ranges. No protocol types here.

pub mod actions;
pub mod agent;
pub mod completion;
pub mod graph;
pub mod hierarchy;
pub mod hints;
pub mod hover;
pub mod navigation;
pub mod outline;
pub mod query;
pub mod rename;
pub mod tokens;

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

/// One line naming a spec: `` [`id`](file) title (status) ``.
pub fn spec_line(f: &SpecFile) -> String {
    format!(
        "{} {} ({})",
        spec_link(f),
        f.title().unwrap_or("(no title)"),
        f.facts.status()
    )
}

/// The spec's ID as a markdown link to its file.
pub fn spec_link(f: &SpecFile) -> String {
    format!("[`{}`]({})", f.id, file_url(&f.path))
}

/// An ID as a link when some spec has it, else as code.
pub fn id_link(ws: &Workspace, id: &str) -> String {
    match ws.resolve_exact(id) {
        Some((_, f)) => spec_link(f),
        None => format!("`{id}`"),
    }
}

/// The spec a reference names: exactly, else (a short ID chant would report unknown) the
/// one spec it can only mean, as the `inexact-dependency-id` diagnostic says. The bool is
/// "exact".
pub fn resolve_ref<'a>(
    ws: &'a Workspace,
    from: SpecKey,
    id: &str,
) -> Option<(SpecKey, &'a SpecFile, bool)> {
    if let Some((k, f)) = ws.resolve_exact(id) {
        return Some((k, f, true));
    }
    let own = ws.get(from).map(|f| f.id.as_str()).unwrap_or("");
    match crate::model::id::resolve_typed(id, ws.ids().filter(|i| *i != own)) {
        crate::model::id::Resolution::One(full) => {
            ws.resolve_exact(full).map(|(k, f)| (k, f, false))
        }
        _ => None,
    }
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
                .map(|b| format!("{} ({})", id_link(ws, &b.id), b.why))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let pr = pr_record(f)
        .map(|(n, url, status)| {
            let status = status.map(|s| format!(": {s}")).unwrap_or_default();
            format!("\n\nPull request: [#{n}]({url}){status}")
        })
        .unwrap_or_default();
    let agent = agent::shown(ws, f)
        .map(|a| format!("\n\n{}", a.hover))
        .unwrap_or_default();
    format!(
        "**{}**\n\n{}\n\n{}{pr}{agent}\n\n[{}]({})",
        f.title().unwrap_or("(no title)"),
        facts.join(" · "),
        ready,
        f.rel,
        file_url(&f.path)
    )
}

/// The pull request recorded in the spec's upstream-PR section, if one was submitted.
pub fn submitted_pr(f: &SpecFile) -> Option<(u64, String)> {
    pr_record(f).map(|(n, url, _)| (n, url))
}

/// The recorded pull request with its last refreshed status line (no network: what
/// "Refresh pull request status" wrote).
pub fn pr_record(f: &SpecFile) -> Option<(u64, String, Option<String>)> {
    if !f.pr_section {
        return None;
    }
    let src = f.source()?;
    let s = crate::actions::pr_body::find_section(src.text())?;
    let (n, url) = s.pr?;
    Some((n, url, s.status))
}
