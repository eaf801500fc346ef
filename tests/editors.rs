//! Editor configuration checks that need no editor: Helix's `languages.toml` globs match
//! spec and archive paths and nothing else (Helix itself cannot be installed here).

use std::path::Path;

fn editors() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors")
}

#[test]
fn helix_globs_match_specs_and_nothing_else() {
    let text = std::fs::read_to_string(editors().join("helix/languages.toml")).unwrap();
    let config: toml::Table = toml::from_str(&text).unwrap();
    let langs = config["language"].as_array().unwrap();
    let spec = langs
        .iter()
        .find(|l| l["name"].as_str() == Some("chant-spec"))
        .expect("chant-spec language");
    assert_eq!(
        spec["language-servers"].as_array().unwrap()[0].as_str(),
        Some("chant-lsp")
    );
    assert_eq!(spec["grammar"].as_str(), Some("markdown"));
    assert!(config["language-server"]["chant-lsp"]["command"].as_str() == Some("chant-lsp"));
    let mut builder = globset::GlobSetBuilder::new();
    for ft in spec["file-types"].as_array().unwrap() {
        let glob = ft["glob"].as_str().expect("glob file-types");
        // Helix's rule: a relative glob is matched anywhere in the path.
        let glob = if glob.starts_with('/') || glob.starts_with('*') {
            glob.to_string()
        } else {
            format!("*/{glob}")
        };
        builder.add(globset::Glob::new(&glob).unwrap());
    }
    let set = builder.build().unwrap();
    for yes in [
        "/home/me/proj/.chant/specs/2026-01-24-001-cxn.md",
        "/home/me/proj/.chant/specs/sub/2026-01-24-001-cxn.2.md",
        "/home/me/proj/.chant/archive/2026-01-24/2026-01-24-001-cxn.md",
        "/home/me/proj/.chant/archive/001-comprehension.md",
    ] {
        assert!(set.is_match(yes), "should be a spec: {yes}");
    }
    for no in [
        "/home/me/proj/README.md",
        "/home/me/proj/.chant/config.md",
        "/home/me/proj/.chant/prompts/standard.md",
        "/home/me/proj/.chant/research/issue-1-root-cause.md",
        "/home/me/proj/docs/specs/x.md",
        "/home/me/proj/.chant/specs/notes.txt",
    ] {
        assert!(!set.is_match(no), "should not be a spec: {no}");
    }
    for q in ["highlights.scm", "injections.scm"] {
        let body =
            std::fs::read_to_string(editors().join("helix/runtime/queries/chant-spec").join(q))
                .unwrap();
        assert_eq!(body.trim(), "; inherits: markdown");
    }
}

/// The frontmatter highlights (grammars/) on the YAML grammar: statuses, types and spec IDs
/// are captured where an editor would colour them.
#[test]
fn frontmatter_highlights_capture_statuses_and_ids() {
    use tree_sitter::StreamingIterator;
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../grammars/queries/chant-spec/frontmatter-highlights.scm"),
    )
    .unwrap();
    let language: tree_sitter::Language = tree_sitter_yaml::LANGUAGE.into();
    let query = tree_sitter::Query::new(&language, &text).unwrap();
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&language).unwrap();
    let src = "type: code\nstatus: completed\ndepends_on:\n- 2026-01-24-001-cxn\n- 2026-01-24-01y-73b.5\nlabels: [not-an-id]\n";
    let tree = parser.parse(src, None).unwrap();
    let mut cursor = tree_sitter::QueryCursor::new();
    let mut captured: Vec<(String, String)> = Vec::new();
    let mut matches = cursor.matches(&query, tree.root_node(), src.as_bytes());
    while let Some(m) = matches.next() {
        for c in m.captures {
            let name = query.capture_names()[c.index as usize];
            if !name.starts_with('_') {
                captured.push((name.to_string(), src[c.node.byte_range()].to_string()));
            }
        }
    }
    let has = |n: &str, t: &str| captured.iter().any(|(a, b)| a == n && b == t);
    assert!(
        has("constant.builtin", "completed") && has("constant.builtin", "code"),
        "{captured:?}"
    );
    assert!(
        has("label", "2026-01-24-001-cxn") && has("label", "2026-01-24-01y-73b.5"),
        "{captured:?}"
    );
    assert!(
        !has("label", "not-an-id"),
        "only spec IDs are labels: {captured:?}"
    );
    assert!(has("property", "status"));
}
