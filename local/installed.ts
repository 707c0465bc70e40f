/**
 * `npx cdk-securityhub-members local <command> [--app DIR]`: the local rehearsal (local/run.ts) of
 * the user's own synthesized app, from the installed package. The handlers run from the app's
 * cdk.out, the local Security Hub runs in this process, and its state is kept in
 * `.cdk-securityhub-members/` beside the app folder. Nothing here runs `cdk` or needs the clone.
 */
import * as fs from 'fs';
import * as path from 'path';
import { takeInstalledOptions, UsageError } from './cli-args';
import { ContextValueError, parseOrganizationAccounts } from './context';
import { runLocal } from './run';

/** The command line as typed before the local command. */
export const INSTALLED_INVOCATION = 'npx cdk-securityhub-members local';

/** The folder, beside the app folder, where the installed command keeps the local state. */
export const INSTALLED_STATE_DIR = '.cdk-securityhub-members';

/** Where the installed command writes. */
export interface InstalledLocalDeps {
  /** Writes one line of the command's output. */
  readonly stdout: (line: string) => void;
  /** Writes the error line. */
  readonly stderr: (line: string) => void;
  /**
   * The environment, for SECURITYHUB_LOCAL_DIR.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The local state folder for the app in `appDir`: SECURITYHUB_LOCAL_DIR when set, otherwise
 * `.cdk-securityhub-members` in the folder that holds the app (the project's root for `cdk.out`),
 * so that each project keeps its own rehearsal whichever folder the command runs from.
 */
export function installedStateDir(appDir: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const configured = env.SECURITYHUB_LOCAL_DIR;
  return configured ? path.resolve(configured) : path.join(path.dirname(path.resolve(appDir)), INSTALLED_STATE_DIR);
}

/**
 * The root of the package this module runs from: the nearest folder up from `from` whose
 * package.json is this package's. Bundled, that is the installed package (from assets/cli); from
 * the sources, the clone.
 *
 * @throws Error when there is none, which a packaging mistake alone would cause
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cdk-securityhub-members') {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no package.json of cdk-securityhub-members above ${from}`);
    }
  }
}

/**
 * Runs `cdk-securityhub-members local ...`.
 *
 * @param argv the arguments after `local`
 * @returns the exit code; never throws
 */
export async function runInstalledLocal(argv: readonly string[], deps: InstalledLocalDeps): Promise<number> {
  let taken;
  let organizationAccounts: string[] | undefined;
  try {
    taken = takeInstalledOptions(argv);
    organizationAccounts = taken.organization === undefined ? undefined : parseOrganizationAccounts(taken.organization, '--organization');
    const command = taken.rest.find((arg) => !arg.startsWith('-'));
    if (organizationAccounts && command !== 'deploy') {
      // Only a deploy starts the organization; later commands play the one the deploy saw.
      throw new UsageError(`option "--organization" applies to deploy only, got ${command === undefined ? 'no command' : `"${command}"`}: the other commands play the organization the latest deploy saw`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ContextValueError) {
      deps.stderr(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const appDir = path.resolve(taken.app);
  return runLocal(taken.rest, {
    appDir,
    stateDir: installedStateDir(appDir, deps.env),
    packageRoot: packageRoot(),
    invocation: INSTALLED_INVOCATION,
    ...(organizationAccounts ? { organizationAccounts } : {}),
    print: deps.stdout,
    printError: deps.stderr,
  });
}
