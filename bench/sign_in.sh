#!/usr/bin/env bash
# Local sign-in on the release build, PostgreSQL: sign-in latency (p50/p99) and
# sign-ins per second at 8 concurrent clients with the shipped Argon2id
# parameters (19 MiB, 2 iterations, 1 lane), and GET /v1/organizations/{id}
# p99 alone and while those sign-ins run (hashing must stay off the workers).
#
# usage: bench/sign_in.sh [SECONDS]        (default 20 per measurement)
# env:   BENCH_DATABASE (default partner_portal_sign_in), PGHOST/PGPORT/PGUSER as
#        for psql, BENCH_BIN to use a prebuilt binary.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-20}
DB=${BENCH_DATABASE:-partner_portal_sign_in}
PORT=${BENCH_PORT:-18941}
source bench/common.sh
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
export MAIL_DIR="$WORK/mail" PUBLIC_RATE_LIMIT_PER_MINUTE=100000000
EMAIL=${BOOTSTRAP_ADMIN_EMAIL:-admin@contoso-cloud.example}
PASSWORD="bench sign-in passphrase"

psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null
psql_admin "CREATE DATABASE $DB" >/dev/null
trap 'psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT
start_server
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"; psql_admin "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT

# Give the bootstrap admin a password through the reset flow (the mail is an .eml file).
curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\"}" "http://$BIND/v1/password-resets"
LINK=""
for _ in $(seq 1 50); do
  LINK=$(grep -rhoE "http://[^ ]*/v1/password-resets/[A-Za-z0-9_-]{40,}" "$MAIL_DIR" 2>/dev/null | head -1 || true)
  [[ -n "$LINK" ]] && break
  sleep 0.2
done
[[ -n "$LINK" ]] || { echo "no reset mail arrived" >&2; exit 1; }
curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' -d "{\"password\":\"$PASSWORD\"}" "$LINK"
# Tokens issued in the second of a password change are revoked with it.
sleep 1.1
TOKEN=$(token_for)
ROOT=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://$BIND/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["home_organization_id"])')

pct() { awk -v p="$1" '$1 == p {print $2}' "$2"; }

echo "== Argon2id m=19456 KiB, t=2, p=1; $(nproc) cores; ${T}s per measurement"
EMAIL=$EMAIL PASSWORD=$PASSWORD wrk -t2 -c8 -d"${T}s" --latency -s bench/sign_in.lua "http://$BIND/v1/sessions" >"$WORK/sign_in.txt"
grep -q "Non-2xx" "$WORK/sign_in.txt" && { cat "$WORK/sign_in.txt"; echo "sign-ins failed" >&2; exit 1; }
echo "sign-in, 8 clients: p50 $(pct 50% "$WORK/sign_in.txt"), p99 $(pct 99% "$WORK/sign_in.txt"), $(rps <"$WORK/sign_in.txt") sign-ins/s"

TOKEN=$TOKEN wrk -t1 -c4 -d"${T}s" --latency -s bench/auth.lua "http://$BIND/v1/organizations/$ROOT" >"$WORK/get_alone.txt"
echo "GET org, 4 clients, alone: p50 $(pct 50% "$WORK/get_alone.txt"), p99 $(pct 99% "$WORK/get_alone.txt"), $(rps <"$WORK/get_alone.txt") req/s"

EMAIL=$EMAIL PASSWORD=$PASSWORD wrk -t2 -c8 -d"${T}s" --latency -s bench/sign_in.lua "http://$BIND/v1/sessions" >"$WORK/sign_in_bg.txt" &
LOAD=$!
sleep 1
TOKEN=$TOKEN wrk -t1 -c4 -d"$((T - 2))s" --latency -s bench/auth.lua "http://$BIND/v1/organizations/$ROOT" >"$WORK/get_loaded.txt"
wait $LOAD
echo "GET org, 4 clients, with 8 signing in: p50 $(pct 50% "$WORK/get_loaded.txt"), p99 $(pct 99% "$WORK/get_loaded.txt"), $(rps <"$WORK/get_loaded.txt") req/s (sign-ins meanwhile: $(rps <"$WORK/sign_in_bg.txt")/s)"
