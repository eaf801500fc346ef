//! Code actions: the fixes the rules attached to each diagnostic, the spec's own actions,
//! and confirmations waiting for this spec; each with the kind that puts it in the menus
//! people open, filtered by the kinds the client asked for.

use std::cell::OnceCell;
use std::path::Path;

use tower_lsp_server::ls_types as lsp;

use crate::diagnostics;
use crate::ide::actions::Command;

use super::convert;
use super::state::State;

/// What a workflow action is to the client's menus: its kind, and the diagnostic it resolves.
///
/// Why these kinds. VS Code's Ctrl+. menu and its lightbulb ask for every kind but leave out
/// `source` and its sub-kinds (those are only under "Source Action…"), and when nothing at
/// the cursor is a quick fix, Ctrl+. asks again at the line's diagnostics with
/// `only: ["quickfix"]`. So no workflow action is `source`:
/// - an action that resolves a diagnostic reported on this spec (drafting the PR body, for
///   `pr-body-missing`) is `quickfix` with that diagnostic attached: VS Code lists it under
///   "Quick Fix" and Helix sorts quick fixes and actions that fix a diagnostic first;
/// - the others are `refactor.chant.<action>`: a `refactor.*` kind VS Code has no heading
///   for goes under "More Actions…" in the Ctrl+. menu and the lightbulb, and under
///   "Refactor…" (Ctrl+Shift+R, the context menu); Helix's space-a and Neovim's
///   `vim.lsp.buf.code_action()` send no `only` and list every kind (Helix puts such a kind
///   after quick fixes and keeps our order); and a keybinding can ask for one action by its
///   kind (VS Code's `editor.action.codeAction` with `"kind"`, Neovim's `context.only`).
///
/// The empty kind `""` would show in the same menus but can be asked for by no filter, and
/// a client asking for `quickfix` only (VS Code's hover, Eglot's quick-fix command) gets
/// quick fixes only: the workflow actions are not fixes of anything there.
pub struct Step {
    pub kind: &'static str,
    /// The diagnostic code this action resolves; while it is reported on the spec the
    /// action is that diagnostic's quick fix instead.
    pub resolves: Option<&'static str>,
}

/// The one table of kinds: every workflow command's (see [`Step`] for why).
pub fn step(c: Command) -> Step {
    let (kind, resolves) = match c {
        Command::Archive => ("refactor.chant.archive", None),
        Command::ArchiveAnyway => ("refactor.chant.archiveAnyway", None),
        Command::ArchiveInvestigation => ("refactor.chant.archiveInvestigation", None),
        Command::DraftPr => ("refactor.chant.draftPr", Some("pr-body-missing")),
        Command::SubmitPr => ("refactor.chant.submitPr", None),
        Command::UpdatePr => ("refactor.chant.updatePr", None),
        Command::RefreshPr => ("refactor.chant.refreshPr", None),
        Command::OpenPr => ("refactor.chant.openPr", None),
        Command::StartPhase => ("refactor.chant.startPhase", None),
    };
    Step { kind, resolves }
}

/// The kind of a "Confirm: …" action, the answer to a confirmation waiting for this spec
/// (for clients that cannot show the dialog): a workflow step like the command it confirms.
const CONFIRM: &str = "refactor.chant.confirm";

/// Every kind this server returns, for `codeActionKinds` in the capabilities.
pub fn kinds() -> Vec<lsp::CodeActionKind> {
    let mut out = vec![lsp::CodeActionKind::QUICKFIX];
    out.extend(Command::ALL.map(|c| lsp::CodeActionKind::new(step(c).kind)));
    out.push(lsp::CodeActionKind::new(CONFIRM));
    out
}

/// Whether a client asking for `only` wants an action of `kind`: no `only` wants every
/// kind, else `kind` equals a requested kind or is below it (`quickfix.x` is a `quickfix`).
/// The empty kind contains every kind, as in VS Code.
fn wanted(kind: &str, only: Option<&[lsp::CodeActionKind]>) -> bool {
    let Some(only) = only else { return true };
    only.iter().any(|o| {
        let o = o.as_str();
        o.is_empty()
            || kind
                .strip_prefix(o)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// Where an action goes in the list: quick fixes first; "Archive … anyway" last, after the
/// confirmations too, so neither the first item of a menu nor a stray Enter runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Fix,
    Step,
    Anyway,
}

/// The actions the client asked for (`only`), in their order (see [`Place`]; the order
/// they were made in otherwise).
fn arrange(
    mut actions: Vec<(Place, lsp::CodeAction)>,
    only: Option<&[lsp::CodeActionKind]>,
) -> lsp::CodeActionResponse {
    actions.retain(|(_, a)| wanted(a.kind.as_ref().map_or("", |k| k.as_str()), only));
    actions.sort_by_key(|(place, _)| *place);
    actions
        .into_iter()
        .map(|(_, a)| lsp::CodeActionOrCommand::CodeAction(a))
        .collect()
}

/// Quick fixes for the diagnostics in `range`, the spec's actions (archive, PR, phases) and
/// the confirmations waiting for this spec, as far as `context.only` asks for them. The
/// fixes come from the `data` of the diagnostics the client sent back; only when that is
/// missing or stale are the spec's diagnostics recomputed.
pub fn code_actions(
    st: &State,
    confirms: Vec<super::confirm::Offered>,
    path: &Path,
    uri: &lsp::Uri,
    range: lsp::Range,
    context: &lsp::CodeActionContext,
) -> lsp::CodeActionResponse {
    let mut out: Vec<(Place, lsp::CodeAction)> = Vec::new();
    let Some(i) = st.root_index(path) else {
        return Vec::new();
    };
    let ws = &st.roots[i];
    let Some(key) = ws.key_of(path) else {
        return Vec::new();
    };
    let Some(src) = ws.get(key).and_then(|f| f.source()) else {
        return Vec::new();
    };
    let (text, lines) = (src.text(), src.lines());
    let enc = st.encoding;
    let sent = &context.diagnostics;
    // The spec's diagnostics, computed at most once and only when the client's copies
    // do not tell.
    let checked = OnceCell::new();
    let checked = || checked.get_or_init(|| diagnostics::check_spec_in(ws, key, text));
    let command_action = |title: String, kind: &str, command: &str, args| lsp::CodeAction {
        title: title.clone(),
        kind: Some(lsp::CodeActionKind::from(kind.to_string())),
        command: Some(lsp::Command {
            title,
            command: command.to_string(),
            arguments: Some(args),
        }),
        ..Default::default()
    };
    // A diagnostic of this spec with `code`: the client's copy when it sent one (so it
    // matches what the client shows), else ours.
    let reported = |code: &str| -> Option<lsp::Diagnostic> {
        let ours = |d: &&lsp::Diagnostic| {
            d.source.as_deref() == Some("chant-lsp")
                && d.code == Some(lsp::NumberOrString::String(code.to_string()))
        };
        sent.iter().find(ours).cloned().or_else(|| {
            checked()
                .iter()
                .find(|d| d.code == code)
                .map(|d| convert::diagnostic(ws, text, lines, d, enc))
        })
    };
    let fixes = match from_data(text, lines, enc, sent) {
        Some(fixes) => fixes,
        None => {
            let wanted = convert::text_range(text, lines, range, enc);
            checked()
                .iter()
                .filter(|d| !d.fixes.is_empty() && d.range.intersects(wanted))
                .map(|d| {
                    let lsp_diag = convert::diagnostic(ws, text, lines, d, enc);
                    let data = data_of(&lsp_diag).map_or_else(Vec::new, |d| d.fixes);
                    (lsp_diag, data)
                })
                .collect()
        }
    };
    for (lsp_diag, fixes) in fixes {
        let single = fixes.len() == 1;
        for fix in fixes {
            let title = fix.title.clone();
            let Some(edit) = convert::fix_edit(uri, fix, st.delete_files) else {
                continue;
            };
            out.push((
                Place::Fix,
                lsp::CodeAction {
                    title,
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diag.clone()]),
                    edit: Some(edit),
                    is_preferred: Some(single),
                    ..Default::default()
                },
            ));
        }
    }

    for offer in crate::ide::actions::offers(ws, key) {
        let mut args = vec![serde_json::Value::String(uri.to_string())];
        args.extend(offer.arg.map(serde_json::Value::String));
        let step = step(offer.command);
        let resolved = step.resolves.and_then(reported);
        let kind = if resolved.is_some() {
            "quickfix"
        } else {
            step.kind
        };
        let place = match (&resolved, offer.command) {
            (Some(_), _) => Place::Fix,
            (None, Command::ArchiveAnyway) => Place::Anyway,
            (None, _) => Place::Step,
        };
        let mut action = command_action(offer.title, kind, offer.command.name(), args);
        action.diagnostics = resolved.map(|d| vec![d]);
        out.push((place, action));
    }
    for c in confirms {
        out.push((
            Place::Step,
            command_action(c.title, CONFIRM, "chant-lsp.confirm", c.args),
        ));
    }
    arrange(out, context.only.as_deref())
}

fn data_of(d: &lsp::Diagnostic) -> Option<convert::DiagnosticData> {
    serde_json::from_value(d.data.clone()?).ok()
}

/// The fixes carried by the client's copies of our diagnostics, or `None` when any copy
/// lacks its `data` (a client that drops it) or no longer matches the text (the buffer
/// changed since publishing): then the caller recomputes.
fn from_data(
    text: &str,
    lines: &crate::syntax::LineIndex,
    enc: crate::syntax::Encoding,
    sent: &[lsp::Diagnostic],
) -> Option<Vec<(lsp::Diagnostic, Vec<convert::FixData>)>> {
    let ours: Vec<&lsp::Diagnostic> = sent
        .iter()
        .filter(|d| d.source.as_deref() == Some("chant-lsp"))
        .collect();
    if ours.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for d in ours {
        let data = data_of(d)?;
        for e in data.fixes.iter().flat_map(|f| &f.edits) {
            let r = convert::text_range(text, lines, e.range, enc);
            if text.get(r.start()..r.end()) != Some(e.old.as_str()) {
                return None;
            }
        }
        if !data.fixes.is_empty() {
            out.push((d.clone(), data.fixes));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use expect_test::{expect, Expect};

    use super::*;
    use crate::fixture;
    use crate::lsp::confirm::Offered;

    const FIX: &str = ".chant/specs/2026-03-01-005-fix.md";
    const UPR: &str = ".chant/specs/2026-03-01-006-upr.md";

    /// A completed fix and its upstream-PR spec with no draft yet (`pr-body-missing`) and a
    /// status chant rejects (`invalid-value`, fixable).
    const INVESTIGATION: &str = r#"
//- .chant/specs/2026-03-01-005-fix.md
---
type: code
status: completed
labels: [issue-9, fix]
branch: fix-9
---
# Fix issue #9: x
//- .chant/specs/2026-03-01-006-upr.md
---
type: task
status: Pending
labels: [issue-9, upstream-pr]
depends_on: [2026-03-01-005-fix]
informed_by: [comprehension.md, root-cause.md]
---
# Upstream PR for #9
"#;

    fn kinds_of(only: &[&'static str]) -> Vec<lsp::CodeActionKind> {
        only.iter().map(|k| lsp::CodeActionKind::new(k)).collect()
    }

    /// The actions on line `line` of `rel`, one `kind: title [diagnostics]` a line.
    fn actions(
        fixture: &str,
        rel: &str,
        line: u32,
        pending: Vec<Offered>,
        only: Option<&[&'static str]>,
    ) -> String {
        let st = State {
            roots: vec![Arc::new(fixture::load(fixture))],
            ..State::default()
        };
        let path = fixture::root().join(rel);
        let uri = lsp::Uri::from_file_path(&path).expect("an absolute path");
        let at = lsp::Position::new(line, 9);
        let context = lsp::CodeActionContext {
            only: only.map(kinds_of),
            ..Default::default()
        };
        code_actions(&st, pending, &path, &uri, lsp::Range::new(at, at), &context)
            .iter()
            .map(|a| match a {
                lsp::CodeActionOrCommand::CodeAction(a) => {
                    let fixes: Vec<String> = a
                        .diagnostics
                        .iter()
                        .flatten()
                        .filter_map(|d| match &d.code {
                            Some(lsp::NumberOrString::String(c)) => Some(c.clone()),
                            _ => None,
                        })
                        .collect();
                    let kind = a.kind.as_ref().map_or("(none)", |k| k.as_str());
                    format!("{kind}: {} {fixes:?}\n", a.title)
                }
                lsp::CodeActionOrCommand::Command(c) => format!("command: {}\n", c.title),
            })
            .collect()
    }

    fn check(only: Option<&[&'static str]>, expect: Expect) {
        expect.assert_eq(&actions(INVESTIGATION, UPR, 2, Vec::new(), only));
    }

    #[test]
    fn fixes_first_then_the_workflow_and_anyway_last() {
        check(
            None,
            expect![[r#"
                quickfix: Change to `pending` ["invalid-value"]
                quickfix: Draft upstream PR body ["pr-body-missing"]
                refactor.chant.submitPr: Submit upstream PR… []
                refactor.chant.startPhase: Start the Comprehension spec for issue #9 []
                refactor.chant.startPhase: Start the Reproduction spec for issue #9 []
                refactor.chant.startPhase: Start the Root cause spec for issue #9 []
                refactor.chant.startPhase: Start the Impact map spec for issue #9 []
                refactor.chant.archiveInvestigation: Archive investigation #9 (2 specs)… []
                refactor.chant.archiveAnyway: Archive spec 2026-03-01-006-upr anyway (it is Pending)… []
            "#]],
        );
    }

    #[test]
    fn only_the_kinds_asked_for() {
        // VS Code's Ctrl+. when nothing at the cursor is a quick fix, its hover, Eglot's
        // quick-fix command.
        check(
            Some(&["quickfix"]),
            expect![[r#"
                quickfix: Change to `pending` ["invalid-value"]
                quickfix: Draft upstream PR body ["pr-body-missing"]
            "#]],
        );
        // VS Code's Refactor… (Ctrl+Shift+R).
        check(
            Some(&["refactor"]),
            expect![[r#"
                refactor.chant.submitPr: Submit upstream PR… []
                refactor.chant.startPhase: Start the Comprehension spec for issue #9 []
                refactor.chant.startPhase: Start the Reproduction spec for issue #9 []
                refactor.chant.startPhase: Start the Root cause spec for issue #9 []
                refactor.chant.startPhase: Start the Impact map spec for issue #9 []
                refactor.chant.archiveInvestigation: Archive investigation #9 (2 specs)… []
                refactor.chant.archiveAnyway: Archive spec 2026-03-01-006-upr anyway (it is Pending)… []
            "#]],
        );
        // A keybinding for one action; two kinds at once.
        check(
            Some(&["refactor.chant.submitPr", "quickfix.nothing"]),
            expect![[r#"
                refactor.chant.submitPr: Submit upstream PR… []
            "#]],
        );
        // VS Code's Source Action…: nothing of ours is a source action.
        check(Some(&["source"]), expect![""]);
    }

    #[test]
    fn drafting_is_a_workflow_step_once_the_body_is_drafted() {
        let drafted = INVESTIGATION.replace("status: Pending\n", "")
            + "\n<!-- chant-lsp:upstream-pr -->\n## Upstream PR\n\nTitle: x\n\n````markdown\nbody\n````\n<!-- /chant-lsp:upstream-pr -->\n";
        expect![[r#"
            refactor.chant.draftPr: Draft upstream PR body []
            refactor.chant.submitPr: Submit upstream PR… []
            refactor.chant.startPhase: Start the Comprehension spec for issue #9 []
            refactor.chant.startPhase: Start the Reproduction spec for issue #9 []
            refactor.chant.startPhase: Start the Root cause spec for issue #9 []
            refactor.chant.startPhase: Start the Impact map spec for issue #9 []
            refactor.chant.archiveInvestigation: Archive investigation #9 (2 specs)… []
            refactor.chant.archiveAnyway: Archive spec 2026-03-01-006-upr anyway (it is pending)… []
        "#]]
        .assert_eq(&actions(&drafted, UPR, 2, Vec::new(), None));
    }

    #[test]
    fn confirmations_come_before_anyway() {
        let pending = vec![Offered {
            title: "Confirm: Archive anyway: Archive `2026-03-01-005-fix` although it is `in_progress`?".into(),
            args: vec!["1".into(), 0.into()],
        }];
        let fix_spec = INVESTIGATION.replace("status: completed", "status: in_progress");
        expect![[r#"
            refactor.chant.draftPr: Draft upstream PR body []
            refactor.chant.submitPr: Submit upstream PR… []
            refactor.chant.startPhase: Start the Comprehension spec for issue #9 []
            refactor.chant.startPhase: Start the Reproduction spec for issue #9 []
            refactor.chant.startPhase: Start the Root cause spec for issue #9 []
            refactor.chant.startPhase: Start the Impact map spec for issue #9 []
            refactor.chant.archiveInvestigation: Archive investigation #9 (2 specs)… []
            refactor.chant.confirm: Confirm: Archive anyway: Archive `2026-03-01-005-fix` although it is `in_progress`? []
            refactor.chant.archiveAnyway: Archive spec 2026-03-01-005-fix anyway (it is in_progress)… []
        "#]]
        .assert_eq(&actions(&fix_spec, FIX, 0, pending, None));
    }

    #[test]
    fn a_kind_contains_its_sub_kinds_only() {
        let only = kinds_of(&["quickfix"]);
        let only = Some(only.as_slice());
        assert!(wanted("quickfix", only));
        assert!(wanted("quickfix.chant", only));
        assert!(!wanted("quickfixes", only), "a prefix is not a parent");
        assert!(!wanted("refactor.chant.archive", only));
        assert!(!wanted("", only));
        assert!(wanted("refactor.chant.archive", None));
        let empty = kinds_of(&[""]);
        assert!(wanted("refactor.chant.archive", Some(empty.as_slice())));
        assert!(!wanted("refactor.chant.archive", Some(&[])));
    }

    #[test]
    fn the_kind_table_is_advertised_and_shown_by_ctrl_dot() {
        let advertised = kinds();
        for c in Command::ALL {
            let s = step(c);
            assert!(
                !s.kind.starts_with("source"),
                "{c:?}: VS Code's Ctrl+. leaves source actions out"
            );
            assert!(advertised.iter().any(|k| k.as_str() == s.kind), "{c:?}");
            if let Some(code) = s.resolves {
                assert!(
                    crate::diagnostics::catalogue::lookup(code).is_some(),
                    "{code}"
                );
            }
        }
        let mut unique: Vec<&str> = advertised.iter().map(|k| k.as_str()).collect();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), advertised.len(), "{advertised:?}");
    }
}
