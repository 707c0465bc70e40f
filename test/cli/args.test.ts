import { parseCommandLine, parseDuration } from '../../cli/args';

describe('parseDuration', () => {
  test.each([
    ['90s', 90],
    ['30m', 1800],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2m5s', 125],
  ])('reads %s as %d seconds', (raw, seconds) => {
    expect(parseDuration(raw)).toBe(seconds);
  });

  test.each(['', '0s', '30', '5 minutes', '1d', 'm', '-5m'])('fails when the duration is %j', (raw) => {
    expect(() => parseDuration(raw)).toThrow(`invalid --wait "${raw}": expected a duration such as 90s, 30m or 1h30m`);
  });
});

describe('parseCommandLine', () => {
  test('defaults to cdk.out, a table and no waiting', () => {
    expect(parseCommandLine(['drift'])).toEqual({ command: 'drift', app: 'cdk.out', json: false });
  });

  test('reads every flag, in either spelling', () => {
    expect(parseCommandLine(['drift', '--app=out', '--json', '--wait', '2m', '--role-arn-template', 'arn:aws:iam::{account}:role/Audit'])).toEqual({
      command: 'drift', app: 'out', json: true, waitSeconds: 120, roleArnTemplate: 'arn:aws:iam::{account}:role/Audit',
    });
  });

  test('--version asks for the version, with or without the command', () => {
    expect(parseCommandLine(['--version'])).toEqual({ command: 'version' });
    expect(parseCommandLine(['drift', '--version'])).toEqual({ command: 'version' });
  });

  test('--help and help ask for the usage', () => {
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['help'])).toEqual({ command: 'help' });
  });

  test.each([
    [['drift', 'extra'], 'unexpected argument "extra": drift takes only flags (see --help)'],
    [['drift', '--json=yes'], 'flag "--json" takes no value: expected --json alone'],
    [['drift', '-x'], 'unknown flag "-x": expected --app, --json, --wait, --role-arn-template, --version or --help'],
    [['drift', '--app', ''], 'invalid --app "": expected the directory cdk synth wrote, e.g. cdk.out'],
  ])('fails when the command line is %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});
