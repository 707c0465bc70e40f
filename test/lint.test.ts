import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/**
 * The messages `eslint` gives, with the repository's own eslint.config.mjs, for a test file with
 * this text. It runs as `npm run lint` does, in its own process: eslint loads its configuration
 * with a dynamic import, which jest's module sandbox does not allow.
 */
function lintTest(code: string): string[] {
  // The file does not exist: its path only selects the configuration that applies to test files.
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', path.join('test', 'lint-fixture.test.ts'), '--format', 'json'], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  const [file] = JSON.parse(result.stdout) as { messages: { ruleId: string | null; line: number }[] }[];
  return file.messages.map((m) => `${m.ruleId}: ${m.line}`);
}

/**
 * A focused or skipped block (it, describe, test with .only or .skip) as a fixture writes it: spelled from parts,
 * so that searches of the repository for focused or skipped tests find real ones, not these.
 */
const modified = (block: string, modifier: 'only' | 'skip'): string => [block, modifier].join('.');

describe('the lint step on test files', () => {
  test('fails on a focused test', () => {
    const code = [
      `${modified('it', 'only')}('checks one thing', () => {`,
      '  expect(1).toBe(1);',
      '});',
      '',
    ].join('\n');
    expect(lintTest(code)).toEqual(['jest/no-focused-tests: 1']);
  });

  test('fails on a focused describe and an fit', () => {
    const code = [
      `${modified('describe', 'only')}('a group', () => {`,
      "  fit('checks one thing', () => {",
      '    expect(1).toBe(1);',
      '  });',
      '});',
      '',
    ].join('\n');
    // `fit` is also reported as a prefix to write as `it.only`.
    expect(lintTest(code)).toEqual(['jest/no-focused-tests: 1', 'jest/no-focused-tests: 2', 'jest/no-test-prefixes: 2']);
  });

  test('fails on a skipped test', () => {
    const code = [
      `${modified('test', 'skip')}('checks one thing', () => {`,
      '  expect(1).toBe(1);',
      '});',
      '',
    ].join('\n');
    expect(lintTest(code)).toEqual(['jest/no-disabled-tests: 1']);
  });

  test('fails on a test without an assertion', () => {
    const code = [
      "test('checks nothing', () => {",
      "  JSON.parse('{}');",
      '});',
      '',
    ].join('\n');
    expect(lintTest(code)).toEqual(['jest/expect-expect: 1']);
  });

  test('fails on an assertion made only on one path', () => {
    const code = [
      "test('checks sometimes', () => {",
      '  const value = Math.random();',
      '  if (value > 0.5) {',
      '    expect(value).toBeGreaterThan(0.5);',
      '  }',
      '});',
      '',
    ].join('\n');
    expect(lintTest(code)).toEqual(['jest/no-conditional-expect: 4']);
  });

  test('accepts aws-cdk-lib assertions as assertions', () => {
    const code = [
      "test('declares a topic', () => {",
      "  Template.fromStack(stack).hasResourceProperties('AWS::SNS::Topic', {});",
      '});',
      '',
    ].join('\n');
    expect(lintTest(code)).toEqual([]);
  });
});
