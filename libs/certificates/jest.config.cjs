module.exports = {
  displayName: 'certificates',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
