/**
 * The local deploy's CloudFormation order, seen from inside the handlers: a probe handler reads
 * its own stack with the real CloudFormation client (DescribeStacks and GetTemplate by the event's
 * StackId, through the CloudFormation endpoint its runtime options give it) at every event and
 * logs what it saw.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { LocalResource, LocalStack } from '../../../local/deploy/assembly';
import { EventReport, LocalCloudFormation } from '../../../local/deploy/cloudformation';

const ACCOUNT = '999999999999';
const REGION = 'eu-west-1';
const TYPE = 'Custom::Probe';

/** A bundle as the local deploy loads it: createHandler(runtime options) gives the handler. */
const PROBE = `
const { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } = require(${JSON.stringify(require.resolve('@aws-sdk/client-cloudformation'))});
exports.createHandler = (options) => {
  const client = new CloudFormationClient({ region: options.env.AWS_REGION, endpoint: options.endpoints.cloudformation, credentials: options.credentials, maxAttempts: 1 });
  return {
    handler: async (event) => {
      const [stack] = (await client.send(new DescribeStacksCommand({ StackName: event.StackId }))).Stacks;
      const template = JSON.parse((await client.send(new GetTemplateCommand({ StackName: event.StackId }))).TemplateBody);
      options.log(JSON.stringify({ stackId: stack.StackId, status: stack.StackStatus, resources: Object.keys(template.Resources).sort(), creationTime: stack.CreationTime, lastUpdatedTime: stack.LastUpdatedTime }));
      const props = event.ResourceProperties;
      if (props.Fail === 'true' && event.RequestType !== 'Delete' || props.FailDelete === 'true' && event.RequestType === 'Delete') {
        throw new Error('asked to fail');
      }
      const replaced = event.RequestType === 'Update' && props.Generation !== event.OldResourceProperties.Generation;
      return { PhysicalResourceId: event.RequestType === 'Create' || replaced ? event.LogicalResourceId + '-' + props.Generation : event.PhysicalResourceId };
    },
  };
};
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A folder with the probe handler; a new one per test, so each test's handler is a cold start. */
function probeDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-probe-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'index.js'), PROBE);
  return dir;
}

interface ProbeProps {
  readonly Generation?: string;
  readonly Fail?: boolean;
  readonly FailDelete?: boolean;
}

/** A stack of probe resources, each with its properties, and the template CloudFormation would hold. */
function stack(dir: string, resources: Record<string, ProbeProps>, name = 'Probes'): LocalStack {
  const local: LocalResource[] = Object.entries(resources).map(([logicalId, props]) => ({
    logicalId,
    path: `${name}/${logicalId}/Resource/Default`,
    type: TYPE,
    properties: { Generation: props.Generation ?? '1', ...(props.Fail ? { Fail: true } : {}), ...(props.FailDelete ? { FailDelete: true } : {}) },
    retain: false,
    onEvent: { file: path.join(dir, 'index.js'), exportName: 'handler', functionLogicalId: 'ProbeHandler' },
  }));
  const template = {
    Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
    Resources: Object.fromEntries(local.map((r) => [r.logicalId, { Type: TYPE, Properties: r.properties, Metadata: { 'aws:cdk:path': r.path } }])),
  };
  return { name, hierarchicalId: name, account: ACCOUNT, region: REGION, resources: local, template };
}

/** What each event's handler saw, in order: action, resource, the status it read, the template's resources. */
function seen(events: readonly EventReport[]): [string, string, string, string[]][] {
  return events.filter((e) => e.logs.length > 0).map((e) => {
    const probe = JSON.parse(e.logs[0]) as { status: string; resources: string[] };
    return [e.action, e.logicalId, probe.status, probe.resources];
  });
}

describe('the local deploy runs events in CloudFormation\'s order, and the handlers can read the stack', () => {
  let cfn: LocalCloudFormation;
  let dir: string;
  beforeEach(() => {
    dir = probeDir();
    // Nothing here calls Security Hub: the probe only reads CloudFormation.
    cfn = new LocalCloudFormation({ endpoint: 'http://127.0.0.1:9' });
  });
  afterEach(() => cfn.close());

  test('a renamed resource is created first, and the old one deleted in the cleanup phase with the new template', async () => {
    const created = await cfn.deploy([stack(dir, { Members: {} })]);
    expect(seen(created.events)).toEqual([['Create', 'Members', 'CREATE_IN_PROGRESS', ['Members']]]);
    expect(cfn.stack('Probes')?.status).toBe('CREATE_COMPLETE');

    const renamed = await cfn.deploy([stack(dir, { Fleet: {}, Other: {} })]);
    expect(renamed.ok).toBe(true);
    expect(seen(renamed.events)).toEqual([
      ['Create', 'Fleet', 'UPDATE_IN_PROGRESS', ['Fleet', 'Other']],
      ['Create', 'Other', 'UPDATE_IN_PROGRESS', ['Fleet', 'Other']],
      ['Delete', 'Members', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', ['Fleet', 'Other']],
    ]);
    expect(cfn.resources.map((r) => r.logicalId)).toEqual(['Fleet', 'Other']);
    expect(cfn.stack('Probes')?.status).toBe('UPDATE_COMPLETE');
  });

  test('a replaced resource (a new physical id) is deleted under its old id in the cleanup phase, after the other updates', async () => {
    await cfn.deploy([stack(dir, { Members: {}, Other: {} })]);
    const replaced = await cfn.deploy([stack(dir, { Members: { Generation: '2' }, Other: { Generation: '2' } })]);
    expect(replaced.events.map((e) => [e.action, e.logicalId, e.physicalResourceId, e.phase])).toEqual([
      ['Update', 'Members', 'Members-2', 'UPDATE_IN_PROGRESS'],
      ['Update', 'Other', 'Other-2', 'UPDATE_IN_PROGRESS'],
      ['Delete', 'Other', 'Other-1', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'],
      ['Delete', 'Members', 'Members-1', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'],
    ]);
    expect(cfn.resources.map((r) => r.physicalResourceId)).toEqual(['Members-2', 'Other-2']);
  });

  test('a failed update rolls back with the previous template, then deletes what it created in the rollback cleanup', async () => {
    await cfn.deploy([stack(dir, { Members: {} })]);
    const failed = await cfn.deploy([stack(dir, { Fleet: {}, Members: {}, Broken: { Fail: true } })]);
    expect(failed.ok).toBe(false);
    expect(seen(failed.events)).toEqual([
      ['Create', 'Fleet', 'UPDATE_IN_PROGRESS', ['Broken', 'Fleet', 'Members']],
      ['Create', 'Broken', 'UPDATE_IN_PROGRESS', ['Broken', 'Fleet', 'Members']],
      ['Rollback Delete', 'Fleet', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', ['Members']],
    ]);
    expect(cfn.resources.map((r) => r.logicalId)).toEqual(['Members']);
    expect(cfn.stack('Probes')?.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  test('with rollbackTemplate "failed", GetTemplate answers the failed template during the rollback and its cleanup', async () => {
    const failedReading = new LocalCloudFormation({ endpoint: 'http://127.0.0.1:9', rollbackTemplate: 'failed' });
    try {
      await failedReading.deploy([stack(dir, { First: {}, Second: {} })]);
      const failed = await failedReading.deploy([stack(dir, { First: {}, Added: {}, Second: { Fail: true } })]);
      expect(seen(failed.events).slice(2)).toEqual([
        ['Rollback Update', 'Second', 'UPDATE_ROLLBACK_IN_PROGRESS', ['Added', 'First', 'Second']],
        ['Rollback Delete', 'Added', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', ['Added', 'First', 'Second']],
      ]);
      // Once the rollback is complete, the stack's template is the previous one, whatever the reading.
      expect(Object.keys(failedReading.answer('Probes', 'GetTemplate')!.template.Resources as object).sort()).toEqual(['First', 'Second']);
    } finally {
      await failedReading.close();
    }
  });

  test('fails on a rollback template reading it does not know, naming it', () => {
    expect(() => new LocalCloudFormation({ endpoint: 'http://127.0.0.1:9', rollbackTemplate: 'latest' as never }))
      .toThrow('invalid rollback template reading "latest" (SECURITYHUB_LOCAL_ROLLBACK_TEMPLATE): expected "previous" or "failed"');
  });

  test('the updated resources are rolled back with Updates, the last updated first, before the cleanup', async () => {
    await cfn.deploy([stack(dir, { First: {}, Second: {} })]);
    const failed = await cfn.deploy([stack(dir, { First: {}, Added: {}, Second: { Fail: true } })]);
    expect(seen(failed.events)).toEqual([
      ['Create', 'Added', 'UPDATE_IN_PROGRESS', ['Added', 'First', 'Second']],
      ['Update', 'Second', 'UPDATE_IN_PROGRESS', ['Added', 'First', 'Second']],
      ['Rollback Update', 'Second', 'UPDATE_ROLLBACK_IN_PROGRESS', ['First', 'Second']],
      ['Rollback Delete', 'Added', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', ['First', 'Second']],
    ]);
    const rollback = failed.events.find((e) => e.action === 'Rollback Update');
    expect(rollback?.properties).toEqual({ Generation: '1' });
    expect(rollback?.oldProperties).toEqual({ Generation: '1', Fail: true });
  });

  test('a cleanup Delete that keeps failing is tried three times, then skipped: the update completes', async () => {
    await cfn.deploy([stack(dir, { Members: { FailDelete: true }, Fleet: {} })]);
    const removed = await cfn.deploy([stack(dir, { Fleet: {} })]);
    expect(removed.ok).toBe(true);
    expect(removed.events.map((e) => [e.action, e.logicalId, e.phase, e.ok])).toEqual([
      ['Unchanged', 'Fleet', 'UPDATE_IN_PROGRESS', true],
      ...Array.from({ length: 3 }, () => ['Delete', 'Members', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', false]),
    ]);
    expect(cfn.resources.map((r) => r.logicalId)).toEqual(['Fleet']);
    expect(cfn.stack('Probes')?.status).toBe('UPDATE_COMPLETE');
  });

  test('a failed first deploy deletes what it created in ROLLBACK_IN_PROGRESS, and the stack is gone', async () => {
    const failed = await cfn.deploy([stack(dir, { Members: {}, Broken: { Fail: true } })]);
    expect(seen(failed.events)).toEqual([
      ['Create', 'Members', 'CREATE_IN_PROGRESS', ['Broken', 'Members']],
      ['Create', 'Broken', 'CREATE_IN_PROGRESS', ['Broken', 'Members']],
      ['Rollback Delete', 'Members', 'ROLLBACK_IN_PROGRESS', ['Broken', 'Members']],
    ]);
    expect(cfn.stack('Probes')).toBeUndefined();
    expect(cfn.resources).toEqual([]);
  });

  test('destroy deletes in DELETE_IN_PROGRESS, the last created first; then DescribeStacks says the stack does not exist', async () => {
    await cfn.deploy([stack(dir, { Members: {}, Fleet: {} })]);
    const stackId = cfn.stack('Probes')!.stackId;
    const destroyed = await cfn.destroy();
    expect(seen(destroyed.events)).toEqual([
      ['Delete', 'Fleet', 'DELETE_IN_PROGRESS', ['Fleet', 'Members']],
      ['Delete', 'Members', 'DELETE_IN_PROGRESS', ['Fleet', 'Members']],
    ]);
    const client = new CloudFormationClient({ region: REGION, endpoint: await cfn.cloudFormationEndpoint(), credentials: { accessKeyId: ACCOUNT, secretAccessKey: 'local' }, maxAttempts: 1 });
    await expect(client.send(new DescribeStacksCommand({ StackName: stackId }))).rejects.toThrow(`Stack with id ${stackId} does not exist`);
    client.destroy();
  });

  test('DescribeStacks answers CreationTime (the first deploy\'s start) and LastUpdatedTime (the start of the latest update, absent before one)', async () => {
    const times = (events: readonly EventReport[]) => events.filter((e) => e.logs.length > 0)
      .map((e) => JSON.parse(e.logs[0]) as { creationTime: string; lastUpdatedTime?: string })
      .map((t) => ({ creationTime: Date.parse(t.creationTime), lastUpdatedTime: t.lastUpdatedTime === undefined ? undefined : Date.parse(t.lastUpdatedTime) }));
    const beforeCreate = Date.now();
    const created = times((await cfn.deploy([stack(dir, { Members: {}, Fleet: {} })])).events);
    const afterCreate = Date.now();
    expect(created).toHaveLength(2);
    for (const seenTimes of created) {
      expect(seenTimes.lastUpdatedTime).toBeUndefined();
      expect(seenTimes.creationTime).toBeGreaterThanOrEqual(beforeCreate);
      expect(seenTimes.creationTime).toBeLessThanOrEqual(afterCreate);
    }

    const beforeUpdate = Date.now();
    const failed = times((await cfn.deploy([stack(dir, { Members: { Generation: '2' }, Fleet: { Generation: '2', Fail: true } })])).events);
    // Every event of the update and of its rollback sees the same start, taken before the first event.
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(new Set(failed.map((t) => t.lastUpdatedTime)).size).toBe(1);
    expect(failed[0].lastUpdatedTime).toBeGreaterThanOrEqual(beforeUpdate);
    expect(failed[0].creationTime).toBe(created[0].creationTime);
    expect(failed[0].lastUpdatedTime).toBeGreaterThanOrEqual(afterCreate);
  });

  test('the StackId is a real stack ARN, sent in every event, and kept with the local state across runs', async () => {
    const statePath = path.join(dir, 'state', 'stacks.json');
    const first = new LocalCloudFormation({ endpoint: 'http://127.0.0.1:9', statePath });
    const created = await first.deploy([stack(dir, { Members: {} })]);
    await first.close();
    const stackId = first.stack('Probes')!.stackId;
    expect(stackId).toMatch(new RegExp(`^arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Probes/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`));
    expect(JSON.parse(created.events[0].logs[0]).stackId).toBe(stackId);

    const second = new LocalCloudFormation({ endpoint: 'http://127.0.0.1:9', statePath });
    const updated = await second.deploy([stack(dir, { Members: { Generation: '1' }, Fleet: {} })]);
    await second.close();
    expect(second.stack('Probes')?.stackId).toBe(stackId);
    expect(updated.events.map((e) => e.action)).toEqual(['Unchanged', 'Create']);
    expect(JSON.parse(updated.events[1].logs[0]).stackId).toBe(stackId);
  });
});
