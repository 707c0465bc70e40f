/**
 * The one seam between the handlers and the outside, as aws-cdk-lib's Provider framework has its
 * `outbound.ts`: the environment (read once, when the runtime is made), the clock, the log sink,
 * and every SDK client, made on first use and kept by the runtime for the next invocations (as
 * Lambda advises) under everything that makes two clients differ. Each bundle's `createHandler`
 * makes one; tests and the local deploy make their own, with their endpoints, credentials and
 * sink, without touching `process.env` or `console`. Nothing of one invocation is kept here: each
 * gets its own {@link Invocation}, passed down explicitly.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryStrategyV2 } from '@smithy/types';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import type { LambdaContext } from './cfn';
import { ClientTuning, createRegionClients, DEFAULT_REQUEST_HANDLER, Environment, RegionClients, RequestHandler, tuningFromEnv } from './client';
import { consoleSink, createLog, Log, LogSink } from './log';
import { TimeBudget } from './time-budget';

export type { Environment, RequestHandler } from './client';

/** Signing credentials: fixed, or a provider such as an assumed role's. */
export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** The URLs of the services the handlers call; a service without one uses the SDK's endpoint. */
export interface RuntimeEndpoints {
  readonly securityhub?: string;
  readonly cloudformation?: string;
  readonly eventbridge?: string;
}

/** The services of {@link RuntimeEndpoints}. */
export type ServiceName = keyof RuntimeEndpoints;

/** What a runtime is made of; every part has the default Lambda needs. */
export interface RuntimeOptions {
  /**
   * The environment: tuning (`SECURITYHUB_MEMBERS_*`), region, endpoints, the audit's settings.
   * Read once, when the runtime is made.
   * @default process.env
   */
  readonly env?: Environment;
  /**
   * Where log lines go.
   * @default console
   */
  readonly log?: LogSink;
  /**
   * The credentials every client signs with.
   * @default - the SDK's default credential chain
   */
  readonly credentials?: Credentials;
  /**
   * Service URLs.
   * @default - `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, from `env`, as the SDK reads them
   */
  readonly endpoints?: RuntimeEndpoints;
  /**
   * Sends every SDK request, e.g. in process to an emulator.
   * @default - Node's HTTP with connection and request timeouts
   */
  readonly requestHandler?: RequestHandler;
  /**
   * The clock, in milliseconds since the epoch.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** The configuration every SDK client takes the same way. */
export interface SdkClientConfig {
  /** The region the client calls. */
  readonly region: string;
  /** Adaptive retry with the runtime's `maxAttempts`. */
  readonly retryStrategy: RetryStrategyV2;
  /** The runtime's request handler. */
  readonly requestHandler: RequestHandler;
  /** The runtime's URL for the service; absent: the SDK's endpoint for the region. */
  readonly endpoint?: string;
  /** The runtime's credentials; absent: the SDK's default chain. */
  readonly credentials?: Credentials;
}

/** An SDK client class, such as `CloudFormationClient`: passed in, so a bundle holds only the clients it uses. */
export type SdkClientClass<C> = new (config: SdkClientConfig) => C;

/** What one invocation owns: its time budget and its log. */
export interface Invocation {
  readonly budget: TimeBudget;
  readonly log: Log;
}

/** The environment and the outside world of a handler, for all its invocations. */
export interface Runtime {
  /** The environment, as read when the runtime was made. */
  readonly env: Environment;
  /** The function's region (`AWS_REGION`, then `AWS_DEFAULT_REGION`), if the environment has one. */
  readonly region: string | undefined;
  /** Pacing and retries, from `SECURITYHUB_MEMBERS_*`. */
  readonly tuning: ClientTuning;
  /** The clock. */
  readonly now: () => number;
  /** The log sink; {@link invocation} wraps it in a {@link Log}. */
  readonly sink: LogSink;
  /** The function's region, or an error saying none is set. */
  requireRegion(): string;
  /**
   * The paced Security Hub clients of `region`, for the runtime's credentials or for `credentials`
   * (another account's, in the drift command); the same object for the same pair.
   */
  securityHub(region: string, credentials?: Credentials): RegionClients;
  /** A client of another service in `region`, with the runtime's endpoint and credentials; made once per class and region. */
  client<C>(type: SdkClientClass<C>, service: Exclude<ServiceName, 'securityhub'>, region: string): C;
  /** The budget (from the Lambda context) and log of one invocation. */
  invocation(context?: LambdaContext): Invocation;
}

function endpointFromEnv(env: Environment, service: ServiceName): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** Makes a runtime; see {@link RuntimeOptions} for the defaults. */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const env: Environment = { ...(options.env ?? process.env) };
  const tuning = tuningFromEnv(env);
  // Looked up at each call, so a test that replaces Date.now moves the runtime's clock too.
  const now = options.now ?? (() => Date.now());
  const sink = options.log ?? consoleSink;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const endpoint = (service: ServiceName) => options.endpoints?.[service] ?? endpointFromEnv(env, service);
  const requestHandler = options.requestHandler ?? DEFAULT_REQUEST_HANDLER;
  // The runtime fixes endpoint and request handler, so region and credentials are all that differ.
  const ownCredentials = {};
  const securityHubClients = new WeakMap<object, Map<string, RegionClients>>();
  const otherClients = new Map<unknown, Map<string, unknown>>();
  return {
    env,
    region,
    tuning,
    now,
    sink,
    requireRegion() {
      if (!region) {
        throw new Error('no region: expected AWS_REGION in the environment, as Lambda sets it');
      }
      return region;
    },
    securityHub(clientRegion, credentials) {
      const key = (credentials as object | undefined) ?? ownCredentials;
      let byRegion = securityHubClients.get(key);
      if (!byRegion) {
        byRegion = new Map();
        securityHubClients.set(key, byRegion);
      }
      let clients = byRegion.get(clientRegion);
      if (!clients) {
        const signWith = credentials ?? options.credentials;
        const url = endpoint('securityhub');
        clients = createRegionClients(clientRegion, { tuning, requestHandler, ...(signWith ? { credentials: signWith } : {}), ...(url ? { endpoint: url } : {}) });
        byRegion.set(clientRegion, clients);
      }
      return clients;
    },
    client<C>(type: SdkClientClass<C>, service: Exclude<ServiceName, 'securityhub'>, clientRegion: string): C {
      let byRegion = otherClients.get(type);
      if (!byRegion) {
        byRegion = new Map();
        otherClients.set(type, byRegion);
      }
      let client = byRegion.get(clientRegion) as C | undefined;
      if (!client) {
        const url = endpoint(service);
        // The same retry as the Security Hub reads, without its pacer: these services' limits are
        // their own and the handlers make a few calls at most.
        client = new type({
          region: clientRegion,
          retryStrategy: new AdaptiveRetryStrategy(tuning.maxAttempts),
          requestHandler,
          ...(url ? { endpoint: url } : {}),
          ...(options.credentials ? { credentials: options.credentials } : {}),
        });
        byRegion.set(clientRegion, client);
      }
      return client;
    },
    invocation(context) {
      return { budget: TimeBudget.fromContext(context, now), log: createLog(sink) };
    },
  };
}

/**
 * A handler function whose runtime is made on its first call, with the defaults: Lambda's
 * environment is complete by then, and a test sets its variables before invoking.
 */
export function lazily<H>(create: () => H): () => H {
  let made: H | undefined;
  return () => {
    made ??= create();
    return made;
  };
}
