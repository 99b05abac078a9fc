#!/usr/bin/env bash
# Exports the subscriptions report of the provider root
# (GET /v1/organizations/{root}/reports/subscriptions.csv) on PostgreSQL (release
# build) and prints rows per second and the server's peak resident memory
# (VmHWM from /proc/<pid>/status: before the export, i.e. after start-up, and
# after it), next to psql `\copy` of the same SELECT to CSV, in one run.
#
# usage: bench/reports.sh [N]      N organisations to seed (default 11500, about
#                                  100,000 subscriptions; 1140000 gives about 10,000,000)
# env:   BENCH_DATABASE (default partner_portal_reports_bench), PGHOST/PGPORT/PGUSER as
#        for psql, REUSE=1 to skip re-seeding an existing bench database, BENCH_BIN to
#        use a prebuilt binary. The server migrates the database and the token's first
#        use records a sign-in: never point it at a database that must stay read-only.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-11500}
DB=${BENCH_DATABASE:-partner_portal_reports_bench}
PORT=${BENCH_PORT:-18932}
source bench/common.sh

if [[ "${REUSE:-0}" != 1 ]]; then
  psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null
  psql_admin "CREATE DATABASE $DB" >/dev/null
  echo "== seeding $N organisations"
  "$BIN" seed --synthetic "$N" >/dev/null
  psql "$PGURL/$DB" -qAtX -c "ANALYZE" >/dev/null
fi

ROOT=$(psql "$PGURL/$DB" -qAtX -c "SELECT id FROM organizations WHERE parent_id IS NULL")
ROOT_PATH=$(psql "$PGURL/$DB" -qAtX -c "SELECT path FROM organizations WHERE id = '$ROOT'")
UPPER="${ROOT_PATH%?}0"
SUBS=$(psql "$PGURL/$DB" -qAtX -c "SELECT count(*) FROM subscriptions")
echo "root $ROOT; $SUBS subscriptions"

start_server
TOKEN=$(token_for)
HWM_BEFORE=$(hwm)

echo "== export through the API"
start=$(now)
curl -fsS -o "$WORK/api.csv" -H "Authorization: Bearer $TOKEN" \
  "http://$BIND/v1/organizations/$ROOT/reports/subscriptions.csv"
end=$(now)
HWM_AFTER=$(hwm)
API_ROWS=$(($(wc -l <"$WORK/api.csv") - 1))
API_S=$(echo "$end - $start" | bc)

echo "== psql \\copy of the same SELECT"
SELECT="SELECT s.id, s.customer_id, o.name, s.sku, s.description, s.quantity, s.assigned, s.unit_price_minor, \
s.currency, s.billing_cycle, s.renews_on, s.auto_renew, s.status, s.created_at, s.updated_at \
FROM subscriptions s JOIN organizations o ON o.id = s.customer_id \
WHERE s.customer_path >= '$ROOT_PATH' AND s.customer_path < '$UPPER' ORDER BY s.customer_path, s.id"
start=$(now)
psql "$PGURL/$DB" -qAtX -v ON_ERROR_STOP=1 -c "\\copy ($SELECT) TO '$WORK/copy.csv' WITH (FORMAT csv, HEADER)"
end=$(now)
COPY_ROWS=$(($(wc -l <"$WORK/copy.csv") - 1))
COPY_S=$(echo "$end - $start" | bc)

printf 'API export : %d rows in %.2f s = %.0f rows/s (%s bytes)\n' "$API_ROWS" "$API_S" \
  "$(echo "$API_ROWS / $API_S" | bc -l)" "$(stat -c %s "$WORK/api.csv")"
printf 'psql \\copy : %d rows in %.2f s = %.0f rows/s (%s bytes)\n' "$COPY_ROWS" "$COPY_S" \
  "$(echo "$COPY_ROWS / $COPY_S" | bc -l)" "$(stat -c %s "$WORK/copy.csv")"
printf 'API / \\copy throughput: %.2f\n' "$(echo "($API_ROWS / $API_S) / ($COPY_ROWS / $COPY_S)" | bc -l)"
echo "server peak RSS (VmHWM): ${HWM_BEFORE} kB after start-up, ${HWM_AFTER} kB after the export"
