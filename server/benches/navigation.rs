//! Request latency over stdio against the real binary: hover, definition and completion
//! on generated workspaces of growing size. `cargo bench --bench navigation`.
//!
//! Each figure is the median and 99th percentile of many sequential round trips (client
//! writes the request, server answers), measured after indexing finished. The 1,000-spec
//! run is the baseline the 10,000-spec run is compared with: a request an index answers
//! must not get slower with workspace size.

#[allow(dead_code)]
mod gen;
#[allow(dead_code)]
#[path = "../../tests/e2e/support.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{uri, Client};

const SAMPLES: usize = 400;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn measure(
    c: &mut Client,
    mut request: impl FnMut(&mut Client, usize) -> Value,
) -> (Duration, Duration) {
    for i in 0..20 {
        request(c, i); // warm up
    }
    let mut times: Vec<Duration> = (0..SAMPLES)
        .map(|i| {
            let t = Instant::now();
            let v = request(c, i);
            let d = t.elapsed();
            assert!(!v.is_null(), "empty answer");
            d
        })
        .collect();
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

fn run(n: usize) -> Vec<(&'static str, Duration, Duration)> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let ids = gen::generate(&root, n).ids;
    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    // Pick specs with two dependencies in the active tree.
    let picks: Vec<std::path::PathBuf> = (n / 2..n)
        .filter(|i| i % 10 != 9)
        .take(50)
        .map(|i| root.join(format!(".chant/specs/{}.md", ids[i])))
        .collect();
    let wait_start = Instant::now();
    loop {
        let h = c.request("textDocument/hover", json!({"textDocument": {"uri": uri(&picks[0])}, "position": {"line": 5, "character": 5}}));
        if !h.is_null() {
            break;
        }
        assert!(
            wait_start.elapsed() < Duration::from_secs(120),
            "indexing never finished"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Let the initial diagnostics (one notification per spec) drain first.
    c.settle(Duration::from_secs(3));
    let pos = |i: usize, line: u32, ch: u32| json!({"textDocument": {"uri": uri(&picks[i % picks.len()])}, "position": {"line": line, "character": ch}});
    let hover = measure(&mut c, |c, i| c.request("textDocument/hover", pos(i, 5, 5)));
    let def = measure(&mut c, |c, i| {
        c.request("textDocument/definition", pos(i, 5, 5))
    });
    // Completion of a new dependency: the cursor after `- ` on the first depends_on line.
    let completion = measure(&mut c, |c, i| {
        c.request("textDocument/completion", pos(i, 5, 2))
    });
    vec![
        ("hover", hover.0, hover.1),
        ("definition", def.0, def.1),
        ("completion", completion.0, completion.1),
    ]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let sizes = [1_000usize, 10_000];
    let results: Vec<_> = sizes.iter().map(|&n| (n, run(n))).collect();
    println!("request       specs    median      p99   (p99 ratio to 1,000 specs)");
    for (n, rows) in &results {
        for (i, (name, median, p99)) in rows.iter().enumerate() {
            let base = results[0].1[i].2.as_secs_f64();
            println!(
                "{name:<12} {n:>6} {:>8.3}ms {:>8.3}ms   {:.2}x",
                median.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3,
                p99.as_secs_f64() / base
            );
        }
    }
}
