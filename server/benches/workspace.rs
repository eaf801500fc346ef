//! Whole-workspace figures: `check` against the read-only floor, server cold start to
//! complete diagnostics, keystroke to diagnostics, a file changed on disk to diagnostics,
//! peak memory. `cargo bench --bench workspace` (sizes: `CHANT_BENCH_SIZES=1000,10000`).
//!
//! Medians and 99th percentiles over repeated runs, ratios against the floor measured in
//! the same run. With `CHANT_BENCH_WRITE=1` it also writes `docs/benchmarks-chart.svg`.

#[allow(dead_code)]
mod gen;
#[allow(dead_code)]
#[path = "../../tests/e2e/support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{uri, Client};

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.99))
}

fn floor(root: &Path, runs: usize) -> (f64, f64) {
    let files = gen::all_spec_files(root);
    let times = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let mut bytes = 0usize;
            for f in &files {
                bytes += std::fs::read(f).map_or(0, |b| b.len());
            }
            std::hint::black_box(bytes);
            t.elapsed()
        })
        .collect();
    stats(times)
}

fn check(root: &Path, runs: usize) -> (f64, f64) {
    let times = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let out = Command::new(support::bin())
                .args(["check", root.to_str().unwrap()])
                .output()
                .expect("run check");
            let d = t.elapsed();
            assert!(
                out.status.code().is_some_and(|c| c < 2),
                "check failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            d
        })
        .collect();
    stats(times)
}

/// Waits for the indexing progress to end; returns the time since `start`.
fn wait_indexed(c: &mut Client, start: Instant) -> Duration {
    loop {
        if c.seen
            .iter()
            .any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        {
            return start.elapsed();
        }
        c.settle(Duration::from_millis(1));
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "indexing never finished"
        );
    }
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn cold_start(root: &Path, runs: usize) -> ((f64, f64), f64) {
    let mut rss = 0.0f64;
    let times = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let (mut c, _) = Client::start(&[root], Client::default_capabilities());
            let d = wait_indexed(&mut c, start);
            rss = rss.max(peak_rss_mb(c.pid()));
            d
        })
        .collect();
    (stats(times), rss)
}

/// Sends `n` edits that each change the published diagnostics, timing each from the
/// notification to the matching `publishDiagnostics`.
fn edit_latency(
    c: &mut Client,
    path: &Path,
    n: usize,
    edit: impl Fn(usize) -> Value,
    done: impl Fn(usize, &[Value]) -> bool,
) -> (f64, f64) {
    let mut times = Vec::new();
    for i in 0..n {
        c.diagnostics.remove(&uri(path));
        let t = Instant::now();
        c.change(path, 10 + i as i32, edit(i));
        c.wait_diagnostics(path, |d| done(i, d));
        times.push(t.elapsed());
    }
    stats(times)
}

struct Row {
    n: usize,
    floor: (f64, f64),
    check: (f64, f64),
    cold: (f64, f64),
    rss: f64,
    body: (f64, f64),
    deps: (f64, f64),
    disk: (f64, f64),
}

fn run(n: usize) -> Row {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let g = gen::generate(&root, n);
    let runs = if n >= 50_000 { 5 } else { 11 };
    let floor = floor(&root, runs);
    let check = check(&root, runs);
    let (cold, rss) = cold_start(&root, if n >= 50_000 { 3 } else { 7 });

    let (mut c, _) = Client::start(&[&root], Client::default_capabilities());
    wait_indexed(&mut c, Instant::now());
    c.settle(Duration::from_millis(500));
    // Typing in the body: a word inserted before an ID mention moves its warning.
    let path = g.active[g.active.len() / 2].clone();
    let text = std::fs::read_to_string(&path).unwrap();
    let mention = format!("See {} too.\n", g.ids[1]);
    let with_mention = text.replacen("Why:", &format!("{mention}Why:"), 1);
    c.open(&path, &with_mention);
    c.wait_diagnostics(&path, |d| d.iter().any(|x| x["code"] == "id-in-body"));
    let line = with_mention[..with_mention.find("See ").unwrap()]
        .matches('\n')
        .count() as u64;
    let body = edit_latency(
        &mut c,
        &path,
        300,
        |i| {
            let (start, end, text) = if i % 2 == 0 { (0, 0, "x") } else { (0, 1, "") };
            json!([{"range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}}, "text": text}])
        },
        |i, d| {
            d.iter().any(|x| {
                x["code"] == "id-in-body"
                    && x["range"]["start"]["character"] == json!(if i % 2 == 0 { 5 } else { 4 })
            })
        },
    );
    // Editing depends_on: the first dependency toggles between known and unknown.
    let dep_line = with_mention
        .lines()
        .position(|l| l.starts_with("- 2026"))
        .unwrap() as u64;
    let deps = edit_latency(
        &mut c,
        &path,
        300,
        |i| {
            let (s, e, t) = if i % 2 == 0 { (2, 2, "x") } else { (2, 3, "") };
            json!([{"range": {"start": {"line": dep_line, "character": s}, "end": {"line": dep_line, "character": e}}, "text": t}])
        },
        |i, d| d.iter().any(|x| x["code"] == "unknown-dependency") == (i % 2 == 0),
    );
    // A file changed on disk by an agent: one file is re-read, not the workspace.
    let other = g.active[g.active.len() / 3].clone();
    let original = std::fs::read_to_string(&other).unwrap();
    let mut times = Vec::new();
    for i in 0..100 {
        let text = if i % 2 == 0 {
            original.replacen("status: ", "status: bogus", 1)
        } else {
            original.clone()
        };
        std::fs::write(&other, text).unwrap();
        c.diagnostics.remove(&uri(&other));
        let t = Instant::now();
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(&other), "type": 2}]}),
        );
        c.wait_diagnostics(&other, |d| {
            d.iter().any(|x| x["code"] == "invalid-value") == (i % 2 == 0)
        });
        times.push(t.elapsed());
    }
    let disk = stats(times);
    Row {
        n,
        floor,
        check,
        cold,
        rss,
        body,
        deps,
        disk,
    }
}

fn chart(rows: &[Row]) -> String {
    // Log-log: workspace size against milliseconds, one polyline per series.
    let (w, h, pad) = (640.0, 400.0, 60.0);
    let xs: Vec<f64> = rows.iter().map(|r| (r.n as f64).log10()).collect();
    let series: [(&str, &str, Vec<f64>); 4] = [
        (
            "read-only floor",
            "#888888",
            rows.iter().map(|r| r.floor.0).collect(),
        ),
        (
            "chant-lsp check",
            "#1f77b4",
            rows.iter().map(|r| r.check.0).collect(),
        ),
        (
            "cold start to diagnostics",
            "#d62728",
            rows.iter().map(|r| r.cold.0).collect(),
        ),
        (
            "keystroke to diagnostics (p99)",
            "#2ca02c",
            rows.iter().map(|r| r.body.1).collect(),
        ),
    ];
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.2.iter().map(|v| v.max(0.01).log10()))
        .collect();
    let (ymin, ymax) = (
        all.iter().cloned().fold(f64::MAX, f64::min).floor(),
        all.iter().cloned().fold(f64::MIN, f64::max).ceil(),
    );
    let (xmin, xmax) = (
        xs.iter().cloned().fold(f64::MAX, f64::min),
        xs.iter().cloned().fold(f64::MIN, f64::max).max(xs[0] + 0.1),
    );
    let px = |x: f64| pad + (x - xmin) / (xmax - xmin) * (w - 2.0 * pad);
    let py =
        |y: f64| h - pad - (y.max(0.01).log10() - ymin) / (ymax - ymin).max(1e-9) * (h - 2.0 * pad);
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg += &format!("<text x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">chant-lsp: time against workspace size (log-log, 2 cores)</text>\n", w / 2.0);
    for e in ymin as i32..=ymax as i32 {
        let y = py(10f64.powi(e));
        svg += &format!("<line x1=\"{pad}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#eeeeee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{} ms</text>\n", w - pad, pad - 6.0, y + 4.0, 10f64.powi(e));
    }
    for (r, x) in rows.iter().zip(&xs) {
        svg += &format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{} specs</text>\n",
            px(*x),
            h - pad + 20.0,
            r.n
        );
    }
    for (i, (name, color, ys)) in series.iter().enumerate() {
        let pts: Vec<String> = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        svg += &format!(
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>\n",
            pts.join(" ")
        );
        for p in &pts {
            let (x, y) = p.split_once(',').unwrap();
            svg += &format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{color}\"/>\n");
        }
        svg += &format!("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"3\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{name}</text>\n", pad + 10.0, 40 + i * 16, pad + 28.0, 45 + i * 16);
    }
    svg + "</svg>\n"
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CHANT_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 50_000]);
    let rows: Vec<Row> = sizes.iter().map(|&n| run(n)).collect();
    println!("specs | floor med | check med / p99 | check/floor | cold start med / p99 | peak RSS | body edit p50/p99 | depends_on edit p50/p99 | disk change p50/p99");
    for r in &rows {
        println!(
            "{} | {:.1} ms | {:.1} / {:.1} ms | {:.2}x | {:.1} / {:.1} ms | {:.0} MB | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.2} / {:.2} ms",
            r.n, r.floor.0, r.check.0, r.check.1, r.check.0 / r.floor.0, r.cold.0, r.cold.1, r.rss, r.body.0, r.body.1, r.deps.0, r.deps.1, r.disk.0, r.disk.1
        );
    }
    if std::env::var("CHANT_BENCH_WRITE").is_ok_and(|v| v == "1") {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks-chart.svg");
        std::fs::write(&out, chart(&rows)).expect("write chart");
        println!("wrote {}", out.display());
    }
}
