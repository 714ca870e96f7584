#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (seconds, default 60) and prints each run's last
# libFuzzer status line. Stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags.
# Not part of CI. Needs `cargo install cargo-fuzz`. Crashes land in fuzz/artifacts/<target>/.
set -u
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(rule_set keymap theme codice_fiscale form_fields unit_csv application_csv xlsx)
fi
export RUSTC_BOOTSTRAP=1
# Build once, then run the binaries: `cargo fuzz run` would rebuild whenever the tree changes.
cargo fuzz build || exit 1
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
    "$bin/$t" "corpus/$t" "${seeds[@]}" -artifact_prefix="artifacts/$t/" \
        -max_total_time="$secs" -max_len=32768 -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1
    rc=$?
    [ $rc -ne 0 ] && status=1
    echo "$t: exit $rc; $(grep -E '^Done|^#[0-9]+.*(DONE|pulse)' "$log" | tail -1)"
    grep -E 'panicked at|SUMMARY|Test unit written' "$log" | head -5
    true
done
exit $status
