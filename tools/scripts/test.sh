#!/usr/bin/env bash
# The test command of the README (`npm test`): installs, makes sure Postgres and
# Redis run, then lints, type-checks, tests and builds every project through Nx.
# Jest writes one JSON result per project; the last line sums them up.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/install.sh
bash tools/scripts/ensure-services.sh
export NX_NO_CLOUD=true NX_DAEMON=false
rm -rf tmp/jest-results
status=0
npx nx run-many -t lint typecheck test build --output-style=stream "$@" || status=$?
node tools/scripts/test-summary.mjs tmp/jest-results
exit "$status"
