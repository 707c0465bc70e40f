/**
 * The Provider framework runner on its own, with the runtime aws-cdk-lib packages and user
 * functions in-process: the framework's rules are its own, and a run changes nothing global, so
 * runs for different functions may overlap in one process.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LocalResource, LocalStack } from '../../local/deploy/assembly';
import { CUSTOM_RESOURCE_RESPONSE_LIMIT, LocalCloudFormation } from '../../local/deploy/cloudformation';
import { FrameworkFunctions, runFrameworkEvent } from '../../local/deploy/provider-framework';

const ARN = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

function createEvent(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    RequestType: 'Create',
    ServiceToken: ARN('framework-onEvent'),
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/presigned?X-Amz-Signature=abc',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Probe/0f1e2d3c',
    RequestId: 'request-1',
    LogicalResourceId: 'Probe',
    ResourceType: 'Custom::Probe',
    ResourceProperties: { ServiceToken: ARN('framework-onEvent') },
    ...extra,
  };
}

const waiter = { intervalMs: 0, maxPolls: 4 };

test('onEvent\'s answer becomes the SUCCESS response, with the framework\'s variables seen by it alone', async () => {
  const seen: unknown[] = [];
  const functions: FrameworkFunctions = {
    onEvent: {
      arn: ARN('user'),
      invoke: async (payload) => {
        seen.push(payload.RequestType, process.env.USER_ON_EVENT_FUNCTION_ARN);
        return { PhysicalResourceId: 'probe-1', Data: { Answer: '42' } };
      },
    },
  };

  const run = await runFrameworkEvent(createEvent(), { functions, waiter });

  expect(run.response.parsed).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'probe-1', Data: { Answer: '42' } });
  expect(run.polls).toBe(0);
  expect(seen).toEqual(['Create', undefined]);
});

test('isComplete is polled until complete, each poll one invocation of the user\'s isComplete', async () => {
  let calls = 0;
  const functions: FrameworkFunctions = {
    onEvent: { arn: ARN('user'), invoke: async () => ({ PhysicalResourceId: 'probe-1' }) },
    isComplete: { arn: ARN('user-complete'), invoke: async () => ({ IsComplete: ++calls === 3, ...(calls === 3 ? { Data: { Polls: '3' } } : {}) }) },
  };
  const before: number[] = [];

  const run = await runFrameworkEvent(createEvent(), { functions, waiter: { ...waiter, beforePoll: (poll) => before.push(poll) } });

  expect(run.polls).toBe(3);
  expect(before).toEqual([1, 2, 3]);
  expect(run.timedOut).toBe(false);
  expect(run.invocations.map((i) => i.arn)).toEqual([ARN('user'), ARN('user-complete'), ARN('user-complete'), ARN('user-complete')]);
  expect(run.response.parsed).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'probe-1', Data: { Polls: '3' } });
});

test('fails when the polls run out: the framework\'s onTimeout answers Operation timed out with onEvent\'s physical id', async () => {
  const functions: FrameworkFunctions = {
    onEvent: { arn: ARN('user'), invoke: async () => ({ PhysicalResourceId: 'probe-1' }) },
    isComplete: { arn: ARN('user-complete'), invoke: async () => ({ IsComplete: false }) },
  };

  const run = await runFrameworkEvent(createEvent(), { functions, waiter });

  expect(run.polls).toBe(4);
  expect(run.timedOut).toBe(true);
  expect(run.response.parsed).toMatchObject({ Status: 'FAILED', Reason: 'Operation timed out', PhysicalResourceId: 'probe-1' });
});

test('fails when onEvent throws on Create: the framework answers with its marker, and ignores the Delete for it without the handler', async () => {
  const requestTypes: unknown[] = [];
  const functions: FrameworkFunctions = {
    onEvent: {
      arn: ARN('user'),
      invoke: async (payload) => {
        requestTypes.push(payload.RequestType);
        throw new Error('asked to fail');
      },
    },
  };

  const failed = await runFrameworkEvent(createEvent(), { functions, waiter });
  expect(failed.response.parsed.Status).toBe('FAILED');
  expect(failed.response.parsed.Reason).toMatch(/^asked to fail\n\nLogs: \/aws\/lambda\/user\n/);
  const marker = failed.response.parsed.PhysicalResourceId;
  expect(marker).toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');

  const deleted = await runFrameworkEvent(createEvent({ RequestType: 'Delete', PhysicalResourceId: marker }), { functions, waiter });
  expect(deleted.response.parsed).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: marker });
  expect(deleted.invocations).toEqual([]);
  expect(requestTypes).toEqual(['Create']);
});

test('overlapping runs for different functions each reach their own function', async () => {
  const slow = (name: string, ms: number): FrameworkFunctions => ({
    onEvent: { arn: ARN(name), invoke: async () => new Promise((resolve) => setTimeout(() => resolve({ PhysicalResourceId: name }), ms)) },
  });

  const [first, second] = await Promise.all([
    runFrameworkEvent(createEvent(), { functions: slow('first', 20), waiter }),
    runFrameworkEvent(createEvent(), { functions: slow('second', 1), waiter }),
  ]);

  expect([first.response.parsed.PhysicalResourceId, second.response.parsed.PhysicalResourceId]).toEqual(['first', 'second']);
});

describe('the local deploy reads the framework\'s response as CloudFormation does', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  /** A stack of one probe resource whose handler answers with `dataBytes` bytes of Data and logs each RequestType. */
  function probeStack(dataBytes: number): LocalStack {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-framework-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'index.js'), `
exports.createHandler = (options) => ({
  handler: async (event) => {
    options.log(JSON.stringify({ requestType: event.RequestType }));
    return { PhysicalResourceId: 'probe-1', Data: { Blob: 'x'.repeat(${dataBytes}) } };
  },
});
`);
    const resource: LocalResource = {
      logicalId: 'Probe',
      path: 'Probes/Probe/Resource/Default',
      type: 'Custom::Probe',
      properties: {},
      retain: false,
      onEvent: { file: path.join(dir, 'index.js'), exportName: 'handler', functionLogicalId: 'ProbeHandler' },
    };
    const template = { Resources: { Probe: { Type: 'Custom::Probe', Properties: {}, Metadata: { 'aws:cdk:path': resource.path } } } };
    return { name: 'Probes', hierarchicalId: 'Probes', account: '123456789012', region: 'eu-west-1', resources: [resource], template };
  }

  let cfn: LocalCloudFormation;
  beforeEach(() => {
    // Nothing here calls Security Hub.
    cfn = new LocalCloudFormation({ endpoint: 'http://127.0.0.1:9' });
  });
  afterEach(() => cfn.close());

  test('an answer under 4,096 bytes is read: its physical id and Data', async () => {
    const result = await cfn.deploy([probeStack(100)]);

    expect(result.events.map((e) => [e.action, e.ok, e.physicalResourceId, e.data?.Blob.length])).toEqual([['Create', true, 'probe-1', 100]]);
  });

  test(`fails when the framework's response is over ${CUSTOM_RESOURCE_RESPONSE_LIMIT} bytes, as CloudFormation refuses it`, async () => {
    const result = await cfn.deploy([probeStack(5000)]);

    expect(result.ok).toBe(false);
    expect(result.events[0].action).toBe('Create');
    expect(result.events[0].error).toMatch(/^Response object is too long \(\d+ bytes; CloudFormation reads at most 4096\)$/);
    expect(cfn.resources).toHaveLength(0);
  });
});
