/**
 * The sample app (bin/) synthesizes as cdk.json configures it: this file runs against the pinned
 * latest aws-cdk-lib and against the peer range's floor (jest.config.js).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildSampleApp, parseOrganizationAccounts } from '../../bin/sample-app';
import { requireFreshBundles } from '../support/fresh-bundles';

// The sample app's synth packs the handler bundles in assets/ into its cloud assembly.
requireFreshBundles();

describe('the sample app', () => {
  test('synthesizes the administrator\'s stack and one accepter stack per invited member, each after the administrator\'s', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-sample-'));
    try {
      const app = new App({ context: cdkJson.context, outdir });
      buildSampleApp(app);
      const assembly = app.synth();
      const stacks = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s]));
      expect(Object.keys(stacks).sort()).toEqual(['SecurityHubAdministrator', 'SecurityHubMember-111111111111', 'SecurityHubMember-222222222222']);
      const types = (name: string): string[] => Object.values(stacks[name].template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
      expect(types('SecurityHubAdministrator')).toContain('Custom::SecurityHubMembers');
      for (const member of ['SecurityHubMember-111111111111', 'SecurityHubMember-222222222222']) {
        expect(types(member)).toContain('Custom::SecurityHubInvitationAccepter');
        expect(stacks[member].environment.account).toBe(member.split('-')[1]);
        expect(stacks[member].dependencies.map((d) => d.id)).toContain('SecurityHubAdministrator');
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

const context = {
  administratorAccount: '999999999999',
  region: 'us-east-1',
  members: [{ accountId: '111111111111' }, { accountId: '333333333333' }],
};

describe('the sample app with organization accounts', () => {
  test('declares every member but gives only the invited ones an accepter stack', () => {
    const stacks = buildSampleApp(new App({ context: { ...context, organizationAccounts: ['333333333333'] } }));
    expect(stacks.map((s) => s.stackName)).toEqual(['SecurityHubAdministrator', 'SecurityHubMember-111111111111']);
    Template.fromStack(stacks[0]).hasResourceProperties('Custom::SecurityHubMembers', {
      Members: [{ AccountId: '111111111111' }, { AccountId: '333333333333' }],
    });
  });

  test('without organizationAccounts every member gets an accepter stack', () => {
    expect(buildSampleApp(new App({ context })).map((s) => s.stackName)).toEqual([
      'SecurityHubAdministrator', 'SecurityHubMember-111111111111', 'SecurityHubMember-333333333333',
    ]);
  });

  test.each([
    [['333333333333'], ['333333333333']],
    ['["333333333333","444444444444"]', ['333333333333', '444444444444']],
    ['333333333333, 444444444444', ['333333333333', '444444444444']],
    [undefined, []],
  ])('reads organizationAccounts %p from cdk.json or -c', (raw, expected) => {
    expect(parseOrganizationAccounts(raw)).toEqual(expected);
  });

  test('fails when organizationAccounts is not a list of account ids', () => {
    expect(() => parseOrganizationAccounts({ id: 1 })).toThrow('invalid organizationAccounts {"id":1}: expected a list of account ids');
  });
});

describe('the sample app\'s members key', () => {
  test('fails naming the key when the context has no members, instead of deploying an empty declaration', () => {
    const withoutMembers = Object.fromEntries(Object.entries(context).filter(([key]) => key !== 'members'));
    expect(() => buildSampleApp(new App({ context: withoutMembers }))).toThrow('missing context key "members"');
  });

  test('with -c reconcileOnEveryDeploy=true both sides send an Update on every deploy', () => {
    const stacks = buildSampleApp(new App({ context: { ...context, reconcileOnEveryDeploy: 'true' } }));
    Template.fromStack(stacks[0]).hasResourceProperties('Custom::SecurityHubMembers', { ReconcileToken: Match.anyValue() });
    Template.fromStack(stacks[1]).hasResourceProperties('Custom::SecurityHubInvitationAccepter', { ReconcileToken: Match.anyValue() });
  });
});

describe('the sample app\'s members key from a file, -c members=@FILE', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'members-file-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('reads a multi-line JSON declaration, relative to the current directory', () => {
    const file = path.join(dir, 'members.json');
    fs.writeFileSync(file, '[\n  {"accountId": "111111111111", "email": "ops@example.com"},\n  {"accountId": "333333333333"}\n]\n');
    const stacks = buildSampleApp(new App({ context: { ...context, members: `@${path.relative(process.cwd(), file)}` } }));
    Template.fromStack(stacks[0]).hasResourceProperties('Custom::SecurityHubMembers', {
      Members: [{ AccountId: '111111111111', Email: 'ops@example.com' }, { AccountId: '333333333333' }],
    });
  });

  test('fails when the file is missing, naming it', () => {
    const file = path.join(dir, 'missing.json');
    expect(() => buildSampleApp(new App({ context: { ...context, members: `@${file}` } })))
      .toThrow(`cannot read members file ${JSON.stringify(file)} (ENOENT): expected a JSON file, relative to ${process.cwd()}, holding a JSON list such as`);
  });

  test('fails when the file is not JSON, naming it', () => {
    const file = path.join(dir, 'members.json');
    fs.writeFileSync(file, '[\n  {"accountId": "111111111111"},\n');
    expect(() => buildSampleApp(new App({ context: { ...context, members: `@${file}` } })))
      .toThrow(new RegExp(`^invalid members file ${JSON.stringify(file).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, not JSON \\(.+\\): expected a JSON list such as`));
  });

  test('fails at the construct when a member in the file has an unknown key', () => {
    const file = path.join(dir, 'members.json');
    fs.writeFileSync(file, '[\n  {"accountId": "111111111111", "emial": "ops@example.com"}\n]\n');
    expect(() => buildSampleApp(new App({ context: { ...context, members: `@${file}` } })))
      .toThrow('unknown key "emial" for account "111111111111": expected only "accountId" and an optional "email"');
  });
});
