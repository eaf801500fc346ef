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

/// Workspace folders the client named through a symlink: (real path, the client's path).
/// URIs going back to the client use the client's spelling, so it sees one file as one.
static ALIASES: std::sync::RwLock<Vec<(PathBuf, PathBuf)>> = std::sync::RwLock::new(Vec::new());

/// Remembers how the client spells a folder whose real path differs.
pub fn alias_folder(given: &Path) {
    let Some(real) = normalize(given) else { return };
    if real != given {
        let mut a = ALIASES.write().unwrap_or_else(|p| p.into_inner());
        if !a.iter().any(|(r, _)| *r == real) {
            a.push((real, given.to_path_buf()));
        }
    }
}

pub fn uri(path: &Path) -> Option<lsp::Uri> {
    let aliases = ALIASES.read().unwrap_or_else(|p| p.into_inner());
    let spelled = aliases
        .iter()
        .find_map(|(real, given)| path.strip_prefix(real).ok().map(|rest| given.join(rest)));
    lsp::Uri::from_file_path(spelled.as_deref().unwrap_or(path))
}

/// The one path of the file a URI names: `..` and `.` resolved, symlinks followed where
/// the file (or its folder) exists, so one file is one spec however it is reached.
pub fn path(uri: &lsp::Uri) -> Option<PathBuf> {
    let p = uri.to_file_path()?;
    normalize(&p)
}

/// A folder as the client spells it (`..` and `.` resolved, symlinks kept).
pub fn given_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let p = uri.to_file_path()?;
    let p = lexical(&p);
    p.is_absolute().then_some(p)
}

fn lexical(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn normalize(p: &Path) -> Option<PathBuf> {
    let out = lexical(p);
    if !out.is_absolute() {
        return None;
    }
    if let Ok(real) = std::fs::canonicalize(&out) {
        return Some(real);
    }
    // A file that does not exist (yet, or any more): its folder's real path.
    match (out.parent().map(std::fs::canonicalize), out.file_name()) {
        (Some(Ok(dir)), Some(name)) => Some(dir.join(name)),
        _ => Some(out),
    }
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
    /// A file the fix deletes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<lsp::Uri>,
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
            delete: f.delete.as_deref().and_then(uri),
        })
        .collect();
    DiagnosticData { fixes }
}

/// A fix as the workspace edit a code action carries: text edits to `uri`, or the file it
/// deletes, which only a client that applies `delete` resource operations gets (None for
/// the others: the diagnostic's message says what to delete).
pub fn fix_edit(uri: &lsp::Uri, fix: FixData, delete_files: bool) -> Option<lsp::WorkspaceEdit> {
    if let Some(target) = fix.delete {
        if !delete_files {
            return None;
        }
        let delete = lsp::DeleteFile {
            uri: target,
            // Gone already (the agent finished meanwhile) is fine.
            options: Some(lsp::DeleteFileOptions {
                recursive: None,
                ignore_if_not_exists: Some(true),
            }),
            annotation_id: None,
        };
        return Some(lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Operations(vec![
                lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Delete(delete)),
            ])),
            ..Default::default()
        });
    }
    let edits: Vec<lsp::TextEdit> = fix
        .edits
        .into_iter()
        .map(|e| lsp::TextEdit {
            range: e.range,
            new_text: e.new_text,
        })
        .collect();
    Some(lsp::WorkspaceEdit {
        changes: Some(std::collections::HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    })
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
                // Left out while that file's change is on its way to the model.
                Some(f) => {
                    let src = f.source()?;
                    range(src.text(), src.lines(), r.range, enc)
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_that_deletes_a_file_is_offered_only_to_clients_that_can() {
        let spec = uri(Path::new("/r/.chant/specs/x.md")).expect("a URI");
        let lock = uri(Path::new("/r/.chant/.locks/x.lock")).expect("a URI");
        let delete = FixData {
            title: "Delete".into(),
            safe: false,
            edits: Vec::new(),
            delete: Some(lock.clone()),
        };
        assert_eq!(fix_edit(&spec, delete.clone(), false), None);
        let edit = fix_edit(&spec, delete, true).expect("an edit");
        assert_eq!(edit.changes, None);
        let expected = lsp::DocumentChanges::Operations(vec![lsp::DocumentChangeOperation::Op(
            lsp::ResourceOp::Delete(lsp::DeleteFile {
                uri: lock,
                options: Some(lsp::DeleteFileOptions {
                    recursive: None,
                    ignore_if_not_exists: Some(true),
                }),
                annotation_id: None,
            }),
        )]);
        assert_eq!(edit.document_changes, Some(expected));
        let text = FixData {
            title: "Text".into(),
            safe: true,
            edits: vec![EditData {
                range: lsp::Range::default(),
                new_text: "x".into(),
                old: String::new(),
            }],
            delete: None,
        };
        let edit = fix_edit(&spec, text, false).expect("an edit");
        let changes = edit.changes.expect("text edits");
        assert_eq!(changes.get(&spec).map(Vec::len), Some(1));
    }
}
