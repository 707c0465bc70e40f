import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { RunningCloudFormationEndpoint, StackDescription, startCloudFormationEndpoint } from '../../../local/deploy/cloudformation-endpoint';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:999999999999:stack/Admin/4b1e2f4a-0000-4000-8000-000000000001';
const TEMPLATE = {
  Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
  Resources: {
    Fleet: { Type: 'Custom::SecurityHubMembers', Properties: { Members: [{ AccountId: '111111111111', Email: 'a&b<c>@example.com' }], Regions: { Ref: 'AWS::Region' } } },
  },
};

describe('the local CloudFormation endpoint, read by the real CloudFormation client', () => {
  let endpoint: RunningCloudFormationEndpoint;
  let view: StackDescription;
  let client: CloudFormationClient;
  beforeAll(async () => {
    view = {
      stackName: 'Admin',
      stackId: STACK_ID,
      status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      template: TEMPLATE,
      parameters: { BootstrapVersion: '/cdk-bootstrap/hnb659fds/version' },
      creationTime: new Date('2026-01-02T03:04:05.000Z'),
      lastUpdatedTime: new Date('2026-01-03T03:04:05.000Z'),
    };
    endpoint = await startCloudFormationEndpoint((nameOrId) => (nameOrId === view.stackName || nameOrId === view.stackId ? view : undefined));
    client = new CloudFormationClient({ region: 'us-east-1', endpoint: endpoint.url, credentials: { accessKeyId: '999999999999', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
  });

  test('DescribeStacks by stack id answers the status, parameters and times of that moment', async () => {
    const answer = await client.send(new DescribeStacksCommand({ StackName: STACK_ID }));
    expect(answer.Stacks).toHaveLength(1);
    const [stack] = answer.Stacks!;
    expect(stack).toMatchObject({
      StackName: 'Admin',
      StackId: STACK_ID,
      StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      Parameters: [{ ParameterKey: 'BootstrapVersion', ParameterValue: '/cdk-bootstrap/hnb659fds/version' }],
      DisableRollback: false,
    });
    expect(stack.CreationTime?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(stack.LastUpdatedTime?.toISOString()).toBe('2026-01-03T03:04:05.000Z');
  });

  test('GetTemplate answers the template as JSON text, escaped characters intact', async () => {
    const answer = await client.send(new GetTemplateCommand({ StackName: 'Admin' }));
    expect(JSON.parse(answer.TemplateBody!)).toEqual(TEMPLATE);
    expect(answer.StagesAvailable).toEqual(['Original', 'Processed']);
  });

  test('an unknown stack is the service\'s ValidationError', async () => {
    const unknown = 'arn:aws:cloudformation:us-east-1:999999999999:stack/Gone/00000000-0000-4000-8000-000000000000';
    await expect(client.send(new DescribeStacksCommand({ StackName: unknown }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Stack with id ${unknown} does not exist`,
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new GetTemplateCommand({ StackName: 'Gone' }))).rejects.toMatchObject({ name: 'ValidationError', message: 'Stack with id Gone does not exist' });
  });

  test('the status and template are read at each request, so a stack that moves on is seen moving', async () => {
    view = { ...view, status: 'UPDATE_ROLLBACK_IN_PROGRESS', template: { Resources: {} } };
    const described = await client.send(new DescribeStacksCommand({ StackName: 'Admin' }));
    expect(described.Stacks?.[0].StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    const template = await client.send(new GetTemplateCommand({ StackName: 'Admin' }));
    expect(JSON.parse(template.TemplateBody!)).toEqual({ Resources: {} });
    expect(endpoint.calls.slice(-2)).toEqual([
      { action: 'DescribeStacks', stackName: 'Admin', httpStatus: 200 },
      { action: 'GetTemplate', stackName: 'Admin', httpStatus: 200 },
    ]);
  });
});
