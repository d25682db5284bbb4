#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after the other, each from a fresh
# corpus copied from seeds/. Exits non-zero if any target crashes (panic, abort, timeout, OOM)
# or does not build.
#
#   fuzz/run.sh [SECONDS] [TARGET ...]
#
# Environment:
#   FUZZ_SANITIZER   cargo-fuzz sanitizer (default `none`: every crate under test is
#                    #![forbid(unsafe_code)], so ASan finds nothing extra but halves the speed;
#                    `address` works too and needs the nightly flags below)
#   FUZZ_CGU         codegen units for the fuzz build (default 16; cargo-fuzz's default of 1
#                    makes the generated TL code take very long to build on a small machine)
#   FUZZ_ARGS        extra libFuzzer flags, e.g. "-max_len=65536 -timeout=10"
#   FUZZ_TOOLCHAIN   `stable` or `nightly` to skip the detection
#
# Toolchain: the build needs nightly-only rustc flags (`-Zsanitizer=…`) for every sanitizer but
# `none`. The script first tries the default (stable) toolchain with RUSTC_BOOTSTRAP=1, and
# falls back to `cargo +nightly` when that cannot build and a nightly toolchain is installed.
# Builds go to fuzz/target; logs to fuzz/artifacts/logs; crashing inputs to
# fuzz/artifacts/<target>/ (both ignored by git).
set -euo pipefail

secs="${1:-60}"
shift || true
case "$secs" in
    '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET ...]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")"
fuzz_dir="$(pwd)"

all_targets=(tl_decode_owned tl_decode_view tl_roundtrip tl_codegen_parse
    transport_abridged transport_intermediate transport_padded transport_full transport_obfuscated
    session_plaintext session_encrypted server_role handshake_client handshake_server
    parse_modes device_decoders)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

seeds_for() {
    case "$1" in
        tl_codegen_parse) echo "$fuzz_dir/seeds/tl_schema" ;;
        transport_* | session_* | handshake_* | server_role | parse_modes | device_decoders) echo "$fuzz_dir/seeds/$1" ;;
        *) echo "$fuzz_dir/seeds/tl" ;;
    esac
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

sanitizer="${FUZZ_SANITIZER:-none}"
build_opts=(--sanitizer "$sanitizer" --codegen-units "${FUZZ_CGU:-16}" --target-dir "$fuzz_dir/target")

# `cargo` for the chosen toolchain, as an array.
cargo_cmd=()
use_toolchain() {
    case "$1" in
        stable) cargo_cmd=(env RUSTC_BOOTSTRAP=1 cargo) ;;
        nightly) cargo_cmd=(cargo +nightly) ;;
        *) echo "unknown toolchain $1" >&2; exit 2 ;;
    esac
}

build_all() {
    local t
    for t in "${targets[@]}"; do
        echo "== building $t (${cargo_cmd[*]} fuzz build ${build_opts[*]})"
        "${cargo_cmd[@]}" fuzz build "${build_opts[@]}" "$t" || return 1
    done
}

have_nightly() {
    command -v rustup >/dev/null 2>&1 && rustup toolchain list | grep -q '^nightly'
}

if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
    use_toolchain "$FUZZ_TOOLCHAIN"
    build_all || { echo "build failed with $FUZZ_TOOLCHAIN" >&2; exit 1; }
else
    use_toolchain stable
    if ! build_all; then
        if have_nightly; then
            echo "== stable + RUSTC_BOOTSTRAP=1 could not build; retrying with nightly"
            use_toolchain nightly
            build_all || { echo "build failed with nightly too" >&2; exit 1; }
        else
            echo "build failed (stable + RUSTC_BOOTSTRAP=1, and no nightly toolchain installed)" >&2
            exit 1
        fi
    fi
fi

mkdir -p "$fuzz_dir/artifacts/logs"
failed=()
summary=()
for t in "${targets[@]}"; do
    corpus="$fuzz_dir/corpus/$t"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp "$(seeds_for "$t")"/* "$corpus"/
    log="$fuzz_dir/artifacts/logs/$t.log"
    echo "== fuzzing $t for ${secs}s ($(ls "$corpus" | wc -l) seeds; log: $log)"
    status=0
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    "${cargo_cmd[@]}" fuzz run "${build_opts[@]}" "$t" "$corpus" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 ${FUZZ_ARGS:-} \
        >"$log" 2>&1 || status=$?
    inited="$(grep -m1 -E '^#[0-9]+[[:space:]]+INITED' "$log" | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)"
    last="$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$log" | tail -1 || true)"
    runs="$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || true)"
    line="$t: exit $status, ${runs:-?} execs; start ${inited:-?}; end $(echo "$last" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+' || echo '?')"
    summary+=("$line")
    echo "   $line"
    if [ "$status" -ne 0 ]; then
        failed+=("$t")
        echo "-- $t FAILED; end of its log:"
        tail -n 60 "$log"
        ls -1 "$fuzz_dir/artifacts/$t" 2>/dev/null | sed "s|^|   artifact: $fuzz_dir/artifacts/$t/|" || true
    fi
done

echo
echo "== summary (${secs}s per target, toolchain: ${cargo_cmd[*]}, sanitizer: $sanitizer)"
printf '   %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "crashed: ${failed[*]}" >&2
    exit 1
fi
echo "no crashes"
