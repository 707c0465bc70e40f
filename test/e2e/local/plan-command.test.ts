import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runLocalCli } from '../../support/local-cli';

/*
 * `npm run local -- plan` plans the sample app against the local state; `deploy` prints the same
 * plan first, and `--plan-only` stops there.
 */

let stateDir: string;
beforeAll(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-local-plan-'));
});
afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

const stacksFile = () => path.join(stateDir, 'stacks.json');

test('deploy --plan-only prints the plan and deploys nothing; deploy prints it, then deploys; then plan shows no change', () => {
  const planOnly = runLocalCli(stateDir, 'deploy', '--plan-only', '-c', 'memberStacks=false');
  expect(planOnly.stdout).toContain('Plan (what the deploy does to each member; nothing changed yet):');
  expect(planOnly.stdout).toMatch(/\n {4}\+ 111111111111 {2}us-east-1 {2}create \(not a member\)\n/);
  expect(planOnly.stdout).toContain('  +3 invited, ~0 re-invited, -0 removed (0 Enabled), 0 unchanged');
  expect(planOnly.stdout).not.toContain('Deploying');
  expect(planOnly.status).toBe(2);
  expect(fs.existsSync(stacksFile()) ? JSON.parse(fs.readFileSync(stacksFile(), 'utf8')).stacks : []).toEqual([]);

  const deploy = runLocalCli(stateDir, 'deploy', '-c', 'memberStacks=false');
  expect(deploy.status).toBe(0);
  expect(deploy.stdout.indexOf('  +3 invited, ~0 re-invited, -0 removed (0 Enabled), 0 unchanged')).toBeGreaterThan(-1);
  expect(deploy.stdout.indexOf('  +3 invited')).toBeLessThan(deploy.stdout.indexOf('Deploying 1 stack'));

  const plan = runLocalCli(stateDir, 'plan', '-c', 'memberStacks=false');
  expect(plan.stdout).toMatch(/\n {2}MembersFEE56442: no event \(properties unchanged\)\n/);
  expect(plan.stderr).toBe('');
  expect(plan.status).toBe(0);
}, 120_000);
