import { GetMembersCommand } from '@aws-sdk/client-securityhub';
import { createRegionClients } from '../../../lambda/shared/client';
import { RunningEmulator, emulatorClient, startEmulator } from '../../../local/emulator';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const REGION = 'us-east-1';
const LIMIT = { ratePerSecond: 5, burst: 10 };
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('the pacer after a throttle', () => {
  let emulator: RunningEmulator;

  beforeEach(async () => {
    emulator = await startEmulator({ rateLimit: LIMIT });
  });

  afterEach(async () => {
    await emulator.close();
  });

  test('starts again from empty, so the next requests wait for the service\'s bucket to refill instead of bursting into it', async () => {
    const clients = createRegionClients(REGION, {
      endpoint: emulator.url,
      credentials: { accessKeyId: ADMIN, secretAccessKey: 'local' },
      // No retries: each request is one call, so the call log counts what the pacer let through.
      tuning: { ...LIMIT, maxAttempts: 1, concurrency: 10 },
    });
    // Another caller of the account uses up the whole limit; our pacer still holds its burst.
    const other = emulatorClient(emulator.url, ADMIN, REGION, { maxAttempts: 1 });
    const send = (client: typeof other) => client.send(new GetMembersCommand({ AccountIds: [MEMBER] }))
      .then(() => 'ok', (error: Error) => error.name);
    // Right after the other caller's 429 the service's bucket is empty, so our next request is
    // throttled too, unless a slow machine let a token refill in between: then the other caller
    // empties it again.
    let ours = 'ok';
    for (let round = 0; round < 5 && ours === 'ok'; round++) {
      while (await send(other) === 'ok') {
        // until the other caller is throttled
      }
      ours = await send(clients.client);
    }
    expect(ours).toBe('LimitExceededException');
    emulator.calls.reset();

    // Through the other client of the pair: it shares the pacer but not the first one's adaptive
    // retry limiter, which would slow it down after the throttle whatever the pacer does.
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await clients.inviteClient.send(new GetMembersCommand({ AccountIds: [MEMBER] }))
        .then(() => 'ok', (error: Error) => error.name));
    }

    // The pacer refills no faster than the service's bucket from the moment of the throttle, so no
    // request finds it empty; with the saved-up burst they would go out at once and be throttled.
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(emulator.calls.entries().map((call) => call.httpStatus)).toEqual([200, 200, 200, 200]);
  });
});
