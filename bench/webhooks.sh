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
# CPU ticks of the server (all its threads) and of the database's backends:
# what a create costs, whatever else runs on the machine (on 2 shared cores
# the creates/s of consecutive runs can differ by half).
ticks() {
  local pids
  pids="$SERVER $(sql "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE datname = '$DB'")"
  for p in $pids; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done | awk '{s += $1} END {print s}'
}
orgs() { sql "SELECT count(*) FROM organizations"; }
# Runs creates, then (for a run with the endpoint) waits until all its events
# have arrived; sets RATE (creates/s) and CPU (CPU ms per create, delivery included).
measure() {
  local t0 n0
  t0=$(ticks) n0=$(orgs)
  RATE=$(creates "$1$(date +%s)")
  EXPECTED=$(( EXPECTED + ($2 ? $(orgs) - n0 : 0) ))
  if (( $2 )); then
    for _ in $(seq 1 600); do
      [[ $(received) -ge $EXPECTED ]] && break
      sleep 1
    done
  fi
  CPU=$(python3 -c "print(f'{($(ticks) - $t0) * 1000 / $(getconf CLK_TCK) / max(1, $(orgs) - $n0):.2f}')")
}

enabled false
EXPECTED=0
WITHOUT=() WITH=() CPU_WITHOUT=() CPU_WITH=()
for round in $(seq 1 "${ROUNDS:-2}"); do
  measure plain$round 0
  WITHOUT+=("$RATE") CPU_WITHOUT+=("$CPU")
  echo "== round $round without a subscribed endpoint: $RATE creates/s, $CPU CPU ms per create"
  enabled true
  measure hooked$round 1
  WITH+=("$RATE") CPU_WITH+=("$CPU")
  echo "== round $round with one subscribed endpoint: $RATE creates/s, $CPU CPU ms per create and its delivery"
  enabled false
done
python3 -c "
b, a = [$(IFS=,; echo "${WITHOUT[*]}")], [$(IFS=,; echo "${WITH[*]}")]
cb, ca = [$(IFS=,; echo "${CPU_WITHOUT[*]}")], [$(IFS=,; echo "${CPU_WITH[*]}")]
mb, ma = sum(b) / len(b), sum(a) / len(a)
print(f'== mean creates/s: {mb:.0f} without, {ma:.0f} with: write path {100 * (mb - ma) / mb:+.1f} % slower (goal < 10 %)')
mcb, mca = sum(cb) / len(cb), sum(ca) / len(ca)
print(f'== mean CPU per create: {mcb:.2f} ms without, {mca:.2f} ms with its delivery: {100 * (mca - mcb) / mcb:+.1f} %')"

curl -fsS "http://127.0.0.1:$HOOK_PORT/stats" | python3 -c "
import json, sys
s = json.load(sys.stdin)
span = s['busy_s'] or 1
print(f\"== delivered {s['count']} of $EXPECTED events ({s['distinct']} distinct webhook-ids): {s['count'] / span:.0f} events/s while arriving\")
print(f\"   commit to receipt: p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms\")"
