/**
 * The integration tests' deployed templates, compared offline in `npm test`: a change to what
 * `npm run integ` would deploy fails here until the snapshot is updated (`npx jest
 * test/integ/snapshot.test.ts -u`), so it shows up in review.
 *
 * The apps are synthesized with the placeholder accounts, whatever the environment says, so the
 * snapshot never holds a real account id. Asset hashes are replaced by a placeholder: they change
 * with every rebuild of a handler bundle (any change to lambda/ or to a bundled dependency), which
 * the handlers' own tests cover; what the snapshot guards is the resources and their properties.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildIntegApp, INTEG_CASES, integEnvironment } from './fleet';

/**
 * A synthesized document with what changes without a change to the app replaced by placeholders:
 * asset hashes (64 hex digits), and the `salt` integ-tests-alpha gives each assertion (the synth
 * time, so that the assertion runs again at every deploy).
 */
function canonical(document: unknown): unknown {
  return JSON.parse(JSON.stringify(document)
    .replace(/[0-9a-f]{64}/g, '<asset hash>')
    .replace(/"salt":"\d+"/g, '"salt":"<synth time>"'));
}

/** Every stack's template and the integ manifest of one case, synthesized offline. */
function synthesize(integCase: (typeof INTEG_CASES)[keyof typeof INTEG_CASES]): Record<string, unknown> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-snapshot-'));
  try {
    const app = new App({ outdir });
    buildIntegApp(app, integCase, integEnvironment({}));
    const assembly = app.synth();
    const documents: Record<string, unknown> = {};
    for (const stack of assembly.stacks) {
      documents[stack.stackName] = canonical(stack.template);
    }
    documents['integ.json'] = canonical(JSON.parse(fs.readFileSync(path.join(outdir, 'integ.json'), 'utf8')));
    return documents;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('integration test snapshots', () => {
  test.each(Object.keys(INTEG_CASES) as (keyof typeof INTEG_CASES)[])('integ.%s.ts deploys what the snapshot says', (name) => {
    expect(synthesize(INTEG_CASES[name])).toMatchSnapshot();
  });

  test('the snapshot ignores asset hashes and assertion salts, and nothing else', () => {
    const hash = (c: string) => c.repeat(64);
    const template = (key: string, memory: number, salt: string) => ({
      Resources: {
        F: { Properties: { Code: { S3Key: `${key}.zip` }, MemorySize: memory } },
        A: { Properties: { salt } },
      },
    });
    expect(canonical(template(hash('a'), 128, '1796440602248'))).toEqual(canonical(template(hash('b'), 128, '1796440609999')));
    expect(canonical(template(hash('a'), 128, '1'))).not.toEqual(canonical(template(hash('a'), 256, '1')));
  });

  test('the stacks are the Usage app: members declared, accepted, asserted Enabled, checked after the destroy', () => {
    const documents = synthesize(INTEG_CASES.retain);
    expect(Object.keys(documents).sort()).toEqual(['SecurityHubMembersRetain-Administrator', 'SecurityHubMembersRetain-Assertions', 'SecurityHubMembersRetain-Member', 'integ.json']);
    const assertions = documents['SecurityHubMembersRetain-Assertions'] as { Resources: Record<string, { Type: string; Properties: { api?: string; expected?: string } }> };
    const getMembers = Object.values(assertions.Resources).filter((r) => r.Properties?.api === 'getMembers');
    expect(getMembers.map((r) => JSON.parse(r.Properties.expected!))).toEqual([{
      $ObjectLike: { Members: [{ AccountId: '111111111111', AdministratorId: '999999999999', MemberStatus: 'Enabled' }] },
    }]);
    const manifest = documents['integ.json'] as { testCases: Record<string, { hooks: { postDestroy: string[] } }> };
    expect(Object.values(manifest.testCases).map((c) => c.hooks.postDestroy)).toEqual([['npx tsx hub-check.ts 999999999999 us-east-1 111111111111 Enabled']]);
    const administrator = documents['SecurityHubMembersRetain-Administrator'] as { Resources: Record<string, { Type: string; DeletionPolicy?: string }> };
    const members = Object.values(administrator.Resources).filter((r) => r.Type === 'Custom::SecurityHubMembers');
    expect(members.map((r) => r.DeletionPolicy)).toEqual(['Retain']);
  });

  test('fails when an account variable is not 12 digits', () => {
    expect(() => integEnvironment({ CDK_INTEG_ADMINISTRATOR_ACCOUNT: '12345' })).toThrow('invalid CDK_INTEG_ADMINISTRATOR_ACCOUNT "12345": expected 12 digits');
    expect(() => integEnvironment({ CDK_INTEG_ADMINISTRATOR_ACCOUNT: '111111111111' })).toThrow('expected an account other than the administrator\'s');
  });
});
