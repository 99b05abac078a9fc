#!/usr/bin/env bash
# The cost of the rate limits on PostgreSQL (release build): GET
# /v1/organizations/{id} and POST /v1/organizations req/s with the limits off
# (RATE_LIMITS_ENABLED=false: no counting, no fields) and on with quotas so high
# they never refuse (every request counted and its RateLimit fields written:
# the whole cost of a request that passes). Modes alternate over ROUNDS rounds
# on one server process each, so a busy machine's drift hits both; the median
# of the rounds is printed, then the limiter's own CPU per request
# (api/examples/rate_limit_cost.rs).
#
# usage: bench/rate_limits.sh [SECONDS]    (default 10 per measurement)
# env:   ROUNDS (default 3), BENCH_DATABASE (default partner_portal_rate),
#        PGHOST/PGPORT/PGUSER as for psql, BENCH_BIN to use a prebuilt binary.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-10}
ROUNDS=${ROUNDS:-3}
DB=${BENCH_DATABASE:-partner_portal_rate}
PORT=${BENCH_PORT:-18951}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
source bench/common.sh
non2xx() { awk '/Non-2xx/ {print $5}'; }

psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null
psql_admin "CREATE DATABASE $DB" >/dev/null
"$BIN" seed --synthetic 2000 >/dev/null
ROOT=$(sql "SELECT id FROM organizations WHERE parent_id IS NULL")
sql "SELECT id FROM organizations WHERE kind = 'partner' ORDER BY md5(id) LIMIT 200" >"$WORK/parents.txt"
TAG=rl$(date +%s)

declare -A GET POST
for round in $(seq 1 "$ROUNDS"); do
  for mode in off on; do
    if [[ $mode == on ]]; then export RATE_LIMITS_ENABLED=true; else export RATE_LIMITS_ENABLED=false; fi
    start_server
    TOKEN=$(token_for)
    TOKEN=$TOKEN wrk -t2 -c16 -d2s -s bench/auth.lua "http://$BIND/v1/organizations/$ROOT" >/dev/null
    TOKEN=$TOKEN wrk -t2 -c16 -d"${T}s" -s bench/auth.lua "http://$BIND/v1/organizations/$ROOT" >"$WORK/get.txt"
    TOKEN=$TOKEN PARENTS=$WORK/parents.txt TAG=${TAG}${mode}${round} \
      wrk -t2 -c8 -d"${T}s" -s bench/create.lua "http://$BIND" >"$WORK/post.txt"
    [[ -z $(non2xx <"$WORK/get.txt") && -z $(non2xx <"$WORK/post.txt") ]] \
      || { echo "non-2xx answers in round $round ($mode)"; cat "$WORK/get.txt" "$WORK/post.txt"; exit 1; }
    GET[$mode]+="$(rps <"$WORK/get.txt") "
    POST[$mode]+="$(rps <"$WORK/post.txt") "
    echo "round $round, limits $mode: GET $(rps <"$WORK/get.txt") req/s, POST $(rps <"$WORK/post.txt") req/s"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  done
done
trap 'rm -rf "$WORK"' EXIT
python3 - "${GET[off]}" "${GET[on]}" "${POST[off]}" "${POST[on]}" <<'PY'
import statistics, sys
g_off, g_on, p_off, p_on = (statistics.median(map(float, a.split())) for a in sys.argv[1:])
print(f"GET  /v1/organizations/{{id}}: off {g_off:.0f} req/s, on {g_on:.0f} req/s ({(g_on - g_off) / g_off:+.1%}; goal > -5 %)")
print(f"POST /v1/organizations:      off {p_off:.0f} req/s, on {p_on:.0f} req/s ({(p_on - p_off) / p_off:+.1%}; goal > -10 %)")
PY
psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null
# The limiter's own CPU, which the noise of a busy machine can hide.
cargo run --release -q -p api --example rate_limit_cost
