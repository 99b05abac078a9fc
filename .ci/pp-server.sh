# shellcheck shell=bash
# Start and stop a throw-away partner-portal server for the contract steps
# (sourced by .ci/run and .ci/readme-examples).
#
#   pp_server_start DIR        `serve --demo` with DIR as its working folder: the
#                              default SQLite file, signing key and mail folder
#                              land there; a free port on 127.0.0.1. Sets
#                              PP_SERVER_PID, PP_BASE_URL and PP_SERVER_ENV (the
#                              BIND and PUBLIC_URL a command needs to sign tokens
#                              this server accepts: `env "${PP_SERVER_ENV[@]}" …`).
#   pp_server_stop             SIGTERM, then SIGKILL after 5 s.
#
# Needs PP_BIN (the binary) and python3 (to pick a free port).

PP_SERVER_PID=
PP_BASE_URL=
PP_SERVER_ENV=()

pp_server_start() {
  local dir=$1 port i
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  PP_BASE_URL=http://127.0.0.1:$port
  PP_SERVER_ENV=("BIND=127.0.0.1:$port" "PUBLIC_URL=$PP_BASE_URL")
  # CI resolves no outside host names: webhook URLs are not looked up. No drain
  # period on stop: nothing balances load onto this server.
  (cd "$dir" && exec env "${PP_SERVER_ENV[@]}" WEBHOOK_ALLOW_PRIVATE_TARGETS=true SHUTDOWN_DRAIN_SECS=0 \
    RUST_LOG="${RUST_LOG:-warn}" "$PP_BIN" serve --demo) >"$dir/server.log" 2>&1 </dev/null &
  PP_SERVER_PID=$!
  for ((i = 0; i < 120; i++)); do
    if ! kill -0 "$PP_SERVER_PID" 2>/dev/null; then
      tail -n 40 "$dir/server.log" >&2
      echo "ERROR: the server exited before it was ready" >&2
      return 1
    fi
    curl -fsS -o /dev/null --max-time 2 "$PP_BASE_URL/readyz" 2>/dev/null && return 0
    sleep 0.5
  done
  tail -n 40 "$dir/server.log" >&2
  echo "ERROR: the server was not ready at $PP_BASE_URL/readyz within 60 s" >&2
  return 1
}

pp_server_stop() {
  [[ -n $PP_SERVER_PID ]] || return 0
  if kill -0 "$PP_SERVER_PID" 2>/dev/null; then
    kill "$PP_SERVER_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$PP_SERVER_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$PP_SERVER_PID" 2>/dev/null || true
  fi
  wait "$PP_SERVER_PID" 2>/dev/null || true
  PP_SERVER_PID=
}
