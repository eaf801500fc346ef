//! A minimal LSP client: starts the real `chant-lsp` binary and speaks JSON-RPC over its
//! stdio. Server-to-client requests (progress, registration) are answered with `null`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Guards against a hung server; not a performance assertion.
const TIMEOUT: Duration = Duration::from_secs(30);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_chant-lsp")
}

/// Answers one kind of server-to-client request (a dialog choice, an applied edit).
pub type Responder = Box<dyn FnMut(&Value) -> Value + Send>;

pub struct Client {
    child: Child,
    /// Answers to server requests by method; anything else is answered with `null`.
    pub responders: HashMap<String, Responder>,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Latest published diagnostics per URI.
    pub diagnostics: HashMap<String, Vec<Value>>,
    /// Every notification and server request seen, in order.
    pub seen: Vec<Value>,
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    /// Starts the server with `folders` as workspace folders and the given client capabilities.
    pub fn start(folders: &[&Path], capabilities: Value) -> (Client, Value) {
        Client::start_with_env(folders, capabilities, &[])
    }

    /// Starts the server with extra environment variables (and `HOME` pointed at an empty
    /// directory, so no real gh configuration is ever read).
    pub fn start_with_env(
        folders: &[&Path],
        capabilities: Value,
        env: &[(&str, &str)],
    ) -> (Client, Value) {
        let home = std::env::temp_dir().join(format!("chant-lsp-test-home-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&home);
        let mut cmd = Command::new(bin());
        cmd.env("HOME", &home)
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_CONFIG_DIR")
            .env_remove("XDG_CONFIG_HOME");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start chant-lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let Some(len) = len else { return };
                let mut buf = vec![0; len];
                if reader.read_exact(&mut buf).is_err() {
                    return;
                }
                let Ok(v) = serde_json::from_slice(&buf) else {
                    return;
                };
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            responders: HashMap::new(),
            stdin,
            rx,
            next_id: 1,
            diagnostics: HashMap::new(),
            seen: Vec::new(),
        };
        // Tests pass initializationOptions inside the capabilities under this key.
        let mut capabilities = capabilities;
        let init_options = capabilities
            .as_object_mut()
            .and_then(|o| o.remove("__initializationOptions"))
            .unwrap_or(Value::Null);
        let client_info = capabilities
            .as_object_mut()
            .and_then(|o| o.remove("__clientInfo"))
            .unwrap_or(Value::Null);
        let folders: Vec<Value> = folders
            .iter()
            .map(|f| json!({"uri": uri(f), "name": "ws"}))
            .collect();
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": folders.first().map(|f| f["uri"].clone()),
                "workspaceFolders": if folders.is_empty() { Value::Null } else { Value::Array(folders) },
                "capabilities": capabilities,
                "initializationOptions": init_options,
                "clientInfo": client_info,
            }),
        );
        c.notify("initialized", json!({}));
        (c, init)
    }

    #[allow(dead_code)] // used by the benchmarks
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn default_capabilities() -> Value {
        json!({
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}, "workspaceFolders": true},
            "window": {"workDoneProgress": true},
            "textDocument": {"publishDiagnostics": {"relatedInformation": true}},
        })
    }

    fn write(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body)
            .expect("write to server");
        self.stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its `result` (panics on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let resp = self.request_raw(method, params);
        if let Some(err) = resp.get("error") {
            panic!("{method} failed: {err}");
        }
        resp["result"].clone()
    }

    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no answer to {method} within {TIMEOUT:?}"));
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
        }
    }

    /// Next message, handling server requests and recording notifications.
    fn recv(&mut self, deadline: Instant) -> Option<Value> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let msg = match self.rx.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
        };
        if let Some(method) = msg.get("method").and_then(Value::as_str) {
            self.seen.push(msg.clone());
            if let Some(id) = msg.get("id") {
                let id = id.clone();
                let result = match self.responders.get_mut(method) {
                    Some(answer) => answer(&msg["params"]),
                    None => Value::Null,
                };
                // A responder answers `{"__error": code}` to play a client that lacks the
                // method, `{"__never": true}` to play a person who never answers.
                if result.get("__never").is_some() {
                    return Some(msg);
                }
                match result.get("__error") {
                    Some(code) => self.write(&json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": "Method not found"}})),
                    None => self.write(&json!({"jsonrpc": "2.0", "id": id, "result": result})),
                }
            } else if method == "textDocument/publishDiagnostics" {
                let uri = msg["params"]["uri"].as_str().unwrap_or("").to_string();
                let diags = msg["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.diagnostics.insert(uri, diags);
            }
        }
        Some(msg)
    }

    /// Waits until the diagnostics published for `path` satisfy `pred`; returns them.
    pub fn wait_diagnostics(&mut self, path: &Path, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let key = uri(path);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(d) = self.diagnostics.get(&key) {
                if pred(d) {
                    return d.clone();
                }
            }
            if self.recv(deadline).is_none() {
                panic!(
                    "diagnostics for {key} never matched; last: {:#?}",
                    self.diagnostics.get(&key)
                );
            }
        }
    }

    /// Runs a command and waits until its flow has ended: the server answers
    /// `executeCommand` at once and runs the flow as a task of its own, which logs
    /// "<command> finished" when it is over.
    pub fn command(&mut self, command: &str, args: Value) -> Value {
        let done = format!("{command} finished");
        let before = self.finished(&done);
        let result = self.request(
            "workspace/executeCommand",
            json!({"command": command, "arguments": args}),
        );
        let deadline = Instant::now() + TIMEOUT;
        while self.finished(&done) == before {
            if self.recv(deadline).is_none() {
                panic!("{command} never finished; messages: {:#?}", self.messages());
            }
        }
        result
    }

    /// Runs a command without waiting for its flow (a dialog may be waiting).
    pub fn command_started(&mut self, command: &str, args: Value) -> Value {
        self.request(
            "workspace/executeCommand",
            json!({"command": command, "arguments": args}),
        )
    }

    fn finished(&self, done: &str) -> usize {
        self.seen
            .iter()
            .filter(|m| m["method"] == "window/logMessage" && m["params"]["message"] == done)
            .count()
    }

    /// Messages shown to the person so far (`window/showMessage`).
    pub fn messages(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter(|m| m["method"] == "window/showMessage")
            .map(|m| m["params"]["message"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Waits until a shown message contains `needle`; returns it.
    pub fn wait_message(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(m) = self.messages().into_iter().find(|m| m.contains(needle)) {
                return m;
            }
            if self.recv(deadline).is_none() {
                panic!(
                    "no message containing {needle:?}; messages: {:#?}",
                    self.messages()
                );
            }
        }
    }

    /// The code actions at the start of `path`, with no diagnostics sent.
    pub fn code_actions(&mut self, path: &Path) -> Vec<Value> {
        self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(path)}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    /// Acts as an editor that applies the server's workspace edits by performing each
    /// rename operation on disk; returns the edits it received.
    pub fn move_files_when_asked(&mut self) -> std::sync::Arc<std::sync::Mutex<Vec<Value>>> {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        self.responders.insert(
            "workspace/applyEdit".into(),
            Box::new(move |params: &Value| {
                log.lock().unwrap().push(params.clone());
                for op in params["edit"]["documentChanges"].as_array().unwrap() {
                    let path = |k: &str| {
                        op[k]
                            .as_str()
                            .unwrap()
                            .trim_start_matches("file://")
                            .to_string()
                    };
                    std::fs::rename(path("oldUri"), path("newUri")).unwrap();
                }
                json!({"applied": true})
            }),
        );
        seen
    }

    /// Drains messages for a moment (used to show that nothing arrives).
    pub fn settle(&mut self, for_: Duration) {
        let deadline = Instant::now() + for_;
        while self.recv(deadline).is_some() {}
    }

    pub fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "markdown", "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, path: &Path, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": changes}),
        );
    }

    /// Writes bytes as they are, framing included (for the hostile-transport tests).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write to server");
        self.stdin.flush().expect("flush");
    }

    /// Waits for the response with this `id` (which the test chose itself).
    pub fn response(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no response with id {id} within {TIMEOUT:?}"));
            if msg.get("id") == Some(id) && msg.get("method").is_none() {
                return msg;
            }
        }
    }

    /// Waits for the process to end on its own; its exit status.
    pub fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn shutdown(mut self) -> i32 {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The codes in a diagnostics list.
pub fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn find<'a>(diags: &'a [Value], code: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diags:#?}"))
}

/// `[[line, char], [line, char]]` of a diagnostic's range.
pub fn range(d: &Value) -> [[u64; 2]; 2] {
    let p = |v: &Value| {
        [
            v["line"].as_u64().unwrap_or(u64::MAX),
            v["character"].as_u64().unwrap_or(u64::MAX),
        ]
    };
    [p(&d["range"]["start"]), p(&d["range"]["end"])]
}

/// Writes an inline multi-file workspace (`(relative path, text)` pairs) to a temp dir.
pub fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().canonicalize().expect("canonical");
    std::fs::create_dir_all(root.join(".chant/specs")).expect("mkdir");
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    (dir, root)
}

/// Runs git in `dir` (a test repository), panicking with its output on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A workspace committed to a fresh git repository on branch `main`.
pub fn repo(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let (d, root) = workspace(files);
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "init"]);
    (d, root)
}
