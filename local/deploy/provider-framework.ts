/**
 * The aws-cdk-lib Provider framework's own runtime (the code of its onEvent, isComplete and
 * onTimeout functions), run in-process with its outbound calls replaced: invoking a user function
 * calls the handler here and answers as Lambda does (a thrown error becomes
 * `{ errorType, errorMessage, trace }` with a FunctionError), starting the waiter runs the waiter
 * state machine's policy here (isComplete until it stops asking to retry, then onTimeout), and the
 * response to CloudFormation is captured byte for byte instead of sent. So the local deploy and the
 * tests see exactly what CloudFormation would receive, and every rule of the framework (such as
 * ignoring the Delete that follows a failed Create) is the framework's own.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';

/**
 * The runtime aws-cdk-lib packages as the framework's asset, for callers without a synthesized
 * assembly (tests, and resources recorded before the local deploy kept the framework's asset).
 */
export function packagedFrameworkRuntime(): string {
  // Resolved when needed, so a bundle that carries this module loads where aws-cdk-lib is absent.
  return path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources', 'lib', 'provider-framework', 'runtime');
}

/**
 * The physical id the framework answers a failed Create with (its cfn-response.js), so that it
 * can answer the Delete CloudFormation sends next without calling the handler.
 */
export const CREATE_FAILED_PHYSICAL_ID = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** The framework's calls to the outside (its `outbound.js`), as far as this runtime version makes them. */
export interface FrameworkOutbound {
  invokeFunction(req: { FunctionName: string; Payload: string }): Promise<{ Payload: Uint8Array; FunctionError?: string }>;
  startExecution(req: { stateMachineArn: string; input: string }): Promise<unknown>;
  httpRequest(options: unknown, body: string): Promise<void>;
}

/** The framework's three Lambda handlers. */
export interface FrameworkHandlers {
  onEvent(event: unknown): Promise<void>;
  isComplete(event: unknown): Promise<void>;
  onTimeout(event: unknown): Promise<void>;
}

/**
 * Evaluates the runtime's files in `runtimeDir` as CommonJS modules, each load with its own
 * module cache, `./outbound` replaced by `outbound`, and a `process` and `console` of its own: the
 * framework reads its variables from `env` and prints to `log`, and nothing global changes.
 */
export function loadFramework(runtimeDir: string, outbound: FrameworkOutbound, env: Record<string, string>, log: (line: string) => void = () => undefined): FrameworkHandlers {
  const cache = new Map<string, { exports: unknown }>();
  const localProcess = Object.create(process, { env: { value: { ...env }, enumerable: true } }) as NodeJS.Process;
  const localConsole = { ...console, log: (...args: unknown[]) => log(args.map(String).join(' ')), error: (...args: unknown[]) => log(args.map(String).join(' ')) };
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
    const evaluate = new Function('exports', 'require', 'module', '__filename', '__dirname', 'process', 'console', fs.readFileSync(file, 'utf8'));
    evaluate.call(mod.exports, mod.exports, localRequire, mod, file, path.dirname(file), localProcess, localConsole);
    return mod.exports;
  };
  const framework = load(path.join(runtimeDir, 'framework.js')) as Partial<FrameworkHandlers>;
  for (const name of ['onEvent', 'isComplete', 'onTimeout'] as const) {
    if (typeof framework[name] !== 'function') {
      throw new Error(`${runtimeDir}/framework.js has no export "${name}": expected the aws-cdk-lib Provider framework's runtime`);
    }
  }
  return framework as FrameworkHandlers;
}

/** A user function as the framework invokes it: resolves with its result, rejects with what it threw. */
export type UserFunction = (payload: Record<string, unknown>) => Promise<unknown>;

/** The user functions the framework serves, by ARN. */
export interface FrameworkFunctions {
  readonly onEvent: { readonly arn: string; readonly invoke: UserFunction };
  readonly isComplete?: { readonly arn: string; readonly invoke: UserFunction };
}

/** The waiter state machine's policy: a poll of isComplete, retried on every error, then onTimeout. */
export interface WaiterPolicy {
  /** The time between two polls (the state machine's IntervalSeconds). */
  readonly intervalMs: number;
  /** The most polls, the first included, before onTimeout. */
  readonly maxPolls: number;
  /** Runs before each poll (from 1), e.g. to move a fake clock. */
  readonly beforePoll?: (poll: number) => void;
}

/** What the framework sent CloudFormation. */
export interface FrameworkResponse {
  /** The body exactly as sent. */
  readonly body: string;
  readonly bytes: number;
  readonly parsed: { Status: 'SUCCESS' | 'FAILED'; Reason: string; PhysicalResourceId: string; Data?: Record<string, string> };
}

/** One event through the framework: its response, and the invocations it made. */
export interface FrameworkRun {
  readonly response: FrameworkResponse;
  /** The ARN of each user function invocation, with the event's RequestType, in order. */
  readonly invocations: { readonly arn: string; readonly requestType: string }[];
  /** How many times the waiter ran the framework's isComplete. */
  readonly polls: number;
  /** Whether the waiter gave up and ran the framework's onTimeout. */
  readonly timedOut: boolean;
}

/** Options of {@link runFrameworkEvent}. */
export interface FrameworkRunOptions {
  /** The directory of the framework's runtime (the synthesized asset). @default - packagedFrameworkRuntime() */
  readonly runtime?: string;
  readonly functions: FrameworkFunctions;
  readonly waiter: WaiterPolicy;
  /** The state machine's ARN, which the framework passes to StartExecution. */
  readonly waiterArn?: string;
  /** Where the framework's own log lines go; dropped when absent (they print the event's properties). */
  readonly log?: (line: string) => void;
}

/** Lambda's answer to an invocation whose handler threw, as the Node.js runtime builds it. */
function lambdaError(error: unknown): { Payload: Uint8Array; FunctionError: string } {
  const e = error instanceof Error ? error : new Error(String(error));
  const payload = { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
  return { Payload: Buffer.from(JSON.stringify(payload)), FunctionError: 'Unhandled' };
}

/**
 * Runs one CloudFormation event through the framework as CloudFormation, Lambda and Step Functions
 * would: the framework's onEvent, then, when it starts the waiter, the framework's isComplete at the
 * waiter's interval until it stops failing, and onTimeout when the polls run out.
 *
 * @throws Error when the framework sent CloudFormation no response or more than one
 */
export async function runFrameworkEvent(event: Record<string, unknown>, options: FrameworkRunOptions): Promise<FrameworkRun> {
  const { functions, waiter } = options;
  const sent: string[] = [];
  const invocations: { arn: string; requestType: string }[] = [];
  let waiterInput: string | undefined;
  const outbound: FrameworkOutbound = {
    invokeFunction: async ({ FunctionName, Payload }) => {
      const fn = [functions.onEvent, functions.isComplete].find((f) => f?.arn === FunctionName);
      if (!fn) {
        // Lambda's answer to an unknown function is an error of the invocation itself.
        throw Object.assign(new Error(`Function not found: ${FunctionName}`), { name: 'ResourceNotFoundException' });
      }
      const payload = JSON.parse(Payload) as Record<string, unknown>;
      invocations.push({ arn: FunctionName, requestType: String(payload.RequestType) });
      try {
        return { Payload: Buffer.from(JSON.stringify((await fn.invoke(payload)) ?? null)) };
      } catch (error) {
        return lambdaError(error);
      }
    },
    startExecution: async ({ input }) => {
      waiterInput = input;
      return { executionArn: `${options.waiterArn ?? 'waiter'}:local` };
    },
    httpRequest: async (_options, body) => {
      sent.push(body);
    },
  };
  const env: Record<string, string> = { USER_ON_EVENT_FUNCTION_ARN: functions.onEvent.arn };
  if (functions.isComplete) {
    env.USER_IS_COMPLETE_FUNCTION_ARN = functions.isComplete.arn;
    env.WAITER_STATE_MACHINE_ARN = options.waiterArn ?? 'arn:aws:states:us-east-1:000000000000:stateMachine:waiter';
  }
  const framework = loadFramework(options.runtime ?? packagedFrameworkRuntime(), outbound, env, options.log);
  await framework.onEvent(event);
  let polls = 0;
  let timedOut = false;
  if (sent.length === 0 && waiterInput !== undefined) {
    const input = waiterInput;
    let lastError: Error | undefined;
    for (let poll = 1; poll <= Math.max(1, waiter.maxPolls); poll++) {
      if (poll > 1) {
        await new Promise((resolve) => setTimeout(resolve, waiter.intervalMs));
      }
      waiter.beforePoll?.(poll);
      polls = poll;
      try {
        await framework.isComplete(JSON.parse(input));
        lastError = undefined;
        break;
      } catch (error) {
        // The task failed (the framework's Retry, mostly): the state machine retries every error.
        lastError = error instanceof Error ? error : new Error(String(error));
      }
    }
    if (lastError) {
      // The state machine's Catch hands the last task error to onTimeout, as Step Functions words it.
      timedOut = true;
      const cause = { errorType: lastError.name, errorMessage: lastError.message, trace: (lastError.stack ?? '').split('\n') };
      await framework.onTimeout({ Error: lastError.name, Cause: JSON.stringify(cause) });
    }
  }
  if (sent.length !== 1) {
    throw new Error(`the Provider framework sent ${sent.length} responses to CloudFormation: expected exactly one`);
  }
  const body = sent[0];
  return { response: { body, bytes: Buffer.byteLength(body, 'utf8'), parsed: JSON.parse(body) }, invocations, polls, timedOut };
}

/** The user functions of a test, and what the framework knows of them. */
export interface FrameworkSetup {
  readonly onEvent: (event: never, context: unknown) => Promise<unknown>;
  readonly isComplete?: (event: never, context: unknown) => Promise<unknown>;
  /** The Lambda function names; the framework names the log group in a failure's Reason. */
  readonly onEventName: string;
  readonly isCompleteName?: string;
  /** The Lambda context each user function gets. */
  readonly context: (functionName: string) => unknown;
}

const testArnOf = (name: string) => `arn:aws:lambda:us-east-1:999999999999:function:${name}`;

/**
 * Runs one CloudFormation event through the packaged framework with handlers called in-process,
 * polling without a pause: `beforePoll` runs before each poll, e.g. to move a fake clock. Returns
 * the response CloudFormation would receive.
 */
export async function runThroughFramework(setup: FrameworkSetup, event: Record<string, unknown>, beforePoll: (poll: number) => void = () => undefined, maxPolls = 5): Promise<FrameworkResponse> {
  const isCompleteName = setup.isCompleteName ?? 'isComplete';
  const run = await runFrameworkEvent(event, {
    functions: {
      onEvent: { arn: testArnOf(setup.onEventName), invoke: async (payload) => setup.onEvent(payload as never, setup.context(setup.onEventName)) },
      ...(setup.isComplete
        ? { isComplete: { arn: testArnOf(isCompleteName), invoke: async (payload: Record<string, unknown>) => setup.isComplete!(payload as never, setup.context(isCompleteName)) } }
        : {}),
    },
    waiter: { intervalMs: 0, maxPolls, beforePoll },
  });
  return run.response;
}
