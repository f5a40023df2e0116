#!/usr/bin/env bash
# Runs test binaries with the process clock moved to another date, to prove that nothing compared
# or snapshotted depends on the wall-clock date (docs/ARCHITECTURE.md, "Time").
#
#   scripts/test-on-date.sh 'YYYY-MM-DD HH:MM:SS' CARGO_TEST_ARGS...
#   scripts/test-on-date.sh '2031-03-17 12:00:00' -p pnt-reference-server --test api
#
# Needs Debian's `faketime`. The binaries are built first, under the real clock, and then run
# under faketime: rustc itself must not run under libfaketime (it deadlocks at start-up there).
# The clock starts at the date and runs on (`@`); the monotonic clock, which timers and time-outs
# use, is left alone.
set -euo pipefail
when=$1
shift
cd "$(dirname "$0")/.."
cargo test --locked --no-run "$@"
mapfile -t binaries < <(cargo test --locked --no-run --message-format=json "$@" 2>/dev/null \
  | python3 -c '
import json, os, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["profile"]["test"]:
        print(os.path.dirname(msg["manifest_path"]) + "\t" + msg["executable"])
')
if [ "${#binaries[@]}" -eq 0 ]; then
  echo "test-on-date: cargo test $* built no test binary" >&2
  exit 2
fi
for entry in "${binaries[@]}"; do
  dir=${entry%%$'\t'*}
  bin=${entry#*$'\t'}
  echo "-- $(basename "$bin") at $when (faketime)"
  # cargo runs a test binary from its package's folder; so does this.
  (cd "$dir" && FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$when" "$bin")
done
