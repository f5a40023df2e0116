#!/usr/bin/env bash
# Linkage time of the 5,000-solicitud account of scenarios/escala/cinco-mil-solicitudes.yaml.lento
# (Nuevo León, seed 40: 5,000 solicitudes, 6,292 attachments, 1.2 GB) against release
# `pnt-suite sim` and `pnt-suite serve --db FILE` processes, the way an implementer would run
# them. Prints the time of the linkage request alone and the SHA-256 of its JSON answer (the
# same for every concurrency: the answer does not depend on it). Figures go to
# docs/performance.md. Needs curl.
# Usage: scripts/linkage-5000.sh [ROUNDS] [serve flags, e.g. --concurrencia 1]
# With PNT_LINKAGE_POSTGRES=URL (e.g. what scripts/postgres.sh prints), the server stores in
# PostgreSQL instead: a database `pnt_linkage_5000` made afresh each round (needs psql).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}
shift || true
cargo build -q --release --locked --bin pnt-suite
bin=$PWD/target/release/pnt-suite
dir=$(mktemp -d)
sim_port=${SIM_PORT:-18951}
pnt_port=${PNT_PORT:-18950}
cat >"$dir/sim.toml" <<'EOF'
seed = 40
[[cuentas]]
jurisdiccion = "nuevo-leon"
usuario = "observatorio.ciudadano"
contrasena = "clave-observatorio"
generar = 5000
EOF
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
# A fresh simulator and server each round: the simulator keeps the checksums of a cached
# account's attachments, so a second linkage against the same process would cost less.
pg=${PNT_LINKAGE_POSTGRES:-}
for round in $(seq "$rounds"); do
    rm -f "$dir"/pnt.sqlite*
    db=$dir/pnt.sqlite
    if [ -n "$pg" ]; then
        psql -q "$pg" -c 'DROP DATABASE IF EXISTS pnt_linkage_5000' -c 'CREATE DATABASE pnt_linkage_5000'
        db=${pg%/*}/pnt_linkage_5000
    fi
    "$bin" sim --addr "127.0.0.1:$sim_port" --config "$dir/sim.toml" >"$dir/sim.log" 2>&1 &
    sim=$!
    "$bin" serve --addr "127.0.0.1:$pnt_port" --db "$db" \
        --infomex-url "http://127.0.0.1:$sim_port" --hoy 2021-09-20 "$@" >"$dir/serve.log" 2>&1 &
    serve=$!
    api=http://127.0.0.1:$pnt_port/api/v1
    until curl -sf -o /dev/null "http://127.0.0.1:$pnt_port/.well-known/pnt-suite" \
        && curl -sf -o /dev/null "http://127.0.0.1:$sim_port/health"; do sleep 0.2; done
    curl -sf -X POST "$api/usuarios" -H 'content-type: application/json' \
        -d '{"correo":"o@example.mx","contrasena":"contraseña-de-medida","nombre":"O"}' >/dev/null
    token=$(curl -sf -X POST "$api/sesiones" -H 'content-type: application/json' \
        -d '{"correo":"o@example.mx","contrasena":"contraseña-de-medida"}' |
        sed 's/.*"token":"\([^"]*\)".*/\1/')
    start=$(date +%s.%N)
    curl -sf -X POST "$api/vinculaciones" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' \
        -d '{"jurisdiccion":"nuevo-leon","usuario":"observatorio.ciudadano","contrasena":"clave-observatorio"}' \
        >"$dir/result.json"
    end=$(date +%s.%N)
    printf 'round %s: linkage %.2f s, answer sha256 %s, %s\n' "$round" \
        "$(echo "$end - $start" | bc)" "$(sha256sum <"$dir/result.json" | cut -c1-16)" \
        "$(grep -o '"estado":"[a-z]*","mensaje":"[^"]*","solicitudes":[0-9]*,"respuestas":[0-9]*,"adjuntos":[0-9]*' "$dir/result.json" | sed 's/"mensaje":"[^"]*",//')"
    kill "$serve" "$sim"
    wait "$serve" "$sim" 2>/dev/null || true
done
