const nxPreset = require('@nx/jest/preset').default;

/** Shared by every project: SWC transform (fast, no type-check; `nx typecheck` does that), Node environment. */
module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // jose ships only ES modules; jest's CommonJS runtime needs them transformed.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 30000,
};
