module.exports = {
  displayName: 'lifecycle-api',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  globalSetup: '<rootDir>/../../tools/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/jest/global-teardown.ts',
};
