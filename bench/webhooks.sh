#!/usr/bin/env bash
# Webhooks under load (the webhooks issue's benchmark), on a fresh PostgreSQL
# database:
#   1. creates per second without any endpoint (wrk + bench/create.lua, customers
#      under one partner, CLIENTS connections, SECONDS_PER_RUN seconds);
#   2. the same with one endpoint at the root subscribed to
#      `organization.created`, answering 204 at once (bench/webhook_receiver.py);
#      how much slower the write path is (goal: < 10 %);
#   3. until every event of run 2 arrived: events delivered per second (first to
#      last receipt), commit-to-receipt p50/p99, and that each arrived exactly once.
#
# usage: bench/webhooks.sh
# env:   BENCH_DATABASE (default partner_portal_webhooks_bench), SECONDS_PER_RUN
#        (default 30), CLIENTS (default 8), PGHOST/PGPORT/PGUSER as for psql,
#        BENCH_BIN to use a prebuilt binary (e.g. target/debug/partner-portal).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${BENCH_DATABASE:-partner_portal_webhooks_bench}
PORT=${BENCH_PORT:-18941}
HOOK_PORT=${BENCH_HOOK_PORT:-18942}
T=${SECONDS_PER_RUN:-30}
C=${CLIENTS:-8}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
source bench/common.sh
export WEBHOOK_ALLOW_PRIVATE_TARGETS=true
sql() { psql "$PGURL/$DB" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
rps() { awk '/Requests\/sec/ {print $2}'; }
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }

psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null
psql_admin "CREATE DATABASE $DB" >/dev/null
start_server
python3 bench/webhook_receiver.py "$HOOK_PORT" &
RECEIVER=$!
trap 'kill $SERVER $RECEIVER 2>/dev/null; rm -rf "$WORK"' EXIT
TOKEN=$(token_for)
ROOT=$(sql "SELECT id FROM organizations WHERE parent_id IS NULL")
PARTNER=$(api -d "{\"parent_id\":\"$ROOT\",\"kind\":\"partner\",\"name\":\"Bench Partner\"}" "http://$BIND/v1/organizations" | field id)
echo "$PARTNER" >"$WORK/parents.txt"
echo "uptime: $(uptime); binary: $BIN; $C clients, $T s per run"

creates() {
  sql "CHECKPOINT" >/dev/null
  TOKEN=$TOKEN PARENTS=$WORK/parents.txt TAG="$1" wrk -t$((C < 2 ? 1 : 2)) -c"$C" -d"${T}s" -s bench/create.lua "http://$BIND" | rps
}

BEFORE=$(creates plain$(date +%s))
echo "== creates/s without an endpoint: $BEFORE"

api -d "{\"url\":\"http://127.0.0.1:$HOOK_PORT/hooks\",\"events\":[\"organization.created\"]}" \
  "http://$BIND/v1/organizations/$ROOT/webhook-endpoints" >/dev/null
FROM=$(sql "SELECT count(*) FROM organizations")
AFTER=$(creates hooked$(date +%s))
EXPECTED=$(( $(sql "SELECT count(*) FROM organizations") - FROM ))
echo "== creates/s with one subscribed endpoint: $AFTER ($EXPECTED changes)"
python3 -c "b, a = $BEFORE, $AFTER; print(f'   write path {100 * (b - a) / b:+.1f} % slower (goal < 10 %)')"

for _ in $(seq 1 600); do
  GOT=$(curl -fsS "http://127.0.0.1:$HOOK_PORT/stats" | field count)
  [[ $GOT -ge $EXPECTED ]] && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$HOOK_PORT/stats" | python3 -c "
import json, sys
s = json.load(sys.stdin)
span = (s['last'] - s['first']) or 1
print(f\"== delivered {s['count']} of $EXPECTED events ({s['distinct']} distinct webhook-ids): {s['count'] / span:.0f} events/s\")
print(f\"   commit to receipt: p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms\")"
