import { SecurityHubClient, SecurityHubClientConfig } from '@aws-sdk/client-securityhub';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  FinalizeHandler,
  FinalizeHandlerArguments,
  MetadataBearer,
  RetryErrorInfo,
  RetryStrategyV2,
  RetryToken,
} from '@smithy/types';
import { Pacer } from './pacer';

/**
 * Tuning, read from the environment when the runtime is made so that tests and accounts with
 * raised quotas can change it; the defaults are the service's documented limits.
 */
export interface ClientTuning {
  /** Requests per second sent to one region. @default 10 */
  readonly ratePerSecond: number;
  /** Requests that may go out at once before pacing starts. @default 30 */
  readonly burst: number;
  /** Attempts per request under throttling (other callers share the account's limit). @default 10 */
  readonly maxAttempts: number;
  /** Requests in flight per region; the pacer sets the rate, this only bounds open connections. @default 30 */
  readonly concurrency: number;
}

/** The clients used for one region; both share one pacer. */
export interface RegionClients {
  readonly region: string;
  readonly tuning: ClientTuning;
  /** Adaptive retry on throttling and transient errors: for reads and for idempotent writes. */
  readonly client: SecurityHubClient;
  /**
   * Retries only throttling. A transient failure of InviteMembers may hide an invitation that was
   * sent, and a blind retry would send a second one; the caller re-reads statuses instead.
   */
  readonly inviteClient: SecurityHubClient;
}

/** Environment variables by name, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

function numberFromEnv(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`invalid ${name} "${raw}": expected a positive number`);
  }
  return value;
}

/** The tuning in force, from `SECURITYHUB_MEMBERS_*` variables or the service's limits. */
export function tuningFromEnv(env: Environment): ClientTuning {
  return {
    ratePerSecond: numberFromEnv(env, 'SECURITYHUB_MEMBERS_RATE_PER_SECOND', 10),
    burst: numberFromEnv(env, 'SECURITYHUB_MEMBERS_BURST', 30),
    maxAttempts: Math.floor(numberFromEnv(env, 'SECURITYHUB_MEMBERS_MAX_ATTEMPTS', 10)),
    concurrency: Math.floor(numberFromEnv(env, 'SECURITYHUB_MEMBERS_CONCURRENCY', 30)),
  };
}

/** Delegates to the SDK's adaptive strategy but refuses every retry that is not throttling. */
class ThrottlingOnlyRetryStrategy implements RetryStrategyV2 {
  constructor(private readonly inner: AdaptiveRetryStrategy) {}

  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(scope);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    if (errorInfo.errorType !== 'THROTTLING') {
      // The SDK rethrows the request's own error when the strategy refuses a retry.
      throw new Error('not retried: only throttled requests are retried blindly');
    }
    return this.inner.refreshRetryTokenForRetry(token as Parameters<AdaptiveRetryStrategy['refreshRetryTokenForRetry']>[0], errorInfo);
  }

  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token as Parameters<AdaptiveRetryStrategy['recordSuccess']>[0]);
  }
}

function newClient(region: string, pacer: Pacer, retryStrategy: RetryStrategyV2, options: RegionClientsOptions): SecurityHubClient {
  const client = new SecurityHubClient({
    region,
    retryStrategy,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    requestHandler: options.requestHandler ?? DEFAULT_REQUEST_HANDLER,
  });
  // Below the retry middleware, so every attempt, retries included, waits for the pacer.
  client.middlewareStack.addRelativeTo(
    <Output extends MetadataBearer>(next: FinalizeHandler<object, Output>) => async (args: FinalizeHandlerArguments<object>) => {
      await pacer.take();
      try {
        return await next(args);
      } catch (error) {
        // Other callers of the account share the limit: after a throttle, start again from empty.
        if (isThrottle(error)) {
          pacer.drain();
        }
        throw error;
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'securityHubMembersPacer', override: true },
  );
  return client;
}

function isThrottle(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.$metadata?.httpStatusCode === 429 || e?.name === 'LimitExceededException' || e?.name === 'ThrottlingException';
}

/** The SDK's connection settings for every client the handlers make: fail fast, retry instead. */
export const DEFAULT_REQUEST_HANDLER = { connectionTimeout: 5_000, requestTimeout: 30_000 };

/** What sends the SDK's requests: Node's HTTP with timeouts, or a test's in-process handler. */
export type RequestHandler = NonNullable<SecurityHubClientConfig['requestHandler']>;

/** Options of {@link createRegionClients}. */
export interface RegionClientsOptions {
  /**
   * The credentials to sign with, e.g. those of a role assumed in another account.
   * @default - the SDK's default credential chain
   */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Pacing and retry settings. */
  readonly tuning: ClientTuning;
  /**
   * The Security Hub URL.
   * @default - the SDK's endpoint for the region
   */
  readonly endpoint?: string;
  /**
   * Sends the requests.
   * @default - Node's HTTP with {@link DEFAULT_REQUEST_HANDLER}'s timeouts
   */
  readonly requestHandler?: RequestHandler;
}

/**
 * New clients for one account (the credentials') in `region`, sharing one pacer: the service's
 * rate limit is per account and region, so callers keep one per pair: the runtime
 * (lambda/shared/runtime.ts) does, keyed by region and credentials.
 */
export function createRegionClients(region: string, options: RegionClientsOptions): RegionClients {
  const tuning = options.tuning;
  // One token of headroom: the service's bucket starts refilling when a request arrives, a little
  // after ours, so a full-speed burst of exactly its size draws a 429 now and then.
  const pacer = new Pacer(tuning.ratePerSecond, Math.max(1, tuning.burst - 1));
  return {
    region,
    tuning,
    client: newClient(region, pacer, new AdaptiveRetryStrategy(tuning.maxAttempts), options),
    inviteClient: newClient(region, pacer, new ThrottlingOnlyRetryStrategy(new AdaptiveRetryStrategy(tuning.maxAttempts)), options),
  };
}
