/**
 * A local EventBridge that answers `PutEvents` on 127.0.0.1, so that the scheduled audit's bundled
 * function puts its drift event through the real `@aws-sdk/client-eventbridge`, unchanged, via
 * `AWS_ENDPOINT_URL_EVENTBRIDGE` (docs/design.md, "Local Security Hub and local deploys"). It
 * speaks the service's JSON 1.1 protocol, keeps every event it accepted, and refuses what the
 * service refuses for this call: an entry over 256 KB, a request without entries or with more
 * than 10, an entry without Source, DetailType or Detail, and a Detail that is not a JSON object.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, startLoopbackServer } from './loopback-server';

/** An event the endpoint accepted. */
export interface PutEvent {
  readonly id: string;
  /** The account that put it, from the request's access key id (as the local Security Hub reads it). */
  readonly account: string;
  /** The region, from the request's credential scope. */
  readonly region: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  /** The detail, parsed. */
  readonly detail: unknown;
  /** The entry's size as EventBridge computes it, in bytes. */
  readonly size: number;
}

/** A running endpoint. */
export interface RunningEventBridgeEndpoint {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every event accepted, oldest first. */
  readonly events: PutEvent[];
  /** Makes every later request fail with this error (`AccessDeniedException`, for instance); undefined answers again. */
  refuse(code: string | undefined): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** EventBridge's limit on one entry. */
const MAX_ENTRY_BYTES = 256 * 1024;
const MAX_ENTRIES = 10;

class ServiceError extends Error {
  constructor(readonly code: string, message: string, readonly httpStatus = 400) {
    super(message);
  }
}

interface Entry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
}

/** The size of an entry as the service counts it: Time (14 bytes), Source, DetailType, Detail and Resources in UTF-8. */
function entrySize(entry: Entry): number {
  const text = (value: unknown): number => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources.reduce((sum: number, r: unknown) => sum + text(r), 0) : 0;
  return 14 + text(entry.Source) + text(entry.DetailType) + text(entry.Detail) + resources;
}

/** The account and region of a SigV4 request: the access key id and the credential scope. */
function signer(request: IncomingMessage): { account: string; region: string } {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/events\//.exec(String(request.headers.authorization ?? ''));
  if (!match) {
    throw new ServiceError('MissingAuthenticationTokenException', 'the request is not signed with SigV4 for the events service');
  }
  return { account: match[1], region: match[2] };
}

function putEvents(body: unknown, who: { account: string; region: string }, events: PutEvent[]): unknown {
  const entries = (body as { Entries?: unknown } | null)?.Entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
    throw new ServiceError('ValidationException', `Entries has ${Array.isArray(entries) ? entries.length : 'no'} entries: expected 1 to ${MAX_ENTRIES}`);
  }
  const total = (entries as Entry[]).reduce((sum, e) => sum + entrySize(e), 0);
  if (total > MAX_ENTRY_BYTES) {
    throw new ServiceError('ValidationException', `Total size of the entries in the request is over the limit (${total} bytes): expected at most ${MAX_ENTRY_BYTES}`);
  }
  let failed = 0;
  const results = (entries as Entry[]).map((entry) => {
    let detail: unknown;
    try {
      detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : undefined;
    } catch {
      detail = undefined;
    }
    if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      failed++;
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'expected Source, DetailType and a Detail that is a JSON object' };
    }
    const id = randomUUID();
    const bus = typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default';
    events.push({ id, ...who, eventBusName: bus, source: entry.Source, detailType: entry.DetailType, detail, size: entrySize(entry) });
    return { EventId: id };
  });
  return { FailedEntryCount: failed, Entries: results };
}

/** Starts the endpoint on a free port of 127.0.0.1. */
export async function startEventBridgeEndpoint(): Promise<RunningEventBridgeEndpoint> {
  const events: PutEvent[] = [];
  let refusal: string | undefined;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const text = await readBody(request);
    let status = 200;
    let payload: unknown;
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (refusal) {
        throw new ServiceError(refusal, `the local EventBridge refuses every request (${refusal}), as asked`);
      }
      if (target !== 'AWSEvents.PutEvents') {
        throw new ServiceError('UnknownOperationException', `operation ${JSON.stringify(target)} is not served by the local EventBridge: expected AWSEvents.PutEvents`);
      }
      payload = putEvents(JSON.parse(text || '{}'), signer(request), events);
    } catch (error) {
      const failure = error instanceof ServiceError ? error : new ServiceError('InternalException', String(error), 500);
      status = failure.httpStatus;
      payload = { __type: failure.code, message: failure.message };
    }
    // No keep-alive: an idle connection of a function's SDK client would keep the process alive.
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), connection: 'close' });
    response.end(JSON.stringify(payload));
  };
  const server = await startLoopbackServer(handle);
  return {
    url: server.url,
    events,
    refuse: (code) => {
      refusal = code;
    },
    close: () => server.close(),
  };
}
