/**
 * The Lambda entry of `Custom::SecurityHubMembers`, called by the aws-cdk-lib Provider framework,
 * which sends the CloudFormation response: `handler` (onEvent) returns `{ PhysicalResourceId, Data }`
 * or throws; `isComplete` serves `waitForAcceptance`.
 */
import { AWAITING_ACCEPTANCE_SUFFIX, MembersResourceData } from '../../lib/shared/contract';
import { accountOfArn, CustomResourceEvent, IsCompleteEvent, IsCompleteResult, LambdaContext, OnEventResult, regionFromEnvironment, requirePhysicalId, stablePhysicalId } from '../shared/cfn';
import { clientsFor } from '../shared/client';
import { clearDeadline, startDeadline } from '../shared/deadline';
import { reasonOf } from '../shared/errors';
import { log } from '../shared/log';
import { checkAcceptance, timeoutMessage } from './acceptance';
import { SdkMemberHub } from './hub';
import { eventTargets } from './planner';
import { HandlerEnvironment, MembersDeclaration, parseDeclaration, parsePreviousDeclaration } from './properties';
import { MemberHub, reconcile, RegionOutcome, undoCreations } from './reconcile';
import { decodeMask, decodeMasks, encodeMask, encodeMasks } from './wait';

/** The prefix of every physical id this handler returns; it never changes after Create. */
const PHYSICAL_ID_PREFIX = 'securityhub-members';

const hubs = new Map<string, MemberHub>();

function hubFor(region: string): MemberHub {
  let hub = hubs.get(region);
  if (!hub) {
    hub = new SdkMemberHub(clientsFor(region));
    hubs.set(region, hub);
  }
  return hub;
}

function environmentOf(context: LambdaContext | undefined): HandlerEnvironment {
  return { region: regionFromEnvironment(), ownAccount: accountOfArn(context?.invokedFunctionArn) };
}

/** Creates, reconciles or removes the declared members. */
export async function handler(event: CustomResourceEvent, context?: LambdaContext): Promise<OnEventResult<MembersResourceData>> {
  const env = environmentOf(context);
  startDeadline(context);
  log('INFO', 'event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  switch (event.RequestType) {
    case 'Create': {
      const declaration = parseDeclaration(event.ResourceProperties, env);
      const targets = eventTargets(declaration.members, declaration.regions, [], []);
      const outcomes = await reconcile(targets, hubFor, { invite: declaration.invite, rollbackOnFailure: true });
      const physicalId = stablePhysicalId(PHYSICAL_ID_PREFIX, event);
      if (waits(declaration)) {
        // Until isComplete sees every member Enabled the id says so: if the wait times out, the
        // Delete CloudFormation sends for this id knows the Create already undid its own work.
        const created = encodeMasks(outcomes.map((o) => encodeMask(declaration.members, new Set(o.created))));
        return respond(`${physicalId}${AWAITING_ACCEPTANCE_SUFFIX}`, declaration, outcomes, { WaitDeadline: deadline(declaration), WaitCreated: created });
      }
      return respond(physicalId, declaration, outcomes);
    }
    case 'Update': {
      const declaration = parseDeclaration(event.ResourceProperties, env);
      const previous = parsePreviousDeclaration(event.OldResourceProperties, env);
      const targets = eventTargets(declaration.members, declaration.regions, previous.accountIds, previous.regions);
      const outcomes = await reconcile(targets, hubFor, { invite: declaration.invite, rollbackOnFailure: true });
      return respond(requirePhysicalId(event), declaration, outcomes, waits(declaration) ? { WaitDeadline: deadline(declaration) } : {});
    }
    case 'Delete': {
      if (requirePhysicalId(event).endsWith(AWAITING_ACCEPTANCE_SUFFIX)) {
        log('INFO', 'nothing to delete: the Create timed out waiting for acceptance and removed what it created');
        return { PhysicalResourceId: requirePhysicalId(event) };
      }
      if (!requirePhysicalId(event).startsWith(`${PHYSICAL_ID_PREFIX}-`)) {
        // Not an id this handler ever returned: CloudFormation is cleaning up a Create that never
        // answered, which removed what it created itself or timed out before creating anything
        // it could tell apart from members that existed before.
        log('WARN', 'nothing to delete: the physical id was not issued by this handler', { physicalResourceId: requirePhysicalId(event) });
        return { PhysicalResourceId: requirePhysicalId(event) };
      }
      const declared = parsePreviousDeclaration(event.ResourceProperties, env);
      const targets = eventTargets([], [], declared.accountIds, declared.regions);
      await reconcile(targets, hubFor, { invite: false, rollbackOnFailure: false });
      return { PhysicalResourceId: requirePhysicalId(event) };
    }
    default:
      throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete`);
  }
}

/**
 * With `waitForAcceptance`: complete once every declared member is Enabled in every region; past
 * the deadline, fail naming the members still pending (after undoing a Create's own work).
 */
export async function isComplete(event: IsCompleteEvent<Record<string, unknown>, Partial<MembersResourceData>>, context?: LambdaContext): Promise<IsCompleteResult<MembersResourceData>> {
  if (event.RequestType === 'Delete') {
    return { IsComplete: true };
  }
  const env = environmentOf(context);
  // isComplete only reads, and undoes a timed-out Create: no deadline of its own.
  clearDeadline();
  const declaration = parseDeclaration(event.ResourceProperties, env);
  const physicalId = requirePhysicalId(event).replace(AWAITING_ACCEPTANCE_SUFFIX, '');
  if (!waits(declaration) || !declaration.invite) {
    return { IsComplete: true, PhysicalResourceId: physicalId };
  }
  const deadlineAt = Date.parse(event.Data?.WaitDeadline ?? '');
  const expired = Date.now() >= deadlineAt;
  let check: Awaited<ReturnType<typeof checkAcceptance>>;
  try {
    check = await checkAcceptance(declaration.members, declaration.regions, hubFor);
  } catch (error) {
    // A failure here would fail the deploy without undoing a Create: before the deadline a failed
    // read is only a missed poll.
    if (!expired) {
      log('WARN', 'could not read the members\' statuses; polling again', { error: reasonOf(error) });
      return { IsComplete: false };
    }
    check = { pending: declaration.members.flatMap((m) => declaration.regions.map((region) => ({ accountId: m.accountId, region, status: 'unknown' }))), enabled: 0, invited: 0 };
  }
  log('INFO', 'waiting for acceptance', { pending: check.pending.length, enabled: check.enabled, invited: check.invited });
  if (check.pending.length === 0) {
    return {
      IsComplete: true,
      PhysicalResourceId: physicalId,
      Data: {
        MemberCount: memberCount(declaration),
        EnabledCount: String(check.enabled),
        InvitedCount: String(check.invited),
      },
    };
  }
  if (!expired) {
    // The framework refuses Data while not complete.
    return { IsComplete: false };
  }
  let rollback: string | undefined;
  if (event.RequestType === 'Create' && event.Data?.WaitCreated !== undefined) {
    // A Create that times out is rolled back like any failed Create: only what it created goes.
    const masks = decodeMasks(event.Data.WaitCreated, declaration.regions.length);
    rollback = await undoCreations(declaration.regions.map((region, i) => ({ hub: hubFor(region), accountIds: decodeMask(declaration.members, masks[i]) })));
  }
  throw new Error(timeoutMessage(declaration.waitForAcceptanceSeconds!, check.pending, rollback));
}

function waits(declaration: MembersDeclaration): boolean {
  return declaration.waitForAcceptanceSeconds !== undefined;
}

/** Declared accounts times managed regions, the MemberCount attribute. */
function memberCount(declaration: MembersDeclaration): string {
  return String(declaration.members.length * declaration.regions.length);
}

function deadline(declaration: MembersDeclaration): string {
  return new Date(Date.now() + declaration.waitForAcceptanceSeconds! * 1000).toISOString();
}


function respond(physicalResourceId: string, declaration: MembersDeclaration, outcomes: RegionOutcome[], extra: Partial<MembersResourceData> = {}): OnEventResult<MembersResourceData> {
  for (const outcome of outcomes) {
    log('INFO', 'done', {
      region: outcome.region,
      created: outcome.created,
      invited: outcome.invited,
      removed: outcome.removed,
      unchanged: outcome.unchanged.length,
      skipped: outcome.skipped,
    });
  }
  const sum = (pick: (o: RegionOutcome) => number): string => String(outcomes.reduce((total, o) => total + pick(o), 0));
  return {
    PhysicalResourceId: physicalResourceId,
    Data: {
      MemberCount: memberCount(declaration),
      EnabledCount: sum((o) => o.enabled),
      InvitedCount: sum((o) => o.pending),
      ...extra,
    },
  };
}
