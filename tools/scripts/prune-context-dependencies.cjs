// Usage: node tools/scripts/prune-context-dependencies.cjs <docker context folder>
// Narrows the package.json that `nx build` generated to the packages the
// bundles (the folder's *.js entry points) require, and writes the matching
// pruned package-lock.json. Nx lists every npm package imported anywhere in the
// app's libs, including those esbuild tree-shook away (the auth-gateway got
// grpc-js from a lib it uses only for other exports). Fails when a bundle
// requires a package that the generated package.json lacks.
'use strict';
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { builtinModules } = require('node:module');
const path = require('node:path');
const { createProjectGraphAsync } = require('@nx/devkit');
const { createLockFile } = require('nx/src/plugins/js/lock-file/lock-file');

/** The packages a bundle requires: esbuild leaves each external as `require("<specifier>")`. */
function requiredPackages(bundle) {
  const packages = new Set();
  for (const [, specifier] of bundle.matchAll(/require\("([^"]+)"\)/g)) {
    if (specifier.startsWith('node:') || builtinModules.includes(specifier) || specifier.startsWith('.')) continue;
    packages.add(specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
  }
  return packages;
}

async function main(folder) {
  const bundles = readdirSync(folder).filter((file) => file.endsWith('.js'));
  const required = new Set(bundles.flatMap((file) => [...requiredPackages(readFileSync(path.join(folder, file), 'utf8'))]));
  const packageJsonFile = path.join(folder, 'package.json');
  const packageJson = JSON.parse(readFileSync(packageJsonFile, 'utf8'));
  const generated = packageJson.dependencies ?? {};
  const missing = [...required].filter((name) => !(name in generated));
  if (missing.length > 0) throw new Error(`${bundles.join(', ')} require ${missing.join(', ')}, missing from the generated package.json`);
  packageJson.dependencies = Object.fromEntries(Object.entries(generated).filter(([name]) => required.has(name)));
  const graph = await createProjectGraphAsync({ exitOnError: true });
  writeFileSync(packageJsonFile, `${JSON.stringify(packageJson, null, 2)}\n`);
  writeFileSync(path.join(folder, 'package-lock.json'), createLockFile(packageJson, graph, 'npm'));
}

main(process.argv[2] ?? '').catch((error) => {
  console.error(`prune-context-dependencies: ${error.message}`);
  process.exit(1);
});
