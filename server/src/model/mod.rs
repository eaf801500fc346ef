//! The semantic layer: a `.chant/` workspace as specs, IDs, a dependency graph with
//! reverse edges, groups and investigations.

pub mod agents;
pub mod config;
pub mod facts;
pub mod graph;
pub mod id;
pub mod issue;
pub mod phases;
pub mod readiness;
pub mod schema;
pub mod vcs;
pub mod vfs;
pub mod workspace;

pub use workspace::{Location, Source, SpecFile, SpecKey, Workspace};
