//! The frontmatter schema chant's `SpecFrontmatter` enforces (chant-format §3.2–3.3), as
//! a table. Validation, completion and hover all read this one table.

use crate::syntax::yaml::{NodeKind, Style, YamlNode};
use crate::syntax::TextRange;

pub const TYPES: &[&str] = &[
    "code",
    "task",
    "driver",
    "group",
    "documentation",
    "research",
];
pub const STATUSES: &[&str] = &[
    "pending",
    "in_progress",
    "paused",
    "completed",
    "failed",
    "needs_attention",
    "ready",
    "blocked",
    "cancelled",
];
const APPROVAL_STATUSES: &[&str] = &["pending", "approved", "rejected"];
const VERIFICATION_STATUSES: &[&str] = &["passed", "failed", "partial"];

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One of the values, case-sensitive; null is rejected.
    Enum(&'static [&'static str]),
    /// A list of strings (any plain scalar counts as a string).
    List,
    /// A string or a list of strings (`depends_on` only).
    StrOrList,
    Str,
    Bool,
    Int,
    Map(&'static [Field]),
}

/// What a field's values name: the one place that says which fields are spec IDs,
/// paths or prompt names. Rules, references, rename, links, completion, semantic tokens
/// and invalidation (which files re-check which specs) all read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Text, numbers, dates, enum values: nothing outside the spec.
    Plain,
    /// Spec IDs (`depends_on`, `members`, ...).
    SpecIds,
    /// Files the agent reads: they must exist.
    Inputs,
    /// Files the spec creates or modifies: they may not exist yet.
    Outputs,
    /// Other files of the repository the spec names.
    Files,
    /// Globs over the repository.
    Globs,
    /// A prompt name: the file `.chant/prompts/<name>.md`.
    Prompt,
    /// A git branch: diagnostics read git for it.
    Branch,
    /// Labels (issue and phase membership).
    Labels,
}

impl Role {
    /// Values that name files (for references, rename, links and invalidation).
    pub fn names_files(self) -> bool {
        matches!(
            self,
            Role::Inputs | Role::Outputs | Role::Files | Role::Prompt
        )
    }

    /// Values completed as repository paths.
    pub fn is_path(self) -> bool {
        matches!(
            self,
            Role::Inputs | Role::Outputs | Role::Files | Role::Globs
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub role: Role,
    /// Nested-map fields that must be present (`retry_state`).
    pub required: bool,
    pub doc: &'static str,
}

const fn f(name: &'static str, kind: Kind, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        role: Role::Plain,
        required: false,
        doc,
    }
}

const fn req(name: &'static str, kind: Kind, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        role: Role::Plain,
        required: true,
        doc,
    }
}

/// A top-level field whose values name something outside the spec.
const fn r(name: &'static str, kind: Kind, role: Role, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        role,
        required: false,
        doc,
    }
}

const APPROVAL: &[Field] = &[
    f(
        "required",
        Kind::Bool,
        "Whether the spec needs approval before it can be worked.",
    ),
    f(
        "status",
        Kind::Enum(APPROVAL_STATUSES),
        "Approval state: `pending` (default), `approved`, `rejected`.",
    ),
    f("by", Kind::Str, "Who approved or rejected the spec."),
    f("at", Kind::Str, "When it was approved or rejected."),
];

const RETRY_STATE: &[Field] = &[
    req("attempts", Kind::Int, "Retries so far."),
    req("last_retry_time", Kind::Int, "Unix time of the last retry."),
    req("next_retry_time", Kind::Int, "Unix time of the next retry."),
];

pub const FIELDS: &[Field] = &[
    f("type", Kind::Enum(TYPES), "What kind of work the spec is: `code` (default), `task`, `driver`, `group`, `documentation`, `research`."),
    f("status", Kind::Enum(STATUSES), "Where the spec is in its lifecycle; `pending` by default."),
    r("depends_on", Kind::StrOrList, Role::SpecIds, "Specs that must be completed first, by exact ID (`repo:ID` for another repository)."),
    r("labels", Kind::List, Role::Labels, "Free tags, e.g. `issue-1234`, `root-cause`."),
    r("target_files", Kind::List, Role::Outputs, "Files the spec creates or modifies (they may not exist yet)."),
    r("context", Kind::List, Role::Inputs, "Files inlined into the agent's prompt."),
    r("prompt", Kind::Str, Role::Prompt, "Prompt template name: `.chant/prompts/<name>.md`."),
    r("branch", Kind::Str, Role::Branch, "The work branch, normally `chant/<ID>`."),
    f("commits", Kind::List, "Commit hashes recorded on completion."),
    f("completed_at", Kind::Str, "Completion time, `YYYY-MM-DDTHH:MM:SSZ`."),
    f("model", Kind::Str, "The model that worked the spec (`opus`, `sonnet`, `haiku`, ...)."),
    r("tracks", Kind::List, Role::Globs, "Globs watched for drift (documentation specs)."),
    r("informed_by", Kind::List, Role::Inputs, "Inputs to synthesize: research documents, spec files, issue URLs."),
    r("origin", Kind::List, Role::Inputs, "Input data for research specs."),
    f("schedule", Kind::Str, "Recurrence, e.g. `weekly`."),
    r("source_branch", Kind::Str, Role::Branch, "Merge-conflict specs: the branch being merged."),
    r("target_branch", Kind::Str, Role::Branch, "Merge-conflict specs: the branch merged into."),
    r("conflicting_files", Kind::List, Role::Files, "Merge-conflict specs: files in conflict."),
    r("blocked_specs", Kind::List, Role::SpecIds, "Merge-conflict specs: specs blocked by the conflict (exact IDs)."),
    r("original_spec", Kind::Str, Role::SpecIds, "Merge-conflict specs: the spec whose merge conflicted."),
    f("last_verified", Kind::Str, "When the spec was last verified."),
    f("verification_status", Kind::Enum(VERIFICATION_STATUSES), "Result of the last verification: `passed`, `failed`, `partial`."),
    f("verification_failures", Kind::List, "What failed in the last verification."),
    f("replayed_at", Kind::Str, "When the spec was last replayed."),
    f("replay_count", Kind::Int, "How often the spec was replayed."),
    f("original_completed_at", Kind::Str, "Completion time before the first replay."),
    f("derived_fields", Kind::List, "Names of fields derived automatically."),
    f("approval", Kind::Map(APPROVAL), "Approval gate: `required`, `status`, `by`, `at`."),
    r("members", Kind::List, Role::SpecIds, "Explicit member list of a driver (membership really comes from `.N` file names)."),
    r("output_schema", Kind::Str, Role::Inputs, "JSON Schema file the agent's output must satisfy."),
    f("public", Kind::Bool, "`false` hides the spec from the generated site."),
    f("retry_state", Kind::Map(RETRY_STATE), "Retry bookkeeping: `attempts`, `last_retry_time`, `next_retry_time`."),
];

pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// A top-level field's role (`Plain` for unknown keys).
pub fn role(name: &str) -> Role {
    field(name).map_or(Role::Plain, |f| f.role)
}

/// The file a prompt name stands for, relative to the repository root.
pub fn prompt_path(name: &str) -> String {
    format!(".chant/prompts/{name}.md")
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// chant refuses to load the spec because of it.
    Invalid,
    DuplicateKey,
    /// chant ignores the key and drops it when it rewrites the file.
    UnknownKey,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub range: TextRange,
    pub message: String,
    /// Replacement values for a did-you-mean fix (applied to `range`).
    pub suggestions: Vec<String>,
}

/// Everything in `root` that chant's deserializer would reject, plus keys it would drop.
pub fn check(root: &YamlNode) -> Vec<Problem> {
    let mut out = Vec::new();
    match &root.kind {
        NodeKind::Map { .. } => check_map(root, FIELDS, None, &mut out),
        _ if root.is_null() => {}
        _ => out.push(Problem {
            kind: ProblemKind::Invalid,
            range: root.range,
            message: format!(
                "the frontmatter must be a mapping of `key: value` fields, not {}",
                root.kind_name()
            ),
            suggestions: vec![],
        }),
    }
    out
}

fn check_map(
    map: &YamlNode,
    fields: &'static [Field],
    parent: Option<&str>,
    out: &mut Vec<Problem>,
) {
    let mut seen: Vec<&str> = Vec::new();
    for entry in map.entries() {
        let Some(key) = entry.key.as_scalar() else {
            out.push(invalid(
                entry.key.range,
                "a key must be a plain name".to_string(),
                vec![],
            ));
            continue;
        };
        if seen.contains(&key) {
            out.push(Problem {
                kind: ProblemKind::DuplicateKey,
                range: entry.key.range,
                message: format!("duplicate key `{key}`: chant refuses a spec that sets a field twice; remove one"),
                suggestions: vec![],
            });
            continue;
        }
        seen.push(key);
        let Some(field) = fields.iter().find(|f| f.name == key) else {
            let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
            let suggestions: Vec<String> = did_you_mean(key, &names)
                .into_iter()
                .map(String::from)
                .collect();
            let hint = match suggestions.first() {
                Some(s) => format!("; did you mean `{s}`?"),
                None => String::new(),
            };
            let what = match parent {
                Some(p) => format!("`{p}` has no field `{key}`"),
                None => format!("unknown field `{key}`"),
            };
            out.push(Problem {
                kind: ProblemKind::UnknownKey,
                range: entry.key.range,
                message: format!("{what}: chant ignores it and drops it the next time it rewrites this spec{hint}"),
                suggestions,
            });
            continue;
        };
        check_value(field, &entry.value, out);
    }
    for field in fields.iter().filter(|f| f.required) {
        if !seen.contains(&field.name) {
            out.push(invalid(
                map.range,
                format!(
                    "`{}` is missing `{}`, which chant requires",
                    parent.unwrap_or("frontmatter"),
                    field.name
                ),
                vec![],
            ));
        }
    }
}

fn invalid(range: TextRange, message: String, suggestions: Vec<String>) -> Problem {
    Problem {
        kind: ProblemKind::Invalid,
        range,
        message,
        suggestions,
    }
}

fn check_value(field: &Field, value: &YamlNode, out: &mut Vec<Problem>) {
    let name = field.name;
    if matches!(value.kind, NodeKind::Alias) {
        return;
    }
    match field.kind {
        Kind::Enum(allowed) => {
            let got = value.as_scalar().filter(|_| !value.is_null());
            match got {
                Some(v) if allowed.contains(&v) => {}
                _ => {
                    let shown = match got {
                        Some(v) => format!("`{v}` is not a valid `{name}`"),
                        None => format!("`{name}` needs a value, not {}", value.kind_name()),
                    };
                    let suggestions: Vec<String> = got
                        .map(|v| did_you_mean(v, allowed))
                        .unwrap_or_default()
                        .into_iter()
                        .map(String::from)
                        .collect();
                    let hint = match suggestions.first() {
                        Some(s) => format!("; did you mean `{s}`?"),
                        None => String::new(),
                    };
                    out.push(invalid(
                        value.range,
                        format!(
                            "{shown}: chant refuses to load this spec. Allowed: {}{hint}",
                            allowed.join(", ")
                        ),
                        suggestions,
                    ));
                }
            }
        }
        Kind::List => match &value.kind {
            _ if value.is_null() => {}
            NodeKind::Seq { items, .. } => check_items(name, items, out),
            _ => out.push(invalid(
                value.range,
                format!("`{name}` must be a list (`- item` lines or `[a, b]`), not {}: chant refuses to load this spec", value.kind_name()),
                value.as_scalar().map(|v| vec![format!("[{v}]")]).unwrap_or_default(),
            )),
        },
        Kind::StrOrList => match &value.kind {
            NodeKind::Seq { items, .. } => check_items(name, items, out),
            NodeKind::Scalar { .. } => {}
            _ => out.push(invalid(value.range, format!("`{name}` must be a spec ID or a list of them, not {}", value.kind_name()), vec![])),
        },
        Kind::Str => {
            if !matches!(value.kind, NodeKind::Scalar { .. }) {
                out.push(invalid(
                    value.range,
                    format!("`{name}` must be a single value, not {}: chant refuses to load this spec", value.kind_name()),
                    vec![],
                ));
            }
        }
        Kind::Bool => {
            let ok = value.is_null()
                || matches!(&value.kind, NodeKind::Scalar { value: v, style: Style::Plain }
                    if matches!(v.as_str(), "true" | "false" | "True" | "False" | "TRUE" | "FALSE"));
            if !ok {
                out.push(invalid(
                    value.range,
                    format!("`{name}` must be `true` or `false`: chant refuses to load this spec"),
                    vec!["true".into(), "false".into()],
                ));
            }
        }
        Kind::Int => {
            let ok = value.is_null()
                || matches!(&value.kind, NodeKind::Scalar { value: v, style: Style::Plain }
                    if !v.is_empty() && v.trim_start_matches('+').bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                let hint = match &value.kind {
                    NodeKind::Scalar { style: Style::Quoted, value: v } => vec![v.clone()],
                    _ => vec![],
                };
                out.push(invalid(
                    value.range,
                    format!("`{name}` must be a whole number (unquoted): chant refuses to load this spec"),
                    hint,
                ));
            }
        }
        Kind::Map(fields) => match &value.kind {
            NodeKind::Map { .. } => check_map(value, fields, Some(name), out),
            _ if value.is_null() => {}
            _ => out.push(invalid(
                value.range,
                format!("`{name}` must be a mapping ({}), not {}", fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", "), value.kind_name()),
                vec![],
            )),
        },
    }
}

fn check_items(name: &str, items: &[YamlNode], out: &mut Vec<Problem>) {
    for item in items {
        if !matches!(item.kind, NodeKind::Scalar { .. } | NodeKind::Alias) {
            out.push(invalid(
                item.range,
                format!("each `{name}` entry must be a single value, not {}: chant refuses to load this spec", item.kind_name()),
                vec![],
            ));
        }
    }
}

/// Candidates within a small edit distance of `got`, closest first. Case is ignored for
/// the distance, so `Completed` suggests `completed`.
pub fn did_you_mean<'a>(got: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let lower = got.to_lowercase().replace('-', "_");
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .map(|c| (edit_distance(&lower, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1) || (lower.len() >= 3 && c.starts_with(&lower)))
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, c)| c).collect()
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::parse;

    fn problems(src: &str) -> Vec<(ProblemKind, String, Vec<String>)> {
        let (root, err) = parse(src, 0);
        assert!(err.is_none(), "{err:?}");
        check(&root.unwrap())
            .into_iter()
            .map(|p| {
                (
                    p.kind,
                    src[p.range.start()..p.range.end()].to_string(),
                    p.suggestions,
                )
            })
            .collect()
    }

    #[test]
    fn enum_values_are_exact_with_suggestions() {
        let p = problems("status: Completed\ntype: docs\n");
        assert_eq!(p[0].1, "Completed");
        assert_eq!(p[0].2, vec!["completed"]);
        assert_eq!(p[1].1, "docs");
        assert!(problems("status:\n").len() == 1, "empty status is rejected");
        assert!(problems("status: completed\ntype: research\n").is_empty());
    }

    #[test]
    fn shapes_chant_rejects() {
        let p =
            problems("labels: bug\ndepends_on: a\nprompt: [x]\nreplay_count: '3'\npublic: yes\n");
        let got: Vec<&str> = p.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(got, vec!["bug", "[x]", "'3'", "yes"]);
        assert!(problems("labels:\ncommits:\n- 5636491\napproval: {required: true}\n").is_empty());
    }

    #[test]
    fn duplicates_and_unknown_keys() {
        let p = problems("status: pending\nstatus: completed\ncommit: abc\ndepends-on: [a]\n");
        assert_eq!(p[0].0, ProblemKind::DuplicateKey);
        assert_eq!(p[1].0, ProblemKind::UnknownKey);
        assert_eq!(p[1].2, vec!["commits"]);
        assert_eq!(p[2].2, vec!["depends_on"]);
    }

    #[test]
    fn nested_maps() {
        let p = problems("approval:\n  status: ok\nretry_state:\n  attempts: 1\n");
        // `ok` is not an approval status; retry_state lacks two required fields.
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].1, "ok");
    }
}
