//! Spec IDs as chant reads them (chant-format §2): groups, and the ways people type IDs.

/// The driver of a member ID: text before the first `.` that is followed by a digit
/// (`X.2.1` -> `X`). None for IDs that are not members.
pub fn driver_of(id: &str) -> Option<&str> {
    let b = id.as_bytes();
    id.match_indices('.')
        .find(|(i, _)| b.get(i + 1).is_some_and(u8::is_ascii_digit))
        .map(|(i, _)| &id[..i])
}

/// The member number (`X.2.1` -> 2).
pub fn member_number(id: &str) -> Option<u32> {
    let driver = driver_of(id)?;
    let rest = &id[driver.len() + 1..];
    rest.split('.').next()?.parse().ok()
}

/// A cross-repository reference `repo:ID`.
pub fn split_repo(reference: &str) -> Option<(&str, &str)> {
    let (repo, id) = reference.split_once(':')?;
    let ok = !repo.is_empty()
        && repo
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some((repo, id))
}

/// The date folder an archived spec goes to: the first 10 characters of its ID
/// (`archive/<YYYY-MM-DD>/<ID>.md`), as chant computes it.
pub fn archive_folder(id: &str) -> Option<&str> {
    id.get(..10)
}

/// How an inexact reference resolves the way `chant show <input>` resolves it
/// (chant-format §2.3): a unique suffix match, else a unique substring match.
/// `ids` is every candidate ID. The "today's sequence" step is left out on purpose:
/// a diagnostic must not change with the calendar.
pub fn resolve_typed<'a>(
    input: &str,
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Resolution<'a> {
    if input.is_empty() {
        return Resolution::None;
    }
    let suffix: Vec<&str> = ids
        .clone()
        .filter(|id| id.ends_with(input))
        .take(2)
        .collect();
    if suffix.len() == 1 {
        return Resolution::One(suffix[0]);
    }
    let mut sub: Vec<&str> = ids.filter(|id| id.contains(input)).collect();
    match sub.len() {
        0 => Resolution::None,
        1 => Resolution::One(sub[0]),
        _ => {
            sub.sort_unstable();
            sub.truncate(5);
            Resolution::Ambiguous(sub)
        }
    }
}

#[derive(Debug, PartialEq)]
pub enum Resolution<'a> {
    None,
    One(&'a str),
    Ambiguous(Vec<&'a str>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        assert_eq!(
            driver_of("2026-01-24-01y-73b.5"),
            Some("2026-01-24-01y-73b")
        );
        assert_eq!(driver_of("X.2.1"), Some("X"));
        assert_eq!(driver_of("v1.x"), None);
        assert_eq!(member_number("X.2.1"), Some(2));
        assert_eq!(driver_of("2026-01-24-001-cxn"), None);
    }

    #[test]
    fn typed_ids_resolve_like_chant_show() {
        let ids = [
            "2026-02-08-005-k9w",
            "2026-02-08-001-x7m",
            "2026-02-08-001-x7m.1",
        ];
        let it = ids.iter().copied();
        assert_eq!(
            resolve_typed("005-k9w", it.clone()),
            Resolution::One("2026-02-08-005-k9w")
        );
        assert_eq!(
            resolve_typed("x7m", it.clone()),
            Resolution::One("2026-02-08-001-x7m")
        );
        assert!(matches!(
            resolve_typed("08-001", it.clone()),
            Resolution::Ambiguous(_)
        ));
        assert_eq!(resolve_typed("zzz", it), Resolution::None);
    }

    #[test]
    fn repo_refs() {
        assert_eq!(
            split_repo("backend:2026-01-01-001-abc"),
            Some(("backend", "2026-01-01-001-abc"))
        );
        assert_eq!(split_repo("no colon"), None);
    }
}
