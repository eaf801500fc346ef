//! Drafting the upstream pull request from what the investigation knows (chant-format §8),
//! and the spec-body section that holds it. Pure: the caller passes file contents in.

use crate::model::facts::{items, PR_SECTION_MARKER};
use crate::model::{SpecFile, SpecKey, Workspace};
use crate::syntax::edit::Edit;
use crate::syntax::TextRange;

const BEGIN: &str = PR_SECTION_MARKER;
const END: &str = "<!-- /chant-lsp:upstream-pr -->";

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

/// What git knows about the fix branch, for the draft.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Branch {
    /// The files changed on the branch since it left its base.
    pub files: Vec<String>,
    /// The subjects of its commits, oldest first.
    pub subjects: Vec<String>,
}

/// Headings, most specific first, of the research documents' sections the summary
/// quotes: what the reporter sees, and why.
const SYMPTOM: &[&str] = &[
    "observable symptom",
    "symptom",
    "observed behavior",
    "observed behaviour",
    "reported behavior",
    "reported behaviour",
    "actual behavior",
    "actual behaviour",
    "what happens",
    "what the user sees",
    "problem statement",
    "problem",
];
const CAUSE: &[&str] = &[
    "root cause",
    "why it happens",
    "cause",
    "analysis",
    "explanation",
];
const REMEDY: &[&str] = &[
    "recommended solution",
    "recommended fix",
    "recommendation",
    "proposed solution",
    "proposed fix",
    "suggested fix",
    "solution",
    "fix",
];

/// The upstream PR, shaped like the chant book's example: a summary (the issue, its
/// symptom and cause, what the change did), the files the branch changes with what
/// changed in each, and how it was tested. `read(path)` returns a research document's
/// text (relative path); `branch` is what git knows of the fix branch, None outside git.
pub fn draft(
    inv: &Investigation,
    read: &dyn Fn(&str) -> Option<String>,
    branch: Option<&Branch>,
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
    let subjects = branch
        .map(|b| own_subjects(&b.subjects))
        .unwrap_or_default();
    let criteria: Vec<String> = inv.fix.map(criteria_lines).unwrap_or_default();

    let mut summary = format!("Fixes #{n}.");
    let parts = [
        section_text(&comprehension, SYMPTOM),
        section_text(&root_cause, CAUSE),
        change_sentence(&what, &subjects, &root_cause),
    ];
    for part in parts.into_iter().flatten() {
        summary.push(' ');
        summary.push_str(&part);
    }

    // Changes: exactly the branch's files when git knows them, else what the fix spec
    // meant to change.
    let mut seen = std::collections::HashSet::new();
    let files: Vec<String> = match branch {
        Some(b) => b.files.iter().map(|f| clean_path(f)).collect(),
        None => target_files(inv.fix)
            .into_iter()
            .filter(|f| !f.contains(['*', '?', '[']) && !f.ends_with('/'))
            .collect(),
    };
    let files: Vec<String> = files
        .into_iter()
        .filter(|f| !f.is_empty() && !f.starts_with(".chant/") && seen.insert(f.clone()))
        .collect();
    let tests: Vec<String> = target_files(inv.reproduction)
        .into_iter()
        .filter(|f| !f.starts_with(".chant/") && !f.contains(['*', '?']))
        .collect();
    let changes: Vec<String> = files
        .iter()
        .map(|f| {
            // "`tests/x.py` passes" names the file but says nothing about what changed.
            let named =
                |t: &&String| names_file(t, f) && !only_filler(t, std::slice::from_ref(f), n);
            let stem =
                |t: &&String| names_stem(t, f) && !only_filler(t, std::slice::from_ref(f), n);
            let note = criteria
                .iter()
                .find(named)
                .or_else(|| subjects.iter().find(named))
                .map(|t| note_from(t, f))
                .or_else(|| {
                    tests
                        .contains(f)
                        .then(|| format!("Regression test for #{n}"))
                })
                .or_else(|| {
                    criteria
                        .iter()
                        .find(stem)
                        .or_else(|| subjects.iter().find(stem))
                        .or_else(|| subjects.first().filter(|_| subjects.len() == 1))
                        .map(|t| note_from(t, f))
                })
                .or_else(|| impact_note(&impact, f));
            match note {
                Some(note) => format!("- `{f}` -- {note}"),
                None => format!("- `{f}`"),
            }
        })
        .collect();

    // Testing: the regression test, then the fix's criteria about tests, each once.
    let mut testing: Vec<String> = tests
        .iter()
        .map(|p| {
            format!("- `{p}` reproduces #{n}: it fails without this change and passes with it.")
        })
        .collect();
    testing.extend(
        criteria
            .iter()
            .filter(|c| about_tests(c))
            .filter(|c| tests.is_empty() || !restates_regression(c, &tests, n))
            .map(|c| format!("- {}", capitalise(c))),
    );
    let mut seen = std::collections::HashSet::new();
    testing.retain(|l| seen.insert(normalise(l)));

    let placeholder = |lines: Vec<String>, none: &str| {
        if lines.is_empty() {
            format!("- ({none})")
        } else {
            lines.join("\n")
        }
    };
    let no_files = if branch.is_some() {
        "the branch changes no files yet"
    } else {
        "no files named yet"
    };
    let body = format!(
        "## Summary\n\n{summary}\n\n## Changes\n\n{}\n\n## Testing\n\n{}\n",
        placeholder(changes, no_files),
        placeholder(testing, "describe how this was tested"),
    );
    Draft { title, body }
}

fn clean_path(p: &str) -> String {
    p.trim().trim_start_matches("./").to_string()
}

fn target_files(spec: Option<&SpecFile>) -> Vec<String> {
    spec.map(|s| {
        items(&s.facts.target_files)
            .iter()
            .map(|i| clean_path(&i.value))
            .collect()
    })
    .unwrap_or_default()
}

/// The subjects a person wrote: chant's `chant(<id>): ` prefix dropped, its own
/// bookkeeping commits (`chant: …`), merges and fixups left out.
fn own_subjects(subjects: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in subjects {
        let s = s.trim();
        let s = s
            .strip_prefix("chant(")
            .and_then(|r| r.split_once("): "))
            .map_or(s, |(_, rest)| rest)
            .trim();
        let skip = s.is_empty()
            || s.starts_with("chant:")
            || s.starts_with("Merge ")
            || s.starts_with("fixup!")
            || s.starts_with("squash!");
        if !skip && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// What the change did, as a statement: from the fix spec's title, else the first
/// commit subject, else the root-cause document's recommendation turned from an
/// instruction into what was done (left out when it does not start with a known verb).
fn change_sentence(what: &str, subjects: &[String], root_cause: &str) -> Option<String> {
    let done = if !what.is_empty() {
        past_tense(what).unwrap_or_else(|| format!("fixed {}", lower_first(what)))
    } else if let Some(s) = subjects.iter().find_map(|s| past_tense(s)) {
        s
    } else {
        let remedy = section_text(root_cause, REMEDY)?;
        past_tense(first_sentence(&remedy))?
    };
    Some(sentence(&format!("This change {done}")))
}

fn first_sentence(s: &str) -> &str {
    s.find(". ").map_or(s, |i| &s[..=i])
}

/// `Lock the segment` -> `locked the segment`; None unless the first word is a verb
/// of the table (an imperative turned into what was done).
fn past_tense(clause: &str) -> Option<String> {
    let clause = clause.trim().trim_end_matches('.');
    let (word, rest) = clause
        .split_once(char::is_whitespace)
        .map_or((clause, ""), |(w, r)| (w, r));
    let lower = word.to_lowercase();
    let past = PAST.iter().find(|(v, _)| *v == lower).map(|(_, p)| *p)?;
    Some(if rest.is_empty() {
        past.to_string()
    } else {
        format!("{past} {rest}")
    })
}

/// Verbs that start fix titles and commit subjects, with their past tense.
const PAST: &[(&str, &str)] = &[
    ("accept", "accepted"),
    ("add", "added"),
    ("allow", "allowed"),
    ("apply", "applied"),
    ("avoid", "avoided"),
    ("block", "blocked"),
    ("bound", "bounded"),
    ("build", "built"),
    ("cache", "cached"),
    ("cap", "capped"),
    ("catch", "caught"),
    ("change", "changed"),
    ("check", "checked"),
    ("clamp", "clamped"),
    ("clean", "cleaned"),
    ("clear", "cleared"),
    ("close", "closed"),
    ("compare", "compared"),
    ("copy", "copied"),
    ("correct", "corrected"),
    ("count", "counted"),
    ("create", "created"),
    ("debounce", "debounced"),
    ("defer", "deferred"),
    ("delay", "delayed"),
    ("delete", "deleted"),
    ("deny", "denied"),
    ("detect", "detected"),
    ("disable", "disabled"),
    ("drop", "dropped"),
    ("emit", "emitted"),
    ("enable", "enabled"),
    ("ensure", "ensured"),
    ("escape", "escaped"),
    ("fix", "fixed"),
    ("flush", "flushed"),
    ("free", "freed"),
    ("guard", "guarded"),
    ("handle", "handled"),
    ("hold", "held"),
    ("honor", "honored"),
    ("honour", "honoured"),
    ("ignore", "ignored"),
    ("include", "included"),
    ("initialize", "initialized"),
    ("keep", "kept"),
    ("limit", "limited"),
    ("lock", "locked"),
    ("log", "logged"),
    ("make", "made"),
    ("mark", "marked"),
    ("merge", "merged"),
    ("move", "moved"),
    ("normalise", "normalised"),
    ("normalize", "normalized"),
    ("omit", "omitted"),
    ("parse", "parsed"),
    ("pass", "passed"),
    ("preserve", "preserved"),
    ("prevent", "prevented"),
    ("propagate", "propagated"),
    ("protect", "protected"),
    ("put", "put"),
    ("quote", "quoted"),
    ("raise", "raised"),
    ("read", "read"),
    ("recover", "recovered"),
    ("refill", "refilled"),
    ("refresh", "refreshed"),
    ("reject", "rejected"),
    ("release", "released"),
    ("reload", "reloaded"),
    ("remove", "removed"),
    ("rename", "renamed"),
    ("replace", "replaced"),
    ("report", "reported"),
    ("require", "required"),
    ("reset", "reset"),
    ("resolve", "resolved"),
    ("respect", "respected"),
    ("restore", "restored"),
    ("retry", "retried"),
    ("return", "returned"),
    ("reuse", "reused"),
    ("revert", "reverted"),
    ("run", "ran"),
    ("sanitize", "sanitized"),
    ("serialize", "serialized"),
    ("set", "set"),
    ("skip", "skipped"),
    ("sort", "sorted"),
    ("split", "split"),
    ("stop", "stopped"),
    ("strip", "stripped"),
    ("support", "supported"),
    ("sync", "synced"),
    ("take", "took"),
    ("throttle", "throttled"),
    ("track", "tracked"),
    ("treat", "treated"),
    ("trim", "trimmed"),
    ("truncate", "truncated"),
    ("unlock", "unlocked"),
    ("update", "updated"),
    ("use", "used"),
    ("validate", "validated"),
    ("wait", "waited"),
    ("wrap", "wrapped"),
    ("write", "wrote"),
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `needle` occurs in `text` on its own: not inside a longer path or word.
fn mentions(text: &str, needle: &str) -> bool {
    let path_char = |c: char| is_word_char(c) || "-./".contains(c);
    !needle.is_empty()
        && text.match_indices(needle).any(|(i, m)| {
            let before = text.get(..i).and_then(|t| t.chars().next_back());
            let after = text.get(i + m.len()..).and_then(|t| t.chars().next());
            !before.is_some_and(path_char) && !after.is_some_and(is_word_char)
        })
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `text` names the file by its path, or by a file name distinctive enough to mean it.
fn names_file(text: &str, path: &str) -> bool {
    let name = file_name(path);
    mentions(text, path) || ((name.contains('.') || name.len() >= 5) && mentions(text, name))
}

/// `text` names what the file holds: its stem as a word (`Store::put` for `store.rs`),
/// for stems that are not the generic names every project has.
fn names_stem(text: &str, path: &str) -> bool {
    let stem = file_name(path)
        .split('.')
        .next()
        .unwrap_or("")
        .to_lowercase();
    const GENERIC: &[&str] = &[
        "main",
        "index",
        "init",
        "__init__",
        "test",
        "tests",
        "util",
        "utils",
        "common",
        "types",
        "config",
        "readme",
        "changelog",
        "setup",
        "build",
        "core",
        "base",
        "helper",
        "helpers",
    ];
    if stem.len() < 4 || GENERIC.contains(&stem.as_str()) {
        return false;
    }
    let lower = text.to_lowercase();
    lower.match_indices(&stem).any(|(i, m)| {
        let before = lower.get(..i).and_then(|t| t.chars().next_back());
        let after = lower.get(i + m.len()..).and_then(|t| t.chars().next());
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// A change note from a criterion or subject: what follows the file when it starts
/// with the file (`` `a.rs` refills by time `` -> `Refills by time`), else all of it.
fn note_from(text: &str, path: &str) -> String {
    let t = text.trim().trim_end_matches('.');
    let name = file_name(path);
    for lead in [
        format!("`{path}`"),
        format!("`{name}`"),
        path.to_string(),
        name.to_string(),
    ] {
        let Some(rest) = t.strip_prefix(&lead) else {
            continue;
        };
        if rest.starts_with(|c: char| is_word_char(c) || c == '.' || c == '/') {
            continue;
        }
        let rest = rest.trim_start_matches([':', ' ', '-', '—', ',']).trim();
        if !rest.is_empty() {
            return capitalise(rest);
        }
    }
    capitalise(t)
}

fn capitalise(s: &str) -> String {
    let s = s.trim();
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `Data loss` -> `data loss`, leaving acronyms (`API`) and code alone.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A criterion about tests: `test`, `tests`, `tested`, `testing`, or a test file.
fn about_tests(c: &str) -> bool {
    let lower = c.to_lowercase();
    words(c).any(|w| matches!(w.as_str(), "test" | "tests" | "tested" | "testing"))
        || lower.contains("_test")
        || lower.contains("test_")
}

/// "Regression test passes": nothing the regression-test line does not already say.
fn restates_regression(c: &str, tests: &[String], n: u64) -> bool {
    let (named, filler) = without_files(c, tests, n);
    (named || c.to_lowercase().contains("regression")) && filler
}

/// Once the files are taken out, `text` only says that tests pass.
fn only_filler(text: &str, files: &[String], n: u64) -> bool {
    without_files(text, files, n).1
}

/// Whether `c` names one of `files`, and whether the rest is only filler words.
fn without_files(c: &str, files: &[String], n: u64) -> (bool, bool) {
    let mut rest = c.to_lowercase();
    let mut named = false;
    for t in files {
        for needle in [t.to_lowercase(), file_name(t).to_lowercase()] {
            if rest.contains(&needle) {
                named = true;
                rest = rest.replace(&needle, " ");
            }
        }
    }
    const FILLER: &[&str] = &[
        "the",
        "a",
        "an",
        "new",
        "regression",
        "test",
        "tests",
        "pass",
        "passes",
        "passing",
        "now",
        "green",
        "succeeds",
        "is",
        "are",
        "for",
        "issue",
        "added",
        "written",
    ];
    let number = n.to_string();
    let filler = words(&rest).all(|w| FILLER.contains(&w.as_str()) || w == number);
    (named, filler)
}

/// For "no line twice": case, spacing and a trailing full stop do not make lines differ.
fn normalise(line: &str) -> String {
    line.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(['.', '!', ';', ':', ','])
        .to_lowercase()
}

/// `Fix issue #1234: lock writes` -> `lock writes`.
fn strip_issue_prefix(title: &str, n: u64) -> String {
    let t = title.trim();
    let t = t.strip_suffix(&format!("(#{n})")).map_or(t, str::trim_end);
    for prefix in [
        format!("fix issue #{n}"),
        format!("fix #{n}"),
        format!("issue #{n}"),
    ] {
        let head = t.get(..prefix.len());
        let rest = t.get(prefix.len()..).unwrap_or("");
        // `Fix #12` is no prefix of `Fix #123`.
        if head.is_some_and(|h| h.eq_ignore_ascii_case(&prefix))
            && !rest.starts_with(|c: char| c.is_ascii_digit())
        {
            return rest
                .trim_start_matches([':', ' ', '-', '—'])
                .trim()
                .to_string();
        }
    }
    t.strip_prefix("Fix ").unwrap_or(t).trim().to_string()
}

fn sentence(s: &str) -> String {
    let mut out = capitalise(s);
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// The first paragraph under the first heading that starts with one of `names`, tried
/// in order (a document titled "Root cause" with no intro falls through to its
/// "## Root Cause" section).
fn section_text(doc: &str, names: &[&str]) -> Option<String> {
    let lines: Vec<&str> = doc.lines().collect();
    let heading = |l: &str| {
        let t = l.trim_start();
        t.starts_with('#')
            .then(|| t.trim_start_matches('#').trim().to_lowercase())
    };
    names.iter().find_map(|name| {
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| heading(l).is_some_and(|h| h.starts_with(name)))
            .find_map(|(start, _)| {
                let mut para: Vec<&str> = Vec::new();
                for l in lines.iter().skip(start + 1) {
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
    })
}

/// A note for `file` from the impact map's list: `- path - note`, `- path: note`,
/// `` - `path` -- note ``.
fn impact_note(impact: &str, file: &str) -> Option<String> {
    impact.lines().find_map(|l| {
        let t = l.trim();
        let t = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("* "))?
            .trim();
        let rest = t
            .strip_prefix(&format!("`{file}`"))
            .or_else(|| t.strip_prefix(file))?;
        if rest.starts_with(|c: char| is_word_char(c) || c == '/') {
            return None;
        }
        let note = rest.trim_start_matches([' ', '-', ':', '—']).trim();
        (!note.is_empty()).then(|| note.to_string())
    })
}

/// The fix spec's acceptance criteria as plain text, each once.
fn criteria_lines(spec: &SpecFile) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(src) = spec.source() else {
        return out;
    };
    for c in &spec.syntax.body.criteria {
        let text = src
            .text()
            .get(c.range.end()..c.line.end())
            .unwrap_or("")
            .trim()
            .to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push(text);
        }
    }
    out
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
    /// The PR's state as last fetched (the text after `Status:`).
    pub status: Option<String>,
    /// The [`draft_hash`] of the title and body as last drafted (or sent), from the begin
    /// marker; None for a section written before markers held one.
    pub drafted: Option<String>,
}

impl Section {
    /// Whether the title or body differ from what chant-lsp last drafted or sent, so
    /// replacing them would lose a person's words. Without a hash we cannot tell: edited.
    pub fn edited(&self) -> bool {
        let now = draft_hash(
            self.title.as_deref().unwrap_or(""),
            self.body.as_deref().unwrap_or(""),
        );
        self.drafted.as_deref() != Some(now.as_str())
    }
}

/// 64-bit FNV-1a of `title + "\n" + body`, as 16 lowercase hex digits. Written out
/// because std's hashers may change between Rust versions, and the hash lives in files.
pub fn draft_hash(title: &str, body: &str) -> String {
    let bytes = title
        .bytes()
        .chain(std::iter::once(b'\n'))
        .chain(body.bytes());
    format!("{:016x}", fnv1a64(bytes))
}

fn fnv1a64(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One line of the text: `start..end` includes the line break, `content` does not.
struct Line<'a> {
    start: usize,
    end: usize,
    content: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        let content = content.strip_suffix('\r').unwrap_or(content);
        out.push(Line {
            start,
            end: start + raw.len(),
            content,
        });
        start += raw.len();
    }
    out
}

/// A begin-marker line: `Some(Some(hash))`, `Some(None)` for the old marker or an
/// unreadable hash, None for any other line (`<!-- chant-lsp:upstream-pr-x -->` too).
fn begin_marker(line: &str) -> Option<Option<String>> {
    let inner = line.trim().strip_prefix(BEGIN)?.strip_suffix("-->")?;
    if !(inner.is_empty() || inner.starts_with(char::is_whitespace)) {
        return None;
    }
    let hash = inner
        .trim()
        .strip_prefix("drafted=")
        .filter(|h| h.len() == 16 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    Some(hash.map(str::to_string))
}

fn begin_line(hash: &str) -> String {
    format!("{BEGIN} drafted={hash} -->")
}

/// The length of the body's opening fence (three or more backticks, then `markdown`,
/// `md` or nothing).
fn opening_fence(line: &str) -> Option<usize> {
    let t = line.trim();
    let n = t.len() - t.trim_start_matches('`').len();
    (n >= 3 && matches!(t[n..].trim(), "markdown" | "md" | "")).then_some(n)
}

fn closes_fence(line: &str, open: usize) -> bool {
    let t = line.trim();
    t.len() >= open && t.bytes().all(|b| b == b'`')
}

/// The section's lines that the record functions rewrite, by index into `lines`.
#[derive(Default)]
struct Fields {
    marker: usize,
    title: Option<usize>,
    base: Option<usize>,
    pr: Option<usize>,
    status: Option<usize>,
}

fn parse(text: &str) -> Option<(Section, Fields, Vec<Line<'_>>)> {
    let lines = lines(text);
    let (first, drafted) = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| begin_marker(l.content).map(|d| (i, d)))?;
    // The end marker outside the body's fence; if the closing fence was deleted, the
    // first end marker at all.
    let mut open: Option<usize> = None;
    let mut seen_body = false;
    let mut last = None;
    for (i, l) in lines.iter().enumerate().skip(first + 1) {
        match open {
            Some(n) if closes_fence(l.content, n) => open = None,
            Some(_) => {}
            None if l.content.trim() == END => {
                last = Some(i);
                break;
            }
            None if !seen_body => {
                open = opening_fence(l.content);
                seen_body = open.is_some();
            }
            None => {}
        }
    }
    let last = last.or_else(|| {
        (first + 1..lines.len()).find(|&i| lines.get(i).is_some_and(|l| l.content.trim() == END))
    })?;
    let inner = lines.get(first + 1..last)?;

    let mut fields = Fields {
        marker: first,
        ..Fields::default()
    };
    let mut values: [Option<String>; 4] = Default::default();
    let mut body: Option<String> = None;
    let mut open: Option<usize> = None;
    for (k, l) in inner.iter().enumerate() {
        let i = first + 1 + k;
        if let Some(n) = open {
            if closes_fence(l.content, n) {
                open = None;
            } else if let Some(b) = body.as_mut() {
                b.push_str(l.content);
                b.push('\n');
            }
            continue;
        }
        if body.is_none() {
            if let Some(n) = opening_fence(l.content) {
                open = Some(n);
                body = Some(String::new());
                continue;
            }
        }
        let slots = [
            ("Title:", &mut fields.title),
            ("Base:", &mut fields.base),
            ("PR:", &mut fields.pr),
            ("Status:", &mut fields.status),
        ];
        for (slot, (name, line)) in slots.into_iter().enumerate() {
            if line.is_some() {
                continue;
            }
            if let Some(v) = l.content.strip_prefix(name) {
                *line = Some(i);
                values[slot] = Some(v.trim().to_string()).filter(|v| !v.is_empty());
            }
        }
    }
    let [title, base, pr, status] = values;
    let pr = pr.and_then(|v| {
        let url = v.split_whitespace().next()?.to_string();
        let number = url.rsplit('/').next()?.parse().ok()?;
        Some((number, url))
    });
    let start = lines.get(first)?.start;
    let end = lines.get(last)?.end;
    let section = Section {
        range: TextRange::new(start, end),
        title,
        base,
        body,
        pr,
        status,
        drafted,
    };
    Some((section, fields, lines))
}

pub fn find_section(text: &str) -> Option<Section> {
    parse(text).map(|(s, _, _)| s)
}

/// The title and body as the section will hold them (and [`find_section`] read them
/// back): one title line, a body ending in a line break, no carriage returns.
fn as_written(draft: &Draft) -> (String, String) {
    let title = draft.title.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut body = draft.body.replace("\r\n", "\n");
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    (title, body)
}

pub fn render_section(
    draft: &Draft,
    base: Option<&str>,
    pr: Option<&(u64, String)>,
    status: Option<&str>,
) -> String {
    let (title, body) = as_written(draft);
    // A fence longer than any backtick run that starts a body line, so none closes it.
    let longest = body
        .lines()
        .map(|l| {
            let t = l.trim_start();
            t.len() - t.trim_start_matches('`').len()
        })
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(3) + 1);
    let mut s = format!(
        "{}\n## Upstream PR\n\n_Drafted by chant-lsp from this investigation's specs. Edit the title and body freely: they are what \"Submit upstream PR\" sends. Drafting again rewrites this section only, and asks first when you have edited it._\n\nTitle: {title}\n",
        begin_line(&draft_hash(&title, &body))
    );
    if let Some(b) = base {
        s.push_str(&format!("Base: {}\n", one_line(b)));
    }
    if let Some((n, url)) = pr {
        s.push_str(&pr_line(*n, url));
    }
    if let Some(st) = status {
        s.push_str(&format!("Status: {}\n", one_line(st)));
    }
    s.push_str(&format!("\n{fence}markdown\n{body}{fence}\n{END}\n"));
    s
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pr_line(number: u64, url: &str) -> String {
    format!("PR: {} (#{number})\n", one_line(url))
}

/// Puts a freshly drafted section into `text`: replacing the old one (keeping its base,
/// recorded PR and status), else appending it at the end of the body.
pub fn upsert(text: &str, draft: &Draft) -> Edit {
    match find_section(text) {
        Some(old) => Edit::replace(
            old.range,
            render_section(
                draft,
                old.base.as_deref(),
                old.pr.as_ref(),
                old.status.as_deref(),
            ),
        ),
        None => {
            let sep = if text.ends_with("\n\n") || text.is_empty() {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            Edit::insert(
                text.len(),
                format!("{sep}{}", render_section(draft, None, None, None)),
            )
        }
    }
}

/// Replaces line `at`, or inserts after the first present of `after`; None when the text
/// already reads `new` there or there is nowhere to put it.
fn put_line(
    lines: &[Line],
    at: Option<usize>,
    after: &[Option<usize>],
    new: String,
) -> Option<Edit> {
    if let Some(l) = at.and_then(|i| lines.get(i)) {
        let old = format!("{}\n", l.content);
        return (old != new).then(|| Edit::replace(TextRange::new(l.start, l.end), new));
    }
    let anchor = after.iter().flatten().find_map(|&i| lines.get(i))?;
    // The anchor line is never the text's last line (the end marker follows), so it ends
    // in a line break.
    Some(Edit::insert(anchor.end, new))
}

/// Records a submitted PR in the section (the body, never the frontmatter: chant drops
/// unknown frontmatter keys when it rewrites a spec). None when there is no section or
/// it already records this PR.
pub fn record_pr(text: &str, number: u64, url: &str) -> Option<Edit> {
    let (_, f, lines) = parse(text)?;
    put_line(&lines, f.pr, &[f.base, f.title], pr_line(number, url))
}

/// Writes `Status: <line>` after the `PR:` line (else after `Base:`/`Title:`), replacing
/// an earlier status. None when there is no section or the status is unchanged.
pub fn record_status(text: &str, line: &str) -> Option<Edit> {
    let (_, f, lines) = parse(text)?;
    let new = format!("Status: {}\n", one_line(line));
    put_line(&lines, f.status, &[f.pr, f.base, f.title], new)
}

/// Makes (`title`, `body`) the section's baseline, after they were sent to the PR as the
/// person edited them: only the begin marker's hash changes. None when there is no
/// section or the marker already holds that hash.
pub fn record_sent(text: &str, title: &str, body: &str) -> Option<Edit> {
    let (s, f, lines) = parse(text)?;
    let hash = draft_hash(title, body);
    if s.drafted.as_deref() == Some(hash.as_str()) {
        return None;
    }
    let l = lines.get(f.marker)?;
    let end = l.start + l.content.len();
    Some(Edit::replace(
        TextRange::new(l.start, end),
        begin_line(&hash),
    ))
}

#[cfg(test)]
mod draft_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::edit::apply;

    fn d(title: &str, body: &str) -> Draft {
        Draft {
            title: title.into(),
            body: body.into(),
        }
    }

    fn section(text: &str) -> Section {
        find_section(text).expect("a section")
    }

    const OLD: &str = "# Spec\n\n<!-- chant-lsp:upstream-pr -->\n## Upstream PR\n\nTitle: Fix #7: x\nPR: https://github.com/o/r/pull/12 (#12)\n\n````markdown\nbody\n````\n<!-- /chant-lsp:upstream-pr -->\n";

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // From the FNV reference (draft-eastlake-fnv): "", "a", "foobar".
        assert_eq!(fnv1a64("".bytes()), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64("a".bytes()), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64("foobar".bytes()), 0x8594_4171_f739_67e8);
        // The title and body are joined by one line break.
        assert_eq!(
            draft_hash("foo", "bar"),
            format!("{:016x}", fnv1a64("foo\nbar".bytes()))
        );
        assert_eq!(
            draft_hash("", ""),
            format!("{:016x}", fnv1a64("\n".bytes()))
        );
        assert_ne!(draft_hash("a", "b\n"), draft_hash("a\nb", "\n"));
        assert_eq!(draft_hash("a", "b").len(), 16);
    }

    #[test]
    fn the_marker_holds_the_hash_of_what_was_drafted() {
        let draft = d("Fix #7: x", "## Summary\n\nFixes #7.\n");
        let text = render_section(&draft, None, None, None);
        let hash = draft_hash("Fix #7: x", "## Summary\n\nFixes #7.\n");
        assert!(text.starts_with(&format!("<!-- chant-lsp:upstream-pr drafted={hash} -->\n")));
        let s = section(&text);
        assert_eq!(s.drafted.as_deref(), Some(hash.as_str()));
        assert!(!s.edited());
        // The model's cheap test sees both markers, and not the end marker alone.
        for t in [text.as_str(), OLD] {
            assert!(t.contains(PR_SECTION_MARKER));
        }
        assert!(!END.contains(PR_SECTION_MARKER));
    }

    #[test]
    fn edited_when_title_or_body_changed_or_no_hash() {
        let text = render_section(&d("Fix #7: x", "body\n"), None, None, None);
        assert!(!section(&text).edited());
        assert!(section(&text.replace("Title: Fix #7: x", "Title: Fix #7: y")).edited());
        assert!(section(&text.replace("body\n", "body, edited\n")).edited());
        assert!(section(&text.replace("Title: Fix #7: x\n", "")).edited());
        // Lines outside the title and body do not count as edits.
        let with_pr = apply(
            &text,
            &[record_pr(&text, 3, "https://h/o/r/pull/3").unwrap()],
        );
        let with_status = apply(&with_pr, &[record_status(&with_pr, "open").unwrap()]);
        assert!(!section(&with_status).edited());
        // A section from before hashes: we cannot know, so it counts as edited.
        let old = section(OLD);
        assert_eq!(old.drafted, None);
        assert!(old.edited());
        assert_eq!(old.pr, Some((12, "https://github.com/o/r/pull/12".into())));
        // A carriage-return file reads back the same title and body.
        assert!(!section(&text.replace('\n', "\r\n")).edited());
    }

    #[test]
    fn only_a_well_formed_begin_marker_starts_a_section() {
        let tail = "\nTitle: t\n\n````markdown\nb\n````\n<!-- /chant-lsp:upstream-pr -->\n";
        for not in [
            "<!-- chant-lsp:upstream-prs -->",
            "<!-- chant-lsp:upstream-pr-notes -->",
            "<!-- chant-lsp:upstream-pr",
            "text <!-- chant-lsp:upstream-pr -->",
        ] {
            assert_eq!(find_section(&format!("{not}{tail}")), None, "{not}");
        }
        let hash = |m: &str| find_section(&format!("{m}{tail}")).map(|s| s.drafted);
        assert_eq!(hash("<!-- chant-lsp:upstream-pr -->"), Some(None));
        assert_eq!(hash("<!-- chant-lsp:upstream-pr-->"), Some(None));
        assert_eq!(
            hash("  <!-- chant-lsp:upstream-pr drafted=0123456789abcdef -->"),
            Some(Some("0123456789abcdef".into()))
        );
        // A hash someone mangled: still the section, but unknown (so: edited).
        assert_eq!(
            hash("<!-- chant-lsp:upstream-pr drafted=0123456789ABCDEF -->"),
            Some(None)
        );
        assert_eq!(
            hash("<!-- chant-lsp:upstream-pr drafted=123 -->"),
            Some(None)
        );
        // No end marker: no section.
        assert_eq!(
            find_section("<!-- chant-lsp:upstream-pr -->\nTitle: t\n"),
            None
        );
    }

    #[test]
    fn lines_inside_the_body_are_not_fields() {
        let body = "Title: not this\nBase: nor this\nPR: https://x/o/r/pull/99 (#99)\nStatus: nope\n<!-- /chant-lsp:upstream-pr -->\n````\n";
        let text = format!(
            "# S\n\n{}after\n",
            render_section(&d("Fix #1: real", body), None, None, None)
        );
        let s = section(&text);
        assert_eq!(s.title.as_deref(), Some("Fix #1: real"));
        assert_eq!((&s.base, &s.pr, &s.status), (&None, &None, &None));
        assert_eq!(s.body.as_deref(), Some(body));
        assert!(!s.edited());
        assert!(text[s.range.end()..].starts_with("after"));
        // Records go to the header, never into the body.
        let e = record_status(&text, "open, checks passing").unwrap();
        let with = apply(&text, &[e]);
        assert!(with.contains("Title: Fix #1: real\nStatus: open, checks passing\n"));
        assert_eq!(section(&with).body.as_deref(), Some(body));
        let e = record_pr(&with, 5, "https://github.com/o/r/pull/5").unwrap();
        let with = apply(&with, &[e]);
        let s = section(&with);
        assert_eq!(s.pr, Some((5, "https://github.com/o/r/pull/5".into())));
        assert!(with.contains("Title: Fix #1: real\nPR: https://github.com/o/r/pull/5 (#5)\nStatus: open, checks passing\n"));
        assert_eq!(s.body.as_deref(), Some(body));
    }

    #[test]
    fn a_body_without_its_closing_fence_ends_at_the_end_marker() {
        let text = "<!-- chant-lsp:upstream-pr -->\nTitle: t\n\n````markdown\nhalf\n<!-- /chant-lsp:upstream-pr -->\nafter\n";
        let s = section(text);
        assert_eq!(s.title.as_deref(), Some("t"));
        assert_eq!(&text[s.range.end()..], "after\n");
    }

    #[test]
    fn record_pr_writes_or_replaces_one_line() {
        let text = render_section(&d("T", "b\n"), Some("main"), None, None);
        let e = record_pr(&text, 12, "https://github.com/o/r/pull/12").unwrap();
        let with = apply(&text, &[e]);
        assert!(with.contains("Title: T\nBase: main\nPR: https://github.com/o/r/pull/12 (#12)\n\n"));
        assert_eq!(
            record_pr(&with, 12, "https://github.com/o/r/pull/12"),
            None,
            "already there"
        );
        let again = apply(
            &with,
            &[record_pr(&with, 13, "https://github.com/o/r/pull/13").unwrap()],
        );
        assert_eq!(section(&again).pr.map(|p| p.0), Some(13));
        assert_eq!(again.matches("\nPR:").count(), 1);
        assert_eq!(record_pr("# no section\n", 1, "u"), None);
    }

    #[test]
    fn record_status_goes_after_the_pr_line_and_replaces_itself() {
        let text = render_section(
            &d("T", "b\n"),
            Some("main"),
            Some(&(4, "https://h/o/r/pull/4".into())),
            None,
        );
        let with = apply(
            &text,
            &[record_status(&text, "open · review required").unwrap()],
        );
        assert!(with.contains("PR: https://h/o/r/pull/4 (#4)\nStatus: open · review required\n\n"));
        assert_eq!(
            section(&with).status.as_deref(),
            Some("open · review required")
        );
        let again = apply(
            &with,
            &[record_status(&with, "merged\n(2026-02-10)").unwrap()],
        );
        assert_eq!(
            section(&again).status.as_deref(),
            Some("merged (2026-02-10)")
        );
        assert_eq!(again.matches("\nStatus:").count(), 1);
        assert_eq!(
            record_status(&again, "merged (2026-02-10)"),
            None,
            "unchanged"
        );
        // No PR line: after Base, else after Title.
        let text = render_section(&d("T", "b\n"), Some("dev"), None, None);
        assert!(
            apply(&text, &[record_status(&text, "x").unwrap()]).contains("Base: dev\nStatus: x\n")
        );
        let text = render_section(&d("T", "b\n"), None, None, None);
        assert!(
            apply(&text, &[record_status(&text, "x").unwrap()]).contains("Title: T\nStatus: x\n")
        );
        assert_eq!(record_status("no section", "x"), None);
    }

    #[test]
    fn record_sent_rewrites_only_the_hash() {
        let text = format!(
            "# S\n\n{}",
            render_section(
                &d("T", "drafted\n"),
                None,
                Some(&(4, "u/4".into())),
                Some("open")
            )
        );
        let edited = text
            .replace("drafted\n", "edited by hand\n")
            .replace("Title: T", "Title: T2");
        assert!(section(&edited).edited());
        let e = record_sent(&edited, "T2", "edited by hand\n").unwrap();
        let sent = apply(&edited, &[e]);
        let s = section(&sent);
        assert!(!s.edited());
        assert_eq!(s.drafted, Some(draft_hash("T2", "edited by hand\n")));
        // Only the marker line changed.
        assert_eq!(sent.lines().count(), edited.lines().count());
        let differ: Vec<_> = sent
            .lines()
            .zip(edited.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(differ.len(), 1);
        assert!(differ[0].0.starts_with(PR_SECTION_MARKER));
        assert_eq!(record_sent(&sent, "T2", "edited by hand\n"), None);
        // An old marker gains a hash.
        let upgraded = apply(OLD, &[record_sent(OLD, "Fix #7: x", "body\n").unwrap()]);
        assert!(!section(&upgraded).edited());
        assert_eq!(record_sent("none", "t", "b"), None);
    }

    #[test]
    fn upsert_appends_then_replaces_keeping_base_pr_and_status() {
        let draft = d("Fix #7: x", "## Summary\n\nFixes #7.\n\n```\ncode\n````\n");
        let text = "---\n---\n# Spec\n\nmy notes\n";
        let with = apply(text, &[upsert(text, &draft)]);
        assert!(with.starts_with(text));
        assert!(with[text.len()..].starts_with("\n<!-- chant-lsp:upstream-pr drafted="));
        let s = section(&with);
        assert_eq!(s.title.as_deref(), Some("Fix #7: x"));
        assert_eq!(
            s.body.as_deref(),
            Some(draft.body.as_str()),
            "a longer fence keeps the body's fences"
        );
        assert!(!s.edited());
        let with = with.replace("Title: Fix #7: x\n", "Title: Fix #7: x\nBase: dev\n");
        let with = apply(
            &with,
            &[record_pr(&with, 12, "https://github.com/o/r/pull/12").unwrap()],
        );
        let with = apply(&with, &[record_status(&with, "open").unwrap()]);
        let again = apply(&with, &[upsert(&with, &d("Fix #7: y", "new\n"))]);
        let s = section(&again);
        assert_eq!(
            (s.title.as_deref(), s.body.as_deref()),
            (Some("Fix #7: y"), Some("new\n"))
        );
        assert_eq!(s.base.as_deref(), Some("dev"));
        assert_eq!(s.pr.as_ref().map(|p| p.0), Some(12));
        assert_eq!(s.status.as_deref(), Some("open"));
        assert!(!s.edited());
        assert!(again.contains("my notes") && again.matches(PR_SECTION_MARKER).count() == 1);
        // Without a final line break, a blank line still separates the section.
        let bare = "# Spec";
        assert!(apply(bare, &[upsert(bare, &draft)]).starts_with("# Spec\n\n<!-- chant-lsp"));
    }

    #[test]
    fn helpers() {
        assert_eq!(
            strip_issue_prefix("Fix issue #1234: lock the segment", 1234),
            "lock the segment"
        );
        assert_eq!(strip_issue_prefix("fix #12 - cap it", 12), "cap it");
        assert_eq!(strip_issue_prefix("Fix #123: other", 12), "#123: other");
        assert_eq!(
            strip_issue_prefix("Lock the segment (#7)", 7),
            "Lock the segment"
        );
        assert_eq!(
            section_text(
                "# X\n## Root Cause\n\nThe put is not atomic\nunder load.\n\n## Next",
                CAUSE
            )
            .unwrap(),
            "The put is not atomic under load."
        );
        // Names are tried in order, whatever the document's order; empty sections fall through.
        let doc = "# Root cause\n## Problem\n\nsecond\n## Observable Symptom\n\nfirst\n";
        assert_eq!(section_text(doc, SYMPTOM).as_deref(), Some("First."));
        assert_eq!(
            section_text("# Root cause\n## Root Cause\n\nx", CAUSE).as_deref(),
            Some("X.")
        );
        assert_eq!(section_text("## Notes\n\nx", CAUSE), None);
        assert_eq!(
            impact_note(
                "- src/a.rs - the race\n- `src/b.rs` -- same pattern\n",
                "src/b.rs"
            )
            .unwrap(),
            "same pattern"
        );
        assert_eq!(
            impact_note("- `x/bucket.py`: no cap\n", "x/bucket.py").as_deref(),
            Some("no cap")
        );
        assert_eq!(impact_note("- src/a.rs2 - other\n", "src/a.rs"), None);
    }

    #[test]
    fn imperatives_become_what_was_done() {
        assert_eq!(
            past_tense("Lock the segment.").as_deref(),
            Some("locked the segment")
        );
        assert_eq!(
            past_tense("take the write lock").as_deref(),
            Some("took the write lock")
        );
        assert_eq!(past_tense("stop").as_deref(), Some("stopped"));
        assert_eq!(past_tense("Data loss on writes"), None);
        let no_docs = "";
        let s = |what: &str, subjects: &[&str], rc: &str| {
            let subjects: Vec<String> = subjects.iter().map(|s| s.to_string()).collect();
            change_sentence(what, &subjects, rc)
        };
        assert_eq!(
            s("cap the bucket", &[], no_docs).as_deref(),
            Some("This change capped the bucket.")
        );
        assert_eq!(
            s("Data loss on concurrent writes", &[], no_docs).as_deref(),
            Some("This change fixed data loss on concurrent writes.")
        );
        assert_eq!(
            s("API misuse", &[], no_docs).as_deref(),
            Some("This change fixed API misuse.")
        );
        assert_eq!(
            s("", &["tidy", "Drop the cache"], no_docs).as_deref(),
            Some("This change dropped the cache.")
        );
        // The recommendation only when nothing else says what was done, its first sentence
        // turned into a statement; never left as an instruction.
        let rc = "## Recommended Solution\n\nTake the lock. Then release it.\n";
        assert_eq!(
            s("", &[], rc).as_deref(),
            Some("This change took the lock.")
        );
        assert_eq!(
            s("", &[], "## Recommendation\n\nA lock would help.\n"),
            None
        );
        assert_eq!(s("", &[], no_docs), None);
    }

    #[test]
    fn subjects_drop_chant_s_bookkeeping() {
        let subjects: Vec<String> = [
            "chant(2026-02-08-009-m2p): Fix issue #1: lock",
            "chant: Archive 2026-02-08-001-a1b",
            "Merge branch 'main' into fix",
            "fixup! lock",
            "  Lock  ",
            "Lock",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(own_subjects(&subjects), vec!["Fix issue #1: lock", "Lock"]);
    }

    #[test]
    fn which_text_names_a_file() {
        let f = "src/storage/store.rs";
        assert!(names_file("`src/storage/store.rs` takes the lock", f));
        assert!(names_file("Lock in store.rs.", f));
        assert!(!names_file("Lock in kvstore.rs", f));
        assert!(!names_file("Lock in src/other/store.rs", f));
        assert!(!names_file("see store.rsx", f));
        assert!(!names_file("a b", "x/a"), "a one-letter name is no mention");
        assert!(names_stem("`Store::put` holds the lock", f));
        assert!(!names_stem("the kvstore holds", f));
        assert!(!names_stem("stores hold", f));
        assert!(
            !names_stem("main exits", "src/main.rs"),
            "generic stems never count"
        );
        assert_eq!(
            note_from("`a/b.py` refills by time.", "a/b.py"),
            "Refills by time"
        );
        assert_eq!(
            note_from("b.py: caps the bucket", "a/b.py"),
            "Caps the bucket"
        );
        assert_eq!(
            note_from("cap refills in b.py", "a/b.py"),
            "Cap refills in b.py"
        );
        assert_eq!(note_from("b.pyc is gone", "a/b.py"), "B.pyc is gone");
    }

    #[test]
    fn testing_lines_are_not_repeated() {
        let tests = vec!["tests/regression/issue_7_test.rs".to_string()];
        for restated in [
            "Regression test passes",
            "The regression test for #7 passes.",
            "`tests/regression/issue_7_test.rs` passes",
            "issue_7_test.rs is green",
        ] {
            assert!(restates_regression(restated, &tests, 7), "{restated}");
        }
        for kept in [
            "All tests pass",
            "Regression test covers batch writes",
            "Test fails on main without the lock",
        ] {
            assert!(!restates_regression(kept, &tests, 7), "{kept}");
        }
        assert!(about_tests("Existing tests pass") && about_tests("see test_bucket.py"));
        assert!(
            !about_tests("Uses the latest lock"),
            "`latest` is not about tests"
        );
        assert_eq!(
            normalise("- All  existing tests pass."),
            normalise("- all existing tests pass")
        );
        assert_ne!(normalise("- a test"), normalise("- another test"));
    }
}
