//! "Start the <phase> spec for issue #N": the next phase's spec written as chant would
//! write it, with everything the phase table says the phase needs (so it starts without
//! `missing-phase-field`). Pure: the workspace, the date and a random source in, a path
//! and a text out; writing the file is the caller's job.

use std::path::PathBuf;

use crate::model::facts::items;
use crate::model::phases::{Check, Phase};
use crate::model::{Location, SpecFile, Workspace};

/// A spec to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSpec {
    pub id: String,
    pub path: PathBuf,
    /// Relative to the workspace root.
    pub rel: String,
    pub text: String,
}

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// The phases of issue `n` that can be started: steps of the sequence (not single-spec
/// mode) without a spec yet, in table order. None when the issue is worked in single-spec
/// mode.
pub fn startable(ws: &Workspace, n: u64) -> Vec<&Phase> {
    let table = &ws.config.phases.phases;
    let started: Vec<usize> = ws.issue_specs(n).filter_map(|(_, f)| f.phase).collect();
    if started
        .iter()
        .any(|&i| table.get(i).is_some_and(|p| p.template.standalone))
    {
        return Vec::new();
    }
    table
        .iter()
        .enumerate()
        .filter(|(i, p)| !p.template.standalone && !started.contains(i))
        .map(|(_, p)| p)
        .collect()
}

/// The specs of issue `n` in phase `name`, by ID.
fn specs_of<'a>(ws: &'a Workspace, n: u64, name: &str) -> Vec<&'a SpecFile> {
    let mut v: Vec<&SpecFile> = ws.issue_specs_in_phase(n, name).map(|(_, f)| f).collect();
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

fn is_research(p: &Phase) -> bool {
    p.requires
        .iter()
        .any(|r| matches!(r.check, Check::ResearchOutput))
}

/// The research document a phase writes: `.chant/research/issue-N-<phase>.md`, the path
/// the `missing-phase-field` fix proposes too.
pub fn research_output(n: u64, phase: &str) -> String {
    format!(".chant/research/issue-{n}-{phase}.md")
}

/// The next ID of the day as `chant add` makes it: `<date>-<seq>-<rand>`, seq one more
/// than the highest of the day in `specs/` (base36, 3 digits), rand 3 base36 characters.
pub fn next_id(
    ws: &Workspace,
    today: chrono::NaiveDate,
    random: &mut dyn FnMut() -> u32,
) -> Result<String, String> {
    let date = today.format("%Y-%m-%d").to_string();
    let prefix = format!("{date}-");
    let max = ws
        .specs()
        .filter(|(_, f)| f.location == Location::Active)
        .filter_map(|(_, f)| f.id.strip_prefix(&prefix))
        .filter_map(|rest| rest.get(..3))
        .filter_map(|seq| u32::from_str_radix(seq, 36).ok())
        .max()
        .unwrap_or(0);
    let seq = max + 1;
    if seq >= 36 * 36 * 36 {
        return Err(format!("no sequence number left for {date}"));
    }
    let seq = base36(seq, 3);
    // The sequence alone makes the ID new among active specs; the suffix is redrawn in
    // case an archived or unparsable file holds the same ID.
    for _ in 0..64 {
        let id = format!("{date}-{seq}-{}", base36(random() % (36 * 36 * 36), 3));
        let rel = format!(".chant/specs/{id}.md");
        if ws.by_id(&id).next().is_none() && !ws.file_exists(&rel) {
            return Ok(id);
        }
    }
    Err("could not find an unused spec ID".into())
}

fn base36(mut n: u32, width: usize) -> String {
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = BASE36[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The issue's subject: the title of its earliest spec after `#N` (`Comprehension: issue
/// #1234 concurrent writes lose data` -> `concurrent writes lose data`).
fn summary(ws: &Workspace, n: u64) -> String {
    let mut specs: Vec<&SpecFile> = ws.issue_specs(n).map(|(_, f)| f).collect();
    specs.sort_by_key(|f| (f.phase.unwrap_or(usize::MAX), f.id.clone()));
    let tag = format!("#{n}");
    specs
        .iter()
        .filter_map(|f| f.title())
        .find_map(|t| {
            let (_, rest) = t.split_once(&tag)?;
            // `#12` must not match inside `#123`.
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            let s = rest.trim_start_matches([':', '-', '–', '—', ' ']).trim();
            (!s.is_empty()).then(|| s.to_string())
        })
        .unwrap_or_default()
}

fn fill(template: &str, n: u64, summary: &str) -> String {
    let t = template.replace("{issue}", &n.to_string());
    let t = if summary.is_empty() {
        t.replace(": {summary}", "")
            .replace(" {summary}", "")
            .replace("{summary}", "")
    } else {
        t.replace("{summary}", summary)
    };
    // One line: a title or list item never spans lines.
    t.replace(['\n', '\r'], " ").trim().to_string()
}

/// Plans the spec of `phase` for issue `n`.
pub fn plan(
    ws: &Workspace,
    n: u64,
    phase_name: &str,
    today: chrono::NaiveDate,
    random: &mut dyn FnMut() -> u32,
) -> Result<NewSpec, String> {
    let table = &ws.config.phases;
    let index = table
        .index(phase_name)
        .ok_or_else(|| format!("no phase `{phase_name}` in the phase table"))?;
    let phase = &table.phases[index];
    if !startable(ws, n).iter().any(|p| p.name == phase.name) {
        return Err(format!(
            "issue #{n} already has a {} spec",
            phase.title.to_lowercase()
        ));
    }
    let mut labels = vec![format!("issue-{n}")];
    labels.extend(phase.labels.iter().cloned());

    let mut spec_type = phase.template.spec_type.clone();
    let mut prompt = None;
    let mut depends_on: Vec<String> = Vec::new();
    let mut informed_by: Vec<String> = Vec::new();
    let mut target_files: Vec<String> = Vec::new();

    // The phase it follows: the nearest earlier step of the sequence that has a spec.
    if let Some(prev) = table.phases[..index]
        .iter()
        .rev()
        .filter(|p| !p.template.standalone)
        .map(|p| specs_of(ws, n, &p.name))
        .find(|v| !v.is_empty())
    {
        depends_on.extend(prev.iter().map(|f| f.id.clone()));
    }
    for req in &phase.requires {
        match &req.check {
            Check::Type(values) => {
                if let Some(v) = values.first() {
                    spec_type = Some(v.clone());
                }
            }
            Check::ResearchOutput => target_files.push(research_output(n, &phase.name)),
            Check::IssueLink => {
                let url = ws.issue_specs(n).find_map(|(_, f)| {
                    items(&f.facts.informed_by)
                        .iter()
                        .find(|i| i.value.contains("/issues/"))
                        .map(|i| i.value.clone())
                });
                informed_by.extend(url);
            }
            Check::InformedBy(phases) => {
                for q in phases {
                    let specs = specs_of(ws, n, q);
                    let outputs: Vec<String> = specs
                        .iter()
                        .flat_map(|f| items(&f.facts.target_files))
                        .map(|i| i.value.clone())
                        .collect();
                    if !outputs.is_empty() {
                        informed_by.extend(outputs);
                    } else if let Some(f) = specs.first() {
                        informed_by.push(f.rel.clone());
                    } else if table.get(q).is_some_and(is_research) {
                        // Not started yet: the document it will write, by convention.
                        informed_by.push(research_output(n, q));
                    }
                }
            }
            Check::DependsOn(phases) => {
                let named = phases.iter().any(|q| {
                    specs_of(ws, n, q)
                        .iter()
                        .any(|f| depends_on.contains(&f.id))
                });
                if !named {
                    if let Some(f) = phases.iter().flat_map(|q| specs_of(ws, n, q)).next() {
                        depends_on.push(f.id.clone());
                    }
                }
            }
            Check::Prompt(name) => {
                if !name.is_empty() && ws.file_exists(&format!(".chant/prompts/{name}.md")) {
                    prompt.get_or_insert_with(|| name.clone());
                }
            }
            Check::IssueReference
            | Check::TestTarget
            | Check::CodeTarget
            | Check::TestCriterion => {}
        }
    }
    // A prompt named after the phase is the project's prompt for it.
    if prompt.is_none() {
        prompt = std::iter::once(&phase.name)
            .chain(&phase.slugs)
            .find(|p| ws.file_exists(&format!(".chant/prompts/{p}.md")))
            .cloned();
    }
    let summary = summary(ws, n);
    target_files.extend(phase.template.target_files.iter().map(|t| fill(t, n, "")));
    for q in &phase.template.target_files_from {
        for f in specs_of(ws, n, q) {
            target_files.extend(
                items(&f.facts.target_files)
                    .iter()
                    .map(|i| i.value.clone())
                    .filter(|v| !v.starts_with(".chant/")),
            );
        }
    }
    for list in [&mut depends_on, &mut informed_by, &mut target_files] {
        let mut seen = std::collections::HashSet::new();
        list.retain(|v| seen.insert(v.clone()));
    }

    let title = if phase.template.title.is_empty() {
        fill(
            &format!("{}: issue #{{issue}}: {{summary}}", phase.title),
            n,
            &summary,
        )
    } else {
        fill(&phase.template.title, n, &summary)
    };

    let mut text = String::from("---\n");
    if let Some(t) = &spec_type {
        text.push_str(&format!("type: {}\n", yaml_scalar(t)));
    }
    text.push_str("status: pending\n");
    if let Some(p) = &prompt {
        text.push_str(&format!("prompt: {}\n", yaml_scalar(p)));
    }
    for (key, list) in [
        ("labels", &labels),
        ("depends_on", &depends_on),
        ("informed_by", &informed_by),
        ("target_files", &target_files),
    ] {
        if list.is_empty() {
            continue;
        }
        text.push_str(&format!("{key}:\n"));
        for v in list {
            text.push_str(&format!("- {}\n", yaml_scalar(v)));
        }
    }
    text.push_str(&format!("---\n# {title}\n"));
    let body = fill(&phase.template.body, n, &summary);
    if !body.is_empty() {
        text.push_str(&format!("\n{body}\n"));
    }
    if !phase.template.criteria.is_empty() {
        text.push_str("\n## Acceptance Criteria\n\n");
        for c in &phase.template.criteria {
            text.push_str(&format!("- [ ] {}\n", fill(c, n, &summary)));
        }
    }

    let id = next_id(ws, today, random)?;
    let rel = format!(".chant/specs/{id}.md");
    Ok(NewSpec {
        path: ws.root.join(&rel),
        id,
        rel,
        text,
    })
}

/// A YAML scalar: plain when YAML reads it back as the same string, else double-quoted.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.trim() == s
        && s.starts_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_'))
        && s.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(
                    c,
                    '-' | '_' | '.' | '/' | ':' | '+' | '~' | '=' | '?' | '&' | '%' | ' '
                )
        })
        && !s.contains(": ")
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~"
        )
        && s.parse::<f64>().is_err();
    if plain {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
