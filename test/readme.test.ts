/**
 * Every ```ts block in README.md and in the pages it links (docs/, the examples' READMEs)
 * type-checks against the library's types, as a user's file
 * would: `cdk-securityhub-members` resolves to lib/ (tsconfig.json's paths), the rest to
 * node_modules, with the repository's strict compiler options.
 *
 * Each block is its own module. A block may state what it assumes, on lines of the form
 *
 *     // assumes: <TypeScript>
 *
 * which the reader sees as comments and the check compiles as code, for example
 *
 *     // assumes: import { Stack } from 'aws-cdk-lib';
 *     // assumes: declare const stack: Stack;
 *
 * Unused declarations are allowed in snippets; everything else that tsc reports fails the test,
 * named by the README line it is on.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { markdownFiles } from './docs-helpers';

const ROOT = path.join(__dirname, '..');

/** A ```ts block of a Markdown file: its code, and the file's line of its first code line. */
interface Snippet {
  readonly line: number;
  readonly code: string;
  /** The Markdown file, relative to the repository root (README.md when not given). */
  readonly source?: string;
}

/** The ```ts and ```typescript blocks of a Markdown text, with `// assumes:` lines turned into code. */
function snippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^```(ts|typescript)\s*$/.test(lines[i])) {
      const start = i + 1;
      let end = start;
      while (end < lines.length && !/^```\s*$/.test(lines[end])) {
        end++;
      }
      const code = lines.slice(start, end).map((l) => l.replace(/^(\s*)\/\/ assumes: /, '$1')).join('\n');
      found.push({ line: start + 1, code });
      i = end;
    }
  }
  return found;
}

/** The diagnostics tsc reports for each snippet, as `README.md:<line>: <message>`. */
function typeCheck(blocks: Snippet[]): string[][] {
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, ROOT);
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
  // The snippets live next to the README, so that node_modules and the paths resolve from there.
  const files = blocks.map((b, i) => ({ ...b, file: path.join(ROOT, `README.snippet-${i}.ts`), text: `${b.code}\nexport {};\n` }));
  const byName = new Map(files.map((f) => [f.file, f]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, version, ...rest) => {
    const snippet = byName.get(path.resolve(name));
    return snippet ? ts.createSourceFile(name, snippet.text, version) : getSourceFile.call(host, name, version, ...rest);
  };
  const fileExists = host.fileExists;
  host.fileExists = (name) => byName.has(path.resolve(name)) || fileExists.call(host, name);
  const program = ts.createProgram(files.map((f) => f.file), options, host);
  return files.map((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f.file)).map((d) => {
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
    return `${f.source ?? 'README.md'}:${f.line + at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  }));
}

describe('README.md and docs/', () => {
  // docs/design.md is the contract: its sketches name what is yet to be built and elide the
  // context, so they are not examples a user copies.
  const blocks = markdownFiles().filter((f) => f !== 'docs/design.md').flatMap((source) => snippets(fs.readFileSync(path.join(ROOT, source), 'utf8')).map((b) => ({ ...b, source })));
  let diagnostics: string[][];
  beforeAll(() => {
    diagnostics = typeCheck(blocks);
  });

  test('has TypeScript blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  test('README.md has TypeScript blocks to check', () => {
    expect(blocks.filter((b) => b.source === 'README.md').length).toBeGreaterThan(0);
  });

  test.each(blocks.map((b, i) => [`${b.source}:${b.line}`, i]))('the TypeScript block at %s type-checks', (_at, i) => {
    expect(diagnostics[i]).toEqual([]);
  });
});

describe('the snippet extractor', () => {
  test('finds ts blocks, their README lines, and turns `// assumes:` lines into code', () => {
    const markdown = ['# t', '```sh', 'npm i', '```', '```ts', '// assumes: declare const x: number;', 'const y = x + 1;', '```', ''].join('\n');
    expect(snippets(markdown)).toEqual([{ line: 6, code: 'declare const x: number;\nconst y = x + 1;' }]);
  });

  test('fails a block that does not compile, naming its README line', () => {
    expect(typeCheck([{ line: 40, code: 'const n: number = \'one\';' }])[0]).toEqual([
      'README.md:40: Type \'string\' is not assignable to type \'number\'.',
    ]);
  });
});
