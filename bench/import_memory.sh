#!/usr/bin/env bash
# Memory of the legacy operator import (issue 15): peak resident memory
# (/proc/<pid>/status VmHWM) of a server while it imports one CSV of
# SIZE_MB (default 9) megabytes, a dry run and then a real run, each with a
# fresh server on a fresh PostgreSQL database, against its idle resident
# memory (VmRSS after start-up and one request).
#
#   BENCH_BIN=target/debug/partner-portal bench/import_memory.sh
#   BENCH_BIN=/path/to/old/partner-portal bench/import_memory.sh   # before
#   UPLOAD=multipart bench/import_memory.sh    # the file as a form's `file` part
#   KEYED=1 bench/import_memory.sh   # with an Idempotency-Key (body hashed as it streams)
#
# Prints one line per run: idle, peak, peak over idle (kB), status, seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=bench_import_memory
PORT=${PORT:-18093}
SIZE_MB=${SIZE_MB:-9}
UPLOAD=${UPLOAD:-csv} # csv: a text/csv body; multipart: multipart/form-data
source bench/common.sh
export IMPORT_MAX_BYTES=$((64 * 1024 * 1024))

csv="$WORK/operators.csv"
python3 - "$csv" "$SIZE_MB" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("email,name,legacy_role,organization\n")
    i = 0
    while f.tell() < mb * 1024 * 1024:
        role = "TenantAdmin" if i % 5 == 0 else "Invoice"
        f.write(f"operator{i:07d}@bulk-import.example,\"Bulk, Operator {i}\",{role},Contoso Cloud\n")
        i += 1
PY
echo "file: $(stat -c %s "$csv") bytes, $(($(wc -l <"$csv") - 1)) rows; upload: $UPLOAD; binary: $BIN"
if [[ $UPLOAD == multipart ]]; then
  upload=(-F "file=@$csv;type=text/csv")
else
  upload=(-H 'Content-Type: text/csv' --data-binary "@$csv")
fi

for dry_run in true false; do
  psql_admin "DROP DATABASE IF EXISTS $DB" && psql_admin "CREATE DATABASE $DB"
  start_server
  token=$(token_for)
  root=$(curl -fs -H "Authorization: Bearer $token" "http://$BIND/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["home_organization_id"])')
  idle=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
  key=()
  [[ "${KEYED:-0}" == 1 ]] && key=(-H "Idempotency-Key: import-$dry_run-$(date +%s%N)")
  t0=$(now)
  status=$(curl -s -o "$WORK/report.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    "${upload[@]}" "${key[@]}" \
    "http://$BIND/v1/organizations/$root/operators/import?dry_run=$dry_run")
  t1=$(now)
  peak=$(hwm)
  echo "dry_run=$dry_run idle_kB=$idle peak_kB=$peak over_idle_kB=$((peak - idle)) status=$status seconds=$(echo "$t1 - $t0" | bc)"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
done
psql_admin "DROP DATABASE IF EXISTS $DB"
