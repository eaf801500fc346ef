//! Input files a spec names that do not exist. `target_files` are outputs and may
//! legitimately not exist yet, so they are never checked.

use crate::model::facts::Item;
use crate::model::schema::Role;
use crate::model::Location;
use crate::syntax::edit::Edit;

use super::Sink;

/// URLs, globs and chant's `derived_<k>=<v>` context entries are not file paths.
pub fn is_checkable_path(p: &str) -> bool {
    !(p.contains("://")
        || p.starts_with("mailto:")
        || p.contains(['*', '?', '[', '{'])
        || p.starts_with("derived_")
        || p.trim().is_empty())
}

pub(super) fn check(s: &mut Sink) {
    let file = s.file;
    let facts = &file.facts;
    // Every input field the table names; `output_schema` has its own rule below.
    for r in file
        .refs_of(Role::Inputs)
        .filter(|r| r.field != "output_schema")
    {
        missing(s, r.field, &r.item);
    }
    if let Some(prompt) = &facts.prompt {
        let name = prompt.value.value.as_str();
        let rel = crate::model::schema::prompt_path(name);
        if !s.ws.file_exists(&rel) {
            s.push(
                "missing-file",
                prompt.value_range,
                format!(
                    "prompt '{name}' has no file `{rel}`: `chant work` refuses to run this spec"
                ),
            );
        }
    }
    if let Some(schema) = &facts.output_schema {
        // A completed spec gets chant's own `output-schema-missing` instead.
        if facts.status() != "completed" && !s.ws.file_exists(&schema.value.value) {
            s.push(
                "missing-file",
                schema.value_range,
                format!(
                    "output schema `{}` does not exist: the agent's output cannot be validated",
                    schema.value.value
                ),
            );
        }
    }
}

fn missing(s: &mut Sink, field: &str, item: &Item) {
    let path = item.value.as_str();
    if !is_checkable_path(path) || s.ws.file_exists(path) {
        return;
    }
    // A spec file that moved to the archive: offer its new path.
    let stem = path.rsplit('/').next().and_then(|n| n.strip_suffix(".md"));
    let moved = stem
        .filter(|_| path.contains(".chant/specs/"))
        .and_then(|id| {
            s.ws.by_id(id)
                .find(|(_, f)| f.location == Location::Archived)
        })
        .map(|(_, f)| f.rel.clone());
    let consequence = if field == "context" {
        "chant silently skips it"
    } else {
        "the agent will work without it"
    };
    let d = s.push(
        "missing-file",
        item.range,
        format!("`{field}` names `{path}`, which does not exist: {consequence}"),
    );
    if let Some(new) = moved {
        d.message = format!("`{field}` names `{path}`, which was archived to `{new}`");
        d.fixes.push(super::Fix {
            title: format!("Point to `{new}`"),
            edits: vec![Edit::replace(item.range, crate::syntax::edit::scalar(&new))],
            safe: true,
            delete: None,
        });
    }
}
