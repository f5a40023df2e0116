#!/usr/bin/env bash
# Throughput of the simulator's list page against a bare hyper server that answers the same bytes,
# measured side by side in one run with wrk (Debian package `wrk`). Figures go to
# docs/performance.md. Usage: scripts/load-sim.sh [SECONDS] [CONNECTIONS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
rounds=${3:-3}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 3; }
cargo build -q --release -p infomex-sim --example load

fifo=$(mktemp -u)
mkfifo "$fifo"
out=$(mktemp)
./target/release/examples/load pair <"$fifo" >"$out" &
pid=$!
exec 3>"$fifo"   # keeps the example's stdin open; closing it stops the example
trap 'exec 3>&-; wait $pid 2>/dev/null; rm -f "$fifo" "$out"' EXIT
until [ -s "$out" ]; do sleep 0.1; done
line=$(head -1 "$out")
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$line" "$1"; }
sim=$(field sim); bare=$(field bare); token=$(field token); bytes=$(field bytes)
echo "list page of $bytes bytes; wrk -t1 -c$conns -d${secs}s, $rounds rounds each, alternating"

rate() { wrk -t1 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $token" "$1" | awk '/Requests\/sec/ {print $2}'; }
sims=(); bares=()
for r in $(seq "$rounds"); do
  s=$(rate "$sim"); b=$(rate "$bare")
  echo "round $r: infomex-sim $s req/s, bare hyper $b req/s, ratio $(python3 -c "print(f'{$s/$b:.2f}')")"
  sims+=("$s"); bares+=("$b")
done
python3 - "${sims[*]}" "${bares[*]}" <<'PY'
import statistics, sys
sims = [float(x) for x in sys.argv[1].split()]
bares = [float(x) for x in sys.argv[2].split()]
s, b = statistics.median(sims), statistics.median(bares)
ratios = [x / y for x, y in zip(sims, bares)]
print(f"median: infomex-sim {s:.0f} req/s, bare hyper {b:.0f} req/s, ratio {s/b:.2f}"
      f" (per round: lowest {min(ratios):.2f}, highest {max(ratios):.2f})")
PY
