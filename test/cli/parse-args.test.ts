import { argsProblem } from '../../cli/parse-args';

const OPTIONS = {
  port: { type: 'string' },
  context: { type: 'string', short: 'c', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

describe('argsProblem, from the parser\'s tokens', () => {
  test.each([
    [['--nope'], { kind: 'unknown', flag: '--nope' }],
    [['deploy', '--nope=3'], { kind: 'unknown', flag: '--nope' }],
    [['-z'], { kind: 'unknown', flag: '-z' }],
    [['--port'], { kind: 'missing-value', flag: '--port', name: 'port' }],
    [['--port', '--help'], { kind: 'missing-value', flag: '--port', name: 'port', next: '--help' }],
    [['-c'], { kind: 'missing-value', flag: '-c', name: 'context' }],
    [['--help=yes'], { kind: 'unexpected-value', flag: '--help', name: 'help' }],
    [['--port', '5', '--nope'], { kind: 'unknown', flag: '--nope' }],
  ])('%j: %j', (argv, expected) => {
    expect(argsProblem(argv, OPTIONS)).toEqual(expected);
  });

  test('names the flag as typed, short or long, with the option\'s name beside it', () => {
    expect(argsProblem(['--context'], OPTIONS)).toEqual({ kind: 'missing-value', flag: '--context', name: 'context' });
    expect(argsProblem(['-c'], OPTIONS)).toEqual({ kind: 'missing-value', flag: '-c', name: 'context' });
  });

  test('finds nothing wrong with well-given options, a value that starts with a dash given inline included', () => {
    expect(argsProblem(['deploy', '--port', '5', '-c', 'a=b', '--context=c=d', '--port=-1', '-h'], OPTIONS)).toBeUndefined();
  });
});
