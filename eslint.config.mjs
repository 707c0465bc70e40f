import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'assets/', 'cdk.out/', '**/*.js', '**/*.d.ts', '.local/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      quotes: ['error', 'single', { avoidEscape: true }],
      indent: ['error', 2, { SwitchCase: 1 }],
      'comma-dangle': ['error', 'always-multiline'],
      semi: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // A test that is focused, disabled, asserts nothing or asserts only on some paths can pass
    // without checking what its name claims: the recommended rules make each of those an error.
    files: ['test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/no-conditional-expect': 'error',
      // test/jsii.test.ts's pythonTest is `test`, or in a run without Python a listed `test.skip`.
      'jest/no-standalone-expect': ['error', { additionalTestBlockFunctions: ['pythonTest'] }],
      // Assertion helpers are named expectSomething (expectOneLineError), like jest's own.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', '**.hasResource', '**.hasResourceProperties', '**.resourceCountIs', '**.resourcePropertiesCountIs', '**.hasOutput', '**.hasMapping', '**.hasCondition', '**.hasParameter', '**.templateMatches', '**.hasError', '**.hasWarning', '**.hasInfo', '**.hasNoError', '**.hasNoWarning', '**.hasNoInfo'] }],
    },
  },
);
