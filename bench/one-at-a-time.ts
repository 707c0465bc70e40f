/**
 * The one-account-at-a-time approach, as Terraform's aws_securityhub_member does it (one resource
 * per account; see hashicorp/terraform-provider-aws internal/service/securityhub/member.go):
 * create is CreateMembers, InviteMembers, then GetMembers to read the resource back; destroy is
 * DisassociateMembers, then DeleteMembers; a plan refreshes every resource with GetMembers. It uses
 * the real SDK client with adaptive retry, against the same rate-limited emulator.
 */
import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateMembersCommand,
  GetMembersCommand,
  InviteMembersCommand,
  Result,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { MemberAccount } from '../lib';
import { emulatorClient } from '../local/emulator';
import { callsOf, Measurement } from './measure';
import { ADMIN, checkEndState, EmulatorSettings, prepare, REGION, Scenario, startBenchEmulator } from './scenario';

/** Settings of a one-at-a-time run. */
export interface OneAtATimeSettings extends EmulatorSettings {
  /** Resources worked on at once: Terraform's -parallelism, 10 by default. */
  readonly parallelism: number;
}

/** The AWS provider retries up to 25 times by default (its max_retries); the SDK's own default of 3 gives up under this load. */
const MAX_ATTEMPTS = 25;

/** An account outside every scenario, used to warm the client up. */
const SPARE: MemberAccount = { accountId: '200000000001', email: 'security+spare@example.com' };

/** Runs `fn` over `items` with at most `limit` at once, as Terraform's graph walk does. */
async function walk<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      await fn(items[next++]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function checkUnprocessed(what: string, accountId: string, unprocessed: Result[] | undefined): void {
  // The provider fails the resource on any unprocessed account.
  if (unprocessed && unprocessed.length > 0) {
    throw new Error(`${what} ${accountId}: ${unprocessed[0].ProcessingResult ?? 'UnprocessedAccounts is not empty'}`);
  }
}

async function createMember(client: SecurityHubClient, member: MemberAccount): Promise<void> {
  const created = await client.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: member.accountId, Email: member.email }] }));
  checkUnprocessed('creating', member.accountId, created.UnprocessedAccounts);
  const invited = await client.send(new InviteMembersCommand({ AccountIds: [member.accountId] }));
  checkUnprocessed('inviting', member.accountId, invited.UnprocessedAccounts);
  await readMember(client, member.accountId);
}

async function readMember(client: SecurityHubClient, accountId: string): Promise<void> {
  await client.send(new GetMembersCommand({ AccountIds: [accountId] }));
}

async function destroyMember(client: SecurityHubClient, accountId: string): Promise<void> {
  await client.send(new DisassociateMembersCommand({ AccountIds: [accountId] }));
  const deleted = await client.send(new DeleteMembersCommand({ AccountIds: [accountId] }));
  checkUnprocessed('deleting', accountId, deleted.UnprocessedAccounts);
}

/** Runs `scenario` one account at a time against a fresh emulator. */
export async function runOneAtATime(scenario: Scenario, settings: OneAtATimeSettings): Promise<Measurement> {
  const emulator = await startBenchEmulator(settings);
  const client = emulatorClient(emulator.url, ADMIN, REGION, { retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS });
  const errors: string[] = [];
  // A failed resource fails the apply but, as in Terraform, does not stop the others.
  const each = <T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> =>
    walk(items, settings.parallelism, async (item) => {
      try {
        await fn(item);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    });
  try {
    // Runs every operation once first, as the handler is warmed up, while the hub has room.
    await createMember(client, SPARE);
    await destroyMember(client, SPARE.accountId);
    prepare(emulator, scenario);
    const started = performance.now();
    const before = new Set(scenario.before.map((m) => m.accountId));
    const after = new Set(scenario.after.map((m) => m.accountId));
    const removed = scenario.before.filter((m) => !after.has(m.accountId));
    const added = scenario.after.filter((m) => !before.has(m.accountId));
    if (scenario.event === 'delete') {
      // As the brief measures it; `terraform destroy` would also refresh every resource first.
      await each(removed, (m) => destroyMember(client, m.accountId));
    } else {
      // A plan refreshes every resource in the state; on Create the state is empty.
      await each(scenario.before, (m) => readMember(client, m.accountId));
      // Destroys queued before creates, which keeps a full fleet under the 1,000-member quota.
      await each([...removed.map((m) => () => destroyMember(client, m.accountId)), ...added.map((m) => () => createMember(client, m))], (task) => task());
    }
    const wallMs = performance.now() - started;
    return {
      scenario,
      approach: 'one-at-a-time',
      wallMs,
      ...callsOf(emulator),
      errors,
      stateProblems: checkEndState(emulator, scenario),
    };
  } finally {
    client.destroy();
    await emulator.close();
  }
}
