#!/usr/bin/env bash
# Runs every property-based fuzz target with a large case count (not in CI's
# time budget): the parsers in `domain` (tenant domain, work e-mail, display
# name, period), the cursor, the JSON body checks, and the generated request
# bodies of the five busiest JSON operations and the CSV import through the
# application in process (no panic, no 5xx).
#
#   bench/fuzz.sh            # 20,000 cases per target
#   PROPTEST_CASES=200000 bench/fuzz.sh
#
# A failure prints the shrunk input that broke it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
JOBS="${JOBS:-2}"
echo "fuzzing with PROPTEST_CASES=$PROPTEST_CASES"
cargo test -j "$JOBS" --release -p domain --lib -- fuzz:: properties:: parsed_names_keep_their_promises
cargo test -j "$JOBS" --release -p api --lib -- json_body::tests::scanning_never_panics pagination::tests::cursors
cargo test -j "$JOBS" --release -p api --test fuzz_bodies
