#!/usr/bin/env bash
# End-to-end bench (BENCHMARKS.md, "End to end: 10,000 sendMessage over one connection"):
# our client against Telethon (+cryptg) and Kurigram (+tgcrypto), each a bot sending COUNT
# messages.sendMessage to Alice pipelined over one connection to the same release test DC,
# then the resident memory of each idle connected client.
#
# Usage: scripts/bench-e2e.sh [ROUNDS]     (default 3)
# Environment: COUNT (default 10000), TELETHON_STYLE (list | gather, default list),
# KURIGRAM_STYLE (gather | window, default window), NICE (default 10: the niceness of
# everything it runs; the machine is shared).
#
# Each round starts one test DC (release, --quiet, one bot per client) and runs the three
# clients one after another, in an order that rotates from round to round; at the end of
# the round Alice's client counts what the DC stored from each bot (every text once, none
# missing). The RSS runs come after the rounds, one DC, each client three times.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-3}
COUNT=${COUNT:-10000}
TELETHON_STYLE=${TELETHON_STYLE:-list}
KURIGRAM_STYLE=${KURIGRAM_STYLE:-window}
NICE=${NICE:-10}
run() { nice -n "$NICE" "$@"; }

step() { printf '\n==> %s\n' "$*" >&2; }

step "release builds: the test DC and our bench client"
run cargo build -q --release -p ferrogram-testdc --bin testdc
run cargo build -q --release -p ferrogram-client-std --example bench_send
TESTDC=target/release/testdc
OURS=target/release/examples/bench_send

step "Telethon, cryptg, Kurigram, tgcrypto (from PyPI, into .venv)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --disable-pip-version-check -q \
    telethon==1.45.0 cryptg==0.6.0 kurigram==2.2.26 tgcrypto==1.2.5
PY=.venv/bin/python
DRIVER=tests/interop/bench_send.py

work=$(mktemp -d)
dc_pid=
cleanup() {
    if [ -n "$dc_pid" ]; then kill "$dc_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Starts a test DC with bots ours, telethon and kurigram; sets TESTDC_* and the tokens.
start_dc() {
    "$TESTDC" --port 0 --quiet --bot ours --bot telethon --bot kurigram >"$work/dc.out" 2>&1 &
    dc_pid=$!
    for _ in $(seq 100); do
        # The last bot's line, whole (a line caught mid-write would give half a token).
        grep -q '^bot .*username=kurigram_bot token=' "$work/dc.out" 2>/dev/null &&
            [ -z "$(tail -c1 "$work/dc.out")" ] && break
        sleep 0.1
    done
    export TESTDC_PORT TESTDC_RSA_N TESTDC_RSA_E TESTDC_RSA_PEM TESTDC_TRANSPORT=intermediate
    TESTDC_PORT=$(sed -n 's/^testdc: DC 2 listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/dc.out")
    TESTDC_RSA_N=$(sed -n 's/^rsa n=//p' "$work/dc.out")
    TESTDC_RSA_E=$(sed -n 's/^rsa e=//p' "$work/dc.out")
    TESTDC_RSA_PEM=$(sed -n '/BEGIN RSA PUBLIC KEY/,/END RSA PUBLIC KEY/p' "$work/dc.out")
    for bot in ours telethon kurigram; do
        printf -v "token_$bot" '%s' \
            "$(sed -n "s/^bot id=[0-9]* username=${bot}_bot token=//p" "$work/dc.out")"
    done
    [ -n "$TESTDC_PORT" ] && [ -n "$token_kurigram" ] || {
        cat "$work/dc.out" >&2
        echo "the test DC did not start" >&2
        exit 1
    }
}

stop_dc() {
    kill "$dc_pid" 2>/dev/null || true
    wait "$dc_pid" 2>/dev/null || true
    dc_pid=
}

# CPU time the hypervisor gave to other guests (steal, all vCPUs), in ms: a VM's timing
# is only as quiet as its host, and this says when it was not.
steal_ms() { awk '/^cpu /{print $9 * 10}' /proc/stat; }

# Runs one client's send; prints its RESULT line (and keeps it in results.txt).
send_with() {
    local who=$1 round=$2 line steal0
    steal0=$(steal_ms)
    case $who in
        ours) line=$(TESTDC_BOT_TOKEN=$token_ours run "$OURS" send "$COUNT" ours) ;;
        telethon) line=$(TESTDC_CLIENT=telethon TESTDC_BOT_TOKEN=$token_telethon \
            run "$PY" "$DRIVER" send "$COUNT" telethon "$TELETHON_STYLE") ;;
        kurigram) line=$(TESTDC_CLIENT=kurigram TESTDC_BOT_TOKEN=$token_kurigram \
            run "$PY" "$DRIVER" send "$COUNT" kurigram "$KURIGRAM_STYLE") ;;
    esac
    line=$(grep '^RESULT' <<<"$line" || echo "RESULT $who-failed sent=0 failed=$COUNT secs=0")
    echo "round $round $line steal_ms=$(($(steal_ms) - steal0))" | tee -a "$work/results.txt"
}

orders=("ours telethon kurigram" "telethon kurigram ours" "kurigram ours telethon")
for round in $(seq "$ROUNDS"); do
    step "round $round of $ROUNDS: $COUNT messages each"
    start_dc
    for who in ${orders[$(((round - 1) % 3))]}; do
        send_with "$who" "$round"
    done
    run "$OURS" count "$COUNT" ours_bot:ours telethon_bot:telethon kurigram_bot:kurigram |
        sed "s/^/round $round /" | tee -a "$work/counts.txt"
    stop_dc
done

step "resident memory of an idle connected client (connect, login, get_me, 2 s idle)"
start_dc
for i in 1 2 3; do
    TESTDC_BOT_TOKEN=$token_ours run "$OURS" idle
    TESTDC_CLIENT=telethon TESTDC_BOT_TOKEN=$token_telethon run "$PY" "$DRIVER" idle
    TESTDC_CLIENT=kurigram TESTDC_BOT_TOKEN=$token_kurigram run "$PY" "$DRIVER" idle
done | grep '^RSS' | tee "$work/rss.txt"
stop_dc

step "summary"
"$PY" - "$work" "$COUNT" <<'EOF'
import re, statistics, sys
work, count = sys.argv[1], int(sys.argv[2])
secs, rss, steal = {}, {}, {}
for line in open(f"{work}/results.txt"):
    m = re.match(r"round (\d+) RESULT (\S+) sent=(\d+) failed=(\d+) secs=([\d.]+)", line)
    name = m.group(2).split("-")[0]
    if int(m.group(4)):
        print(f"note: {m.group(2)} round {m.group(1)}: {m.group(4)} calls failed (round left out)")
        continue
    secs.setdefault(name, []).append(float(m.group(5)))
    st = re.search(r"steal_ms=(\d+)", line)
    steal.setdefault(name, []).append(int(st.group(1)) if st else 0)
bad = [l.strip() for l in open(f"{work}/counts.txt")
       if not re.search(rf"stored={count} distinct={count} missing=0 duplicated=0", l)]
print("stored exactly once:", "yes, every round and client" if not bad else "NO: " + "; ".join(bad))
for line in open(f"{work}/rss.txt"):
    _, name, kib = line.split()
    rss.setdefault(name, []).append(int(kib.split("=")[1]))
med = {n: statistics.median(v) for n, v in secs.items()}
print(f"\n{'client':<10} {'seconds per round':<28} {'median s':>9} {'msg/s':>8}")
for n, v in secs.items():
    print(f"{n:<10} {', '.join(f'{x:.3f}' for x in v):<28} {med[n]:>9.3f} {count / med[n]:>8.0f}")
print("\nsteal (ms the host took from this VM's vCPUs during each run):")
for n, v in steal.items():
    print(f"  {n:<10} {', '.join(map(str, v))}")
peers = [n for n in med if n != "ours"]
if "ours" in med and peers:
    fastest = min(peers, key=med.get)
    ratios = ", ".join("%s %.1fx" % (p, med[p] / med["ours"]) for p in peers)
    print(f"\nours vs the faster peer ({fastest}): {med[fastest] / med['ours']:.1f}x ({ratios})")
print(f"\n{'client':<10} {'idle VmRSS KiB':<28} {'median MiB':>10}")
for n, v in rss.items():
    print(f"{n:<10} {', '.join(map(str, v)):<28} {statistics.median(v) / 1024:>10.1f}")
EOF
