//! # ferrogram-tests
//!
//! Integration tests for the workspace. The test DC (a local MTProto server built on the
//! server role of the core) will live here; it is **not built yet**.
#![forbid(unsafe_code)]
