/** The one cloud-assembly reader, shared by the drift command and the local deploy. */
import { Stack, Stage } from 'aws-cdk-lib';
import { NotACloudAssembly, readCloudAssembly, sameStack, stackKey } from '../../cli/cloud-assembly';
import { synth } from '../support/drift-cli';

test('reads every stack, nested stages after the stacks that hold them, dependencies first, each with its environment', () => {
  const dir = synth((app) => {
    const tools = new Stack(app, 'Tools', { env: { account: '999999999999', region: 'us-east-1' } });
    const prod = new Stage(app, 'Prod', { env: { account: '111111111111', region: 'eu-west-1' } });
    // Before Admin in the alphabet: the order below is the dependency's.
    const member = new Stack(prod, 'Accepter');
    const admin = new Stack(prod, 'Admin');
    member.addStackDependency(admin);
    const nested = new Stage(prod, 'Inner');
    new Stack(nested, 'Deep', { env: { account: '222222222222', region: 'ap-south-1' } });
    new Stack(app, 'Agnostic');
    tools.templateOptions.description = 'tools';
  });

  const stacks = readCloudAssembly(dir);

  expect(stacks.map((s) => [s.name, s.hierarchicalId, s.account, s.region])).toEqual([
    ['Agnostic', 'Agnostic', undefined, undefined],
    ['Tools', 'Tools', '999999999999', 'us-east-1'],
    ['Prod-Admin', 'Prod/Admin', '111111111111', 'eu-west-1'],
    ['Prod-Accepter', 'Prod/Accepter', '111111111111', 'eu-west-1'],
    ['Prod-Inner-Deep', 'Prod/Inner/Deep', '222222222222', 'ap-south-1'],
  ]);
  expect(stacks[3].dependsOn).toEqual([stacks[2].artifactId]);
  expect(stacks[1].template).toMatchObject({ Description: 'tools' });
  expect(stacks[2].assemblyDirectory).toMatch(/assembly-Prod$/);
});

test('knows a stack by account, region and name together', () => {
  const stack = { account: '999999999999', region: 'us-east-1', name: 'Admin' };

  expect(sameStack(stack, { ...stack })).toBe(true);
  expect(sameStack(stack, { ...stack, region: 'eu-west-1' })).toBe(false);
  expect(sameStack(stack, { ...stack, account: '888888888888' })).toBe(false);
  expect(sameStack(stack, { ...stack, name: 'Other' })).toBe(false);
  expect(stackKey(stack)).toBe('999999999999/us-east-1/Admin');
});

test('names a directory that is not a cloud assembly, and what was expected', () => {
  expect(() => readCloudAssembly('/nonexistent/cdk.out')).toThrow(NotACloudAssembly);
  expect(() => readCloudAssembly('/nonexistent/cdk.out'))
    .toThrow(/^"\/nonexistent\/cdk.out" is not a cloud assembly \(.+\): expected a directory written by cdk synth, with a manifest.json$/);
});
