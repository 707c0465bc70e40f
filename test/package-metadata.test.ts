/**
 * The metadata registries and construct catalogs index: the service's current name (and the
 * README's first mention of it), the `awscdk` keyword (Construct Hub's), and an
 * `npm run package` that builds every language.
 */
import * as fs from 'fs';
import * as path from 'path';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
  description: string;
  keywords: string[];
  scripts: Record<string, string>;
  jsii: { targets: Record<string, unknown> };
};

describe('package.json', () => {
  test('names the service as AWS does today, and as before', () => {
    expect(pkg.description).toContain('AWS Security Hub CSPM (formerly AWS Security Hub)');
  });

  test('the README names the service by both names at its first mention', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const first = readme.indexOf('Security Hub');
    expect(readme.slice(first - 4, first + 'Security Hub CSPM (formerly AWS Security Hub)'.length)).toBe('AWS Security Hub CSPM (formerly AWS Security Hub)');
  });

  test('carries the keywords construct catalogs index', () => {
    expect(pkg.keywords).toEqual(expect.arrayContaining(['awscdk', 'cspm', 'security-hub']));
  });

  test('npm run package builds, then generates every jsii target', () => {
    expect(pkg.scripts.package).toMatch(/^npm run build\b.*&& jsii-pacmak$/);
    expect(Object.keys(pkg.jsii.targets).sort()).toEqual(['dotnet', 'go', 'java', 'python']);
  });
});
