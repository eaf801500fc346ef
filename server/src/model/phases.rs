//! The maintainer workflow's phase table: data with defaults (`phases.yaml`), overridable
//! per project, and the recognition of a spec's phase.

use crate::syntax::yaml::{self, YamlNode};
use crate::syntax::TextRange;

use super::facts::SpecFacts;

const DEFAULT_TABLE: &str = include_str!("phases.yaml");

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: String,
    pub title: String,
    pub labels: Vec<String>,
    pub title_prefixes: Vec<String>,
    pub slugs: Vec<String>,
    pub requires: Vec<Requirement>,
    /// What a new spec of this phase starts with ("Start the … spec").
    pub template: Template,
}

/// The starting content of a phase's spec. `{issue}` and `{summary}` (the issue's subject,
/// from the title of its earliest spec) are filled in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    pub title: String,
    /// `type:` when no `type` requirement decides it.
    pub spec_type: Option<String>,
    pub body: String,
    pub criteria: Vec<String>,
    /// Files besides the research output (e.g. the regression test to write).
    pub target_files: Vec<String>,
    /// Phases whose specs' `target_files` this phase also changes (the fix touches the test).
    pub target_files_from: Vec<String>,
    /// Not a step of the sequence (single-spec mode): never offered, never followed.
    pub standalone: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub check: Check,
    /// `error`, `warning`, `information` or `hint`.
    pub severity: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    IssueReference,
    Type(Vec<String>),
    ResearchOutput,
    TestTarget,
    CodeTarget,
    InformedBy(Vec<String>),
    IssueLink,
    DependsOn(Vec<String>),
    Prompt(String),
    TestCriterion,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhaseTable {
    pub phases: Vec<Phase>,
}

/// A problem in a phase table, for the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    pub range: TextRange,
    pub message: String,
}

impl Default for PhaseTable {
    fn default() -> PhaseTable {
        let (root, err) = yaml::parse(DEFAULT_TABLE, 0);
        debug_assert!(err.is_none(), "{err:?}");
        let mut table = PhaseTable { phases: Vec::new() };
        if let Some(list) = root.as_ref().and_then(|r| r.get("phases")) {
            let errors = table.merge(&list.value);
            debug_assert!(errors.is_empty(), "{errors:?}");
        }
        table
    }
}

impl PhaseTable {
    /// Merges a `phases:` list over this table: same name replaces the keys given.
    pub fn merge(&mut self, list: &YamlNode) -> Vec<TableError> {
        let mut errors = Vec::new();
        for entry in list.items() {
            let Some(name) = entry.get("name").and_then(|e| e.value.as_scalar()) else {
                errors.push(TableError {
                    range: entry.range,
                    message: "a phase needs a `name`".into(),
                });
                continue;
            };
            let idx = match self.index(name) {
                Some(i) => i,
                None => {
                    self.phases.push(Phase {
                        name: name.to_string(),
                        title: name.to_string(),
                        labels: vec![name.to_string()],
                        title_prefixes: Vec::new(),
                        slugs: Vec::new(),
                        requires: Vec::new(),
                        template: Template::default(),
                    });
                    self.phases.len() - 1
                }
            };
            let phase = &mut self.phases[idx];
            for e in entry.entries() {
                match e.key.as_scalar().unwrap_or("") {
                    "name" => {}
                    "title" => phase.title = e.value.as_scalar().unwrap_or(name).to_string(),
                    "labels" => phase.labels = strings(&e.value),
                    "title_prefixes" => phase.title_prefixes = strings(&e.value).iter().map(|s| s.to_lowercase()).collect(),
                    "slugs" => phase.slugs = strings(&e.value),
                    "requires" => {
                        phase.requires = e
                            .value
                            .items()
                            .iter()
                            .filter_map(|r| match requirement(r) {
                                Ok(req) => Some(req),
                                Err(err) => {
                                    errors.push(err);
                                    None
                                }
                            })
                            .collect()
                    }
                    "template" => template(&e.value, &mut phase.template, &mut errors),
                    other => errors.push(TableError {
                        range: e.key.range,
                        message: format!("unknown phase key `{other}` (known: name, title, labels, title_prefixes, slugs, requires, template)"),
                    }),
                }
            }
        }
        errors
    }

    pub fn get(&self, name: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.name == name)
    }

    /// The phase of a spec: by label, else by title prefix, else by ID slug.
    pub fn phase_of(&self, id: &str, facts: &SpecFacts, title: Option<&str>) -> Option<&Phase> {
        self.index_of(id, facts, title).map(|i| &self.phases[i])
    }

    /// The position in the table of the phase with this name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.name == name)
    }

    /// The position of a spec's phase in the table: by label, else title prefix, else ID slug.
    pub fn index_of(&self, id: &str, facts: &SpecFacts, title: Option<&str>) -> Option<usize> {
        if let Some(p) = self.phases.iter().position(|p| {
            facts
                .label_values()
                .any(|l| p.labels.iter().any(|x| x == l))
        }) {
            return Some(p);
        }
        if let Some(title) = title {
            let t = strip_phase_number(&title.to_lowercase());
            if let Some(p) = self
                .phases
                .iter()
                .position(|p| p.title_prefixes.iter().any(|x| t.starts_with(x.as_str())))
            {
                return Some(p);
            }
        }
        let stem = super::id::driver_of(id).unwrap_or(id);
        self.phases.iter().position(|p| {
            p.slugs
                .iter()
                .any(|s| stem.ends_with(&format!("-{s}")) || stem == s)
        })
    }
}

/// `Phase 3: Root Cause Analysis` -> `root cause analysis`.
fn strip_phase_number(title: &str) -> String {
    let Some(rest) = title.strip_prefix("phase") else {
        return title.to_string();
    };
    let rest = rest.trim_start();
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return title.to_string();
    }
    rest[digits..]
        .trim_start_matches([':', '.', '-', ' '])
        .to_string()
}

fn strings(node: &YamlNode) -> Vec<String> {
    match node.as_scalar() {
        Some(s) if !node.is_null() => vec![s.to_string()],
        _ => node
            .items()
            .iter()
            .filter_map(|n| n.as_scalar().map(str::to_string))
            .collect(),
    }
}

/// Merges a `template:` map: keys given replace, keys not given are kept.
fn template(node: &YamlNode, t: &mut Template, errors: &mut Vec<TableError>) {
    for e in node.entries() {
        let scalar = || e.value.as_scalar().unwrap_or("").to_string();
        match e.key.as_scalar().unwrap_or("") {
            "title" => t.title = scalar(),
            "type" => t.spec_type = Some(scalar()).filter(|s| !s.is_empty()),
            "body" => t.body = scalar(),
            "criteria" => t.criteria = strings(&e.value),
            "target_files" => t.target_files = strings(&e.value),
            "target_files_from" => t.target_files_from = strings(&e.value),
            "standalone" => t.standalone = scalar() == "true",
            other => errors.push(TableError {
                range: e.key.range,
                message: format!("unknown template key `{other}` (known: title, type, body, criteria, target_files, target_files_from, standalone)"),
            }),
        }
    }
}

fn requirement(node: &YamlNode) -> Result<Requirement, TableError> {
    let get = |k: &str| node.get(k).map(|e| &e.value);
    let err = |message: String| TableError {
        range: node.range,
        message,
    };
    let check_name = get("check")
        .and_then(|v| v.as_scalar())
        .ok_or_else(|| err("a requirement needs a `check`".into()))?;
    let list = |k: &str| get(k).map(strings).unwrap_or_default();
    let check = match check_name {
        "issue-reference" => Check::IssueReference,
        "type" => Check::Type(list("values")),
        "research-output" => Check::ResearchOutput,
        "test-target" => Check::TestTarget,
        "code-target" => Check::CodeTarget,
        "informed-by" => Check::InformedBy(list("phases")),
        "issue-link" => Check::IssueLink,
        "depends-on" => Check::DependsOn(list("phases")),
        "prompt" => Check::Prompt(
            get("name")
                .and_then(|v| v.as_scalar())
                .unwrap_or("")
                .to_string(),
        ),
        "test-criterion" => Check::TestCriterion,
        other => return Err(err(format!("unknown check `{other}`"))),
    };
    let severity = get("severity")
        .and_then(|v| v.as_scalar())
        .unwrap_or("warning")
        .to_string();
    if !matches!(
        severity.as_str(),
        "error" | "warning" | "information" | "hint"
    ) {
        return Err(err(format!(
            "severity `{severity}` is not one of error, warning, information, hint"
        )));
    }
    Ok(Requirement {
        check,
        severity,
        why: get("why")
            .and_then(|v| v.as_scalar())
            .unwrap_or("")
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn facts(src: &str) -> SpecFacts {
        SpecFacts::read(&syntax::parse(src))
    }

    #[test]
    fn default_table_loads() {
        let t = PhaseTable::default();
        let names: Vec<&str> = t.phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "comprehension",
                "reproduction",
                "root-cause",
                "impact-map",
                "fix",
                "upstream-pr",
                "investigation"
            ]
        );
        assert!(t.phases.iter().all(|p| !p.requires.is_empty()));
    }

    #[test]
    fn recognised_by_label_title_and_slug() {
        let t = PhaseTable::default();
        let f = facts("---\nlabels: [issue-1, root-cause]\n---\n# x");
        assert_eq!(t.phase_of("a", &f, None).unwrap().name, "root-cause");
        let f = SpecFacts::default();
        assert_eq!(
            t.phase_of("a", &f, Some("Phase 4: Impact Map - Assess"))
                .unwrap()
                .name,
            "impact-map"
        );
        assert_eq!(
            t.phase_of("a", &f, Some("Reproduce issue #3"))
                .unwrap()
                .name,
            "reproduction"
        );
        assert_eq!(
            t.phase_of("004-sprawl", &f, Some("Whatever")).unwrap().name,
            "impact-map"
        );
        assert!(t
            .phase_of("2026-01-01-001-abc", &f, Some("Fix typo"))
            .is_none());
    }

    #[test]
    fn project_overrides_merge_by_name() {
        let mut t = PhaseTable::default();
        let (root, _) = yaml::parse("- name: fix\n  labels: [bugfix]\n- name: triage\n  requires:\n    - check: type\n      values: [task]\n", 0);
        assert!(t.merge(&root.unwrap()).is_empty());
        assert_eq!(t.get("fix").unwrap().labels, vec!["bugfix"]);
        assert!(
            !t.get("fix").unwrap().requires.is_empty(),
            "keys not given are kept"
        );
        assert_eq!(
            t.get("triage").unwrap().requires[0].check,
            Check::Type(vec!["task".into()])
        );
        let (bad, _) = yaml::parse("- name: fix\n  requires:\n    - check: nope\n", 0);
        assert_eq!(t.merge(&bad.unwrap()).len(), 1);
        // Templates merge key by key too; a misspelt key is reported.
        let (tpl, _) = yaml::parse(
            "- name: fix\n  template:\n    title: \"Patch #{issue}\"\n    criteria: [a, b]\n    nope: 1\n",
            0,
        );
        assert_eq!(t.merge(&tpl.unwrap()).len(), 1);
        let fix = &t.get("fix").unwrap().template;
        assert_eq!(fix.title, "Patch #{issue}");
        assert_eq!(fix.criteria, ["a", "b"]);
        assert_eq!(fix.target_files_from, ["reproduction"], "kept");
        assert!(t.get("investigation").unwrap().template.standalone);
    }
}
