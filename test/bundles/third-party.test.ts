/**
 * What the package says about the third-party code in its bundles (`npm run build` first): for each
 * bundle, the CycloneDX SBOM lists exactly the npm packages esbuild's metafile names as inputs,
 * THIRD_PARTY_LICENSES gives each of them with its license text, and the package ships both files.
 */
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { requireFreshBundles } from '../support/fresh-bundles';

// The files checked here are what `npm run build` wrote beside the bundles.
requireFreshBundles();

const ROOT = path.join(__dirname, '..', '..');
const BUNDLES = ['members-handler', 'accepter-handler', 'audit-handler', 'cli'];

interface Component { group?: string; name: string; version: string; purl: string; licenses: Array<{ license?: { id: string }; expression?: string }> }

/** name@version of every package whose files are inputs of the bundle, derived here from the metafile. */
function metafilePackages(bundle: string): Array<{ id: string; dir: string }> {
  const metafile = JSON.parse(fs.readFileSync(path.join(ROOT, '.build', 'metafiles', `${bundle}.json`), 'utf8')) as { inputs: Record<string, unknown> };
  const dirs = new Set(Object.keys(metafile.inputs).filter((i) => i.includes('node_modules/')).map((i) => {
    const rest = i.slice(i.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/');
    return i.slice(0, i.lastIndexOf('node_modules/')) + 'node_modules/' + rest.slice(0, rest[0].startsWith('@') ? 2 : 1).join('/');
  }));
  const byId = new Map([...dirs].map((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; version: string };
    return [`${pkg.name}@${pkg.version}`, { id: `${pkg.name}@${pkg.version}`, dir: path.join(ROOT, dir) }];
  }));
  return [...byId.values()];
}

describe.each(BUNDLES)('assets/%s', (bundle) => {
  const dir = path.join(ROOT, 'assets', bundle);
  const packages = metafilePackages(bundle);

  test('bundles the AWS SDK (and Powertools in the audit)', () => {
    expect(packages.map((p) => p.id)).toEqual(expect.arrayContaining([expect.stringMatching(/^@aws-sdk\/client-securityhub@/), expect.stringMatching(/^@smithy\/core@/)]));
    expect(packages.some((p) => p.id.startsWith('@aws-lambda-powertools/metrics@'))).toBe(bundle === 'audit-handler');
  });

  test('its CycloneDX SBOM lists exactly the packages of the metafile, with purls and licenses', () => {
    const sbom = JSON.parse(fs.readFileSync(path.join(dir, `${bundle}.cdx.json`), 'utf8')) as {
      bomFormat: string; specVersion: string; serialNumber: string; metadata: { component: { name: string } }; components: Component[];
    };
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.specVersion).toBe('1.6');
    expect(sbom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sbom.metadata.component.name).toBe(bundle);
    const ids = sbom.components.map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`);
    expect(ids.sort()).toEqual(packages.map((p) => p.id).sort());
    for (const c of sbom.components) {
      expect(c.purl).toBe(`pkg:npm/${c.group ? `${c.group.replace('@', '%40')}/` : ''}${c.name}@${c.version}`);
      expect(c.licenses).toHaveLength(1);
      expect(c.licenses[0].license?.id ?? c.licenses[0].expression).toMatch(/\S/);
    }
  });

  test('its SBOM is valid against the CycloneDX 1.6 JSON schema, strictly', async () => {
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    await expect(validator.validate(fs.readFileSync(path.join(dir, `${bundle}.cdx.json`), 'utf8'))).resolves.toBeNull();
  });

  test('its THIRD_PARTY_LICENSES names each package with its license text', () => {
    const text = fs.readFileSync(path.join(dir, 'THIRD_PARTY_LICENSES'), 'utf8');
    const sections = text.split(/^={80}\n/m);
    for (const { id, dir: pkgDir } of packages) {
      const at = id.lastIndexOf('@');
      const index = sections.indexOf(sections.find((s) => s.startsWith(`${id.slice(0, at)} ${id.slice(at + 1)}\nLicense: `))!);
      expect({ id, found: index > 0 }).toEqual({ id, found: true });
      const body = sections[index + 1];
      const own = fs.readdirSync(pkgDir).filter((f) => /^(licen[cs]e|notice|copying)/i.test(f));
      for (const f of own) {
        expect(body).toContain(fs.readFileSync(path.join(pkgDir, f), 'utf8').trim());
      }
      // A package without a license file gets a reconstructed full text, and says where it came from.
      expect(own.length > 0 || /^License text: /m.test(sections[index])).toBe(true);
      expect(body.length).toBeGreaterThan(800);
    }
  });
});

describe('the npm package', () => {
  test('ships each bundle\'s THIRD_PARTY_LICENSES and SBOM, and not the metafiles', () => {
    // --ignore-scripts: the files are those `npm run build` already wrote; prepack would rebuild.
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
    const files = pack.files.map((f) => f.path);
    for (const bundle of BUNDLES) {
      expect(files).toEqual(expect.arrayContaining([`assets/${bundle}/index.js`, `assets/${bundle}/THIRD_PARTY_LICENSES`, `assets/${bundle}/${bundle}.cdx.json`]));
    }
    expect(files.filter((f) => f.startsWith('.build/') || f.startsWith('.github/') || f.includes('metafile'))).toEqual([]);
  });
});
