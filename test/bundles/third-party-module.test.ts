/** scripts/third-party.ts on a made-up node_modules: which packages, which license text, which SBOM. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundledPackages, cycloneDx, licenseTexts, npmPurl, renderThirdPartyLicenses } from '../../scripts/third-party';

let root: string;

/** A package folder under `root` with a package.json and the given files. */
function pkg(dir: string, manifest: Record<string, unknown>, files: Record<string, string> = {}): void {
  fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.writeFileSync(path.join(root, dir, 'package.json'), JSON.stringify(manifest));
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(root, dir, name), text);
  }
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-third-party-'));
  pkg('node_modules/@scope/a', { name: '@scope/a', version: '1.0.0', license: 'Apache-2.0', repository: { url: 'git+https://github.com/o/r.git' } }, { LICENSE: 'A license', NOTICE: 'A notice' });
  pkg('node_modules/@scope/b', { name: '@scope/b', version: '2.0.0', license: 'Apache-2.0', repository: 'https://github.com/o/r' });
  pkg('node_modules/@scope/a/node_modules/c', { name: 'c', version: '3.0.0', license: 'MIT-0', author: 'Someone <s@example.com>' });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const metafile = {
  inputs: {
    'lib/index.ts': {},
    'node_modules/@scope/a/dist-cjs/index.js': {},
    'node_modules/@scope/a/dist-cjs/other.js': {},
    'node_modules/@scope/b/index.js': {},
    'node_modules/@scope/a/node_modules/c/index.js': {},
  },
};

describe('bundledPackages', () => {
  test('is each package folder of the inputs once, the nested copy included, and not the project\'s own files', () => {
    expect(bundledPackages(metafile, root).map((p) => `${p.name}@${p.version} ${p.repository ?? '-'} ${p.author ?? '-'}`)).toEqual([
      '@scope/a@1.0.0 https://github.com/o/r -',
      '@scope/b@2.0.0 https://github.com/o/r -',
      'c@3.0.0 - Someone',
    ]);
  });

  test('fails, naming the package, when its package.json declares no license', () => {
    pkg('node_modules/d', { name: 'd', version: '4.0.0' });
    expect(() => bundledPackages({ inputs: { 'node_modules/d/index.js': {} } }, root)).toThrow(/^d@4\.0\.0 .* declares no license$/);
  });
});

describe('licenseTexts', () => {
  test('the package\'s own license and notice files; else the text of its repository; else the SPDX text', () => {
    const texts = licenseTexts(bundledPackages(metafile, root));
    expect(texts.map((t) => t.text.split('\n')[0])).toEqual(['A license', 'A license', 'MIT No Attribution']);
    expect(texts[0].text).toBe('A license\n\nA notice');
    expect(texts[0].source).toBeUndefined();
    expect(texts[1].source).toContain('text of @scope/a@1.0.0, from the same repository');
    expect(texts[2].text).toContain('Copyright Someone');
    expect(texts[2].text).not.toContain('<COPYRIGHT HOLDER>');
    expect(texts[2].source).toContain('SPDX standard text of MIT-0');
  });

  test('fails, naming the package, when no license text can be found', () => {
    pkg('node_modules/e', { name: 'e', version: '5.0.0', license: 'SEE LICENSE IN the-moon' });
    expect(() => licenseTexts(bundledPackages({ inputs: { 'node_modules/e/index.js': {} } }, root))).toThrow(/^e@5\.0\.0 is bundled but no license text was found/);
  });

  test('are written one section per package', () => {
    const text = renderThirdPartyLicenses('x/index.js', licenseTexts(bundledPackages(metafile, root)));
    expect(text).toMatch(/^Third-party software in x\/index\.js\n/);
    expect(text).toContain('@scope/b 2.0.0\nLicense: Apache-2.0\nRepository: https://github.com/o/r\nLicense text: ');
  });
});

describe('cycloneDx', () => {
  test('lists each package as a library with its purl and license, under a serial number that depends only on the content', () => {
    const packages = bundledPackages(metafile, root);
    const bom = cycloneDx({ name: 'x', version: '0.1.0', description: 'x' }, packages) as { serialNumber: string; components: Array<Record<string, unknown>> };
    expect(bom.components.map((c) => [c.group, c.name, c.purl, c.licenses])).toEqual([
      ['@scope', 'a', 'pkg:npm/%40scope/a@1.0.0', [{ license: { id: 'Apache-2.0' } }]],
      ['@scope', 'b', 'pkg:npm/%40scope/b@2.0.0', [{ license: { id: 'Apache-2.0' } }]],
      [undefined, 'c', 'pkg:npm/c@3.0.0', [{ license: { id: 'MIT-0' } }]],
    ]);
    expect(cycloneDx({ name: 'x', version: '0.1.0', description: 'x' }, packages)).toEqual(bom);
    expect((cycloneDx({ name: 'x', version: '0.1.0', description: 'x' }, packages.slice(1)) as { serialNumber: string }).serialNumber).not.toBe(bom.serialNumber);
  });

  test('gives an SPDX expression as an expression', () => {
    pkg('node_modules/f', { name: 'f', version: '1.0.0', license: '(MIT OR Apache-2.0)' }, { LICENSE: 'x' });
    const bom = cycloneDx({ name: 'x', version: '0.1.0', description: 'x' }, bundledPackages({ inputs: { 'node_modules/f/a.js': {} } }, root)) as { components: Array<{ licenses: unknown }> };
    expect(bom.components[0].licenses).toEqual([{ expression: '(MIT OR Apache-2.0)' }]);
    expect(npmPurl('@a/b', '1.0.0-rc.1')).toBe('pkg:npm/%40a/b@1.0.0-rc.1');
  });
});
