/**
 * The lifecycle as a property: random sequences of declarations, drawn from a small pool of
 * accounts, go through the bundled handler as Create, Update and Delete events against the local
 * Security Hub with random 429s, 500s, lost answers and uninvitable accounts, next to undeclared
 * members in every status; some pool accounts are in the administrator's organization (docs/design.md, "Organization accounts").
 * After every event the hub must be exactly what docs/design.md, "Lifecycle" and "Organization accounts" say.
 *
 * LIFECYCLE_RUNS sets the number of sequences (default 250, e.g. LIFECYCLE_RUNS=5000 for a long
 * run); LIFECYCLE_SEED replays the seed fast-check prints with a failure.
 */
import fc from 'fast-check';
import type { MemberAccount } from '../../lib';
import { LocalCloudFormation, ROLLBACK_TEMPLATE_READINGS, RollbackTemplateReading } from '../../local/deploy/cloudformation';
import type { MemberRecord, MemberStatus } from '../../local/emulator';
import { ADMIN, Lab, REGION, SentEvent, seedUndeclared, snapshot, startLab, touchedAccounts } from './faults-helpers';
import { FAST, LocalCloud, localCloud } from './harness';
import { StackLayout, stackOfLayout } from './stack-layouts';

const RUNS = Number(process.env.LIFECYCLE_RUNS ?? 250);
const SEED = process.env.LIFECYCLE_SEED !== undefined ? Number(process.env.LIFECYCLE_SEED) : undefined;

/** The accounts declarations are drawn from; small, so that sequences revisit the same accounts. */
const POOL = Array.from({ length: 8 }, (_, i) => String(100000000001 + i));
/** Statuses a pool account may have before it is ever declared, with the spellings the service has used. */
const POOL_STATUSES: PreexistingStatus[] = [
  ...(['Created', 'Invited', 'Enabled', 'Removed', 'Resigned', 'AccountSuspended'] as const).map((status) => ({ status })),
  { status: 'Enabled', reportedStatus: 'ASSOCIATED' },
  { status: 'Enabled', reportedStatus: 'ENABLED' },
  { status: 'Invited', reportedStatus: 'invited' },
  { status: 'Removed', reportedStatus: 'REMOVED' },
];

interface PreexistingStatus {
  readonly status: MemberStatus;
  /** What GetMembers answers instead of `status`. */
  readonly reportedStatus?: string;
}

/** The statuses an organization account can have: it is never Created, Invited or Resigned. */
const ORGANIZATION_STATUSES = new Set<string>(['Enabled', 'Removed', 'AccountSuspended']);

/** Statuses in which a declared account needs nothing: the handler must not touch it. */
const SETTLED = new Set<string>(['Invited', 'Enabled', 'AccountSuspended']);

type Step =
  | { readonly kind: 'deploy'; readonly accounts: string[]; readonly emails: boolean }
  | { readonly kind: 'delete' };

interface Scenario {
  readonly steps: Step[];
  /** Per pool account, a status it already has before the first event (null: not a member). */
  readonly preexisting: (PreexistingStatus | null)[];
  readonly uninvitable: string[];
  /** Pool accounts in the administrator's organization: Enabled by CreateMembers, never invited or deleted. */
  readonly organization: string[];
  readonly errorRate: number;
  readonly throttleRate: number;
  /** Calls applied but answered 500, or whose connection is dropped. */
  readonly lost: { readonly lostAnswerRate: number; readonly dropConnectionRate: number };
  readonly seed: number;
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  // At least one account: an empty declaration is refused before any call (docs/design.md, "Validation").
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('deploy' as const), accounts: fc.shuffledSubarray(POOL, { minLength: 1, maxLength: 6 }), emails: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'delete' as const }) },
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
  preexisting: fc.array(
    fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...POOL_STATUSES) }),
    { minLength: POOL.length, maxLength: POOL.length },
  ),
  uninvitable: fc.subarray(POOL, { maxLength: 2 }),
  organization: fc.subarray(POOL, { maxLength: 3 }),
  errorRate: fc.constantFrom(0, 0.03, 0.08),
  // Each 429 costs the SDK's throttling backoff (half a second on average) and slows its adaptive
  // pacing down: one run in eight is throttled, a handful of 429s per 250 runs, as a sample.
  // faults-throttling.test.ts throttles at scale and asserts that it did.
  throttleRate: fc.oneof({ weight: 7, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(0.01) }),
  lost: fc.constantFrom({ lostAnswerRate: 0, dropConnectionRate: 0 }, { lostAnswerRate: 0.08, dropConnectionRate: 0 }, { lostAnswerRate: 0, dropConnectionRate: 0.08 }),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** What the whole property exercised, to prove it was not vacuous. */
const totals = { sequences: 0, events: 0, creates: 0, updates: 0, deletes: 0, failed: 0, rollbacks: 0, throttled: 0, serverErrors: 0, lostAnswers: 0 };

function declare(accounts: readonly string[], emails: boolean): MemberAccount[] {
  return accounts.map((accountId) => (emails ? { accountId, email: `sec-${accountId}@example.com` } : { accountId }));
}

function same(a: MemberRecord | undefined, b: MemberRecord | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

type Snapshot = Map<string, MemberRecord>;

/**
 * What one event may do to the pool, as docs/design.md, "Lifecycle" and "Organization accounts" say, by outcome:
 * - success: declared accounts settled (Invited, Enabled, or an AccountSuspended left alone), and
 *   an account that was settled is not touched at all; accounts only in P are gone;
 * - failure of a Create or Update: no removal (rule R2); accounts it created are gone again, accounts
 *   that existed stay members, re-invited if they needed it (rule R3);
 * - Delete: declared accounts are gone.
 * An organization account is never invited: where an invited account would end Invited it ends
 * Enabled, and where an invited account would be gone it ends disassociated (or as it was).
 * Any other pool account is exactly as before, and no account gets a second invitation.
 */
function violations(
  label: string,
  outcome: 'success' | 'failure' | 'deleted',
  declared: readonly string[],
  previous: readonly string[],
  before: Snapshot,
  after: Snapshot,
  invitations: { before: Map<string, number>; after: Map<string, number> },
  uninvitable: ReadonlySet<string>,
  organization: ReadonlySet<string>,
): string[] {
  const found: string[] = [];
  const d = new Set(declared);
  const p = new Set(previous);
  for (const id of POOL) {
    const b = before.get(id);
    const x = after.get(id);
    const invited = (invitations.after.get(id) ?? 0) - (invitations.before.get(id) ?? 0);
    const describe = `${label}: ${id} was ${b?.memberStatus ?? 'not a member'}, is ${x?.memberStatus ?? 'not a member'} (${invited} new invitation(s))`;
    const unchanged = same(b, x) && invited === 0;
    const org = organization.has(id);
    const newlyInvited = org ? x?.memberStatus === 'Enabled' && invited === 0 : x?.memberStatus === 'Invited' && invited === 1;
    const gone = org ? invited === 0 && !['Invited', 'Enabled'].includes(x?.memberStatus ?? '') : x === undefined;
    let ok: boolean;
    if (outcome === 'deleted') {
      ok = d.has(id) ? gone : unchanged;
    } else if (d.has(id)) {
      if (b !== undefined && SETTLED.has(b.memberStatus)) {
        ok = unchanged;
      } else if (outcome === 'success') {
        ok = newlyInvited;
      } else if (b === undefined) {
        ok = gone;
      } else {
        ok = uninvitable.has(id) && !org ? unchanged : newlyInvited;
      }
    } else if (p.has(id) && outcome === 'success') {
      ok = gone;
    } else {
      ok = unchanged;
    }
    if (!ok) {
      found.push(describe);
    }
  }
  return found;
}

describe('the lifecycle under random faults (property)', () => {
  // Once throttled, the SDK's adaptive retry slows its client down, more with every 429, for the
  // life of the loaded handler (a warm container): runs with 429s get a handler of their own, so
  // that the others keep full speed.
  let calm: Lab;
  let throttled: Lab;
  beforeAll(async () => {
    calm = await startLab();
    throttled = await startLab();
  });
  afterAll(async () => {
    await calm?.close();
    await throttled?.close();
  });

  async function runScenario(scenario: Scenario): Promise<void> {
    const lab = scenario.throttleRate > 0 ? throttled : calm;
    lab.reset();
    lab.emulator.setFaults({
      errorRate: scenario.errorRate,
      throttleRate: scenario.throttleRate,
      ...scenario.lost,
      uninvitableAccounts: scenario.uninvitable,
      seed: scenario.seed,
    });
    lab.store.setOrganization(ADMIN, scenario.organization);
    const organization = new Set(scenario.organization);
    const undeclared = seedUndeclared(lab.store);
    scenario.preexisting.forEach((existing, i) => {
      if (existing && (!organization.has(POOL[i]) || ORGANIZATION_STATUSES.has(existing.status))) {
        lab.store.seedMember(ADMIN, REGION, { accountId: POOL[i], ...existing });
      }
    });
    const uninvitable = new Set(scenario.uninvitable);
    const problems: string[] = [];
    let deployed: MemberAccount[] | undefined;
    let physicalId: string | undefined;
    totals.sequences++;

    const invitationCounts = (): Map<string, number> => new Map(POOL.map((id) => [id, lab.store.invitationCount(ADMIN, REGION, id)]));

    /** Sends one event and checks what every event must keep, whatever its outcome. */
    const run = async (label: string, send: () => Promise<SentEvent>, named: readonly string[]) => {
      lab.calls.reset();
      const before = snapshot(lab.store);
      const invitedBefore = invitationCounts();
      const sent = await send();
      totals.events++;
      const after = snapshot(lab.store);
      for (const call of lab.calls.entries()) {
        totals.throttled += call.httpStatus === 429 ? 1 : 0;
        totals.serverErrors += call.httpStatus >= 500 ? 1 : 0;
        totals.lostAnswers += call.applied && call.httpStatus !== 200 ? 1 : 0;
      }
      // Rule R1: not even a read of an account outside D ∪ P.
      const allowed = new Set(named);
      const strays = [...touchedAccounts(lab.calls)].filter((id) => !allowed.has(id));
      if (strays.length > 0) {
        problems.push(`${label}: called Security Hub about undeclared accounts ${strays.join(', ')}`);
      }
      for (const [id, record] of undeclared) {
        if (!same(lab.store.getMember(ADMIN, REGION, id), record)) {
          problems.push(`${label}: undeclared ${id} changed from ${record.memberStatus}`);
        }
      }
      if (lab.store.duplicateInvitations() > 0) {
        problems.push(`${label}: ${lab.store.duplicateInvitations()} second invitation(s) to Invited accounts`);
      }
      return { sent, before, after, invitations: { before: invitedBefore, after: invitationCounts() } };
    };

    /** Checks the counts a successful Create or Update returns against the hub. */
    const checkData = (label: string, sent: SentEvent, declared: readonly string[]) => {
      const after = snapshot(lab.store);
      const count = (status: string) => String(declared.filter((id) => after.get(id)?.memberStatus === status).length);
      const expected = { MemberCount: String(declared.length), EnabledCount: count('Enabled'), InvitedCount: count('Invited') };
      const data = sent.result?.Data ?? {};
      const actual = { MemberCount: data.MemberCount, EnabledCount: data.EnabledCount, InvitedCount: data.InvitedCount };
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        problems.push(`${label}: returned ${JSON.stringify(actual)}, the hub says ${JSON.stringify(expected)}`);
      }
      if (physicalId !== undefined && sent.result?.PhysicalResourceId !== physicalId) {
        problems.push(`${label}: physical id changed from ${physicalId} to ${sent.result?.PhysicalResourceId}`);
      }
    };

    const steps: Step[] = [...scenario.steps, { kind: 'delete' }];
    for (const [index, step] of steps.entries()) {
      if (problems.length > 0) {
        break;
      }
      if (step.kind === 'delete') {
        if (!deployed) {
          continue;
        }
        const declared = deployed.map((m) => m.accountId);
        const label = `step ${index} Delete ${JSON.stringify(declared)}`;
        const { sent, before, after, invitations } = await run(label, () => lab.delete(deployed!), declared);
        totals.deletes++;
        if (!sent.ok) {
          problems.push(`${label}: failed: ${sent.error?.message}`);
          break;
        }
        if (sent.result?.PhysicalResourceId !== physicalId) {
          problems.push(`${label}: physical id changed to ${sent.result?.PhysicalResourceId}`);
        }
        problems.push(...violations(label, 'deleted', declared, [], before, after, invitations, uninvitable, organization));
        deployed = undefined;
        physicalId = undefined;
        continue;
      }

      const next = declare(step.accounts, step.emails);
      const previous = deployed ?? [];
      const previousIds = previous.map((m) => m.accountId);
      const kind = deployed ? 'Update' : 'Create';
      const label = `step ${index} ${kind} ${JSON.stringify(previousIds)} -> ${JSON.stringify(step.accounts)}`;
      const beforeEvent = snapshot(lab.store);
      // The event can only fail on an uninvitable account that needs an invitation; 500s and 429s
      // are retried (the handler's attempts make exhausting them vanishingly rare).
      const mustFail = step.accounts.filter((id) => uninvitable.has(id) && !organization.has(id) && !SETTLED.has(beforeEvent.get(id)?.memberStatus ?? ''));
      const { sent, before, after, invitations } = await run(label,
        () => (deployed ? lab.update(previous, next) : lab.create(next)), [...step.accounts, ...previousIds]);
      totals[deployed ? 'updates' : 'creates']++;

      if (mustFail.length === 0) {
        if (!sent.ok) {
          problems.push(`${label}: failed: ${sent.error?.message}`);
          break;
        }
        problems.push(...violations(label, 'success', step.accounts, previousIds, before, after, invitations, uninvitable, organization));
        checkData(label, sent, step.accounts);
        physicalId = sent.result?.PhysicalResourceId;
        deployed = next;
        continue;
      }

      totals.failed++;
      if (sent.ok) {
        problems.push(`${label}: succeeded although ${mustFail.join(', ')} cannot be invited`);
        break;
      }
      const message = sent.error?.message ?? '';
      const failedCount = Number(/failed for (\d+) account/.exec(message)?.[1]);
      if (failedCount !== mustFail.length || !mustFail.every((id) => message.includes(id)) || !message.includes('Undone: ')) {
        problems.push(`${label}: expected a rolled-back failure naming ${mustFail.join(', ')}, got: ${message}`);
      }
      problems.push(...violations(`${label} (failed)`, 'failure', step.accounts, previousIds, before, after, invitations, uninvitable, organization));
      if (!deployed) {
        // The Provider framework ignores the Delete that follows a failed Create.
        continue;
      }
      // CloudFormation rolls the resource back: an Update with old and new swapped.
      const rollbackLabel = `step ${index} rollback Update ${JSON.stringify(step.accounts)} -> ${JSON.stringify(previousIds)}`;
      const rollback = await run(rollbackLabel, () => lab.update(next, previous), [...step.accounts, ...previousIds]);
      totals.rollbacks++;
      if (!rollback.sent.ok) {
        problems.push(`${rollbackLabel}: failed: ${rollback.sent.error?.message}`);
        break;
      }
      problems.push(...violations(rollbackLabel, 'success', previousIds, step.accounts, rollback.before, rollback.after, rollback.invitations, uninvitable, organization));
      checkData(rollbackLabel, rollback.sent, previousIds);
      // The previous declaration is back exactly: its members untouched, the failed one's gone.
      const restored = snapshot(lab.store);
      for (const id of POOL) {
        const expected = step.accounts.includes(id) && !previousIds.includes(id) ? undefined : beforeEvent.get(id);
        // An organization account the failed Update added, or re-added, can only be disassociated.
        const disassociated = organization.has(id) && expected === undefined && restored.has(id)
          && !['Invited', 'Enabled'].includes(restored.get(id)!.memberStatus);
        if (!same(restored.get(id), expected) && !disassociated) {
          problems.push(`${rollbackLabel}: ${id} is ${restored.get(id)?.memberStatus ?? 'not a member'}, was ${beforeEvent.get(id)?.memberStatus ?? 'not a member'} before the failed Update`);
        }
      }
    }
    expect(problems).toEqual([]);
  }

  test('after every event the hub holds exactly the declaration, undeclared members are never touched, no second invitation', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, runScenario), { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) });
    expect(totals.sequences).toBeGreaterThanOrEqual(RUNS);
    // At the CI size and above, the property ran every kind of event and met every kind of fault
    // but the rare 429s, which are a sample (see throttleRate).
    const unexercised = (['creates', 'updates', 'deletes', 'failed', 'rollbacks', 'serverErrors', 'lostAnswers'] as const)
      .filter((key) => totals[key] === 0);
    expect(RUNS < 100 ? [] : unexercised).toEqual([]);
    console.log(`lifecycle property: ${JSON.stringify(totals)}`);
  }, Math.max(120_000, RUNS * 1_000));
});

/**
 * The same hub, now across refactorings of one stack: random sequences of stack layouts, where
 * each layout gives one to two `SecurityHubMembers` (construct ids drawn from a few names, so that
 * resources are renamed, added and removed) a share of the pool, go through the local deploy in
 * CloudFormation's order, with 500s, lost answers and uninvitable accounts (failed updates and their
 * rollbacks). After every deploy the pool's members are exactly the accounts the stack declares:
 * the new layout's after a success, the previous one's after a rollback. A deploy may also fail
 * after one of its members resources succeeded (another resource of the stack failing, `failAfter`),
 * and members may accept their invitations between deploys: after every rollback each account has
 * exactly the status it had before that deploy (rule R13, docs/design.md).
 *
 * REFACTOR_RUNS sets the number of sequences (default 30); LIFECYCLE_SEED replays a seed here too.
 */
const REFACTOR_RUNS = Number(process.env.REFACTOR_RUNS ?? 30);
const RESOURCE_IDS = ['Members', 'Fleet', 'Other'];
const STACK_POOL = POOL.slice(0, 6);

interface RefactorScenario {
  readonly layouts: StackLayout[];
  /** Per layout, the index of the resource after which its deploy fails (none when undefined or past the end). */
  readonly failAfter: (number | undefined)[];
  /** Whether the members accept their invitations after each successful deploy (Enabled, not Invited). */
  readonly accept: boolean;
  /** Which template GetTemplate answers during a rollback: AWS does not document it, so both. */
  readonly rollbackTemplate: RollbackTemplateReading;
  readonly uninvitable: string[];
  readonly errorRate: number;
  readonly lostAnswerRate: number;
  readonly seed: number;
}

const layoutArb: fc.Arbitrary<StackLayout> = fc.record({
  ids: fc.shuffledSubarray(RESOURCE_IDS, { minLength: 1, maxLength: 2 }),
  // Per pool account, which of the layout's resources declares it (past the end: none).
  owners: fc.array(fc.nat(2), { minLength: STACK_POOL.length, maxLength: STACK_POOL.length }),
}).map(({ ids, owners }) => {
  const layout: StackLayout = {};
  ids.forEach((id, index) => {
    const accounts = STACK_POOL.filter((_, i) => owners[i] === index);
    if (accounts.length > 0) {
      layout[id] = accounts;
    }
  });
  return layout;
});

const refactorScenarioArb: fc.Arbitrary<RefactorScenario> = fc.record({
  layouts: fc.array(layoutArb, { minLength: 2, maxLength: 5 }),
  failAfter: fc.array(fc.option(fc.nat(1), { nil: undefined, freq: 2 }), { minLength: 5, maxLength: 5 }),
  accept: fc.boolean(),
  rollbackTemplate: fc.constantFrom(...ROLLBACK_TEMPLATE_READINGS),
  uninvitable: fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.subarray(STACK_POOL, { minLength: 1, maxLength: 1 }) }),
  errorRate: fc.constantFrom(0, 0.05),
  lostAnswerRate: fc.constantFrom(0, 0.05),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

const refactorTotals = { sequences: 0, deploys: 0, failed: 0, failedElsewhere: 0, renames: 0, moves: 0, removedResources: 0, kept: 0, keptBeforeFailedDeploy: 0 };

function declaredBy(layout: StackLayout): Map<string, string> {
  return new Map(Object.entries(layout).flatMap(([id, accounts]) => accounts.map((account) => [account, id] as [string, string])));
}

describe('refactorings of one stack under random faults (property)', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await localCloud();
  });
  afterAll(() => cloud?.close());

  async function runRefactoring(scenario: RefactorScenario): Promise<void> {
    const { emulator } = cloud;
    emulator.store.reset();
    emulator.calls.reset();
    emulator.setFaults({
      latencyMs: 0, rateLimit: false, throttleRate: 0, dropConnectionRate: 0, failAfterMutatingCalls: undefined,
      errorRate: scenario.errorRate, lostAnswerRate: scenario.lostAnswerRate, uninvitableAccounts: scenario.uninvitable, seed: scenario.seed,
    });
    const undeclared = seedUndeclared(emulator.store);
    const cfn = new LocalCloudFormation({ endpoint: emulator.url, environment: FAST, rollbackTemplate: scenario.rollbackTemplate });
    const problems: string[] = [];
    const members = (): string[] => STACK_POOL.filter((id) => emulator.store.getMember(ADMIN, REGION, id) !== undefined);
    const statuses = (): Record<string, string> => Object.fromEntries(STACK_POOL.map((id) => [id, emulator.store.getMember(ADMIN, REGION, id)?.memberStatus ?? 'not a member']));
    const acceptAll = (): void => {
      for (const id of STACK_POOL) {
        const [invitation] = emulator.store.invitationsFor(id, REGION).filter((i) => i.administratorId === ADMIN && i.memberStatus === 'Invited');
        if (invitation) {
          emulator.store.acceptAdministratorInvitation(id, REGION, ADMIN, invitation.invitationId);
        }
      }
    };
    const checkEveryEvent = (label: string): void => {
      for (const [id, record] of undeclared) {
        if (!same(emulator.store.getMember(ADMIN, REGION, id), record)) {
          problems.push(`${label}: undeclared ${id} changed from ${record.memberStatus}`);
        }
      }
      if (emulator.store.duplicateInvitations() > 0) {
        problems.push(`${label}: ${emulator.store.duplicateInvitations()} second invitation(s)`);
      }
    };
    refactorTotals.sequences++;
    let deployed: StackLayout = {};
    try {
      for (const [index, layout] of scenario.layouts.entries()) {
        const failAfter = Object.keys(layout)[scenario.failAfter[index] ?? Number.MAX_SAFE_INTEGER];
        const label = `deploy ${index} ${JSON.stringify(deployed)} -> ${JSON.stringify(layout)}${failAfter ? ` failing after ${failAfter}` : ''}`;
        const statusesBefore = statuses();
        const result = await cfn.deploy([stackOfLayout(layout)], failAfter ? { failAfter } : {});
        refactorTotals.deploys++;
        const mustFail = failAfter !== undefined || Object.values(layout).flat().some((id) => scenario.uninvitable.includes(id));
        if (result.ok === mustFail) {
          problems.push(`${label}: ${result.ok ? 'succeeded' : 'failed'}, expected ${mustFail ? 'a failure' : 'a success'}: ${result.events.filter((e) => !e.ok).map((e) => e.error).join('; ')}`);
          break;
        }
        const now = result.ok ? layout : deployed;
        const expected = [...declaredBy(now).keys()].sort();
        if (JSON.stringify(members()) !== JSON.stringify(expected)) {
          problems.push(`${label} (${result.ok ? 'succeeded' : 'rolled back'}): members are ${JSON.stringify(members())}, the stack declares ${JSON.stringify(expected)}`);
        }
        checkEveryEvent(label);
        refactorTotals.kept += result.events.filter((e) => e.kept).length;
        refactorTotals.keptBeforeFailedDeploy += result.events.filter((e) => e.kept?.some((k) => k.beforeFailedDeploy)).length;
        if (!result.ok) {
          refactorTotals.failed++;
          refactorTotals.failedElsewhere += failAfter ? 1 : 0;
          // Every account that was a member before the failed deploy has the status it had (an Enabled
          // one is still Enabled), except one the failed deploy dropped: that removal was deliberate
          // (rule R13 leaves it as it was), and the rollback Update can only invite it again.
          const nowDeclared = declaredBy(layout);
          const dropped = new Set([...declaredBy(deployed).keys()].filter((id) => !nowDeclared.has(id)));
          const compared = (all: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(all).filter(([id]) => !dropped.has(id)));
          if (JSON.stringify(compared(statuses())) !== JSON.stringify(compared(statusesBefore))) {
            problems.push(`${label} (rolled back): statuses are ${JSON.stringify(statuses())}, were ${JSON.stringify(statusesBefore)} before the deploy`);
          }
          continue;
        }
        if (scenario.accept) {
          acceptAll();
        }
        const before = declaredBy(deployed);
        const after = declaredBy(layout);
        refactorTotals.moves += [...after].some(([id, owner]) => before.has(id) && before.get(id) !== owner) ? 1 : 0;
        refactorTotals.renames += Object.keys(layout).some((id) => !(id in deployed)) && Object.keys(deployed).some((id) => !(id in layout)) ? 1 : 0;
        refactorTotals.removedResources += Object.keys(deployed).some((id) => !(id in layout)) ? 1 : 0;
        deployed = layout;
        if (problems.length > 0) {
          break;
        }
      }
      if (problems.length === 0) {
        const destroyed = await cfn.destroy();
        if (!destroyed.ok || members().length > 0) {
          problems.push(`destroy ${JSON.stringify(deployed)}: ${destroyed.ok ? `left ${JSON.stringify(members())}` : 'failed'}`);
        }
        checkEveryEvent('destroy');
      }
    } finally {
      await cfn.close();
    }
    expect(problems).toEqual([]);
  }

  test('after every deploy the members are exactly what the stack declares, through renames, moves and rollbacks', async () => {
    await fc.assert(fc.asyncProperty(refactorScenarioArb, runRefactoring), { numRuns: REFACTOR_RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) });
    // At the CI size, the property renamed, moved, removed, failed and kept.
    const unexercised = (['renames', 'moves', 'removedResources', 'failed', 'failedElsewhere', 'kept'] as const).filter((key) => refactorTotals[key] === 0);
    expect(REFACTOR_RUNS < 20 ? [] : unexercised).toEqual([]);
    // A rollback that needs rule R13 on top of rule R10 (a move or rename failing under the "failed
    // template" reading) comes a few times per 30 sequences: required only from 100 sequences on,
    // so that CI's size is not flaky (test/e2e/rollbacks.test.ts covers each case deterministically).
    expect(REFACTOR_RUNS < 100 ? 1 : refactorTotals.keptBeforeFailedDeploy).toBeGreaterThan(0);
    console.log(`refactoring property: ${JSON.stringify(refactorTotals)}`);
  }, Math.max(120_000, REFACTOR_RUNS * 5_000));
});
