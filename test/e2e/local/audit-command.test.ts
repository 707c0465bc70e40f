/** `npm run local -- audit`: its arguments, and what it says when there is nothing to run. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { deployedAudits, localAudit, parseAuditArgs } from '../../../local/audit';
import { startEmulator } from '../../../local/emulator';

test('takes --repair and nothing else', () => {
  expect(parseAuditArgs([])).toEqual({ repair: false });
  expect(parseAuditArgs(['--repair'])).toEqual({ repair: true });
  expect(parseAuditArgs(['--json'])).toBe('unknown argument "--json" for audit: expected --repair or nothing');
});

test('finds the audit function of a deployed stack, its environment resolved', () => {
  const stack = {
    name: 'Admin', account: '999999999999', region: 'us-east-1', stackId: 'arn:aws:cloudformation:us-east-1:999999999999:stack/Admin/1',
    status: 'CREATE_COMPLETE' as const, creationTime: '2026-12-01T00:00:00Z',
    template: {
      Resources: {
        Other: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { X: '1' } } } },
        AuditFunction1: {
          Type: 'AWS::Lambda::Function',
          Metadata: { 'aws:cdk:path': 'Admin/Audit/Function/Resource', 'aws:asset:path': 'asset.missing' },
          Properties: { Environment: { Variables: { AUDIT_STACK_ID: { Ref: 'AWS::StackId' }, AUDIT_STACK_NAME: 'Admin', AUDIT_REPAIR: 'false' } } },
        },
      },
    },
  };
  const root = path.join(__dirname, '..', '..', '..');
  expect(deployedAudits([stack], { root, stackState: 'unused', cdkOut: '/nonexistent' })).toEqual([{
    stack,
    logicalId: 'AuditFunction1',
    name: 'Audit',
    // The deployed asset is gone: the package's own bundle runs.
    file: path.join(root, 'assets', 'audit-handler', 'index.js'),
    environment: { AUDIT_STACK_ID: stack.stackId, AUDIT_STACK_NAME: 'Admin', AUDIT_REPAIR: 'false' },
  }]);
});

test('says to deploy first when no deployed stack has an audit, exit 1; a bad argument is one line on stderr, exit 1', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-local-audit-'));
  const emulator = await startEmulator();
  try {
    const printed: string[] = [];
    const errors: string[] = [];
    const paths = { root: dir, stackState: path.join(dir, 'stacks.json'), cdkOut: path.join(dir, 'cdk.out') };
    expect(await localAudit(emulator, paths, [], (line) => printed.push(line), (line) => errors.push(line))).toBe(1);
    expect(await localAudit(emulator, paths, ['--wait'], (line) => printed.push(line), (line) => errors.push(line))).toBe(1);
    expect(printed).toEqual(['No deployed stack has a SecurityHubMembersAudit: deploy the sample app first (npm run local -- deploy).']);
    expect(errors).toEqual(['error: unknown argument "--wait" for audit: expected --repair or nothing']);
  } finally {
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
