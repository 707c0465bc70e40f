/**
 * The Lambda entry of `Custom::SecurityHubInvitationAccepter`, called by the aws-cdk-lib Provider
 * framework, which sends the CloudFormation response: this returns `{ PhysicalResourceId, Data }`
 * or throws. It reads first (the current administrator, then the invitations when needed), plans,
 * and only then calls, so an event that fails its checks changes nothing. `createHandler` makes
 * the handler over a runtime of the caller's (lambda/shared/runtime.ts); `handler` is the default one's.
 */
import type { AccepterResourceData, AccepterResourceProperties } from '../../lib/shared/contract';
import { accountOfArn, CustomResourceEvent, LambdaContext, OnEventResult, requirePhysicalId, stablePhysicalId } from '../shared/cfn';
import { isNotSubscribed, logErrorDetails, reasonOf } from '../shared/errors';
import type { Log } from '../shared/log';
import { createRuntime, lazily, RuntimeOptions } from '../shared/runtime';
import { AccepterHub, SdkAccepterHub } from './hub';
import { AccepterError, AccepterSituation, AdministratorRelationship, AccepterStep, associatedAdministrator, needsInvitations, planAccepter } from './planner';
import { parseAdministrator, parsePreviousAdministrator } from './properties';

/** Prefix of the physical id, which never changes after Create. */
const PHYSICAL_ID_PREFIX = 'securityhub-invitation-accepter';

export type { RuntimeOptions } from '../shared/runtime';

/** The onEvent function the Provider framework calls. */
export type AccepterOnEvent = (event: CustomResourceEvent<Partial<AccepterResourceProperties>>, context?: LambdaContext) => Promise<OnEventResult<AccepterResourceData>>;

/** The accepter bundle's handler function, over one runtime. */
export interface AccepterHandlers {
  readonly handler: AccepterOnEvent;
}

/** What one event works with: the invocation's log and the hub of the handler's region. */
interface Scope {
  readonly log: Log;
  readonly hub: AccepterHub;
}

/** Makes the accepter handler over a runtime made from `options` (the Lambda defaults without). */
export function createHandler(options: RuntimeOptions = {}): AccepterHandlers {
  const runtime = createRuntime(options);
  return {
    handler: async (event, context) => {
      const { log } = runtime.invocation(context);
      try {
        const region = runtime.requireRegion();
        const hub = new SdkAccepterHub(region, runtime.securityHub(region).client, log);
        return await onEvent({ log, hub }, region, event, context);
      } catch (error) {
        // Logged here, once, whatever threw it.
        logErrorDetails(log, error);
        throw error;
      }
    },
  };
}

const defaultHandlers = lazily(() => createHandler());

/** Accepts the declared administrator's invitation, switches administrators, or leaves the administrator. */
export const handler: AccepterOnEvent = (event, context) => defaultHandlers().handler(event, context);

async function onEvent(
  scope: Scope,
  region: string,
  event: CustomResourceEvent<Partial<AccepterResourceProperties>>,
  context?: LambdaContext,
): Promise<OnEventResult<AccepterResourceData>> {
  const { log } = scope;
  const memberAccount = accountOfArn(context?.invokedFunctionArn);
  log('INFO', 'event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  switch (event.RequestType) {
    case 'Create': {
      const administrator = parseAdministrator(event.ResourceProperties, memberAccount);
      await run(scope, { requestType: 'Create', region, memberAccount, administrator });
      return respond(stablePhysicalId(PHYSICAL_ID_PREFIX, event), administrator);
    }
    case 'Update': {
      const administrator = parseAdministrator(event.ResourceProperties, memberAccount);
      const previousAdministrator = parsePreviousAdministrator(event.OldResourceProperties, memberAccount);
      await run(scope, { requestType: 'Update', region, memberAccount, administrator, previousAdministrator });
      return respond(requirePhysicalId(event), administrator);
    }
    case 'Delete': {
      const administrator = parsePreviousAdministrator(event.ResourceProperties, memberAccount);
      await run(scope, { requestType: 'Delete', region, memberAccount, administrator });
      // Never throw for a missing id here: nothing may block a deletion.
      return { PhysicalResourceId: event.PhysicalResourceId ?? stablePhysicalId(PHYSICAL_ID_PREFIX, event) };
    }
    default:
      throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete`);
  }
}

/** Reads, plans and carries out one event in the handler's region. */
async function run({ log, hub }: Scope, situation: Omit<AccepterSituation, 'current' | 'invitations'>): Promise<void> {
  if (situation.requestType === 'Delete' && situation.administrator === undefined) {
    // An id that could never have been accepted left nothing behind; not even a read may block a deletion.
    log('INFO', 'plan', { requestType: situation.requestType, region: situation.region, steps: [] });
    return;
  }
  const current = await readAdministrator(hub, situation, log);
  const read = { ...situation, current };
  const invitations = needsInvitations(read) ? await hub.listInvitations() : undefined;
  const plan = planAccepter({ ...read, ...(invitations ? { invitations } : {}) });
  log('INFO', 'plan', {
    requestType: situation.requestType,
    region: situation.region,
    memberAccount: situation.memberAccount,
    administratorId: situation.administrator,
    previousAdministratorId: situation.previousAdministrator,
    currentAdministratorId: associatedAdministrator(current),
    invitations: invitations?.length,
    steps: 'steps' in plan ? plan.steps.map(describeStep) : undefined,
    failure: 'failure' in plan ? plan.failure.kind : undefined,
  });
  if ('failure' in plan) {
    throw new AccepterError(plan.failure.kind, plan.failure.message);
  }
  for (const step of plan.steps) {
    try {
      if (step.call === 'DisassociateFromAdministratorAccount') {
        await hub.disassociateFrom(step.administratorId);
      } else {
        await hub.acceptInvitation(step.administratorId, step.invitationId);
      }
    } catch (error) {
      // Name the action and the account, so a refused permission says whose role lacks what.
      const account = situation.memberAccount ? `account ${situation.memberAccount}` : 'this account';
      throw new AccepterError('call-failed', `securityhub:${step.call} for ${account}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    log('INFO', 'done', { region: situation.region, step: describeStep(step) });
  }
}

async function readAdministrator(hub: AccepterHub, situation: Pick<AccepterSituation, 'requestType' | 'region' | 'memberAccount'>, log: Log): Promise<AdministratorRelationship> {
  try {
    return await hub.getAdministrator();
  } catch (error) {
    if (situation.requestType !== 'Delete') {
      throw error;
    }
    // A hub that is not enabled ("not subscribed to AWS Security Hub") has no administrator, so a
    // deletion has nothing left to undo; Create and Update report it, since the user must enable it.
    // The same error type without those words is a refused permission: succeeding then would leave
    // the account associated while CloudFormation records the accepter as deleted.
    if (isNotSubscribed(error)) {
      log('WARN', 'Security Hub is not enabled; nothing to disassociate', { region: situation.region, error: reasonOf(error) });
      return {};
    }
    throw new AccepterError('call-failed',
      `securityhub:GetAdministratorAccount failed for ${situation.memberAccount ? `account ${situation.memberAccount}` : 'this account'} in ${situation.region}, `
      + `so its membership was left as it is: ${reasonOf(error)}; expected the handler's role to allow it, or Security Hub to be disabled`,
      { cause: error });
  }
}

function describeStep(step: AccepterStep): string {
  return `${step.call} ${step.administratorId}`;
}


function respond(physicalResourceId: string, administratorId: string): OnEventResult<AccepterResourceData> {
  // A successful Create or Update leaves the account an active member; the legacy `Associated` is reported as `Enabled`.
  return { PhysicalResourceId: physicalResourceId, Data: { AdministratorAccountId: administratorId, MemberStatus: 'Enabled' } };
}
