//! Model <-> protocol conversions; the only place positions change encoding.

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types as lsp;

use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Workspace;
use crate::syntax::{Encoding, LineIndex, TextRange};

pub fn range(text: &str, lines: &LineIndex, r: TextRange, enc: Encoding) -> lsp::Range {
    let (sl, sc) = lines.position(text, r.start(), enc);
    let (el, ec) = lines.position(text, r.end(), enc);
    lsp::Range::new(lsp::Position::new(sl, sc), lsp::Position::new(el, ec))
}

pub fn text_range(text: &str, lines: &LineIndex, r: lsp::Range, enc: Encoding) -> TextRange {
    let s = lines.offset(text, r.start.line, r.start.character, enc);
    let e = lines.offset(text, r.end.line, r.end.character, enc);
    TextRange::new(s, e)
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub fn uri(path: &Path) -> Option<lsp::Uri> {
    lsp::Uri::from_file_path(path)
}

pub fn path(uri: &lsp::Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

/// What a published diagnostic carries in `data`: its quick fixes, so a code action can
/// be served from the diagnostics the client sends back instead of recomputing them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DiagnosticData {
    pub fixes: Vec<FixData>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FixData {
    pub title: String,
    #[serde(default)]
    pub safe: bool,
    pub edits: Vec<EditData>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EditData {
    pub range: lsp::Range,
    #[serde(rename = "newText")]
    pub new_text: String,
    /// The text the edit replaces, to tell a stale diagnostic (the buffer changed since it
    /// was published) from a current one.
    pub old: String,
}

fn data(text: &str, lines: &LineIndex, d: &Diagnostic, enc: Encoding) -> DiagnosticData {
    let fixes = d
        .fixes
        .iter()
        .map(|f| FixData {
            title: f.title.clone(),
            safe: f.safe,
            edits: f
                .edits
                .iter()
                .map(|e| EditData {
                    range: range(text, lines, e.range, enc),
                    new_text: e.new_text.clone(),
                    old: text
                        .get(e.range.start()..e.range.end())
                        .unwrap_or_default()
                        .to_string(),
                })
                .collect(),
        })
        .collect();
    DiagnosticData { fixes }
}

/// The link editors show on a diagnostic's code.
pub fn code_description(code: &str) -> Option<lsp::CodeDescription> {
    let href = crate::diagnostics::catalogue::help_url(code).parse().ok()?;
    Some(lsp::CodeDescription { href })
}

pub fn diagnostic(
    ws: &Workspace,
    text: &str,
    lines: &LineIndex,
    d: &Diagnostic,
    enc: Encoding,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let target = ws.key_of(&r.path).and_then(|k| ws.get(k));
            let range = match target {
                Some(f) => range(&f.text, f.lines(), r.range, enc),
                None => lsp::Range::default(),
            };
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri(&r.path)?, range),
                message: r.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: range(text, lines, d.range, enc),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: code_description(d.code),
        source: Some("chant-lsp".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(data(text, lines, d, enc)).ok(),
    }
}
