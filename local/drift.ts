/**
 * `npm run local -- drift | resign ID | remove ID`: the drift check against the local Security Hub,
 * and the two ways a member drifts away from its declaration outside CloudFormation, so that a
 * newcomer sees drift appear and a deploy repair it.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DeclineInvitationsCommand, DisassociateFromAdministratorAccountCommand, DisassociateMembersCommand } from '@aws-sdk/client-securityhub';
import { UsageError } from './cli-args';
import { readAssembly } from './deploy/assembly';
import { emulatorClient, emulatorEnv, RunningEmulator } from './emulator';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { isAccountId } from '../lib/shared/validation';

const ROOT = path.join(__dirname, '..');
/** The bundled command, as the package's `bin` runs it. */
const COMMAND = path.join(ROOT, 'assets', 'cli', 'index.js');
const DEFAULTS = { account: '999999999999', region: 'us-east-1' };

/** How the local commands run the bundled command, and how a person types them. */
export interface LocalCommandOptions {
  /**
   * The bundled `cdk-securityhub-members` command to run.
   * @default - assets/cli/index.js of the clone
   */
  readonly command?: string;
  /**
   * The local command line as typed, for the hints, e.g. `npx cdk-securityhub-members local`.
   * @default 'npm run local --'
   */
  readonly invocation?: string;
}

/**
 * Runs the bundled `cdk-securityhub-members drift` on the locally deployed app's cloud assembly,
 * as its administrator, against the running local Security Hub. Extra arguments (`--json`,
 * `--wait 2m`) are passed on.
 *
 * @returns the command's exit code
 */
export async function localDrift(emulator: RunningEmulator, cdkOut: string, args: readonly string[], options: LocalCommandOptions = {}): Promise<number> {
  if (!fs.existsSync(path.join(cdkOut, 'manifest.json'))) {
    throw new UsageError('nothing was deployed locally yet: expected `npm run local -- deploy` first');
  }
  // The sample app has one administrator; its credentials read its hubs, as in a pipeline.
  const administrators = [...new Set(readAssembly(cdkOut, DEFAULTS)
    .filter((stack) => stack.resources.some((r) => r.type === MEMBERS_RESOURCE_TYPE))
    .map((stack) => stack.account))];
  const admin = administrators[0] ?? DEFAULTS.account;
  const child = spawn(process.execPath, [options.command ?? COMMAND, 'drift', '--app', cdkOut, ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...emulatorEnv(emulator.url, admin, DEFAULTS.region) },
  });
  // Asynchronous on purpose: the local Security Hub answers the command from this process.
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * Makes `account` leave its administrators in every region where it is a member: an Enabled member
 * disassociates itself, an Invited one declines. Either way its status becomes Resigned. An
 * organization account can't: only its administrator can disassociate it (`remove`).
 *
 * @throws UsageError naming an account that can resign nowhere, before anything changes
 */
export async function localResign(emulator: RunningEmulator, accounts: readonly string[], options: LocalCommandOptions = {}): Promise<number> {
  const invocation = options.invocation ?? 'npm run local --';
  return eachMembership(emulator, accounts, 'resign', invocation, {
    refusal: ({ admin, region, account, status }) => {
      if (emulator.store.isOrganizationAccount(admin, account)) {
        return `cannot resign from administrator ${admin} in ${region}: it is in that administrator's organization, where only the administrator can disassociate it: expected \`${invocation} remove ${account}\``;
      }
      return status === 'Enabled' || status === 'Invited'
        ? undefined
        : `is ${status} at administrator ${admin} in ${region}: only an Invited or Enabled member can resign`;
    },
    act: async ({ admin, region, account, status }) => {
      const client = emulatorClient(emulator.url, account, region);
      if (status === 'Enabled') {
        await client.send(new DisassociateFromAdministratorAccountCommand({}));
      } else {
        await client.send(new DeclineInvitationsCommand({ AccountIds: [admin] }));
      }
    },
  });
}

/**
 * Makes each administrator of `account` disassociate it, as someone in the console would: Removed.
 *
 * @throws UsageError naming an account that can be removed nowhere, before anything changes
 */
export async function localRemove(emulator: RunningEmulator, accounts: readonly string[], options: LocalCommandOptions = {}): Promise<number> {
  return eachMembership(emulator, accounts, 'remove', options.invocation ?? 'npm run local --', {
    refusal: ({ admin, region, status }) => (status === 'Enabled' || status === 'Invited'
      ? undefined
      : `is ${status} at administrator ${admin} in ${region}: only an Invited or Enabled member can be removed`),
    act: async ({ admin, region, account }) => {
      await emulatorClient(emulator.url, admin, region).send(new DisassociateMembersCommand({ AccountIds: [account] }));
    },
  });
}

interface Membership {
  readonly admin: string;
  readonly region: string;
  readonly account: string;
  readonly status: string;
}

/**
 * Acts on every membership of each account that the command may change, after checking them all:
 * an account id that is not 12 digits, an account that is a member nowhere, or one whose every
 * membership refuses the command fails the command before anything changes.
 */
async function eachMembership(
  emulator: RunningEmulator,
  accounts: readonly string[],
  verb: string,
  invocation: string,
  how: { refusal(m: Membership): string | undefined; act(m: Membership): Promise<void> },
): Promise<number> {
  const malformed = accounts.find((id) => !isAccountId(id));
  if (malformed !== undefined) {
    throw new UsageError(`invalid account id "${malformed}" for ${verb}: expected 12 digits`);
  }
  const plan = accounts.map((account) => {
    const memberships: Membership[] = emulator.store.hubList().flatMap((hub) => {
      const member = emulator.store.getMember(hub.account, hub.region, account);
      return member ? [{ admin: hub.account, region: hub.region, account, status: member.memberStatus }] : [];
    });
    if (memberships.length === 0) {
      throw new UsageError(`${account} is not a member of any administrator in the local Security Hub: expected a member account, as \`${invocation} status\` lists them`);
    }
    const refusals = memberships.map((m) => how.refusal(m));
    if (refusals.every((r) => r !== undefined)) {
      throw new UsageError(`${account} ${refusals[0]}`);
    }
    return memberships.map((membership, i) => ({ membership, refusal: refusals[i] }));
  });
  for (const { membership, refusal } of plan.flat()) {
    if (refusal) {
      console.log(`${membership.account} ${refusal}: left as it is.`);
      continue;
    }
    await how.act(membership);
    const now = emulator.store.getMember(membership.admin, membership.region, membership.account)?.memberStatus ?? 'gone';
    console.log(`${membership.account} at administrator ${membership.admin} in ${membership.region}: ${membership.status} -> ${now}`);
  }
  console.log(`\nSee the drift with: ${invocation} drift`);
  // Only the clone's deploy synthesizes, so only there can -c set the context.
  console.log(invocation === 'npm run local --'
    ? 'Repair it with a deploy of the resource with reconcileOnEveryDeploy: npm run local -- deploy -c reconcileOnEveryDeploy=true'
    : `Repair it with a deploy of the resource with reconcileOnEveryDeploy: set it, cdk synth, then ${invocation} deploy`);
  return 0;
}
