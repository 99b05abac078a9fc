#!/usr/bin/env bash
# Runs billing for one month at the provider root of an already seeded database
# (bench/reports.sh or bench/organizations.sh leave one) on PostgreSQL, release
# build: queues the run (202), polls GET /v1/billing-runs/{id} until it ends
# while bench/creates.py creates partners elsewhere, and prints how long the run
# took, what it did, the creates' latency during it, the server's peak resident
# memory (VmHWM) after start-up and after the run, and then the invoice-lines
# CSV export of that month in rows per second.
#
# usage: bench/billing.sh [PERIOD]   PERIOD as YYYY-MM (default: last month)
# env:   BENCH_DATABASE (default partner_portal_reports_bench), PGHOST/PGPORT/PGUSER
#        as for psql, BENCH_BIN to use a prebuilt binary. The run writes invoices
#        into that database (a second run recomputes the drafts). BILLING_BATCH
#        sets the customers per transaction.
set -euo pipefail
cd "$(dirname "$0")/.."
PERIOD=${1:-$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)}
DB=${BENCH_DATABASE:-partner_portal_reports_bench}
PORT=${BENCH_PORT:-18933}
source bench/common.sh

ROOT=$(psql "$PGURL/$DB" -qAtX -c "SELECT id FROM organizations WHERE parent_id IS NULL")
echo "root $ROOT; $(psql "$PGURL/$DB" -qAtX -c "SELECT count(*) FROM subscriptions") subscriptions; period $PERIOD"

start_server
TOKEN=$(token_for)
HWM_BEFORE=$(hwm)

echo "== creates alone (10 s)"
rm -f "$WORK/stop"
python3 bench/creates.py "$BIND" "$TOKEN" "$ROOT" "$WORK/stop" &
CREATES=$!
sleep 10
touch "$WORK/stop"
wait $CREATES

echo "== billing run, BILLING_BATCH=${BILLING_BATCH:-default} (creates of partners under the root meanwhile)"
rm -f "$WORK/stop"
python3 bench/creates.py "$BIND" "$TOKEN" "$ROOT" "$WORK/stop" >"$WORK/creates.txt" &
CREATES=$!
sleep 1
start=$(now)
RUN=$(curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"period\":\"$PERIOD\"}" "http://$BIND/v1/organizations/$ROOT/billing-runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
  BODY=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://$BIND/v1/billing-runs/$RUN")
  case "$BODY" in *'"status":"succeeded"'* | *'"status":"failed"'*) break ;; esac
  sleep 0.5
done
end=$(now)
touch "$WORK/stop"
wait $CREATES
echo "$BODY"
HWM_AFTER=$(hwm)
printf 'billing run: %.1f s\n' "$(echo "$end - $start" | bc)"
cat "$WORK/creates.txt"
echo "server peak RSS (VmHWM): ${HWM_BEFORE} kB after start-up, ${HWM_AFTER} kB after the run"

echo "== invoice-lines export"
start=$(now)
curl -fsS -o "$WORK/lines.csv" -H "Authorization: Bearer $TOKEN" \
  "http://$BIND/v1/organizations/$ROOT/reports/invoice-lines.csv?period=$PERIOD"
end=$(now)
ROWS=$(($(wc -l <"$WORK/lines.csv") - 1))
printf 'invoice lines: %d rows in %.2f s = %.0f rows/s; server peak RSS %s kB\n' "$ROWS" \
  "$(echo "$end - $start" | bc)" "$(echo "$ROWS / ($end - $start)" | bc -l)" "$(hwm)"
