//! References between specs: dependencies, members, groups, duplicate IDs, cycles.

use crate::model::id::{self, Resolution};
use crate::model::Location;
use crate::syntax::edit::Edit;

use super::{Related, Sink};

pub(super) fn check(s: &mut Sink) {
    let file = s.file;
    let ws = s.ws;
    let own = file.id.as_str();
    for dep in file.facts.deps() {
        let v = dep.value.as_str();
        if v == own {
            s.push("self-dependency", dep.range, format!("'{v}' is this spec's own ID: a spec that depends on itself never becomes ready"));
            continue;
        }
        if id::split_repo(v).is_some() {
            continue; // cross-repository: resolved in the other repository
        }
        match ws.resolve_exact(v) {
            Some((_, target)) if target.location == Location::Archived => {
                s.push(
                    "archived-dependency",
                    dep.range,
                    format!(
                        "'{v}' is archived ({}, status {}); chant's lint calls archived dependencies unknown and `chant work` treats this spec as blocked",
                        target.rel,
                        target.facts.status()
                    ),
                )
                .related
                .push(Related { path: target.path.clone(), range: target.syntax.body.title.as_ref().map_or_else(Default::default, |t| t.range), message: "archived here".into() });
            }
            Some((_, target)) if !target.loads => {
                s.push(
                    "unparsable-dependency",
                    dep.range,
                    format!("'{v}' exists ({}) but chant cannot load it, so chant reports 'Unknown dependency'; fix that spec's frontmatter", target.rel),
                )
                .related
                .push(Related { path: target.path.clone(), range: target.syntax.frontmatter().map_or_else(Default::default, |f| f.open), message: "this spec does not load".into() });
            }
            Some((tk, _)) => {
                if ws.cycles().same_cycle(s.key, tk) {
                    let traced = ws.cycles().path(ws, s.key, tk, CYCLE_SEARCH);
                    let path = traced
                        .clone()
                        .unwrap_or_else(|| ws.cycles().walk(ws, tk, CYCLE_NAMES));
                    let names: Vec<&str> = std::iter::once(own)
                        .chain(
                            path.iter()
                                .filter_map(|k| ws.get(*k).map(|f| f.id.as_str())),
                        )
                        .collect();
                    let names = match traced {
                        Some(_) => cycle_names(&names),
                        None => format!(
                            "{} -> … (one of {} specs that depend on each other)",
                            names.get(..CYCLE_NAMES).unwrap_or(&names).join(" -> "),
                            ws.cycles().size_of(s.key)
                        ),
                    };
                    let related = path
                        .iter()
                        .take(CYCLE_NAMES)
                        .filter_map(|k| ws.get(*k))
                        .map(|f| Related {
                            path: f.path.clone(),
                            range: f
                                .facts
                                .depends_on
                                .as_ref()
                                .map_or_else(Default::default, |p| p.key),
                            message: format!("{} is on the cycle", f.id),
                        })
                        .collect();
                    s.push(
                        "dependency-cycle",
                        dep.range,
                        format!(
                            "dependency cycle: {}; none of these specs can ever become ready",
                            names
                        ),
                    )
                    .related = related;
                }
            }
            None => unknown(s, dep, "depends_on"),
        }
    }
    if let Some(members) = &file.facts.members {
        for m in &members.value {
            if ws.resolve_exact(&m.value).is_none() {
                s.push(
                    "unknown-member",
                    m.range,
                    format!("Unknown member spec '{}': no spec has this ID", m.value),
                );
            }
        }
    }
    if let Some(driver) = id::driver_of(own) {
        if ws.resolve_exact(driver).is_none() {
            let r = s.whole_spec_range();
            s.push("orphaned-member", r, format!("Orphaned member spec: its driver '{driver}' does not exist (chant warns when loading)"));
        }
    }
    let others: Vec<Related> = ws
        .by_id(own)
        .filter(|(k, _)| *k != s.key)
        .map(|(_, f)| Related {
            path: f.path.clone(),
            range: Default::default(),
            message: format!("also {own}"),
        })
        .collect();
    if !others.is_empty() {
        let paths: Vec<String> = others.iter().map(|r| ws.rel(&r.path)).collect();
        let r = s.whole_spec_range();
        s.push(
            "duplicate-id",
            r,
            format!("another spec file has the ID '{own}': {}", paths.join(", ")),
        )
        .related = others;
    }
}

fn unknown(s: &mut Sink, dep: &crate::model::facts::Item, field: &str) {
    let ws = s.ws;
    let v = dep.value.as_str();
    let own = s.file.id.as_str();
    let candidates = ws.ids().filter(move |id| *id != own);
    match id::resolve_typed(v, candidates) {
        Resolution::One(full) => {
            s.push(
                "inexact-dependency-id",
                dep.range,
                format!("'{v}' is not an exact spec ID: chant compares `{field}` entries exactly and reports it unknown. It means '{full}'"),
            )
            .fixes
            .push(super::Fix { title: format!("Use the full ID `{full}`"), edits: vec![Edit::replace(dep.range, full)], safe: true, delete: None });
        }
        Resolution::Ambiguous(list) => {
            let d = s.push(
                "unknown-dependency",
                dep.range,
                format!(
                    "Unknown dependency '{v}': not an exact ID, and it matches several specs ({})",
                    list.join(", ")
                ),
            );
            for full in list {
                d.fixes.push(super::Fix {
                    title: format!("Use `{full}`"),
                    edits: vec![Edit::replace(dep.range, full)],
                    safe: false,
                    delete: None,
                });
            }
        }
        Resolution::None => {
            s.push(
                "unknown-dependency",
                dep.range,
                format!("Unknown dependency '{v}': no spec in specs/ or archive/ has this ID"),
            );
        }
    }
}

/// A cycle message names at most this many specs: each of a 4,000-spec cycle's members
/// listing all the others made `check` print hundreds of megabytes.
const CYCLE_NAMES: usize = 8;
/// How many specs the search for a cycle's exact path may visit before naming it by a walk.
const CYCLE_SEARCH: usize = 256;

/// `a -> b -> ... -> a`, or the first [`CYCLE_NAMES`] and how many more.
pub(super) fn cycle_names(names: &[&str]) -> String {
    if names.len() <= CYCLE_NAMES + 1 {
        return names.join(" -> ");
    }
    let more = names.len() - CYCLE_NAMES;
    let shown = names.get(..CYCLE_NAMES).unwrap_or(names);
    format!("{} -> … and {more} more", shown.join(" -> "))
}
