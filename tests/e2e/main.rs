//! End-to-end tests: the real `chant-lsp` binary, over stdio and on the command line.

mod agents;
mod archive;
mod cli;
mod diagnostic_data;
mod fake_github;
mod investigation;
mod live;
mod lsp;
mod nav;
mod pr;
mod robust;
mod support;
mod transport;
