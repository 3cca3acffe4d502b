import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (STYLE.md §1): every project is tagged on two axes.
 * scope:<app>|tools|shared decides who may use a project, type:* decides
 * layering; test files may also use type:testing libs, production code never.
 * bannedExternalImports keeps each infrastructure client inside its own lib.
 */
function depConstraints(testing) {
  const plus = (tags) => (testing ? [...tags, 'type:testing'] : tags);
  return [
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: plus(['type:feature', 'type:data-access', 'type:util']) },
    { sourceTag: 'type:feature', onlyDependOnLibsWithTags: plus(['type:feature', 'type:data-access', 'type:util']) },
    { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: plus(['type:util']) },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: plus(['type:util']) },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:testing'] },
    { sourceTag: 'scope:auth-gateway', onlyDependOnLibsWithTags: ['scope:auth-gateway', 'scope:shared'] },
    { sourceTag: 'scope:lifecycle-api', onlyDependOnLibsWithTags: ['scope:lifecycle-api', 'scope:shared'] },
    { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:tools', 'scope:shared'] },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'lib:db', bannedExternalImports: ['ioredis', 'node-jose', 'jose'] },
    { sourceTag: 'lib:cache', bannedExternalImports: ['@prisma/*', 'pg', 'node-jose', 'jose'] },
    { sourceTag: 'lib:keys', bannedExternalImports: ['@prisma/*', 'pg', 'ioredis'] },
    { sourceTag: 'lib:tokens', bannedExternalImports: ['@prisma/*', 'pg', 'ioredis'] },
    { sourceTag: 'type:app', bannedExternalImports: testing ? ['@prisma/*', 'ioredis'] : ['@prisma/*', 'pg', 'ioredis', 'node-jose', 'jose'] },
    { sourceTag: 'type:util', bannedExternalImports: testing ? ['@prisma/*', 'ioredis'] : ['@prisma/*', 'pg', 'ioredis', 'node-jose', 'jose'] },
    { sourceTag: 'type:testing', bannedExternalImports: ['@prisma/*', 'ioredis'] },
  ];
}

const boundaries = (testing) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    { enforceBuildableLibDependency: true, allow: [], depConstraints: depConstraints(testing) },
  ],
});

const testFiles = ['**/*.spec.ts', '**/test/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/src/generated/**', '**/.nx', 'tmp'] },
  { files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'], ignores: testFiles, rules: boundaries(false) },
  { files: testFiles, rules: boundaries(true) },
];
