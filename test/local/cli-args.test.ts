import { LOCAL_COMMANDS, localUsage, parseLocalArgs, UsageError } from '../../local/cli-args';

test('reads a deploy with stacks, context in both spellings and --verbose', () => {
  expect(parseLocalArgs(['deploy', 'Admin', '-c', 'memberStacks=false', '--context=region=eu-west-1', '-v', 'Member'])).toEqual({
    command: 'deploy',
    stacks: ['Admin', 'Member'],
    context: ['--context', 'memberStacks=false', '--context', 'region=eu-west-1'],
    verbose: true,
  });
});

test.each([[[]], [['--help']], [['-h']], [['help']], [['deploy', '--help']], [['status', '-h']]])('reads %j as a request for the usage', (argv) => {
  expect(parseLocalArgs(argv).command).toBe('help');
});

test.each([
  [['frobnicate'], 'unknown command "frobnicate": expected one of deploy, destroy, status, drift, resign, remove, reset, help'],
  [['--frob'], 'unknown option "--frob" before the command'],
  [['status', '--frob'], 'unknown option "--frob" for status: expected --help'],
  [['deploy', '--verbsoe'], 'unknown option "--verbsoe" for deploy: expected --verbose, -c KEY=VALUE, --fail-after RESOURCE, --help'],
  [['deploy', '--fail-after'], 'option "--fail-after" needs a resource\'s logical id or construct path, got nothing'],
  [['destroy', '--fail-after', 'Members'], 'option "--fail-after" does not apply to destroy'],
  [['destroy', '-c', 'a=b'], 'option "-c" does not apply to destroy'],
  [['status', '--verbose'], 'option "--verbose" does not apply to status'],
  [['deploy', '-c'], 'option "-c" needs KEY=VALUE, got nothing'],
  [['deploy', '-c', 'memberStacks'], 'option "-c" needs KEY=VALUE, got "memberStacks"'],
  [['status', 'Admin'], 'status takes no stack names or other arguments, got "Admin"'],
  [['reset', 'now'], 'reset takes no stack names or other arguments, got "now"'],
  [['resign', '--json'], 'unknown option "--json" for resign: expected --help'],
])('fails on %j, naming what is wrong', (argv, message) => {
  expect(() => parseLocalArgs(argv)).toThrow(UsageError);
  expect(() => parseLocalArgs(argv)).toThrow(message);
});

test('reads resign and remove with account ids, and hands drift\'s flags on as they are', () => {
  expect(parseLocalArgs(['resign', '111111111111', '222222222222'])).toMatchObject({ command: 'resign', stacks: ['111111111111', '222222222222'] });
  expect(parseLocalArgs(['remove', '111111111111'])).toMatchObject({ command: 'remove', stacks: ['111111111111'] });
  expect(parseLocalArgs(['drift', '--json', '--wait', '2m', '--frob'])).toEqual({ command: 'drift', stacks: [], context: [], verbose: false, rest: ['--json', '--wait', '2m', '--frob'] });
  expect(parseLocalArgs(['drift', '--help']).command).toBe('help');
});

test('the usage lists every command and option', () => {
  const usage = localUsage('/tmp/state');
  for (const command of LOCAL_COMMANDS) {
    expect(usage).toMatch(new RegExp(`^  ${command.synopsis.replace(/[[\].]/g, '\\$&')} +\\S`, 'm'));
  }
  for (const option of ['--verbose', '--context KEY=VALUE', 'memberStacks=false', '--help']) {
    expect(usage).toContain(option);
  }
});

test('reads deploy --fail-after, as one argument or two', () => {
  expect(parseLocalArgs(['deploy', '--fail-after', 'Members'])).toMatchObject({ command: 'deploy', failAfter: 'Members' });
  expect(parseLocalArgs(['deploy', '--fail-after=SecurityHubAdministrator/Members', 'SecurityHubAdministrator']))
    .toMatchObject({ command: 'deploy', failAfter: 'SecurityHubAdministrator/Members', stacks: ['SecurityHubAdministrator'] });
  expect(parseLocalArgs(['deploy'])).not.toHaveProperty('failAfter');
  expect(localUsage('/tmp/state')).toContain('--fail-after RESOURCE');
});
