/** Native tree-sitter addons are loaded once per worker (see test/support/native-addons-env.cjs). */
module.exports = {
  testEnvironment: '<rootDir>/test/support/native-addons-env.cjs',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  moduleNameMapper: {
    '^tree-sitter$': '<rootDir>/test/support/tree-sitter.cjs',
    '^tree-sitter-python$': '<rootDir>/test/support/tree-sitter-python.cjs',
  },
  testTimeout: 60000,
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
