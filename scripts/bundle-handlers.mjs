// Bundles each Lambda handler in lambda/<name>/index.ts, the AWS SDK included, into
// assets/<name>-handler/index.js: the folder the constructs load with lambda.Code.fromAsset, so
// that a consumer's `cdk synth` needs neither esbuild nor Docker.
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const handlers = ['members', 'accepter'];

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
