/**
 * The local rehearsal of a synthesized app: deploy | destroy | status | drift | import | audit |
 * resign | remove | reset against the local Security Hub, running the bundled handlers from the
 * app's cdk.out as CloudFormation and the Provider framework would. No AWS account is needed.
 *
 * One runner for both ways in: the clone's `npm run local` (local/cli.ts), which synthesizes the
 * sample app into its state folder first, and the installed package's
 * `npx cdk-securityhub-members local` (local/installed.ts), which reads the user's own cdk.out as
 * it is. Nothing here spawns `cdk` or reads the clone's files: whatever the clone needs is passed
 * in as options.
 */
import * as fs from 'fs';
import * as path from 'path';
import { NotACloudAssembly, sameStack, stackKey, StackIdentity } from '../cli/cloud-assembly';
import { VERSION } from '../cli/version';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { LocalArgs, localUsage, parseLocalArgs, UsageError } from './cli-args';
import { LocalStack, readAssembly } from './deploy/assembly';
import { checkFailAfter, deployedStacks, EventReport, LocalCloudFormation, namesResource, readLocalState } from './deploy/cloudformation';
import { changes, describeEvent, MemberSnapshot, phaseLine, resourceName, snapshot } from './deploy/report';
import { localAudit } from './audit';
import { localDrift, localRemove, localResign } from './drift';
import { localImport } from './import';
import { printLocalPlan } from './plan';
import { EmulatorOptions, HubStore, loadStoreFile, RunningEmulator, startEmulator } from './emulator';
import { StateFileError } from './state-file';

/** Where an environment-agnostic stack of the app deploys. */
export const DEFAULT_ENVIRONMENT = { account: '999999999999', region: 'us-east-1' };

/** What making the app before a deploy found out about it. */
export interface LocalSynthesis {
  /**
   * The accounts that the local Security Hub plays as members of each administrator's organization.
   * @default - none
   */
  readonly organizationAccounts?: readonly string[];
}

/** Where the runner finds the app, keeps its state and prints, and what its caller adds. */
export interface LocalRunOptions {
  /** The synthesized app (a cloud assembly directory, such as cdk.out) that deploy, drift and audit read. */
  readonly appDir: string;
  /** Where the local Security Hub, the deployed stacks and the deployed assets are kept. */
  readonly stateDir: string;
  /** The package's root, whose assets/ hold the bundled command and the audit handler. */
  readonly packageRoot: string;
  /** How a person types the command, for the usage and the hints, e.g. `npm run local --`. */
  readonly invocation: string;
  /**
   * Makes `appDir` before a deploy, from the parsed command line; `-c` is refused when absent.
   * @default - the app in `appDir` is read as it is
   */
  readonly synthesize?: (args: LocalArgs, print: (line: string) => void) => LocalSynthesis;
  /**
   * The accounts the local Security Hub plays as each administrator's organization when no
   * synthesis names them.
   * @default - none
   */
  readonly organizationAccounts?: readonly string[];
  /**
   * Brings the bundled command and handlers up to date before a command that runs them.
   * @default - they are the package's, as shipped
   */
  readonly prepareBundles?: (print: (line: string) => void) => void;
  /**
   * The administrator `import` reads the local Security Hub as.
   * @default - the account and region of the app's first stack that declares members
   */
  readonly administrator?: () => { account: string; region: string };
  /** Writes one line of the command's output. */
  readonly print: (line: string) => void;
  /** Writes the error line. */
  readonly printError: (line: string) => void;
}

/** A synth that failed; its message is the app's own error. */
export class SynthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthError';
  }
}

/**
 * Runs one local command line.
 *
 * @param argv the arguments after the command, e.g. `['deploy', '--verbose']`
 * @returns the exit code; never throws: an error is printed as one line and is exit 1
 */
export async function runLocal(argv: readonly string[], options: LocalRunOptions): Promise<number> {
  const runner = new LocalRunner(options);
  try {
    return await runner.run(argv);
  } catch (error) {
    // One line, whatever the message holds (a parser's may quote a file, newlines included), and
    // no stack trace: every error names the option, the account or the file, and what was expected.
    options.printError(runner.errorLine(error).replace(/\s+/g, ' ').trim());
    return 1;
  }
}

/**
 * The stacks `selectors` name: a stack name, a construct path as `cdk deploy` takes it
 * (`Prod/SecurityHubAdministrator`), or `ACCOUNT/REGION/NAME`; each must name exactly one.
 *
 * @throws UsageError naming the first selector that names no stack, or several (the same name in
 * two accounts or regions), and the stacks there are
 */
function selectStacks<T extends StackIdentity & { hierarchicalId?: string }>(stacks: readonly T[], selectors: readonly string[], where: string): T[] {
  const matches = (selector: string, stack: T): boolean => selector === stack.name || selector === stack.hierarchicalId || selector === stackKey(stack);
  for (const selector of selectors) {
    const found = stacks.filter((stack) => matches(selector, stack));
    if (found.length === 0) {
      throw new UsageError(`stack "${selector}" is not ${where}: expected one of ${stacks.map((s) => stackRef(s, stacks)).join(', ') || '(none)'}`);
    }
    if (found.length > 1) {
      throw new UsageError(`stack "${selector}" names ${found.length} stacks ${where}, in different accounts or regions: expected one of ${found.map(stackKey).join(', ')}`);
    }
  }
  return stacks.filter((stack) => selectors.length === 0 || selectors.some((selector) => matches(selector, stack)));
}

/** How a command line names the stack: its name, or `ACCOUNT/REGION/NAME` when another stack has the same name. */
function stackRef(stack: StackIdentity, among: readonly StackIdentity[]): string {
  return among.some((other) => other.name === stack.name && !sameStack(other, stack)) ? stackKey(stack) : stack.name;
}

/**
 * The app's organization accounts for each administrator that declares members: the local
 * Security Hub plays that organization.
 */
function organizations(stacks: readonly LocalStack[], organizationAccounts: readonly string[]): Record<string, string[]> {
  const administrators = stacks.filter((s) => s.resources.some((r) => r.type === MEMBERS_RESOURCE_TYPE)).map((s) => s.account);
  return Object.fromEntries(administrators.map((administrator) => [administrator, [...organizationAccounts]]));
}

/** Whether `inner` is `outer` or inside it. */
function within(outer: string, inner: string): boolean {
  const relative = path.relative(path.resolve(outer), path.resolve(inner));
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** One command line's run: its paths, and the local CloudFormation endpoint it started, if any. */
class LocalRunner {
  private readonly hubState: string;
  private readonly stackState: string;
  private readonly assetsCopy: string;
  private readonly print: (line: string) => void;
  private closeCloudFormation: (() => Promise<void>) | undefined;

  constructor(private readonly options: LocalRunOptions) {
    this.hubState = path.join(options.stateDir, 'securityhub.json');
    this.stackState = path.join(options.stateDir, 'stacks.json');
    this.assetsCopy = path.join(options.stateDir, 'assets');
    this.print = options.print;
  }

  async run(argv: readonly string[]): Promise<number> {
    const { options, print } = this;
    const args = parseLocalArgs(argv);
    const { command, operands } = args;
    const verbose = args.options.verbose ?? false;
    const prepareBundles = (to: (line: string) => void): void => options.prepareBundles?.(to);
    switch (command) {
      case 'help':
        print(localUsage(options.stateDir, { invocation: options.invocation, app: options.synthesize ? undefined : options.appDir }));
        return 0;
      case 'version':
        print(VERSION);
        return 0;
      case 'reset':
        return this.reset();
      case 'deploy':
        return this.deploy(args);
      case 'plan':
        return this.deploy(args, { planOnly: true });
      case 'destroy':
        return this.destroy(operands, verbose);
      case 'status':
        // Reading the state file is enough: no server, no build.
        this.printStatus(loadStoreFile(this.hubState));
        return 0;
      case 'drift':
        // The command is bundled with the handlers, from the same shared sources. Its output may be
        // JSON (--json), so this command's own lines go to stderr.
        this.checkStateFiles();
        this.checkOwnApp();
        prepareBundles(options.printError);
        return this.withHub((emulator) => localDrift(emulator, options.appDir, args.rest ?? [], this.commandOptions()));
      case 'import':
        // Like drift: the bundled command, and its stdout is the declaration alone.
        this.checkStateFiles();
        prepareBundles(options.printError);
        return this.withHub((emulator) => localImport(emulator, args.rest ?? [], { ...this.commandOptions(), administrator: this.importAdministrator() }));
      case 'audit':
        // The scheduled audit's bundled function, once per deployed stack that has one.
        this.checkStateFiles();
        prepareBundles(print);
        return this.withHub((emulator) => localAudit(emulator, { root: options.packageRoot, stackState: this.stackState, cdkOut: options.appDir }, args.rest ?? [], print, options.printError));
      case 'resign':
        this.checkStateFiles();
        return this.withHub((emulator) => localResign(emulator, operands, this.commandOptions()));
      case 'remove':
        this.checkStateFiles();
        return this.withHub((emulator) => localRemove(emulator, operands, this.commandOptions()));
      default:
        throw new Error(`command "${command}" is in the usage but has no implementation`);
    }
  }

  /** The error as one line, naming what is wrong and, for a state file, the way out. */
  errorLine(error: unknown): string {
    if (error instanceof UsageError) {
      return `error: ${error.message}`;
    }
    if (error instanceof SynthError) {
      return `error: cdk synth failed, so nothing was deployed and the local Security Hub is unchanged: ${error.message}`;
    }
    if (error instanceof NotACloudAssembly) {
      return `error: the synthesized app ${error.message}`;
    }
    if (error instanceof StateFileError) {
      const problem = error.message.split(error.path).join(path.relative(process.cwd(), error.path));
      return `error: ${problem}. The file was left as it is: repair it, or start over with \`${this.options.invocation} reset\`, which deletes the local state`;
    }
    return `error: unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }

  /**
   * Stops a command that reads the user's own app when there is none, naming the synth that makes
   * it; the clone's app is made by its deploy, which the command it runs names.
   *
   * @throws UsageError naming the folder
   */
  private checkOwnApp(): void {
    if (!this.options.synthesize && !fs.existsSync(path.join(this.options.appDir, 'manifest.json'))) {
      throw new UsageError(`no synthesized app in ${this.shown(this.options.appDir) || '.'}: expected \`cdk synth\` first, or --app DIR naming the folder it wrote`);
    }
  }

  private commandOptions(): { command: string; invocation: string } {
    return { command: path.join(this.options.packageRoot, 'assets', 'cli', 'index.js'), invocation: this.options.invocation };
  }

  /** The administrator import reads as: the caller's, else the app's first that declares members. */
  private importAdministrator(): { account: string; region: string } {
    if (this.options.administrator) {
      return this.options.administrator();
    }
    const stacks = fs.existsSync(path.join(this.options.appDir, 'manifest.json')) ? readAssembly(this.options.appDir, DEFAULT_ENVIRONMENT) : [];
    const administrator = stacks.find((stack) => stack.resources.some((r) => r.type === MEMBERS_RESOURCE_TYPE));
    return administrator ? { account: administrator.account, region: administrator.region } : DEFAULT_ENVIRONMENT;
  }

  private async deploy(args: LocalArgs, mode: { planOnly?: boolean } = {}): Promise<number> {
    const { options, print } = this;
    const started = Date.now();
    if (!options.synthesize && args.options.context) {
      throw new UsageError(`option "-c" does not apply to ${options.invocation} deploy, which deploys the app in ${this.shown(options.appDir) || '.'} as it was synthesized: `
        + 'expected the context given to your synth (cdk synth -c KEY=VALUE), then this deploy');
    }
    this.checkStateFiles();
    const synthesis = options.synthesize?.(args, print) ?? { organizationAccounts: options.organizationAccounts };
    const synthesized = readAssembly(options.appDir, DEFAULT_ENVIRONMENT);
    // Like `cdk deploy STACK`, naming stacks deploys only those, without the stacks they depend on.
    const stacks = selectStacks(synthesized, args.operands, 'in the app');
    const failAfter = args.options['fail-after'];
    if (failAfter !== undefined) {
      try {
        checkFailAfter(stacks, failAfter);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    return this.withHub(async (emulator) => {
      const { cfn, printSkipped } = this.cloudFormation(emulator, args.options.verbose ?? false);
      // What the deploy will do, before it does it; `plan` and `--plan-only` stop there. A deploy
      // after those synthesizes again, so a ReconcileToken changes by then, as with `cdk deploy`.
      const planOnly = mode.planOnly === true || args.options['plan-only'] === true;
      const planned = await printLocalPlan(stacks, emulator, cfn, { print, printError: options.printError, tokenChangesAtDeploy: planOnly && options.synthesize !== undefined });
      if (planOnly) {
        return planned;
      }
      print(`\nDeploying ${stacks.length} stack${stacks.length === 1 ? '' : 's'} to the local Security Hub (state in ${this.shown(this.hubState)})`);
      let ok = true;
      // One stack at a time, as `cdk deploy --all` does, so that a stack needing no call is
      // reported in its place; like it, the deploy stops at the first stack that fails.
      for (const stack of stacks) {
        const fails = failAfter !== undefined && stack.resources.some((r) => namesResource(failAfter, r));
        const result = await cfn.deploy([stack], fails ? { failAfter } : {});
        printSkipped(result.events);
        if (!result.ok) {
          ok = false;
          break;
        }
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (!ok) {
        print(`\nDeploy failed after ${seconds} s; CloudFormation's rollback was applied (see above).`);
        return 1;
      }
      // `cdk deploy` never deletes a stack that left the app (a member taken out of cdk.json), nor
      // the stack it deployed before to another account or region: to CloudFormation that is another stack.
      const deployed = cfn.deployedStacks;
      const gone = deployed.filter((stack) => !synthesized.some((s) => sameStack(s, stack)));
      if (gone.length > 0) {
        const refs = gone.map((stack) => stackRef(stack, deployed));
        print(`\nNo longer in the app, still deployed (as \`cdk deploy\` would leave them): ${gone.map((g) => `${g.name} (account ${g.account}, ${g.region})`).join(', ')}`);
        print(`Delete ${gone.length === 1 ? 'it' : 'them'} with: ${options.invocation} destroy ${refs.join(' ')}`);
      }
      print(`\nDeployed in ${seconds} s. See every member with: ${options.invocation} status`);
      return 0;
    }, { organizations: organizations(stacks, synthesis.organizationAccounts ?? []) });
  }

  private async destroy(operands: readonly string[], verbose: boolean): Promise<number> {
    this.checkStateFiles();
    const deployed = deployedStacks(readLocalState(this.stackState));
    const targets = selectStacks(deployed, operands, 'deployed locally');
    if (deployed.length === 0) {
      this.print('Nothing is deployed locally.');
      return 0;
    }
    return this.withHub(async (emulator) => {
      const { cfn, printSkipped } = this.cloudFormation(emulator, verbose);
      // The member stacks were deployed after the administrator's, so their accepters go first.
      this.print(`Destroying ${targets.length} stack${targets.length === 1 ? '' : 's'} in the local Security Hub, the last deployed first`);
      for (const target of [...targets].reverse()) {
        const result = await cfn.destroy([target]);
        printSkipped(result.events);
        if (!result.ok) {
          this.print('\nDestroy failed (see above); the remaining resources are still recorded.');
          return 1;
        }
      }
      this.print('\nDestroyed.');
      return 0;
    });
  }

  private async withHub<T>(fn: (emulator: RunningEmulator) => Promise<T>, options: EmulatorOptions = {}): Promise<T> {
    fs.mkdirSync(this.options.stateDir, { recursive: true });
    // The service's own rate limit, so local deploys pace themselves as real ones must. Without
    // `organizations` the state file's are kept: a destroy plays the organization the deploy saw.
    const emulator = await startEmulator({ statePath: this.hubState, rateLimit: { ratePerSecond: 10, burst: 30 }, ...options });
    try {
      return await fn(emulator);
    } finally {
      await this.closeCloudFormation?.();
      await emulator.close();
    }
  }

  /** A local CloudFormation that prints each event under its stack's name as it happens. */
  private cloudFormation(emulator: RunningEmulator, verbose: boolean): { cfn: LocalCloudFormation; printSkipped(events: readonly EventReport[]): void } {
    const print = this.print;
    let before: MemberSnapshot = new Map();
    let lastStack = '';
    let lastPhase: string | undefined;
    const header = (report: { stack: string; account: string; region: string; phase?: string }): void => {
      if (report.stack !== lastStack) {
        print(`\n${report.stack}  (account ${report.account}, ${report.region})`);
        lastStack = report.stack;
        lastPhase = undefined;
      }
      const phase = phaseLine(report.phase);
      if (phase && report.phase !== lastPhase) {
        print(phase);
      }
      lastPhase = report.phase;
    };
    const cfn = new LocalCloudFormation({
      endpoint: emulator.url,
      statePath: this.stackState,
      assetsDir: this.assetsCopy,
      observer: {
        before: () => {
          before = snapshot(emulator.store);
          emulator.calls.reset();
        },
        after: (report) => {
          header(report);
          const organization = (administrator: string, account: string) => emulator.store.isOrganizationAccount(administrator, account);
          const lines = describeEvent(report, changes(before, snapshot(emulator.store), organization), emulator.calls.countsByOperation());
          print(lines.join('\n'));
          if (verbose) {
            report.logs.forEach((line) => print(`      | ${line}`));
          }
        },
        failed: (failure) => {
          header(failure);
          print(`  FAILED          ${failure.message}`);
        },
      },
    });
    this.closeCloudFormation = () => cfn.close();
    // The observer hears only the events sent to a handler; these are the resources that needed none.
    const printSkipped = (events: readonly EventReport[]): void => {
      for (const e of events.filter((event) => event.action === 'Unchanged' || event.action === 'Retained')) {
        header(e);
        const what = e.action === 'Unchanged' ? 'no change, no call' : 'left as it is (removalPolicy RETAIN), no call';
        print(`  ${e.action.padEnd(15)} ${resourceName(e.path)} (${e.type})  ${what}`);
      }
    };
    return { cfn, printSkipped };
  }

  private printStatus(store: HubStore): void {
    const rows: string[][] = [];
    for (const hub of store.hubList()) {
      for (const member of store.listMembers(hub.account, hub.region)) {
        rows.push([hub.account, hub.region, member.accountId, member.memberStatus, member.invitedAt ?? '-']);
      }
    }
    if (rows.length === 0) {
      this.print(`The local Security Hub has no members. Run \`${this.options.invocation} deploy\` to create them.`);
      return;
    }
    const header = ['ADMINISTRATOR', 'REGION', 'MEMBER', 'STATUS', 'INVITED AT'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const format = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
    this.print(format(header));
    rows.forEach((row) => this.print(format(row)));
  }

  /**
   * Reads both state files before anything runs, so that a corrupt one stops the command before a
   * synth or a handler, and before anything could write over it.
   *
   * @throws StateFileError naming the file
   */
  private checkStateFiles(): void {
    loadStoreFile(this.hubState);
    readLocalState(this.stackState);
  }

  /**
   * Deletes the local state this runner writes, and only that (the folder may be shared). The app
   * is deleted only when this runner's synth made it in the state folder: a user's own cdk.out is
   * theirs, even when SECURITYHUB_LOCAL_DIR holds it.
   */
  private reset(): number {
    const { stateDir, appDir } = this.options;
    const synthesizedHere = this.options.synthesize !== undefined && within(stateDir, appDir);
    const entries = [this.hubState, this.stackState, this.assetsCopy, ...(synthesizedHere ? [appDir] : [])];
    const removed = entries.filter((entry) => fs.existsSync(entry));
    for (const entry of removed) {
      fs.rmSync(entry, { recursive: true, force: true });
    }
    if (removed.length === 0) {
      this.print(`Nothing to reset: no local state in ${this.shown(stateDir) || '.'}.`);
    } else {
      this.print(`Deleted ${removed.map((entry) => this.shown(entry)).join(', ')}. The local Security Hub is empty and nothing is deployed.`);
    }
    return 0;
  }

  /** A path as the person typing sees it: relative to the working directory. */
  private shown(file: string): string {
    return path.relative(process.cwd(), file);
  }
}
