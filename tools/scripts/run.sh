#!/usr/bin/env bash
# The run command of the README (`npm start`): installs, builds both apps, then
# runs the stack (tools/stack): embedded PostgreSQL unless DATABASE_URL is set,
# the in-process cache unless REDIS_URL is set, both services as child
# processes. Ctrl-C (or SIGTERM) stops the services, then Postgres.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/install.sh
export NX_NO_CLOUD=true NX_DAEMON=false
# DSTS_SKIP_BUILD=1: the caller built both apps (the tests, whose Nx targets depend
# on the builds). Without the Nx daemon a nested build always restores its outputs
# from the cache - deleting and rewriting dist/ - under other running test tasks.
if [[ "${DSTS_SKIP_BUILD:-}" != 1 ]]; then
  npx nx run-many -t build -p auth-gateway lifecycle-api --output-style=static
fi
exec bash tools/scripts/serve.sh
