//! The guard between the client's bytes and tower-lsp-server.
//!
//! tower-lsp-server's own codec ends the session on the first frame it cannot decode (invalid
//! JSON, a lone surrogate, a lower-case header, a batch...) and buffers any Content-Length it
//! is given. So this module owns stdin and stdout: it reads and validates each frame, answers
//! the malformed ones itself with the JSON-RPC error the specification prescribes, and hands
//! tower-lsp-server only well-formed messages, re-serialised, through an in-process pipe.
//! tower's output is re-framed whole and merged with those error responses on one writer, so
//! frames never interleave. It also decides the exit status (1 unless `shutdown` came first).

use std::borrow::Cow;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::sync::mpsc;
use tower_lsp_server::{ClientSocket, LspService, Server};

/// The largest message body accepted (128 MiB): far above any real document, low enough that
/// a hostile or broken `Content-Length` cannot make the server allocate gigabytes. A larger
/// body is read and discarded in chunks, never buffered, and answered with an error.
pub const MAX_CONTENT_LENGTH: u64 = 128 * 1024 * 1024;
/// A header line longer than this is garbage, not a header; its bytes are skipped unkept.
const MAX_HEADER_LINE: usize = 8 * 1024;
/// How long in-flight work may take to answer after `exit` or end of input.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// JSON-RPC error codes answered by the transport itself.
mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
}

/// Serves `service` on stdin/stdout; returns the process exit status the LSP specification
/// asks for: 0 after `shutdown` then `exit` (or end of input), 1 without `shutdown`.
pub async fn serve<S>(service: LspService<S>, socket: ClientSocket) -> u8
where
    S: tower_lsp_server::LanguageServer,
{
    serve_on(tokio::io::stdin(), tokio::io::stdout(), service, socket).await
}

async fn serve_on<S, R, W>(input: R, output: W, service: LspService<S>, socket: ClientSocket) -> u8
where
    S: tower_lsp_server::LanguageServer,
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (to_tower, tower_in) = tokio::io::duplex(1 << 16);
    let (tower_out, from_tower) = tokio::io::duplex(1 << 16);
    let (frames, frames_rx) = mpsc::channel::<Vec<u8>>(64);
    let writer = tokio::spawn(write_frames(output, frames_rx));
    let reframer = tokio::spawn(reframe(from_tower, frames.clone()));

    let server = Server::new(tower_in, tower_out, socket).serve(service);
    tokio::pin!(server);
    let mut guard = Guard::default();
    let server_done = tokio::select! {
        () = guard.run(tokio::io::BufReader::new(input), to_tower, frames) => false,
        () = &mut server => true,
    };
    if !server_done && tokio::time::timeout(EXIT_GRACE, server).await.is_err() {
        tracing::warn!("requests still running after exit; not waiting for them");
    }
    // The reframer ends with tower's output, the writer once every frame is written.
    let _ = tokio::time::timeout(EXIT_GRACE, reframer).await;
    let _ = tokio::time::timeout(EXIT_GRACE, writer).await;
    u8::from(!guard.shutdown)
}

/// The reading side's state: whether the client asked for `shutdown` before leaving.
#[derive(Default)]
struct Guard {
    shutdown: bool,
}

impl Guard {
    /// Reads frames until `exit` or end of input, forwarding the well-formed ones.
    async fn run<R, W>(&mut self, mut input: R, mut to_tower: W, replies: mpsc::Sender<Vec<u8>>)
    where
        R: AsyncBufRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        loop {
            let verdict = match read_frame(&mut input).await {
                Ok(Frame::Body(body)) => classify(&body),
                Ok(Frame::TooLarge(len)) => Verdict::Reply(error_response(
                    Value::Null,
                    code::INVALID_REQUEST,
                    &format!(
                        "message of {len} bytes is over the limit of {} MiB; discarded",
                        MAX_CONTENT_LENGTH >> 20
                    ),
                )),
                Ok(Frame::NoLength) => Verdict::Reply(error_response(
                    Value::Null,
                    code::PARSE_ERROR,
                    "header without a valid Content-Length",
                )),
                Ok(Frame::Eof) => return,
                Err(e) => {
                    tracing::error!("cannot read from the client: {e}");
                    return;
                }
            };
            match verdict {
                Verdict::Forward { message, method } => {
                    let exit = method == Some(Method::Exit);
                    if method == Some(Method::Shutdown) {
                        self.shutdown = true;
                    }
                    let sent = to_tower.write_all(&frame(&message)).await;
                    let sent = match sent {
                        Ok(()) => to_tower.flush().await,
                        Err(e) => Err(e),
                    };
                    if sent.is_err() || exit {
                        return;
                    }
                }
                Verdict::Reply(reply) => {
                    if replies.send(frame(&reply)).await.is_err() {
                        return;
                    }
                }
                Verdict::Ignore(why) => tracing::warn!("ignored a message: {why}"),
            }
        }
    }
}

/// One frame off the wire.
#[derive(Debug, PartialEq)]
enum Frame {
    Body(Vec<u8>),
    /// A Content-Length over [`MAX_CONTENT_LENGTH`]; its body has been skipped.
    TooLarge(u64),
    /// A header block without a usable Content-Length; what follows is read as headers again.
    NoLength,
    Eof,
}

/// Reads one header block and its body. Header names are case-insensitive, headers other than
/// Content-Length (Content-Type with or without charset included) are ignored, blank lines
/// before a header block are skipped, and garbage before a `Content-Length` on a line (the
/// tail of a body whose length was understated) is dropped so the stream resynchronises.
async fn read_frame<R: AsyncBufRead + Unpin>(input: &mut R) -> std::io::Result<Frame> {
    let mut length: Option<Option<u64>> = None;
    let mut seen_header = false;
    loop {
        let Some(line) = read_line(input).await? else {
            if seen_header {
                tracing::warn!("input ended inside a header block");
            }
            return Ok(Frame::Eof);
        };
        let line = line.trim_ascii();
        if line.is_empty() {
            if !seen_header {
                continue;
            }
            break;
        }
        seen_header = true;
        match header_length(line) {
            Some(parsed) => length = Some(parsed),
            None if !line.contains(&b':') => {
                tracing::warn!("skipped {} bytes that are not a header", line.len())
            }
            None => {}
        }
    }
    let Some(Some(len)) = length else {
        return Ok(Frame::NoLength);
    };
    if len > MAX_CONTENT_LENGTH {
        tracing::warn!("refusing a message of {len} bytes");
        let skipped = tokio::io::copy(&mut input.take(len), &mut tokio::io::sink()).await?;
        if skipped < len {
            return Ok(Frame::Eof);
        }
        return Ok(Frame::TooLarge(len));
    }
    // Grows with what really arrives, not with what the header claims.
    let mut body = Vec::with_capacity(usize::try_from(len.min(1 << 20)).unwrap_or(1 << 20));
    input.take(len).read_to_end(&mut body).await?;
    if (body.len() as u64) < len {
        tracing::warn!("input ended inside a message body");
        return Ok(Frame::Eof);
    }
    Ok(Frame::Body(body))
}

/// The Content-Length on a header line, found case-insensitively even after garbage:
/// `None` when the line has none, `Some(None)` when its value is not a number.
fn header_length(line: &[u8]) -> Option<Option<u64>> {
    const NAME: &[u8] = b"content-length";
    let at = line
        .windows(NAME.len())
        .position(|w| w.eq_ignore_ascii_case(NAME))?;
    let rest = line.get(at + NAME.len()..)?.trim_ascii_start();
    let value = rest.strip_prefix(b":")?;
    Some(
        std::str::from_utf8(value)
            .ok()
            .and_then(|v| v.trim().parse().ok()),
    )
}

/// One line (without its `\n`), at most [`MAX_HEADER_LINE`] bytes kept; `None` at end of input.
async fn read_line<R: AsyncBufRead + Unpin>(input: &mut R) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let mut any = false;
    loop {
        let buf = input.fill_buf().await?;
        if buf.is_empty() {
            return Ok(any.then_some(line));
        }
        any = true;
        let (chunk, used, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        let room = MAX_HEADER_LINE.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        input.consume(used);
        if done {
            return Ok(Some(line));
        }
    }
}

/// What the transport does with one body.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Hand this (re-serialised, valid) message to tower-lsp-server.
    Forward {
        message: Vec<u8>,
        method: Option<Method>,
    },
    /// Answer the client with this error response instead.
    Reply(Vec<u8>),
    /// Drop it (a response or notification no one can be told about), saying why in the log.
    Ignore(String),
}

/// The methods whose passage the transport watches.
#[derive(Debug, PartialEq, Clone, Copy)]
enum Method {
    Shutdown,
    Exit,
    Other,
}

/// Validates one message body the way JSON-RPC 2.0 and LSP define it.
fn classify(body: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(body);
    let text = replace_lone_surrogates(&text);
    // serde_json refuses nesting deeper than 128 levels with an error, not a stack overflow.
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            return Verdict::Reply(error_response(
                Value::Null,
                code::PARSE_ERROR,
                &format!("invalid JSON: {e}"),
            ))
        }
    };
    let invalid =
        |id: Value, why: &str| Verdict::Reply(error_response(id, code::INVALID_REQUEST, why));
    let obj = match &value {
        Value::Object(o) => o,
        Value::Array(_) => return invalid(Value::Null, "batches are not part of LSP"),
        _ => return invalid(Value::Null, "a message must be a JSON object"),
    };
    let id = match obj.get("id") {
        None => None,
        Some(id) if valid_id(id) => Some(id.clone()),
        Some(_) => return invalid(Value::Null, "`id` must be an integer, a string or null"),
    };
    let echo = id.clone().unwrap_or(Value::Null);
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid(echo, "`jsonrpc` must be \"2.0\"");
    }
    let method = match obj.get("method") {
        Some(Value::String(m)) => m.as_str(),
        Some(_) => return invalid(echo, "`method` must be a string"),
        None if obj.contains_key("result") || obj.contains_key("error") => {
            return match response_problem(obj, id.is_some()) {
                None => forward(&value, None),
                Some(why) => Verdict::Ignore(format!("malformed response: {why}")),
            };
        }
        None => return invalid(echo, "a request needs a `method`"),
    };
    let is_request = id.is_some();
    if method.starts_with("$/") && is_request {
        // Optional protocol requests a server may not know; tower-lsp-server would never answer.
        return Verdict::Reply(error_response(
            echo,
            code::METHOD_NOT_FOUND,
            &format!("method not found: {method}"),
        ));
    }
    let watched = match method {
        "shutdown" if !is_request => {
            return Verdict::Ignore("a `shutdown` notification (shutdown is a request)".into())
        }
        "shutdown" => Method::Shutdown,
        "exit" => Method::Exit,
        _ => Method::Other,
    };
    forward(&value, Some(watched))
}

fn forward(value: &Value, method: Option<Method>) -> Verdict {
    match serde_json::to_vec(value) {
        Ok(message) => Verdict::Forward { message, method },
        Err(e) => Verdict::Ignore(format!("cannot re-serialise: {e}")),
    }
}

/// tower-lsp-server's `Id`: an `i64`, a string or null.
fn valid_id(id: &Value) -> bool {
    id.is_null() || id.is_string() || id.as_i64().is_some()
}

/// Why a response from the client could not be decoded by tower-lsp-server, if it could not.
fn response_problem(obj: &serde_json::Map<String, Value>, has_id: bool) -> Option<&'static str> {
    if !has_id {
        return Some("no `id`");
    }
    if obj.contains_key("result") {
        return None;
    }
    let error = obj.get("error")?;
    let code_ok = error.get("code").and_then(Value::as_i64).is_some();
    let message_ok = error.get("message").is_some_and(Value::is_string);
    // tower-lsp-server's error type denies unknown fields.
    let only_known = error.as_object().is_some_and(|o| {
        o.keys()
            .all(|k| matches!(k.as_str(), "code" | "message" | "data"))
    });
    (!(code_ok && message_ok && only_known)).then_some(
        "`error` needs an integer `code`, a string `message`, an optional `data` and nothing else",
    )
}

/// Replaces `\uD800`-`\uDFFF` escapes that do not form a surrogate pair by `\uFFFD`: JSON
/// allows them syntactically, but they are not Unicode and serde_json refuses them.
fn replace_lone_surrogates(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let hex_at = |at: usize| -> Option<u16> {
        let digits = bytes.get(at..at + 4)?;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u16> {
        (bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u'))
            .then(|| hex_at(at + 2))
            .flatten()
    };
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                let Some(unit) = escape_at(i) else {
                    i += 2; // any other escape, `\"` and `\\` included
                    continue;
                };
                let paired = (0xD800..0xDC00).contains(&unit)
                    && escape_at(i + 6).is_some_and(|low| (0xDC00..0xE000).contains(&low));
                if paired {
                    i += 12;
                    continue;
                }
                if (0xD800..0xE000).contains(&unit) {
                    let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    // Both ends are ASCII bytes, so these are char boundaries.
                    out.push_str(&text[copied..i]);
                    out.push_str("\\uFFFD");
                    copied = i + 6;
                }
                i += 6;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(text.get(copied..).unwrap_or(""));
            Cow::Owned(out)
        }
    }
}

fn error_response(id: Value, code: i64, message: &str) -> Vec<u8> {
    tracing::warn!("answering error {code}: {message}");
    let reply = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    serde_json::to_vec(&reply).unwrap_or_default()
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Cuts tower-lsp-server's output back into whole frames for the single writer.
async fn reframe<R: AsyncRead + Unpin>(from_tower: R, frames: mpsc::Sender<Vec<u8>>) {
    let mut from_tower = tokio::io::BufReader::new(from_tower);
    loop {
        match read_frame(&mut from_tower).await {
            Ok(Frame::Body(body)) => {
                if frames.send(frame(&body)).await.is_err() {
                    return;
                }
            }
            Ok(Frame::Eof) => return,
            Ok(other) => tracing::error!("tower-lsp-server wrote a bad frame: {other:?}"),
            Err(e) => {
                tracing::error!("cannot read the server's output: {e}");
                return;
            }
        }
    }
}

/// The only writer of stdout: whole frames, flushed whenever no other frame is waiting.
async fn write_frames<W: AsyncWrite + Unpin>(mut output: W, mut frames: mpsc::Receiver<Vec<u8>>) {
    while let Some(first) = frames.recv().await {
        let mut next = Some(first);
        while let Some(f) = next {
            if let Err(e) = output.write_all(&f).await {
                tracing::error!("cannot write to the client: {e}");
                return;
            }
            next = frames.try_recv().ok();
        }
        if output.flush().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply_of(v: Verdict) -> Value {
        match v {
            Verdict::Reply(r) => serde_json::from_slice(&r).expect("replies are JSON"),
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(
            replace_lone_surrogates(r#"{"a":"\ud800"}"#),
            r#"{"a":"\uFFFD"}"#
        );
        assert_eq!(
            replace_lone_surrogates(r#"["\udc00x\ud83d"]"#),
            r#"["\uFFFDx\uFFFD"]"#
        );
        // A real pair, an escaped backslash before `ud800`, and text outside strings stay.
        let kept = r#"{"a":"\ud83d\ude00","b":"\\ud800","c":"é"}"#;
        assert!(matches!(replace_lone_surrogates(kept), Cow::Borrowed(_)));
        // A high surrogate followed by a second high one: both are replaced.
        assert_eq!(
            replace_lone_surrogates(r#""\ud800\ud800""#),
            r#""\uFFFD\uFFFD""#
        );
        // Truncated escapes at the end of input do not panic.
        for t in [r#""\u"#, r#""\ud8"#, r#""\"#, "\"\\ud800\\u"] {
            let _ = replace_lone_surrogates(t);
        }
    }

    #[test]
    fn classify_answers_what_json_rpc_prescribes() {
        let r = reply_of(classify(b"{not json"));
        assert_eq!(
            (r["error"]["code"].as_i64(), &r["id"]),
            (Some(-32700), &Value::Null)
        );
        let r = reply_of(classify(br#"[{"jsonrpc":"2.0","id":1,"method":"x"}]"#));
        assert_eq!(r["error"]["code"], -32600);
        let r = reply_of(classify(br#"{"id":7,"method":"textDocument/hover"}"#));
        assert_eq!(
            (r["error"]["code"].as_i64(), r["id"].as_i64()),
            (Some(-32600), Some(7))
        );
        let r = reply_of(classify(br#"{"jsonrpc":"2.0","id":"a","method":"$/x"}"#));
        assert_eq!(
            (r["error"]["code"].as_i64(), r["id"].as_str()),
            (Some(-32601), Some("a"))
        );
        let r = reply_of(classify(br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#));
        assert_eq!(
            (r["error"]["code"].as_i64(), &r["id"]),
            (Some(-32600), &Value::Null)
        );
        let r = reply_of(classify(br#"{"jsonrpc":"2.0","id":1,"method":3}"#));
        assert_eq!(r["error"]["code"], -32600);
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let deep = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"x","params":{deep}}}"#);
        assert_eq!(reply_of(classify(deep.as_bytes()))["error"]["code"], -32700);
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","method":"shutdown"}"#),
            Verdict::Ignore(_)
        ));
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#),
            Verdict::Forward {
                method: Some(Method::Other),
                ..
            }
        ));
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#),
            Verdict::Forward {
                method: Some(Method::Shutdown),
                ..
            }
        ));
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":2,"result":null}"#),
            Verdict::Forward { method: None, .. }
        ));
        for bad in [
            r#"{"jsonrpc":"2.0","id":2,"error":{"code":"x"}}"#,
            r#"{"jsonrpc":"2.0","id":2,"error":{"code":1,"message":"m","extra":0}}"#,
            r#"{"jsonrpc":"2.0","error":{"code":1,"message":"m"}}"#,
        ] {
            assert!(
                matches!(classify(bad.as_bytes()), Verdict::Ignore(_)),
                "{bad}"
            );
        }
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":2,"error":{"code":1,"message":"m","data":[]}}"#),
            Verdict::Forward { method: None, .. }
        ));
        // Invalid UTF-8 and lone surrogates are replaced, and the message goes through.
        match classify(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":[\"\xff\\ud800\"]}") {
            Verdict::Forward { message, .. } => {
                let v: Value = serde_json::from_slice(&message).expect("forwarded JSON");
                assert_eq!(v["params"][0], "\u{FFFD}\u{FFFD}");
            }
            other => panic!("expected forward, got {other:?}"),
        }
    }

    async fn frames_of(input: &[u8]) -> Vec<Frame> {
        let mut r = tokio::io::BufReader::new(input);
        let mut out = Vec::new();
        loop {
            let f = read_frame(&mut r)
                .await
                .expect("in-memory reads do not fail");
            let end = f == Frame::Eof;
            out.push(f);
            if end {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn frames_with_odd_headers_garbage_and_huge_lengths() {
        let input = b"content-length: 2\r\nContent-Type: application/vscode-jsonrpc\r\nX-Extra: 1\r\n\r\n{}\
junkContent-Length: 3\r\n\r\n[1]\r\n\r\nCONTENT-LENGTH: 99999999999\r\n\r\nabc";
        assert_eq!(
            frames_of(input).await,
            vec![
                Frame::Body(b"{}".to_vec()),
                Frame::Body(b"[1]".to_vec()),
                Frame::Eof
            ]
        );
        // The oversized body streams from a generator: nothing holds it whole.
        let big = MAX_CONTENT_LENGTH + 1;
        let header = format!("Content-Length: {big}\r\n\r\n").into_bytes();
        let input = (&header[..])
            .chain(tokio::io::repeat(b'x').take(big))
            .chain(&b"Content-Length: 2\r\n\r\n{}"[..]);
        let mut r = tokio::io::BufReader::new(input);
        for expected in [
            Frame::TooLarge(big),
            Frame::Body(b"{}".to_vec()),
            Frame::Eof,
        ] {
            assert_eq!(read_frame(&mut r).await.expect("in memory"), expected);
        }
        let input = b"Content-Length: nope\r\n\r\nContent-Length: 2\n\n{}";
        assert_eq!(
            frames_of(input).await,
            vec![Frame::NoLength, Frame::Body(b"{}".to_vec()), Frame::Eof]
        );
    }
}
