//! Inlay hints (what each dependency is) and code lenses (the spec at a glance).

use crate::model::readiness::{readiness, Readiness};
use crate::model::{SpecKey, Workspace};
use crate::syntax::TextRange;

use super::criteria_progress;

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
}

/// On the title: how many specs depend on this one, what blocks it, criteria progress.
pub fn code_lenses(ws: &Workspace, key: SpecKey) -> Vec<CodeLens> {
    let Some(f) = ws.get(key) else {
        return Vec::new();
    };
    let Some(title) = &f.syntax.body.title else {
        return Vec::new();
    };
    let range = title.range;
    let n = ws.dependents(&f.id).count();
    let mut out = vec![CodeLens {
        range,
        title: if n == 1 {
            "1 dependent".into()
        } else {
            format!("{n} dependents")
        },
    }];
    let state = match readiness(ws, key) {
        Readiness::Ready => "ready".to_string(),
        Readiness::Done(s) | Readiness::Other(s) => s,
        Readiness::Blocked(b) => {
            let ids: Vec<&str> = b.iter().map(|b| b.id.as_str()).collect();
            format!("blocked by {}", ids.join(", "))
        }
    };
    out.push(CodeLens {
        range,
        title: state,
    });
    if let Some((done, total)) = criteria_progress(f) {
        out.push(CodeLens {
            range,
            title: format!("criteria {done}/{total}"),
        });
    }
    out
}
