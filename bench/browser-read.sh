#!/usr/bin/env bash
# bench/browser-read.sh -- what Chromium's own reading of a dropped file costs, without any
# analysis: the 200 MB generated log read in a worker by File.stream() (BYOB, as www/app/
# reader.js; or a default reader), fetch() of a blob: URL, File.slice().arrayBuffer(),
# FileReaderSync and File.arrayBuffer(), whole or as two halves read at once by two workers
# (as the page's split reads a big log), with the CPU time of Chromium's threads during each
# read (ended threads included: the reading workers are terminated). The page's analysis
# shares the machine's cores with this reading (BENCHMARKS.md "Session 10", "Session 11").
# A benchmark, not a test: it asserts nothing.
#
# usage: bench/browser-read.sh [ROUNDS]   (default 3)
# environment: METHODS: comma-separated method:MiB[:halves|:sliced] (bench/browser-read/read.js
#   lists the methods; MiB: the buffer or slice size; halves: two workers, a half each; sliced:
#   File.slice(0, size) instead of the File), default
#   stream:2,stream:16,default:0,slice:16,sync:2,sync:16,whole:0
# Expects target/bench/mail-200m.log (bench/page.sh makes it) and tests/browser/node_modules
# (tests/browser/run installs it).
set -euo pipefail
. "$(dirname "$0")/page-common.sh"
need_log
serve bench/browser-read
BASE_URL="http://127.0.0.1:$port/" LOG="$LOG" ROUNDS="${1:-3}" node bench/browser-read.mjs
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
