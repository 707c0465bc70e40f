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
  [['frobnicate'], 'unknown command "frobnicate": expected one of deploy, destroy, status, reset, help'],
  [['--frob'], 'unknown option "--frob" before the command'],
  [['status', '--frob'], 'unknown option "--frob" for status: expected --help'],
  [['deploy', '--verbsoe'], 'unknown option "--verbsoe" for deploy: expected --verbose, -c KEY=VALUE, --help'],
  [['destroy', '-c', 'a=b'], 'option "-c" does not apply to destroy'],
  [['status', '--verbose'], 'option "--verbose" does not apply to status'],
  [['deploy', '-c'], 'option "-c" needs KEY=VALUE, got nothing'],
  [['deploy', '-c', 'memberStacks'], 'option "-c" needs KEY=VALUE, got "memberStacks"'],
  [['status', 'Admin'], 'status takes no stack names or other arguments, got "Admin"'],
  [['reset', 'now'], 'reset takes no stack names or other arguments, got "now"'],
])('fails on %j, naming what is wrong', (argv, message) => {
  expect(() => parseLocalArgs(argv)).toThrow(UsageError);
  expect(() => parseLocalArgs(argv)).toThrow(message);
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
