//! Requests answered by the `ide` layer: locate the spec, call the feature, translate
//! its plain data into protocol types. No feature logic here.

use std::collections::HashMap;
use std::path::Path;

use tower_lsp_server::ls_types as lsp;

use crate::ide::{self, completion::ItemKind, outline::SymbolKind, FileRange};
use crate::model::{Source, SpecFile, SpecKey, Workspace};
use crate::syntax::{Encoding, TextRange};

use super::convert;
use super::state::State;

/// The spec at `uri` and the byte offset of `pos` in it.
pub struct At<'a> {
    pub ws: &'a Workspace,
    pub key: SpecKey,
    pub file: &'a SpecFile,
    /// The text `file` was parsed from, for positions.
    pub src: Source<'a>,
    pub offset: usize,
    pub enc: Encoding,
}

pub fn locate<'a>(st: &'a State, uri: &lsp::Uri, pos: lsp::Position) -> Option<At<'a>> {
    let path = convert::path(uri)?;
    let ws = &st.roots[st.root_index(&path)?];
    let key = ws.key_of(&path)?;
    let file = ws.get(key)?;
    let src = file.source()?;
    let offset = src
        .lines()
        .offset(src.text(), pos.line, pos.character, st.encoding);
    Some(At {
        ws,
        key,
        file,
        src,
        offset,
        enc: st.encoding,
    })
}

impl At<'_> {
    fn range(&self, r: TextRange) -> lsp::Range {
        convert::range(self.src.text(), self.src.lines(), r, self.enc)
    }

    fn location(&self, fr: &FileRange) -> Option<lsp::Location> {
        location(self.ws, fr, self.enc)
    }

    fn locations(&self, frs: &[FileRange]) -> Vec<lsp::Location> {
        locations(self.ws, frs, self.enc)
    }
}

fn location(ws: &Workspace, fr: &FileRange, enc: Encoding) -> Option<lsp::Location> {
    locations(ws, std::slice::from_ref(fr), enc).pop()
}

/// The ranges as locations, each file's text read once however many ranges point into it.
/// A spec whose file changed since it was read is left out until the model has the
/// change (its ranges would point into the wrong text).
fn locations(ws: &Workspace, frs: &[FileRange], enc: Encoding) -> Vec<lsp::Location> {
    let mut sources: HashMap<&Path, Option<Source<'_>>> = HashMap::new();
    frs.iter()
        .filter_map(|fr| {
            let range = match ws.key_of(&fr.path).and_then(|k| ws.get(k)) {
                Some(f) => {
                    let src = sources
                        .entry(&fr.path)
                        .or_insert_with(|| f.source())
                        .as_ref()?;
                    convert::range(src.text(), src.lines(), fr.range, enc)
                }
                None => lsp::Range::default(),
            };
            Some(lsp::Location::new(convert::uri(&fr.path)?, range))
        })
        .collect()
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    }
}

pub fn hover(at: &At) -> Option<lsp::Hover> {
    let h = ide::hover::hover(at.ws, at.key, at.offset)?;
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(markdown(h.markdown)),
        range: Some(at.range(h.range)),
    })
}

/// What to tell a person who starts editing the spec at `path` while an agent holds it.
pub fn agent_warning(st: &State, path: &Path) -> Option<String> {
    let ws = &st.roots[st.root_index(path)?];
    ide::agent::editing_warning(ws, ws.key_of(path)?)
}

pub fn definition(at: &At) -> Option<lsp::GotoDefinitionResponse> {
    let fr = ide::navigation::definition(at.ws, at.key, at.offset)?;
    at.location(&fr).map(lsp::GotoDefinitionResponse::Scalar)
}

pub fn references(at: &At, include_declaration: bool) -> Option<Vec<lsp::Location>> {
    let id = ide::navigation::subject(at.ws, at.key, at.offset)?;
    Some(at.locations(&ide::navigation::references(
        at.ws,
        &id,
        include_declaration,
    )))
}

pub fn completion(at: &At) -> lsp::CompletionResponse {
    let c = ide::completion::complete(at.ws, at.key, at.offset);
    let items = c
        .items
        .into_iter()
        .map(|i| {
            let kind = match i.kind {
                ItemKind::Field => lsp::CompletionItemKind::FIELD,
                ItemKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
                ItemKind::Spec => lsp::CompletionItemKind::REFERENCE,
                ItemKind::File => lsp::CompletionItemKind::FILE,
                ItemKind::Folder => lsp::CompletionItemKind::FOLDER,
                ItemKind::Label => lsp::CompletionItemKind::KEYWORD,
            };
            // Clients filter by the replaced text: let them match paths and titles too.
            let filter = match i.kind {
                ItemKind::Spec => Some(format!(
                    "{} {}",
                    i.label,
                    i.detail.clone().unwrap_or_default()
                )),
                ItemKind::File | ItemKind::Folder => Some(i.insert.clone()),
                _ => None,
            };
            lsp::CompletionItem {
                label: i.label,
                kind: Some(kind),
                detail: i.detail,
                documentation: i
                    .documentation
                    .map(|d| lsp::Documentation::MarkupContent(markdown(d))),
                sort_text: Some(i.sort),
                filter_text: filter,
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                    range: at.range(i.replace),
                    new_text: i.insert,
                })),
                ..Default::default()
            }
        })
        .collect();
    lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: c.incomplete,
        items,
    })
}

#[allow(deprecated)] // DocumentSymbol::deprecated must still be written
fn symbol(at: &At, s: ide::outline::Symbol) -> lsp::DocumentSymbol {
    let kind = match s.kind {
        SymbolKind::Frontmatter => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Field => lsp::SymbolKind::FIELD,
        SymbolKind::Heading => lsp::SymbolKind::STRING,
        SymbolKind::Spec => lsp::SymbolKind::FILE,
    };
    let children: Vec<lsp::DocumentSymbol> =
        s.children.into_iter().map(|c| symbol(at, c)).collect();
    lsp::DocumentSymbol {
        name: if s.name.is_empty() {
            "(empty heading)".into()
        } else {
            s.name
        },
        detail: s.detail,
        kind,
        tags: None,
        deprecated: None,
        range: at.range(s.range),
        selection_range: at.range(s.selection),
        children: (!children.is_empty()).then_some(children),
    }
}

pub fn document_symbols(at: &At) -> lsp::DocumentSymbolResponse {
    let symbols = ide::outline::document_symbols(at.ws, at.key)
        .into_iter()
        .map(|s| symbol(at, s))
        .collect();
    lsp::DocumentSymbolResponse::Nested(symbols)
}

pub fn workspace_symbols(st: &State, query: &str) -> lsp::WorkspaceSymbolResponse {
    let mut out = Vec::new();
    for ws in &st.roots {
        for s in ide::outline::workspace_symbols(ws, query, 500) {
            let Some(loc) = location(ws, &s.location, st.encoding) else {
                continue;
            };
            out.push(lsp::WorkspaceSymbol {
                name: s.name,
                kind: lsp::SymbolKind::FILE,
                tags: None,
                container_name: Some(s.status),
                location: lsp::OneOf::Left(loc),
                data: None,
            });
        }
    }
    lsp::WorkspaceSymbolResponse::Nested(out)
}

pub fn inlay_hints(at: &At, range: lsp::Range) -> Vec<lsp::InlayHint> {
    let r = convert::text_range(at.src.text(), at.src.lines(), range, at.enc);
    ide::hints::inlay_hints(at.ws, at.key, r)
        .into_iter()
        .map(|h| {
            let (line, character) = at.src.lines().position(at.src.text(), h.offset, at.enc);
            lsp::InlayHint {
                position: lsp::Position::new(line, character),
                label: lsp::InlayHintLabel::String(h.label),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            }
        })
        .collect()
}

/// Code lenses; with `show_references` (the client's references-view command, called
/// with uri, position, locations) a lens with locations opens them, else it is a label.
pub fn code_lenses(at: &At, show_references: Option<&str>) -> Vec<lsp::CodeLens> {
    ide::hints::code_lenses(at.ws, at.key)
        .into_iter()
        .map(|l| {
            let range = at.range(l.range);
            let arguments = match (show_references, &l.locations) {
                (Some(_), Some(locations)) => {
                    let locations = at.locations(locations);
                    convert::uri(&at.file.path).and_then(|uri| {
                        Some(vec![
                            serde_json::to_value(uri).ok()?,
                            serde_json::to_value(range.start).ok()?,
                            serde_json::to_value(locations).ok()?,
                        ])
                    })
                }
                _ => None,
            };
            let command = match (&arguments, show_references) {
                (Some(_), Some(c)) => c.to_string(),
                _ => String::new(),
            };
            lsp::CodeLens {
                range,
                command: Some(lsp::Command {
                    title: l.title,
                    command,
                    arguments,
                }),
                data: None,
            }
        })
        .collect()
}

fn call_item(
    ws: &Workspace,
    item: ide::hierarchy::Item,
    enc: Encoding,
) -> Option<lsp::CallHierarchyItem> {
    let src = ws.get(item.key)?.source()?;
    let range = |r| convert::range(src.text(), src.lines(), r, enc);
    Some(lsp::CallHierarchyItem {
        name: item.name,
        kind: lsp::SymbolKind::FILE,
        tags: None,
        detail: Some(item.detail),
        uri: convert::uri(&item.path)?,
        range: range(item.range),
        selection_range: range(item.selection),
        data: Some(serde_json::Value::String(item.id)),
    })
}

pub fn prepare_call_hierarchy(at: &At) -> Option<Vec<lsp::CallHierarchyItem>> {
    let item = ide::hierarchy::prepare(at.ws, at.key, at.offset)?;
    Some(vec![call_item(at.ws, item, at.enc)?])
}

/// Ranges of `key`'s file.
fn ranges_in(ws: &Workspace, key: SpecKey, rs: &[TextRange], enc: Encoding) -> Vec<lsp::Range> {
    let Some(src) = ws.get(key).and_then(|f| f.source()) else {
        return Vec::new();
    };
    rs.iter()
        .map(|r| convert::range(src.text(), src.lines(), *r, enc))
        .collect()
}

pub fn incoming_calls(at: &At) -> Vec<lsp::CallHierarchyIncomingCall> {
    ide::hierarchy::incoming(at.ws, at.key)
        .into_iter()
        .filter_map(|c| {
            let from_ranges = ranges_in(at.ws, c.item.key, &c.from_ranges, at.enc);
            Some(lsp::CallHierarchyIncomingCall {
                from: call_item(at.ws, c.item, at.enc)?,
                from_ranges,
            })
        })
        .collect()
}

pub fn outgoing_calls(at: &At) -> Vec<lsp::CallHierarchyOutgoingCall> {
    ide::hierarchy::outgoing(at.ws, at.key)
        .into_iter()
        .filter_map(|c| {
            let from_ranges = ranges_in(at.ws, at.key, &c.from_ranges, at.enc);
            Some(lsp::CallHierarchyOutgoingCall {
                to: call_item(at.ws, c.item, at.enc)?,
                from_ranges,
            })
        })
        .collect()
}

pub fn semantic_tokens_legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: ide::tokens::TokenType::LEGEND
            .iter()
            .map(|t| lsp::SemanticTokenType::new(t.name()))
            .collect(),
        token_modifiers: ide::tokens::MODIFIERS
            .iter()
            .map(|m| lsp::SemanticTokenModifier::new(m))
            .collect(),
    }
}

/// The spec's semantic tokens (those meeting `range`, when given), delta-encoded in the
/// negotiated position encoding.
pub fn semantic_tokens(at: &At, range: Option<lsp::Range>) -> lsp::SemanticTokens {
    let wanted = range.map(|r| convert::text_range(at.src.text(), at.src.lines(), r, at.enc));
    let mut data = Vec::new();
    let (mut line, mut start) = (0u32, 0u32);
    for t in ide::tokens::tokens(at.ws, at.key) {
        if wanted.is_some_and(|w| !w.intersects(t.range)) {
            continue;
        }
        let (l, c) = at
            .src
            .lines()
            .position(at.src.text(), t.range.start(), at.enc);
        let (el, ec) = at
            .src
            .lines()
            .position(at.src.text(), t.range.end(), at.enc);
        if el != l || ec <= c {
            continue; // tokens are one line, never empty
        }
        // Sorted and non-overlapping, so neither goes backwards.
        let delta_line = l.saturating_sub(line);
        let delta_start = if delta_line == 0 {
            c.saturating_sub(start)
        } else {
            c
        };
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: ec - c,
            token_type: t.kind.index(),
            token_modifiers_bitset: t.modifiers,
        });
        (line, start) = (l, c);
    }
    lsp::SemanticTokens {
        result_id: None,
        data,
    }
}

pub fn document_links(at: &At) -> Vec<lsp::DocumentLink> {
    ide::outline::document_links(at.ws, at.key)
        .into_iter()
        .filter_map(|(range, target)| {
            let uri = match target {
                ide::outline::LinkTarget::File(p) => convert::uri(&p)?,
                ide::outline::LinkTarget::Url(u) => u.parse().ok()?,
            };
            Some(lsp::DocumentLink {
                range: at.range(range),
                target: Some(uri),
                tooltip: None,
                data: None,
            })
        })
        .collect()
}

pub fn folding_ranges(at: &At) -> Vec<lsp::FoldingRange> {
    ide::outline::folding_ranges(at.ws, at.key)
        .into_iter()
        .filter_map(|(r, _)| {
            let (start_line, _) = at.src.lines().position(at.src.text(), r.start(), at.enc);
            let (end_line, _) = at.src.lines().position(at.src.text(), r.end(), at.enc);
            (end_line > start_line).then_some(lsp::FoldingRange {
                start_line,
                start_character: None,
                end_line,
                end_character: None,
                kind: Some(lsp::FoldingRangeKind::Region),
                collapsed_text: None,
            })
        })
        .collect()
}

pub fn prepare_rename(at: &At) -> Option<lsp::PrepareRenameResponse> {
    let (range, placeholder) = ide::rename::prepare(at.ws, at.key, at.offset)?;
    Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: at.range(range),
        placeholder,
    })
}

/// A rename plan as one workspace edit: text edits (versioned for open buffers) first,
/// then the file renames. Refused rather than partial when a file to edit changed on
/// disk since it was read (its edits would land in the wrong places).
pub fn workspace_edit(
    st: &State,
    ws: &Workspace,
    plan: ide::rename::RenamePlan,
) -> Result<lsp::WorkspaceEdit, String> {
    let mut ops = Vec::new();
    for (path, edits) in &plan.edits {
        let Some(edits) = text_edits(ws, path, edits, st.encoding) else {
            return Err(format!(
                "{} changed on disk since it was read; try the rename again",
                ws.rel(path)
            ));
        };
        let Some(uri) = convert::uri(path) else {
            continue;
        };
        ops.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                uri,
                version: st.open.get(path).map(|d| d.version),
            },
            edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
        }));
    }
    for (from, to) in &plan.renames {
        let (Some(old_uri), Some(new_uri)) = (convert::uri(from), convert::uri(to)) else {
            continue;
        };
        ops.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(
            lsp::RenameFile {
                old_uri,
                new_uri,
                options: Some(lsp::RenameFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            },
        )));
    }
    Ok(lsp::WorkspaceEdit {
        changes: None,
        document_changes: Some(lsp::DocumentChanges::Operations(ops)),
        change_annotations: None,
    })
}

/// Plain text edits, for `willRenameFiles` (the editor does the move itself).
pub fn text_only_edit(
    st: &State,
    ws: &Workspace,
    plan: ide::rename::RenamePlan,
) -> lsp::WorkspaceEdit {
    let mut changes = HashMap::new();
    for (path, edits) in &plan.edits {
        if let (Some(uri), Some(edits)) =
            (convert::uri(path), text_edits(ws, path, edits, st.encoding))
        {
            changes.insert(uri, edits);
        }
    }
    lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

fn text_edits(
    ws: &Workspace,
    path: &Path,
    edits: &[crate::syntax::edit::Edit],
    enc: Encoding,
) -> Option<Vec<lsp::TextEdit>> {
    let src = ws.get(ws.key_of(path)?)?.source()?;
    Some(
        edits
            .iter()
            .map(|e| lsp::TextEdit {
                range: convert::range(src.text(), src.lines(), e.range, enc),
                new_text: e.new_text.clone(),
            })
            .collect(),
    )
}
