/**
 * The decision of `cdk-securityhub-members import`: which accounts are declared and which named on
 * stderr, the email chosen, the order, and the two printed forms (the TypeScript one compiled).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { parseCommandLine } from '../../cli/args';
import { decideImport, ImportedMember, RegionMembers, renderDeclaration } from '../../cli/import';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';

function region(name: string, members: Record<string, ImportedMember>): RegionMembers {
  return { region: name, members: new Map(Object.entries(members)) };
}

describe('decideImport', () => {
  test('declares Created, Invited and Enabled members (the legacy Associated too), sorted by account id, naming nothing else', () => {
    const decision = decideImport([region('us-east-1', {
      [C]: { status: 'Enabled' },
      [A]: { status: 'ASSOCIATED' },
      [B]: { status: 'invited' },
    })]);

    expect(decision).toEqual({ members: [{ accountId: A }, { accountId: B }, { accountId: C }], notes: [] });
  });

  test('leaves out Removed, Resigned and Deleted members and names each with its status', () => {
    const decision = decideImport([
      region('us-east-1', { [A]: { status: 'Removed' }, [B]: { status: 'Resigned' }, [C]: { status: 'Deleted' }, [D]: { status: 'Enabled' } }),
      region('eu-west-1', { [A]: { status: 'Resigned' }, [D]: { status: 'Enabled' } }),
    ]);

    expect(decision.members).toEqual([{ accountId: D }]);
    expect(decision.notes).toEqual([
      `left out ${A}: Removed in us-east-1, Resigned in eu-west-1 (a deploy that declares it would invite it again)`,
      `left out ${B}: Resigned in us-east-1 (a deploy that declares it would invite it again)`,
      `left out ${C}: Deleted in us-east-1 (a deploy that declares it would invite it again)`,
    ]);
  });

  test('leaves out a status the handler leaves alone, such as AccountSuspended, naming it', () => {
    const decision = decideImport([region('us-east-1', { [A]: { status: 'AccountSuspended' } })]);

    expect(decision).toEqual({ members: [], notes: [`left out ${A}: AccountSuspended in us-east-1 (a status the members handler leaves alone, not a member to declare)`] });
  });

  test('declares a Created member and says that a deploy with invite true invites it', () => {
    const decision = decideImport([
      region('us-east-1', { [A]: { status: 'Created' } }),
      region('eu-west-1', { [A]: { status: 'Created' } }),
    ]);

    expect(decision.members).toEqual([{ accountId: A }]);
    expect(decision.notes).toEqual([`${A} is Created, not invited yet, in us-east-1, eu-west-1: a deploy with invite true invites it`]);
  });

  test('declares an account that is a member in only some regions and names the regions where it is not, with the status there', () => {
    const decision = decideImport([
      region('us-east-1', { [A]: { status: 'Enabled' }, [B]: { status: 'Enabled' } }),
      region('eu-west-1', { [B]: { status: 'Enabled' } }),
      region('eu-west-2', { [A]: { status: 'Resigned' }, [B]: { status: 'Enabled' } }),
    ]);

    expect(decision.members).toEqual([{ accountId: A }, { accountId: B }]);
    expect(decision.notes).toEqual([`${A} is not a member in eu-west-1, eu-west-2 (Resigned): a declaration with those regions would invite it there`]);
  });

  test('takes the email of the first region given that has one, even from a status left out there', () => {
    const decision = decideImport([
      region('us-east-1', { [A]: { status: 'Enabled' }, [B]: { status: 'Removed', email: 'b-old@example.com' } }),
      region('eu-west-1', { [A]: { status: 'Enabled', email: 'a@example.com' }, [B]: { status: 'Enabled', email: 'b@example.com' } }),
      region('eu-west-2', { [A]: { status: 'Enabled', email: 'a-other@example.com' } }),
    ]);

    expect(decision.members).toEqual([{ accountId: A, email: 'a@example.com' }, { accountId: B, email: 'b-old@example.com' }]);
  });

  test('an empty fleet declares nothing and notes nothing', () => {
    expect(decideImport([region('us-east-1', {})])).toEqual({ members: [], notes: [] });
  });
});

describe('renderDeclaration', () => {
  const members = [{ accountId: A, email: 'security+prod@example.com' }, { accountId: B }];

  test('json: a bare list, two-space indented, the email key left out when there is none', () => {
    const lines = renderDeclaration(members, 'json');

    expect(lines.join('\n')).toBe([
      '[',
      '  {',
      `    "accountId": "${A}",`,
      '    "email": "security+prod@example.com"',
      '  },',
      '  {',
      `    "accountId": "${B}"`,
      '  }',
      ']',
    ].join('\n'));
    expect(JSON.parse(lines.join('\n'))).toEqual(members);
  });

  test('ts: a typed members array that compiles and is what SecurityHubMembers takes', () => {
    const odd = [...members, { accountId: C, email: 'o\'brien\\"x"@example.com' }];
    const source = renderDeclaration(odd, 'ts').join('\n');

    expect(source).toContain('export const members: MemberAccount[] = [');
    expect(source).toContain(`  { accountId: '${A}', email: 'security+prod@example.com' },`);
    expect(source).toContain(`  { accountId: '${B}' },`);
    const diagnostics = compile(`${source}

import { App, Stack } from 'aws-cdk-lib';
import { SecurityHubMembers } from 'cdk-securityhub-members';

new SecurityHubMembers(new Stack(new App(), 'Admin'), 'Members', { members });
export const emails: (string | undefined)[] = members.map((m) => m.email);
`);
    expect(diagnostics).toEqual([]);
    // The strings survive as they were: the literal evaluates to the service's email.
    const js = ts.transpileModule(source.replace(/^import .*$/m, ''), { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
    const exported: { members?: unknown } = {};
    new Function('exports', js)(exported);
    expect(exported.members).toEqual(odd);
  });
});

describe('parseCommandLine import', () => {
  test('defaults to json and the default region', () => {
    expect(parseCommandLine(['import'])).toEqual({ command: 'import', format: 'json' });
  });

  test('reads --regions as a list, in the order given, and --format', () => {
    expect(parseCommandLine(['import', '--regions', 'eu-west-1, us-east-1', '--format=ts'])).toEqual({
      command: 'import', regions: ['eu-west-1', 'us-east-1'], format: 'ts',
    });
  });

  test.each([
    [['import', '--regions', ''], 'invalid --regions "": empty list of regions: expected at least one region, or leave regions unset for the stack\'s region'],
    [['import', '--regions', 'us-east-1,Mars'], 'invalid --regions "us-east-1,Mars": invalid region "Mars": expected a region name such as "us-east-1"'],
    [['import', '--regions', 'us-east-1,us-east-1'], 'invalid --regions "us-east-1,us-east-1": duplicate region "us-east-1": expected each region once'],
    [['import', '--format', 'yaml'], 'invalid --format "yaml": expected json or ts'],
    [['import', '--json'], 'flag "--json" does not apply to import: expected --regions, --format, --version or --help'],
    [['drift', '--regions', 'us-east-1'], 'flag "--regions" does not apply to drift: expected --app, --json, --wait, --role-arn-template, --version or --help'],
    [['import', '-x'], 'unknown flag "-x": expected --regions, --format, --version or --help'],
    [['import', 'extra'], 'unexpected argument "extra": import takes only flags (see --help)'],
    [['plant'], 'unknown command "plant": expected drift or plan or import'],
  ])('fails when the command line is %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

/** The type errors of `source` as a module of an app that depends on this package. */
function compile(source: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-import-ts-'));
  try {
    const file = path.join(dir, 'members.ts');
    fs.writeFileSync(file, source);
    const root = path.join(__dirname, '..', '..');
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules', '@types')],
      baseUrl: root,
      paths: { 'cdk-securityhub-members': ['lib/index.ts'], 'aws-cdk-lib': ['node_modules/aws-cdk-lib'] },
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
