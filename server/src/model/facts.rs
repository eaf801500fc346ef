//! The typed facts of one spec, read best-effort from its syntax. The workspace
//! graph and the rules use only these; editing a spec's body leaves the
//! graph-relevant part ([`GraphFacts`]) unchanged, so nothing global is recomputed.

use crate::syntax::yaml::{NodeKind, YamlNode};
use crate::syntax::{SpecSyntax, TextRange};

use super::schema::{self, Role};

/// A string value with the range it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Item {
    pub value: String,
    pub range: TextRange,
    /// Written in quotes: `range` includes them.
    pub quoted: bool,
}

impl Item {
    /// The range of the value without its quotes (what a reference or a rename points
    /// at), known without the text, which the server does not keep for every spec.
    pub fn unquoted(&self) -> TextRange {
        crate::syntax::yaml::inside_quotes(self.range, self.quoted)
    }
}

fn is_quoted(n: &YamlNode) -> bool {
    matches!(
        &n.kind,
        NodeKind::Scalar {
            style: crate::syntax::yaml::Style::Quoted,
            ..
        }
    )
}

/// A frontmatter key that is present, with the range of the key and of its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Present<T> {
    pub key: TextRange,
    pub value_range: TextRange,
    pub value: T,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpecFacts {
    pub r#type: Option<Present<String>>,
    pub status: Option<Present<String>>,
    pub depends_on: Option<Present<Vec<Item>>>,
    pub members: Option<Present<Vec<Item>>>,
    pub labels: Option<Present<Vec<Item>>>,
    pub target_files: Option<Present<Vec<Item>>>,
    pub informed_by: Option<Present<Vec<Item>>>,
    pub origin: Option<Present<Vec<Item>>>,
    pub context: Option<Present<Vec<Item>>>,
    pub tracks: Option<Present<Vec<Item>>>,
    pub prompt: Option<Present<Item>>,
    pub output_schema: Option<Present<Item>>,
    pub model: Option<Present<Item>>,
    pub approval: Option<Approval>,
}

/// One value of a field with a [`Role`] other than `Plain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    pub field: &'static str,
    pub role: Role,
    pub item: Item,
}

impl Ref {
    /// The repository path this value names, for roles that name files (`./` dropped,
    /// a prompt name turned into its file).
    pub fn path(&self) -> Option<String> {
        match self.role {
            Role::Prompt => Some(schema::prompt_path(&self.item.value)),
            r if r.names_files() => Some(self.item.value.trim_start_matches("./").to_string()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub key: TextRange,
    pub status: String,
    pub by: bool,
    pub at: bool,
}

impl SpecFacts {
    pub fn read(syntax: &SpecSyntax) -> SpecFacts {
        let Some(root) = syntax.root() else {
            return SpecFacts::default();
        };
        SpecFacts {
            r#type: scalar(root, "type").map(|p| p.map(|i| i.value)),
            status: scalar(root, "status").map(|p| p.map(|i| i.value)),
            depends_on: list(root, "depends_on"),
            members: list(root, "members"),
            labels: list(root, "labels"),
            target_files: list(root, "target_files"),
            informed_by: list(root, "informed_by"),
            origin: list(root, "origin"),
            context: list(root, "context"),
            tracks: list(root, "tracks"),
            prompt: scalar(root, "prompt"),
            output_schema: scalar(root, "output_schema"),
            model: scalar(root, "model"),
            approval: root
                .get("approval")
                .filter(|e| !e.value.is_null())
                .map(|e| {
                    let get = |k: &str| e.value.get(k).filter(|x| !x.value.is_null());
                    Approval {
                        key: e.key.range,
                        status: get("status")
                            .and_then(|x| x.value.as_scalar())
                            .unwrap_or("pending")
                            .to_string(),
                        by: get("by").is_some(),
                        at: get("at").is_some(),
                    }
                }),
        }
    }

    /// chant's effective type (`code` when unset).
    pub fn spec_type(&self) -> &str {
        self.r#type.as_ref().map_or("code", |p| p.value.as_str())
    }

    /// chant's effective status (`pending` when unset).
    pub fn status(&self) -> &str {
        self.status.as_ref().map_or("pending", |p| p.value.as_str())
    }

    pub fn deps(&self) -> &[Item] {
        items(&self.depends_on)
    }

    pub fn label_values(&self) -> impl Iterator<Item = &str> {
        items(&self.labels).iter().map(|i| i.value.as_str())
    }

    pub fn has_label(&self, label: &str) -> bool {
        self.label_values().any(|l| l == label)
    }
}

/// The values of every top-level field with a role, read as lists (a scalar is one), in
/// document order.
pub fn refs(root: &YamlNode) -> Vec<Ref> {
    let mut out = Vec::new();
    for field in schema::FIELDS.iter().filter(|f| f.role != Role::Plain) {
        if let Some(p) = list(root, field.name) {
            out.extend(p.value.into_iter().map(|item| Ref {
                field: field.name,
                role: field.role,
                item,
            }));
        }
    }
    out.sort_by_key(|r| r.item.range.start);
    out
}

pub fn items(p: &Option<Present<Vec<Item>>>) -> &[Item] {
    p.as_ref().map_or(&[], |p| p.value.as_slice())
}

impl<T> Present<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Present<U> {
        Present {
            key: self.key,
            value_range: self.value_range,
            value: f(self.value),
        }
    }
}

/// Present with a non-null scalar value.
fn scalar(root: &YamlNode, key: &str) -> Option<Present<Item>> {
    let e = root.get(key)?;
    let v = e.value.as_scalar().filter(|_| !e.value.is_null())?;
    Some(Present {
        key: e.key.range,
        value_range: e.value.range,
        value: Item {
            value: v.to_string(),
            range: e.value.range,
            quoted: is_quoted(&e.value),
        },
    })
}

/// Present (even when null, as chant's `Option<Vec<_>>` is `Some` only for a non-null
/// value: we keep null as an empty list but remember the key).
fn list(root: &YamlNode, key: &str) -> Option<Present<Vec<Item>>> {
    let e = root.get(key)?;
    let value = match &e.value.kind {
        NodeKind::Seq { items, .. } => items
            .iter()
            .filter_map(|n| {
                n.as_scalar().filter(|_| !n.is_null()).map(|v| Item {
                    value: v.to_string(),
                    range: n.range,
                    quoted: is_quoted(n),
                })
            })
            .collect(),
        NodeKind::Scalar { value, .. } if !e.value.is_null() => {
            vec![Item {
                value: value.clone(),
                range: e.value.range,
                quoted: is_quoted(&e.value),
            }]
        }
        _ => Vec::new(),
    };
    Some(Present {
        key: e.key.range,
        value_range: e.value.range,
        value,
    })
}

/// The facts other specs' diagnostics depend on. When a re-parse leaves these equal,
/// only the edited spec itself needs re-checking. Made when asked (`SpecFile::graph`),
/// not kept: they repeat what the facts hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GraphFacts {
    pub loads: bool,
    pub spec_type: String,
    pub status: String,
    pub title: Option<String>,
    pub deps: Vec<String>,
    pub labels: Vec<String>,
    pub target_files: Vec<String>,
    pub informed_by: Vec<String>,
    /// The body holds an upstream-PR draft section (its siblings' diagnostics ask).
    pub pr_section: bool,
}

/// How the line that starts the upstream-PR draft section in a spec body begins: the
/// marker is `<!-- chant-lsp:upstream-pr -->` or, since drafts keep a hash of what they
/// wrote, `<!-- chant-lsp:upstream-pr drafted=<hex> -->` (the end marker,
/// `<!-- /chant-lsp:upstream-pr -->`, does not start with it).
pub const PR_SECTION_MARKER: &str = "<!-- chant-lsp:upstream-pr";

impl GraphFacts {
    pub fn of(facts: &SpecFacts, syntax: &SpecSyntax, loads: bool, pr_section: bool) -> GraphFacts {
        let vals =
            |p: &Option<Present<Vec<Item>>>| items(p).iter().map(|i| i.value.clone()).collect();
        GraphFacts {
            loads,
            spec_type: facts.spec_type().to_string(),
            status: facts.status().to_string(),
            title: syntax.body.title.as_ref().map(|t| t.text.clone()),
            deps: vals(&facts.depends_on),
            labels: vals(&facts.labels),
            target_files: vals(&facts.target_files),
            informed_by: vals(&facts.informed_by),
            pr_section,
        }
    }
}
