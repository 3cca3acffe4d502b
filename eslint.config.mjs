import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (STYLE.md §1): every project is tagged on two axes.
 * scope:<app>|shared decides who may use a project, type:* decides layering.
 * bannedExternalImports keeps each infrastructure client inside its own lib.
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/src/generated/**', '**/.nx'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:testing'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:testing'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'scope:auth-gateway', onlyDependOnLibsWithTags: ['scope:auth-gateway', 'scope:shared'] },
            { sourceTag: 'scope:lifecycle-api', onlyDependOnLibsWithTags: ['scope:lifecycle-api', 'scope:shared'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:tools', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'lib:db', bannedExternalImports: ['ioredis', 'node-jose', 'jose'] },
            { sourceTag: 'lib:cache', bannedExternalImports: ['@prisma/*', 'pg', 'node-jose', 'jose'] },
            { sourceTag: 'lib:keys', bannedExternalImports: ['@prisma/*', 'pg', 'ioredis'] },
            { sourceTag: 'lib:tokens', bannedExternalImports: ['@prisma/*', 'pg', 'ioredis'] },
            { sourceTag: 'type:app', bannedExternalImports: ['@prisma/*', 'pg', 'ioredis', 'node-jose', 'jose'] },
            { sourceTag: 'type:util', bannedExternalImports: ['@prisma/*', 'pg', 'ioredis', 'node-jose'] },
          ],
        },
      ],
    },
  },
];
