//! Semantic tokens: spec IDs (resolved or not), enum values such as `status`, and the
//! acceptance criteria's checkboxes, in byte ranges; the protocol layer encodes them.

use crate::model::schema::{self, Kind};
use crate::model::{SpecKey, Workspace};
use crate::syntax::yaml::{NodeKind, YamlNode};
use crate::syntax::TextRange;

use super::query::is_spec_field;

/// Token types, standard LSP names so themes colour them without configuration. The
/// order is the legend's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    /// A spec ID.
    Variable,
    /// A value of a fixed set (`status: completed`, `type: code`).
    EnumMember,
    /// A criterion's `[ ]` / `[x]`.
    Keyword,
}

impl TokenType {
    pub const LEGEND: [TokenType; 3] = [
        TokenType::Variable,
        TokenType::EnumMember,
        TokenType::Keyword,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TokenType::Variable => "variable",
            TokenType::EnumMember => "enumMember",
            TokenType::Keyword => "keyword",
        }
    }

    pub fn index(self) -> u32 {
        Self::LEGEND.iter().position(|t| *t == self).unwrap_or(0) as u32
    }
}

/// Token modifiers, bit `i` = `LEGEND[i]`. `deprecated` is standard (themes strike it
/// through) and marks what chant cannot resolve; the others say why.
pub const MODIFIERS: [&str; 4] = ["resolved", "unresolved", "deprecated", "checked"];
pub const RESOLVED: u32 = 1;
pub const UNRESOLVED: u32 = 1 << 1;
pub const DEPRECATED: u32 = 1 << 2;
pub const CHECKED: u32 = 1 << 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub range: TextRange,
    pub kind: TokenType,
    pub modifiers: u32,
}

/// The spec's tokens in document order, one line each.
pub fn tokens(ws: &Workspace, key: SpecKey) -> Vec<Token> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let Some(src) = f.source() else {
        return Vec::new();
    };
    let text = src.text();
    let mut out = Vec::new();
    let id_token = |range: TextRange, id: &str| {
        // Exact IDs only: chant compares them exactly, a short ID is unknown to it.
        let modifiers = if ws.resolve_exact(id).is_some() {
            RESOLVED
        } else {
            UNRESOLVED | DEPRECATED
        };
        Token {
            range,
            kind: TokenType::Variable,
            modifiers,
        }
    };
    if let Some(root) = f.syntax.root() {
        for e in root.entries() {
            let Some(key) = e.key.as_scalar() else {
                continue;
            };
            if is_spec_field(key) {
                for n in scalars(&e.value) {
                    if let Some(v) = n.as_scalar() {
                        out.push(id_token(n.unquoted_range(), v));
                    }
                }
                continue;
            }
            let Some(field) = schema::field(key) else {
                continue;
            };
            match field.kind {
                Kind::Enum(_) => out.extend(enum_token(text, &e.value)),
                Kind::Map(fields) => {
                    for sub in e.value.entries() {
                        let enum_field = sub
                            .key
                            .as_scalar()
                            .and_then(|k| fields.iter().find(|x| x.name == k));
                        if matches!(enum_field.map(|x| x.kind), Some(Kind::Enum(_))) {
                            out.extend(enum_token(text, &sub.value));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let body = &f.syntax.body;
    for m in &body.id_mentions {
        out.push(id_token(m.range, &m.id));
    }
    for c in &body.criteria {
        let marker = text.get(c.range.start()..c.range.end()).unwrap_or("");
        if let Some(open) = marker.find('[') {
            let start = c.range.start() + open;
            out.push(Token {
                range: TextRange::new(start, (start + 3).min(c.range.end())),
                kind: TokenType::Keyword,
                modifiers: if c.checked { CHECKED } else { 0 },
            });
        }
    }
    out.sort_by_key(|t| (t.range.start(), t.range.end()));
    out.dedup_by(|b, a| b.range.start() < a.range.end());
    out
}

fn scalars(node: &YamlNode) -> Vec<&YamlNode> {
    match &node.kind {
        NodeKind::Seq { items, .. } => items.iter().filter(|n| !n.is_null()).collect(),
        NodeKind::Scalar { .. } if !node.is_null() => vec![node],
        _ => Vec::new(),
    }
}

fn enum_token(text: &str, value: &YamlNode) -> Option<Token> {
    value.as_scalar().filter(|_| !value.is_null())?;
    let range = value.unquoted_range();
    // A multi-line scalar is not a value of a set; tokens must stay on one line.
    if text.get(range.start()..range.end())?.contains('\n') {
        return None;
    }
    Some(Token {
        range,
        kind: TokenType::EnumMember,
        modifiers: 0,
    })
}
