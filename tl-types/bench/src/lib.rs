//! Benchmarks of `ferrogram-tl-types` beside `grammers-tl-types`; the code is in `benches/`.
//!
//! Run with `cargo bench -p ferrogram-tl-bench --bench tl`. Results are recorded in the
//! repository's `BENCHMARKS.md`.
