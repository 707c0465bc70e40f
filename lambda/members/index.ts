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
import { MemberHub, reconcile, ReconcileOptions, RegionOutcome, undoCreations } from './reconcile';
import { keepMembersBeforeFailedDeploy } from './rollback';
import { keepSiblingAccounts } from './ownership';
import { CREATED_UNKNOWN, decodeCreated, encodeCreated } from './wait';
import { fittedError } from '../shared/response';
import { SdkStackReader, StackReader, StackView } from '../shared/stack';

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

let stackReader: StackReader | undefined;

/** Reads the handler's own stack; made on first use, so events that remove nothing never create its client. */
function stackReaderFor(): StackReader {
  stackReader ??= new SdkStackReader();
  return stackReader;
}

/**
 * Takes the accounts another resource of the stack declares out of the removals (rule R10), and
 * counts them for the response's KeptCount.
 */
function ownership(event: CustomResourceEvent): { filterRemovals: NonNullable<ReconcileOptions['filterRemovals']>; kept: () => number } {
  let kept = 0;
  return {
    filterRemovals: async (plans, members) => {
      // One DescribeStacks and one GetTemplate serve both rules.
      const reader = readOnce(stackReaderFor());
      const siblings = await keepSiblingAccounts(plans, event, reader);
      // Rule R13: a rollback removes only what the failed deploy added, whatever the template says.
      const rollback = await keepMembersBeforeFailedDeploy(siblings.plans, members, event, reader);
      kept = siblings.kept + rollback.kept;
      return rollback.plans;
    },
    kept: () => kept,
  };
}

/** A reader that reads each stack once and answers the same view after that. */
function readOnce(reader: StackReader): StackReader {
  const views = new Map<string, Promise<StackView>>();
  return {
    read: (stackId) => {
      let view = views.get(stackId);
      if (!view) {
        view = reader.read(stackId);
        views.set(stackId, view);
      }
      return view;
    },
    status: (stackId) => reader.status(stackId),
  };
}

function environmentOf(context: LambdaContext | undefined): HandlerEnvironment {
  return { region: regionFromEnvironment(), ownAccount: accountOfArn(context?.invokedFunctionArn) };
}

/**
 * Creates, reconciles or removes the declared members. A failure's message is fitted to the
 * response CloudFormation accepts (rule R11); the whole of it goes to the log.
 */
export async function handler(event: CustomResourceEvent, context?: LambdaContext): Promise<OnEventResult<MembersResourceData>> {
  try {
    return await onEvent(event, context);
  } catch (error) {
    throw fittedError(error, event);
  }
}

async function onEvent(event: CustomResourceEvent, context?: LambdaContext): Promise<OnEventResult<MembersResourceData>> {
  // The wait's deadline counts from here, so the resource ends within CloudFormation's hour (rule R12).
  const startedAt = Date.now();
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
        const created = encodeCreated(declaration.members, outcomes.map((o) => new Set(o.created)));
        if (created === CREATED_UNKNOWN) {
          log('WARN', 'the accounts this Create created differ too much between regions to be recorded in the response; if the wait runs out, none of them is removed (the "done" lines list them)');
        }
        return respond(`${physicalId}${AWAITING_ACCEPTANCE_SUFFIX}`, declaration, outcomes, { WaitDeadline: deadline(declaration, startedAt), WaitCreated: created });
      }
      return respond(physicalId, declaration, outcomes);
    }
    case 'Update': {
      const declaration = parseDeclaration(event.ResourceProperties, env);
      const previous = parsePreviousDeclaration(event.OldResourceProperties, env);
      const targets = eventTargets(declaration.members, declaration.regions, previous.accountIds, previous.regions);
      const owned = ownership(event);
      const outcomes = await reconcile(targets, hubFor, { invite: declaration.invite, rollbackOnFailure: true, filterRemovals: owned.filterRemovals });
      return respond(requirePhysicalId(event), declaration, outcomes, {
        ...(waits(declaration) ? { WaitDeadline: deadline(declaration, startedAt) } : {}),
        ...keptCount(owned.kept()),
      });
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
      const owned = ownership(event);
      await reconcile(targets, hubFor, { invite: false, rollbackOnFailure: false, filterRemovals: owned.filterRemovals });
      const kept = keptCount(owned.kept());
      return { PhysicalResourceId: requirePhysicalId(event), ...(kept.KeptCount ? { Data: kept as MembersResourceData } : {}) };
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
  try {
    return await waitForAcceptance(event, context);
  } catch (error) {
    // The framework's failure response carries onEvent's Data beside the message.
    throw fittedError(error, event, event.Data);
  }
}

async function waitForAcceptance(event: IsCompleteEvent<Record<string, unknown>, Partial<MembersResourceData>>, context?: LambdaContext): Promise<IsCompleteResult<MembersResourceData>> {
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
        // The framework merges this Data over onEvent's: the record is not needed any more.
        ...(event.Data?.WaitCreated !== undefined ? { WaitCreated: '' } : {}),
      },
    };
  }
  if (event.RequestType === 'Update' && event.StackId !== undefined && await rollingBack(event.StackId)) {
    // CloudFormation's rollback Update restores the previous declaration; waiting again for
    // members that did not accept would only fail the rollback and leave the stack in
    // UPDATE_ROLLBACK_FAILED. The members are reconciled; acceptance is the next deploy's concern.
    log('WARN', 'not waiting for acceptance during a rollback', { pending: check.pending.length });
    return {
      IsComplete: true,
      PhysicalResourceId: physicalId,
      Data: { MemberCount: memberCount(declaration), EnabledCount: String(check.enabled), InvitedCount: String(check.invited) },
    };
  }
  if (!expired) {
    // The framework refuses Data while not complete.
    return { IsComplete: false };
  }
  let rollback: string | undefined;
  if (event.RequestType === 'Create' && event.Data?.WaitCreated !== undefined) {
    // A Create that times out is rolled back like any failed Create: only what it created goes.
    const created = decodeCreated(declaration.members, event.Data.WaitCreated, declaration.regions.length);
    rollback = created
      ? await undoCreations(declaration.regions.map((region, i) => ({ hub: hubFor(region), accountIds: created[i] })))
      : 'Nothing was rolled back: which accounts this Create created differed too much between regions to be recorded; the handler\'s "done" log lines of the Create list them, to remove by hand.';
  }
  throw new Error(timeoutMessage(declaration.waitForAcceptanceSeconds!, check.pending, rollback));
}

/** Whether the stack is in CloudFormation's rollback of a failed update; a failed read says no. */
async function rollingBack(stackId: string): Promise<boolean> {
  try {
    return (await stackReaderFor().status(stackId)) === 'UPDATE_ROLLBACK_IN_PROGRESS';
  } catch (error) {
    // Not being able to tell only means waiting as before.
    log('WARN', 'could not read the stack\'s status while waiting', { error: reasonOf(error) });
    return false;
  }
}

function waits(declaration: MembersDeclaration): boolean {
  return declaration.waitForAcceptanceSeconds !== undefined;
}

/** Declared accounts times managed regions, the MemberCount attribute. */
function memberCount(declaration: MembersDeclaration): string {
  return String(declaration.members.length * declaration.regions.length);
}

function deadline(declaration: MembersDeclaration, startedAt: number): string {
  return new Date(startedAt + declaration.waitForAcceptanceSeconds! * 1000).toISOString();
}

function keptCount(kept: number): Partial<MembersResourceData> {
  return kept > 0 ? { KeptCount: String(kept) } : {};
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
