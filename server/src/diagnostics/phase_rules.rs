//! `missing-phase-field`: the maintainer workflow's phase table (model::phases) applied
//! to one spec, with values inferred from the other specs of the same issue.

use crate::model::facts::{items, Item};
use crate::model::phases::{Check, Requirement};
use crate::model::{SpecFile, SpecKey};
use crate::syntax::edit::{self, Edit};

use super::{Fix, Severity, Sink};

pub(super) fn check(s: &mut Sink) {
    let Some(phase) = s.ws.phase(s.file) else {
        return;
    };
    for req in &phase.requires {
        if let Some((range, what, fix)) = evaluate(s, req) {
            let severity = Severity::parse(&req.severity).unwrap_or(Severity::Warning);
            let message = if req.why.is_empty() {
                format!("{} spec: {what}", phase.title)
            } else {
                format!("{} spec: {what}: {}", phase.title, req.why)
            };
            let d = s.push_with("missing-phase-field", severity, range, message);
            if let Some(fix) = fix {
                d.fixes.push(fix);
            }
        }
    }
}

/// The other specs of this spec's issue, in the given phase.
fn siblings_in<'a>(s: &Sink<'a>, phase: &str) -> Vec<(SpecKey, &'a SpecFile)> {
    let ws = s.ws;
    let Some(n) = s.file.issue else {
        return Vec::new();
    };
    let mut v: Vec<_> = ws
        .issue_specs_in_phase(n, phase)
        .filter(|(k, _)| *k != s.key)
        .collect();
    v.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    v
}

fn norm(p: &str) -> &str {
    p.trim_start_matches("./")
}

fn is_research_path(p: &str) -> bool {
    norm(p).starts_with(".chant/research/")
}

fn is_test_path(p: &str) -> bool {
    let p = norm(p).to_lowercase();
    let name = p.rsplit('/').next().unwrap_or("");
    p.split('/')
        .any(|c| matches!(c, "test" | "tests" | "spec" | "__tests__" | "testdata"))
        || name.starts_with("test_")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains("_spec.")
        || name.contains(".spec.")
}

fn add_fix(s: &Sink, key: &str, value: &str, title: String) -> Option<Fix> {
    let fm = s.file.syntax.frontmatter()?;
    Some(Fix {
        title,
        edits: vec![edit::add_list_item(s.text(), fm, key, value)],
        safe: false,
        delete: None,
    })
}

/// The research document this spec should write: `.chant/research/issue-N-<phase>.md`.
pub(super) fn research_output_fix(s: &Sink) -> Option<(String, Edit)> {
    let n = s.file.issue?;
    let phase = s.ws.phase(s.file)?;
    let path = format!(".chant/research/issue-{n}-{}.md", phase.name);
    let fm = s.file.syntax.frontmatter()?;
    Some((
        format!("Add `{path}` to target_files"),
        edit::add_list_item(s.text(), fm, "target_files", &path),
    ))
}

type Finding = (crate::syntax::TextRange, String, Option<Fix>);

fn evaluate(s: &Sink, req: &Requirement) -> Option<Finding> {
    let facts = &s.file.facts;
    let targets = items(&facts.target_files);
    let informed = items(&facts.informed_by);
    match &req.check {
        Check::IssueReference => {
            let labelled = facts.label_values().any(|l| {
                l.strip_prefix("issue-")
                    .is_some_and(|n| n.parse::<u64>().is_ok())
            });
            let titled = s
                .file
                .title()
                .and_then(crate::model::issue::hash_number)
                .is_some();
            if labelled || titled {
                return None;
            }
            let fix = s.file.issue.and_then(|n| {
                add_fix(
                    s,
                    "labels",
                    &format!("issue-{n}"),
                    format!("Add label `issue-{n}`"),
                )
            });
            Some((
                s.key_or_spec("labels"),
                "no `issue-N` label and no `#N` in the title".into(),
                fix,
            ))
        }
        Check::Type(values) => {
            let t = facts.spec_type();
            if values.iter().any(|v| v == t) || values.is_empty() {
                return None;
            }
            let range = facts
                .r#type
                .as_ref()
                .map_or_else(|| s.whole_spec_range(), |p| p.value_range);
            let fix = s.file.syntax.frontmatter().map(|fm| Fix {
                title: format!("Set type to `{}`", values[0]),
                edits: vec![edit::set_scalar(s.text(), fm, "type", &values[0])],
                safe: false,
                delete: None,
            });
            Some((
                range,
                format!("`type` is `{t}`, this phase needs {}", quoted_list(values)),
                fix,
            ))
        }
        Check::ResearchOutput => {
            if targets.iter().any(|t| is_research_path(&t.value)) {
                return None;
            }
            // chant's own research-missing-target-files already covers an absent list.
            if facts.spec_type() == "research"
                && facts
                    .target_files
                    .as_ref()
                    .is_none_or(|p| p.value.is_empty())
                && !has_key(s, "target_files")
            {
                return None;
            }
            let fix = research_output_fix(s).map(|(title, e)| Fix {
                title,
                edits: vec![e],
                safe: false,
                delete: None,
            });
            Some((
                s.key_or_spec("target_files"),
                "`target_files` names no document under `.chant/research/`".into(),
                fix,
            ))
        }
        Check::TestTarget => {
            if targets.iter().any(|t| is_test_path(&t.value)) {
                return None;
            }
            Some((
                s.key_or_spec("target_files"),
                "`target_files` names no test file (`tests/…`, `test_*`, `*_test.*`)".into(),
                None,
            ))
        }
        Check::CodeTarget => {
            if targets
                .iter()
                .any(|t| !norm(&t.value).starts_with(".chant/"))
            {
                return None;
            }
            Some((
                s.key_or_spec("target_files"),
                "`target_files` names no source file outside `.chant/`".into(),
                None,
            ))
        }
        Check::InformedBy(phases) => {
            let mut missing = Vec::new();
            let mut fix = None;
            for q in phases {
                let sibs = siblings_in(s, q);
                let outputs: Vec<&Item> = sibs
                    .iter()
                    .flat_map(|(_, f)| items(&f.facts.target_files))
                    .collect();
                let spec_files: Vec<&str> = sibs.iter().map(|(_, f)| f.rel.as_str()).collect();
                let satisfied = if outputs.is_empty() {
                    let name = s.ws.config.phases.get(q);
                    let words: Vec<&str> = name
                        .map(|p| {
                            p.slugs
                                .iter()
                                .map(String::as_str)
                                .chain([p.name.as_str()])
                                .collect()
                        })
                        .unwrap_or_default();
                    informed.iter().any(|i| {
                        words.iter().any(|w| i.value.contains(w))
                            || spec_files.contains(&norm(&i.value))
                    })
                } else {
                    informed.iter().any(|i| {
                        outputs.iter().any(|o| norm(&o.value) == norm(&i.value))
                            || spec_files.contains(&norm(&i.value))
                    })
                };
                if satisfied {
                    continue;
                }
                let title = phase_title(s, q);
                match outputs.first() {
                    Some(o) => {
                        missing.push(format!("the {title} output (`{}`)", o.value));
                        if fix.is_none() {
                            fix = add_fix(
                                s,
                                "informed_by",
                                &o.value,
                                format!("Add `{}` to informed_by", o.value),
                            );
                        }
                    }
                    None => missing.push(format!("the {title} output")),
                }
            }
            if missing.is_empty() {
                return None;
            }
            Some((
                s.key_or_spec("informed_by"),
                format!("`informed_by` lacks {}", missing.join(" and ")),
                fix,
            ))
        }
        Check::IssueLink => {
            if informed.iter().any(|i| i.value.contains("://")) {
                return None;
            }
            let url = s.file.issue.and_then(|n| {
                s.ws.issue_specs(n).find_map(|(_, f)| {
                    items(&f.facts.informed_by)
                        .iter()
                        .find(|i| i.value.contains("/issues/"))
                        .map(|i| i.value.clone())
                })
            });
            let fix = url
                .and_then(|u| add_fix(s, "informed_by", &u, format!("Add `{u}` to informed_by")));
            Some((
                s.key_or_spec("informed_by"),
                "`informed_by` has no link to the issue".into(),
                fix,
            ))
        }
        Check::DependsOn(phases) => {
            let deps: Vec<&str> = facts.deps().iter().map(|d| d.value.as_str()).collect();
            let candidates: Vec<(String, &SpecFile)> = phases
                .iter()
                .flat_map(|q| {
                    siblings_in(s, q)
                        .into_iter()
                        .map(move |(_, f)| (q.clone(), f))
                })
                .collect();
            // A short ID that resolves to the spec counts here: `inexact-dependency-id`
            // already reports it, with the fix.
            let names = |f: &SpecFile| {
                deps.iter()
                    .any(|d| *d == f.id || (d.len() >= 3 && f.id.ends_with(d)))
            };
            let ok = if candidates.is_empty() {
                !deps.is_empty()
            } else {
                candidates.iter().any(|(_, f)| names(f))
            };
            if ok {
                return None;
            }
            let names = phases
                .iter()
                .map(|q| phase_title(s, q))
                .collect::<Vec<_>>()
                .join(" or ");
            let fix = candidates.first().and_then(|(_, f)| {
                add_fix(
                    s,
                    "depends_on",
                    &f.id,
                    format!("Add `{}` to depends_on", f.id),
                )
            });
            Some((
                s.key_or_spec("depends_on"),
                format!("`depends_on` does not name the {names} spec"),
                fix,
            ))
        }
        Check::Prompt(name) => {
            if facts.prompt.is_some()
                || name.is_empty()
                || !s.ws.file_exists(&format!(".chant/prompts/{name}.md"))
            {
                return None;
            }
            let fix = s.file.syntax.frontmatter().map(|fm| Fix {
                title: format!("Set prompt to `{name}`"),
                edits: vec![edit::set_scalar(s.text(), fm, "prompt", name)],
                safe: false,
                delete: None,
            });
            Some((
                s.key_or_spec("prompt"),
                format!("no `prompt`, although `.chant/prompts/{name}.md` exists"),
                fix,
            ))
        }
        Check::TestCriterion => {
            let body = &s.file.syntax.body;
            let text = s.text();
            if body.criteria.iter().any(|c| {
                text[c.line.start()..c.line.end()]
                    .to_lowercase()
                    .contains("test")
            }) {
                return None;
            }
            let range = body
                .criteria_headings
                .last()
                .copied()
                .unwrap_or_else(|| s.whole_spec_range());
            Some((
                range,
                "no acceptance criterion mentions a test".into(),
                None,
            ))
        }
    }
}

fn has_key(s: &Sink, key: &str) -> bool {
    s.file.syntax.root().and_then(|r| r.get(key)).is_some()
}

fn phase_title(s: &Sink, name: &str) -> String {
    s.ws.config
        .phases
        .get(name)
        .map_or_else(|| name.to_string(), |p| p.title.to_lowercase())
}

fn quoted_list(values: &[String]) -> String {
    let q: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match q.len() {
        1 => q[0].clone(),
        _ => format!("{} or {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}
