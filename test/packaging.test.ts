/**
 * The published package: `npm pack` the library, install the tarball into a fresh consumer app
 * (offline: aws-cdk-lib and constructs are linked from this checkout, nothing else), and
 * synthesize a stack with both constructs. The consumer has no esbuild and no Docker: the handler
 * bundles ship in the tarball.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

describe('the npm package', () => {
  let work: string;
  let files: string[];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-pack-'));
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
    files = packed.files.map((f) => f.path);
    const consumer = path.join(work, 'consumer');
    const installed = path.join(consumer, 'node_modules', 'cdk-securityhub-members');
    fs.mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', installed, '--strip-components=1']);
    for (const dep of ['aws-cdk-lib', 'constructs']) {
      fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(consumer, 'node_modules', dep), 'dir');
    }
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { 'cdk-securityhub-members': '*' } }));
    fs.writeFileSync(path.join(consumer, 'app.js'), `
const { App, Stack } = require('aws-cdk-lib');
const { SecurityHubMembers, SecurityHubInvitationAccepter } = require('cdk-securityhub-members');
const app = new App({ outdir: process.argv[2] });
const admin = new Stack(app, 'Admin', { env: { account: '999999999999', region: 'us-east-1' } });
new SecurityHubMembers(admin, 'Members', { members: [{ accountId: '111111111111' }] });
const member = new Stack(app, 'Member', { env: { account: '111111111111', region: 'us-east-1' } });
new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: '999999999999' });
app.synth();
`);
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('holds the compiled library and both handler bundles, and no tests or TypeScript sources', () => {
    expect(files).toEqual(expect.arrayContaining([
      'package.json',
      'README.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/security-hub-members.js',
      'dist/security-hub-invitation-accepter.js',
      'assets/members-handler/index.js',
      'assets/accepter-handler/index.js',
    ]));
    expect(files.filter((f) => f.startsWith('test/') || f.includes('.test.') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  test('synthesizes in a consumer app that has no esbuild', () => {
    const consumer = path.join(work, 'consumer');
    expect(() => require.resolve('esbuild', { paths: [consumer] })).toThrow();
    const out = path.join(work, 'cdk.out');
    execFileSync(process.execPath, ['app.js', out], { cwd: consumer, env: { ...process.env, NODE_PATH: '' } });
    const admin = JSON.parse(fs.readFileSync(path.join(out, 'Admin.template.json'), 'utf8'));
    const types = Object.values(admin.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toContain('Custom::SecurityHubMembers');
    const member = JSON.parse(fs.readFileSync(path.join(out, 'Member.template.json'), 'utf8'));
    expect(Object.values(member.Resources as Record<string, { Type: string }>).map((r) => r.Type)).toContain('Custom::SecurityHubInvitationAccepter');
    // The staged handler assets are the bundles from the tarball.
    const bundles = fs.readdirSync(out).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(out, d, 'index.js')));
    const sizes = bundles.map((d) => fs.statSync(path.join(out, d, 'index.js')).size);
    expect(sizes.filter((size) => size > 100_000)).toHaveLength(2);
  });
});
