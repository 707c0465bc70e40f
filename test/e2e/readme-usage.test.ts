/**
 * The README's Usage example, exactly as written, deployed to the local Security Hub: a person who
 * copies it must end with every member Enabled in every declared region.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as library from '../../lib';
import { readAssembly } from '../../local/deploy/assembly';
import { LocalCloud, localCloud } from './harness';

const README = path.join(__dirname, '..', '..', 'README.md');

/** The first TypeScript block after the heading `## Usage`. */
function usageExample(): string {
  const readme = fs.readFileSync(README, 'utf8');
  const usage = readme.slice(readme.indexOf('\n## Usage\n'));
  const block = /```ts\n([\s\S]*?)```/.exec(usage);
  if (!block) {
    throw new Error('README.md has no ```ts block under "## Usage"');
  }
  return block[1];
}

/**
 * Runs the example as a CommonJS module whose `cdk-securityhub-members` is this checkout's library
 * and whose `App` writes into `outdir`; returns the apps it made, synthesized.
 */
function runExample(source: string, outdir: string): cdk.App[] {
  const apps: cdk.App[] = [];
  class App extends cdk.App {
    constructor(props: cdk.AppProps = {}) {
      super({ ...props, outdir });
      apps.push(this);
    }
  }
  const modules: Record<string, unknown> = { 'aws-cdk-lib': { ...cdk, App }, 'cdk-securityhub-members': library };
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const exports = {};
  const load = (name: string): unknown => {
    if (!(name in modules)) {
      throw new Error(`the Usage example imports ${name}: expected only aws-cdk-lib and cdk-securityhub-members`);
    }
    return modules[name];
  };
  new Function('require', 'exports', 'module', outputText)(load, exports, { exports });
  apps.forEach((app) => app.synth());
  return apps;
}

describe('the README\'s Usage example', () => {
  let cloud: LocalCloud | undefined;
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-usage-'));
  });
  afterEach(async () => {
    await cloud?.close();
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('deploys as written: every member ends Enabled in every declared region', async () => {
    const apps = runExample(usageExample(), outdir);
    expect(apps).toHaveLength(1);
    const stacks = readAssembly(outdir, { account: '999999999999', region: 'us-east-1' });
    // The administrator first, then one accepting stack per member and region.
    expect(stacks[0].name).toBe('SecurityHubAdministrator');
    const administrator = stacks[0].account;
    const declared = stacks[0].resources.find((r) => r.type === 'Custom::SecurityHubMembers')!.properties as {
      Members: { AccountId: string }[];
      Regions: string[];
    };
    const members = declared.Members.map((m) => m.AccountId);
    expect(declared.Regions.length).toBeGreaterThan(1);
    expect(stacks).toHaveLength(1 + members.length * declared.Regions.length);

    cloud = await localCloud();
    const result = await cloud.cfn.deploy(stacks);

    expect(result.events.filter((e) => e.error !== undefined)).toEqual([]);
    expect(result.ok).toBe(true);
    for (const region of declared.Regions) {
      const statuses = Object.fromEntries(cloud.emulator.store.listMembers(administrator, region).map((m) => [m.accountId, m.memberStatus]));
      expect(statuses).toEqual(Object.fromEntries(members.map((account) => [account, 'Enabled'])));
      for (const account of members) {
        expect(cloud.emulator.store.administratorOf(account, region)).toBe(administrator);
      }
    }
  });
});
