// The local tooling and tests run on Node.js 20; the SDK's notice about newer Node.js versions is
// for Lambda's runtime, which is 22 or later.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** What every project shares. */
const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    // Type checking is `npm run typecheck`; with isolatedModules (tsconfig.json) jest only strips
    // types, which keeps the suite fast on 2 cores.
    '^.+\\.ts$': 'ts-jest',
  },
  // Examples import the package by its name, as a user's app does (tsconfig.json's paths).
  moduleNameMapper: { '^cdk-securityhub-members$': '<rootDir>/lib' },
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  // Two workers on CI's two cores: most suites wait on local servers and the service's rate limit,
  // so one worker would leave a core idle (jest's default is one fewer than the cores).
  maxWorkers: 2,
  // `npm test` runs jest with --coverage; a targeted `npx jest FILE` does not, so it stays fast and
  // is not held to the whole suite's threshold. Only the library and the handlers are measured:
  // the local tooling, the command and the tests are not what users deploy.
  collectCoverageFrom: ['<rootDir>/lib/**/*.ts', '<rootDir>/lambda/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  // A little under what `npm test` reached when this was set (statements 95.9%, branches 86.9%,
  // functions 95.8%, lines 96.1%, after the scheduled audit and the rollback rule landed): a change
  // that leaves new code untested fails `npm test`. Raise these when the suite covers more.
  coverageThreshold: {
    global: { statements: 95, branches: 86.5, functions: 93, lines: 95 },
  },
  projects: [
    {
      ...base,
      displayName: 'latest',
      testMatch: ['**/*.test.ts'],
    },
    {
      // The peer range's floor: the construct tests and the sample app's synth run again against
      // aws-cdk-lib 2.200.0 (the devDependency alias aws-cdk-lib-floor), with the cdk-nag a user of
      // that version has (cdk-nag 2, alias cdk-nag-floor). The mapping applies inside node_modules
      // too, so cdk-nag 2 sees the same aws-cdk-lib as the constructs.
      ...base,
      displayName: 'aws-cdk-lib 2.200.0',
      testMatch: ['<rootDir>/test/lib/**/*.test.ts', '<rootDir>/test/bin/**/*.test.ts'],
      moduleNameMapper: {
        ...base.moduleNameMapper,
        '^aws-cdk-lib(/.*)?$': '<rootDir>/node_modules/aws-cdk-lib-floor$1',
        '^cdk-nag$': '<rootDir>/node_modules/cdk-nag-floor',
      },
    },
  ],
};
