//! Dependency cycles: strongly connected components of the exact-ID graph, computed
//! iteratively (a 50,000-spec chain must not overflow the stack) and only when some
//! spec's `depends_on` changed.

use std::collections::{HashMap, VecDeque};

use super::workspace::{SpecKey, Workspace};

#[derive(Debug, Default, Clone)]
pub struct Cycles {
    /// Component number of every spec that sits on a cycle.
    component: HashMap<SpecKey, u32>,
    /// Members per component number.
    sizes: Vec<usize>,
}

impl Cycles {
    pub fn compute(ws: &Workspace) -> Cycles {
        let nodes: Vec<SpecKey> = ws.specs().map(|(k, _)| k).collect();
        let edges = |k: SpecKey| -> Vec<SpecKey> {
            ws.get(k)
                .map(|f| {
                    f.facts
                        .deps()
                        .iter()
                        .filter_map(|d| ws.resolve_exact(&d.value).map(|(t, _)| t))
                        .filter(|t| *t != k)
                        .collect()
                })
                .unwrap_or_default()
        };
        // Iterative Tarjan.
        let mut index: HashMap<SpecKey, (u32, u32)> = HashMap::new(); // (index, lowlink)
        let mut on_stack: HashMap<SpecKey, bool> = HashMap::new();
        let mut stack: Vec<SpecKey> = Vec::new();
        let mut next = 0u32;
        let mut component = HashMap::new();
        let mut comp_no = 0u32;
        let mut sizes = Vec::new();
        for &start in &nodes {
            if index.contains_key(&start) {
                continue;
            }
            let mut work: Vec<(SpecKey, Vec<SpecKey>, usize)> = vec![(start, edges(start), 0)];
            index.insert(start, (next, next));
            next += 1;
            stack.push(start);
            on_stack.insert(start, true);
            while let Some((v, succ, i)) = work.last_mut() {
                let v = *v;
                if *i < succ.len() {
                    let w = succ[*i];
                    *i += 1;
                    if let Some(&(wi, _)) = index.get(&w) {
                        if on_stack.get(&w).copied().unwrap_or(false) {
                            let e = index.get_mut(&v).expect("visited");
                            e.1 = e.1.min(wi);
                        }
                    } else {
                        index.insert(w, (next, next));
                        next += 1;
                        stack.push(w);
                        on_stack.insert(w, true);
                        work.push((w, edges(w), 0));
                    }
                    continue;
                }
                work.pop();
                let (vi, vl) = index[&v];
                if let Some((parent, _, _)) = work.last() {
                    let p = index.get_mut(parent).expect("visited");
                    p.1 = p.1.min(vl);
                }
                if vi == vl {
                    let mut members = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack.insert(w, false);
                        members.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if members.len() > 1 {
                        sizes.push(members.len());
                        for m in members {
                            component.insert(m, comp_no);
                        }
                        comp_no += 1;
                    }
                }
            }
        }
        Cycles { component, sizes }
    }

    /// How many specs share `k`'s cycle (0 when it is on none).
    pub fn size_of(&self, k: SpecKey) -> usize {
        self.component
            .get(&k)
            .and_then(|&c| self.sizes.get(c as usize))
            .copied()
            .unwrap_or(0)
    }

    pub fn contains(&self, k: SpecKey) -> bool {
        self.component.contains_key(&k)
    }

    pub fn members(&self) -> impl Iterator<Item = SpecKey> + '_ {
        self.component.keys().copied()
    }

    pub fn same_cycle(&self, a: SpecKey, b: SpecKey) -> bool {
        matches!((self.component.get(&a), self.component.get(&b)), (Some(x), Some(y)) if x == y)
    }

    /// The shortest path `to -> … -> from` inside their component, so the edge
    /// `from -> to` closes a named cycle.
    /// Gives up (None) after visiting `budget` specs: on a long cycle an exact path per
    /// member would cost a walk around the whole cycle for each of them.
    pub fn path(
        &self,
        ws: &Workspace,
        from: SpecKey,
        to: SpecKey,
        budget: usize,
    ) -> Option<Vec<SpecKey>> {
        let mut prev: HashMap<SpecKey, SpecKey> = HashMap::new();
        let mut queue = VecDeque::from([to]);
        let mut visited = 0;
        while let Some(v) = queue.pop_front() {
            visited += 1;
            if visited > budget {
                return None;
            }
            if v == from {
                let mut path = vec![from];
                let mut cur = from;
                while cur != to {
                    cur = prev[&cur];
                    path.push(cur);
                }
                path.reverse();
                return Some(path);
            }
            let Some(f) = ws.get(v) else { continue };
            for d in f.facts.deps() {
                if let Some((w, _)) = ws.resolve_exact(&d.value) {
                    if self.same_cycle(w, from) && w != to && !prev.contains_key(&w) {
                        prev.insert(w, v);
                        queue.push_back(w);
                    }
                }
            }
        }
        Some(vec![to, from])
    }

    /// The first `steps` specs of some walk `to -> …` that stays on the cycle: a name for a
    /// cycle too long to trace exactly.
    pub fn walk(&self, ws: &Workspace, to: SpecKey, steps: usize) -> Vec<SpecKey> {
        let mut out = vec![to];
        let mut cur = to;
        while out.len() < steps {
            let next = ws.get(cur).and_then(|f| {
                f.facts.deps().iter().find_map(|d| {
                    ws.resolve_exact(&d.value)
                        .map(|(w, _)| w)
                        .filter(|&w| w != cur && self.same_cycle(w, to) && !out.contains(&w))
                })
            });
            let Some(next) = next else { break };
            out.push(next);
            cur = next;
        }
        out
    }
}

/// Whether some dependency of `from` leads back to `from`: the search covers what the
/// spec's dependencies reach, not the workspace.
pub fn closes_cycle(ws: &Workspace, from: SpecKey) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<SpecKey> = Vec::new();
    let push_deps = |k: SpecKey, stack: &mut Vec<SpecKey>| {
        if let Some(f) = ws.get(k) {
            stack.extend(
                f.facts
                    .deps()
                    .iter()
                    .filter_map(|d| ws.resolve_exact(&d.value).map(|(t, _)| t)),
            );
        }
    };
    push_deps(from, &mut stack);
    while let Some(k) = stack.pop() {
        if k == from {
            return true;
        }
        if seen.insert(k) {
            push_deps(k, &mut stack);
        }
    }
    false
}
