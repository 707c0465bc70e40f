/**
 * `npm run local -- drift | resign ID | remove ID`: the fleet audit against the local Security Hub,
 * and the two ways a member drifts away from its declaration outside CloudFormation, so that a
 * newcomer sees drift appear and a deploy repair it.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DeclineInvitationsCommand, DisassociateFromAdministratorAccountCommand, DisassociateMembersCommand } from '@aws-sdk/client-securityhub';
import { readAssembly } from './deploy/assembly';
import { emulatorClient, emulatorEnv, RunningEmulator } from './emulator';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { isAccountId } from '../lib/shared/validation';

const ROOT = path.join(__dirname, '..');
/** The bundled command, as the package's `bin` runs it. */
const COMMAND = path.join(ROOT, 'assets', 'cli', 'index.js');
const DEFAULTS = { account: '999999999999', region: 'us-east-1' };

/**
 * Runs the bundled `cdk-securityhub-members drift` on the locally deployed app's cloud assembly,
 * as its administrator, against the running local Security Hub. Extra arguments (`--json`,
 * `--wait 2m`) are passed on.
 *
 * @returns the command's exit code
 */
export async function localDrift(emulator: RunningEmulator, cdkOut: string, args: readonly string[]): Promise<number> {
  if (!fs.existsSync(path.join(cdkOut, 'manifest.json'))) {
    console.log('Nothing was deployed locally yet: run `npm run local -- deploy` first.');
    return 1;
  }
  // The sample app has one administrator; its credentials read its hubs, as in a pipeline.
  const administrators = [...new Set(readAssembly(cdkOut, DEFAULTS)
    .filter((stack) => stack.resources.some((r) => r.type === MEMBERS_RESOURCE_TYPE))
    .map((stack) => stack.account))];
  const admin = administrators[0] ?? DEFAULTS.account;
  const child = spawn(process.execPath, [COMMAND, 'drift', '--app', cdkOut, ...args], {
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
 * disassociates itself, an Invited one declines. Either way its status becomes Resigned.
 */
export async function localResign(emulator: RunningEmulator, accounts: readonly string[]): Promise<number> {
  return eachMembership(emulator, accounts, 'resign', async ({ admin, region, account, status }) => {
    const client = emulatorClient(emulator.url, account, region);
    if (status === 'Enabled') {
      await client.send(new DisassociateFromAdministratorAccountCommand({}));
    } else if (status === 'Invited') {
      await client.send(new DeclineInvitationsCommand({ AccountIds: [admin] }));
    } else {
      return `is ${status} at administrator ${admin} in ${region}: only an Invited or Enabled member can resign`;
    }
    return undefined;
  });
}

/** Makes each administrator of `account` disassociate it, as someone in the console would: Removed. */
export async function localRemove(emulator: RunningEmulator, accounts: readonly string[]): Promise<number> {
  return eachMembership(emulator, accounts, 'remove', async ({ admin, region, account, status }) => {
    if (status !== 'Enabled' && status !== 'Invited') {
      return `is ${status} at administrator ${admin} in ${region}: only an Invited or Enabled member can be removed`;
    }
    await emulatorClient(emulator.url, admin, region).send(new DisassociateMembersCommand({ AccountIds: [account] }));
    return undefined;
  });
}

interface Membership {
  readonly admin: string;
  readonly region: string;
  readonly account: string;
  readonly status: string;
}

async function eachMembership(
  emulator: RunningEmulator,
  accounts: readonly string[],
  verb: string,
  act: (m: Membership) => Promise<string | undefined>,
): Promise<number> {
  if (accounts.length === 0 || accounts.some((id) => !isAccountId(id))) {
    console.log(`Usage: npm run local -- ${verb} ACCOUNT_ID [...]: expected 12-digit member account ids, got ${JSON.stringify(accounts.join(' '))}`);
    return 2;
  }
  let changed = 0;
  for (const account of accounts) {
    const memberships = emulator.store.hubList().flatMap((hub) => {
      const member = emulator.store.getMember(hub.account, hub.region, account);
      return member ? [{ admin: hub.account, region: hub.region, account, status: member.memberStatus }] : [];
    });
    if (memberships.length === 0) {
      console.log(`${account} is not a member of any administrator in the local Security Hub.`);
      continue;
    }
    for (const membership of memberships) {
      const refused = await act(membership);
      if (refused) {
        console.log(`${account} ${refused}.`);
        continue;
      }
      const now = emulator.store.getMember(membership.admin, membership.region, account)?.memberStatus ?? 'gone';
      console.log(`${account} at administrator ${membership.admin} in ${membership.region}: ${membership.status} -> ${now}`);
      changed++;
    }
  }
  if (changed > 0) {
    console.log('\nSee the drift with: npm run local -- drift');
    console.log('Repair it with a deploy of the resource with reconcileOnEveryDeploy: npm run local -- deploy -c reconcileOnEveryDeploy=true');
  }
  return 0;
}
