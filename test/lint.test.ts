import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.join(__dirname, '..');

/** The messages the repository's own eslint.config.mjs gives for a test file with this text. */
async function lintTest(code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  // The file does not exist: its path only selects the configuration that applies to test files.
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, 'test', 'lint-fixture.test.ts') });
  return result.messages.map((m) => `${m.ruleId}: ${m.line}`);
}

describe('the lint step on test files', () => {
  test('fails on a focused test', async () => {
    const code = [
      "it.only('checks one thing', () => {",
      '  expect(1).toBe(1);',
      '});',
      '',
    ].join('\n');
    expect(await lintTest(code)).toEqual(['jest/no-focused-tests: 1']);
  });

  test('fails on a focused describe and an fit', async () => {
    const code = [
      "describe.only('a group', () => {",
      "  fit('checks one thing', () => {",
      '    expect(1).toBe(1);',
      '  });',
      '});',
      '',
    ].join('\n');
    expect(await lintTest(code)).toEqual(['jest/no-focused-tests: 1', 'jest/no-focused-tests: 2']);
  });

  test('fails on a skipped test', async () => {
    const code = [
      "test.skip('checks one thing', () => {",
      '  expect(1).toBe(1);',
      '});',
      '',
    ].join('\n');
    expect(await lintTest(code)).toEqual(['jest/no-disabled-tests: 1']);
  });

  test('fails on a test without an assertion', async () => {
    const code = [
      "test('checks nothing', () => {",
      '  JSON.parse("{}");',
      '});',
      '',
    ].join('\n');
    expect(await lintTest(code)).toEqual(['jest/expect-expect: 1']);
  });

  test('fails on an assertion made only on one path', async () => {
    const code = [
      "test('checks sometimes', () => {",
      '  const value = Math.random();',
      '  if (value > 0.5) {',
      '    expect(value).toBeGreaterThan(0.5);',
      '  }',
      '});',
      '',
    ].join('\n');
    expect(await lintTest(code)).toEqual(['jest/no-conditional-expect: 4']);
  });

  test('accepts aws-cdk-lib assertions as assertions', async () => {
    const code = [
      "test('declares a topic', () => {",
      "  Template.fromStack(stack).hasResourceProperties('AWS::SNS::Topic', {});",
      '});',
      '',
    ].join('\n');
    expect(await lintTest(code)).toEqual([]);
  });
});
