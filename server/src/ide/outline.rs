//! Document symbols, workspace symbols, folding ranges and document links.

use std::path::PathBuf;

use crate::model::{SpecKey, Workspace};
use crate::syntax::outline::outline;
use crate::syntax::yaml::NodeKind;
use crate::syntax::TextRange;

use super::{spec_anchor, FileRange};
use crate::model::schema::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Frontmatter,
    Field,
    Heading,
    Spec,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection: TextRange,
    pub children: Vec<Symbol>,
}

/// The frontmatter (with its fields) and the heading tree of the body.
pub fn document_symbols(ws: &Workspace, key: SpecKey) -> Vec<Symbol> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(fm) = f.syntax.frontmatter() {
        let children = fm
            .root
            .iter()
            .flat_map(|r| r.entries())
            .filter_map(|e| {
                let name = e.key.as_scalar()?.to_string();
                let detail = match &e.value.kind {
                    NodeKind::Scalar { value, .. } => Some(value.clone()),
                    NodeKind::Seq { items, .. } => Some(format!("{} item(s)", items.len())),
                    _ => None,
                };
                Some(Symbol {
                    name,
                    detail,
                    kind: SymbolKind::Field,
                    range: TextRange::new(
                        e.key.range.start(),
                        e.value.range.end().max(e.key.range.end()),
                    ),
                    selection: e.key.range,
                    children: Vec::new(),
                })
            })
            .collect();
        out.push(Symbol {
            name: "frontmatter".into(),
            detail: Some(f.id.clone()),
            kind: SymbolKind::Frontmatter,
            range: TextRange::new(fm.open.start(), fm.close.end()),
            selection: fm.open,
            children,
        });
    }
    // Nest headings by level with a stack of open sections.
    let mut stack: Vec<(u8, Symbol)> = Vec::new();
    let mut roots: Vec<Symbol> = Vec::new();
    let close = |stack: &mut Vec<(u8, Symbol)>, roots: &mut Vec<Symbol>| {
        let (_, done) = stack.pop().expect("non-empty");
        match stack.last_mut() {
            Some((_, parent)) => parent.children.push(done),
            None => roots.push(done),
        }
    };
    let Some(src) = f.source() else {
        return out;
    };
    for h in outline(src.text(), f.syntax.split.body_start).headings {
        while stack.last().is_some_and(|(l, _)| *l >= h.level) {
            close(&mut stack, &mut roots);
        }
        stack.push((
            h.level,
            Symbol {
                name: h.text,
                detail: None,
                kind: SymbolKind::Heading,
                range: h.section,
                selection: h.range,
                children: Vec::new(),
            },
        ));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    out.extend(roots);
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub status: String,
    pub location: FileRange,
}

/// Specs whose ID or title contains every word of the query (case ignored).
pub fn workspace_symbols(ws: &Workspace, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut out: Vec<WorkspaceSymbol> = ws
        .specs()
        .filter(|(_, f)| {
            let hay = format!("{} {}", f.id, f.title().unwrap_or("")).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|(_, f)| WorkspaceSymbol {
            name: format!("{} {}", f.id, f.title().unwrap_or("(no title)")),
            status: f.facts.status().to_string(),
            location: spec_anchor(f),
        })
        .collect();
    out.sort_by(|a, b| b.name.cmp(&a.name));
    out.truncate(limit);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    Frontmatter,
    Section,
    Code,
}

/// (start, end, kind) byte ranges to fold; the protocol layer turns them into lines.
pub fn folding_ranges(ws: &Workspace, key: SpecKey) -> Vec<(TextRange, FoldKind)> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(fm) = f.syntax.frontmatter() {
        out.push((
            TextRange::new(fm.open.start(), fm.close.end()),
            FoldKind::Frontmatter,
        ));
    }
    let Some(src) = f.source() else {
        return out;
    };
    let o = outline(src.text(), f.syntax.split.body_start);
    out.extend(
        o.headings
            .iter()
            .map(|h| (trim_end(src.text(), h.section), FoldKind::Section)),
    );
    out.extend(o.code_blocks.iter().map(|r| (*r, FoldKind::Code)));
    out
}

fn trim_end(text: &str, r: TextRange) -> TextRange {
    TextRange::new(
        r.start(),
        r.start() + text[r.start()..r.end()].trim_end().len(),
    )
}

#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    File(PathBuf),
    Url(String),
}

/// Links for every path that exists and every URL in the frontmatter.
pub fn document_links(ws: &Workspace, key: SpecKey) -> Vec<(TextRange, LinkTarget)> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Every value of a path, glob or prompt field (the field table decides which).
    let entries: Vec<(&str, String, TextRange)> = f
        .refs()
        .into_iter()
        .filter(|r| r.role.is_path() || r.role == Role::Prompt)
        .map(|r| {
            let value = r.path().unwrap_or_else(|| r.item.value.clone());
            (r.field, value, r.item.unquoted())
        })
        .collect();
    for (_, value, range) in entries {
        if value.contains("://") {
            out.push((range, LinkTarget::Url(value)));
        } else if !value.contains(['*', '?', '[', '{']) && ws.file_exists(&value) {
            out.push((
                range,
                LinkTarget::File(ws.root.join(value.trim_start_matches("./"))),
            ));
        }
    }
    out
}
