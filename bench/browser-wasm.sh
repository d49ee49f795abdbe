#!/usr/bin/env bash
# bench/browser-wasm.sh -- the page's analysis alone: the 200 MB generated log pushed through the
# analysis module in headless Chromium from memory (no reading of the file by Chromium is
# timed), on one worker and split on two as the page splits a big log (the second half as a
# part: Analyzer.beginPart/endPart), and split on two while a third worker reads the file
# beside them (sharing the cores, not feeding them), interleaved with the native CLI on the
# same file. With bench/browser-read.sh (Chromium's reading alone) it tells where the page's
# time goes (BENCHMARKS.md "Session 11"). A benchmark, not a test: it asserts nothing.
#
# usage: bench/browser-wasm.sh [ROUNDS]   (default 5)
# environment: MAILREP_BIN (a built native CLI; default: cargo build --release). Expects the
#   page built (scripts/build-www), target/bench/mail-200m.log (bench/page.sh makes both) and
#   tests/browser/node_modules (tests/browser/run installs it).
set -euo pipefail
. "$(dirname "$0")/page-common.sh"
need_log
need_page
printf '[time]\nreference_date = "2026-12-02"\n' > "$OUT/page-bench.toml"
native_cli
# Served from the repository's root: the bench page imports www/pkg's module.
serve "$ROOT"
BASE_URL="http://127.0.0.1:$port/bench/browser-wasm/" LOG="$LOG" ROUNDS="${1:-5}" MAILREP_BIN="$MAILREP_BIN" \
  CONFIG_FILE="$OUT/page-bench.toml" node bench/browser-wasm.mjs
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
