//! Drafting the upstream pull request from what the investigation knows (chant-format §8),
//! and the spec-body section that holds it. Pure: the caller passes file contents in.

use crate::model::facts::items;
use crate::model::{SpecFile, SpecKey, Workspace};
use crate::syntax::edit::Edit;
use crate::syntax::TextRange;

const BEGIN: &str = crate::model::facts::PR_SECTION_MARKER;
const END: &str = "<!-- /chant-lsp:upstream-pr -->";
const FENCE: &str = "````";

#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub title: String,
    pub body: String,
}

/// The specs of one investigation, by phase.
pub struct Investigation<'a> {
    pub issue: u64,
    pub fix: Option<&'a SpecFile>,
    pub reproduction: Option<&'a SpecFile>,
    pub comprehension: Option<&'a SpecFile>,
    pub root_cause: Option<&'a SpecFile>,
    pub impact_map: Option<&'a SpecFile>,
}

pub fn investigation(ws: &Workspace, key: SpecKey) -> Result<Investigation<'_>, String> {
    let spec = ws
        .get(key)
        .ok_or("this spec is no longer in the workspace")?;
    let n = spec.issue.ok_or("this spec names no issue (an `issue-N` label or `#N` in the title), so there is no investigation to draft from")?;
    // This spec for its own phase, else the issue's newest spec of that phase.
    let phase = |name: &str| -> Option<&SpecFile> {
        if ws.phase(spec).is_some_and(|p| p.name == name) {
            return Some(spec);
        }
        ws.issue_specs_in_phase(n, name)
            .map(|(_, f)| f)
            .max_by(|a, b| a.id.cmp(&b.id))
    };
    Ok(Investigation {
        issue: n,
        fix: phase("fix"),
        reproduction: phase("reproduction"),
        comprehension: phase("comprehension"),
        root_cause: phase("root-cause"),
        impact_map: phase("impact-map"),
    })
}

/// The research documents a phase spec wrote (its `.chant/research/` target files).
pub fn research_docs(spec: Option<&SpecFile>) -> Vec<String> {
    spec.map(|s| {
        items(&s.facts.target_files)
            .iter()
            .map(|i| i.value.clone())
            .filter(|p| p.contains(".chant/research/"))
            .collect()
    })
    .unwrap_or_default()
}

/// `read(path)` returns a research document's text (relative path), if it exists.
/// `diff` is the branch's changed files when git can tell.
pub fn draft(
    inv: &Investigation,
    read: &dyn Fn(&str) -> Option<String>,
    diff: Option<&[String]>,
) -> Draft {
    let n = inv.issue;
    let fix_title = inv.fix.and_then(|f| f.title()).unwrap_or("");
    let what = strip_issue_prefix(fix_title, n);
    let title = if what.is_empty() {
        format!("Fix #{n}")
    } else {
        format!("Fix #{n}: {what}")
    };

    let doc = |spec: Option<&SpecFile>| -> String {
        research_docs(spec)
            .iter()
            .filter_map(|p| read(p))
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let comprehension = doc(inv.comprehension);
    let root_cause = doc(inv.root_cause);
    let impact = doc(inv.impact_map);
    let symptom = section_text(
        &comprehension,
        &[
            "observable symptom",
            "symptom",
            "problem statement",
            "problem",
        ],
    );
    let cause = section_text(&root_cause, &["root cause", "why it happens", "cause"]);
    let remedy = section_text(
        &root_cause,
        &["recommended solution", "recommendation", "solution", "fix"],
    );
    let mut summary: Vec<String> = [symptom, cause, remedy].into_iter().flatten().collect();
    if summary.is_empty() && !what.is_empty() {
        summary.push(sentence(&what));
    }

    // Changes: the fix's and the reproduction's target files, then what the branch touched.
    let mut files: Vec<String> = Vec::new();
    for spec in [inv.fix, inv.reproduction].into_iter().flatten() {
        files.extend(
            items(&spec.facts.target_files)
                .iter()
                .map(|i| i.value.trim_start_matches("./").to_string()),
        );
    }
    if let Some(d) = diff {
        files.extend(d.iter().cloned());
    }
    let mut seen = std::collections::HashSet::new();
    files
        .retain(|f| !f.starts_with(".chant/") && !f.contains(['*', '?']) && seen.insert(f.clone()));
    let repro_files: Vec<String> = inv
        .reproduction
        .map(|r| {
            items(&r.facts.target_files)
                .iter()
                .map(|i| i.value.clone())
                .collect()
        })
        .unwrap_or_default();
    let fix_criteria: Vec<String> = inv.fix.map(criteria_lines).unwrap_or_default();
    let changes: Vec<String> = files
        .iter()
        .map(|f| {
            let note = impact_note(&impact, f)
                .or_else(|| {
                    repro_files
                        .contains(f)
                        .then(|| format!("regression test for #{n}"))
                })
                .or_else(|| {
                    fix_criteria
                        .iter()
                        .find(|c| {
                            c.contains(f.as_str())
                                || f.rsplit('/').next().is_some_and(|name| c.contains(name))
                        })
                        .cloned()
                })
                .or_else(|| {
                    diff.is_some_and(|d| d.contains(f))
                        .then(|| "changed on the branch".to_string())
                });
            match note {
                Some(note) => format!("- `{f}` -- {note}"),
                None => format!("- `{f}`"),
            }
        })
        .collect();

    let mut testing: Vec<String> = repro_files
        .iter()
        .filter(|p| !p.starts_with(".chant/"))
        .map(|p| format!("- Regression test `{p}` reproduces #{n}: it fails before this change and passes after it."))
        .collect();
    testing.extend(
        fix_criteria
            .iter()
            .filter(|c| c.to_lowercase().contains("test"))
            .map(|c| format!("- {c}")),
    );
    testing.extend(
        bullets_under(&impact, &["test gap", "test gaps", "testing gaps"])
            .into_iter()
            .map(|b| format!("- Not yet covered: {b}")),
    );

    let mut body = format!("## Summary\n\nFixes #{n}.\n");
    if !summary.is_empty() {
        body.push_str(&format!("\n{}\n", summary.join(" ")));
    }
    body.push_str("\n## Changes\n\n");
    body.push_str(&if changes.is_empty() {
        "- (no files named yet)".to_string()
    } else {
        changes.join("\n")
    });
    body.push_str("\n\n## Testing\n\n");
    body.push_str(&if testing.is_empty() {
        "- (describe how this was tested)".to_string()
    } else {
        testing.join("\n")
    });
    body.push('\n');
    Draft { title, body }
}

/// `Fix issue #1234: lock writes` -> `lock writes`.
fn strip_issue_prefix(title: &str, n: u64) -> String {
    let t = title.trim();
    for prefix in [
        format!("fix issue #{n}"),
        format!("fix #{n}"),
        format!("issue #{n}"),
    ] {
        if t.to_lowercase().starts_with(&prefix) {
            return t[prefix.len()..]
                .trim_start_matches([':', ' ', '-', '—'])
                .trim()
                .to_string();
        }
    }
    t.strip_prefix("Fix ").unwrap_or(t).to_string()
}

fn sentence(s: &str) -> String {
    let s = s.trim();
    let mut out: String = s
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default()
        + &s[s.chars().next().map_or(0, char::len_utf8)..];
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// The first paragraph under a heading whose text starts with one of `names` (a document
/// titled "Root cause" with an empty intro falls through to its "## Root Cause" section).
fn section_text(doc: &str, names: &[&str]) -> Option<String> {
    let lines: Vec<&str> = doc.lines().collect();
    let is_match = |l: &str| {
        let t = l.trim_start();
        t.starts_with('#')
            && names.iter().any(|n| {
                t.trim_start_matches('#')
                    .trim()
                    .to_lowercase()
                    .starts_with(n)
            })
    };
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| is_match(l))
        .find_map(|(start, _)| {
            let mut para: Vec<&str> = Vec::new();
            for l in &lines[start + 1..] {
                let t = l.trim();
                if t.starts_with('#') {
                    break;
                }
                if t.is_empty() {
                    if para.is_empty() {
                        continue;
                    }
                    break;
                }
                para.push(t.trim_start_matches(['-', '*']).trim());
            }
            (!para.is_empty()).then(|| sentence(&para.join(" ")))
        })
}

fn bullets_under(doc: &str, names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in doc.lines() {
        let t = l.trim();
        if t.starts_with('#') {
            inside = names.iter().any(|n| {
                t.trim_start_matches('#')
                    .trim()
                    .to_lowercase()
                    .starts_with(n)
            });
            continue;
        }
        if inside {
            if let Some(b) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
                out.push(b.trim().to_string());
            }
        }
    }
    out
}

/// A note for `file` from the impact map's list: `- path - note`, `- path: note`,
/// `` - `path` -- note ``.
fn impact_note(impact: &str, file: &str) -> Option<String> {
    impact.lines().find_map(|l| {
        let t = l
            .trim()
            .strip_prefix("- ")
            .or_else(|| l.trim().strip_prefix("* "))?;
        let t = t.trim();
        let rest = t
            .strip_prefix(&format!("`{file}`"))
            .or_else(|| t.strip_prefix(file))?;
        let note = rest.trim_start_matches([' ', '-', ':', '—']).trim();
        (!note.is_empty()).then(|| note.to_string())
    })
}

/// The fix spec's acceptance criteria as plain text.
fn criteria_lines(spec: &SpecFile) -> Vec<String> {
    spec.syntax
        .body
        .criteria
        .iter()
        .map(|c| {
            spec.text[c.line.start()..c.line.end()]
                .trim_start_matches("- [ ]")
                .trim_start_matches("- [x]")
                .trim_start_matches("- [X]")
                .trim()
                .to_string()
        })
        .collect()
}

/// The draft section in a spec body, as written there (and maybe edited by hand).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// From the begin marker to the end of the end marker's line.
    pub range: TextRange,
    pub title: Option<String>,
    pub base: Option<String>,
    pub body: Option<String>,
    /// A submitted PR: (number, URL).
    pub pr: Option<(u64, String)>,
}

pub fn find_section(text: &str) -> Option<Section> {
    let start = text.find(BEGIN)?;
    let end_marker = text[start..].find(END).map(|i| start + i)?;
    let end = text[end_marker..]
        .find('\n')
        .map_or(text.len(), |i| end_marker + i + 1);
    let inner = &text[start + BEGIN.len()..end_marker];
    let field = |name: &str| {
        inner
            .lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
            .filter(|v| !v.is_empty())
    };
    let body = inner.find(&format!("{FENCE}markdown\n")).and_then(|open| {
        let from = open + FENCE.len() + "markdown\n".len();
        let close = inner[from..]
            .find(&format!("\n{FENCE}"))
            .map(|i| from + i)?;
        Some(inner[from..close].to_string() + "\n")
    });
    let pr = field("PR:").and_then(|v| {
        let url = v.split_whitespace().next()?.to_string();
        let number = url.rsplit('/').next()?.parse().ok()?;
        Some((number, url))
    });
    Some(Section {
        range: TextRange::new(start, end),
        title: field("Title:"),
        base: field("Base:"),
        body,
        pr,
    })
}

pub fn render_section(draft: &Draft, base: Option<&str>, pr: Option<&(u64, String)>) -> String {
    let mut s = format!(
        "{BEGIN}\n## Upstream PR\n\n_Drafted by chant-lsp from this investigation's specs. Edit the title and body freely: they are what \"Submit upstream PR\" sends. Running \"Draft upstream PR body\" again rewrites this section only._\n\nTitle: {}\n",
        draft.title
    );
    if let Some(b) = base {
        s.push_str(&format!("Base: {b}\n"));
    }
    if let Some((n, url)) = pr {
        s.push_str(&format!("PR: {url} (#{n})\n"));
    }
    s.push_str(&format!(
        "\n{FENCE}markdown\n{}{FENCE}\n{END}\n",
        draft.body
    ));
    s
}

/// Puts a freshly drafted section into `text`: replacing the old one (keeping its base
/// and recorded PR), else appending it at the end of the body.
pub fn upsert(text: &str, draft: &Draft) -> Edit {
    match find_section(text) {
        Some(old) => Edit::replace(
            old.range,
            render_section(draft, old.base.as_deref(), old.pr.as_ref()),
        ),
        None => {
            let sep = if text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            Edit::insert(
                text.len(),
                format!("{sep}{}", render_section(draft, None, None)),
            )
        }
    }
}

/// Records a submitted PR in the section (the body, never the frontmatter: chant drops
/// unknown frontmatter keys when it rewrites a spec).
pub fn record_pr(text: &str, number: u64, url: &str) -> Option<Edit> {
    let s = find_section(text)?;
    let inner = &text[s.range.start()..s.range.end()];
    let line = format!("PR: {url} (#{number})\n");
    if let Some(i) = inner.find("\nPR:") {
        let from = s.range.start() + i + 1;
        let to = text[from..].find('\n').map_or(text.len(), |j| from + j + 1);
        return Some(Edit::replace(TextRange::new(from, to), line));
    }
    let title = inner.find("\nTitle:")?;
    let from = s.range.start() + title + 1;
    let after = text[from..].find('\n').map_or(text.len(), |j| from + j + 1);
    Some(Edit::insert(after, line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::edit::apply;

    #[test]
    fn section_round_trip_keeps_what_is_outside() {
        let d = Draft {
            title: "Fix #7: x".into(),
            body: "## Summary\n\nFixes #7.\n\n```\ncode\n```\n".into(),
        };
        let text = "---\n---\n# Spec\n\nmy notes\n";
        let with = apply(text, &[upsert(text, &d)]);
        let s = find_section(&with).unwrap();
        assert_eq!(s.title.as_deref(), Some("Fix #7: x"));
        assert_eq!(s.body.as_deref(), Some(d.body.as_str()));
        assert!(with.starts_with(text));
        let with_pr = apply(
            &with,
            &[record_pr(&with, 12, "https://github.com/o/r/pull/12").unwrap()],
        );
        assert_eq!(
            find_section(&with_pr).unwrap().pr,
            Some((12, "https://github.com/o/r/pull/12".into()))
        );
        // Drafting again replaces the section, keeps the recorded PR and the notes.
        let d2 = Draft {
            title: "Fix #7: y".into(),
            body: "new\n".into(),
        };
        let again = apply(&with_pr, &[upsert(&with_pr, &d2)]);
        let s = find_section(&again).unwrap();
        assert_eq!(
            (s.title.as_deref(), s.body.as_deref()),
            (Some("Fix #7: y"), Some("new\n"))
        );
        assert_eq!(s.pr.map(|p| p.0), Some(12));
        assert!(again.contains("my notes") && again.matches(BEGIN).count() == 1);
    }

    #[test]
    fn helpers() {
        assert_eq!(
            strip_issue_prefix("Fix issue #1234: lock the segment", 1234),
            "lock the segment"
        );
        assert_eq!(
            section_text(
                "# X\n## Root Cause\n\nThe put is not atomic\nunder load.\n\n## Next",
                &["root cause"]
            )
            .unwrap(),
            "The put is not atomic under load."
        );
        assert_eq!(
            impact_note(
                "- src/a.rs - the race\n- `src/b.rs` -- same pattern\n",
                "src/b.rs"
            )
            .unwrap(),
            "same pattern"
        );
    }
}
