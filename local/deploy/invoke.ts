/**
 * Runs a bundled handler as Lambda would: a container per function, account and endpoints, made
 * by the bundle's `createHandler` with a runtime of its own (lambda/shared/runtime.ts): the
 * account's identity, the local endpoints, and a log sink that captures each invocation's lines.
 * Nothing global changes, so invocations for different accounts and endpoints may run at the same
 * time in one process.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { randomUUID } from 'crypto';
import * as path from 'path';
import type { HandlerRef } from './assembly';

/** Who the function runs as, and where its SDK calls go. */
export interface InvocationIdentity {
  readonly account: string;
  readonly region: string;
  /** The local Security Hub's URL. */
  readonly endpoint: string;
  /** The local CloudFormation endpoint's URL, for the handlers that read their stack. */
  readonly cloudFormationEndpoint?: string;
  /** The local EventBridge endpoint's URL, for the audit. */
  readonly eventBridgeEndpoint?: string;
  /** More environment variables for the function (tuning, for instance). */
  readonly environment?: Record<string, string>;
}

/** What one invocation returned or threw, and what it printed. */
export interface InvocationResult<T> {
  readonly result?: T;
  readonly error?: Error;
  readonly logs: string[];
}

type HandlerFunction = (event: unknown, context: unknown) => Promise<unknown>;

/** The runtime options every bundle's `createHandler` takes (lambda/shared/runtime.ts), as far as the local deploy sets them. */
interface LocalRuntimeOptions {
  readonly env: Record<string, string | undefined>;
  readonly log: (line: string) => void;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly endpoints: { securityhub: string; cloudformation?: string; eventbridge?: string };
}

interface HandlerBundle {
  createHandler?(options: LocalRuntimeOptions): Record<string, HandlerFunction | undefined>;
}

/**
 * Loads a bundle once. It keeps no state between invocations (each gets its runtime from
 * `createHandler`), so one loaded module serves every account and endpoint.
 */
function load(file: string): HandlerBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.resolve(file)) as HandlerBundle;
}

/** The environment of a function: the process's (tuning a user set), its region, and its own variables. */
function environmentOf(identity: InvocationIdentity): Record<string, string | undefined> {
  return {
    ...process.env,
    AWS_REGION: identity.region,
    AWS_DEFAULT_REGION: identity.region,
    ...identity.environment,
  };
}

type Container = Record<string, HandlerFunction | undefined>;

/** The lines of the invocation running in the current async context: a container's sink writes there. */
const capture = new AsyncLocalStorage<string[]>();

function containerKey(file: string, identity: InvocationIdentity): string {
  return JSON.stringify([path.resolve(file), identity.account, identity.region, identity.endpoint, identity.cloudFormationEndpoint, identity.eventBridgeEndpoint, identity.environment ?? {}]);
}

/**
 * The local Lambda service of one local deploy, audit, test or benchmark: it keeps warm containers,
 * as Lambda does (a runtime and its SDK clients outlive one invocation), for as long as its owner
 * keeps it, and none is shared with another owner.
 */
export class LocalLambda {
  private readonly containers = new Map<string, Container>();

  /**
   * Invokes `ref` with `event` as the given identity; with `fresh`, in a cold container. Never
   * throws: the error is in the result.
   */
  async invoke<T>(ref: HandlerRef, event: unknown, identity: InvocationIdentity, options: { fresh?: boolean } = {}): Promise<InvocationResult<T>> {
    const logs: string[] = [];
    const started = Date.now();
    const context = {
      awsRequestId: randomUUID(),
      functionName: ref.functionLogicalId,
      invokedFunctionArn: `arn:aws:lambda:${identity.region}:${identity.account}:function:${ref.functionLogicalId}`,
      getRemainingTimeInMillis: () => Math.max(0, 600_000 - (Date.now() - started)),
    };
    try {
      const fn = this.container(ref.file, identity, options.fresh ?? false)[ref.exportName];
      if (typeof fn !== 'function') {
        throw new Error(`${ref.file} has no export ${JSON.stringify(ref.exportName)}: expected the handler named in the function's Handler`);
      }
      return { result: (await capture.run(logs, () => fn(event, context))) as T, logs };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)), logs };
    }
  }

  /** The container of `file` for `identity`: warm when one exists, a cold start when `fresh` or none does. */
  private container(file: string, identity: InvocationIdentity, fresh: boolean): Container {
    const key = containerKey(file, identity);
    let handlers = this.containers.get(key);
    if (!handlers || fresh) {
      const bundle = load(file);
      if (typeof bundle.createHandler !== 'function') {
        throw new Error(`${file} has no export "createHandler": expected a bundle of this version of the handlers`);
      }
      handlers = bundle.createHandler({
        env: environmentOf(identity),
        log: (line) => capture.getStore()?.push(line),
        // The emulator knows the caller by its access key id, as Security Hub knows it by its signature.
        credentials: { accessKeyId: identity.account, secretAccessKey: 'local' },
        endpoints: {
          securityhub: identity.endpoint,
          ...(identity.cloudFormationEndpoint ? { cloudformation: identity.cloudFormationEndpoint } : {}),
          ...(identity.eventBridgeEndpoint ? { eventbridge: identity.eventBridgeEndpoint } : {}),
        },
      });
      this.containers.set(key, handlers);
    }
    return handlers;
  }
}
