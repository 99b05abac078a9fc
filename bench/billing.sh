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
PGURL="postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}"
PORT=${BENCH_PORT:-18933}
BIN=${BENCH_BIN:-target/release/partner-portal}
WORK=$(mktemp -d)
export DATABASE_URL="$PGURL/$DB" DATA_DIR="$WORK/data" BIND="127.0.0.1:$PORT" RUST_LOG=warn
now() { date +%s.%N; }

[[ -n "${BENCH_BIN:-}" ]] || cargo build --release -q -p api

ROOT=$(psql "$PGURL/$DB" -qAtX -c "SELECT id FROM organizations WHERE parent_id IS NULL")
echo "root $ROOT; $(psql "$PGURL/$DB" -qAtX -c "SELECT count(*) FROM subscriptions") subscriptions; period $PERIOD"

"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "http://$BIND/readyz" >/dev/null && break; sleep 0.2; done
TOKEN=$("$BIN" token --email "${BOOTSTRAP_ADMIN_EMAIL:-admin@contoso-cloud.example}")
curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "http://$BIND/v1/me"   # records the sign-in
hwm() { awk '/VmHWM/ {print $2}' "/proc/$SERVER/status"; }
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
