#!/bin/bash
# usage: run.sh name  (gen.rs must be prepared)
touch src/lib.rs
cargo +nightly rustc -q --lib -- -Z time-passes 2>&1 | grep -E "^time:.*(type_check_crate|MIR_borrow_checking|coherence_checking|generate_crate_metadata|codegen_crate|LLVM_passes|total)$" | awk -v n="$1" '{printf "%s %s=%s ", n, $NF, $2} END {print ""}'
