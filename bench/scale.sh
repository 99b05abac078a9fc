#!/usr/bin/env bash
# The write-path and read-path figures of the scaling issue, in one run, as
# ratios to PostgreSQL itself (release build, PostgreSQL, an already seeded
# database: bench/organizations.sh N leaves one):
#   - creates per second at 1, 8 and 32 clients, each create under a reseller of
#     another subtree (wrk + bench/create.lua), and pgbench running the same two
#     INSERTs (organisation and audit row, bench/create_plain.sql) at 32 clients;
#   - creates per second with two `serve` replicas on the same database, 16
#     clients each;
#   - p99 of a create while a billing run of the whole tree is in progress;
#   - the root dashboard's median;
#   - GET /v1/organizations/{id} requests per second at 16 connections, p50 and
#     p99, and pgbench running the statements that request sends (read from
#     PostgreSQL's log), and their ratio;
#   - the median of a name search (`q`) over the whole tree.
# A CHECKPOINT precedes every 20 s run.
#
# usage: bench/scale.sh
# env:   BENCH_DATABASE (default partner_portal_bench), SECONDS_PER_RUN (default 20),
#        PGHOST/PGPORT/PGUSER as for psql, BENCH_BIN to use a prebuilt binary.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${BENCH_DATABASE:-partner_portal_bench}
PORT=${BENCH_PORT:-18935}
T=${SECONDS_PER_RUN:-20}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v pgbench >/dev/null || { echo "pgbench is missing (postgresql-client)"; exit 1; }
source bench/common.sh
checkpoint() { sql "CHECKPOINT" >/dev/null; }
pct() { awk -v p="$1" '$1 == p {print $2}'; }

ROOT=$(sql "SELECT id FROM organizations WHERE parent_id IS NULL")
echo "root $ROOT; $(sql "SELECT count(*) FROM organizations") organisations, $(sql "SELECT count(*) FROM subscriptions") subscriptions; uptime: $(uptime)"
start_server
TOKEN=$(token_for)
ACTOR=$(sql "SELECT id FROM operators WHERE email = 'admin@contoso-cloud.example' LIMIT 1")
TAG=r$(date +%s)

# Resellers spread over the tree, one per line, for both wrk and pgbench.
sql "SELECT id FROM organizations WHERE kind = 'partner' ORDER BY md5(id) LIMIT 500" >"$WORK/parents.txt"
sql "DROP TABLE IF EXISTS perf_parents; CREATE TABLE perf_parents (n serial, id text);
     DROP TABLE IF EXISTS perf_audit_events; CREATE TABLE perf_audit_events (LIKE audit_events INCLUDING DEFAULTS)" >/dev/null
psql "$PGURL/$DB" -qAtX -c "\\copy perf_parents (id) FROM '$WORK/parents.txt'"
NPARENTS=$(wc -l <"$WORK/parents.txt")

echo "== creates (POST /v1/organizations, $T s each)"
declare -A CREATES
for c in 1 8 32; do
  checkpoint
  CREATES[$c]=$(TOKEN=$TOKEN PARENTS=$WORK/parents.txt TAG=${TAG}c$c wrk -t$((c < 2 ? 1 : 2)) -c$c -d${T}s -s bench/create.lua "http://$BIND" | rps)
  echo "  $c clients: ${CREATES[$c]} creates/s"
done
checkpoint
PGB_CREATE=$(pgbench -M prepared -c32 -j2 -T"$T" -n -f bench/create_plain.sql -D actor="$ACTOR" -D nparents="$NPARENTS" "$PGURL/$DB" 2>/dev/null | awk '/^tps/ {print $3; exit}')
echo "  pgbench, the same two INSERTs without the API, 32 clients: $PGB_CREATE tps"
sql "DROP TABLE perf_parents; DROP TABLE perf_audit_events" >/dev/null
python3 - "${CREATES[1]}" "${CREATES[32]}" "$PGB_CREATE" <<'PY'
import sys
one, many, pg = map(float, sys.argv[1:])
print(f"  32 clients ÷ 1 client: {many / one:.2f} (goal ≥ 4);  API ÷ pgbench at 32: {many / pg:.2f} (goal ≥ 0.5)")
PY

echo "== two replicas on this PostgreSQL, 16 clients each, $T s"
BIND2=127.0.0.1:$((PORT + 1))
# Replicas share the signing key (DATA_DIR) and PUBLIC_URL, the tokens' issuer.
PUBLIC_URL=http://$BIND BIND=$BIND2 "$BIN" serve >"$WORK/serve2.log" 2>&1 &
SERVER2=$!
trap 'kill $SERVER $SERVER2 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "http://$BIND2/readyz" >/dev/null && break; sleep 0.2; done
checkpoint
LOADS=()
for b in "$BIND" "$BIND2"; do
  TOKEN=$TOKEN PARENTS=$WORK/parents.txt TAG=${TAG}r${b##*:} wrk -t1 -c16 -d${T}s -s bench/create.lua "http://$b" >"$WORK/replica-${b##*:}.txt" &
  LOADS+=($!)
done
wait "${LOADS[@]}"
kill "$SERVER2"; wait "$SERVER2" 2>/dev/null || true
grep -h "Non-2xx" "$WORK"/replica-*.txt && echo "  (some creates failed: the figures below count them)"
python3 - "$WORK/replica-${BIND##*:}.txt" "$WORK/replica-${BIND2##*:}.txt" "${CREATES[32]}" <<'PY'
import re, sys
a, b = (float(re.search(r"Requests/sec:\s*([\d.]+)", open(f).read()).group(1)) for f in sys.argv[1:3])
print(f"  {a:.0f} + {b:.0f} = {a + b:.0f} creates/s (one replica at 32 clients: {float(sys.argv[3]):.0f})")
PY

echo "== a create's p99 while the root is billed"
PERIOD=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
RUN=$(curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"period\":\"$PERIOD\"}" "http://$BIND/v1/organizations/$ROOT/billing-runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
sleep 2
TOKEN=$TOKEN PARENTS=$WORK/parents.txt TAG=${TAG}b wrk -t1 -c4 -d${T}s --latency -s bench/create.lua "http://$BIND" >"$WORK/during.txt"
echo "  p50 $(pct 50% <"$WORK/during.txt"), p99 $(pct 99% <"$WORK/during.txt") (goal p99 ≤ 50 ms)"
# The rest measures a quiet server: the run ends and the rollup folder catches up first.
for _ in $(seq 1 1200); do
  BODY=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://$BIND/v1/billing-runs/$RUN")
  case "$BODY" in *'"status":"succeeded"'* | *'"status":"failed"'*) break ;; esac
  sleep 0.5
done
echo "  the run: $BODY"
for _ in $(seq 1 240); do
  [[ $(sql "SELECT count(*) FROM rollup_deltas") -lt 1000 ]] && break
  sleep 0.5
done

echo "== root dashboard and name search (median of sequential requests)"
python3 bench/latency.py "$BIND" "$TOKEN" 50 \
  "/v1/organizations/$ROOT/dashboard" \
  "/v1/organizations/$ROOT/descendants?limit=50&q=reseller%2012"

echo "== GET /v1/organizations/{id}, 16 connections, $T s each"
TARGET=$(sed -n 7p "$WORK/parents.txt")
LOG=/var/log/postgresql/postgresql-15-main.log
if [[ -r $LOG ]]; then
  sql "ALTER DATABASE $DB SET log_statement = 'all'" >/dev/null
  # A fresh connection picks the setting up: restart the server.
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  start_server
  curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "http://$BIND/v1/organizations/$TARGET"
  before=$(wc -l <"$LOG")
  curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "http://$BIND/v1/organizations/$TARGET"
  sleep 0.5
  tail -n +"$((before + 1))" "$LOG" >"$WORK/request.log"
  sql "ALTER DATABASE $DB RESET log_statement" >/dev/null
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  start_server
  # The log holds every database's and every pooled connection's statements: keep
  # only the backend that served the request, the one that bound the target's id.
  REQUEST_PID=$(grep -F "@$DB " "$WORK/request.log" | grep -F "= '$TARGET'" | sed -nE '1s/^[^[]*\[([0-9]+)\].*/\1/p')
  [[ -n $REQUEST_PID ]] || { echo "  no statement of the request in $LOG"; exit 1; }
  python3 bench/pg_replay.py "$WORK/request.log" "$REQUEST_PID" >"$WORK/getorg.sql"
  echo "  the request sends $(grep -c ';' "$WORK/getorg.sql") statements on backend $REQUEST_PID:"
  sed 's/^/    /' "$WORK/getorg.sql"
  checkpoint
  PGB_GET=$(pgbench -M prepared -c16 -j2 -T"$T" -n -f "$WORK/getorg.sql" "$PGURL/$DB" 2>/dev/null | awk '/^tps/ {print $3; exit}')
else
  PGB_GET=
  echo "  ($LOG not readable: no pgbench comparison)"
fi
checkpoint
TOKEN=$TOKEN wrk -t2 -c16 -d${T}s --latency -s bench/auth.lua "http://$BIND/v1/organizations/$TARGET" >"$WORK/get.txt"
GET=$(rps <"$WORK/get.txt")
echo "  API: $GET req/s, p50 $(pct 50% <"$WORK/get.txt"), p99 $(pct 99% <"$WORK/get.txt"); pgbench: ${PGB_GET:-n/a} tps"
[[ -n $PGB_GET ]] && python3 -c "import sys; print(f'  API ÷ pgbench: {float(sys.argv[1]) / float(sys.argv[2]):.2f} (goal ≥ 0.6)')" "$GET" "$PGB_GET"
echo "uptime: $(uptime)"
