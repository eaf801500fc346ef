//! Work spread over the cores with scoped threads, results kept in input order.

/// `f` over every item, on up to 8 threads; the results concatenated in input order. A
/// panic in `f` is re-raised here rather than silently dropping that thread's share.
pub fn flat_map<T: Sync, R: Send, I: IntoIterator<Item = R>>(
    items: &[T],
    f: impl Fn(&T) -> I + Sync,
) -> Vec<R> {
    flat_map_on(cores(), items, f)
}

/// As [`flat_map`], leaving one core free: for background work in the server, so the
/// requests and edits that arrive meanwhile get a core of their own.
pub fn flat_map_background<T: Sync, R: Send, I: IntoIterator<Item = R>>(
    items: &[T],
    f: impl Fn(&T) -> I + Sync,
) -> Vec<R> {
    flat_map_on(cores().saturating_sub(1).max(1), items, f)
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
}

fn flat_map_on<T: Sync, R: Send, I: IntoIterator<Item = R>>(
    threads: usize,
    items: &[T],
    f: impl Fn(&T) -> I + Sync,
) -> Vec<R> {
    let chunk = items.len().div_ceil(threads).max(1);
    let f = &f;
    let mut parts = items.chunks(chunk);
    // The first share runs on this thread, which would otherwise only wait: one thread
    // fewer to start, and its allocations come from the main heap, which grows in large
    // steps (a thread's heap grows a page at a time, a system call each).
    let Some(first) = parts.next() else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .map(|part| scope.spawn(move || part.iter().flat_map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = first.iter().flat_map(f).collect();
        for h in handles {
            out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_is_kept() {
        let v: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::flat_map(&v, |x| [*x, *x]),
            v.iter().flat_map(|x| [*x, *x]).collect::<Vec<_>>()
        );
        assert!(super::flat_map(&[] as &[u32], |x| Some(*x)).is_empty());
    }
}
