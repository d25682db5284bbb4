#!/usr/bin/env bash
# Clean debug build time of ferrogram-tl-types (default features, full API) beside
# grammers-tl-types 0.11.0 (default features), measured the same way in the same run:
# each is a dependency of an empty scratch crate, built from an empty target directory,
# non-incrementally (as a crates.io dependency is built), alternating, RUNS times each.
# Also measured: ours with the zero-copy views as well (feature "view"), and small binaries
# that use the types (so the cost of code generated on use is visible): they encode
# help.getConfig and decode a messages.Messages (owned; and as a view, visiting messages).
# Usage: scripts/build-times.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mk() { # name dep-line code
    mkdir -p "$work/$1/src"
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\n%s\n' "$1" "$2" >"$work/$1/Cargo.toml"
    printf '%s\n' "$3" >"$work/$1/src/main.rs"
}
mk ours-lib "ferrogram-tl-types = { path = \"$root/tl-types\" }" 'fn main() {}'
mk ours-view-lib "ferrogram-tl-types = { path = \"$root/tl-types\", features = [\"view\"] }" 'fn main() {}'
mk grammers-lib 'grammers-tl-types = "=0.11.0"' 'fn main() {}'
mk ours-use "ferrogram-tl-types = { path = \"$root/tl-types\" }" 'use ferrogram_tl_types::{enums, functions, TlRead, TlWrite};
fn main() {
    let b = functions::help::GetConfig {}.to_bytes().unwrap();
    let m = enums::messages::Messages::from_bytes(&b);
    println!("{} {:?}", b.len(), m.is_ok());
}'
mk ours-view-use "ferrogram-tl-types = { path = \"$root/tl-types\", default-features = false, features = [\"view\", \"api\"] }" 'use ferrogram_tl_types::{view, TlWrite, ViewRead};
fn main() {
    let mut buf = [0u8; 64];
    let n = view::functions::help::GetConfig {}.write_to(&mut buf).unwrap();
    let m = view::enums::messages::Messages::from_bytes(&buf[..n]);
    if let Ok(view::enums::messages::Messages::Messages(m)) = m {
        for msg in m.messages.iter() {
            if let Ok(view::enums::Message::Message(msg)) = msg {
                println!("{}", msg.message);
            }
        }
    }
    println!("{n} {:?}", m.is_ok());
}'
mk grammers-use 'grammers-tl-types = "=0.11.0"' 'use grammers_tl_types::{enums, functions, Deserializable, Serializable};
fn main() {
    let b = functions::help::GetConfig {}.to_bytes();
    let m = enums::messages::Messages::from_bytes(&b);
    println!("{} {:?}", b.len(), m.is_ok());
}'
for name in ours-lib grammers-lib ours-view-use; do (cd "$work/$name" && cargo fetch -q); done

names=${NAMES:-"ours-lib grammers-lib ours-view-lib ours-use grammers-use ours-view-use"}
measure() { # crate -> seconds
    local d="$work/$1"
    rm -rf "$d/target"
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$d" && CARGO_INCREMENTAL=0 cargo build -q --offline 2>/dev/null) || { echo "build of $1 failed" >&2; exit 1; }
    t1=$(date +%s.%N)
    awk "BEGIN { printf \"%.1f\", $t1 - $t0 }"
}
for name in $names; do printf '%s:' "$name" >"$work/$name.times"; done
for i in $(seq "$runs"); do
    for name in $names; do
        printf ' %s' "$(measure "$name")" >>"$work/$name.times"
    done
done
echo "clean debug build, CARGO_INCREMENTAL=0, $(nproc) cores, rustc $(rustc --version | cut -d' ' -f2), seconds per run:"
for name in $names; do cat "$work/$name.times"; echo; done
