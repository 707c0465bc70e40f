/**
 * Every relative link in README.md and docs/ (and the examples' READMEs) points at a file that
 * exists, and every `#anchor` at a heading of its target, with the anchor GitHub generates
 * (github-slugger). Links inside code blocks and code spans are not links; http(s) links are not
 * checked (no network in CI).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { markdownFiles } from './docs-helpers';

// github-slugger 1.x ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const GithubSlugger = require('github-slugger') as new () => { slug(text: string): string };

const ROOT = path.join(__dirname, '..');

/** A Markdown text without its fenced code blocks and code spans, line numbers kept. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, '');
  });
}

/** The links of a Markdown text: inline `[text](target)` and reference definitions `[x]: target`. */
function links(markdown: string): { line: number; target: string }[] {
  const found: { line: number; target: string }[] = [];
  prose(markdown).forEach((text, i) => {
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      found.push({ line: i + 1, target: m[1] });
    }
    const definition = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(\s.*)?$/.exec(text);
    if (definition) {
      found.push({ line: i + 1, target: definition[1] });
    }
  });
  return found;
}

/** The anchors GitHub gives the headings of a Markdown text (ATX headings, outside code), and its HTML anchors. */
function anchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const result = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
    }
    // An HTML anchor (`<a id="r10"></a>`) is a target too, as on GitHub.
    for (const html of fenced ? [] : line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) {
      result.add(html[1]);
    }
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      // GitHub slugs the heading's text: code spans keep their content, links their text.
      const text = heading[1].replace(/`([^`]*)`/g, '$1').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
      result.add(slugger.slug(text));
    }
  }
  return result;
}

/** Every broken link of the given files, as `file:line: target: why`. */
function brokenLinks(files: string[], root = ROOT): string[] {
  const broken: string[] = [];
  const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
  for (const file of files) {
    for (const { line, target } of links(read(file))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        continue; // http:, https:, mailto:
      }
      const [pathPart, anchor] = target.split('#', 2);
      const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(pathPart)));
      const at = `${file}:${line}: ${target}`;
      if (resolved.startsWith('..') || !fs.existsSync(path.join(root, resolved))) {
        broken.push(`${at}: no file ${resolved}`);
        continue;
      }
      if (anchor !== undefined) {
        if (!resolved.endsWith('.md')) {
          broken.push(`${at}: an anchor into ${resolved}, which is not Markdown`);
        } else if (!anchors(read(resolved)).has(anchor)) {
          broken.push(`${at}: no heading with anchor #${anchor} in ${resolved}`);
        }
      }
    }
  }
  return broken;
}

describe('links in README.md and docs/', () => {
  test('every relative link resolves and every anchor exists', () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/drift.md']));
    expect(brokenLinks(files)).toEqual([]);
  });

  describe('the check itself', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.writeFileSync(path.join(dir, 'docs', 'a.md'), '# Page A\n\n## Mixed fleets: organization accounts\n\n## `drift` command\n\n## Twice\n\n## Twice\n\n<a id="r10"></a>\n');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('resolves files and GitHub anchors, duplicates and code spans included', () => {
      fs.writeFileSync(path.join(dir, 'README.md'), [
        '[a](docs/a.md) [b](docs/a.md#mixed-fleets-organization-accounts) [c](docs/a.md#drift-command)',
        '[d](docs/a.md#twice-1) [e](https://example.com/nowhere) [f](#readme-top) [g](docs/a.md#r10)',
        '# README top',
        '```sh',
        '[not a link](nowhere.md)',
        '```',
        'and `[not a link](nowhere.md)` either',
      ].join('\n'));
      expect(brokenLinks(['README.md', 'docs/a.md'], dir)).toEqual([]);
    });

    test('fails when a file or an anchor is missing', () => {
      fs.writeFileSync(path.join(dir, 'README.md'), '[a](docs/missing.md)\n[b](docs/a.md#no-such-heading)\n[c]: ./docs/gone.md\n');
      expect(brokenLinks(['README.md'], dir)).toEqual([
        'README.md:1: docs/missing.md: no file docs/missing.md',
        'README.md:2: docs/a.md#no-such-heading: no heading with anchor #no-such-heading in docs/a.md',
        'README.md:3: ./docs/gone.md: no file docs/gone.md',
      ]);
    });
  });
});
