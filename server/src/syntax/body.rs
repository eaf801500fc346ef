//! The body facts chant derives line by line (chant-format §4): title, acceptance
//! criteria, spec IDs mentioned in prose. Deliberately not a CommonMark parse: chant's
//! rules are line-based (its fence toggle is any line starting with three backticks, its
//! title ignores fences), and parity with chant is the point of these facts.

use super::text::{lines_from, TextRange};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    pub title: Option<Title>,
    /// Every `## Acceptance Criteria…` heading outside fences, in order.
    pub criteria_headings: Vec<TextRange>,
    /// Checkboxes in the section under the *last* heading (the one chant's gates read).
    pub criteria: Vec<Checkbox>,
    /// Full spec IDs (the dated grammar) mentioned outside fences.
    pub id_mentions: Vec<IdMention>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Title {
    pub text: String,
    /// The whole `# …` line, trimmed.
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Checkbox {
    pub checked: bool,
    /// The `- [ ]` / `- [x]` marker.
    pub range: TextRange,
    /// The whole line, trimmed.
    pub line: TextRange,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdMention {
    pub id: String,
    pub range: TextRange,
}

/// Whitespace-separated words of the body, as chant's complexity rules count them; only
/// asked for by the two rules that need it.
pub fn word_count(text: &str, body_start: usize) -> usize {
    text[body_start.min(text.len())..]
        .split_whitespace()
        .count()
}

const AC_MARKER: &str = "## Acceptance Criteria";

pub fn parse(text: &str, body_start: usize) -> Body {
    let mut body = Body::default();
    let mut in_fence = false;
    // Index into `criteria` where the current (last seen) AC section's boxes start.
    let mut in_section = false;
    for (start, line) in lines_from(text, body_start) {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if body.title.is_none() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("# ") {
                let lead = line.len() - line.trim_start().len();
                body.title = Some(Title {
                    text: rest.trim().to_string(),
                    range: TextRange::new(start + lead, start + lead + t.len()),
                });
            }
        }
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if trimmed.starts_with(AC_MARKER) {
            body.criteria_headings.push(TextRange::new(
                start + indent,
                start + line.trim_end().len(),
            ));
            body.criteria.clear();
            in_section = true;
        } else if trimmed.starts_with("## ") {
            in_section = false;
        } else if in_section {
            collect_checkboxes(line, start, &mut body.criteria);
        }
        find_ids(line, start, &mut body.id_mentions);
    }
    body
}

fn collect_checkboxes(line: &str, start: usize, out: &mut Vec<Checkbox>) {
    let lead = line.len() - line.trim_start().len();
    let line_range = TextRange::new(start + lead, start + line.trim_end().len());
    for (marker, checked) in [("- [ ]", false), ("- [x]", true), ("- [X]", true)] {
        for (i, _) in line.match_indices(marker) {
            out.push(Checkbox {
                checked,
                range: TextRange::new(start + i, start + i + marker.len()),
                line: line_range,
            });
        }
    }
    out.sort_by_key(|c| c.range.start);
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// chant's `\b\d{4}-\d{2}-\d{2}-[0-9a-z]{3}-[0-9a-z]{3}(?:\.\d+)?\b`, without a regex
/// engine: candidates start four digits before a `-`, so only dashes are looked at.
fn find_ids(line: &str, start: usize, out: &mut Vec<IdMention>) {
    let b = line.as_bytes();
    let mut next_free = 0;
    for (dash, _) in line.match_indices('-') {
        if dash < 4 || dash - 4 < next_free || b.len() < dash + 14 {
            continue;
        }
        let i = dash - 4;
        if !b[i..dash].iter().all(u8::is_ascii_digit) || !line.is_char_boundary(i) {
            continue;
        }
        let boundary_before = i == 0 || !line[..i].chars().next_back().is_some_and(is_word);
        if !boundary_before {
            continue;
        }
        let Some(end) = match_id_at(b, i) else {
            continue;
        };
        let after_ok = |e: usize| !line[e..].chars().next().is_some_and(is_word);
        // With the optional `.N` suffix if it ends on a boundary, else without it.
        let end_at = member_suffix(b, end)
            .filter(|e| after_ok(*e))
            .or_else(|| after_ok(end).then_some(end));
        if let Some(e) = end_at {
            out.push(IdMention {
                id: line[i..e].to_string(),
                range: TextRange::new(start + i, start + e),
            });
            next_free = e;
        }
    }
}

fn match_id_at(b: &[u8], i: usize) -> Option<usize> {
    let digit = |c: u8| c.is_ascii_digit();
    let base36 = |c: u8| c.is_ascii_digit() || c.is_ascii_lowercase();
    // (length, class) runs separated by '-'
    let runs: [(usize, &dyn Fn(u8) -> bool); 5] = [
        (4, &digit),
        (2, &digit),
        (2, &digit),
        (3, &base36),
        (3, &base36),
    ];
    let mut p = i;
    for (n, (len, class)) in runs.iter().enumerate() {
        if n > 0 {
            if b.get(p) != Some(&b'-') {
                return None;
            }
            p += 1;
        }
        for _ in 0..*len {
            if !b.get(p).is_some_and(|c| class(*c)) {
                return None;
            }
            p += 1;
        }
    }
    Some(p)
}

fn member_suffix(b: &[u8], end: usize) -> Option<usize> {
    if b.get(end) != Some(&b'.') {
        return None;
    }
    let mut p = end + 1;
    while b.get(p).is_some_and(u8::is_ascii_digit) {
        p += 1;
    }
    (p > end + 1).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_first_h1_even_in_a_fence() {
        let b = parse("```\n# In fence\n```\n# Real\n", 0);
        assert_eq!(b.title.unwrap().text, "In fence");
        assert!(parse("#NoSpace\n## Two\n", 0).title.is_none());
    }

    #[test]
    fn last_acceptance_section_counts_outside_fences() {
        let text = "# T\n## Acceptance Criteria\n- [ ] old\n## Acceptance Criteria Review\n- [ ] a - [x] b\n```\n- [ ] fenced\n```\n  - [X] nested\n* [ ] star\n### Acceptance Criteria\n- [ ] h3 does not end it\n## Next\n- [ ] after\n";
        let b = parse(text, 0);
        assert_eq!(b.criteria_headings.len(), 2);
        let states: Vec<bool> = b.criteria.iter().map(|c| c.checked).collect();
        assert_eq!(states, vec![false, true, true, false]);
    }

    #[test]
    fn spec_ids_in_prose() {
        let b = parse("é2026-01-24-001-cxn é 2026-01-24-001-cxé\nsee 2026-01-24-001-cxn and 2026-01-24-01y-73b.5, not x2026-01-24-001-cxn\n```\n2026-01-24-002-aaa\n```\n", 0);
        let ids: Vec<_> = b.id_mentions.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, vec!["2026-01-24-001-cxn", "2026-01-24-01y-73b.5"]);
    }
}
