/**
 * The local commands README.md and docs/ show are the ones the local CLI accepts: every
 * `npm run local -- X` names a command that `npm run local -- --help` lists, and every option
 * written after it (`--verbose`, `-c`) is one the help lists; the same for the installed
 * package's `npx cdk-securityhub-members local X` and its help. The options after `drift` belong to
 * the drift command (docs/drift.md), which checks them itself.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { markdownFiles } from './docs-helpers';
import { localUsage } from '../local/cli-args';
import { INSTALLED_INVOCATION } from '../local/installed';

const ROOT = path.join(__dirname, '..');

/** The commands and options a help text lists: commands are the words indented under "Commands:". */
function helpCommands(help: string): { commands: Set<string>; options: Set<string> } {
  const commands = new Set<string>();
  let inCommands = false;
  for (const line of help.split('\n')) {
    if (/^\S/.test(line)) {
      inCommands = /^commands\b/i.test(line);
      continue;
    }
    const command = inCommands ? /^ {2,4}([a-z][a-z-]*)\b/.exec(line) : null;
    if (command) {
      commands.add(command[1]);
    }
  }
  const options = new Set([...help.matchAll(/(?<![\w-])(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1]));
  return { commands, options };
}

/** Every `npm run local -- ...` (or `prefix ...`) of a Markdown text: the command word and the options after it. */
function localInvocations(markdown: string, prefix = 'npm run local --'): { line: number; command: string; options: string[] }[] {
  const found: { line: number; command: string; options: string[] }[] = [];
  const invocation = new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')} ([^\`|#\n]*)`, 'g');
  markdown.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(invocation)) {
      const words = m[1].trim().split(/\s+/);
      const options = words.filter((w) => /^--?[a-zA-Z]/.test(w)).map((w) => w.replace(/[=,.;:)]+.*$/, ''));
      found.push({ line: i + 1, command: words[0], options });
    }
  });
  return found;
}

describe('local commands in README.md and docs/', () => {
  let help: string;
  beforeAll(() => {
    help = execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'local/cli.ts', '--help'], { cwd: ROOT, encoding: 'utf8' });
  });

  test('the help lists the commands', () => {
    const { commands } = helpCommands(help);
    expect([...commands]).toEqual(expect.arrayContaining(['deploy', 'destroy', 'status', 'drift']));
  });

  /** Each `prefix X ...` of the docs whose command or options the help does not list; and how many there are. */
  function unknownInvocations(helpText: string, prefix: string): { wrong: string[]; count: number } {
    const { commands, options } = helpCommands(helpText);
    const wrong: string[] = [];
    let count = 0;
    // docs/design.md is the contract: it names commands before they are built.
    for (const file of markdownFiles().filter((f) => f !== 'docs/design.md')) {
      for (const use of localInvocations(fs.readFileSync(path.join(ROOT, file), 'utf8'), prefix)) {
        count++;
        // `<command>`, `…` and the like stand for any command.
        const known = /^(<.*>|…|\.\.\.)$/.test(use.command) || (use.command.startsWith('-') ? options.has(use.command) : commands.has(use.command));
        if (!known) {
          wrong.push(`${file}:${use.line}: ${prefix} ${use.command}: not in the help`);
        }
        if (use.command !== 'drift') {
          wrong.push(...use.options.filter((o) => !options.has(o)).map((o) => `${file}:${use.line}: ${prefix} ${use.command} ${o}: not in the help`));
        }
      }
    }
    return { wrong, count };
  }

  test('every npm run local -- command and option shown is one the CLI accepts', () => {
    const { wrong, count } = unknownInvocations(help, 'npm run local --');
    expect(count).toBeGreaterThan(5);
    expect(wrong).toEqual([]);
  });

  test('every npx cdk-securityhub-members local command and option shown is one the installed command accepts', () => {
    // The installed command's help, as `npx cdk-securityhub-members local --help` prints it: no -c.
    const { wrong, count } = unknownInvocations(localUsage('.cdk-securityhub-members', { invocation: INSTALLED_INVOCATION, app: 'cdk.out' }), INSTALLED_INVOCATION);
    expect(count).toBeGreaterThan(3);
    expect(wrong).toEqual([]);
  });

  test('the check reads a help text and a command line as meant', () => {
    const parsed = helpCommands('Usage: x\n\nCommands:\n  deploy [STACK]   deploys\n                   more text\n  status    prints\n\nOptions:\n  -v, --verbose  logs\n');
    expect([...parsed.commands]).toEqual(['deploy', 'status']);
    expect(parsed.options).toEqual(new Set(['-v', '--verbose']));
    expect(localInvocations('run `npm run local -- deploy -c memberStacks=false --verbose` then')).toEqual([
      { line: 1, command: 'deploy', options: ['-c', '--verbose'] },
    ]);
    expect(localInvocations('`npx cdk-securityhub-members local deploy --app out` and `npm run local -- status`', 'npx cdk-securityhub-members local')).toEqual([
      { line: 1, command: 'deploy', options: ['--app'] },
    ]);
  });
});
