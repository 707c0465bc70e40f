/**
 * End-to-end harness: synthesizes a CDK app that uses the library into a temporary cdk.out, then
 * runs its custom resources' bundled handler assets through the CloudFormation lifecycle against
 * the local Security Hub.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { MemberAccount, SecurityHubInvitationAccepter, SecurityHubMembers } from '../../lib';
import { LocalStack, readAssembly } from '../../local/deploy/assembly';
import { LocalCloudFormation, LocalCloudFormationOptions } from '../../local/deploy/cloudformation';
import { EmulatorOptions, RunningEmulator, startEmulator } from '../../local/emulator';
import { requireFreshBundles } from '../support/fresh-bundles';

// Every end-to-end test runs the handlers bundled in assets/, so none may run on stale ones.
requireFreshBundles();

/** The administrator account of the end-to-end apps. */
export const ADMIN = '999999999999';
export const REGION = 'us-east-1';

/** Handler tuning for a hub without a rate limit: pacing would only slow the tests down. */
export const FAST: Record<string, string> = { SECURITYHUB_MEMBERS_RATE_PER_SECOND: '10000', SECURITYHUB_MEMBERS_BURST: '10000' };

/** Temporary cloud assemblies: the bundles in them are loaded by path, so they live until the process ends. */
const assemblies: string[] = [];
process.once('exit', () => assemblies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A declaration of the administrator's stack. */
export interface AdminDeclaration {
  readonly members: MemberAccount[];
  readonly invite?: boolean;
  readonly regions?: string[];
  readonly retain?: boolean;
  readonly waitForAcceptance?: Duration;
  readonly reconcileOnEveryDeploy?: boolean;
  readonly maxRemovalsPerDeploy?: number;
}

/** A `SecurityHubMembers` of the administrator's stack, under its construct id. */
export interface NamedDeclaration extends AdminDeclaration {
  /** The construct id; renaming it gives the resource a new logical id. */
  readonly id: string;
}

/** Synthesizes an app with the administrator stack and, optionally, member stacks that accept. */
export function synthesize(declaration: AdminDeclaration, options: { memberStacks?: string[]; outdir?: string } = {}): LocalStack[] {
  return synthesizeResources([{ id: 'Members', ...declaration }], options);
}

/** Synthesizes an app whose administrator stack has these `SecurityHubMembers`, in this order. */
export function synthesizeResources(declarations: readonly NamedDeclaration[], options: { memberStacks?: string[]; outdir?: string } = {}): LocalStack[] {
  const outdir = options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shm-e2e-'));
  // Construct paths, as the CDK CLI records them, name resources in the local deploy's output.
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  const admin = new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } });
  for (const declaration of declarations) {
    new SecurityHubMembers(admin, declaration.id, {
      members: declaration.members,
      invite: declaration.invite,
      regions: declaration.regions,
      removalPolicy: declaration.retain ? RemovalPolicy.RETAIN : undefined,
      waitForAcceptance: declaration.waitForAcceptance,
      reconcileOnEveryDeploy: declaration.reconcileOnEveryDeploy,
      maxRemovalsPerDeploy: declaration.maxRemovalsPerDeploy,
    });
  }
  for (const account of options.memberStacks ?? []) {
    const member = new Stack(app, `Member${account}`, { env: { account, region: REGION } });
    member.addStackDependency(admin);
    // The member side repairs at every deploy when the administrator's side does (as in the sample app).
    new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN, reconcileOnEveryDeploy: declarations.some((d) => d.reconcileOnEveryDeploy) });
  }
  app.synth();
  assemblies.push(outdir);
  return readAssembly(outdir, { account: ADMIN, region: REGION });
}

/** A running local Security Hub and a local CloudFormation pointed at it. */
export interface LocalCloud {
  readonly emulator: RunningEmulator;
  readonly cfn: LocalCloudFormation;
  /** Status by account id of the administrator's members in a region. */
  members(region?: string): Record<string, string>;
  close(): Promise<void>;
}

/** Starts an emulator and a local CloudFormation for one test. */
export async function localCloud(emulatorOptions: EmulatorOptions = {}, cfnOptions: Partial<LocalCloudFormationOptions> = {}): Promise<LocalCloud> {
  const emulator = await startEmulator(emulatorOptions);
  const cfn = new LocalCloudFormation({ endpoint: emulator.url, environment: FAST, isCompleteIntervalMs: 10, ...cfnOptions });
  return {
    emulator,
    cfn,
    members: (region = REGION) => Object.fromEntries(emulator.store.listMembers(ADMIN, region).map((m) => [m.accountId, m.memberStatus])),
    close: async () => {
      await cfn.close();
      await emulator.close();
    },
  };
}

/** `count` distinct account ids from `start`. */
export function accounts(count: number, start = 100000000000): string[] {
  return Array.from({ length: count }, (_, i) => String(start + i));
}
