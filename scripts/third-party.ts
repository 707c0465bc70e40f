/**
 * What a bundle contains that this project did not write: the npm packages esbuild's metafile
 * names as inputs, each with its version, license and license text, written beside the bundle as
 * `THIRD_PARTY_LICENSES` and as a CycloneDX SBOM. scripts/bundle-handlers.mjs calls it for every
 * bundle it makes, so what ships is always what was bundled.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The part of esbuild's metafile this module reads: the input files, by path. */
export interface Metafile {
  /** Every file the bundle was made from, by its path relative to `root`. */
  readonly inputs: Record<string, unknown>;
}

/** One npm package a bundle contains. */
export interface BundledPackage {
  /** The package's name, with its scope (`@smithy/core`). */
  readonly name: string;
  /** The version of the copy that was bundled (two copies of a package can differ). */
  readonly version: string;
  /** The `license` field of its package.json, an SPDX expression. */
  readonly license: string;
  /** The folder of the copy under node_modules. */
  readonly dir: string;
  /** Its repository's URL, without `git+` and `.git`, when package.json names one. */
  readonly repository?: string;
  /** Its author's name, when package.json names one. */
  readonly author?: string;
}

/** A package's license text, and where it came from when the package ships none. */
export interface LicenseText {
  /** The package whose text this is. */
  readonly pkg: BundledPackage;
  /** The license and notice files' contents, in file name order. */
  readonly text: string;
  /** Where the text comes from when it is not the package's own files. */
  readonly source?: string;
}

/** The package folder a metafile input lies in: the last `node_modules/[@scope/]name` of its path. */
const PACKAGE_DIR = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//;

/** License and notice files, as packages name them. */
const LICENSE_FILE = /^(licen[cs]e|notice|copying)([-._].*)?$/i;

/**
 * The npm packages whose files are inputs of a bundle, sorted by name and version. `root` is the
 * folder the metafile's paths are relative to (esbuild's working directory).
 */
export function bundledPackages(metafile: Metafile, root: string): BundledPackage[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = PACKAGE_DIR.exec(input);
    if (match) {
      dirs.add(match[1]);
    }
  }
  const byId = new Map<string, BundledPackage>();
  for (const rel of dirs) {
    const dir = path.resolve(root, rel);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      name: string; version: string; license?: unknown; repository?: unknown; author?: unknown;
    };
    if (typeof manifest.license !== 'string' || manifest.license === '') {
      throw new Error(`${manifest.name}@${manifest.version} (${dir}) is bundled but its package.json declares no license`);
    }
    const pkg: BundledPackage = {
      name: manifest.name,
      version: manifest.version,
      license: manifest.license,
      dir,
      repository: repositoryUrl(manifest.repository),
      author: typeof manifest.author === 'string' ? manifest.author.replace(/\s*[<(].*$/, '') : (manifest.author as { name?: string } | undefined)?.name,
    };
    byId.set(`${pkg.name}@${pkg.version}`, pkg);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** A repository field as a comparable URL. */
function repositoryUrl(repository: unknown): string | undefined {
  const url = typeof repository === 'string' ? repository : (repository as { url?: string } | undefined)?.url;
  return url?.replace(/^git\+/, '').replace(/\.git$/, '');
}

/** The license and notice files a package folder ships, concatenated; undefined when it has none. */
function ownLicenseText(dir: string): string | undefined {
  const files = fs.readdirSync(dir).filter((f) => LICENSE_FILE.test(f) && fs.statSync(path.join(dir, f)).isFile()).sort();
  if (files.length === 0) {
    return undefined;
  }
  return files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8').trim()).join('\n\n');
}

/**
 * Each package's license text. A package that ships no license file gets, in this order: the text
 * a bundled package of the same repository and license ships (the AWS SDK publishes some packages
 * without the repository's LICENSE), or the SPDX list's standard text of its license, with the
 * author as the copyright holder. When neither exists the build fails, naming the package.
 */
export function licenseTexts(packages: readonly BundledPackage[]): LicenseText[] {
  const own = new Map(packages.map((p) => [p, ownLicenseText(p.dir)]));
  return packages.map((pkg) => {
    const text = own.get(pkg);
    if (text !== undefined) {
      return { pkg, text };
    }
    const sibling = packages.find((p) => p !== pkg && own.get(p) !== undefined && p.repository !== undefined && p.repository === pkg.repository && p.license === pkg.license);
    if (sibling) {
      return { pkg, text: own.get(sibling)!, source: `the package ships no license file; this is the ${pkg.license} text of ${sibling.name}@${sibling.version}, from the same repository (${pkg.repository})` };
    }
    const standard = spdxText(pkg.license);
    if (standard !== undefined) {
      const holder = pkg.author ?? 'the authors';
      return {
        pkg,
        text: standard.replace(/<YEAR>\s*<COPYRIGHT HOLDER>|<COPYRIGHT HOLDER>/g, holder).replace(/<YEAR>\s*/g, '').trim(),
        source: `the package ships no license file; this is the SPDX standard text of ${pkg.license}, with its package.json author as the copyright holder`,
      };
    }
    throw new Error(`${pkg.name}@${pkg.version} is bundled but no license text was found: ${pkg.dir} has no LICENSE, LICENCE, NOTICE or COPYING file, no bundled package of its repository has one, and "${pkg.license}" is not an SPDX license id`);
  });
}

/** The SPDX list's text of a license id, if it is one. */
function spdxText(id: string): string | undefined {
  if (!/^[A-Za-z0-9.+-]+$/.test(id)) {
    return undefined;
  }
  const file = path.join(path.dirname(require.resolve('spdx-license-list/package.json')), 'licenses', `${id}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { licenseText: string }).licenseText : undefined;
}

/** Whether a license string is a single id of the SPDX list. */
function isSpdxId(id: string): boolean {
  return spdxText(id) !== undefined;
}

const RULE = '='.repeat(80);

/** The `THIRD_PARTY_LICENSES` file of a bundle. */
export function renderThirdPartyLicenses(bundle: string, texts: readonly LicenseText[]): string {
  const header = [
    `Third-party software in ${bundle}`,
    '',
    `${bundle} contains the following npm packages, bundled by esbuild. Each is listed with its`,
    'version, its license and the license and notice text it is distributed with. The CycloneDX SBOM',
    'beside this file lists the same packages.',
  ].join('\n');
  const sections = texts.map(({ pkg, text, source }) => [
    RULE,
    `${pkg.name} ${pkg.version}`,
    `License: ${pkg.license}`,
    ...(pkg.repository ? [`Repository: ${pkg.repository}`] : []),
    ...(source ? [`License text: ${source}`] : []),
    RULE,
    '',
    text,
  ].join('\n'));
  return `${[header, ...sections].join('\n\n')}\n`;
}

/** The package URL of an npm package: a scope's `@` is percent-encoded. */
export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${encodeURIComponent(version)}`;
}

/** What the SBOM says about the bundle itself. */
export interface BundleComponent {
  /** The bundle's name (`members-handler`). */
  readonly name: string;
  /** The version of the package that ships it. */
  readonly version: string;
  /** What it is, for a reader of the SBOM. */
  readonly description: string;
}

/**
 * A CycloneDX 1.6 SBOM of a bundle: the bundle as metadata.component, each bundled package as a
 * library component with its purl and license. Written by hand: the document is this small, and
 * test/bundles validates it against the CycloneDX 1.6 JSON schema with the CycloneDX library. The serial
 * number is derived from the content and there is no timestamp, so a rebuild of the same inputs
 * writes the same file and the Lambda asset's hash does not change.
 */
export function cycloneDx(bundle: BundleComponent, packages: readonly BundledPackage[]): Record<string, unknown> {
  const bundleRef = `cdk-securityhub-members/${bundle.name}@${bundle.version}`;
  const components = packages.map((pkg) => {
    const scope = /^(@[^/]+)\/(.+)$/.exec(pkg.name);
    const purl = npmPurl(pkg.name, pkg.version);
    return {
      'type': 'library',
      'bom-ref': purl,
      ...(scope ? { group: scope[1], name: scope[2] } : { name: pkg.name }),
      'version': pkg.version,
      'purl': purl,
      'licenses': [isSpdxId(pkg.license) ? { license: { id: pkg.license } } : { expression: pkg.license }],
      ...(pkg.repository ? { externalReferences: [{ type: 'vcs', url: pkg.repository }] } : {}),
    };
  });
  const digest = createHash('sha256').update(JSON.stringify([bundleRef, components])).digest('hex');
  // An RFC 4122 layout (version 5 nibble, variant bits) over the content's hash.
  const uuid = [
    digest.slice(0, 8),
    digest.slice(8, 12),
    `5${digest.slice(13, 16)}`,
    `${((parseInt(digest[16], 16) & 0x3) | 0x8).toString(16)}${digest.slice(17, 20)}`,
    digest.slice(20, 32),
  ].join('-');
  return {
    '$schema': 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    'bomFormat': 'CycloneDX',
    'specVersion': '1.6',
    'serialNumber': `urn:uuid:${uuid}`,
    'version': 1,
    'metadata': {
      component: {
        'type': 'application',
        'bom-ref': bundleRef,
        'group': 'cdk-securityhub-members',
        'name': bundle.name,
        'version': bundle.version,
        'description': bundle.description,
        'licenses': [{ license: { id: 'Apache-2.0' } }],
      },
    },
    components,
    // Only the bundle's own edges: the metafile says what was bundled, not which package needs which.
    'dependencies': [{ ref: bundleRef, dependsOn: components.map((c) => c['bom-ref']) }],
  };
}

/**
 * Writes `THIRD_PARTY_LICENSES` and `<name>.cdx.json` into a bundle's folder, from the metafile
 * esbuild wrote for it; returns the packages. Throws, naming the package, when a license is missing.
 */
export function writeThirdPartyFiles(options: {
  readonly metafile: Metafile;
  readonly root: string;
  readonly outdir: string;
  readonly bundle: BundleComponent;
}): BundledPackage[] {
  const packages = bundledPackages(options.metafile, options.root);
  const texts = licenseTexts(packages);
  fs.writeFileSync(path.join(options.outdir, 'THIRD_PARTY_LICENSES'), renderThirdPartyLicenses(`${options.bundle.name}/index.js`, texts));
  fs.writeFileSync(path.join(options.outdir, `${options.bundle.name}.cdx.json`), `${JSON.stringify(cycloneDx(options.bundle, packages), null, 2)}\n`);
  return packages;
}
