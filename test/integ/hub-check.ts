/**
 * integ-runner's after-destroy check (fleet.ts): reads the member's status in the administrator's
 * hub with the caller's credentials and exits 1 unless it is what the case expects.
 *
 *     tsx hub-check.ts ADMINISTRATOR REGION MEMBER absent|Enabled
 *
 * `Enabled` (the RETAIN case) then removes the member, so that a run leaves the accounts as it
 * found them.
 */
import { DeleteMembersCommand, DisassociateMembersCommand, GetMembersCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';

/** What the check concludes from a GetMembers answer: undefined when as expected, else why not. */
export function verdict(expected: string, member: string, status: string | undefined): string | undefined {
  const found = status ?? 'absent';
  if (expected === 'absent' ? status === undefined || /^deleted$/i.test(status) : status?.toLowerCase() === expected.toLowerCase()) {
    return undefined;
  }
  return `member ${member} is ${found} after the destroy: expected ${expected}`;
}

async function main(argv: string[]): Promise<void> {
  const [administrator, region, member, expected] = argv;
  if (!member || !['absent', 'Enabled'].includes(expected)) {
    throw new Error(`invalid arguments "${argv.join(' ')}": expected ADMINISTRATOR REGION MEMBER absent|Enabled`);
  }
  const client = new SecurityHubClient({ region });
  const answer = await client.send(new GetMembersCommand({ AccountIds: [member] }));
  const status = answer.Members?.find((m) => m.AccountId === member)?.MemberStatus;
  const wrong = verdict(expected, member, status);
  if (expected === 'Enabled' && status !== undefined) {
    await client.send(new DisassociateMembersCommand({ AccountIds: [member] }));
    await client.send(new DeleteMembersCommand({ AccountIds: [member] }));
  }
  if (wrong) {
    throw new Error(`${wrong} (administrator ${administrator}, ${region})`);
  }
  console.log(`member ${member} is ${status ?? 'absent'} after the destroy, as expected (administrator ${administrator}, ${region})`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
