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
        code_description: None,
        source: Some("chant-lsp".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
