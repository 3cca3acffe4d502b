#!/usr/bin/env bash
# Assembles the Docker build context of one app in tmp/docker-context/<app>/:
# the Nx build output (bundled main.js, generated package.json + lockfile
# narrowed to the packages the bundles require, migrations, lifecycle-api's descriptor
# set), the app's Dockerfile and a .dockerignore keeping the Dockerfile out of
# the image. Source maps stay out (small image). Every file gets the same mtime
# so two runs on the same commit give byte-identical contexts; the sorted file
# list is printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
app="${1:?usage: docker-context.sh <app>}"
if [[ ! -f "apps/$app/Dockerfile" ]]; then
  echo "docker-context: no apps/$app/Dockerfile" >&2
  exit 2
fi
export NX_NO_CLOUD=true NX_DAEMON=false
# DSTS_SKIP_BUILD=1: the caller built the app (the images test, whose Nx target
# depends on both builds); see tools/scripts/run.sh.
if [[ "${DSTS_SKIP_BUILD:-}" != 1 ]]; then
  npx nx build "$app" --output-style=static >&2
fi
context="tmp/docker-context/$app"
rm -rf "$context"
mkdir -p "$context"
cp -R "dist/apps/$app/." "$context/"
find "$context" -name '*.map' -delete
node tools/scripts/prune-context-dependencies.cjs "$context"
cp "apps/$app/Dockerfile" "$context/Dockerfile"
printf 'Dockerfile\n.dockerignore\n' > "$context/.dockerignore"
find "$context" -exec touch -h -d @0 {} +
(cd "$context" && find . -type f | LC_ALL=C sort)
