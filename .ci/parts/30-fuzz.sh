#!/usr/bin/env bash
# API fuzzing (issue 13 §2): schemathesis against the running app (`chibo serve --demo`), once
# with the demo administrator's token and once without. Pass: no 5xx and no response that
# the OpenAPI does not document (status, content type, body schema). Bounded: each run stops
# after FUZZ_SECONDS (default 75 s), the whole pass after about four minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${FUZZ_PORT:-8765}
SECONDS_PER_RUN=${FUZZ_SECONDS:-75}
BASE="http://127.0.0.1:${PORT}"
DATA=$(mktemp -d)
export CHIBO_DATA_DIR="$DATA/data" CHIBO_DEMO_PASSWORD="fuzz-demo-password-1"
# Its own embedded PostgreSQL in $DATA, not the exported DATABASE_URL: the fuzzer writes with
# the administrator's token (it renamed the demo root to "0"), and the browser pass after this
# one reads the demo province of that shared database.
unset DATABASE_URL
unset BROKER_URL  # the in-process worker: this pass needs no RabbitMQ
.venv/bin/chibo serve --demo --port "$PORT" >"$DATA/serve.log" 2>&1 &
SERVER=$!
cleanup() {
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 1 180); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/serve.log"; exit 1; }
    sleep 1
done
TOKEN=$(curl -fs -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"${CHIBO_DEMO_PASSWORD}\"}" \
    "$BASE/api/v1/t/demo/auth/login" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
run() {
    local label=$1
    shift
    echo "-- schemathesis: ${label} --"
    timeout $((SECONDS_PER_RUN + 60)) .venv/bin/schemathesis --config-file .ci/fuzz/schemathesis.toml \
        run "$BASE/schema/openapi.json" --checks "$CHECKS" --max-time "$SECONDS_PER_RUN" \
        --max-examples "${FUZZ_EXAMPLES:-30}" --workers 1 --seed "${FUZZ_SEED:-13}" --no-color \
        --request-timeout 30 --suppress-health-check all \
        --exclude-path-regex 'auth/(logout|password)' "$@"
}
status=0
run "with the administrator's token" -H "Authorization: Bearer ${TOKEN}" || status=1
run "without a token" || status=1
if grep -q "unhandled error" "$DATA/serve.log"; then
    echo "the server logged unhandled errors:"
    grep -A3 "unhandled error" "$DATA/serve.log" | head -60
    status=1
fi
exit $status
