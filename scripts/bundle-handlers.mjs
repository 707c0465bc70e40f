// Bundles each Lambda function in lambda/<name>/index.ts (the two handlers and the scheduled audit), the AWS SDK included, into
// assets/<name>-handler/index.js: the folder the constructs load with lambda.Code.fromAsset, so
// that a consumer's `cdk synth` needs neither esbuild nor Docker. Then bundles the
// `cdk-securityhub-members` command (cli/index.ts) into assets/cli/index.js, the package's `bin`.
//
// Beside each bundle go the licenses of the third-party code in it (THIRD_PARTY_LICENSES) and a
// CycloneDX SBOM (<name>.cdx.json), made from esbuild's metafile: the package ships the AWS SDK and
// Powertools inside these files, so it ships their licenses and versions too. The metafiles are
// kept in .build/metafiles/ (not shipped) for test/bundles to check the two files against.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

// The license and SBOM logic is TypeScript, typechecked and unit-tested with the rest; tsx loads it
// so that plain `node scripts/bundle-handlers.mjs` (the build, the local CLI's rebundling) works.
const { writeThirdPartyFiles } = await tsImport('./third-party.ts', import.meta.url);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const handlers = ['members', 'accepter', 'audit'];
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const metafiles = join(root, '.build', 'metafiles');
rmSync(metafiles, { recursive: true, force: true });
mkdirSync(metafiles, { recursive: true });

/** Writes the licenses, the SBOM and the metafile of the bundle in `outdir`. */
function declareThirdParty(name, description, outdir, metafile) {
  writeFileSync(join(metafiles, `${name}.json`), JSON.stringify(metafile));
  writeThirdPartyFiles({ metafile, root, outdir, bundle: { name, version, description } });
}

/**
 * Bundles `entry` into `<outdir>/index.js` (the folder emptied first), with the options every
 * bundle shares and `options` on top, then writes its licenses, SBOM and metafile under `name`.
 */
async function bundleInto(name, description, entry, outdir, options = {}) {
  rmSync(outdir, { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: [entry],
    outfile: join(outdir, 'index.js'),
    // Paths in the metafile are relative to the repository, whatever the caller's directory.
    absWorkingDir: root,
    metafile: true,
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
    ...options,
  });
  declareThirdParty(name, description, outdir, metafile);
}

for (const name of handlers) {
  const entry = join(root, 'lambda', name, 'index.ts');
  if (existsSync(entry)) {
    await bundleInto(`${name}-handler`, `The ${name} Lambda function's code, bundled with its dependencies`, entry, join(root, 'assets', `${name}-handler`));
  }
}

// The command: one file with the pinned SDK in it, and its `local` subcommand's local Security Hub
// and local deploy (local/), which spawn no `cdk`. aws-cdk-lib stays outside: it is a peer
// dependency, installed wherever the construct is used, and reads the assembly its own version wrote.
const cliDir = join(root, 'assets', 'cli');
await bundleInto('cli', 'The cdk-securityhub-members command, bundled with its dependencies', join(root, 'cli', 'index.ts'), cliDir, {
  external: ['aws-cdk-lib', 'aws-cdk-lib/*'],
  // The SDK's notice that its future releases need Node.js 22 is not for this bundle's users: its
  // SDK is pinned here. Left on, it would break the promise of a single line on stderr per error.
  banner: { js: "#!/usr/bin/env node\nprocess.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';" },
});
chmodSync(join(cliDir, 'index.js'), 0o755);

// The decision SecurityHubMembersPlanStep's CodeBuild project runs after `plan`: reached in the
// pipeline as node_modules/cdk-securityhub-members/assets/plan-decision/index.js, installed with
// the app's devDependencies (the step runs `npm ci` first, as `plan` needs it too).
await bundleInto('plan-decision', 'The decision SecurityHubMembersPlanStep runs after the plan, bundled with its dependencies',
  join(root, 'pipeline', 'plan-decision', 'index.ts'), join(root, 'assets', 'plan-decision'));
