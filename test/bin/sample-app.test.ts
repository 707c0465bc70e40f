/**
 * The sample app (bin/) synthesizes as cdk.json configures it: this file runs against the pinned
 * latest aws-cdk-lib and against the peer range's floor (jest.config.js).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildSampleApp } from '../../bin/sample-app';

describe('the sample app', () => {
  test('synthesizes the administrator\'s stack and one accepter stack per member, each after the administrator\'s', () => {
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
