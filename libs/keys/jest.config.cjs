module.exports = {
  displayName: 'keys',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
