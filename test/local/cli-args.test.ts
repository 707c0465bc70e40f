import { contextValue, LOCAL_COMMANDS, LOCAL_OPTIONS, localUsage, parseLocalArgs, synthContextArgs, UsageError } from '../../local/cli-args';

test('reads a deploy with stacks, context in both spellings and --verbose', () => {
  const args = parseLocalArgs(['deploy', 'Admin', '-c', 'memberStacks=false', '--context=region=eu-west-1', '-v', 'Member']);

  expect(args).toEqual({
    command: 'deploy',
    operands: ['Admin', 'Member'],
    options: { context: ['memberStacks=false', 'region=eu-west-1'], verbose: true },
  });
  expect(synthContextArgs(args)).toEqual(['--context', 'memberStacks=false', '--context', 'region=eu-west-1']);
});

test('the last -c of a key wins, as cdk takes it, and a value may hold "="', () => {
  const args = parseLocalArgs(['deploy', '-c', 'region=us-east-1', '-c', 'region=eu-west-1', '-c', 'members=[{"accountId":"1=2"}]']);

  expect(contextValue(args, 'region')).toBe('eu-west-1');
  expect(contextValue(args, 'members')).toBe('[{"accountId":"1=2"}]');
  expect(contextValue(args, 'organizationAccounts')).toBeUndefined();
});

test.each([[[]], [['--help']], [['-h']], [['help']], [['deploy', '--help']], [['status', '-h']]])('reads %j as a request for the usage', (argv) => {
  expect(parseLocalArgs(argv).command).toBe('help');
});

test.each([[['--version']], [['deploy', '--version']], [['status', '--version']]])('reads %j as a request for the version', (argv) => {
  expect(parseLocalArgs(argv).command).toBe('version');
});

test.each([
  [['frobnicate'], 'unknown command "frobnicate": expected one of deploy, plan, destroy, status, drift, import, audit, resign, remove, reset, help'],
  [['--frob'], 'unknown option "--frob": expected a command first (deploy, plan, destroy, status, drift, import, audit, resign, remove, reset, help), or --help or --version'],
  [['status', '--frob'], 'unknown option "--frob" for status: expected --help, --version'],
  [['deploy', '--verbsoe'], 'unknown option "--verbsoe" for deploy: expected --verbose, --context KEY=VALUE, --fail-after RESOURCE, --plan-only, --help, --version'],
  [['destroy', '-c', 'a=b'], 'option "-c" does not apply to destroy: expected --verbose, --help, --version'],
  [['status', '--verbose'], 'option "--verbose" does not apply to status: expected --help, --version'],
  [['deploy', '-c'], 'option "-c" needs KEY=VALUE, got nothing: for example -c memberStacks=false'],
  [['deploy', '--context'], 'option "--context" needs KEY=VALUE, got nothing: for example -c memberStacks=false'],
  [['deploy', '-c', 'memberStacks'], 'option "-c" needs KEY=VALUE, got "memberStacks": for example -c memberStacks=false'],
  [['deploy', '--context=memberStacks'], 'option "--context" needs KEY=VALUE, got "memberStacks": for example -c memberStacks=false'],
  [['deploy', '--verbose=yes'], 'option "--verbose" takes no value: expected --verbose alone'],
  [['destroy', '--fail-after', 'Members'], 'option "--fail-after" does not apply to destroy: expected --verbose, --help, --version'],
  [['deploy', '--fail-after'], 'option "--fail-after" needs RESOURCE, got nothing'],
  [['status', 'Admin'], 'status takes no stack names or other arguments, got "Admin"'],
  [['reset', 'now'], 'reset takes no stack names or other arguments, got "now"'],
  [['resign'], 'resign needs account ids: expected resign ACCOUNT_ID ...'],
  [['remove'], 'remove needs account ids: expected remove ACCOUNT_ID ...'],
  [['resign', '--json'], 'unknown option "--json" for resign: expected --help, --version'],
])('fails on %j with one line naming what is wrong', (argv, message) => {
  expect(() => parseLocalArgs(argv)).toThrow(new UsageError(message));
});

test('reads resign and remove with account ids, and hands drift\'s flags on as they are', () => {
  expect(parseLocalArgs(['resign', '111111111111', '222222222222'])).toMatchObject({ command: 'resign', operands: ['111111111111', '222222222222'] });
  expect(parseLocalArgs(['remove', '111111111111'])).toMatchObject({ command: 'remove', operands: ['111111111111'] });
  expect(parseLocalArgs(['drift', '--json', '--wait', '2m', '--frob'])).toEqual({ command: 'drift', operands: [], options: {}, rest: ['--json', '--wait', '2m', '--frob'] });
  expect(parseLocalArgs(['drift', '--version'])).toEqual({ command: 'drift', operands: [], options: {}, rest: ['--version'] });
  expect(parseLocalArgs(['drift', '--help']).command).toBe('help');
  expect(parseLocalArgs(['import', '--regions', 'us-east-1,eu-west-1', '--format', 'ts'])).toEqual({
    command: 'import', operands: [], options: {}, rest: ['--regions', 'us-east-1,eu-west-1', '--format', 'ts'],
  });
});

test('the usage lists every command and option, with the commands that take it', () => {
  const usage = localUsage('/tmp/state');
  for (const command of LOCAL_COMMANDS) {
    expect(usage).toMatch(new RegExp(`^  ${command.synopsis.replace(/[[\].]/g, '\\$&')} +\\S`, 'm'));
  }
  for (const name of Object.keys(LOCAL_OPTIONS)) {
    expect(usage).toMatch(new RegExp(`^  (?:-\\w, |    )--${name}\\b`, 'm'));
  }
  expect(usage).toMatch(/-c, --context KEY=VALUE +\(deploy, plan\) context for cdk synth/);
  expect(usage).toMatch(/-v, --verbose +\(deploy, destroy\) print the handlers' log lines/);
  expect(usage).toContain('memberStacks=false');
});

test('reads deploy --fail-after, as one argument or two', () => {
  expect(parseLocalArgs(['deploy', '--fail-after', 'Members'])).toMatchObject({ command: 'deploy', options: { 'fail-after': 'Members' } });
  expect(parseLocalArgs(['deploy', '--fail-after=SecurityHubAdministrator/Members', 'SecurityHubAdministrator']))
    .toMatchObject({ command: 'deploy', options: { 'fail-after': 'SecurityHubAdministrator/Members' }, operands: ['SecurityHubAdministrator'] });
  expect(parseLocalArgs(['deploy']).options).not.toHaveProperty('fail-after');
  expect(localUsage('/tmp/state')).toContain('--fail-after RESOURCE');
});
