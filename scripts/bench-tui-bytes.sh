#!/usr/bin/env bash
# Bytes casa writes to the terminal for one selection move in the unit search, measured with
# tmux pipe-pane (what an SSH link would carry). Usage:
#   scripts/bench-tui-bytes.sh DB [COLSxROWS ...]     (default sizes: 80x24 200x50)
# Needs tmux and a release build (cargo build --release).
set -euo pipefail
db=${1:?database path}; shift
sizes=("${@:-80x24 200x50}")
[ $# -eq 0 ] && sizes=(80x24 200x50)
bin=$(dirname "$0")/../target/release/casa
out=$(mktemp -d)
trap 'tmux -L casabench kill-server 2>/dev/null || true; rm -rf "$out"' EXIT
for size in "${sizes[@]}"; do
  cols=${size%x*}; rows=${size#*x}
  tmux -L casabench kill-server 2>/dev/null || true
  tmux -L casabench -f /dev/null new-session -d -s b -x "$cols" -y "$rows" \
    "CASA_DB=$db NO_COLOR= $bin --operator regione"
  sleep 2
  tmux -L casabench send-keys -t b Enter        # open Ricerca alloggi
  sleep 3
  tmux -L casabench send-keys -t b Down          # settle: first move
  sleep 1
  moves=${MOVES:-30}
  : > "$out/pipe"
  tmux -L casabench pipe-pane -t b -o "cat >> $out/pipe"
  sleep 0.5
  per=()
  for _ in $(seq $moves); do
    before=$(wc -c < "$out/pipe")
    tmux -L casabench send-keys -t b Down
    sleep 0.3
    per+=($(( $(wc -c < "$out/pipe") - before )))
  done
  tmux -L casabench pipe-pane -t b
  sorted=$(printf '%s\n' "${per[@]}" | sort -n)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  max_in_page=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int(NR*0.9)]}')
  turn=$(echo "$sorted" | tail -1)
  echo "size ${cols}x${rows}: ${moves} moves; bytes per move median ${median}, 90th percentile ${max_in_page}, largest ${turn} (a page turn redraws the table)"
  tmux -L casabench kill-server 2>/dev/null || true
done
