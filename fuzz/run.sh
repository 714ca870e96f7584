#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (seconds, default 60) and prints each run's last
# libFuzzer status line. Stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags.
# Not part of CI. Needs `cargo install cargo-fuzz`. Crashes land in fuzz/artifacts/<target>/.
#
# MEMORY_CAP_KIB=N runs every target under `ulimit -v N` (address space), with libFuzzer's own
# RSS and single-allocation limits: the size-bound targets (csv_bounds, xlsx_bounds,
# config_bounds) must stay within it. AddressSanitizer reserves terabytes of address space, so
# with a cap the targets are built without it (SANITIZER=none, the default then).
set -u
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(rule_set keymap theme codice_fiscale form_fields unit_csv application_csv xlsx
        csv_bounds xlsx_bounds config_bounds)
fi
export RUSTC_BOOTSTRAP=1
cap="${MEMORY_CAP_KIB:-}"
sanitizer="${SANITIZER:-$([ -n "$cap" ] && echo none || echo address)}"
# Build once, then run the binaries: `cargo fuzz run` would rebuild whenever the tree changes.
cargo fuzz build -s "$sanitizer" || exit 1
bin="target/$(rustc -vV | sed -n 's/^host: //p')/release"
status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    seeds=()
    [ -d "seeds/$t" ] && seeds=("seeds/$t")
    # Binary seeds and crash inputs (workbooks) live in fixtures/, with the project's data.
    [ -d "../fixtures/fuzz/seeds/$t" ] && seeds+=("../fixtures/fuzz/seeds/$t")
    [ -d "../fixtures/fuzz/regressions/$t" ] && seeds+=("../fixtures/fuzz/regressions/$t")
    log="target/fuzz-$t.log"
    limits=(-rss_limit_mb=2048)
    if [ -n "$cap" ]; then
        # RSS and any single allocation well under the address-space cap.
        limits=(-rss_limit_mb=$((cap / 2048)) -malloc_limit_mb=$((cap / 4096)))
    fi
    ( [ -n "$cap" ] && ulimit -v "$cap"
      exec "$bin/$t" "corpus/$t" "${seeds[@]}" -artifact_prefix="artifacts/$t/" \
        -max_total_time="$secs" -max_len=32768 -timeout=10 "${limits[@]}" ) >"$log" 2>&1
    rc=$?
    [ $rc -ne 0 ] && status=1
    echo "$t: exit $rc; $(grep -E '^Done|^#[0-9]+.*(DONE|pulse)' "$log" | tail -1)"
    grep -E 'panicked at|SUMMARY|Test unit written' "$log" | head -5
    true
done
exit $status
