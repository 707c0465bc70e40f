// The local tooling and tests run on Node.js 20; the SDK's notice about newer Node.js versions is
// for Lambda's runtime, which is 22 or later.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is `npm run typecheck`; with isolatedModules (tsconfig.json) jest only strips
    // types, which keeps the suite fast on 2 cores.
    '^.+\\.ts$': 'ts-jest',
  },
  testTimeout: 60000,
};
