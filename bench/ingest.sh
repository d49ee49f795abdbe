#!/usr/bin/env bash
# bench/ingest.sh -- time `mailrep ingest` into a throwaway PostgreSQL against `mailrep analyze`
# on the same generated log, and the DMARC corpus ingest in reports per second.
#
# usage: bench/ingest.sh [LINES]     LINES of generated log (default 4550000, ~1.0 GB)
# environment:
#   RUNS     timed runs of each row (default 3; the median is printed)
#   SHARED   the team's shared folder (default: ../shared beside the repository, else /work/shared)
#   BIN      a mailrep binary to time instead of building target/release/mailrep
#
# Rows (each on a fresh database where it matters; the log is in the page cache):
#   analyze        mailrep analyze -q -f json LOG
#   ingest (new)   mailrep ingest LOG into an empty (migrated) database: every line new
#   ingest (seen)  the same file again: every line already counted (nothing stored)
#   ingest (cat)   zcat -f style: the log and its first half in one stdin stream (half seen)
#   dmarc          mailrep ingest of corpus/dmarc/dev into an empty database (reports/s counts
#                  every aggregate report read, new or duplicate)
# The target: ingest (new) <= 1.5 x analyze; dmarc >= 500 reports/s. Each row prints the median
# wall time and the median CPU time (user+sys of the command and its children, from
# /usr/bin/time), which is what to compare on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-4550000}
RUNS=${RUNS:-3}
SHARED=${SHARED:-}
if [ -z "$SHARED" ]; then
  if [ -d ../shared ]; then SHARED=../shared; else SHARED=/work/shared; fi
fi
OUT=target/bench
mkdir -p "$OUT"
LOG="$OUT/ingest-$LINES.log"
if [ ! -s "$LOG" ]; then
  echo "generating $LINES lines (seed 42)" >&2
  python3 "$SHARED/bench/gen-postfix-log" --lines "$LINES" --seed 42 -o "$LOG" 2>/dev/null
fi
if [ -z "${BIN:-}" ]; then
  cargo build --release -p mailrep -q
  BIN=target/release/mailrep
fi
CONF=examples/mailrep.toml

export PG_TEST_STATE="$OUT/pg-bench.state"
trap 'scripts/pg-test-cluster stop' EXIT
eval "$(scripts/pg-test-cluster start)"
BASE=${MAILREP_TEST_DATABASE_URL%/postgres}
fresh_db() { # a new empty database (a unique name: this runs in a subshell)
  local name="bench_$(date +%s%N)"
  psql -q "$MAILREP_TEST_DATABASE_URL" -c "CREATE DATABASE $name" >/dev/null
  echo "$BASE/$name"
}

cat "$LOG" >/dev/null
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() { # label, command... (the command may use $DB)
  local label=$1; shift
  local t=() c=()
  for _ in $(seq "$RUNS"); do
    DB=$(fresh_db)
    if [ -n "${PREP:-}" ]; then eval "$PREP"; fi
    local a b
    a=$(now)
    DB=$DB BIN=$BIN /usr/bin/time -f '%U %S' -o "$OUT/ingest-cpu" bash -c "$*" >"$OUT/ingest-last.out" || [ $? -le 2 ] # analyze: 1-2 = verdicts
    b=$(now)
    t+=("$(echo "$b - $a" | bc)")
    c+=("$(tail -n 1 "$OUT/ingest-cpu" | awk '{print $1 + $2}')")
  done
  printf '%s\n' "${t[@]}" | median >"$OUT/ingest-$label.t"
  printf '%s\n' "${c[@]}" | median >"$OUT/ingest-$label.cpu"
  printf '%-14s %8.2f s wall  %8.2f s CPU  (wall: %s; CPU: %s)\n' "$label" "$(cat "$OUT/ingest-$label.t")" \
    "$(cat "$OUT/ingest-$label.cpu")" "${t[*]}" "${c[*]}"
}

SIZE=$(stat -L -c %s "$LOG")
echo "log: $LOG, $LINES lines, $SIZE bytes; $(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
PREP='' time_runs analyze "\$BIN analyze -q -f json -c $CONF $LOG"
MIGRATE='$BIN db migrate --database-url $DB >/dev/null'
PREP=$MIGRATE time_runs ingest_new "\$BIN ingest --database-url \$DB -c $CONF $LOG"
PREP='$BIN ingest --database-url $DB -c $CONF $LOG >/dev/null' \
  time_runs ingest_seen "\$BIN ingest --database-url \$DB -c $CONF $LOG"
HALF="$OUT/ingest-half.log"
head -n $((LINES / 2)) "$LOG" >"$HALF"
PREP='$BIN ingest --database-url $DB -c $CONF $HALF >/dev/null' \
  time_runs ingest_cat "cat $LOG $HALF | \$BIN ingest --database-url \$DB -c $CONF -"
DB=$(fresh_db)
$BIN ingest --database-url "$DB" -c "$CONF" "$LOG" >/dev/null
LEDGER=$(psql -At "$DB" -c "SELECT sum(length(entries)) FROM mail_log_ledger")

DEV="$SHARED/corpus/dmarc/dev"
PREP=$MIGRATE time_runs dmarc "\$BIN ingest --json --database-url \$DB $DEV"
REPORTS=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["reports_new"]+s["reports_duplicate"])' "$OUT/ingest-last.out")

A=$(cat "$OUT/ingest-analyze.t"); I=$(cat "$OUT/ingest-ingest_new.t"); D=$(cat "$OUT/ingest-dmarc.t")
AC=$(cat "$OUT/ingest-analyze.cpu"); IC=$(cat "$OUT/ingest-ingest_new.cpu"); DC=$(cat "$OUT/ingest-dmarc.cpu")
echo
printf 'ingest (new) / analyze: %.2fx wall, %.2fx CPU (target <= 1.5x); analyze %.0f MB/s, ingest %.0f MB/s\n' \
  "$(echo "$I / $A" | bc -l)" "$(echo "$IC / $AC" | bc -l)" "$(echo "$SIZE / $A / 1000000" | bc -l)" "$(echo "$SIZE / $I / 1000000" | bc -l)"
printf 'ledger after one ingest: %s bytes (%.1f KB per GB of log)\n' "$LEDGER" "$(echo "$LEDGER / 1000 / ($SIZE / 1000000000)" | bc -l)"
printf 'DMARC corpus: %s reports in %.3f s = %.0f reports/s wall (%.3f s CPU of mailrep; target >= 500), process start included (schema already migrated)\n' \
  "$REPORTS" "$D" "$(echo "$REPORTS / $D" | bc -l)" "$DC"
