/** The release notes: a version's CHANGELOG.md section, as the release workflow extracts it. */
import * as fs from 'fs';
import * as path from 'path';
import { changelogSection } from '../../scripts/changelog-section';

const CHANGELOG = [
  '# Changelog',
  '',
  '## [Unreleased]',
  '',
  '- Next.',
  '',
  '## [1.2.0] - 2027-01-02',
  '',
  '### Added',
  '',
  '- A thing.',
  '',
  '## [1.1.0] - 2026-12-01',
  '',
  '- An older thing.',
  '',
  '[Unreleased]: https://example.com/compare/v1.2.0...HEAD',
  '[1.2.0]: https://example.com/releases/tag/v1.2.0',
  '',
].join('\n');

describe('changelogSection', () => {
  test('is the version\'s section without its heading, up to the next version', () => {
    expect(changelogSection(CHANGELOG, '1.2.0')).toBe('### Added\n\n- A thing.');
  });

  test('stops at the link definitions after the last version', () => {
    expect(changelogSection(CHANGELOG, '1.1.0')).toBe('- An older thing.');
  });

  test('fails for a version with no section, and does not match a longer version', () => {
    expect(() => changelogSection(CHANGELOG, '1.2')).toThrow('CHANGELOG.md has no "## [1.2]" section');
    expect(() => changelogSection(CHANGELOG, '1.3.0')).toThrow('no "## [1.3.0]" section');
  });

  test('fails for an empty section', () => {
    expect(() => changelogSection('## [2.0.0]\n\n## [1.0.0]\n\n- x\n', '2.0.0')).toThrow('section is empty');
  });

  test('finds the released versions of the project\'s CHANGELOG.md', () => {
    const changelog = fs.readFileSync(path.join(__dirname, '..', '..', 'CHANGELOG.md'), 'utf8');
    expect(changelogSection(changelog, '0.1.0')).toContain('`SecurityHubMembers`');
  });
});
