/**
 * Whether the Lambda handler bundles in assets/ are older than their sources, so that the local CLI
 * bundles them only when something changed instead of rebuilding before every command.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * What a bundle is made from, relative to the project root: the handlers, the command (cli, and
 * local, which its `local` subcommand runs), the pipeline plan step's decision script (pipeline),
 * the contract types and validation they share with the constructs (lib/shared), the bundling
 * scripts, and the lock file (a changed dependency, such as the AWS SDK that is bundled in).
 */
export const BUNDLE_INPUTS: readonly string[] = ['lambda', 'cli', 'local', 'pipeline', path.join('lib', 'shared'), path.join('scripts', 'bundle-handlers.mjs'), path.join('scripts', 'third-party.ts'), 'package-lock.json'];

/**
 * The bundles that scripts/bundle-handlers.mjs writes: assets/NAME-handler/index.js for each
 * lambda/NAME/index.ts, assets/cli/index.js for the drift command's cli/index.ts, and
 * assets/plan-decision/index.js for the plan step's pipeline/plan-decision/index.ts.
 */
export function bundleOutputs(root: string): string[] {
  const lambdaDir = path.join(root, 'lambda');
  const handlers = fs.existsSync(lambdaDir)
    ? fs.readdirSync(lambdaDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(lambdaDir, entry.name, 'index.ts')))
      .map((entry) => path.join(root, 'assets', `${entry.name}-handler`, 'index.js'))
    : [];
  const command = fs.existsSync(path.join(root, 'cli', 'index.ts')) ? [path.join(root, 'assets', 'cli', 'index.js')] : [];
  const decision = fs.existsSync(path.join(root, 'pipeline', 'plan-decision', 'index.ts')) ? [path.join(root, 'assets', 'plan-decision', 'index.js')] : [];
  return [...handlers, ...command, ...decision].sort();
}

/**
 * Why the handler bundles must be made again, or undefined when every bundle exists and is newer
 * than every input (modification times, as make does).
 *
 * @param root the project root
 */
export function bundleStaleness(root: string): string | undefined {
  const outputs = bundleOutputs(root);
  const missing = outputs.find((output) => !fs.existsSync(output));
  if (missing) {
    return `${path.relative(root, missing)} is missing`;
  }
  if (outputs.length === 0) {
    return undefined;
  }
  const oldest = outputs
    .map((file) => ({ file, mtimeMs: fs.statSync(file).mtimeMs }))
    .reduce((a, b) => (b.mtimeMs < a.mtimeMs ? b : a));
  const newest = BUNDLE_INPUTS
    .flatMap((input) => files(path.join(root, input)))
    .reduce<{ file: string; mtimeMs: number } | undefined>((found, file) => {
      const mtimeMs = fs.statSync(file).mtimeMs;
      return !found || mtimeMs > found.mtimeMs ? { file, mtimeMs } : found;
    }, undefined);
  if (newest && newest.mtimeMs > oldest.mtimeMs) {
    return `${path.relative(root, newest.file)} changed after ${path.relative(root, oldest.file)} was made`;
  }
  return undefined;
}

/**
 * Bundles the handlers with scripts/bundle-handlers.mjs when {@link bundleStaleness} says so.
 *
 * @param print where to say that (and why) the bundles are made
 * @returns whether a bundle was made
 * @throws Error when bundling fails
 */
export function ensureBundles(root: string, print: (line: string) => void): boolean {
  const reason = bundleStaleness(root);
  if (reason === undefined) {
    return false;
  }
  print(`Bundling the Lambda handlers (${reason}) ...`);
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle-handlers.mjs')], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`bundling the handlers failed (node scripts/bundle-handlers.mjs exited with ${result.status}): ${`${result.stderr ?? ''}${result.stdout ?? ''}`.trim()}`);
  }
  return true;
}

/** Every file under `target` (or `target` itself when it is a file); none when it does not exist. */
function files(target: string): string[] {
  if (!fs.existsSync(target)) {
    return [];
  }
  if (!fs.statSync(target).isDirectory()) {
    return [target];
  }
  return fs.readdirSync(target, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}
