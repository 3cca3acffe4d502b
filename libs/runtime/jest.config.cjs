module.exports = {
  displayName: 'runtime',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  globalSetup: '<rootDir>/../../tools/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/jest/global-teardown.ts',
};
