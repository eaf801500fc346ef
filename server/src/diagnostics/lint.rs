//! chant lint's own rules (chant-format §5.1), with chant's thresholds and messages,
//! placed on the line at fault instead of on the whole spec.

use crate::model::id;
use crate::model::schema;

use super::Sink;

/// chant's `Option` fields are `None` for an absent key and for a null value.
fn has(s: &Sink, key: &str) -> bool {
    s.file
        .syntax
        .root()
        .and_then(|r| r.get(key))
        .is_some_and(|e| !e.value.is_null())
}

pub(super) fn check(s: &mut Sink) {
    let file = s.file;
    let facts = &file.facts;
    let body = &file.syntax.body;
    let cfg = &s.ws.config;
    let t = &cfg.thresholds;
    let spec_type = facts.spec_type();
    let type_range = facts
        .r#type
        .as_ref()
        .map_or_else(|| s.whole_spec_range(), |p| p.value_range);

    if body.title.is_none() {
        let text = s.text();
        let at = file.syntax.split.body_start.min(text.len());
        let end = text
            .get(at..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| at + i);
        let range = if end > at {
            crate::syntax::TextRange::new(at, end)
        } else {
            s.whole_spec_range()
        };
        s.push(
            "missing-title",
            range,
            "Missing title: the body needs a `# Title` line; chant names the spec by it",
        );
    }

    for field in &cfg.required {
        if matches!(field.as_str(), "type" | "status") || schema::field(field).is_none() {
            continue;
        }
        if !has(s, field) {
            let r = s.whole_spec_range();
            s.push(
                "missing-required-field",
                r,
                format!(
                    "Missing required field '{field}' (`enterprise.required` in .chant/config.md)"
                ),
            );
        }
    }

    match spec_type {
        "documentation" => {
            if !has(s, "tracks") {
                s.push("doc-missing-tracks", type_range, "Documentation spec missing 'tracks' field: list the source globs this document describes, so drift can be detected");
            }
            if !has(s, "target_files") {
                s.push(
                    "doc-missing-target-files",
                    type_range,
                    "Documentation spec missing 'target_files' field: name the documents it writes",
                );
            }
        }
        "research" => {
            if !has(s, "informed_by") && !has(s, "origin") {
                s.push("research-missing-inputs", type_range, "Research spec missing both 'informed_by' and 'origin' fields: name what the research reads");
            }
            if !has(s, "target_files") {
                let fix = super::phase_rules::research_output_fix(s);
                let d = s.push("research-missing-target-files", type_range, "Research spec missing 'target_files' field: name the document the research writes");
                if let Some((title, edit)) = fix {
                    d.fixes.push(super::Fix {
                        title,
                        edits: vec![edit],
                        safe: false,
                        delete: None,
                    });
                }
            }
        }
        "driver" | "group" => {
            if let Some(m) = facts
                .members
                .as_ref()
                .filter(|m| m.value.is_empty() && has(s, "members"))
            {
                let r = m.value_range;
                s.push(
                    "driver-empty-members",
                    r,
                    "Driver/group spec has empty 'members' array",
                );
            }
        }
        _ => {}
    }

    let criteria = body.criteria.len();
    if criteria > t.complexity_criteria {
        if let Some(h) = body.criteria_headings.last() {
            s.push(
                "too-many-criteria",
                *h,
                format!("Spec has {criteria} acceptance criteria (>{}) - consider splitting for haiku (`chant split {}`)", t.complexity_criteria, file.id),
            );
        }
    }
    if let Some(tf) = facts
        .target_files
        .as_ref()
        .filter(|p| p.value.len() > t.complexity_files)
    {
        let (n, r) = (tf.value.len(), tf.key);
        s.push(
            "too-many-files",
            r,
            format!(
                "Spec touches {n} files (>{}) - consider splitting",
                t.complexity_files
            ),
        );
    }
    let body_text = s.text;
    let words = || crate::syntax::body::word_count(body_text, file.syntax.split.body_start);
    let word_count = if cfg.words_disabled { 0 } else { words() };
    if !cfg.words_disabled && word_count > t.complexity_words {
        let r = body
            .title
            .as_ref()
            .map_or_else(|| s.whole_spec_range(), |t| t.range);
        s.push(
            "too-many-words",
            r,
            format!(
                "Spec description is {} words (>{}) - may be too complex for haiku",
                word_count, t.complexity_words
            ),
        );
    }

    if !matches!(spec_type, "driver" | "group") {
        let own = &file.id;
        let driver = id::driver_of(own);
        for m in &body.id_mentions {
            if m.id.starts_with(own.as_str()) || own.starts_with(m.id.as_str()) {
                continue;
            }
            match driver {
                Some(d) => {
                    if id::driver_of(&m.id) == Some(d) {
                        s.push("sibling-reference", m.range, format!("Spec references sibling spec(s): {} - member specs should be independent", m.id));
                    }
                }
                None => {
                    s.push("id-in-body", m.range, format!("Spec references other spec ID(s) in body: {} - use depends_on for dependencies", m.id));
                }
            }
        }
    }

    if let Some(model) = &facts.model {
        let lower = model.value.value.to_lowercase();
        let files = facts.target_files.as_ref().map_or(0, |p| p.value.len());
        if (lower.contains("opus") || lower.contains("sonnet"))
            && !matches!(spec_type, "driver" | "group" | "research")
            && criteria <= t.simple_criteria
            && files <= t.simple_files
            && words() <= t.simple_words
        {
            s.push(
                "model-waste",
                model.value_range,
                format!(
                    "Spec uses '{}' but appears simple ({criteria} criteria, {files} files, {} words) - consider haiku",
                    model.value.value,
                    words()
                ),
            );
        }
    }

    if let Some(a) = &facts.approval {
        let shown = match a.status.as_str() {
            "approved" => Some("Approved"),
            "rejected" => Some("Rejected"),
            _ => None,
        };
        if let Some(st) = shown {
            if !a.by {
                s.push(
                    "approval-missing-by",
                    a.key,
                    format!("Approval status is {st} but 'by' field is missing"),
                );
            }
            if !a.at {
                s.push(
                    "approval-missing-at",
                    a.key,
                    format!("Approval status is {st} but 'at' timestamp is missing"),
                );
            }
        }
        if a.status == "pending" && a.by {
            s.push(
                "approval-by-while-pending",
                a.key,
                "Approval has 'by' field set but status is still 'pending'",
            );
        }
    }

    if facts.status() == "completed" {
        if let Some(schema) = &facts.output_schema {
            if !s.ws.file_exists(&schema.value.value) {
                s.push(
                    "output-schema-missing",
                    schema.value_range,
                    format!("Output schema file not found: {}", schema.value.value),
                );
            }
        }
        for cb in body.criteria.iter().filter(|c| !c.checked) {
            let d = s.push(
                "unchecked-criteria",
                cb.line,
                "this spec is completed but this acceptance criterion is unchecked: chant refuses to complete a spec while a `- [ ]` remains",
            );
            d.fixes.push(super::Fix {
                title: "Check this criterion".into(),
                edits: vec![crate::syntax::edit::Edit::replace(cb.range, "- [x]")],
                safe: false,
                delete: None,
            });
        }
    }
}
