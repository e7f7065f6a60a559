#!/usr/bin/env bash
# kbgen against Hugo (and Zola, Pagefind when given) on SPEC's corpus; see bench/compare.py.
# Usage: bench/compare.sh [N] [RUNS]    env: ZOLA=path PAGEFIND=path SCALING=1
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/compare.py "$@"
