//! Whether a spec can be worked now, and what blocks it, as chant decides
//! (chant-format §5.3): deps met only by active completed specs, members wait for their
//! lower-numbered siblings, required approval, drivers with criteria wait for members.

use super::{id, Location, SpecKey, Workspace};

#[derive(Debug, Clone, PartialEq)]
pub enum Readiness {
    /// `completed` or `cancelled`.
    Done(String),
    /// Pending with nothing in the way.
    Ready,
    /// Pending (or blocked) with these in the way.
    Blocked(Vec<Blocker>),
    /// Being worked, paused, failed, ...: not a question of readiness.
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    pub id: String,
    pub why: String,
}

pub fn readiness(ws: &Workspace, key: SpecKey) -> Readiness {
    let Some(f) = ws.get(key) else {
        return Readiness::Other("unknown".into());
    };
    let status = f.facts.status();
    match status {
        "completed" | "cancelled" => return Readiness::Done(status.into()),
        "pending" | "ready" | "blocked" => {}
        other => return Readiness::Other(other.into()),
    }
    let mut blockers = Vec::new();
    for d in f.facts.deps() {
        let why = match ws.resolve_exact(&d.value) {
            None if id::split_repo(&d.value).is_some() => continue,
            None => "no such spec".to_string(),
            Some((_, t)) if t.location == Location::Archived => {
                "archived: chant counts it as unmet".to_string()
            }
            Some((_, t)) if !t.loads => "chant cannot load it".to_string(),
            Some((_, t)) if t.facts.status() == "completed" => continue,
            Some((_, t)) => t.facts.status().to_string(),
        };
        blockers.push(Blocker {
            id: d.value.clone(),
            why,
        });
    }
    if let (Some(driver), Some(n), None) = (
        id::driver_of(&f.id),
        id::member_number(&f.id),
        &f.facts.depends_on,
    ) {
        let mut earlier: Vec<_> = ws
            .members_of(driver)
            .filter(|(_, m)| {
                id::member_number(&m.id).is_some_and(|k| k < n)
                    && !matches!(m.facts.status(), "completed" | "cancelled")
            })
            .map(|(_, m)| Blocker {
                id: m.id.clone(),
                why: format!("earlier member, {}", m.facts.status()),
            })
            .collect();
        earlier.sort_by(|a, b| a.id.cmp(&b.id));
        blockers.extend(earlier);
    }
    if has_ac_and_members(ws, key) {
        let mut open: Vec<_> = ws
            .members_of(&f.id)
            .filter(|(_, m)| m.facts.status() != "completed")
            .map(|(_, m)| Blocker {
                id: m.id.clone(),
                why: format!("member, {}", m.facts.status()),
            })
            .collect();
        open.sort_by(|a, b| a.id.cmp(&b.id));
        blockers.extend(open);
    }
    let approval_required = f
        .syntax
        .root()
        .and_then(|r| r.get("approval"))
        .and_then(|a| a.value.get("required"))
        .and_then(|r| r.value.as_scalar())
        .is_some_and(|v| v == "true");
    if approval_required
        && f.facts
            .approval
            .as_ref()
            .is_none_or(|a| a.status != "approved")
    {
        blockers.push(Blocker {
            id: f.id.clone(),
            why: "needs approval".into(),
        });
    }
    if blockers.is_empty() {
        Readiness::Ready
    } else {
        Readiness::Blocked(blockers)
    }
}

fn has_ac_and_members(ws: &Workspace, key: SpecKey) -> bool {
    ws.get(key).is_some_and(|f| {
        !f.syntax.body.criteria_headings.is_empty() && ws.members_of(&f.id).next().is_some()
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::model::vfs::MemFs;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        let fs = MemFs::new(
            files
                .iter()
                .map(|(p, t)| (PathBuf::from("/r/.chant/specs").join(p), t.to_string())),
        );
        Workspace::load(PathBuf::from("/r"), Arc::new(fs))
    }

    fn of(ws: &Workspace, id: &str) -> Readiness {
        readiness(ws, ws.by_id(id).next().unwrap().0)
    }

    #[test]
    fn blockers_as_chant_sees_them() {
        let w = ws(&[
            ("a.md", "---\nstatus: completed\n---\n# A"),
            ("b.md", "---\nstatus: in_progress\n---\n# B"),
            ("c.md", "---\ndepends_on: [a, b, zz]\n---\n# C"),
            ("d.md", "---\ndepends_on: [a]\n---\n# D"),
            (
                "g.md",
                "---\ntype: group\n---\n# G\n## Acceptance Criteria\n- [ ] x",
            ),
            ("g.1.md", "---\nstatus: pending\n---\n# G1"),
            ("g.2.md", "---\n---\n# G2"),
            ("p.md", "---\napproval: {required: true}\n---\n# P"),
        ]);
        assert_eq!(of(&w, "a"), Readiness::Done("completed".into()));
        assert_eq!(of(&w, "b"), Readiness::Other("in_progress".into()));
        let Readiness::Blocked(b) = of(&w, "c") else {
            panic!()
        };
        assert_eq!(
            b.iter()
                .map(|x| (x.id.as_str(), x.why.as_str()))
                .collect::<Vec<_>>(),
            [("b", "in_progress"), ("zz", "no such spec")]
        );
        assert_eq!(of(&w, "d"), Readiness::Ready);
        let Readiness::Blocked(b) = of(&w, "g.2") else {
            panic!()
        };
        assert_eq!(b[0].id, "g.1");
        let Readiness::Blocked(b) = of(&w, "g") else {
            panic!()
        };
        assert_eq!(b.len(), 2);
        let Readiness::Blocked(b) = of(&w, "p") else {
            panic!()
        };
        assert_eq!(b[0].why, "needs approval");
    }
}
