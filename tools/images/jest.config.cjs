module.exports = {
  displayName: 'images',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
