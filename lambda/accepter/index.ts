/**
 * The Lambda entry of `Custom::SecurityHubInvitationAccepter`, called by the aws-cdk-lib Provider
 * framework, which sends the CloudFormation response: this returns `{ PhysicalResourceId, Data }`
 * or throws. It reads first (the current administrator, then the invitations when needed), plans,
 * and only then calls, so an event that fails its checks changes nothing.
 */
import type { AccepterResourceData, AccepterResourceProperties } from '../../lib/shared/contract';
import { accountOfArn, CustomResourceEvent, LambdaContext, OnEventResult, regionFromEnvironment, requirePhysicalId, stablePhysicalId } from '../shared/cfn';
import { clientsFor } from '../shared/client';
import { isNotSubscribed, reasonOf } from '../shared/errors';
import { log } from '../shared/log';
import { AccepterHub, SdkAccepterHub } from './hub';
import { AccepterError, AccepterSituation, AdministratorRelationship, AccepterStep, associatedAdministrator, needsInvitations, planAccepter } from './planner';
import { parseAdministrator, parsePreviousAdministrator } from './properties';

/** Prefix of the physical id, which never changes after Create. */
const PHYSICAL_ID_PREFIX = 'securityhub-invitation-accepter';

const hubs = new Map<string, AccepterHub>();

function hubFor(region: string): AccepterHub {
  let hub = hubs.get(region);
  if (!hub) {
    hub = new SdkAccepterHub(region, clientsFor(region).client);
    hubs.set(region, hub);
  }
  return hub;
}


/** Accepts the declared administrator's invitation, switches administrators, or leaves the administrator. */
export async function handler(
  event: CustomResourceEvent<Partial<AccepterResourceProperties>>,
  context?: LambdaContext,
): Promise<OnEventResult<AccepterResourceData>> {
  const region = regionFromEnvironment();
  const memberAccount = accountOfArn(context?.invokedFunctionArn);
  log('INFO', 'event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  switch (event.RequestType) {
    case 'Create': {
      const administrator = parseAdministrator(event.ResourceProperties, memberAccount);
      await run({ requestType: 'Create', region, memberAccount, administrator });
      return respond(stablePhysicalId(PHYSICAL_ID_PREFIX, event), administrator);
    }
    case 'Update': {
      const administrator = parseAdministrator(event.ResourceProperties, memberAccount);
      const previousAdministrator = parsePreviousAdministrator(event.OldResourceProperties, memberAccount);
      await run({ requestType: 'Update', region, memberAccount, administrator, previousAdministrator });
      return respond(requirePhysicalId(event), administrator);
    }
    case 'Delete': {
      const administrator = parsePreviousAdministrator(event.ResourceProperties, memberAccount);
      await run({ requestType: 'Delete', region, memberAccount, administrator });
      // Never throw for a missing id here: nothing may block a deletion.
      return { PhysicalResourceId: event.PhysicalResourceId ?? stablePhysicalId(PHYSICAL_ID_PREFIX, event) };
    }
    default:
      throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete`);
  }
}

/** Reads, plans and carries out one event in the handler's region. */
async function run(situation: Omit<AccepterSituation, 'current' | 'invitations'>): Promise<void> {
  if (situation.requestType === 'Delete' && situation.administrator === undefined) {
    // An id that could never have been accepted left nothing behind; not even a read may block a deletion.
    log('INFO', 'plan', { requestType: situation.requestType, region: situation.region, steps: [] });
    return;
  }
  const hub = hubFor(situation.region);
  const current = await readAdministrator(hub, situation);
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

async function readAdministrator(hub: AccepterHub, situation: Pick<AccepterSituation, 'requestType' | 'region' | 'memberAccount'>): Promise<AdministratorRelationship> {
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
