//! Inlay hints (what each dependency is) and code lenses (the spec at a glance).

use crate::model::readiness::{readiness, Readiness};
use crate::model::{SpecKey, Workspace};
use crate::syntax::TextRange;

use super::{criteria_progress, spec_anchor, FileRange};

#[derive(Debug, Clone, PartialEq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
}

/// After each `depends_on` entry in `range`: the target's title and status.
pub fn inlay_hints(ws: &Workspace, key: SpecKey, range: TextRange) -> Vec<InlayHint> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    f.facts
        .deps()
        .iter()
        .filter(|d| range.intersects(d.range))
        .filter_map(|d| {
            let (_, t) = ws.resolve_exact(&d.value)?;
            let mut title: String = t.title().unwrap_or("(no title)").chars().take(48).collect();
            if t.title().is_some_and(|x| x.chars().count() > 48) {
                title.push('…');
            }
            let archived = if t.location == crate::model::Location::Archived {
                ", archived"
            } else {
                ""
            };
            Some(InlayHint {
                offset: d.range.end(),
                label: format!("{title} ({}{archived})", t.facts.status()),
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeLens {
    pub range: TextRange,
    pub title: String,
    /// What clicking it shows, in clients that have a references view.
    pub locations: Option<Vec<FileRange>>,
}

/// On the title: how many specs depend on this one, what blocks it, what its agent is
/// doing, criteria progress, how far its investigation is.
pub fn code_lenses(ws: &Workspace, key: SpecKey) -> Vec<CodeLens> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let Some(title) = &f.syntax.body.title else {
        return Vec::new();
    };
    let range = title.range;
    let mut dependents: Vec<FileRange> = ws
        .dependents(&f.id)
        .flat_map(|(_, d)| {
            d.facts
                .deps()
                .iter()
                .filter(|i| i.value == f.id)
                .map(|i| FileRange {
                    path: d.path.clone(),
                    range: i.unquoted(),
                })
        })
        .collect();
    dependents.sort_by(|a, b| (&a.path, a.range).cmp(&(&b.path, b.range)));
    let n = dependents.len();
    let mut out = vec![CodeLens {
        range,
        title: if n == 1 {
            "1 dependent".into()
        } else {
            format!("{n} dependents")
        },
        locations: (n > 0).then_some(dependents),
    }];
    out.push(match readiness(ws, key) {
        Readiness::Ready => lens(range, "ready".into(), None),
        Readiness::Done(s) | Readiness::Other(s) => lens(range, s, None),
        Readiness::Blocked(b) => {
            let ids: Vec<&str> = b.iter().map(|b| b.id.as_str()).collect();
            let locations: Vec<FileRange> = b
                .iter()
                .filter_map(|b| ws.resolve_exact(&b.id).map(|(_, t)| spec_anchor(t)))
                .collect();
            let word = if b.len() == 1 { "blocker" } else { "blockers" };
            lens(
                range,
                format!("{} {word}: {}", b.len(), ids.join(", ")),
                (!locations.is_empty()).then_some(locations),
            )
        }
    });
    if let Some(a) = super::agent::shown(ws, f) {
        out.push(lens(range, a.lens, None));
    }
    if let Some((done, total)) = criteria_progress(f) {
        out.push(lens(range, format!("criteria {done}/{total}"), None));
    }
    if let Some((n, _, status)) = super::pr_record(f) {
        let status = status.map(|s| format!(": {s}")).unwrap_or_default();
        out.push(lens(range, format!("PR #{n}{status}"), None));
    }
    if let (Some(n), Some(_)) = (f.issue, ws.phase(f)) {
        if let Some(p) = super::graph::progress(ws, n) {
            let specs = p.specs.iter().map(|&k| ws.get(k).map(spec_anchor));
            out.push(lens(
                range,
                format!("Issue #{n}: {} of {} phases done", p.done, p.total),
                Some(specs.flatten().collect()),
            ));
        }
    }
    out
}

fn lens(range: TextRange, title: String, locations: Option<Vec<FileRange>>) -> CodeLens {
    CodeLens {
        range,
        title,
        locations,
    }
}
