/**
 * Two local deploys in one process at the same time, each against its own emulator and its own
 * local CloudFormation endpoint, with the same handler bundles loaded once: the handlers keep no
 * state in their modules and the local deploy swaps no globals, so neither sees the other's
 * hub, stack or log lines. Both clouds have a stack of the same name in the same account, which
 * a process-wide CloudFormation endpoint could not tell apart.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LocalStack } from '../../../local/deploy/assembly';
import type { RunReport } from '../../../local/deploy/cloudformation';
import { ADMIN, LocalCloud, localCloud, NamedDeclaration, REGION, synthesizeResources } from '../harness';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * Synthesizes an app, its bundles taken from `bundlesOf`'s cloud assembly when given: the same
 * asset files, so both deploys run one loaded module of each bundle.
 */
function synth(declarations: NamedDeclaration[], memberStacks: string[], bundlesOf?: string): { stacks: LocalStack[]; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-concurrent-'));
  outdirs.push(outdir);
  const stacks = synthesizeResources(declarations, { memberStacks, outdir });
  if (!bundlesOf) {
    return { stacks, outdir };
  }
  const shared = (file: string): string => file.replace(outdir, bundlesOf);
  return {
    outdir,
    stacks: stacks.map((stack) => ({
      ...stack,
      resources: stack.resources.map((r) => ({
        ...r,
        onEvent: { ...r.onEvent, file: shared(r.onEvent.file) },
        ...(r.isComplete ? { isComplete: { ...r.isComplete, file: shared(r.isComplete.file) } } : {}),
      })),
    })),
  };
}

/** Every line the handlers of a deploy logged. */
const logsOf = (result: RunReport): string => result.events.flatMap((e) => e.logs).join('\n');

describe('two local deploys in one process at the same time', () => {
  let first: LocalCloud;
  let second: LocalCloud;
  beforeAll(async () => {
    [first, second] = await Promise.all([localCloud(), localCloud()]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  test('each reaches its own hub and reads its own stack, as if alone', async () => {
    const one = synth([{ id: 'Members', members: [{ accountId: A }, { accountId: B }] }], [A, B]);
    const two = synth([{ id: 'Members', members: [{ accountId: C }, { accountId: D }] }], [C, D], one.outdir);
    expect(two.stacks[0].resources[0].onEvent.file).toBe(one.stacks[0].resources[0].onEvent.file);

    const [created1, created2] = await Promise.all([first.cfn.deploy(one.stacks), second.cfn.deploy(two.stacks)]);
    expect(created1.ok).toBe(true);
    expect(created2.ok).toBe(true);
    // The administrator invited, and each member stack accepted as its own account, in its own hub.
    expect(first.members()).toEqual({ [A]: 'Enabled', [B]: 'Enabled' });
    expect(second.members()).toEqual({ [C]: 'Enabled', [D]: 'Enabled' });
    expect(first.emulator.calls.entries().flatMap((call) => [call.account, ...(call.accountIds ?? [])])).not.toEqual(expect.arrayContaining([C]));
    expect(second.emulator.calls.entries().flatMap((call) => [call.account, ...(call.accountIds ?? [])])).not.toEqual(expect.arrayContaining([A]));
    expect(logsOf(created1)).toContain(A);
    expect(logsOf(created1)).not.toContain(C);
    expect(logsOf(created2)).toContain(C);
    expect(logsOf(created2)).not.toContain(A);

    // Moving an account to a new resource: the old resource's removal keeps it only if the stack's
    // template, read through that cloud's own endpoint, declares it (rule R10). Reading the other
    // cloud's stack of the same name would remove it.
    const moved1 = synth([{ id: 'Members', members: [{ accountId: A }] }, { id: 'Fleet', members: [{ accountId: B }] }], [A, B], one.outdir);
    const moved2 = synth([{ id: 'Members', members: [{ accountId: C }] }, { id: 'Fleet', members: [{ accountId: D }] }], [C, D], one.outdir);
    first.cfn.cloudFormationCalls.length = 0;
    second.cfn.cloudFormationCalls.length = 0;
    const [updated1, updated2] = await Promise.all([first.cfn.deploy(moved1.stacks), second.cfn.deploy(moved2.stacks)]);
    expect(updated1.ok).toBe(true);
    expect(updated2.ok).toBe(true);
    expect(first.members()).toEqual({ [A]: 'Enabled', [B]: 'Enabled' });
    expect(second.members()).toEqual({ [C]: 'Enabled', [D]: 'Enabled' });
    expect(updated1.events.flatMap((e) => e.kept ?? [])).toEqual([expect.objectContaining({ region: REGION, accountIds: [B] })]);
    expect(updated2.events.flatMap((e) => e.kept ?? [])).toEqual([expect.objectContaining({ region: REGION, accountIds: [D] })]);
    expect(first.cfn.cloudFormationCalls.length).toBeGreaterThan(0);
    expect(second.cfn.cloudFormationCalls.length).toBeGreaterThan(0);
    expect(first.emulator.store.listMembers(ADMIN, REGION).map((m) => m.accountId).sort()).toEqual([A, B]);
  });
});
