#!/usr/bin/env bash
# Builds the example alert firmware (client-embedded/firmware: opt-level "z", LTO, one codegen
# unit, panic=abort) for thumbv7em-none-eabihf and riscv32imac-unknown-none-elf and reports
# flash, static RAM (network buffers included), the largest components by crate, and the
# worst-case stack of the auth-key exchange (compiler stack sizes, `-Z emit-stack-sizes`, over
# the static call graph). Fails if the thumbv7em build passes its budget: flash 160 KiB,
# static RAM 48 KiB.
# Usage: scripts/firmware-size.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rustup component add llvm-tools >/dev/null 2>&1 || rustup component add llvm-tools
PATH="$PATH:$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
cd client-embedded/firmware
for target in thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
    echo "== $target"
    cargo build -q --release --target "$target"
    elf="target/$target/release/ferrogram-alert-firmware"
    # The same build with per-function stack sizes (a -Z flag, allowed on stable by
    # RUSTC_BOOTSTRAP for this measurement build only).
    link=$( [ "$target" = thumbv7em-none-eabihf ] && echo "-C link-arg=-Tlink.x" || echo "-C link-arg=-Tmemory.x -C link-arg=-Tlink.x" )
    RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Z emit-stack-sizes $link" CARGO_TARGET_DIR=target/stack \
        cargo build -q --release --target "$target"
    budget=()
    [ "$target" = thumbv7em-none-eabihf ] && budget=(--flash-budget 160 --ram-budget 48)
    python3 ../../scripts/firmware_report.py "$elf" \
        --stack-elf "target/stack/$target/release/ferrogram-alert-firmware" \
        --root handshake "${budget[@]}"
done
