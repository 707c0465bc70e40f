// Bundles each Lambda function in lambda/<name>/index.ts (the two handlers and the scheduled audit), the AWS SDK included, into
// assets/<name>-handler/index.js: the folder the constructs load with lambda.Code.fromAsset, so
// that a consumer's `cdk synth` needs neither esbuild nor Docker. Then bundles the
// `cdk-securityhub-members` command (cli/index.ts) into assets/cli/index.js, the package's `bin`.
import { build } from 'esbuild';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const handlers = ['members', 'accepter', 'audit'];

for (const name of handlers) {
  const entry = join(root, 'lambda', name, 'index.ts');
  if (!existsSync(entry)) {
    continue;
  }
  const outdir = join(root, 'assets', `${name}-handler`);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [entry],
    outfile: join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    // The Lambda runtime is Node.js 22 or later; node20 output also runs under the local tooling.
    target: 'node20',
    format: 'cjs',
    // Smaller and faster to load, but names stay readable in stack traces and error classes.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

// The command: one file with the pinned SDK in it, and its `local` subcommand's local Security Hub
// and local deploy (local/), which spawn no `cdk`. aws-cdk-lib stays outside: it is a peer
// dependency, installed wherever the construct is used, and reads the assembly its own version wrote.
const cliOut = join(root, 'assets', 'cli', 'index.js');
rmSync(dirname(cliOut), { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'cli', 'index.ts')],
  outfile: cliOut,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['aws-cdk-lib', 'aws-cdk-lib/*'],
  // The SDK's notice that its future releases need Node.js 22 is not for this bundle's users: its
  // SDK is pinned here. Left on, it would break the promise of a single line on stderr per error.
  banner: { js: "#!/usr/bin/env node\nprocess.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';" },
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
chmodSync(cliOut, 0o755);
