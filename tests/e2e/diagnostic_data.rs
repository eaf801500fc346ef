//! What published diagnostics carry for the editor: a link to the code's documentation
//! (`codeDescription`) and their quick fixes (`data`), from which code actions are served.

use serde_json::{json, Value};

use crate::support::{find, uri, workspace, Client};

const A: &str = "---\ntype: code\nstatus: completed\n---\n# Spec A\n";
const B: &str = "---\nstatus: Completed\ndepends_on: [001-aaa]\n---\n# B\n";

fn start() -> (tempfile::TempDir, Client, std::path::PathBuf, Vec<Value>) {
    let (d, root) = workspace(&[
        (".chant/specs/2026-03-01-001-aaa.md", A),
        (".chant/specs/2026-03-01-002-bbb.md", B),
    ]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let b = root.join(".chant/specs/2026-03-01-002-bbb.md");
    c.open(&b, B);
    let diags = c.wait_diagnostics(&b, |d| {
        d.iter().any(|x| x["code"] == "inexact-dependency-id")
    });
    (d, c, b, diags)
}

fn actions(c: &mut Client, b: &std::path::Path, at: Value, sent: Vec<Value>) -> Vec<Value> {
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(b)}, "range": {"start": at, "end": at}, "context": {"diagnostics": sent}}),
    );
    r.as_array().cloned().unwrap_or_default()
}

#[test]
fn every_published_diagnostic_links_to_its_documentation() {
    let (_d, _c, _b, diags) = start();
    assert!(!diags.is_empty());
    for d in &diags {
        let code = d["code"].as_str().unwrap();
        assert_eq!(
            d["codeDescription"]["href"],
            format!("https://github.com/chant-lsp/chant-lsp/blob/main/docs/diagnostics.md#{code}")
        );
    }
    let dep = find(&diags, "inexact-dependency-id");
    let fix = &dep["data"]["fixes"][0];
    assert_eq!(fix["title"], "Use the full ID `2026-03-01-001-aaa`");
    assert_eq!(fix["safe"], true);
    assert_eq!(fix["edits"][0]["newText"], "2026-03-01-001-aaa");
    assert_eq!(fix["edits"][0]["old"], "001-aaa");
    assert_eq!(
        find(&diags, "invalid-value")["data"]["fixes"][0]["safe"],
        false,
        "did-you-mean is a guess"
    );
}

#[test]
fn code_actions_come_from_the_diagnostics_data() {
    let (_d, mut c, b, diags) = start();
    let mut dep = find(&diags, "inexact-dependency-id").clone();
    let at = dep["range"]["start"].clone();
    // As published: the fix the data carries.
    let got = actions(&mut c, &b, at.clone(), vec![dep.clone()]);
    assert_eq!(got[0]["title"], "Use the full ID `2026-03-01-001-aaa`");
    assert_eq!(got[0]["diagnostics"][0]["code"], "inexact-dependency-id");
    // The server reads the fix from `data` rather than recomputing it: a different title
    // in the data comes back as the action's title.
    dep["data"]["fixes"][0]["title"] = json!("From the data");
    let got = actions(&mut c, &b, at.clone(), vec![dep.clone()]);
    assert_eq!(got[0]["title"], "From the data");
    assert_eq!(
        got[0]["edit"]["changes"][uri(&b)][0]["newText"],
        "2026-03-01-001-aaa"
    );
    // Data that no longer matches the text (a stale diagnostic) is not trusted.
    dep["data"]["fixes"][0]["edits"][0]["old"] = json!("something else");
    let got = actions(&mut c, &b, at.clone(), vec![dep.clone()]);
    assert_eq!(got[0]["title"], "Use the full ID `2026-03-01-001-aaa`");
    // A client that drops `data`: the fixes are recomputed.
    dep.as_object_mut().unwrap().remove("data");
    let got = actions(&mut c, &b, at, vec![dep]);
    assert_eq!(got[0]["title"], "Use the full ID `2026-03-01-001-aaa`");
    assert_eq!(got[0]["kind"], "quickfix");
}
