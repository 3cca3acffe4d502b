module.exports = {
  displayName: 'caller-auth',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
