//! The rules: each spec's diagnostics as a function of the workspace model.

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

/// A quick fix: edits to the diagnostic's own file.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    /// Applied by `check --fix` without a person's judgement: the only candidate, and the
    /// spec means the same afterwards (full ID for a short one, spaces for tabs). Guesses
    /// (did-you-mean, inferred values) are `false` and need `--unsafe-fixes`.
    pub safe: bool,
}

impl Diagnostic {
    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Diagnostic {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
            safe: false,
        });
        self
    }
}

/// Collects one spec's diagnostics with the catalogue's severities.
pub(crate) struct Sink<'a> {
    pub ws: &'a Workspace,
    pub key: SpecKey,
    pub file: &'a SpecFile,
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
        &self.file.text
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

/// Every diagnostic of one spec.
pub fn check_spec(ws: &Workspace, key: SpecKey) -> Vec<Diagnostic> {
    let Some(file) = ws.get(key) else {
        return Vec::new();
    };
    let mut sink = Sink {
        ws,
        key,
        file,
        out: Vec::new(),
    };
    syntax_rules::check(&mut sink);
    if file.read_error.is_none() {
        lint::check(&mut sink);
        graph::check(&mut sink);
        files::check(&mut sink);
        phase_rules::check(&mut sink);
        pr_rules::check(&mut sink);
    }
    let mut out = sink.out;
    out.retain(|d| !ws.config.disabled_codes.iter().any(|c| c == d.code));
    out.sort_by_key(|d| (d.range.start, d.range.end, d.code));
    out
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
                message: p.message.clone(),
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
