#!/usr/bin/env bash
# The test command of the README (`npm test`): installs, makes sure Postgres and
# Redis run, then lints, type-checks, tests and builds through Nx: only the
# projects affected since the merge base with origin/main (or main) when that
# base exists and is not HEAD itself (a feature branch), else every project
# (a clean clone of main in CI, where HEAD is main; TEST_ALL=1 forces it).
# Files outside every project root (compose, Makefile, base-images/, scripts)
# count through the `{workspaceRoot}/...` inputs of the test targets reading
# them (README "Two commands"; tools/workspace/test/affected.spec.ts).
# Jest writes one JSON result per project; the last line sums them up.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/install.sh
bash tools/scripts/ensure-services.sh
export NX_NO_CLOUD=true NX_DAEMON=false
rm -rf tmp/jest-results
status=0
base=""
if [[ "${TEST_ALL:-}" != 1 ]]; then
  for ref in origin/main main; do
    if git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
      base="$(git merge-base HEAD "$ref" 2>/dev/null || true)"
      break
    fi
  done
fi
targets=(-t lint typecheck test build --output-style=stream)
if [[ -n "$base" && "$base" != "$(git rev-parse HEAD)" ]]; then
  echo "test.sh: nx affected since merge base $base" >&2
  npx nx affected "${targets[@]}" --base="$base" "$@" || status=$?
else
  echo "test.sh: nx run-many (no merge base other than HEAD)" >&2
  npx nx run-many "${targets[@]}" "$@" || status=$?
fi
node tools/scripts/test-summary.mjs tmp/jest-results
exit "$status"
