#!/usr/bin/env bash
# Seeds N synthetic organisations (with ~10 subscriptions per customer) on
# PostgreSQL (release build) and measures: seed time; median latency of
# GET /v1/organizations/{id}, the first and a deep page of /descendants, the
# customer summary, the subtree subscription list and the dashboard, for the root
# and for a reseller at depth 6; and the SQL statements each request sends (from
# PostgreSQL's statement log).
#
# usage: bench/organizations.sh [N]        (default 1000000)
# env:   BENCH_DATABASE (default partner_portal_bench), PGHOST/PGPORT/PGUSER as for psql,
#        REUSE=1 to skip re-seeding an existing bench database, BENCH_BIN to use a prebuilt binary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DB=${BENCH_DATABASE:-partner_portal_bench}
PORT=${BENCH_PORT:-18931}
source bench/common.sh

if [[ "${REUSE:-0}" != 1 ]]; then
  psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null
  psql_admin "CREATE DATABASE $DB" >/dev/null
  echo "== seeding $N organisations"
  start=$(now)
  "$BIN" seed --synthetic "$N" | tee "$WORK/seed.txt"
  end=$(now)
  printf 'seed: %.1f s wall clock (%s organisations)\n' "$(echo "$end - $start" | bc)" "$N"
  psql "$PGURL/$DB" -qAtX -c "ANALYZE" >/dev/null
  cp "$WORK/seed.txt" "target/bench-seed-$DB.txt"
else
  cp "target/bench-seed-$DB.txt" "$WORK/seed.txt"
fi

ROOT=$(psql "$PGURL/$DB" -qAtX -c "SELECT id FROM organizations WHERE parent_id IS NULL")
DEEP=$(sed -n 's/^depth-6 reseller: \([0-9a-f-]*\).*/\1/p' "$WORK/seed.txt")
DEEP_ADMIN=$(sed -n 's/.*admin: \(.*\)$/\1/p' "$WORK/seed.txt")
DEEP_CUSTOMER=$(psql "$PGURL/$DB" -qAtX -c "SELECT id FROM organizations WHERE path > (SELECT path FROM organizations WHERE id = '$DEEP') AND path < (SELECT left(path, -1) || '0' FROM organizations WHERE id = '$DEEP') AND kind = 'customer' LIMIT 1")
echo "root $ROOT; depth-6 reseller $DEEP ($(psql "$PGURL/$DB" -qAtX -c "SELECT count(*) FROM organizations") rows in total)"

start_server
ROOT_TOKEN=$(token_for)
DEEP_TOKEN=$(token_for "$DEEP_ADMIN")
ROOT_DEEP_CURSOR=$(python3 bench/cursor_at.py "$BIND" "$ROOT_TOKEN" "/v1/organizations/$ROOT/descendants?limit=50" 200)
DEEP_DEEP_CURSOR=$(python3 bench/cursor_at.py "$BIND" "$DEEP_TOKEN" "/v1/organizations/$DEEP/descendants?limit=50" 20)

echo "== latency (200 sequential requests each, one keep-alive connection)"
echo "root admin:"
python3 bench/latency.py "$BIND" "$ROOT_TOKEN" 200 \
  "/v1/organizations/$ROOT" \
  "/v1/organizations/$DEEP_CUSTOMER" \
  "/v1/organizations/$ROOT/descendants?limit=50" \
  "/v1/organizations/$ROOT/descendants?limit=50&cursor=$ROOT_DEEP_CURSOR" \
  "/v1/organizations/$ROOT/descendants?limit=50&kind=partner&q=reseller%2012"
echo "customers, subscriptions, dashboard (root admin):"
python3 bench/latency.py "$BIND" "$ROOT_TOKEN" 50 \
  "/v1/organizations/$ROOT/customers?limit=50" \
  "/v1/organizations/$ROOT/subscriptions?limit=50" \
  "/v1/organizations/$ROOT/subscriptions?limit=50&status=active&sku=M365_E5" \
  "/v1/organizations/$ROOT/dashboard"
echo "depth-6 reseller admin:"
python3 bench/latency.py "$BIND" "$DEEP_TOKEN" 200 \
  "/v1/organizations/$DEEP" \
  "/v1/organizations/$DEEP_CUSTOMER" \
  "/v1/organizations/$DEEP/descendants?limit=50" \
  "/v1/organizations/$DEEP/descendants?limit=50&cursor=$DEEP_DEEP_CURSOR" \
  "/v1/organizations/$DEEP/customers?limit=50" \
  "/v1/organizations/$DEEP/subscriptions?limit=50" \
  "/v1/organizations/$DEEP/dashboard"

echo "== SQL statements per request (PostgreSQL statement log)"
LOG=/var/log/postgresql/postgresql-15-main.log
if [[ -r $LOG ]]; then
  psql_admin "ALTER SYSTEM SET log_statement = 'all'" >/dev/null; psql_admin "SELECT pg_reload_conf()" >/dev/null
  sleep 0.5
  count() {
    local before after
    before=$(wc -l <"$LOG")
    curl -fs -o /dev/null "http://$BIND$2" -H "Authorization: Bearer $1"
    sleep 0.3
    after=$(tail -n +"$((before + 1))" "$LOG" | grep -c -E "LOG:  (statement|execute)" || true)
    pings=$(tail -n +"$((before + 1))" "$LOG" | grep -E "LOG:  (statement|execute)" | grep -c -E "SELECT 1$" || true)
    echo "  $((after - pings)) queries (+ $pings pool checkout pings)   GET $2"
  }
  count "$ROOT_TOKEN" "/v1/organizations/$DEEP_CUSTOMER"
  count "$ROOT_TOKEN" "/v1/organizations/$ROOT/descendants?limit=50"
  count "$ROOT_TOKEN" "/v1/organizations/$ROOT/descendants?limit=50&cursor=$ROOT_DEEP_CURSOR"
  count "$DEEP_TOKEN" "/v1/organizations/$DEEP/descendants?limit=50"
  count "$ROOT_TOKEN" "/v1/organizations/$ROOT/customers?limit=50"
  count "$ROOT_TOKEN" "/v1/organizations/$ROOT/subscriptions?limit=50"
  count "$ROOT_TOKEN" "/v1/organizations/$ROOT/dashboard"
  psql_admin "ALTER SYSTEM RESET log_statement" >/dev/null; psql_admin "SELECT pg_reload_conf()" >/dev/null
else
  echo "  (PostgreSQL log $LOG not readable: skipped)"
fi
