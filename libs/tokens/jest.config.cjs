module.exports = {
  displayName: 'tokens',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
