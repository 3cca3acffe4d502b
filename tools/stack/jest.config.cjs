module.exports = {
  displayName: 'stack',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  globalSetup: '<rootDir>/../jest/global-setup.ts',
  globalTeardown: '<rootDir>/../jest/global-teardown.ts',
};
