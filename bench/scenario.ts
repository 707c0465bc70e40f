/**
 * What the benchmark measures: a fleet size and an event, the accounts before and after it, and
 * the local Security Hub each measurement gets to itself.
 */
import type { MemberAccount } from '../lib';
import { RunningEmulator, SERVICE_RATE_LIMIT, startEmulator } from '../local/emulator';

/** The administrator account and region of every run. */
export const ADMIN = '999999999999';
export const REGION = 'us-east-1';

/** The events measured, in the order they are run and printed. */
export const EVENTS = ['create', 'update-churn', 'update-none', 'delete'] as const;
export type EventKind = (typeof EVENTS)[number];

/** How each event is named in the table. */
export const EVENT_LABELS: Readonly<Record<EventKind, string>> = {
  'create': 'Create',
  'update-churn': 'Update, 10% churn (at 1,000: removals, then additions)',
  'update-none': 'Update, no change',
  'delete': 'Delete',
};

/** One measurement's input: the declaration before and after, and what exists when it starts. */
export interface Scenario {
  readonly size: number;
  readonly event: EventKind;
  /** The declaration before the event: empty on Create. */
  readonly before: MemberAccount[];
  /** The declaration after the event: empty on Delete. */
  readonly after: MemberAccount[];
}

/** `count` members with distinct account ids from `start`, each with an email as Terraform requires. */
export function members(count: number, start = 100000000000): MemberAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const accountId = String(start + i);
    return { accountId, email: `security+${accountId}@example.com` };
  });
}

/**
 * The scenario of one (size, event). Churn removes the first 10% (at least one) and adds as many
 * new accounts, so the fleet keeps its size.
 */
export function scenarioOf(size: number, event: EventKind): Scenario {
  const fleet = members(size);
  switch (event) {
    case 'create':
      return { size, event, before: [], after: fleet };
    case 'update-churn': {
      const churn = Math.max(1, Math.round(size / 10));
      return { size, event, before: fleet, after: [...fleet.slice(churn), ...members(churn, 100000000000 + size)] };
    }
    case 'update-none':
      return { size, event, before: fleet, after: fleet };
    case 'delete':
      return { size, event, before: fleet, after: [] };
  }
}

/** Emulator settings shared by every measurement. */
export interface EmulatorSettings {
  readonly latencyMs: number;
}

/** A fresh emulator with the service's rate limit and an empty hub. */
export function startBenchEmulator(settings: EmulatorSettings): Promise<RunningEmulator> {
  return startEmulator({ rateLimit: SERVICE_RATE_LIMIT, latencyMs: settings.latencyMs });
}

/**
 * Puts the `before` members in the hub as Invited (what a Create leaves behind), forgets the calls
 * made so far, and refills the token bucket: every measurement starts from a full bucket. Seeding
 * goes to the store directly, so it costs no token.
 */
export function prepare(emulator: RunningEmulator, scenario: Scenario): void {
  for (const member of scenario.before) {
    emulator.store.seedMember(ADMIN, REGION, { accountId: member.accountId, email: member.email, status: 'Invited' });
  }
  emulator.calls.reset();
  emulator.setFaults({ rateLimit: SERVICE_RATE_LIMIT });
}

/**
 * Whether the hub ended as the declaration says: exactly the `after` accounts, all Invited, and
 * no account invited twice. Returns the problems, empty when it did.
 */
export function checkEndState(emulator: RunningEmulator, scenario: Scenario): string[] {
  const actual = new Map(emulator.store.listMembers(ADMIN, REGION).map((m) => [m.accountId, m.memberStatus]));
  const problems: string[] = [];
  const wrong = scenario.after.filter((m) => actual.get(m.accountId) !== 'Invited');
  if (wrong.length > 0) {
    problems.push(`${wrong.length} declared account(s) not Invited, e.g. ${wrong[0].accountId}: ${actual.get(wrong[0].accountId) ?? 'not a member'}`);
  }
  const declared = new Set(scenario.after.map((m) => m.accountId));
  const extra = [...actual.keys()].filter((id) => !declared.has(id));
  if (extra.length > 0) {
    problems.push(`${extra.length} undeclared account(s) still members, e.g. ${extra[0]}: ${actual.get(extra[0])}`);
  }
  const duplicates = emulator.store.duplicateInvitations();
  if (duplicates > 0) {
    problems.push(`${duplicates} second invitation(s)`);
  }
  return problems;
}
