//! Code actions: the fixes the rules attached to each diagnostic, the spec's own actions,
//! and confirmations waiting for this spec.

use std::collections::HashMap;
use std::path::Path;

use tower_lsp_server::ls_types as lsp;

use crate::diagnostics;

use super::convert;
use super::state::State;

/// Quick fixes for the diagnostics in `range`, then the spec's actions (archive, PR), then
/// confirmations waiting for this spec.
pub fn quick_fixes(
    st: &State,
    pending: &HashMap<String, super::commands::Pending>,
    path: &Path,
    uri: &lsp::Uri,
    range: lsp::Range,
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
    let mut pending: Vec<_> = pending.iter().filter(|(_, p)| p.spec == path).collect();
    pending.sort_by_key(|(_, p)| p.created);
    for (nonce, p) in pending {
        for (title, draft) in p.titles() {
            let mut args = vec![serde_json::Value::String(nonce.clone())];
            if let Some(d) = draft {
                args.push(serde_json::Value::Bool(d));
            }
            tail.push(command_action(title, "chant-lsp.confirm", args));
        }
    }
    let enc = st.encoding;
    let wanted = convert::text_range(&file.text, file.lines(), range, enc);
    for d in diagnostics::check_spec(ws, key) {
        if d.fixes.is_empty() || !d.range.intersects(wanted) {
            continue;
        }
        let lsp_diag = convert::diagnostic(ws, &file.text, file.lines(), &d, enc);
        let single = d.fixes.len() == 1;
        for fix in &d.fixes {
            let edits: Vec<lsp::TextEdit> = fix
                .edits
                .iter()
                .map(|e| lsp::TextEdit {
                    range: convert::range(&file.text, file.lines(), e.range, enc),
                    new_text: e.new_text.clone(),
                })
                .collect();
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title.clone(),
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
