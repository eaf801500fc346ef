//! Effects at the edge: git, the filesystem moves of archiving, GitHub. Everything here
//! is reached through small functions the protocol layer calls after the person asked.

pub mod archive;
pub mod forge;
pub mod git;
pub mod pr_body;
pub mod submit;
pub mod token;
