// Shared jest setup: ts-jest (transpile only; types are checked by the tsup .d.ts build
// and `npm run typecheck`), workspace packages resolved to their sources so that tests
// never run against a stale build.
const path = require('node:path');

module.exports = (packageDir) => ({
  rootDir: packageDir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: path.join(packageDir, 'tsconfig.json'), diagnostics: false }],
  },
  moduleNameMapper: {
    '^@diffli2d/([a-z0-9-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    '^@diffli2d/([a-z0-9-]+)/(browser|node)$': path.join(__dirname, 'packages/$1/src/$2.ts'),
  },
  testTimeout: 120000,
  maxWorkers: process.env.CI ? 2 : '50%',
});
