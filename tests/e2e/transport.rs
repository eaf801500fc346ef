//! The transport under a hostile client: raw bytes on stdin, each malformed frame answered
//! with its JSON-RPC error, the session going on, and the exit statuses the LSP spec gives.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::{bin, uri, workspace, Client};

const SPEC: &str = "---\nstatus: pending\n---\n# A\n";
const SPEC_PATH: &str = ".chant/specs/2026-03-01-001-aaa.md";

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// A hover on the spec's `status` key, sent as raw bytes with `id`; asserts a real answer.
fn hover_answers(c: &mut Client, spec: &Path, id: i64) {
    let req = json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri(spec)}, "position": {"line": 1, "character": 1}}});
    c.send_raw(&framed(&req.to_string()));
    let r = c.response(&json!(id));
    let text = r["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.contains("**status**"),
        "hover {id} after a bad frame: {r}"
    );
}

fn error_of(r: &Value) -> (i64, Value) {
    (r["error"]["code"].as_i64().unwrap_or(0), r["id"].clone())
}

#[test]
fn each_malformed_frame_gets_its_error_and_the_session_goes_on() {
    let (_d, root) = workspace(&[(SPEC_PATH, SPEC)]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    let spec = root.join(SPEC_PATH);
    // Indexing is done once the hover has an answer.
    let at = json!({"textDocument": {"uri": uri(&spec)}, "position": {"line": 1, "character": 1}});
    while c.request("textDocument/hover", at.clone()).is_null() {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    hover_answers(&mut c, &spec, 1000);

    let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
    // (body, expected code, expected id in the answer)
    let cases: Vec<(String, i64, Value)> = vec![
        ("{\"jsonrpc\":\"2.0\",\"id\":1,".into(), -32700, Value::Null),
        ("not json at all".into(), -32700, Value::Null),
        (
            format!(r#"{{"jsonrpc":"2.0","id":2,"method":"x","params":{deep}}}"#),
            -32700,
            Value::Null,
        ),
        (
            r#"[{"jsonrpc":"2.0","id":3,"method":"shutdown"}]"#.into(),
            -32600,
            Value::Null,
        ),
        ("42".into(), -32600, Value::Null),
        (
            r#"{"id":4,"method":"textDocument/hover"}"#.into(),
            -32600,
            json!(4),
        ),
        (
            r#"{"jsonrpc":"1.0","id":5,"method":"textDocument/hover"}"#.into(),
            -32600,
            json!(5),
        ),
        (r#"{"jsonrpc":"2.0","id":6}"#.into(), -32600, json!(6)),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":"$/chant/unknown"}"#.into(),
            -32601,
            json!(7),
        ),
    ];
    for (n, (body, code, id)) in cases.iter().enumerate() {
        c.send_raw(&framed(body));
        // The error has id null for most: the next hover is sent only after it arrived.
        let r = c.response(id);
        assert_eq!(error_of(&r), (*code, id.clone()), "case {n}: {body:.80}");
        hover_answers(&mut c, &spec, 1001 + n as i64);
    }

    // Odd headers: lower-case names, an extra header, a Content-Type without charset.
    let req = json!({"jsonrpc": "2.0", "id": 2000, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri(&spec)}, "position": {"line": 1, "character": 1}}})
    .to_string();
    c.send_raw(
        format!(
            "content-length: {}\r\nX-Whatever: yes\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n{req}",
            req.len()
        )
        .as_bytes(),
    );
    assert!(c.response(&json!(2000))["result"]["contents"]["value"].is_string());
    let req = req.replace("2000", "2001");
    c.send_raw(
        format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH:{}\r\n\r\n{req}",
            req.len()
        )
        .as_bytes(),
    );
    assert!(c.response(&json!(2001))["result"]["contents"]["value"].is_string());
    // An invalid UTF-8 byte is replaced, not fatal.
    let mut bad = req.replace("2001", "2002").into_bytes();
    let at = bad.len() - 1;
    bad.splice(at..at, *b",\"x\":\"\xff\"");
    let mut framed_bad = format!("Content-Length: {}\r\n\r\n", bad.len()).into_bytes();
    framed_bad.extend_from_slice(&bad);
    c.send_raw(&framed_bad);
    assert!(c.response(&json!(2002))["result"]["contents"]["value"].is_string());

    // A lone surrogate (as Node clients send) is replaced, not fatal: the edit lands.
    c.open(&spec, SPEC);
    let change = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"URI","version":2},"contentChanges":[{"text":"---\nstatus: bogus\n---\n# A \ud800\n"}]}}"#
        .replace("URI", &uri(&spec));
    c.send_raw(&framed(&change));
    let d = c.wait_diagnostics(&spec, |d| !d.is_empty());
    assert!(d.iter().any(|d| d["code"] == "invalid-value"), "{d:?}");

    // A `shutdown` notification is ignored: the server still answers.
    c.send_raw(&framed(r#"{"jsonrpc":"2.0","method":"shutdown"}"#));
    hover_answers(&mut c, &spec, 3000);

    // A Content-Length over the 128 MiB cap: refused, its body skipped, the session goes on.
    let big = 129 * 1024 * 1024;
    let mut huge = format!("Content-Length: {big}\r\n\r\n").into_bytes();
    huge.resize(huge.len() + big, b' ');
    c.send_raw(&huge);
    drop(huge);
    let r = c.response(&Value::Null);
    assert_eq!(error_of(&r).0, -32600, "{r}");
    hover_answers(&mut c, &spec, 3001);

    assert_eq!(c.shutdown(), 0);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let (_d, root) = workspace(&[(SPEC_PATH, SPEC)]);
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), 1);
}

/// End of input ends the server: status 0 after `shutdown`, 1 without it.
#[test]
fn end_of_input_exits_with_the_spec_status() {
    for (shutdown, expected) in [(true, 0), (false, 1)] {
        let mut child = Command::new(bin())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chant-lsp");
        let mut stdin = child.stdin.take().expect("stdin");
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"capabilities": {}}});
        stdin.write_all(&framed(&init.to_string())).expect("write");
        if shutdown {
            stdin
                .write_all(&framed(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#))
                .expect("write");
        }
        drop(stdin);
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(expected), "shutdown sent: {shutdown}");
    }
}
