/**
 * The Lambda entry of `Custom::SecurityHubMembers`, called by the aws-cdk-lib Provider framework,
 * which sends the CloudFormation response: `handler` (onEvent) returns `{ PhysicalResourceId, Data }`
 * or throws; `isComplete` serves `waitForAcceptance`. `createHandler` makes both over a runtime of
 * the caller's (lambda/shared/runtime.ts); `handler` and `isComplete` are those of the default one.
 */
import { AWAITING_ACCEPTANCE_SUFFIX, MembersResourceData } from '../../lib/shared/contract';
import { accountOfArn, CustomResourceEvent, IsCompleteEvent, IsCompleteResult, LambdaContext, OnEventResult, requirePhysicalId, stablePhysicalId } from '../shared/cfn';
import { reasonOf } from '../shared/errors';
import type { Log } from '../shared/log';
import { fittedError } from '../shared/response';
import { createRuntime, Invocation, lazily, Runtime, RuntimeOptions } from '../shared/runtime';
import { SdkStackReader, StackReader } from '../shared/stack';
import { checkAcceptance, timeoutMessage } from './acceptance';
import { SdkMemberHub } from './hub';
import { decideEvent, EventDecision } from './decide';
import { HandlerEnvironment, MembersDeclaration, parseDeclaration } from './properties';
import { applyRuns, MemberHub, RegionOutcome, undoCreations } from './reconcile';
import { CREATED_UNKNOWN, decodeCreated, encodeCreated } from './wait';

export type { RuntimeOptions } from '../shared/runtime';

/** The prefix of every physical id this handler returns; it never changes after Create. */
const PHYSICAL_ID_PREFIX = 'securityhub-members';

/** The onEvent function the Provider framework calls. */
export type MembersOnEvent = (event: CustomResourceEvent, context?: LambdaContext) => Promise<OnEventResult<MembersResourceData>>;

/** The isComplete function the Provider framework calls with `waitForAcceptance`. */
export type MembersIsComplete = (event: IsCompleteEvent<Record<string, unknown>, Partial<MembersResourceData>>, context?: LambdaContext) => Promise<IsCompleteResult<MembersResourceData>>;

/** The members bundle's handler functions, over one runtime. */
export interface MembersHandlers {
  readonly handler: MembersOnEvent;
  readonly isComplete: MembersIsComplete;
}

/** What one invocation works with: the runtime's clients, its own budget and log. */
interface Scope extends Invocation {
  readonly runtime: Runtime;
  readonly stackReader: StackReader;
  readonly env: HandlerEnvironment;
  hubFor(region: string): MemberHub;
}

/** Makes the members handler over a runtime made from `options` (the Lambda defaults without). */
export function createHandler(options: RuntimeOptions = {}): MembersHandlers {
  const runtime = createRuntime(options);
  const stackReader = new SdkStackReader(runtime);
  const scopeOf = (invocation: Invocation, context: LambdaContext | undefined): Scope => ({
    ...invocation,
    runtime,
    stackReader,
    env: { region: runtime.requireRegion(), ownAccount: accountOfArn(context?.invokedFunctionArn) },
    hubFor: (region) => new SdkMemberHub(runtime.securityHub(region), invocation),
  });
  return {
    handler: async (event, context) => {
      const invocation = runtime.invocation(context);
      try {
        return await onEvent(scopeOf(invocation, context), event);
      } catch (error) {
        throw fittedError(invocation.log, error, event);
      }
    },
    isComplete: async (event, context) => {
      const invocation = runtime.invocation(context);
      try {
        return await waitForAcceptance(scopeOf(invocation, context), event);
      } catch (error) {
        // The framework's failure response carries onEvent's Data beside the message.
        throw fittedError(invocation.log, error, event, event.Data);
      }
    },
  };
}

const defaultHandlers = lazily(() => createHandler());

/**
 * Creates, reconciles or removes the declared members. A failure's message is fitted to the
 * response CloudFormation accepts (rule R11); the whole of it goes to the log.
 */
export const handler: MembersOnEvent = (event, context) => defaultHandlers().handler(event, context);

/**
 * With `waitForAcceptance`: complete once every declared member is Enabled in every region; past
 * the deadline, fail naming the members still pending (after undoing a Create's own work).
 */
export const isComplete: MembersIsComplete = (event, context) => defaultHandlers().isComplete(event, context);

async function onEvent(scope: Scope, event: CustomResourceEvent): Promise<OnEventResult<MembersResourceData>> {
  const { log } = scope;
  // The wait's deadline counts from here, so the resource ends within CloudFormation's hour (rule R12).
  const startedAt = scope.runtime.now();
  const run = { log, budget: scope.budget };
  log('INFO', 'event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  switch (event.RequestType) {
    case 'Create': {
      const decision = await decided(scope, event);
      const declaration = decision.declaration!;
      const outcomes = await applyRuns(decision.runs, { ...run, undoOnFailure: true });
      const physicalId = stablePhysicalId(PHYSICAL_ID_PREFIX, event);
      if (waits(declaration)) {
        // Until isComplete sees every member Enabled the id says so: if the wait times out, the
        // Delete CloudFormation sends for this id knows the Create already undid its own work.
        const created = encodeCreated(declaration.members, outcomes.map((o) => new Set(o.created)));
        if (created === CREATED_UNKNOWN) {
          log('WARN', 'the accounts this Create created differ too much between regions to be recorded in the response; if the wait runs out, none of them is removed (the "done" lines list them)');
        }
        return respond(log, `${physicalId}${AWAITING_ACCEPTANCE_SUFFIX}`, declaration, outcomes, { WaitDeadline: waitDeadline(declaration, startedAt), WaitCreated: created });
      }
      return respond(log, physicalId, declaration, outcomes);
    }
    case 'Update': {
      const decision = await decided(scope, event);
      const declaration = decision.declaration!;
      const outcomes = await applyRuns(decision.runs, { ...run, undoOnFailure: true });
      return respond(log, requirePhysicalId(event), declaration, outcomes, {
        ...(waits(declaration) ? { WaitDeadline: waitDeadline(declaration, startedAt) } : {}),
        ...keptCount(decision.kept),
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
      const decision = await decided(scope, event);
      await applyRuns(decision.runs, { ...run, undoOnFailure: false });
      const kept = keptCount(decision.kept);
      return { PhysicalResourceId: requirePhysicalId(event), ...(kept.KeptCount ? { Data: kept as MembersResourceData } : {}) };
    }
    default:
      throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete`);
  }
}

async function waitForAcceptance(scope: Scope, event: IsCompleteEvent<Record<string, unknown>, Partial<MembersResourceData>>): Promise<IsCompleteResult<MembersResourceData>> {
  if (event.RequestType === 'Delete') {
    return { IsComplete: true };
  }
  const { env, log, hubFor } = scope;
  // isComplete only reads, and undoes a timed-out Create: no time budget of its own.
  scope.budget.lift();
  const declaration = parseDeclaration(event.ResourceProperties, env);
  const physicalId = requirePhysicalId(event).replace(AWAITING_ACCEPTANCE_SUFFIX, '');
  if (!waits(declaration) || !declaration.invite) {
    return { IsComplete: true, PhysicalResourceId: physicalId };
  }
  const deadlineAt = Date.parse(event.Data?.WaitDeadline ?? '');
  const expired = scope.runtime.now() >= deadlineAt;
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
  if (event.RequestType === 'Update' && event.StackId !== undefined && await rollingBack(scope, event.StackId)) {
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
  let undo: string | undefined;
  if (event.RequestType === 'Create' && event.Data?.WaitCreated !== undefined) {
    // A Create that times out is undone like any failed Create: only what it created goes.
    const created = decodeCreated(declaration.members, event.Data.WaitCreated, declaration.regions.length);
    undo = created
      ? await undoCreations(declaration.regions.map((region, i) => ({ hub: hubFor(region), accountIds: created[i] })), scope)
      : 'Nothing was undone: which accounts this Create created differed too much between regions to be recorded; the handler\'s "done" log lines of the Create list them, to remove by hand.';
  }
  throw new Error(timeoutMessage(log, declaration.waitForAcceptanceSeconds!, check.pending, undo));
}

/** Whether the stack is in CloudFormation's rollback of a failed update; a failed read says no. */
async function rollingBack(scope: Scope, stackId: string): Promise<boolean> {
  try {
    return (await scope.stackReader.status(stackId)) === 'UPDATE_ROLLBACK_IN_PROGRESS';
  } catch (error) {
    // Not being able to tell only means waiting as before.
    scope.log('WARN', 'could not read the stack\'s status while waiting', { error: reasonOf(error) });
    return false;
  }
}

/** The event's decision (./decide.ts); its refusal fails the event before any change. */
async function decided(scope: Scope, event: CustomResourceEvent): Promise<EventDecision> {
  const decision = await decideEvent(scope, event);
  if (decision.refusal) {
    throw decision.refusal;
  }
  return decision;
}

function waits(declaration: MembersDeclaration): boolean {
  return declaration.waitForAcceptanceSeconds !== undefined;
}

/** Declared accounts times managed regions, the MemberCount attribute. */
function memberCount(declaration: MembersDeclaration): string {
  return String(declaration.members.length * declaration.regions.length);
}

/** Rule R12's wait deadline, not the invocation's time budget. */
function waitDeadline(declaration: MembersDeclaration, startedAt: number): string {
  return new Date(startedAt + declaration.waitForAcceptanceSeconds! * 1000).toISOString();
}

function keptCount(kept: number): Partial<MembersResourceData> {
  return kept > 0 ? { KeptCount: String(kept) } : {};
}

function respond(log: Log, physicalResourceId: string, declaration: MembersDeclaration, outcomes: RegionOutcome[], extra: Partial<MembersResourceData> = {}): OnEventResult<MembersResourceData> {
  for (const outcome of outcomes) {
    log('INFO', 'done', {
      region: outcome.region,
      created: outcome.created,
      invited: outcome.invited,
      removed: outcome.removed,
      unchanged: outcome.unchanged.length,
      unactionable: outcome.unactionable,
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
