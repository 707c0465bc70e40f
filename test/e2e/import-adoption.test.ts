/**
 * Adopting a fleet invited by hand, as docs/plan.md shows it: `import`, paste the list into the
 * declaration, `plan`, deploy, `drift`. The plan shows no change (exit 0), the deploy makes no
 * mutating call and drift exits 0.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MUTATING_OPERATIONS } from '../../local/emulator';
import { drift as runCommand, useEmulator } from '../support/drift-cli';
import { ADMIN, LocalCloud, localCloud, synthesize } from './harness';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const REGIONS = ['us-east-1', 'eu-west-1'];

let cloud: LocalCloud;
let restoreEnv: () => void;

afterEach(async () => {
  restoreEnv?.();
  await cloud?.close();
});

test('import, paste, plan, deploy and drift: no change planned, no mutating call for the adopted members, drift exits 0', async () => {
  cloud = await localCloud();
  restoreEnv = useEmulator(cloud.emulator.url, ADMIN, 'us-east-1', { AWS_ENDPOINT_URL_CLOUDFORMATION: await cloud.cfn.cloudFormationEndpoint() });
  const store = cloud.emulator.store;
  for (const region of REGIONS) {
    store.seedMember(ADMIN, region, { accountId: A, status: 'Enabled', email: 'security+prod@example.com' });
    store.seedMember(ADMIN, region, { accountId: B, status: 'Invited' });
  }
  store.seedMember(ADMIN, 'us-east-1', { accountId: C, status: 'Resigned' });

  const imported = await runCommand(['import', '--regions', REGIONS.join(',')]);
  expect(imported.code).toBe(0);
  expect(imported.stderr).toEqual([`left out ${C}: Resigned in us-east-1 (a deploy that declares it would invite it again)`]);

  // Pasted as the members list, with the regions read.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-adopt-'));
  const stacks = synthesize({ members: JSON.parse(imported.stdout), regions: REGIONS }, { outdir });
  cloud.emulator.calls.reset();

  // The first deploy adopts every imported member: no invitation, no removal.
  const planned = await runCommand(['plan', '--app', outdir, '--json']);
  expect(planned.code).toBe(0);
  expect(JSON.parse(planned.stdout)).toMatchObject({ removes: 0, changes: 0 });
  expect(cloud.emulator.calls.entries().filter((c) => MUTATING_OPERATIONS.has(c.operation))).toEqual([]);
  const deployed = await cloud.cfn.deploy(stacks);

  expect(deployed.ok).toBe(true);
  expect(cloud.emulator.calls.entries().filter((c) => MUTATING_OPERATIONS.has(c.operation))).toEqual([]);
  expect(REGIONS.map((region) => cloud.members(region))).toEqual([
    { [A]: 'Enabled', [B]: 'Invited', [C]: 'Resigned' },
    { [A]: 'Enabled', [B]: 'Invited' },
  ]);

  const audited = await runCommand(['drift', '--app', outdir]);
  expect(audited.code).toBe(0);
}, 60_000);
