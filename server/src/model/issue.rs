//! Which upstream issue a spec belongs to (chant-format §8): the thread that ties the
//! specs of one investigation together.

use super::facts::{items, SpecFacts};

/// The issue number from an `issue-N` label, else `#N` in the title, else a research file
/// named `issue-N-*.md`, else an `/issues/N` URL in `informed_by`.
pub fn issue_number(facts: &SpecFacts, title: Option<&str>) -> Option<u64> {
    if let Some(n) = facts
        .label_values()
        .find_map(|l| l.strip_prefix("issue-").and_then(|n| n.parse().ok()))
    {
        return Some(n);
    }
    if let Some(n) = title.and_then(hash_number) {
        return Some(n);
    }
    let files = items(&facts.target_files)
        .iter()
        .chain(items(&facts.informed_by));
    for item in files.clone() {
        let name = item.value.rsplit('/').next().unwrap_or("");
        if let Some(n) = name.strip_prefix("issue-").and_then(leading_number) {
            return Some(n);
        }
    }
    items(&facts.informed_by).iter().find_map(|i| {
        let (_, rest) = i.value.split_once("/issues/")?;
        leading_number(rest)
    })
}

/// `Fix #42: ...` -> 42
pub fn hash_number(title: &str) -> Option<u64> {
    title
        .match_indices('#')
        .find_map(|(i, _)| leading_number(&title[i + 1..]))
}

fn leading_number(s: &str) -> Option<u64> {
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    s[..digits].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn n(src: &str) -> Option<u64> {
        let s = syntax::parse(src);
        issue_number(
            &SpecFacts::read(&s),
            s.body.title.as_ref().map(|t| t.text.as_str()),
        )
    }

    #[test]
    fn from_every_source() {
        assert_eq!(n("---\nlabels: [x, issue-1234]\n---\n# T #9"), Some(1234));
        assert_eq!(n("---\n---\n# Phase 1: Understand Issue #42"), Some(42));
        assert_eq!(
            n("---\ntarget_files: [.chant/research/issue-7-root-cause.md]\n---\n# T"),
            Some(7)
        );
        assert_eq!(
            n("---\ninformed_by: [https://github.com/o/r/issues/55]\n---\n# T"),
            Some(55)
        );
        assert_eq!(n("---\n---\n# T"), None);
    }
}
