#!/usr/bin/env bash
# The last step of `npm start` (run.sh), after install and build: the stack
# (tools/stack) in this process (exec), so signals reach it directly. The
# end-to-end test (tools/stack/test) starts the services through this script.
set -euo pipefail
cd "$(dirname "$0")/../.."
# tsx resolves the workspace libs (@dsts/*) through the base tsconfig's paths.
TSX_TSCONFIG_PATH=tsconfig.base.json exec node --import tsx tools/stack/src/main.ts
