#!/usr/bin/env bash
# Runs billing for one month at the provider root of an already seeded database
# (bench/reports.sh or bench/organizations.sh leave one) on PostgreSQL, release
# build, and prints how long the run took, how many invoices it wrote, the
# server's peak resident memory (VmHWM) after start-up and after the run, and
# then the invoice-lines CSV export of that month in rows per second.
#
# usage: bench/billing.sh [PERIOD]   PERIOD as YYYY-MM (default: last month)
# env:   BENCH_DATABASE (default partner_portal_reports_bench), PGHOST/PGPORT/PGUSER
#        as for psql, BENCH_BIN to use a prebuilt binary. The run writes invoices
#        into that database (a second run recomputes the drafts).
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

echo "== billing run"
start=$(now)
curl -fsS --max-time 7200 -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"period\":\"$PERIOD\"}" "http://$BIND/v1/organizations/$ROOT/billing-runs"
echo
end=$(now)
HWM_AFTER=$(hwm)
printf 'billing run: %.1f s\n' "$(echo "$end - $start" | bc)"
echo "server peak RSS (VmHWM): ${HWM_BEFORE} kB after start-up, ${HWM_AFTER} kB after the run"

echo "== invoice-lines export"
start=$(now)
curl -fsS -o "$WORK/lines.csv" -H "Authorization: Bearer $TOKEN" \
  "http://$BIND/v1/organizations/$ROOT/reports/invoice-lines.csv?period=$PERIOD"
end=$(now)
ROWS=$(($(wc -l <"$WORK/lines.csv") - 1))
printf 'invoice lines: %d rows in %.2f s = %.0f rows/s; server peak RSS %s kB\n' "$ROWS" \
  "$(echo "$end - $start" | bc)" "$(echo "$ROWS / ($end - $start)" | bc -l)" "$(hwm)"
