//! The drafts a maintainer gets, in full: the demo and a differently worded investigation.

use std::path::Path;
use std::sync::Arc;

use expect_test::{expect, Expect};

use super::*;
use crate::fixture;
use crate::model::vfs::RealFs;

fn demo() -> Workspace {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kvstore");
    Workspace::load(root, Arc::new(RealFs))
}

/// The draft for the spec `id` of `ws`, rendered as the person sees it.
fn drafted(ws: &Workspace, id: &str, branch: Option<&Branch>) -> String {
    let key = ws
        .specs()
        .find(|(_, f)| f.id == id)
        .map(|(k, _)| k)
        .expect("the spec");
    let inv = investigation(ws, key).expect("an investigation");
    let read = |p: &str| {
        ws.fs
            .read(&ws.root.join(p.trim_start_matches("./")))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
    };
    let d = draft(&inv, &read, branch);
    format!("Title: {}\n\n{}", d.title, d.body)
}

fn check(actual: String, expect: Expect) {
    expect.assert_eq(&actual);
}

fn branch(files: &[&str], subjects: &[&str]) -> Branch {
    Branch {
        files: files.iter().map(|s| s.to_string()).collect(),
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
    }
}

/// The demo as chant leaves it: the reproduction and the fix committed on the branch
/// by chant, the fix spec's status with them. `compaction.rs` is not touched.
#[test]
fn the_demo_lists_what_the_branch_changed() {
    let b = branch(
        &[
            ".chant/specs/2026-02-08-009-m2p.md",
            "src/storage/store.rs",
            "tests/regression/issue_1234_test.rs",
        ],
        &[
            "chant(2026-02-08-002-c3d): Reproduce issue #1234 with a failing test",
            "chant(2026-02-08-009-m2p): Fix issue #1234: lock the segment during put",
            "chant: Archive 2026-02-08-001-a1b",
        ],
    );
    check(
        drafted(&demo(), "2026-02-08-00a-u7r", Some(&b)),
        expect![[r#"
            Title: Fix #1234: lock the segment during put

            ## Summary

            Fixes #1234. Two clients writing to the same key at the same time: one write silently disappears. `Store::put` reads the segment, modifies it in memory and writes it back without a lock (read-modify-write race in `src/storage/store.rs`). This change locked the segment during put.

            ## Changes

            - `src/storage/store.rs` -- `Store::put` holds the segment write lock for the whole update
            - `tests/regression/issue_1234_test.rs` -- Regression test for #1234

            ## Testing

            - `tests/regression/issue_1234_test.rs` reproduces #1234: it fails without this change and passes with it.
        "#]],
    );
}

/// The end-to-end test's branch: one hand-written commit to `store.rs`.
#[test]
fn the_demo_with_one_hand_written_commit() {
    let b = branch(&["src/storage/store.rs"], &["lock the segment"]);
    check(
        drafted(&demo(), "2026-02-08-009-m2p", Some(&b)),
        expect![[r#"
            Title: Fix #1234: lock the segment during put

            ## Summary

            Fixes #1234. Two clients writing to the same key at the same time: one write silently disappears. `Store::put` reads the segment, modifies it in memory and writes it back without a lock (read-modify-write race in `src/storage/store.rs`). This change locked the segment during put.

            ## Changes

            - `src/storage/store.rs` -- `Store::put` holds the segment write lock for the whole update

            ## Testing

            - `tests/regression/issue_1234_test.rs` reproduces #1234: it fails without this change and passes with it.
        "#]],
    );
}

/// Outside git, the fix spec's target files stand for the diff.
#[test]
fn the_demo_outside_git() {
    check(
        drafted(&demo(), "2026-02-08-009-m2p", None),
        expect![[r#"
            Title: Fix #1234: lock the segment during put

            ## Summary

            Fixes #1234. Two clients writing to the same key at the same time: one write silently disappears. `Store::put` reads the segment, modifies it in memory and writes it back without a lock (read-modify-write race in `src/storage/store.rs`). This change locked the segment during put.

            ## Changes

            - `src/storage/store.rs` -- `Store::put` holds the segment write lock for the whole update
            - `src/storage/compaction.rs` -- Compaction uses the same lock
            - `tests/regression/issue_1234_test.rs` -- Regression test for #1234

            ## Testing

            - `tests/regression/issue_1234_test.rs` reproduces #1234: it fails without this change and passes with it.
        "#]],
    );
}

/// Other headings, an impact map in `path: note` style, a criterion naming its file,
/// two commit subjects, and a spec the branch changed.
const THROTTLE: &str = r#"
//- .chant/specs/2026-03-02-001-q1w.md
---
type: research
status: completed
labels: [issue-87, comprehension]
informed_by: [https://github.com/acme/throttle/issues/87]
target_files: [.chant/research/issue-87-comprehension.md]
---
# Comprehension: issue #87 bursts pass the rate limit
//- .chant/research/issue-87-comprehension.md
# Issue #87

## Reported behaviour

After an idle minute, a client can send 200 requests in one second
although the limit is 10 per second

## Expected behaviour

At most 10 requests pass in any second.
//- .chant/specs/2026-03-02-002-e4r.md
---
type: code
status: completed
labels: [issue-87, reproduction]
target_files: [tests/test_issue_87.py]
---
# Reproduce issue #87
//- .chant/specs/2026-03-02-003-t5y.md
---
type: research
status: completed
labels: [issue-87, root-cause]
target_files: [.chant/research/issue-87-root-cause.md]
---
# Root cause: issue #87
//- .chant/research/issue-87-root-cause.md
# Why bursts get through

## Why it happens

`TokenBucket.take` refills one token per call instead of by the time elapsed,
and never caps the bucket at its capacity, so an idle bucket grows without bound.

## Proposed fix

Refill by elapsed time and cap at capacity.
//- .chant/specs/2026-03-02-004-u6i.md
---
type: research
status: completed
labels: [issue-87, impact-map]
target_files: [.chant/research/issue-87-impact-map.md]
---
# Impact map: issue #87
//- .chant/research/issue-87-impact-map.md
# Where else

## Affected files

- `throttle/bucket.py`: refill without a cap
- `throttle/sliding_window.py`: same unbounded counter
//- .chant/specs/2026-03-02-005-o7p.md
---
type: code
status: completed
labels: [issue-87, fix]
branch: fix-87
target_files: [throttle/bucket.py, throttle/sliding_window.py, tests/test_issue_87.py]
---
# Fix issue #87: cap the token bucket at its capacity

## Acceptance Criteria

- [x] `throttle/bucket.py` refills by elapsed time and never holds more than `capacity` tokens
- [x] `tests/test_issue_87.py` passes
- [x] All existing tests pass.
- [x] all existing  tests pass
"#;

#[test]
fn a_differently_worded_investigation() {
    let b = branch(
        &[
            ".chant/specs/2026-03-02-005-o7p.md",
            "CHANGELOG.md",
            "tests/test_issue_87.py",
            "throttle/bucket.py",
        ],
        &[
            "Cap TokenBucket refills by elapsed time",
            "Mention the burst fix in CHANGELOG.md",
        ],
    );
    check(
        drafted(&fixture::load(THROTTLE), "2026-03-02-005-o7p", Some(&b)),
        expect![[r#"
            Title: Fix #87: cap the token bucket at its capacity

            ## Summary

            Fixes #87. After an idle minute, a client can send 200 requests in one second although the limit is 10 per second. `TokenBucket.take` refills one token per call instead of by the time elapsed, and never caps the bucket at its capacity, so an idle bucket grows without bound. This change capped the token bucket at its capacity.

            ## Changes

            - `CHANGELOG.md` -- Mention the burst fix in CHANGELOG.md
            - `tests/test_issue_87.py` -- Regression test for #87
            - `throttle/bucket.py` -- Refills by elapsed time and never holds more than `capacity` tokens

            ## Testing

            - `tests/test_issue_87.py` reproduces #87: it fails without this change and passes with it.
            - All existing tests pass.
        "#]],
    );
}

#[test]
fn a_differently_worded_investigation_outside_git() {
    check(
        drafted(&fixture::load(THROTTLE), "2026-03-02-005-o7p", None),
        expect![[r#"
            Title: Fix #87: cap the token bucket at its capacity

            ## Summary

            Fixes #87. After an idle minute, a client can send 200 requests in one second although the limit is 10 per second. `TokenBucket.take` refills one token per call instead of by the time elapsed, and never caps the bucket at its capacity, so an idle bucket grows without bound. This change capped the token bucket at its capacity.

            ## Changes

            - `throttle/bucket.py` -- Refills by elapsed time and never holds more than `capacity` tokens
            - `throttle/sliding_window.py` -- same unbounded counter
            - `tests/test_issue_87.py` -- Regression test for #87

            ## Testing

            - `tests/test_issue_87.py` reproduces #87: it fails without this change and passes with it.
            - All existing tests pass.
        "#]],
    );
}

/// No title, no research: the first commit subject says what was done, and the
/// placeholders say what is missing.
#[test]
fn a_bare_investigation() {
    let ws = fixture::load(
        "//- .chant/specs/2026-03-02-005-o7p.md\n---\ntype: code\nstatus: completed\nlabels: [issue-9, fix]\n---\n# \n",
    );
    let b = branch(&[], &["Stop retrying a closed socket"]);
    check(
        drafted(&ws, "2026-03-02-005-o7p", Some(&b)),
        expect![[r#"
            Title: Fix #9

            ## Summary

            Fixes #9. This change stopped retrying a closed socket.

            ## Changes

            - (the branch changes no files yet)

            ## Testing

            - (describe how this was tested)
        "#]],
    );
}
