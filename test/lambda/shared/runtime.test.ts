import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { createHandler } from '../../../lambda/members';
import { createRuntime, RequestHandler } from '../../../lambda/shared/runtime';
import { TimeBudgetError } from '../../../lambda/shared/time-budget';

const A = '111111111111';
const CREDENTIALS = { accessKeyId: '999999999999', secretAccessKey: 'local' };

/** The request the SDK sent, as far as a test looks at it. */
interface SentRequest {
  readonly hostname: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/**
 * A Security Hub served in process, behind the SDK's request handler seam: no HTTP, no globals.
 * It knows no member and accepts every CreateMembers and InviteMembers.
 */
function inProcessHub(sent: SentRequest[]): RequestHandler {
  const answers: Record<string, unknown> = {
    '/members/get': { Members: [], UnprocessedAccounts: [] },
    '/members': { UnprocessedAccounts: [] },
    '/members/invite': { UnprocessedAccounts: [] },
  };
  return {
    handle: async (request: { hostname: string; path: string; body?: unknown }) => {
      const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array | undefined);
      sent.push({ hostname: request.hostname, path: request.path, body: JSON.parse(text || '{}') as Record<string, unknown> });
      const answer = answers[request.path];
      return {
        response: {
          statusCode: answer ? 200 : 404,
          headers: { 'content-type': 'application/json' },
          body: new TextEncoder().encode(JSON.stringify(answer ?? { message: `no route ${request.path}` })),
        },
      };
    },
  } as unknown as RequestHandler;
}

describe('the runtime', () => {
  test('reads the environment once, when it is made', () => {
    const env: Record<string, string> = { AWS_REGION: 'eu-west-1', SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '4' };
    const runtime = createRuntime({ env });
    env.SECURITYHUB_MEMBERS_MAX_ATTEMPTS = '7';
    env.AWS_REGION = 'us-east-1';
    expect(runtime.tuning.maxAttempts).toBe(4);
    expect(runtime.requireRegion()).toBe('eu-west-1');
  });

  test('fails when made with invalid tuning, naming the variable', () => {
    expect(() => createRuntime({ env: { SECURITYHUB_MEMBERS_BURST: 'lots' } })).toThrow('invalid SECURITYHUB_MEMBERS_BURST "lots": expected a positive number');
  });

  test('keeps one set of clients per region and per credentials', () => {
    const runtime = createRuntime({ env: {}, credentials: CREDENTIALS });
    const other = { accessKeyId: '888888888888', secretAccessKey: 'local' };
    expect(runtime.securityHub('us-east-1')).toBe(runtime.securityHub('us-east-1'));
    expect(runtime.securityHub('eu-west-1')).not.toBe(runtime.securityHub('us-east-1'));
    expect(runtime.securityHub('us-east-1', other)).toBe(runtime.securityHub('us-east-1', other));
    expect(runtime.securityHub('us-east-1', other)).not.toBe(runtime.securityHub('us-east-1'));
    expect(runtime.client(CloudFormationClient, 'cloudformation', 'us-east-1')).toBe(runtime.client(CloudFormationClient, 'cloudformation', 'us-east-1'));
    // Two runtimes share nothing.
    expect(createRuntime({ env: {} }).securityHub('us-east-1')).not.toBe(runtime.securityHub('us-east-1'));
  });

  test('takes endpoints from its options before the environment, per service', async () => {
    const runtime = createRuntime({
      env: { AWS_ENDPOINT_URL_SECURITYHUB: 'http://from-env:1', AWS_ENDPOINT_URL: 'http://any-service:2' },
      endpoints: { cloudformation: 'http://cloudformation.local:3' },
      credentials: CREDENTIALS,
    });
    const hostOf = async (endpoint: unknown): Promise<string> => (await (endpoint as () => Promise<{ hostname: string }>)()).hostname;
    expect(await hostOf(runtime.securityHub('us-east-1').client.config.endpoint)).toBe('from-env');
    expect(await hostOf(runtime.client(CloudFormationClient, 'cloudformation', 'us-east-1').config.endpoint)).toBe('cloudformation.local');
  });

  test('gives each invocation its own time budget, from its Lambda context and the runtime\'s clock', () => {
    let now = 1_000_000;
    const runtime = createRuntime({ env: {}, now: () => now });
    const invocation = runtime.invocation({ getRemainingTimeInMillis: () => 600_000 });
    const unlimited = runtime.invocation();
    now += 480_000;
    expect(() => invocation.budget.check()).toThrow(TimeBudgetError);
    expect(() => unlimited.budget.check()).not.toThrow();
    invocation.budget.lift();
    expect(() => invocation.budget.check()).not.toThrow();
  });
});

describe('createHandler', () => {
  test('serves the members handler over an in-process request handler, with its own log sink and environment', async () => {
    const sent: SentRequest[] = [];
    const lines: string[] = [];
    const regionBefore = process.env.AWS_REGION;
    const { handler } = createHandler({
      env: { AWS_REGION: 'ap-southeast-2', SECURITYHUB_MEMBERS_RATE_PER_SECOND: '10000', SECURITYHUB_MEMBERS_BURST: '10000' },
      credentials: CREDENTIALS,
      requestHandler: inProcessHub(sent),
      log: (line) => lines.push(line),
    });
    const result = await handler({
      RequestType: 'Create',
      StackId: 'arn:aws:cloudformation:ap-southeast-2:999999999999:stack/Admin/0f1e2d3c',
      LogicalResourceId: 'Members',
      ResourceProperties: { Members: [{ AccountId: A }], Invite: 'true' },
    }, { invokedFunctionArn: 'arn:aws:lambda:ap-southeast-2:999999999999:function:members' });
    expect(result).toEqual({ PhysicalResourceId: 'securityhub-members-Admin-Members', Data: { MemberCount: '1', EnabledCount: '0', InvitedCount: '1' } });
    expect(sent.map((r) => r.path)).toEqual(['/members/get', '/members', '/members/invite']);
    expect(sent.every((r) => r.hostname === 'securityhub.ap-southeast-2.amazonaws.com')).toBe(true);
    expect(sent[2].body).toEqual({ AccountIds: [A] });
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'done', region: 'ap-southeast-2', created: [A], invited: [A] }));
    expect(process.env.AWS_REGION).toBe(regionBefore);
  });
});
