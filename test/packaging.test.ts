/**
 * The published package, from a fresh clone: `git clone` this repository (its committed state, no
 * build outputs), link node_modules from this checkout (offline and fast), `npm pack` (prepack
 * builds), then install the tarball into fresh consumer apps, one on the pinned latest
 * aws-cdk-lib and one on the peer range's floor (2.200.0), and synthesize a stack with both
 * constructs. The consumers have no esbuild and no Docker: the handler bundles ship in the tarball.
 * One consumer also rehearses its own app with the installed `cdk-securityhub-members local`.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** A consumer app in `dir` with the unpacked tarball and the given aws-cdk-lib folder. */
function consumer(dir: string, tarball: string, awsCdkLib: string): void {
  const installed = path.join(dir, 'node_modules', 'cdk-securityhub-members');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  fs.symlinkSync(awsCdkLib, path.join(dir, 'node_modules', 'aws-cdk-lib'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'constructs'), path.join(dir, 'node_modules', 'constructs'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { 'cdk-securityhub-members': '*' } }));
  fs.writeFileSync(path.join(dir, 'app.js'), `
const { App, Stack } = require('aws-cdk-lib');
const { SecurityHubMembers, SecurityHubInvitationAccepter } = require('cdk-securityhub-members');
const app = new App({ outdir: process.argv[2] });
const admin = new Stack(app, 'Admin', { env: { account: '999999999999', region: 'us-east-1' } });
new SecurityHubMembers(admin, 'Members', { members: [{ accountId: '111111111111' }] });
const member = new Stack(app, 'Member', { env: { account: '111111111111', region: 'us-east-1' } });
new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: '999999999999' });
app.synth();
`);
}

/** Synthesizes the consumer app in `dir`; returns the templates' resource types and the staged bundles' sizes. */
function synth(dir: string): { admin: string[]; member: string[]; bundleSizes: number[] } {
  expect(() => require.resolve('esbuild', { paths: [dir] })).toThrow();
  const out = path.join(dir, 'cdk.out');
  execFileSync(process.execPath, ['app.js', out], { cwd: dir, env: { ...process.env, NODE_PATH: '' } });
  const types = (stack: string): string[] => Object.values(JSON.parse(fs.readFileSync(path.join(out, `${stack}.template.json`), 'utf8')).Resources as Record<string, { Type: string }>).map((r) => r.Type);
  const bundles = fs.readdirSync(out).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(out, d, 'index.js')));
  return { admin: types('Admin'), member: types('Member'), bundleSizes: bundles.map((d) => fs.statSync(path.join(out, d, 'index.js')).size) };
}

describe('the npm package, packed from a fresh clone', () => {
  let work: string;
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-pack-'));
    const clone = path.join(work, 'clone');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    expectNoBuildOutput(clone);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    // prepack's build prints to stdout too, so the tarball is found on disk rather than in --json.
    execFileSync('npm', ['pack', '--pack-destination', work], { cwd: clone, stdio: 'pipe' });
    const tarballs = fs.readdirSync(work).filter((f) => f.endsWith('.tgz'));
    tarball = path.join(work, onlyTarball(tarballs));
    files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('holds the compiled library, the jsii assembly, both handler bundles, the docs and the license, and no sources', () => {
    expect(files).toEqual(expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE',
      'API.md',
      'API.python.md',
      '.jsii',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/security-hub-members.js',
      'dist/security-hub-invitation-accepter.js',
      'assets/members-handler/index.js',
      'assets/accepter-handler/index.js',
      'assets/cli/index.js',
      // What the bundles contain that this project did not write (test/bundles/third-party.test.ts).
      'assets/members-handler/THIRD_PARTY_LICENSES',
      'assets/members-handler/members-handler.cdx.json',
      'assets/cli/THIRD_PARTY_LICENSES',
      'assets/cli/cli.cdx.json',
      // The decision SecurityHubMembersPlanStep's build runs from the app's node_modules.
      'assets/plan-decision/index.js',
    ]));
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('lambda/') || f.includes('.test.') || f.endsWith('.tsbuildinfo') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  test('ships no module of dist/ that dist/index.js does not import, directly or through another', () => {
    const unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
    const shipped = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    expect(reachableFrom(unpacked, 'dist/index.js').sort()).toEqual(shipped.sort());
  });

  test('synthesizes in a consumer app on the latest aws-cdk-lib that has no esbuild', () => {
    const dir = path.join(work, 'latest');
    consumer(dir, tarball, path.join(ROOT, 'node_modules', 'aws-cdk-lib'));
    const { admin, member, bundleSizes } = synth(dir);
    expect(admin).toContain('Custom::SecurityHubMembers');
    expect(member).toContain('Custom::SecurityHubInvitationAccepter');
    // The staged handler assets are the bundles from the tarball.
    expect(bundleSizes.filter((size) => size > 100_000)).toHaveLength(2);
  });

  test('synthesizes in a consumer app on aws-cdk-lib 2.200.0, the peer range\'s floor', () => {
    const dir = path.join(work, 'floor');
    consumer(dir, tarball, path.join(ROOT, 'node_modules', 'aws-cdk-lib-floor'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version).toBe('2.200.0');
    const { admin, member, bundleSizes } = synth(dir);
    expect(admin).toContain('Custom::SecurityHubMembers');
    expect(member).toContain('Custom::SecurityHubInvitationAccepter');
    expect(bundleSizes.filter((size) => size > 100_000)).toHaveLength(2);
  });

  test('rehearses the consumer\'s own app with its installed command: local deploy, status and destroy, no file of the clone used', () => {
    const dir = path.join(work, 'rehearsal');
    consumer(dir, tarball, path.join(ROOT, 'node_modules', 'aws-cdk-lib'));
    // The consumer's own synth: node and its installed aws-cdk-lib, no CDK CLI.
    execFileSync(process.execPath, ['app.js', 'cdk.out'], { cwd: dir, env: consumerEnv() });
    const local = (...args: string[]) => installedCommand(dir, 'local', ...args, '--app', 'cdk.out');

    const deploy = local('deploy');
    expect(deploy).toMatchObject({ status: 0, stderr: '' });
    expect(deploy.stdout).toMatch(/^Deploying 2 stacks to the local Security Hub \(state in \.cdk-securityhub-members\/securityhub\.json\)$/m);
    expect(deploy.stdout).toMatch(/created and invited +111111111111 +\[us-east-1, administrator 999999999999\]/);
    expect(deploy.stdout).toMatch(/accepted \(Enabled\) +111111111111/);
    expect(deploy.stdout).toContain('See every member with: npx cdk-securityhub-members local status');

    const status = local('status');
    expect(status).toMatchObject({ status: 0, stderr: '' });
    expect(status.stdout.split('\n')[1]).toMatch(/^999999999999 +us-east-1 +111111111111 +Enabled +\d{4}-/);

    const destroy = local('destroy');
    expect(destroy).toMatchObject({ status: 0, stderr: '' });
    expect(destroy.stdout).toMatch(/Destroyed\.$/m);
    expect(local('status').stdout).toBe('The local Security Hub has no members. Run `npx cdk-securityhub-members local deploy` to create them.\n');

    // The state is the consumer's, beside its app; the handlers ran from its cdk.out.
    expect(fs.readdirSync(path.join(dir, '.cdk-securityhub-members')).sort()).toEqual(['assets', 'securityhub.json', 'stacks.json']);
    const deployedBundles = fs.readdirSync(path.join(dir, '.cdk-securityhub-members', 'assets'));
    expect(deployedBundles.length).toBeGreaterThanOrEqual(2);
    deployedBundles.forEach((bundle) => expect(fs.existsSync(path.join(dir, 'cdk.out', bundle))).toBe(true));
    for (const run of [deploy, status, destroy]) {
      expect(`${run.stdout}${run.stderr}`).not.toContain(ROOT);
      expect(`${run.stdout}${run.stderr}`).not.toContain(path.join(work, 'clone'));
    }
  });
});

/** The environment of a consumer's commands: none of the clone's settings (its local state folder, its module path). */
function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: '' };
  delete env.SECURITYHUB_LOCAL_DIR;
  return env;
}

/** Runs the installed package's `bin` in the consumer app `dir`, as `npx cdk-securityhub-members` would. */
function installedCommand(dir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const installed = path.join(dir, 'node_modules', 'cdk-securityhub-members');
  const bin = (JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['cdk-securityhub-members'];
  const result = spawnSync(process.execPath, [path.join(installed, bin), ...args], { cwd: dir, encoding: 'utf8', env: consumerEnv() });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh clone has no dist/: the pack must build it itself (prepack). */
function expectNoBuildOutput(clone: string): void {
  expect(fs.existsSync(path.join(clone, 'dist'))).toBe(false);
}

/** `npm pack` wrote exactly one tarball. */
function onlyTarball(tarballs: string[]): string {
  expect(tarballs).toHaveLength(1);
  return tarballs[0];
}

/**
 * The package's files that `entry` loads, itself included, following the relative `require`s
 * of the compiled JavaScript (jsii compiles to CommonJS).
 */
function reachableFrom(root: string, entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) {
      continue;
    }
    seen.add(file);
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    for (const [, target] of source.matchAll(/require\("(\.{1,2}\/[^"]*)"\)/g)) {
      const resolved = path.posix.join(path.posix.dirname(file), target);
      pending.push(resolved.endsWith('.js') ? resolved : `${resolved}.js`);
    }
  }
  return [...seen];
}
