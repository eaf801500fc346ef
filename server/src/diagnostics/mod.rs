//! The rules: each spec's diagnostics as a function of the workspace model.

mod agent_rules;
pub mod catalogue;
mod files;
mod graph;
mod lint;
mod phase_rules;
mod pr_rules;
mod syntax_rules;

use std::path::PathBuf;

use crate::model::{SpecFile, SpecKey, Workspace};
use crate::syntax::edit::Edit;
use crate::syntax::TextRange;

pub use catalogue::{CodeInfo, Severity, CATALOGUE};

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub range: TextRange,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

/// A place in another file that explains this diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub path: PathBuf,
    pub range: TextRange,
    pub message: String,
}

/// A quick fix: edits to the diagnostic's own file, or a file to delete.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    /// Applied by `check --fix` without a person's judgement: the only candidate, and the
    /// spec means the same afterwards (full ID for a short one, spaces for tabs). Guesses
    /// (did-you-mean, inferred values) are `false` and need `--unsafe-fixes`.
    pub safe: bool,
    /// A file the fix deletes (an agent's stale lock): offered only to editors that apply
    /// `delete` resource operations, never by `check --fix`.
    pub delete: Option<PathBuf>,
}

impl Diagnostic {
    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Diagnostic {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
            safe: false,
            delete: None,
        });
        self
    }
}

/// Collects one spec's diagnostics with the catalogue's severities.
pub(crate) struct Sink<'a> {
    pub ws: &'a Workspace,
    pub key: SpecKey,
    pub file: &'a SpecFile,
    /// The text `file` was parsed from.
    pub text: &'a str,
    pub out: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub fn push(
        &mut self,
        code: &'static str,
        range: TextRange,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let severity = catalogue::lookup(code).map_or(Severity::Warning, |c| c.severity);
        self.push_with(code, severity, range, message)
    }

    pub fn push_with(
        &mut self,
        code: &'static str,
        severity: Severity,
        range: TextRange,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        debug_assert!(
            catalogue::lookup(code).is_some(),
            "{code} is not in the catalogue"
        );
        self.out.push(Diagnostic {
            code,
            severity,
            range,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        });
        self.out.last_mut().expect("just pushed")
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Where to point a diagnostic about the spec as a whole: the opening `---`,
    /// else the title line, else the start of the file.
    pub fn whole_spec_range(&self) -> TextRange {
        if let Some(fm) = self.file.syntax.frontmatter() {
            return fm.open;
        }
        if let Some(t) = &self.file.syntax.body.title {
            return t.range;
        }
        let first_line = self.text().find('\n').unwrap_or(self.text().len());
        TextRange::new(0, first_line)
    }

    /// The range of `key` if present, else the whole-spec range.
    pub fn key_or_spec(&self, key: &str) -> TextRange {
        self.file
            .syntax
            .root()
            .and_then(|r| r.get(key))
            .map_or_else(|| self.whole_spec_range(), |e| e.key.range)
    }
}

/// Every diagnostic of one spec; none when its text is no longer on disk (a change on
/// its way to the model brings the new ones).
pub fn check_spec(ws: &Workspace, key: SpecKey) -> Vec<Diagnostic> {
    match ws.get(key).and_then(|f| f.source()) {
        Some(src) => check_spec_in(ws, key, src.text()),
        None => Vec::new(),
    }
}

/// Every diagnostic of one spec, whose parse was made from `text` (its
/// [`SpecFile::source`], which the caller needs too to turn ranges into positions).
pub fn check_spec_in(ws: &Workspace, key: SpecKey, text: &str) -> Vec<Diagnostic> {
    let Some(file) = ws.get(key) else {
        return Vec::new();
    };
    let mut sink = Sink {
        ws,
        key,
        file,
        text,
        out: Vec::new(),
    };
    let rules: &[fn(&mut Sink)] = if file.read_error.is_none() {
        &[
            syntax_rules::check,
            lint::check,
            graph::check,
            files::check,
            phase_rules::check,
            pr_rules::check,
            agent_rules::check,
        ]
    } else {
        &[syntax_rules::check]
    };
    for rule in rules {
        // A bug in one rule costs that rule's diagnostics, not the file's or the session's.
        let before = sink.out.len();
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rule(&mut sink)));
        if let Err(panic) = run {
            sink.out.truncate(before);
            let message = internal_error_message(&*panic);
            sink.push("internal-error", TextRange::empty(0), message);
        }
    }
    let mut out = sink.out;
    out.retain(|d| !ws.config.disabled_codes.iter().any(|c| c == d.code));
    out.sort_by_key(|d| (d.range.start, d.range.end, d.code));
    bound(&mut out);
    for d in &mut out {
        escape_in_place(&mut d.message);
        for r in &mut d.related {
            escape_in_place(&mut r.message);
        }
    }
    out
}

/// What `check` reports of one spec: every diagnostic but those about the machine's state
/// now rather than the files (editor-only codes, such as an agent's stale lock).
pub fn check_spec_files(ws: &Workspace, key: SpecKey) -> Vec<Diagnostic> {
    let mut out = check_spec(ws, key);
    out.retain(|d| catalogue::lookup(d.code).is_none_or(|c| !c.editor_only));
    out
}

/// At most this many diagnostics per file are reported: a 50 MB spec of repeated mistakes
/// would otherwise send a million of them in one notification.
pub const MAX_PER_FILE: usize = 200;

/// Keeps the first [`MAX_PER_FILE`] diagnostics (in file order) and says how many follow.
fn bound(out: &mut Vec<Diagnostic>) {
    if out.len() <= MAX_PER_FILE {
        return;
    }
    let more = out.len() - MAX_PER_FILE;
    let at = out[MAX_PER_FILE].range;
    out.truncate(MAX_PER_FILE);
    out.push(Diagnostic {
        code: "too-many-diagnostics",
        severity: catalogue::lookup("too-many-diagnostics")
            .map_or(Severity::Information, |c| c.severity),
        range: at,
        message: format!(
            "and {more} more diagnostics in this file (the first {MAX_PER_FILE} are shown)"
        ),
        related: Vec::new(),
        fixes: Vec::new(),
    });
}

/// What an `internal-error` diagnostic says about a caught panic.
pub fn internal_error_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("{INTERNAL_ERROR} (please report it): {what}")
}

/// How an internal-error message starts; a file that failed to load carries it as its
/// read error, which `syntax_rules` then reports as `internal-error`.
pub const INTERNAL_ERROR: &str = "internal error in chant-lsp";

/// Whether `c` is a control character a message must not show raw: C0 but tab and line
/// feed, DEL, C1, and the noncharacters U+FFFE/U+FFFF.
fn is_unshowable(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// `text` with control characters written as Rust escapes (`\u{0}`), so a NUL or an escape
/// sequence in a spec cannot garble a terminal or hide the rest of a message.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unshowable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unshowable(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn escape_in_place(text: &mut String) {
    if let std::borrow::Cow::Owned(escaped) = escape_controls(text) {
        *text = escaped;
    }
}

/// Diagnostics of the configuration files: (path, text, diagnostics).
pub fn check_config(ws: &Workspace) -> Vec<(PathBuf, Vec<Diagnostic>)> {
    let mut out = Vec::new();
    for (name, problems) in [
        ("config.md", &ws.config.config_problems),
        ("lsp.yaml", &ws.config.lsp_problems),
    ] {
        let diags: Vec<Diagnostic> = problems
            .iter()
            .map(|p| Diagnostic {
                code: "invalid-config",
                severity: Severity::Warning,
                range: p.range,
                message: escape_controls(&p.message).into_owned(),
                related: Vec::new(),
                fixes: Vec::new(),
            })
            .collect();
        if !diags.is_empty() {
            out.push((ws.chant_dir().join(name), diags));
        }
    }
    out
}

#[cfg(test)]
mod tests;
