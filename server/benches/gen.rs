//! Generated workspaces for the benchmarks: like a long-lived chant repository, with dated
//! IDs, dependencies on earlier specs, groups, issue investigations, acceptance criteria,
//! several KB of agent output per spec, and a tenth of the specs archived.

use std::path::{Path, PathBuf};

pub struct Generated {
    pub ids: Vec<String>,
    /// Active spec files (not archived), in ID order.
    pub active: Vec<PathBuf>,
}

pub fn id(i: usize) -> String {
    format!(
        "2026-{:02}-{:02}-{:03x}-{:03}",
        1 + i / 28 / 36 % 12,
        1 + i / 36 % 28,
        i % 36 + (i / (28 * 36 * 12)) * 36,
        i % 997
    )
}

pub fn spec_text(i: usize, ids: &[String]) -> String {
    let deps: Vec<&str> = [i / 2, i / 3]
        .iter()
        .filter(|&&d| d < i)
        .map(|&d| ids[d].as_str())
        .collect();
    let deps = deps.iter().map(|d| format!("- {d}\n")).collect::<String>();
    let agent_output =
        "the agent changed a function, ran the tests and wrote this line about it\n".repeat(70);
    format!(
        "---\ntype: code\nstatus: {}\nlabels: [issue-{}, fix]\ndepends_on:\n{deps}target_files: [src/m{i}.rs, tests/m{i}_test.rs]\ninformed_by: [.chant/research/issue-{}-root-cause.md]\n---\n# Spec {i}: change module {i}\n\nWhy: module {i} mishandles a corner case; see the research.\n\n## Acceptance Criteria\n\n- [x] module {i} fixed\n- [ ] regression test added\n\n## Agent Output\n\n2026-02-01T00:00:00Z\n```\n{agent_output}",
        if i % 3 == 0 { "completed" } else { "pending" },
        i / 6,
        i / 6,
    )
}

pub fn generate(root: &Path, n: usize) -> Generated {
    let specs = root.join(".chant/specs");
    std::fs::create_dir_all(&specs).expect("mkdir");
    std::fs::write(
        root.join(".chant/config.md"),
        "---\nproject:\n  name: bench\n---\n# Config\n",
    )
    .expect("config");
    let ids: Vec<String> = (0..n).map(id).collect();
    let mut active = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let dir = if i % 10 == 9 {
            root.join(".chant/archive").join(&id[..10])
        } else {
            specs.clone()
        };
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join(format!("{id}.md"));
        std::fs::write(&path, spec_text(i, &ids)).expect("write");
        if i % 10 != 9 {
            active.push(path);
        }
        // Every 20th spec is a driver with two members.
        if i % 20 == 0 && i % 10 != 9 {
            for m in 1..=2 {
                std::fs::write(
                    specs.join(format!("{id}.{m}.md")),
                    format!("---\nstatus: pending\n---\n# Member {m} of spec {i}\n"),
                )
                .expect("write");
            }
        }
    }
    Generated { ids, active }
}

/// Every spec file's path, for the read-only floor.
pub fn all_spec_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(".chant/specs"), root.join(".chant/archive")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out
}
