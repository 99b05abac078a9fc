#!/usr/bin/env bash
# Webhooks under load (the webhooks issue's benchmark), on a fresh PostgreSQL
# database:
#   1. creates per second (wrk + bench/create.lua, customers under one partner,
#      CLIENTS connections, SECONDS_PER_RUN seconds) with the one endpoint at the
#      root disabled, then with it enabled, subscribed to `organization.created`
#      and answering 204 at once (bench/webhook_receiver.mjs), ROUNDS times
#      (default 2), each round's events all delivered before the next run;
#   2. how much slower the write path is with the endpoint (goal: < 10 %);
#   3. events delivered per second while they arrive, commit-to-receipt
#      p50/p99, and that each arrived exactly once.
#
# usage: bench/webhooks.sh
# env:   BENCH_DATABASE (default partner_portal_webhooks_bench), SECONDS_PER_RUN
#        (default 30), CLIENTS (default 8), ROUNDS (default 2), PGHOST/PGPORT/PGUSER as for psql,
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
node bench/webhook_receiver.mjs "$HOOK_PORT" &
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

# The endpoint exists throughout; runs without it have it disabled (the
# dispatcher then finds no subscriber), and runs alternate, so a change in the
# machine's load between runs shows in both columns.
ENDPOINT=$(api -d "{\"url\":\"http://127.0.0.1:$HOOK_PORT/hooks\",\"events\":[\"organization.created\"]}" \
  "http://$BIND/v1/organizations/$ROOT/webhook-endpoints" | field id)
enabled() {
  local etag
  etag=$(curl -fsS -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "http://$BIND/v1/webhook-endpoints/$ENDPOINT" |
    awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
  api -X PATCH -H "If-Match: $etag" -d "{\"enabled\":$1}" "http://$BIND/v1/webhook-endpoints/$ENDPOINT" >/dev/null
}
received() { curl -fsS "http://127.0.0.1:$HOOK_PORT/stats" | field count; }

enabled false
EXPECTED=0
WITHOUT=() WITH=()
for round in $(seq 1 "${ROUNDS:-2}"); do
  WITHOUT+=("$(creates plain$round$(date +%s))")
  echo "== round $round: creates/s without a subscribed endpoint: ${WITHOUT[-1]}"
  enabled true
  FROM=$(sql "SELECT count(*) FROM organizations")
  WITH+=("$(creates hooked$round$(date +%s))")
  EXPECTED=$(( EXPECTED + $(sql "SELECT count(*) FROM organizations") - FROM ))
  echo "== round $round: creates/s with one subscribed endpoint: ${WITH[-1]} ($EXPECTED changes to deliver so far)"
  for _ in $(seq 1 600); do
    [[ $(received) -ge $EXPECTED ]] && break
    sleep 1
  done
  enabled false
done
python3 -c "
b, a = [$(IFS=,; echo "${WITHOUT[*]}")], [$(IFS=,; echo "${WITH[*]}")]
mb, ma = sum(b) / len(b), sum(a) / len(a)
print(f'== mean creates/s: {mb:.0f} without, {ma:.0f} with: write path {100 * (mb - ma) / mb:+.1f} % slower (goal < 10 %)')"

curl -fsS "http://127.0.0.1:$HOOK_PORT/stats" | python3 -c "
import json, sys
s = json.load(sys.stdin)
span = s['busy_s'] or 1
print(f\"== delivered {s['count']} of $EXPECTED events ({s['distinct']} distinct webhook-ids): {s['count'] / span:.0f} events/s while arriving\")
print(f\"   commit to receipt: p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms\")"
