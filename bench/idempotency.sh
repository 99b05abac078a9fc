#!/usr/bin/env bash
# The cost of Idempotency-Key (release build, PostgreSQL): POST
# /v1/organizations requests per second without a key and with a fresh key per
# request (wrk + bench/create.lua, each create under another reseller), and GET
# /v1/organizations/{id} for comparison (a GET never touches the key table).
# Runs alternate (without, with, without, with …) so drift hits both; the
# median of ROUNDS runs each is reported.
#
# usage: bench/idempotency.sh
# env:   N (organisations to seed, default 20000), ROUNDS (default 3),
#        SECONDS_PER_RUN (default 10), CLIENTS (default 8), BENCH_DATABASE
#        (default partner_portal_idem), PGHOST/PGPORT/PGUSER as for psql,
#        BENCH_BIN to use a prebuilt binary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}
ROUNDS=${ROUNDS:-3}
T=${SECONDS_PER_RUN:-10}
C=${CLIENTS:-8}
DB=${BENCH_DATABASE:-partner_portal_idem}
PORT=${BENCH_PORT:-18937}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
source bench/common.sh
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null
psql_admin "CREATE DATABASE $DB" >/dev/null
"$BIN" seed --synthetic "$N" >/dev/null
sql "ANALYZE" >/dev/null
start_server
TOKEN=$(token_for)
ROOT=$(sql "SELECT id FROM organizations WHERE parent_id IS NULL")
sql "SELECT id FROM organizations WHERE kind = 'partner' ORDER BY md5(id) LIMIT 500" >"$WORK/parents.txt"
TAG=i$(date +%s)

echo "== POST /v1/organizations and GET /v1/organizations/{id}, $C connections, $T s per run, $ROUNDS rounds (nproc $(nproc); $(uptime | sed 's/.*load/load/'))"
for r in $(seq 1 "$ROUNDS"); do
  for keyed in 0 1; do
    sql "CHECKPOINT" >/dev/null
    TOKEN=$TOKEN PARENTS=$WORK/parents.txt TAG=${TAG}r${r}k$keyed KEYED=$keyed \
      wrk -t2 -c"$C" -d"${T}s" -s bench/create.lua "http://$BIND" | rps >>"$WORK/post-$keyed.txt"
  done
  TOKEN=$TOKEN wrk -t2 -c"$C" -d"${T}s" -s bench/auth.lua "http://$BIND/v1/organizations/$ROOT" | rps >>"$WORK/get.txt"
done
KEYS=$(sql "SELECT count(*) FROM idempotency_requests")
WITHOUT=$(median <"$WORK/post-0.txt")
WITH=$(median <"$WORK/post-1.txt")
GET=$(median <"$WORK/get.txt")
echo "POST without a key: $WITHOUT req/s (runs: $(paste -sd' ' "$WORK/post-0.txt"))"
echo "POST with a fresh key: $WITH req/s (runs: $(paste -sd' ' "$WORK/post-1.txt")); $KEYS keys stored"
python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'cost of the key: {100 * (a - b) / a:.1f} % of POST req/s')" "$WITHOUT" "$WITH"
echo "GET /v1/organizations/{id}: $GET req/s (runs: $(paste -sd' ' "$WORK/get.txt"))"
