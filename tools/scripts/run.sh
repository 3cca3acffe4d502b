#!/usr/bin/env bash
# The run command of the README (`npm start`): installs, builds both apps and
# runs them side by side against $DATABASE_URL / $REDIS_URL (defaults: local
# Postgres database `dsts`, created if missing, and local Redis).
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/install.sh
export NX_NO_CLOUD=true NX_DAEMON=false
export DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/dsts}
# Both services manage signing keys: local runs without a real key-encryption
# key give both the publicly known development key.
[ -n "${SIGNING_KEY_ENCRYPTION_KEY:-}" ] || export SIGNING_KEY_ENCRYPTION_INSECURE_DEV=true
node tools/scripts/create-database.mjs "$DATABASE_URL"
npx nx run-many -t build -p auth-gateway lifecycle-api --output-style=static

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }
trap stop INT TERM EXIT
node dist/apps/lifecycle-api/main.js & pids+=($!)
node dist/apps/auth-gateway/main.js & pids+=($!)
# Stop everything as soon as either process exits.
wait -n "${pids[@]}"
