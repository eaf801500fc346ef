//! Code actions: the fixes the rules attached to each diagnostic, the spec's own actions,
//! and confirmations waiting for this spec.

use std::collections::HashMap;
use std::path::Path;

use tower_lsp_server::ls_types as lsp;

use crate::diagnostics;

use super::convert;
use super::state::State;

/// Quick fixes for the diagnostics in `range`, then the spec's actions (archive, PR), then
/// confirmations waiting for this spec. The fixes come from the `data` of the diagnostics
/// the client sent back (`sent`); only when that is missing or stale are the spec's
/// diagnostics recomputed.
pub fn quick_fixes(
    st: &State,
    confirms: Vec<super::confirm::Offered>,
    path: &Path,
    uri: &lsp::Uri,
    range: lsp::Range,
    sent: &[lsp::Diagnostic],
) -> lsp::CodeActionResponse {
    let mut out = Vec::new();
    let Some(i) = st.root_index(path) else {
        return out;
    };
    let ws = &st.roots[i];
    let Some(key) = ws.key_of(path) else {
        return out;
    };
    let Some(file) = ws.get(key) else { return out };
    let command_action = |title: String, command: &str, args: Vec<serde_json::Value>| {
        lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: title.clone(),
            kind: Some(lsp::CodeActionKind::SOURCE),
            command: Some(lsp::Command {
                title,
                command: command.to_string(),
                arguments: Some(args),
            }),
            ..Default::default()
        })
    };
    let mut tail = Vec::new();
    for offer in crate::ide::actions::offers(ws, key) {
        let mut args = vec![serde_json::Value::String(uri.to_string())];
        args.extend(offer.arg.map(serde_json::Value::String));
        tail.push(command_action(offer.title, offer.command.name(), args));
    }
    for c in confirms {
        tail.push(command_action(c.title, "chant-lsp.confirm", c.args));
    }
    let enc = st.encoding;
    let fixes = match from_data(&file.text, file.lines(), enc, sent) {
        Some(fixes) => fixes,
        None => {
            let wanted = convert::text_range(&file.text, file.lines(), range, enc);
            diagnostics::check_spec(ws, key)
                .iter()
                .filter(|d| !d.fixes.is_empty() && d.range.intersects(wanted))
                .map(|d| {
                    let lsp_diag = convert::diagnostic(ws, &file.text, file.lines(), d, enc);
                    let data = data_of(&lsp_diag).map_or_else(Vec::new, |d| d.fixes);
                    (lsp_diag, data)
                })
                .collect()
        }
    };
    for (lsp_diag, fixes) in fixes {
        let single = fixes.len() == 1;
        for fix in fixes {
            let edits: Vec<lsp::TextEdit> = fix
                .edits
                .into_iter()
                .map(|e| lsp::TextEdit {
                    range: e.range,
                    new_text: e.new_text,
                })
                .collect();
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diag.clone()]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..Default::default()
                }),
                is_preferred: Some(single),
                ..Default::default()
            }));
        }
    }
    out.extend(tail);
    out
}

fn data_of(d: &lsp::Diagnostic) -> Option<convert::DiagnosticData> {
    serde_json::from_value(d.data.clone()?).ok()
}

/// The fixes carried by the client's copies of our diagnostics, or `None` when any copy
/// lacks its `data` (a client that drops it) or no longer matches the text (the buffer
/// changed since publishing): then the caller recomputes.
fn from_data(
    text: &str,
    lines: &crate::syntax::LineIndex,
    enc: crate::syntax::Encoding,
    sent: &[lsp::Diagnostic],
) -> Option<Vec<(lsp::Diagnostic, Vec<convert::FixData>)>> {
    let ours: Vec<&lsp::Diagnostic> = sent
        .iter()
        .filter(|d| d.source.as_deref() == Some("chant-lsp"))
        .collect();
    if ours.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for d in ours {
        let data = data_of(d)?;
        for e in data.fixes.iter().flat_map(|f| &f.edits) {
            let r = convert::text_range(text, lines, e.range, enc);
            if text.get(r.start()..r.end()) != Some(e.old.as_str()) {
                return None;
            }
        }
        if !data.fixes.is_empty() {
            out.push((d.clone(), data.fixes));
        }
    }
    Some(out)
}
