//! chant-lsp: a language server and linter for chant spec files.
//!
//! Layers, each depending only on those above it: [`syntax`] (text -> tree with
//! ranges), [`model`] (the workspace: IDs, graph, indices), [`diagnostics`] (the
//! catalogue and the rules), [`ide`] (one module per request), [`lsp`] (protocol only).

pub mod actions;
pub mod check;
pub mod diagnostics;
pub mod flows;
pub mod graph;
pub mod ide;
pub mod lsp;
pub mod model;
mod par;
pub mod syntax;

#[cfg(test)]
mod fixture;

#[cfg(test)]
mod robustness;
