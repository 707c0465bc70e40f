/**
 * The one guard of the suites that run the bundles in assets/ (the handlers loaded from a
 * synthesized cdk.out, and the `cdk-securityhub-members` command): they fail at once, saying what
 * to run, when a bundle is missing or older than its sources, instead of testing stale code.
 */
import * as path from 'path';
import { bundleStaleness } from '../../local/handler-bundles';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Throws when assets/ does not hold bundles of the current sources (local/handler-bundles.ts says
 * which sources count); call it at the top of a test file, or of a helper every such file imports.
 *
 * @param root the project root
 */
export function requireFreshBundles(root: string = ROOT): void {
  const reason = bundleStaleness(root);
  if (reason !== undefined) {
    throw new Error(`stale bundles in assets/ (${reason}): run \`npm run build\` before these tests, they run the bundles, not the sources`);
  }
}
