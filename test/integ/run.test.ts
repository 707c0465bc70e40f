/** The pieces of `npm run integ` that need no AWS account. */
import { verdict } from './hub-check';
import { failedAssertions, integFiles, postDestroyHooks } from './run';

describe('npm run integ', () => {
  test('runs every integ.*.ts of its folder, or the ones named', () => {
    const folder = ['fleet.ts', 'integ.retain.ts', 'integ.members.ts', 'run.ts', 'snapshot.test.ts'];
    expect(integFiles([], folder)).toEqual(['integ.members.ts', 'integ.retain.ts']);
    expect(integFiles(['test/integ/integ.retain.ts'], folder)).toEqual(['integ.retain.ts']);
  });

  test('fails when a named test does not exist', () => {
    expect(() => integFiles(['integ.typo.ts'], ['integ.members.ts'])).toThrow('unknown integration test "integ.typo.ts": expected one of integ.members.ts');
  });

  test('reads integ-tests-alpha assertion outputs: success passes, anything else fails', () => {
    expect(failedAssertions({
      AssertionResultsA: '{"status":"success"}',
      AssertionResultsB: '{"status":"fail","message":"Expected Enabled, got Invited"}',
      AssertionResultsC: 'not json',
      MemberCount: '1',
    })).toEqual(['AssertionResultsB: {"status":"fail","message":"Expected Enabled, got Invited"}', 'AssertionResultsC: not json']);
  });

  test('runs the postDestroy hooks of every test case in the manifest', () => {
    expect(postDestroyHooks({ testCases: { a: { hooks: { postDestroy: ['x 1'] } }, b: {} } })).toEqual(['x 1']);
    expect(postDestroyHooks({})).toEqual([]);
  });

  test('the after-destroy check wants the member gone after DESTROY, still Enabled after RETAIN', () => {
    expect(verdict('absent', '111111111111', undefined)).toBeUndefined();
    expect(verdict('absent', '111111111111', 'Deleted')).toBeUndefined();
    expect(verdict('absent', '111111111111', 'Enabled')).toBe('member 111111111111 is Enabled after the destroy: expected absent');
    expect(verdict('Enabled', '111111111111', 'ENABLED')).toBeUndefined();
    expect(verdict('Enabled', '111111111111', undefined)).toBe('member 111111111111 is absent after the destroy: expected Enabled');
  });
});
