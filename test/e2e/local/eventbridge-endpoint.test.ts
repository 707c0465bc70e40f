/**
 * The local EventBridge answers PutEvents through the real @aws-sdk/client-eventbridge, keeps what it
 * accepted, and refuses what the service refuses.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { RunningEventBridgeEndpoint, startEventBridgeEndpoint } from '../../../local/eventbridge-endpoint';

let endpoint: RunningEventBridgeEndpoint;
let client: EventBridgeClient;

beforeEach(async () => {
  endpoint = await startEventBridgeEndpoint();
  client = new EventBridgeClient({
    region: 'eu-west-1',
    endpoint: endpoint.url,
    credentials: { accessKeyId: '999999999999', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterEach(async () => {
  client.destroy();
  await endpoint.close();
});

const entry = (detail: unknown, extra: Record<string, unknown> = {}) => ({ Source: 'cdk-securityhub-members', DetailType: 'Security Hub Members Drift', Detail: JSON.stringify(detail), ...extra });

test('accepts an event on the default bus, as the signing account and region', async () => {
  const out = await client.send(new PutEventsCommand({ Entries: [entry({ stack: 'Admin' })] }));
  expect(out.FailedEntryCount).toBe(0);
  expect(out.Entries?.[0].EventId).toBe(endpoint.events[0].id);
  expect(endpoint.events).toEqual([expect.objectContaining({
    account: '999999999999', region: 'eu-west-1', eventBusName: 'default', source: 'cdk-securityhub-members', detailType: 'Security Hub Members Drift', detail: { stack: 'Admin' },
  })]);
});

test('refuses a request over 256 KB, as the service does, and keeps nothing', async () => {
  await expect(client.send(new PutEventsCommand({ Entries: [entry({ blob: 'x'.repeat(256 * 1024) })] }))).rejects.toThrow(/Total size of the entries in the request is over the limit/);
  expect(endpoint.events).toEqual([]);
});

test('fails an entry whose Detail is not a JSON object, in FailedEntryCount', async () => {
  const out = await client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '[1]' }, entry({ ok: true })] }));
  expect(out.FailedEntryCount).toBe(1);
  expect(out.Entries?.[0].ErrorCode).toBe('MalformedDetail');
  expect(endpoint.events.map((e) => e.detail)).toEqual([{ ok: true }]);
});

test('refuses more than 10 entries, and everything when told to', async () => {
  await expect(client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry({})) }))).rejects.toThrow(/Entries has 11 entries: expected 1 to 10/);
  endpoint.refuse('AccessDeniedException');
  await expect(client.send(new PutEventsCommand({ Entries: [entry({})] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  expect(endpoint.events).toEqual([]);
});
