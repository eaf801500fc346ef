//! Every diagnostic code chant-lsp emits: stable names, default severities, and the
//! chant lint rule each one mirrors. `docs/diagnostics.md` documents the same list (tests
//! keep the two in step) and is the text `chant-lsp explain` prints and editors link to.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "information" | "info" => Severity::Information,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    /// The `chant lint` rule this mirrors, when it mirrors one.
    pub chant_rule: Option<&'static str>,
    pub summary: &'static str,
    /// About the machine's state now (a process), not the files: the editor shows it,
    /// `chant-lsp check` never reports it.
    pub editor_only: bool,
}

const fn c(
    code: &'static str,
    severity: Severity,
    chant_rule: Option<&'static str>,
    summary: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        severity,
        chant_rule,
        summary,
        editor_only: false,
    }
}

/// An editor-only code (see [`CodeInfo::editor_only`]).
const fn editor(code: &'static str, severity: Severity, summary: &'static str) -> CodeInfo {
    CodeInfo {
        editor_only: true,
        ..c(code, severity, None, summary)
    }
}

use Severity::*;

pub const CATALOGUE: &[CodeInfo] = &[
    // chant parity (chant-format §5.1)
    c(
        "parse-error",
        Error,
        Some("parse"),
        "chant cannot load this spec; every chant command skips it",
    ),
    c(
        "missing-title",
        Error,
        Some("title"),
        "no `# Title` line in the body",
    ),
    c(
        "unknown-dependency",
        Error,
        Some("dependency"),
        "a `depends_on` entry names no spec",
    ),
    c(
        "unknown-member",
        Error,
        Some("dependency"),
        "a `members` entry names no spec",
    ),
    c(
        "missing-required-field",
        Error,
        Some("required"),
        "a field `enterprise.required` asks for is missing",
    ),
    c(
        "doc-missing-tracks",
        Warning,
        Some("type"),
        "documentation spec without `tracks`",
    ),
    c(
        "doc-missing-target-files",
        Warning,
        Some("type"),
        "documentation spec without `target_files`",
    ),
    c(
        "research-missing-inputs",
        Warning,
        Some("type"),
        "research spec with neither `informed_by` nor `origin`",
    ),
    c(
        "research-missing-target-files",
        Warning,
        Some("type"),
        "research spec without `target_files`",
    ),
    c(
        "driver-empty-members",
        Warning,
        Some("type"),
        "driver or group with `members: []`",
    ),
    c(
        "too-many-criteria",
        Warning,
        Some("complexity"),
        "more acceptance criteria than `complexity_criteria`",
    ),
    c(
        "too-many-files",
        Warning,
        Some("complexity"),
        "more `target_files` than `complexity_files`",
    ),
    c(
        "too-many-words",
        Warning,
        Some("complexity"),
        "body longer than `complexity_words` (off unless enabled)",
    ),
    c(
        "id-in-body",
        Warning,
        Some("coupling"),
        "the body names other specs by ID",
    ),
    c(
        "sibling-reference",
        Warning,
        Some("coupling"),
        "a member names a sibling member by ID",
    ),
    c(
        "model-waste",
        Warning,
        Some("model_waste"),
        "an expensive model on a simple spec",
    ),
    c(
        "approval-missing-by",
        Error,
        Some("approval"),
        "approved or rejected without `by`",
    ),
    c(
        "approval-missing-at",
        Error,
        Some("approval"),
        "approved or rejected without `at`",
    ),
    c(
        "approval-by-while-pending",
        Error,
        Some("approval"),
        "`by` set while approval is pending",
    ),
    c(
        "output-schema-missing",
        Error,
        Some("output"),
        "a completed spec's `output_schema` file does not exist",
    ),
    // Beyond chant lint
    c(
        "yaml-syntax",
        Error,
        None,
        "the frontmatter is not valid YAML",
    ),
    c(
        "invalid-value",
        Error,
        None,
        "a value chant rejects: unknown enum value, wrong shape, duplicate key, tab indentation",
    ),
    c(
        "unknown-field",
        Warning,
        None,
        "a key chant ignores and drops when it rewrites the spec",
    ),
    c(
        "unclosed-frontmatter",
        Warning,
        None,
        "an opening `---` without a closing one",
    ),
    c(
        "byte-order-mark",
        Warning,
        None,
        "a BOM hides the frontmatter from chant",
    ),
    c(
        "unreadable-file",
        Error,
        None,
        "the file cannot be read as UTF-8 text",
    ),
    c(
        "inexact-dependency-id",
        Error,
        None,
        "a dependency typed as a short ID; chant needs the exact ID",
    ),
    c(
        "dependency-cycle",
        Error,
        None,
        "specs that depend on each other in a cycle",
    ),
    c(
        "self-dependency",
        Error,
        None,
        "a spec that depends on itself",
    ),
    c(
        "archived-dependency",
        Hint,
        None,
        "a dependency that exists only in the archive",
    ),
    c(
        "unparsable-dependency",
        Error,
        None,
        "a dependency on a spec chant cannot load",
    ),
    c(
        "orphaned-member",
        Warning,
        None,
        "a member spec whose driver does not exist",
    ),
    c(
        "duplicate-id",
        Warning,
        None,
        "two spec files with the same ID",
    ),
    c(
        "unchecked-criteria",
        Warning,
        None,
        "a completed spec with unchecked acceptance criteria",
    ),
    c(
        "missing-file",
        Warning,
        None,
        "a referenced input file does not exist",
    ),
    c(
        "missing-phase-field",
        Warning,
        None,
        "a maintainer-workflow phase spec lacks a field its phase needs",
    ),
    c(
        "pr-fix-incomplete",
        Warning,
        None,
        "an upstream-PR spec whose fix spec is not completed",
    ),
    c(
        "pr-branch-not-pushed",
        Warning,
        None,
        "an upstream-PR spec whose branch is not pushed",
    ),
    c(
        "pr-body-missing",
        Warning,
        None,
        "an upstream-PR spec without a drafted PR body",
    ),
    c(
        "invalid-config",
        Warning,
        None,
        "a problem in `.chant/config.md` or `.chant/lsp.yaml`",
    ),
    // Agents at work (editor only)
    editor(
        "stale-agent-lock",
        Hint,
        "an agent's lock names a process that is not running",
    ),
    // chant-lsp itself
    c(
        "internal-error",
        Error,
        None,
        "chant-lsp failed on this file (a bug); the other files are still checked",
    ),
    c(
        "too-many-diagnostics",
        Information,
        None,
        "more diagnostics than chant-lsp shows for one file",
    ),
];

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CATALOGUE.iter().find(|c| c.code == code)
}

/// The published reference: the repository named in the workspace `Cargo.toml`. Editors
/// link each diagnostic here (`codeDescription`), SARIF gives it as the rule's help URI.
pub const DOCS_URL: &str = concat!(
    env!("CARGO_PKG_REPOSITORY"),
    "/blob/main/docs/diagnostics.md"
);

/// `docs/diagnostics.md`, compiled in: the one text behind the published page and
/// `chant-lsp explain`.
const DOCS: &str = include_str!("../../../docs/diagnostics.md");

/// The link to a code's entry; the anchor is the code itself (its heading is `## \`code\``,
/// which GitHub turns into `#code`; a test checks no other heading takes that anchor).
pub fn help_url(code: &str) -> String {
    format!("{DOCS_URL}#{code}")
}

/// A code's entry in `docs/diagnostics.md`, without its heading: what it means, why,
/// an example and the fix.
pub fn explanation(code: &str) -> Option<&'static str> {
    let heading = format!("## `{code}`\n");
    let start = DOCS.find(&heading)? + heading.len();
    let rest = DOCS.get(start..)?;
    let end = rest
        .find("\n## ")
        .into_iter()
        .chain(rest.find("\n---\n"))
        .min()
        .unwrap_or(rest.len());
    rest.get(..end).map(str::trim_end)
}

/// The catalogue codes closest to an unknown one, closest first (at most 3).
pub fn nearest(code: &str) -> Vec<&'static str> {
    let got = code.trim().to_lowercase().replace('_', "-");
    let mut scored: Vec<(usize, &'static str)> = CATALOGUE
        .iter()
        .map(|c| {
            let d = crate::model::schema::edit_distance(&got, c.code);
            // A word of the code typed alone (`cycle`) is as good as a near miss.
            let part = !got.is_empty() && c.code.split('-').any(|w| w == got);
            (if part { 1 } else { d }, c.code)
        })
        .collect();
    scored.sort();
    let best = scored.first().map_or(0, |s| s.0);
    scored
        .into_iter()
        .take_while(|(d, _)| *d <= best.max(3))
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        for (i, a) in CATALOGUE.iter().enumerate() {
            assert!(
                a.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                a.code
            );
            assert!(
                CATALOGUE[i + 1..].iter().all(|b| b.code != a.code),
                "duplicate {}",
                a.code
            );
        }
    }

    /// GitHub's heading anchor: lower case, punctuation other than `-` dropped, spaces
    /// to `-`.
    fn github_anchor(heading: &str) -> String {
        heading
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '-' || *c == ' ' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect()
    }

    #[test]
    fn every_code_has_its_own_anchor_and_explanation() {
        let anchors: Vec<String> = DOCS
            .lines()
            .filter_map(|l| l.strip_prefix("## ").or_else(|| l.strip_prefix("# ")))
            .map(github_anchor)
            .collect();
        for c in CATALOGUE {
            let n = anchors.iter().filter(|a| **a == c.code).count();
            assert_eq!(
                n, 1,
                "docs/diagnostics.md must give `#{}` exactly once",
                c.code
            );
            let text = explanation(c.code).unwrap_or_default();
            assert!(text.len() > 20, "{}: {text:?}", c.code);
            assert!(!text.contains("\n## "), "{}", c.code);
            assert!(
                help_url(c.code).starts_with("https://"),
                "{}",
                help_url(c.code)
            );
        }
        assert!(explanation("inexact-dependency-id")
            .unwrap_or_default()
            .contains("depends_on: [005-k9w]"));
        assert_eq!(explanation("no-such-code"), None);
    }

    #[test]
    fn nearest_codes_for_typos_and_words() {
        assert_eq!(nearest("dependancy-cycle")[0], "dependency-cycle");
        assert_eq!(nearest("unknown_field")[0], "unknown-field");
        assert!(nearest("cycle").contains(&"dependency-cycle"));
        assert!(!nearest("").is_empty() && nearest("").len() <= 3);
    }

    #[test]
    fn docs_list_every_code() {
        let docs = include_str!("../../../docs/diagnostics.md");
        for c in CATALOGUE {
            assert!(
                docs.contains(&format!("## `{}`", c.code)),
                "docs/diagnostics.md lacks `{}`",
                c.code
            );
        }
    }
}
