/**
 * Runs a bundled handler as Lambda would: its own module instance per function and account (a
 * container), the account's identity in the environment, the SDK pointed at the local hub, and
 * its console output captured instead of printed.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import type { HandlerRef } from './assembly';

/** Who the function runs as, and where its SDK calls go. */
export interface InvocationIdentity {
  readonly account: string;
  readonly region: string;
  /** The local Security Hub's URL. */
  readonly endpoint: string;
  /** More environment variables for the function (tuning, for instance). */
  readonly environment?: Record<string, string>;
}

/** What one invocation returned or threw, and what it printed. */
export interface InvocationResult<T> {
  readonly result?: T;
  readonly error?: Error;
  readonly logs: string[];
}

type HandlerModule = Record<string, (event: unknown, context: unknown) => Promise<unknown>>;

const containers = new Map<string, HandlerModule>();

/**
 * Loads the file as a fresh module, so each (file, account) pair has its own SDK clients and
 * credentials, as separate Lambda functions would.
 */
function container(file: string, account: string, fresh: boolean): HandlerModule {
  const key = `${file}#${account}`;
  let mod = containers.get(key);
  if (!mod || fresh) {
    mod = load(path.resolve(file));
    containers.set(key, mod);
  }
  return mod;
}

/**
 * Evaluates a bundle as a new CommonJS module. Deleting it from require.cache and requiring it
 * again does that under Node, but not under jest, whose own module registry ignores require.cache:
 * there every account would share the first account's SDK client, and so its credentials. A
 * bundle needs nothing but Node's built-ins, so evaluating it here in the caller's realm (and its
 * `process.env`) is all a fresh container is.
 */
function load(file: string): HandlerModule {
  const cjs = { exports: {} as HandlerModule };
  // sourceURL names the bundle in stack traces instead of an anonymous function.
  const source = `${fs.readFileSync(file, 'utf8')}\n//# sourceURL=${file}`;
  const evaluate = new Function('exports', 'require', 'module', '__filename', '__dirname', source);
  evaluate.call(cjs.exports, cjs.exports, createRequire(file), cjs, file, path.dirname(file));
  return cjs.exports;
}

/** Forgets every loaded handler module: the next invocation is a cold start. */
export function resetContainers(): void {
  containers.clear();
}

/** Invokes `ref` with `event` as the given identity. Never throws: the error is in the result. */
export async function invokeHandler<T>(ref: HandlerRef, event: unknown, identity: InvocationIdentity, options: { fresh?: boolean } = {}): Promise<InvocationResult<T>> {
  const env: Record<string, string> = {
    AWS_REGION: identity.region,
    AWS_DEFAULT_REGION: identity.region,
    AWS_ACCESS_KEY_ID: identity.account,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SECURITYHUB: identity.endpoint,
    // The local tooling runs on Node.js 20 by design; Lambda runs the bundle on 22 or later.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...identity.environment,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const savedToken = process.env.AWS_SESSION_TOKEN;
  const savedProfile = process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, env);
  const logs: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((m) => console[m]);
  methods.forEach((m) => {
    console[m] = (...args: unknown[]) => {
      logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
  });
  const started = Date.now();
  const context = {
    awsRequestId: randomUUID(),
    functionName: ref.functionLogicalId,
    invokedFunctionArn: `arn:aws:lambda:${identity.region}:${identity.account}:function:${ref.functionLogicalId}`,
    getRemainingTimeInMillis: () => Math.max(0, 600_000 - (Date.now() - started)),
  };
  try {
    const fn = container(ref.file, identity.account, options.fresh ?? false)[ref.exportName];
    if (typeof fn !== 'function') {
      throw new Error(`${ref.file} has no export ${JSON.stringify(ref.exportName)}: expected the handler named in the function's Handler`);
    }
    return { result: (await fn(event, context)) as T, logs };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)), logs };
  } finally {
    methods.forEach((m, i) => {
      console[m] = originals[i];
    });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
    if (savedToken !== undefined) {
      process.env.AWS_SESSION_TOKEN = savedToken;
    }
    if (savedProfile !== undefined) {
      process.env.AWS_PROFILE = savedProfile;
    }
  }
}
