# Set-up shared by the bench scripts; sourced, not run. The script sets DB (the
# database name) and PORT first. Builds the release binary unless BENCH_BIN names one.
PGURL="postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}"
BIN=${BENCH_BIN:-target/release/partner-portal}
WORK=$(mktemp -d)
export DATABASE_URL="$PGURL/$DB" DATA_DIR="$WORK/data" BIND="127.0.0.1:$PORT" RUST_LOG=warn
# Load from one address and a few tokens: quotas the benches never meet, unless set.
export RATE_LIMIT_PER_MINUTE=${RATE_LIMIT_PER_MINUTE:-1000000000} PUBLIC_RATE_LIMIT_PER_MINUTE=${PUBLIC_RATE_LIMIT_PER_MINUTE:-1000000000}
psql_admin() { psql "$PGURL/postgres" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
sql() { psql "$PGURL/$DB" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
# Requests per second from wrk's output on stdin.
rps() { awk '/Requests\/sec/ {print $2}'; }
now() { date +%s.%N; }

[[ -n "${BENCH_BIN:-}" ]] || cargo build --release -q -p api

# Starts the server on $DB and waits until it is ready; on exit, stops it and
# removes $WORK.
start_server() {
  "$BIN" serve >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 1 100); do curl -fs "http://$BIND/readyz" >/dev/null && break; sleep 0.2; done
}

# A token for `$1` (default: the provider's bootstrap admin), its sign-in
# recorded, so that write does not fall inside a measurement.
token_for() {
  local token
  token=$("$BIN" token --email "${1:-${BOOTSTRAP_ADMIN_EMAIL:-admin@contoso-cloud.example}}")
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "http://$BIND/v1/me"
  echo "$token"
}

# The server's peak resident memory so far, in kB.
hwm() { awk '/VmHWM/ {print $2}' "/proc/$SERVER/status"; }
