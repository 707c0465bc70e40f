/**
 * The entry of the `cdk-securityhub-members` command (package.json `bin`), bundled by
 * scripts/bundle-handlers.mjs into assets/cli/index.js with the AWS SDK; aws-cdk-lib, a peer
 * dependency, is the one installed beside the app.
 */
import { run } from './main';

run(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}).then((code) => {
  process.exitCode = code;
});
