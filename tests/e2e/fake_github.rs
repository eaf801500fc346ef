//! A fake GitHub REST API on 127.0.0.1: scripted answers, every request recorded. It
//! stops by itself when dropped (or after two minutes), and never talks to anything else.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path with the query string.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

struct Route {
    method: &'static str,
    /// Matches the path without its query string.
    path: String,
    status: u16,
    body: Value,
    delay: Duration,
    /// Answers one request, then gives way to the next matching route.
    once: bool,
}

pub struct FakeGitHub {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    routes: Arc<Mutex<Vec<Route>>>,
    stop: Arc<AtomicBool>,
}

impl FakeGitHub {
    pub fn start() -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        listener.set_nonblocking(true).expect("nonblocking");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<Mutex<Vec<Route>>> = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (req, rts, stp) = (requests.clone(), routes.clone(), stop.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !stp.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (req, rts) = (req.clone(), rts.clone());
                        std::thread::spawn(move || serve(stream, &req, &rts));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FakeGitHub {
            url,
            requests,
            routes,
            stop,
        }
    }

    pub fn route(&self, method: &'static str, path: &str, status: u16, body: Value) -> &Self {
        self.route_delayed(method, path, status, body, Duration::ZERO)
    }

    pub fn route_delayed(
        &self,
        method: &'static str,
        path: &str,
        status: u16,
        body: Value,
        delay: Duration,
    ) -> &Self {
        self.routes.lock().unwrap().push(Route {
            method,
            path: path.to_string(),
            status,
            body,
            delay,
            once: false,
        });
        self
    }

    pub fn route_once(&self, method: &'static str, path: &str, status: u16, body: Value) -> &Self {
        self.routes.lock().unwrap().push(Route {
            method,
            path: path.to_string(),
            status,
            body,
            delay: Duration::ZERO,
            once: true,
        });
        self
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn posts(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect()
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<Request>>, routes: &Mutex<Vec<Route>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    // Keep-alive: several requests per connection, bounded.
    for _ in 0..100 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let req = Request {
            method: method.clone(),
            path: path.clone(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        requests.lock().unwrap().push(req);
        let bare = path.split('?').next().unwrap_or("");
        let (status, reply, delay) = {
            let mut routes = routes.lock().unwrap();
            match routes
                .iter()
                .position(|r| r.method == method && r.path == bare)
            {
                None => (404, json!({"message": "Not Found"}), Duration::ZERO),
                Some(i) => {
                    let r = &routes[i];
                    let answer = (r.status, r.body.clone(), r.delay);
                    if r.once {
                        routes.remove(i);
                    }
                    answer
                }
            }
        };
        std::thread::sleep(delay);
        let text = reply.to_string();
        let head = format!("HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n", text.len());
        if writer
            .write_all(head.as_bytes())
            .and_then(|()| writer.write_all(text.as_bytes()))
            .is_err()
        {
            return;
        }
    }
}

/// The fields octocrab needs to read a pull request.
pub fn pr_json(number: u64, owner: &str, branch: &str, state: &str, merged: bool) -> Value {
    pr_json_full(
        number, owner, branch, state, merged, false, "", "", "abc123",
    )
}

/// A pull request with everything the status flows read. An empty `title` or `body` is
/// left out (GitHub sends `null` for a missing body).
#[allow(clippy::too_many_arguments)]
pub fn pr_json_full(
    number: u64,
    owner: &str,
    branch: &str,
    state: &str,
    merged: bool,
    draft: bool,
    title: &str,
    body: &str,
    sha: &str,
) -> Value {
    let mut pr = json!({
        "id": number * 1000,
        "number": number,
        "url": format!("https://api.github.com/repos/acme/kvstore/pulls/{number}"),
        "html_url": format!("https://github.com/acme/kvstore/pull/{number}"),
        "state": state,
        "draft": draft,
        "merged": merged,
        "merged_at": if merged { json!("2026-11-20T10:00:00Z") } else { Value::Null },
        "body": if body.is_empty() { Value::Null } else { json!(body) },
        "head": {"ref": branch, "sha": sha, "label": format!("{owner}:{branch}")},
        "base": {"ref": "main", "sha": "def456", "label": "acme:main"},
    });
    if !title.is_empty() {
        pr["title"] = json!(title);
    }
    pr
}

/// `GET /repos/{o}/{r}/pulls/{n}/reviews`, oldest first: (reviewer, `APPROVED` /
/// `CHANGES_REQUESTED` / `COMMENTED` / `DISMISSED` / `PENDING`).
// For the PR-status tests; the lib's forge tests use it already.
pub fn reviews_json(reviews: &[(&str, &str)]) -> Value {
    let items: Vec<Value> = reviews
        .iter()
        .zip(1u64..)
        .map(|((user, state), id)| {
            json!({
                "id": id,
                "node_id": format!("PRR_{id}"),
                "user": {"login": user, "id": id + 100, "type": "User"},
                "body": "",
                "state": state,
                "html_url": format!("https://github.com/acme/kvstore/pull/7#pullrequestreview-{id}"),
                "commit_id": "abc123",
                "submitted_at": format!("2026-11-20T10:{:02}:00Z", id % 60),
                "author_association": "MEMBER",
            })
        })
        .collect();
    Value::Array(items)
}

/// `GET /repos/{o}/{r}/commits/{sha}/check-runs`: (`queued` / `in_progress` / `completed`,
/// conclusion once completed).
// For the PR-status tests; the lib's forge tests use it already.
pub fn check_runs_json(runs: &[(&str, Option<&str>)]) -> Value {
    let items: Vec<Value> = runs
        .iter()
        .zip(1u64..)
        .map(|((status, conclusion), id)| {
            json!({
                "id": id,
                "node_id": format!("CR_{id}"),
                "name": format!("check-{id}"),
                "head_sha": "abc123",
                "status": status,
                "conclusion": conclusion,
                "url": format!("https://api.github.com/repos/acme/kvstore/check-runs/{id}"),
                "html_url": format!("https://github.com/acme/kvstore/runs/{id}"),
                "output": {"title": null, "summary": null, "text": null, "annotations_count": 0},
                "pull_requests": [],
            })
        })
        .collect();
    json!({"total_count": items.len(), "check_runs": items})
}

/// `GET /repos/{o}/{r}/commits/{sha}/status` with `n_statuses` statuses all in `state`
/// (`success` / `pending` / `failure` / `error`). With none, GitHub still says `pending`.
// For the PR-status tests; the lib's forge tests use it already.
pub fn combined_status_json(state: &str, n_statuses: usize) -> Value {
    let statuses: Vec<Value> = (1..=n_statuses)
        .map(|i| {
            json!({
                "id": i,
                "state": state,
                "context": format!("ci/{i}"),
                "description": null,
                "target_url": null,
            })
        })
        .collect();
    json!({
        "state": if n_statuses == 0 { "pending" } else { state },
        "sha": "abc123",
        "total_count": n_statuses,
        "statuses": statuses,
    })
}

pub fn repo_json(default_branch: &str) -> Value {
    json!({"id": 1, "name": "kvstore", "url": "https://api.github.com/repos/acme/kvstore", "default_branch": default_branch})
}
