#!/usr/bin/env bash
# bench/page.sh -- figures of the page (www/) in headless Chromium on this machine: throughput
# of a 200 MB generated Postfix log through the page (File.stream() in a reader worker ->
# analysis module worker -> wasm core), the same file through the native CLI for comparison,
# time from the drop to the first result on screen, peak memory (wasm linear memory, page JS
# heap, Chromium processes' RSS), and the transfer size of the page. A benchmark, not a test:
# it prints figures, asserts nothing. BENCHMARKS.md quotes its output.
#
# usage: bench/page.sh [RUNS]   (default 1 page run and 1 native run)
# environment: WARM=0: drop without waiting for the page's warm-up (html[data-warm]);
#   MEMORY_RUN=0: no extra run for the peak JS heap and RSS (their samplers take CPU, so the
#   timed runs go without them; page-pairs.sh sets it); PHASES=1: also Chromium's CPU per
#   thread split at the page's marks (sampled every 50 ms: the sampling costs some CPU itself); PAGE_QUERY: appended to the page's address
#   (e.g. '?split=never'); CHROMIUM_ARGS: extra Chromium flags;
#   SHARED (default ../shared beside the repository, else /work/shared);
#   MAILREP_BIN (a built native CLI; default: cargo build --release)
set -euo pipefail
RUNS=${1:-1}
. "$(dirname "$0")/page-common.sh"
if [ -z "${SHARED:-}" ]; then
  if [ -d "$ROOT/../shared/bench" ]; then SHARED=$(cd "$ROOT/../shared" && pwd); else SHARED=/work/shared; fi
fi
# The generated log runs from 2026-11-20 on; pin the year-less stamps (same as compare.sh).
CONFIG=$'[time]\nreference_date = "2026-12-02"\n'
printf '%s' "$CONFIG" > "$OUT/page-bench.toml"

if [ ! -s "$LOG" ]; then
  echo "==> generating $LOG (910,000 lines, seed 42)"
  python3 "$SHARED/bench/gen-postfix-log" --lines 910000 --seed 42 > "$LOG"
fi
cat "$LOG" > /dev/null   # warm page cache

native_cli
scripts/build-www > /dev/null
[ -d tests/browser/node_modules/playwright-core ] || npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

echo "==> native: mailrep analyze --format json (best of $RUNS)"
best=
for _ in $(seq "$RUNS"); do
  s=$EPOCHREALTIME
  "$MAILREP_BIN" analyze --format json -c "$OUT/page-bench.toml" "$LOG" > "$OUT/page-bench-native.json" || [ $? -lt 3 ]
  e=$EPOCHREALTIME
  ms=$(python3 -c "print(round(($e - $s) * 1000))")
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "native_ms=$best"

serve www "$OUT/page-bench-http.log"

echo "==> page: headless Chromium, http://127.0.0.1:$port/"
WARM="${WARM:-}" BASE_URL="http://127.0.0.1:$port/" LOG="$LOG" CONFIG="$CONFIG" RUNS="$RUNS" NATIVE_MS="$best" \
  NATIVE_JSON="$OUT/page-bench-native.json" WWW="$ROOT/www" node bench/page.mjs
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
