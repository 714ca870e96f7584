#!/usr/bin/env bash
# Peak memory and time of refusing hostile files (issue #14), with /usr/bin/time -v, release
# build: the 3 MB zip bomb (one 3 GB cell, honest and lying sizes), a CSV that is /dev/zero,
# the same zeros through a FIFO, a 1 MB header. Usage: scripts/bench-hostile.sh [OTHER_CASA]
# With OTHER_CASA (e.g. a build of an older commit) the same runs are made with it too, under a
# 4 GiB address-space cap so that it cannot take the machine down.
set -u
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CASA_HOSTILE_OUT="$work" cargo test --release --quiet --test hostile_world generate_hostile_files -- --ignored >/dev/null || exit 1
# After the tests: their build of target/release/casa carries the crash points (a dev-dependency
# feature); `cargo build` puts back the operator's binary, the one measured.
cargo build --release --quiet || exit 1
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
ln -s /dev/zero "$work/zero.csv"
mkfifo "$work/flusso.csv"

run() { # label casa file [cap]
    local label=$1 bin=$2 file=$3 cap=${4:-} feeder=""
    if [ "$file" = "$work/flusso.csv" ]; then
        cat /dev/zero >"$work/flusso.csv" 2>/dev/null &
        feeder=$!
    fi
    /usr/bin/time -v sh -c "${cap:+ulimit -v $cap;} exec \"\$0\" \"\$@\"" "$bin" --db "$work/$(basename "$(dirname "$bin")").sqlite" \
        --operator comune.015146 units import "$file" >/dev/null 2>"$work/err" || true
    local rss secs code bytes
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/err")
    secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/err")
    code=$(sed -n 's/.*Exit status: //p' "$work/err")
    if grep -q 'Command terminated by signal' "$work/err"; then
        code="sig$(sed -n 's/.*Command terminated by signal //p' "$work/err")"
    fi
    bytes=$(grep -v -E '^\s|Command (exited|terminated)' "$work/err" | wc -c)
    printf '%-30s %-9s exit %-5s %8s KiB max RSS  %s wall  %s bytes of message\n' \
        "$label" "$(basename "$(dirname "$bin")")" "$code" "$rss" "$secs" "$bytes"
    # The feeder ends with a broken pipe when casa stops reading; if not, it is ended here.
    if [ -n "$feeder" ]; then kill "$feeder" 2>/dev/null; wait "$feeder" 2>/dev/null; fi
}
for bin in ./target/release/casa ${1:+"$1"}; do
    # A demo database of each build's own schema.
    "$bin" --db "$work/$(basename "$(dirname "$bin")").sqlite" demo --units 300 --applications 0 2>/dev/null
    cap=""
    [ "$bin" != ./target/release/casa ] && cap=4194304
    run "zip bomb 3 MB, honest sizes" "$bin" "$work/bomba-3gib.xlsx" "$cap"
    run "zip bomb 3 MB, lying sizes" "$bin" "$work/bomba-bugiarda.xlsx" "$cap"
    run "CSV = /dev/zero (symlink)" "$bin" "$work/zero.csv" "$cap"
    run "CSV = zeros through a FIFO" "$bin" "$work/flusso.csv" "$cap"
    run "CSV with a 1 MB header" "$bin" "$work/intestazione-1mb.csv" "$cap"
done
