#!/usr/bin/env bash
# `npm run dstsctl -- …` / `npm run device-sim -- …`: runs a tool from source
# with tsx, from the directory npm was started in (so relative file arguments
# work), after generating the gRPC code and Prisma Client (dstsctl audit) if missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tool=$1
shift
if [ ! -d "$root/libs/proto/src/generated" ] || [ ! -d "$root/libs/db/src/generated" ]; then
  (cd "$root" && NX_NO_CLOUD=true NX_DAEMON=false npx nx run-many -t generate -p proto,db --output-style=static >&2)
fi
cd "${INIT_CWD:-$PWD}"
exec "$root/node_modules/.bin/tsx" --tsconfig "$root/tsconfig.base.json" "$root/tools/$tool/src/main.ts" "$@"
