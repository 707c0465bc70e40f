/**
 * Runs the local CLI (`npm run local -- ...`) as the npm script does, `tsx local/cli.ts`, in a state
 * folder of the caller's (SECURITYHUB_LOCAL_DIR), for the tests that check what a person sees.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

/** The repository's root. */
export const ROOT = path.join(__dirname, '..', '..');

/** What one run of the local CLI printed, and its exit code. */
export interface LocalCliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run local -- ...args` with its state in `stateDir`. */
export function runLocalCli(stateDir: string, ...args: string[]): LocalCliRun {
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['local/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SECURITYHUB_LOCAL_DIR: stateDir },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
