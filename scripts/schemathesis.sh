#!/usr/bin/env bash
# schemathesis against the reference server: every check, bounded examples, a fixed seed; exits
# non-zero on any failure. The simulator runs beside it, so linkages reach a real Infomex.
#
#   scripts/schemathesis.sh [MAX_EXAMPLES]   (default 40)
#
# Needs `schemathesis` on PATH (`.ci/run` installs it with pip) and builds `pnt-suite` first.
# The configuration is .ci/schemathesis.toml. Test hooks and log-out are left out: hooks reset
# the server's data, and log-out would revoke this run's own bearer token.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-40}
cargo build --locked -q
bin=target/debug/pnt-suite
work=$(mktemp -d)
cleanup() {
  kill "${sim_pid:-}" "${pnt_pid:-}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Each server prints where it listens on its first line; ports are the system's choice.
"$bin" sim --addr 127.0.0.1:0 >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
until grep -q 'http://' "$work/sim.out" 2>/dev/null; do
  kill -0 "$sim_pid" || { cat "$work/sim.err"; exit 3; }
  sleep 0.1
done
sim_url=$(grep -o 'http://[0-9.:]*' "$work/sim.out" | head -1)
"$bin" serve --addr 127.0.0.1:0 --db "$work/pnt.sqlite" --infomex-url "$sim_url" \
  >"$work/pnt.out" 2>"$work/pnt.err" &
pnt_pid=$!
until grep -q 'http://' "$work/pnt.out" 2>/dev/null; do
  kill -0 "$pnt_pid" || { cat "$work/pnt.err"; exit 3; }
  sleep 0.1
done
pnt=$(grep -o 'http://[0-9.:]*' "$work/pnt.out" | head -1)

curl -sf -X POST "$pnt/api/v1/usuarios" -H 'content-type: application/json' \
  -d '{"correo":"schemathesis@example.mx","contrasena":"una-clave-larga","nombre":"Schemathesis"}' >/dev/null
token=$(curl -sf -X POST "$pnt/api/v1/sesiones" -H 'content-type: application/json' \
  -d '{"correo":"schemathesis@example.mx","contrasena":"una-clave-larga"}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

# Link an Infomex account (its password from the simulator's admin API) and hand schemathesis
# one of its folios (one with attachments).
cuenta=$(curl -sf "$sim_url/__admin/accounts/federacion/ciudadano3")
contrasena=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["contrasena"])' "$cuenta")
curl -sf -X POST "$pnt/api/v1/vinculaciones" -H "Authorization: Bearer $token" \
  -H 'content-type: application/json' \
  -d "{\"jurisdiccion\":\"federacion\",\"usuario\":\"ciudadano3\",\"contrasena\":\"$contrasena\"}" >/dev/null
read -r PNT_FOLIO < <(python3 - "$pnt" "$token" <<'PY'
import json, sys, urllib.request
pnt, token = sys.argv[1], sys.argv[2]
def get(path):
    req = urllib.request.Request(pnt + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req))
for fila in get("/api/v1/historial?por_pagina=100")["solicitudes"]:
    detalle = get("/api/v1/solicitudes/" + fila["folio"])
    ids = [a["id"] for r in detalle["respuestas"] for a in r["adjuntos"]]
    if ids:
        print(fila["folio"])
        break
else:
    sys.exit("the linked account has no attachment")
PY
)
export PNT_FOLIO
echo "schemathesis: solicitud $PNT_FOLIO"

schemathesis --config-file .ci/schemathesis.toml run "$pnt/api/v1/openapi.json" \
  --checks all --max-examples "$examples" --seed "${SCHEMATHESIS_SEED:-2026}" --workers 1 \
  --exclude-path-regex '^/__test' --exclude-method DELETE \
  -H "Authorization: Bearer $token" --no-color
