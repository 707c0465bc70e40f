/**
 * `cdk-securityhub-members drift`: whether Security Hub matches the SecurityHubMembers declarations
 * of a synthesized app (docs/design.md, "Drift command"). Exit 0 in sync, 2 drift, 1 error.
 */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { RegionClients } from '../lambda/shared/client';
import { reasonOf } from '../lambda/shared/errors';
import { LOCAL_COMMAND, parseCommandLine, USAGE } from './args';
import { readDeclarations } from './assembly';
import { runImport } from './import';
import { runPlan } from './plan-command';
import { FleetComparison, FleetReadError, ReaderFactory, toDocument } from '../lambda/shared/fleet/comparison';
import { SdkHubReader } from '../lambda/shared/fleet/hub-reader';
import { createRuntime, Runtime } from '../lambda/shared/runtime';
import { CommandError } from './errors';
import { renderTable } from './render';
import { VERSION } from './version';

/** Exit codes: each means one thing. */
export const EXIT = { inSync: 0, error: 1, drift: 2 } as const;

/** What the command needs from its surroundings; tests replace the clock and the readers. */
export interface CliDeps {
  /** Writes one line of the report. */
  readonly stdout: (line: string) => void;
  /** Writes one line of progress, a note, or the error. */
  readonly stderr: (line: string) => void;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Waits between polls of `--wait`. */
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * Makes the reader of one region.
   * @default - the SDK over the handler's clients, with the default credentials or the role
   */
  readonly readerFor?: ReaderFactory;
  /**
   * The region an environment-agnostic stack deploys to.
   * @default - the SDK's default region (AWS_REGION, the profile)
   */
  readonly defaultRegion?: () => Promise<string | undefined>;
  /**
   * The environment, endpoints and SDK clients of the default readers.
   * @default - a runtime over process.env, made when the command starts
   */
  readonly runtime?: Runtime;
}

/** How often `--wait` reads the statuses again. */
export const WAIT_POLL_MS = 15_000;

/** Runs the command line; resolves to the exit code and never throws. */
export async function run(argv: readonly string[], deps: CliDeps): Promise<number> {
  const clients: RegionClients[] = [];
  try {
    return await runCommand(argv, deps, clients);
  } catch (error) {
    // One line, never a stack trace: a pipeline's log shows it as it is.
    const message = error instanceof CommandError || error instanceof FleetReadError ? error.message : `unexpected error: ${reasonOf(error)}`;
    deps.stderr(message.replace(/\s*\n\s*/g, ' '));
    return EXIT.error;
  } finally {
    // Open connections would keep the process alive after the answer.
    clients.forEach((c) => {
      c.client.destroy();
      c.inviteClient.destroy();
    });
  }
}

async function runCommand(argv: readonly string[], deps: CliDeps, clients: RegionClients[]): Promise<number> {
  if (argv[0] === LOCAL_COMMAND) {
    // Every local command, those added later included, is the local CLI's to read. Loaded only
    // here, so that drift and import do not load the local Security Hub and deploy.
    const { runInstalledLocal } = await import('../local/installed');
    return runInstalledLocal(argv.slice(1), { stdout: deps.stdout, stderr: deps.stderr });
  }
  const command = parseCommandLine(argv);
  if (command.command === 'help') {
    USAGE.split('\n').forEach((line) => deps.stdout(line));
    return EXIT.inSync;
  }
  if (command.command === 'version') {
    deps.stdout(VERSION);
    return EXIT.inSync;
  }
  const runtime = deps.runtime ?? createRuntime();
  if (command.command === 'import') {
    return runImport(command, {
      stdout: deps.stdout,
      stderr: deps.stderr,
      defaultRegion: deps.defaultRegion ?? sdkDefaultRegion,
      clientsFor: (region) => {
        const regionClients = runtime.securityHub(region);
        clients.push(regionClients);
        return regionClients;
      },
    });
  }
  if (command.command === 'plan') {
    return runPlan(command, { stdout: deps.stdout, stderr: deps.stderr, defaultRegion: deps.defaultRegion ?? sdkDefaultRegion, runtime, clients });
  }
  const defaultRegion = await (deps.defaultRegion ?? sdkDefaultRegion)();
  const resources = readDeclarations(command.app, {
    defaultRegion: () => {
      if (!defaultRegion) {
        throw new CommandError(`--app "${command.app}" has an environment-agnostic stack and no default region is set: expected AWS_REGION, as for cdk deploy`);
      }
      return defaultRegion;
    },
  });
  if (resources.length === 0) {
    throw new CommandError(`--app "${command.app}" has no Custom::SecurityHubMembers resource: expected the cloud assembly of an app that uses SecurityHubMembers`);
  }
  const readerFor = deps.readerFor ?? sdkReaders(runtime, command.roleArnTemplate, clients);
  const waiting = command.waitSeconds !== undefined;
  const audit = new FleetComparison({ resources, readerFor, useRoles: command.roleArnTemplate !== undefined, requireAccepted: waiting });
  await audit.prepare();
  await audit.readStatuses();
  if (waiting) {
    const deadline = deps.now() + command.waitSeconds! * 1000;
    while (!audit.allInSync() && deps.now() < deadline) {
      const left = deadline - deps.now();
      deps.stderr(`waiting: ${audit.outOfSyncCount()} declared account(s) not Enabled yet, ${Math.ceil(left / 1000)} s left`);
      await deps.sleep(Math.min(WAIT_POLL_MS, left));
      await audit.readStatuses();
    }
  }
  await audit.readUndeclared();
  const result = audit.result();
  if (result.resources.length === 0 && result.otherAdministrators.length > 0) {
    // Nothing audited is not "in sync": most likely the pipeline runs with the wrong credentials.
    throw new CommandError(`every SecurityHubMembers resource belongs to another administrator (${result.otherAdministrators[0].reason}): expected the administrator's credentials, or --role-arn-template`);
  }
  const document = toDocument(result);
  if (command.json) {
    deps.stdout(JSON.stringify(document, undefined, 2));
    result.otherAdministrators.forEach((s) => deps.stderr(`skipped ${s.displayName}/${s.logicalId}: ${s.reason}`));
  } else {
    renderTable(result).forEach((line) => deps.stdout(line));
  }
  if (result.unreadable.length > 0) {
    // Not drift: nobody can say whether these match, and no deploy would change that.
    const list = result.unreadable.map((u) => `${u.displayName}/${u.logicalId} (${u.reason})`).join('; ');
    deps.stderr(`cannot audit ${result.unreadable.length} resource${result.unreadable.length === 1 ? '' : 's'} whose declaration is not literal: ${list}: expected literal account ids, Invite and Regions`);
    return EXIT.error;
  }
  return document.inSync ? EXIT.inSync : EXIT.drift;
}

/** Readers over the SDK: the default credential chain, or a role per account. */
function sdkReaders(runtime: Runtime, roleArnTemplate: string | undefined, clients: RegionClients[]): ReaderFactory {
  return (region, roleAccount) => {
    const credentials = roleArnTemplate && roleAccount
      ? fromTemporaryCredentials({
        params: { RoleArn: roleArnTemplate.replace(/\{account\}/g, roleAccount), RoleSessionName: 'cdk-securityhub-members-drift' },
        clientConfig: { region },
      })
      : undefined;
    const regionClients = runtime.securityHub(region, credentials);
    clients.push(regionClients);
    return new SdkHubReader(regionClients);
  };
}

async function sdkDefaultRegion(): Promise<string | undefined> {
  const client = new SecurityHubClient({});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
