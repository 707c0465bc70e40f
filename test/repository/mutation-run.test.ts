/**
 * The mutation run (`npm run mutate`, scripts/mutate.ts) is part of `npm test`, so CI fails when a
 * handler broken on purpose passes the tests. Its result needs the source and the tests, and runs
 * in `npm test` itself; these checks keep it wired in and its list honest, in a second.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MUTANTS, occurrences } from '../../scripts/mutate';

const ROOT = path.join(__dirname, '..', '..');
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the mutation run', () => {
  test('runs in npm test after the build, with jest last so that .ci/run\'s --json arguments reach jest', () => {
    const steps = scripts.test.split('&&').map((step) => step.trim());
    expect(steps).toContain('npm run mutate');
    expect(steps.indexOf('npm run mutate')).toBeGreaterThan(steps.indexOf('npm run build'));
    expect(steps[steps.length - 1]).toMatch(/^jest\b/);
    expect(scripts.mutate).toBe('tsx scripts/mutate.ts');
    expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test -- --json --outputFile=/m);
  });

  test('has mutants for the accepter, the audit, rules R10 and R13, the pacer\'s drain and the time budget, in CI', () => {
    const inCi = MUTANTS.filter((m) => !m.bundled);
    for (const file of [
      'lambda/accepter/planner.ts',
      'lambda/audit/report.ts',
      'lambda/members/ownership.ts',
      'lambda/members/rollback.ts',
      'lambda/shared/client.ts',
      'lambda/shared/time-budget.ts',
    ]) {
      expect(inCi.map((m) => m.file)).toContain(file);
    }
  });

  test('names unique mutants whose text occurs exactly once and whose tests exist', () => {
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
    for (const mutant of MUTANTS) {
      expect({ mutant: mutant.name, occurrences: occurrences(mutant) }).toEqual({ mutant: mutant.name, occurrences: 1 });
      expect(mutant.replace).not.toBe(mutant.find);
      for (const test of mutant.tests) {
        expect(fs.existsSync(path.join(ROOT, test))).toBe(true);
      }
    }
  });

  test('is listed in docs/testing.md, every mutant in its table once', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'testing.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z-]+)`/gm)].map((m) => m[1]);
    expect(rows).toEqual(MUTANTS.map((m) => m.name));
  });
});
