/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // ts-jest finds tsconfig.json itself and lays these compiler options over it. isolatedModules
    // makes it transpile each file alone (fast; `npm test` type-checks with tsc first). ts-jest 29.4
    // wants this as a compiler option: its own `isolatedModules` option is deprecated and warns on every run.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { isolatedModules: true } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  collectCoverageFrom: ['lib/**/*.ts'],
  coverageReporters: ['text-summary', 'text'],
  coverageThreshold: { global: { lines: 95, branches: 90 } },
  testTimeout: 20000,
};
