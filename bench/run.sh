#!/usr/bin/env bash
# Median build time of kbgen on SPEC's generated corpus (default 10,000 articles), output on tmpfs.
# Usage: bench/run.sh [N] [RUNS]
set -euo pipefail
n=${1:-10000}
runs=${2:-5}
cd "$(dirname "$0")/.."
work=/dev/shm/kbgen-bench
mkdir -p "$work"
if [ ! -d "$work/c$n/content" ]; then
  python3 ../shared/bench/gen_corpus.py -n "$n" --layouts content --out "$work/c$n" >/dev/null
fi
cargo build --release --quiet
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/mem" target/release/kbgen build --root "$work/c$n" --output "$work/out$n" 2>/dev/null
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
  echo "run: ${times[-1]} s, peak $(( $(cat "$work/mem") / 1024 )) MB"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " s over " NR " runs"}'
