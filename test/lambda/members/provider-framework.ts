/**
 * The aws-cdk-lib Provider framework's own runtime (the code of its onEvent and isComplete
 * functions, from node_modules), run in-process with its three outbound calls replaced: invoking
 * a user function calls the handler here and answers as Lambda does (a thrown error becomes
 * `{ errorType, errorMessage, trace }` with a FunctionError), starting the waiter hands its input
 * back, and the response to CloudFormation is captured byte for byte instead of sent. So a test
 * sees the exact body CloudFormation would receive.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';

const RUNTIME = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources', 'lib', 'provider-framework', 'runtime');

type UserFunction = (event: never, context: unknown) => Promise<unknown>;

/** The user functions and what the framework knows of them. */
export interface FrameworkSetup {
  readonly onEvent: UserFunction;
  readonly isComplete?: UserFunction;
  /** The Lambda function names; the framework names the log group in a failure's Reason. */
  readonly onEventName: string;
  readonly isCompleteName?: string;
  /** The Lambda context each user function gets. */
  readonly context: (functionName: string) => unknown;
}

/** What the framework sent CloudFormation. */
export interface FrameworkResponse {
  /** The body exactly as sent. */
  readonly body: string;
  readonly bytes: number;
  readonly parsed: { Status: string; Reason: string; PhysicalResourceId: string; Data?: Record<string, string> };
}

interface Outbound {
  invokeFunction(req: { FunctionName: string; Payload: string }): Promise<{ Payload: Uint8Array; FunctionError?: string }>;
  startExecution(req: { stateMachineArn: string; input: string }): Promise<unknown>;
  httpRequest(options: unknown, body: string): Promise<void>;
}

type FrameworkModule = Record<'onEvent' | 'isComplete', (event: unknown) => Promise<void>>;

/** Loads the runtime's files as CommonJS modules, with `./outbound` replaced by `outbound`. */
function loadFramework(outbound: Outbound): FrameworkModule {
  const cache = new Map<string, { exports: unknown }>();
  const load = (file: string): unknown => {
    const cached = cache.get(file);
    if (cached) {
      return cached.exports;
    }
    const mod = { exports: {} as unknown };
    cache.set(file, mod);
    const nodeRequire = createRequire(file);
    const localRequire = (id: string): unknown => {
      if (id === './outbound') {
        return outbound;
      }
      return id.startsWith('./') ? load(path.join(path.dirname(file), `${id}.js`)) : nodeRequire(id);
    };
    const evaluate = new Function('exports', 'require', 'module', '__filename', '__dirname', fs.readFileSync(file, 'utf8'));
    evaluate.call(mod.exports, mod.exports, localRequire, mod, file, path.dirname(file));
    return mod.exports;
  };
  return load(path.join(RUNTIME, 'framework.js')) as FrameworkModule;
}

const arnOf = (name: string) => `arn:aws:lambda:us-east-1:999999999999:function:${name}`;

/** Lambda's answer to an invocation whose handler threw, as the Node.js runtime builds it. */
function lambdaError(error: unknown): { Payload: Uint8Array; FunctionError: string } {
  const e = error instanceof Error ? error : new Error(String(error));
  const payload = { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
  return { Payload: Buffer.from(JSON.stringify(payload)), FunctionError: 'Unhandled' };
}

/**
 * Runs one CloudFormation event through the framework: onEvent, then (with an isComplete) the
 * waiter's polls until the framework responds. `beforePoll` runs before each poll, e.g. to move a
 * fake clock. Returns the response CloudFormation would receive.
 */
export async function runThroughFramework(setup: FrameworkSetup, event: Record<string, unknown>, beforePoll: (poll: number) => void = () => undefined, maxPolls = 5): Promise<FrameworkResponse> {
  const sent: string[] = [];
  let waiterInput: string | undefined;
  const outbound: Outbound = {
    invokeFunction: async ({ FunctionName, Payload }) => {
      const name = FunctionName.split(':').pop()!;
      const fn = name === setup.onEventName ? setup.onEvent : setup.isComplete;
      if (!fn) {
        throw new Error(`no user function ${name}`);
      }
      try {
        const result = await fn(JSON.parse(Payload) as never, setup.context(name));
        return { Payload: Buffer.from(JSON.stringify(result ?? null)) };
      } catch (error) {
        return lambdaError(error);
      }
    },
    startExecution: async ({ input }) => {
      waiterInput = input;
      return {};
    },
    httpRequest: async (_options, body) => {
      sent.push(body);
    },
  };
  const saved = { ...process.env };
  process.env.USER_ON_EVENT_FUNCTION_ARN = arnOf(setup.onEventName);
  if (setup.isComplete) {
    process.env.USER_IS_COMPLETE_FUNCTION_ARN = arnOf(setup.isCompleteName ?? 'isComplete');
    process.env.WAITER_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:999999999999:stateMachine:waiter';
  }
  try {
    const framework = loadFramework(outbound);
    await framework.onEvent(event);
    for (let poll = 1; sent.length === 0 && waiterInput !== undefined && poll <= maxPolls; poll++) {
      beforePoll(poll);
      try {
        await framework.isComplete(JSON.parse(waiterInput));
      } catch (error) {
        // The framework's Retry: not complete yet; the waiter polls again.
        if (!(error instanceof Error) || error.constructor.name !== 'Retry') {
          throw error;
        }
      }
    }
  } finally {
    for (const key of ['USER_ON_EVENT_FUNCTION_ARN', 'USER_IS_COMPLETE_FUNCTION_ARN', 'WAITER_STATE_MACHINE_ARN']) {
      if (saved[key] === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = saved[key];
      }
    }
  }
  if (sent.length !== 1) {
    throw new Error(`the framework sent ${sent.length} responses: expected exactly one`);
  }
  const body = sent[0];
  return { body, bytes: Buffer.byteLength(body, 'utf8'), parsed: JSON.parse(body) };
}
