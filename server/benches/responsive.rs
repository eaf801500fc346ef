//! Requests while the person types in `.chant/config.md` of a large workspace: each
//! keystroke there re-checks every spec under the new configuration, and a hover sent
//! right after it must not wait for that. `cargo bench --bench responsive`.
//!
//! Same run, same server, same hovers: first with nothing else going on (the baseline),
//! then with a config keystroke before each hover. Medians and percentiles of the hover's
//! round trip; the ratio is to the baseline.

#[allow(dead_code)]
mod gen;
#[allow(dead_code)]
#[path = "../../tests/e2e/support.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{uri, Client};

const SAMPLES: usize = 400;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

struct Figures {
    median: Duration,
    p90: Duration,
    p99: Duration,
}

fn figures(mut times: Vec<Duration>) -> Figures {
    times.sort();
    Figures {
        median: percentile(&times, 0.5),
        p90: percentile(&times, 0.9),
        p99: percentile(&times, 0.99),
    }
}

fn main() {
    let n: usize = std::env::var("CHANT_BENCH_SPECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let ids = gen::generate(&root, n).ids;
    let config = root.join(".chant/config.md");
    let config_text = std::fs::read_to_string(&config).unwrap();
    // The server logs each re-check it runs (stderr), so the run shows they happened.
    let (mut c, _) = Client::start_with_env(
        &[&root],
        Client::default_capabilities(),
        &[("CHANT_LSP_LOG", "warn,chant_lsp::reconfigure=debug")],
    );
    let spec = root.join(format!(".chant/specs/{}.md", ids[n / 2 + 1]));
    let hover =
        json!({"textDocument": {"uri": uri(&spec)}, "position": {"line": 5, "character": 5}});
    let started = Instant::now();
    while c.request("textDocument/hover", hover.clone()).is_null() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "indexing never finished"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    c.settle(Duration::from_secs(3));

    let time_hover = |c: &mut Client| {
        let t = Instant::now();
        let h = c.request("textDocument/hover", hover.clone());
        let d = t.elapsed();
        assert!(!h.is_null(), "empty hover");
        d
    };
    for _ in 0..20 {
        time_hover(&mut c);
    }
    let idle = figures((0..SAMPLES).map(|_| time_hover(&mut c)).collect());

    // The person types into the prose at the end of config.md, one character per
    // keystroke, a hover after each. Steady typing (30 ms apart) keeps the re-check
    // waiting for a pause; typing in bursts (a 250 ms pause after every 8 keystrokes)
    // lets it run, on both cores, while the next keystrokes and hovers arrive.
    c.open(&config, &config_text);
    let lines = config_text.lines().count() as u32;
    let mut version = 1;
    let mut typing = |c: &mut Client, pause_every: Option<usize>| {
        let started = Instant::now();
        let times: Vec<Duration> = (0..SAMPLES)
            .map(|i| {
                version += 1;
                c.change(
                    &config,
                    version,
                    json!([{"range": {"start": {"line": lines, "character": 0}, "end": {"line": lines, "character": 0}}, "text": "x"}]),
                );
                let d = time_hover(c);
                let pause = match pause_every {
                    Some(k) if i % k == k - 1 => 250,
                    _ => 30,
                };
                std::thread::sleep(Duration::from_millis(pause));
                d
            })
            .collect();
        (figures(times), started.elapsed())
    };
    let (steady, steady_for) = typing(&mut c, None);
    let (bursts, bursts_for) = typing(&mut c, Some(8));
    println!("hover at {n} specs          median      p90      p99   (median ratio to idle)");
    for (name, f) in [
        ("idle", &idle),
        ("typing in config.md", &steady),
        ("typing in bursts", &bursts),
    ] {
        println!(
            "{name:<26} {:>8.3}ms {:>8.3}ms {:>8.3}ms   {:.2}x",
            f.median.as_secs_f64() * 1e3,
            f.p90.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            f.median.as_secs_f64() / idle.median.as_secs_f64()
        );
    }
    println!(
        "({SAMPLES} keystrokes each: steady over {:.1} s, in bursts over {:.1} s)",
        steady_for.as_secs_f64(),
        bursts_for.as_secs_f64()
    );
}
