//! The dependency graph as a picture (Mermaid for GitHub, DOT for Graphviz) and how far
//! an investigation is. Labels are escaped so any title gives a valid diagram.

use crate::model::{Location, SpecFile, SpecKey, Workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
}

/// How far an issue's investigation is: phases of the sequence done over all of them
/// (single-spec mode: the one phase).
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// The issue's specs in phase order.
    pub specs: Vec<SpecKey>,
}

fn is_done(f: &SpecFile) -> bool {
    f.facts.status() == "completed"
}

/// A phase is done when it has specs and every one is completed (cancelled ones aside).
pub fn progress(ws: &Workspace, n: u64) -> Option<Progress> {
    let table = &ws.config.phases.phases;
    let specs = issue_specs(ws, n);
    if specs.is_empty() {
        return None;
    }
    let standalone = specs.iter().find_map(|(_, f)| {
        f.phase
            .filter(|&i| table.get(i).is_some_and(|p| p.template.standalone))
    });
    let phases: Vec<usize> = match standalone {
        Some(i) => vec![i],
        None => (0..table.len())
            .filter(|&i| !table[i].template.standalone)
            .collect(),
    };
    let done = phases
        .iter()
        .filter(|&&i| {
            let of: Vec<&SpecFile> = specs
                .iter()
                .map(|(_, f)| *f)
                .filter(|f| f.phase == Some(i) && f.facts.status() != "cancelled")
                .collect();
            !of.is_empty() && of.iter().all(|f| is_done(f))
        })
        .count();
    Some(Progress {
        done,
        total: phases.len(),
        specs: specs.iter().map(|(k, _)| *k).collect(),
    })
}

/// The specs of an issue in phase order (then by ID).
fn issue_specs(ws: &Workspace, n: u64) -> Vec<(SpecKey, &SpecFile)> {
    let mut v: Vec<_> = ws.issue_specs(n).collect();
    v.sort_by_key(|a| order(a.1));
    v
}

fn order(f: &SpecFile) -> (u64, usize, String) {
    (
        f.issue.unwrap_or(u64::MAX),
        f.phase.unwrap_or(usize::MAX),
        f.id.clone(),
    )
}

/// `2026-02-08-001-a1b` -> `001-a1b`; other IDs as they are.
pub fn short_id(id: &str) -> &str {
    let b = id.as_bytes();
    let dated = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && b[10] == b'-';
    if dated {
        id.get(11..).unwrap_or(id)
    } else {
        id
    }
}

struct Node<'a> {
    name: String,
    file: &'a SpecFile,
}

enum Edge {
    /// The dependency names the spec exactly.
    Exact(usize, usize),
    /// A short ID chant reports unknown, though it can only mean this spec.
    Inexact(usize, usize),
    /// No dependency: keeps an issue's phases in order on the page.
    Order(usize, usize),
}

/// The graph of issue `issue`'s specs, or of every active spec (and what they depend on).
pub fn render(ws: &Workspace, issue: Option<u64>, format: Format) -> String {
    let mut keys: Vec<(SpecKey, &SpecFile)> = match issue {
        Some(n) => issue_specs(ws, n),
        None => {
            let mut v: Vec<_> = ws
                .specs()
                .filter(|(_, f)| f.location == Location::Active)
                .collect();
            v.sort_by_key(|a| order(a.1));
            v
        }
    };
    // What the shown specs depend on is shown too (an archived dependency, another issue's).
    let mut i = 0;
    while i < keys.len() {
        let (k, f) = keys[i];
        for d in f.facts.deps() {
            if let Some((dk, df, _)) = super::resolve_ref(ws, k, &d.value) {
                if !keys.iter().any(|(x, _)| *x == dk) {
                    keys.push((dk, df));
                }
            }
        }
        i += 1;
    }
    let nodes: Vec<Node> = keys
        .iter()
        .enumerate()
        .map(|(i, (_, f))| Node {
            name: format!("s{i}"),
            file: f,
        })
        .collect();
    let mut edges = Vec::new();
    for (to, (k, f)) in keys.iter().enumerate() {
        for d in f.facts.deps() {
            let Some((dk, _, exact)) = super::resolve_ref(ws, *k, &d.value) else {
                continue;
            };
            if let Some(from) = keys.iter().position(|(x, _)| *x == dk) {
                edges.push(if exact {
                    Edge::Exact(from, to)
                } else {
                    Edge::Inexact(from, to)
                });
            }
        }
    }
    // Consecutive specs of one issue (phase order) with no path of edges between them
    // still stand in order.
    for (a, b) in (0..nodes.len()).zip(1..nodes.len()) {
        let (fa, fb) = (nodes[a].file, nodes[b].file);
        let linked = edges.iter().any(|e| match e {
            Edge::Exact(x, y) | Edge::Inexact(x, y) | Edge::Order(x, y) => {
                (*x == a && *y == b) || (*x == b && *y == a)
            }
        });
        if fa.issue.is_some() && fa.issue == fb.issue && fa.phase != fb.phase && !linked {
            edges.push(Edge::Order(a, b));
        }
    }
    let grouped = issue.is_none();
    match format {
        Format::Mermaid => mermaid(&nodes, &edges, grouped),
        Format::Dot => dot(&nodes, &edges, grouped),
    }
}

fn status_of(f: &SpecFile) -> String {
    let archived = if f.location == Location::Archived {
        ", archived"
    } else {
        ""
    };
    format!("{}{archived}", f.facts.status())
}

/// The status classes diagrams colour, with their fill colours.
const STATUS_COLOURS: &[(&str, &str)] = &[
    ("completed", "#d3f9d8"),
    ("in_progress", "#fff3bf"),
    ("failed", "#ffc9c9"),
    ("blocked", "#ffe8cc"),
    ("cancelled", "#e9ecef"),
];

fn colour(f: &SpecFile) -> Option<&'static str> {
    let s = f.facts.status();
    STATUS_COLOURS
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, c)| *c)
}

/// Groups of node indices: one per issue (in order), then the specs of no issue.
fn groups(nodes: &[Node]) -> Vec<(Option<u64>, Vec<usize>)> {
    let mut out: Vec<(Option<u64>, Vec<usize>)> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let issue = n.file.issue;
        match out.iter_mut().find(|(g, _)| *g == issue) {
            Some((_, v)) => v.push(i),
            None => out.push((issue, vec![i])),
        }
    }
    out.sort_by_key(|(g, _)| g.unwrap_or(u64::MAX));
    out
}

/// Mermaid label text: entity codes for what Mermaid or HTML would read as syntax.
fn mermaid_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mermaid(nodes: &[Node], edges: &[Edge], grouped: bool) -> String {
    let mut out = String::from("flowchart TD\n");
    let node_line = |n: &Node| {
        format!(
            "{}[\"{}: {}<br/>{}\"]",
            n.name,
            mermaid_text(short_id(&n.file.id)),
            mermaid_text(n.file.title().unwrap_or("(no title)")),
            mermaid_text(&status_of(n.file))
        )
    };
    for (issue, members) in groups(nodes) {
        match issue.filter(|_| grouped) {
            Some(n) => {
                out.push_str(&format!("  subgraph issue{n}[\"Issue #35;{n}\"]\n"));
                for &i in &members {
                    out.push_str(&format!("    {}\n", node_line(&nodes[i])));
                }
                out.push_str("  end\n");
            }
            None => {
                for &i in &members {
                    out.push_str(&format!("  {}\n", node_line(&nodes[i])));
                }
            }
        }
    }
    for e in edges {
        match e {
            Edge::Exact(a, b) => out.push_str(&format!("  s{a} --> s{b}\n")),
            Edge::Inexact(a, b) => out.push_str(&format!("  s{a} -.->|not an exact ID| s{b}\n")),
            Edge::Order(a, b) => out.push_str(&format!("  s{a} ~~~ s{b}\n")),
        }
    }
    for (status, fill) in STATUS_COLOURS {
        let members: Vec<&str> = nodes
            .iter()
            .filter(|n| n.file.facts.status() == *status)
            .map(|n| n.name.as_str())
            .collect();
        if members.is_empty() {
            continue;
        }
        out.push_str(&format!("  classDef {status} fill:{fill}\n"));
        out.push_str(&format!("  class {} {status}\n", members.join(",")));
    }
    out
}

/// A DOT double-quoted string's content.
fn dot_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn dot(nodes: &[Node], edges: &[Edge], grouped: bool) -> String {
    let mut out = String::from(
        "digraph chant {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n",
    );
    let node_line = |n: &Node| {
        let fill = colour(n.file)
            .map(|c| format!(", fillcolor=\"{c}\""))
            .unwrap_or_default();
        format!(
            "{} [label=\"{}: {}\\n{}\"{fill}];",
            n.name,
            dot_text(short_id(&n.file.id)),
            dot_text(n.file.title().unwrap_or("(no title)")),
            dot_text(&status_of(n.file))
        )
    };
    for (issue, members) in groups(nodes) {
        match issue.filter(|_| grouped) {
            Some(n) => {
                out.push_str(&format!(
                    "  subgraph cluster_issue{n} {{\n    label=\"Issue #{n}\";\n"
                ));
                for &i in &members {
                    out.push_str(&format!("    {}\n", node_line(&nodes[i])));
                }
                out.push_str("  }\n");
            }
            None => {
                for &i in &members {
                    out.push_str(&format!("  {}\n", node_line(&nodes[i])));
                }
            }
        }
    }
    for e in edges {
        match e {
            Edge::Exact(a, b) => out.push_str(&format!("  s{a} -> s{b};\n")),
            Edge::Inexact(a, b) => out.push_str(&format!(
                "  s{a} -> s{b} [style=dashed, label=\"not an exact ID\"];\n"
            )),
            Edge::Order(a, b) => out.push_str(&format!("  s{a} -> s{b} [style=invis];\n")),
        }
    }
    out.push_str("}\n");
    out
}
