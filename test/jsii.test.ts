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

/**
 * jsii-pacmak and jsii-docgen each load the whole assembly and its dependencies: on a busy 2-core
 * machine that takes longer than the suite's default timeout.
 */
const HEAVY_TIMEOUT_MS = 300_000;

/** The Python interpreter on PATH, if any. */
const PYTHON = ['python3', 'python'].find((name) => {
  try {
    execFileSync(name, ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
});

/**
 * The Python check runs wherever there is an interpreter, and always in CI (CI=true), where a
 * missing one is a failure (.ci/run installs python3 when it is missing). Elsewhere it is skipped,
 * and jest lists the skip with its reason.
 */
const pythonTest = PYTHON || process.env.CI ? test : test.skip;

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
      'cdk-securityhub-members.RateLimit': 'interface',
      'cdk-securityhub-members.SecurityHubInvitationAccepter': 'class',
      'cdk-securityhub-members.SecurityHubInvitationAccepterProps': 'interface',
      'cdk-securityhub-members.SecurityHubMembers': 'class',
      'cdk-securityhub-members.SecurityHubMembersAudit': 'class',
      'cdk-securityhub-members.SecurityHubMembersAuditProps': 'interface',
      'cdk-securityhub-members.SecurityHubMembersPlanStep': 'class',
      'cdk-securityhub-members.SecurityHubMembersPlanStepProps': 'interface',
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
    const module = fs.readFileSync(generatedPython(), 'utf8');
    expect(module).toMatch(/^class SecurityHubMembers\(/m);
    expect(module).toMatch(/^class SecurityHubInvitationAccepter\(/m);
    expect(module).toMatch(/^class SecurityHubMembersAudit\(/m);
    expect(module).toMatch(/^class SecurityHubMembersPlanStep\(/m);
    expect(module).toContain('wait_for_acceptance');
    expect(module).toContain('rate_per_second');
  }, HEAVY_TIMEOUT_MS);

  // CI must prove that Python accepts the generated code (README, "Other languages"), so there a
  // missing interpreter fails the test; on a machine without Python it is a skip that jest lists.
  pythonTest(PYTHON
    ? `Python (${PYTHON}) parses the generated package`
    : `Python parses the generated package (no python3 or python on PATH: ${process.env.CI ? 'a failure in CI' : 'skipped outside CI'})`, () => {
    if (PYTHON === undefined) {
      throw new Error('no python interpreter on PATH (tried python3, python): expected one in CI, which checks the generated Python code; .ci/run installs python3');
    }
    const parsed = execFileSync(PYTHON, ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read()); print("parsed")', generatedPython()], { encoding: 'utf8' });
    expect(parsed.trim()).toBe('parsed');
  }, HEAVY_TIMEOUT_MS);

  /** The generated Python module's __init__.py, generated once for the tests that read it. */
  function generatedPython(): string {
    const init = path.join(work, 'pacmak', 'python', 'src', 'cdk_securityhub_members', '__init__.py');
    if (!fs.existsSync(init)) {
      // --ignore-scripts: the tarball pacmak embeds is of what `npm run build` already built.
      execFileSync(path.join(BIN, 'jsii-pacmak'), ['--targets', 'python', '--code-only', '--outdir', path.join(work, 'pacmak'), '--pack-command', 'npm pack --ignore-scripts'], { cwd: ROOT, stdio: 'pipe' });
    }
    return init;
  }

  test('API.md and API.python.md are current: run `npm run docgen` after changing the public API', async () => {
    const rendered = await renderApiDocs(ROOT);
    expect(Object.keys(rendered)).toEqual(['API.md', 'API.python.md']);
    for (const [file, content] of Object.entries(rendered)) {
      expect(fs.readFileSync(path.join(ROOT, file), 'utf8')).toBe(content);
    }
    expect(rendered['API.python.md']).toContain('cdk_securityhub_members.SecurityHubMembers(');
  }, HEAVY_TIMEOUT_MS);
});
