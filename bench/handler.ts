/**
 * Runs the bundled handler the way a deploy would: synthesizes an app that uses the library, takes
 * the handler asset and the resolved properties from cdk.out, and sends the event the Provider
 * framework would send (every scalar a string, as CloudFormation passes it).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { MemberAccount, SecurityHubMembers } from '../lib';
import { MAX_MEMBERS, MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { LocalResource, readAssembly } from '../local/deploy/assembly';
import { asCloudFormationSends } from '../local/deploy/cloudformation';
import { RunningCloudFormationEndpoint, StackDescription, startCloudFormationEndpoint } from '../local/deploy/cloudformation-endpoint';
import { LocalLambda } from '../local/deploy/invoke';

/** The benchmark's Lambda: warm containers across its measurements, cold ones on request (`fresh`). */
const lambda = new LocalLambda();
import { callsOf, Measurement, RATE_PER_SECOND } from './measure';
import { ADMIN, checkEndState, EmulatorSettings, prepare, REGION, Scenario, startBenchEmulator } from './scenario';

const STACK = 'Admin';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ADMIN}:stack/${STACK}/bench`;

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-bench-'));
process.once('exit', () => fs.rmSync(workDir, { recursive: true, force: true }));

const synthesized = new Map<string, LocalResource>();

/** The members resource of an app declaring `members`, synthesized once per declaration. */
export function synthesize(members: readonly MemberAccount[]): LocalResource {
  const key = members.map((m) => m.accountId).join(',');
  let resource = synthesized.get(key);
  if (!resource) {
    const outdir = path.join(workDir, `cdk.out.${synthesized.size}`);
    const app = new App({ outdir });
    const stack = new Stack(app, STACK, { env: { account: ADMIN, region: REGION } });
    new SecurityHubMembers(stack, 'Members', { members: [...members] });
    app.synth();
    const found = readAssembly(outdir, { account: ADMIN, region: REGION })[0]?.resources.find((r) => r.type === MEMBERS_RESOURCE_TYPE);
    if (!found) {
      throw new Error(`no ${MEMBERS_RESOURCE_TYPE} in ${outdir}: expected the one SecurityHubMembers of the bench app`);
    }
    resource = found;
    synthesized.set(key, resource);
  }
  return resource;
}

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', resource: LocalResource, properties: Record<string, unknown>, oldProperties?: Record<string, unknown>): Record<string, unknown> {
  const serviceToken = `arn:aws:lambda:${REGION}:${ADMIN}:function:${STACK}-provider-framework-onEvent`;
  return {
    RequestType: requestType,
    ServiceToken: serviceToken,
    // The Provider framework answers CloudFormation itself and hands the handler a placeholder.
    ResponseURL: '...',
    StackId: STACK_ID,
    RequestId: randomUUID(),
    LogicalResourceId: resource.logicalId,
    ResourceType: resource.type,
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `securityhub-members-${STACK}-${resource.logicalId}` }),
    ResourceProperties: { ServiceToken: serviceToken, ...(asCloudFormationSends(properties) as object) },
    ...(oldProperties ? { OldResourceProperties: { ServiceToken: serviceToken, ...(asCloudFormationSends(oldProperties) as object) } } : {}),
  };
}

/**
 * The events the Provider framework sends for `scenario`, and the asset that serves them. A churn
 * that would take the hub over the 1,000-member quota while it runs (additions come before removals)
 * is two deploys, as the handler asks for: the removals, then the additions.
 */
function eventsOf(scenario: Scenario): { resource: LocalResource; events: Record<string, unknown>[] } {
  switch (scenario.event) {
    case 'create': {
      const resource = synthesize(scenario.after);
      return { resource, events: [cfnEvent('Create', resource, resource.properties)] };
    }
    case 'update-churn':
    case 'update-none': {
      // CloudFormation skips a resource whose properties did not change; an Update with the same
      // members still happens when another property changes or a failed deploy is retried.
      const old = synthesize(scenario.before);
      const resource = synthesize(scenario.after);
      const added = scenario.after.filter((m) => !scenario.before.some((b) => b.accountId === m.accountId)).length;
      if (scenario.before.length + added > MAX_MEMBERS) {
        const kept = synthesize(scenario.after.filter((m) => scenario.before.some((b) => b.accountId === m.accountId)));
        return {
          resource,
          events: [cfnEvent('Update', kept, kept.properties, old.properties), cfnEvent('Update', resource, resource.properties, kept.properties)],
        };
      }
      return { resource, events: [cfnEvent('Update', resource, resource.properties, old.properties)] };
    }
    case 'delete': {
      const resource = synthesize(scenario.before);
      return { resource, events: [cfnEvent('Delete', resource, resource.properties)] };
    }
  }
}

/**
 * The bench's stack as CloudFormation shows it to the handler, which reads it before removing
 * anything (rule R10, docs/design.md): the one members resource with the properties of the event being
 * sent, updating during an Update and being deleted during a Delete, so every removal goes ahead
 * as in a real deploy and the two reads count in the time.
 */
interface BenchStack {
  readonly environment: Record<string, string>;
  /** Invokes `event` with the stack showing it. */
  invoke(ref: LocalResource['onEvent'], event: Record<string, unknown>, identity: Identity): ReturnType<LocalLambda['invoke']>;
  close(): Promise<void>;
}

async function benchStack(): Promise<BenchStack> {
  let view: StackDescription | undefined;
  const endpoint: RunningCloudFormationEndpoint = await startCloudFormationEndpoint((nameOrId) => (nameOrId === STACK_ID || nameOrId === STACK ? view : undefined));
  return {
    environment: { AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint.url },
    invoke: (ref, event, identity) => {
      view = {
        stackName: STACK,
        stackId: STACK_ID,
        status: event.RequestType === 'Delete' ? 'DELETE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS',
        template: { Resources: { [String(event.LogicalResourceId)]: { Type: MEMBERS_RESOURCE_TYPE, Properties: event.ResourceProperties } } },
        parameters: {},
        creationTime: new Date('2026-01-01T00:00:00Z'),
      };
      return lambda.invoke(ref, event, { ...identity, environment: { ...identity.environment, AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint.url } });
    },
    close: () => endpoint.close(),
  };
}

type Identity = Parameters<LocalLambda['invoke']>[2];

/** Settings of a handler run. */
export interface HandlerSettings extends EmulatorSettings {
  /** More environment for the function, e.g. `SECURITYHUB_MEMBERS_CONCURRENCY`. */
  readonly environment: Record<string, string>;
  /** Time the first invocation of a cold container (a new runtime) instead of a warmed-up one. */
  readonly cold: boolean;
}

/** An account outside every scenario, used to warm the handler up. */
const SPARE: MemberAccount = { accountId: '200000000000', email: 'security+spare@example.com' };

/** Create and Delete of the spare account: GetMembers, CreateMembers, InviteMembers, then GetMembers, DisassociateMembers, DeleteMembers. */
const WARM_UP_CALLS = 6;

/** Invokes an event of the spare account, failing the bench if the handler fails: these must not. */
async function invokeOrThrow(stack: BenchStack, ref: LocalResource['onEvent'], event: Record<string, unknown>, identity: Identity): Promise<void> {
  const outcome = await stack.invoke(ref, event, identity);
  if (outcome.error) {
    throw new Error(`the ${String(event.RequestType)} of the spare account failed: ${outcome.error.message}`);
  }
}

/**
 * Creates and deletes a spare account through `ref` (before the hub is seeded: a full hub has no
 * room for it), so that every operation's code has run once in this module: the SDK's lazy setup
 * and the JIT. Then waits for the handler's pacer to refill.
 */
async function warmUp(stack: BenchStack, ref: LocalResource['onEvent'], identity: Identity, settings: HandlerSettings): Promise<void> {
  const spare = synthesize([SPARE]);
  await invokeOrThrow(stack, ref, cfnEvent('Create', spare, spare.properties), identity);
  await invokeOrThrow(stack, ref, cfnEvent('Delete', spare, spare.properties), identity);
  const rate = Number(settings.environment.SECURITYHUB_MEMBERS_RATE_PER_SECOND ?? RATE_PER_SECOND);
  await new Promise((resolve) => setTimeout(resolve, Math.ceil((WARM_UP_CALLS / rate) * 1000) + 100));
}

/**
 * Runs the event against a fresh emulator in a cold container of the bundle (a new runtime from its
 * createHandler: its own pacer and clients). The module is loaded before the clock starts, as its
 * load time is measured on its own; unless `cold`, the handler is warmed up too, so the time is the event's work and not the first
 * invocation's setup, which {@link coldStartOverhead} measures.
 */
export async function runHandler(scenario: Scenario, settings: HandlerSettings): Promise<Measurement> {
  const { resource, events } = eventsOf(scenario);
  const emulator = await startBenchEmulator(settings);
  const stack = await benchStack();
  try {
    const identity: Identity = { account: ADMIN, region: REGION, endpoint: emulator.url, environment: settings.environment };
    // An unknown RequestType fails before any client is built: it only loads the module.
    await lambda.invoke(resource.onEvent, { RequestType: 'LoadOnly' }, identity, { fresh: true });
    if (!settings.cold) {
      await warmUp(stack, resource.onEvent, identity, settings);
    }
    prepare(emulator, scenario);
    const started = performance.now();
    const errors: string[] = [];
    for (const event of events) {
      const outcome = await stack.invoke(resource.onEvent, event, identity);
      if (outcome.error) {
        errors.push(outcome.error.message);
        break;
      }
    }
    const wallMs = performance.now() - started;
    return {
      scenario,
      approach: 'handler',
      wallMs,
      ...callsOf(emulator),
      errors,
      stateProblems: checkEndState(emulator, scenario),
    };
  } finally {
    await stack.close();
    await emulator.close();
  }
}

/**
 * How much longer the first invocation of a freshly loaded module takes than the same event once
 * warm (a Create of one account: 3 calls), once per run: the SDK's lazy setup and the JIT, which
 * a Lambda cold start pays on top of the module load.
 */
export async function coldStartOverhead(runs: number): Promise<number[]> {
  const spare = synthesize([SPARE]);
  const extra: number[] = [];
  for (let run = 0; run < runs; run++) {
    const emulator = await startBenchEmulator({ latencyMs: 0 });
    const stack = await benchStack();
    try {
      const identity: Identity = { account: ADMIN, region: REGION, endpoint: emulator.url, environment: {} };
      await lambda.invoke(spare.onEvent, { RequestType: 'LoadOnly' }, identity, { fresh: true });
      const timed = async (): Promise<number> => {
        const started = performance.now();
        await invokeOrThrow(stack, spare.onEvent, cfnEvent('Create', spare, spare.properties), identity);
        return performance.now() - started;
      };
      const cold = await timed();
      await invokeOrThrow(stack, spare.onEvent, cfnEvent('Delete', spare, spare.properties), identity);
      extra.push(cold - await timed());
    } finally {
      await stack.close();
      await emulator.close();
    }
  }
  return extra;
}
