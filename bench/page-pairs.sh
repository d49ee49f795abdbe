#!/usr/bin/env bash
# bench/page-pairs.sh -- page/native speed ratio from interleaved pairs: PAIRS times, the native
# CLI on the 200 MB generated log, then the page on the same file in a fresh headless Chromium
# (bench/page.mjs with RUNS=1 and no memory run, after the page's warm-up). This VM's speed
# drifts by up to 2x between minutes, so a ratio of two best-of-N figures taken minutes apart
# (bench/page.sh) can land anywhere in that range; a pair is taken within seconds. Prints each
# pair and the medians.
# A benchmark, not a test: it asserts nothing.
#
# usage: bench/page-pairs.sh [PAIRS]   (default 8)
# environment: MAILREP_BIN (a built native CLI; default: cargo build --release); SHARED as in
#   bench/page.sh. Expects the page built (scripts/build-www) and target/bench/mail-200m.log
#   (bench/page.sh makes both).
set -euo pipefail
PAIRS=${1:-8}
. "$(dirname "$0")/page-common.sh"
need_log
need_page
CONFIG=$'[time]\nreference_date = "2026-12-02"\n'
printf '%s' "$CONFIG" > "$OUT/page-bench.toml"
native_cli
"$MAILREP_BIN" analyze --format json -c "$OUT/page-bench.toml" "$LOG" > "$OUT/page-bench-native.json" || [ $? -lt 3 ]

serve www "$OUT/page-pairs-http.log"

results=()
for i in $(seq "$PAIRS"); do
  s=$EPOCHREALTIME
  "$MAILREP_BIN" analyze --format json -c "$OUT/page-bench.toml" "$LOG" > /dev/null || [ $? -lt 3 ]
  e=$EPOCHREALTIME
  native=$(python3 -c "print(round(($e - $s) * 1000))")
  page=$(MEMORY_RUN=0 BASE_URL="http://127.0.0.1:$port/" LOG="$LOG" CONFIG="$CONFIG" RUNS=1 NATIVE_MS="$native" \
    NATIVE_JSON="$OUT/page-bench-native.json" WWW="$ROOT/www" node bench/page.mjs \
    | sed -n 's/^page (worker: File.stream() -> wasm): \([0-9]*\) ms.*/\1/p')
  echo "pair $i: native $native ms, page $page ms, page/native $(python3 -c "print(round(100 * $native / $page))") %"
  results+=("$native $page")
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
pairs = [tuple(map(int, l.split())) for l in sys.stdin if l.strip()]
mb = int(sys.argv[1]) / 1e6
r = [100 * n / p for n, p in pairs]
print(f"median of {len(pairs)} pairs: native {statistics.median(n for n, _ in pairs):.0f} ms, "
      f"page {statistics.median(p for _, p in pairs):.0f} ms = {mb * 1000 / statistics.median(p for _, p in pairs):.0f} MB/s, "
      f"page/native {statistics.median(r):.0f} % (pairs: {min(r):.0f}-{max(r):.0f} %)")' "$(stat -c %s "$LOG")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
