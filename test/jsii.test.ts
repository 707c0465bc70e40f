/**
 * The jsii side of the library (`npm run build` compiles lib/ with jsii): the assembly other CDK
 * languages are generated from, Python code generated from it, and API.md / API.python.md
 * (jsii-docgen, `npm run docgen`, scripts/docgen.ts) as the assembly documents the API today.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderApiDocs } from '../scripts/docgen';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

interface Assembly {
  name: string;
  dependencies: Record<string, string>;
  targets: Record<string, Record<string, unknown>>;
  types: Record<string, { kind: string }>;
}

describe('the jsii build', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-jsii-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('its assembly has the constructs, their props, every target and the aws-cdk-lib floor', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8')) as Assembly;
    expect(assembly.name).toBe('cdk-securityhub-members');
    expect(assembly.dependencies).toEqual({ 'aws-cdk-lib': '^2.200.0', 'constructs': '^10.0.0' });
    expect(Object.fromEntries(Object.entries(assembly.types).map(([fqn, t]) => [fqn, t.kind]))).toEqual({
      'cdk-securityhub-members.MemberAccount': 'interface',
      'cdk-securityhub-members.SecurityHubInvitationAccepter': 'class',
      'cdk-securityhub-members.SecurityHubInvitationAccepterProps': 'interface',
      'cdk-securityhub-members.SecurityHubMembers': 'class',
      'cdk-securityhub-members.SecurityHubMembersAudit': 'class',
      'cdk-securityhub-members.SecurityHubMembersAuditProps': 'interface',
      'cdk-securityhub-members.SecurityHubMembersProps': 'interface',
    });
    expect(assembly.targets).toEqual(expect.objectContaining({
      python: expect.objectContaining({ module: 'cdk_securityhub_members', distName: 'cdk-securityhub-members' }),
      java: expect.objectContaining({ package: 'io.github.secmembers.cdk.securityhub.members' }),
      dotnet: expect.objectContaining({ namespace: 'Secmembers.CdkSecurityHubMembers', packageId: 'Secmembers.CdkSecurityHubMembers' }),
      go: expect.objectContaining({ moduleName: 'github.com/secmembers/cdk-securityhub-members-go' }),
    }));
  });

  test('generates a Python package that declares the constructs', () => {
    const out = path.join(work, 'pacmak');
    // --ignore-scripts: the tarball pacmak embeds is of what `npm run build` already built.
    execFileSync(path.join(BIN, 'jsii-pacmak'), ['--targets', 'python', '--code-only', '--outdir', out, '--pack-command', 'npm pack --ignore-scripts'], { cwd: ROOT, stdio: 'pipe' });
    const module = fs.readFileSync(path.join(out, 'python', 'src', 'cdk_securityhub_members', '__init__.py'), 'utf8');
    expect(module).toMatch(/^class SecurityHubMembers\(/m);
    expect(module).toMatch(/^class SecurityHubInvitationAccepter\(/m);
    expect(module).toMatch(/^class SecurityHubMembersAudit\(/m);
    expect(module).toContain('wait_for_acceptance');
    // Python itself parses what was generated, where CI has it.
    const python = ['python3', 'python'].find((name) => {
      try {
        execFileSync(name, ['--version'], { stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    });
    if (python) {
      execFileSync(python, ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', path.join(out, 'python', 'src', 'cdk_securityhub_members', '__init__.py')]);
    }
  });

  test('API.md and API.python.md are current: run `npm run docgen` after changing the public API', async () => {
    const rendered = await renderApiDocs(ROOT);
    expect(Object.keys(rendered)).toEqual(['API.md', 'API.python.md']);
    for (const [file, content] of Object.entries(rendered)) {
      expect(fs.readFileSync(path.join(ROOT, file), 'utf8')).toBe(content);
    }
    expect(rendered['API.python.md']).toContain('cdk_securityhub_members.SecurityHubMembers(');
  });
});
