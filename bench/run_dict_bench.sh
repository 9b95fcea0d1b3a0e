#!/usr/bin/env bash
# The dictionary benchmark of docs/benchmarks.md ("## Dictionary"):
#   1. 20,000 Chinese entries over 50 MB of generated government prose: bench/dict_bench
#      against GNU grep -F -f with the same count of hits;
#   2. parse-and-check time per page on the generated test portal: bench/page_bench.
# Usage: bench/run_dict_bench.sh BUILD_DIR [WORK_DIR]     (WORK_DIR: /tmp/xj-dict-bench)
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [WORK_DIR]}
work=${2:-/tmp/xj-dict-bench}
src=$(cd "$(dirname "$0")/.." && pwd)

ninja -C "$build" bench/dict_bench bench/page_bench >/dev/null
python3 "$src/bench/gen_dict_data.py" --out "$work" --entries 20000 --mb 50

echo "== xunjian dict_scan"
"$build/bench/dict_bench" "$work/entries.txt" "$work/text.txt" 5

# grep -o prints every match, leftmost-longest and non-overlapping: the count dict_bench
# prints on its last line. LC_ALL=C makes grep match bytes, as dict_scan does.
echo "== GNU grep -o -F -f (LC_ALL=C) | wc -l"
for i in 1 2 3; do
        t0=$(date +%s.%N)
        n=$(LC_ALL=C grep -o -F -f "$work/entries.txt" "$work/text.txt" | wc -l)
        t1=$(date +%s.%N)
        echo "run $i: $n matches in $(echo "$t1 - $t0" | bc) s"
done
/usr/bin/time -f "grep max RSS %M KiB" sh -c \
        "LC_ALL=C grep -o -F -f '$work/entries.txt' '$work/text.txt' >/dev/null"

echo "== parse and check per page, test portal"
python3 "$src/tests/portal/gen_portal.py" --out "$work/portal" --now 2026-11-23T09:00:00+08:00
"$build/bench/page_bench" "$src/rules.d" "$work/portal/site"
