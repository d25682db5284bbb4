#!/usr/bin/env bash
# The one test command: installs what it needs, then runs every test of the workspace.
# Usage: scripts/test.sh            (FUZZ_SECONDS=N to change the per-target fuzz time; 0 skips)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain targets for the embedded builds"
rustup target add thumbv7em-none-eabihf riscv32imac-unknown-none-elf

step "formatting"
rustup component add rustfmt >/dev/null 2>&1 || true
cargo fmt --all -- --check

step "lints (clippy, warnings are errors)"
rustup component add clippy >/dev/null 2>&1 || true
cargo clippy -q --workspace --all-targets -- -D warnings

step "unit, integration and doc tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace 2>&1 | tee "$log"
count() { awk -v w="$1" '/^test result:/ { for (i = 2; i <= NF; i++) if ($i ~ "^" w) s += $(i - 1) } END { print s + 0 }' "$log"; }

step "interop: Telethon and Kurigram (from PyPI, into .venv) against the test DC"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --disable-pip-version-check -q \
    telethon==1.45.0 kurigram==2.2.26 tgcrypto==1.2.5
FERROGRAM_INTEROP_PYTHON="$PWD/.venv/bin/python" \
    cargo test -p ferrogram-testdc --test interop -- --ignored 2>&1 | tee -a "$log"
FERROGRAM_INTEROP_PYTHON="$PWD/.venv/bin/python" \
    cargo test -p ferrogram-client-std --test interop -- --ignored 2>&1 | tee -a "$log"

passed=$(count passed)
failed=$(count failed)

step "the README's main command (send_alert) and the sans-IO alert, against the bundled test DC"
cargo run -q -p ferrogram-testdc --example sans_io_alert -- "disk almost full"
cargo run -q -p ferrogram-client-std --example send_alert -- "disk almost full"
cargo run -q -p ferrogram-client-std --example echo_bot

step "no_std builds without alloc (thumbv7em, riscv32imac)"
for target in thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
    cargo build -p ferrogram-tl-types --no-default-features --features view --target "$target"
    cargo build -p ferrogram-tl-types --no-default-features --features view,api --target "$target"
    cargo build -p ferrogram-mtproto-proto --target "$target"
    cargo build -p ferrogram-mtproto-proto --features server --target "$target"
    cargo build -p ferrogram-client-embedded --target "$target"
    cargo build -p ferrogram-client-embedded --features embassy --target "$target"
done

step "the example alert firmware: flash, static RAM (budget 160 KiB / 48 KiB on thumbv7em), handshake stack"
bash scripts/firmware-size.sh

step "a subset build (FERROGRAM_TL_ONLY) for small targets"
FERROGRAM_TL_ONLY=messages.sendMessage,auth.importBotAuthorization CARGO_TARGET_DIR=target/subset \
    cargo build -p ferrogram-tl-types --no-default-features --features view,api --target thumbv7em-none-eabihf

step "fuzz targets, ${FUZZ_SECONDS:-15} s each"
if [ "${FUZZ_SECONDS:-15}" != 0 ]; then
    bash fuzz/run.sh "${FUZZ_SECONDS:-15}"
fi

step "all tests passed"
echo "tests: ${passed:-?} passed, ${failed:-0} failed"
