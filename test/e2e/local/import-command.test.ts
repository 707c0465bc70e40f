/**
 * `npm run local -- import`: the bundled import command against a local Security Hub seeded by
 * hand, as the sample app's administrator.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HubStore, saveStoreFile } from '../../../local/emulator';
import { sampleAdministrator } from '../../../local/import';
import { runLocalCli } from '../../support/local-cli';

let stateDir: string;

beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-local-import-'));
});
afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

test('the sample app\'s administrator is cdk.json\'s', () => {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'cdk.json'), 'utf8')) as { context: { administratorAccount: string; region: string } };

  expect(sampleAdministrator()).toEqual({ account: cdkJson.context.administratorAccount, region: cdkJson.context.region });
});

test('prints the seeded fleet as a members list on stdout, the notes on stderr, and changes nothing', () => {
  const { account, region } = sampleAdministrator();
  const store = new HubStore();
  // Enabled as a real administrator's are, so that the local Security Hub has no hub to enable on first use.
  store.enableHub(account, region);
  store.enableHub(account, 'eu-west-1');
  store.seedMember(account, region, { accountId: '111111111111', status: 'Enabled', email: 'security+prod@example.com' });
  store.seedMember(account, region, { accountId: '222222222222', status: 'Resigned' });
  store.seedMember(account, 'eu-west-1', { accountId: '111111111111', status: 'Enabled' });
  store.seedMember(account, 'eu-west-1', { accountId: '333333333333', status: 'Invited' });
  const statePath = path.join(stateDir, 'securityhub.json');
  saveStoreFile(store, statePath);
  const before = fs.readFileSync(statePath, 'utf8');

  const run = runLocalCli(stateDir, 'import', '--regions', `${region},eu-west-1`);

  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual([
    { accountId: '111111111111', email: 'security+prod@example.com' },
    { accountId: '333333333333' },
  ]);
  const notes = run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Bundling'));
  expect(notes).toEqual([
    `left out 222222222222: Resigned in ${region} (a deploy that declares it would invite it again)`,
    `333333333333 is not a member in ${region}: a declaration with that region would invite it there`,
  ]);
  expect(fs.readFileSync(statePath, 'utf8')).toBe(before);
}, 120_000);

test('fails when a flag is bad: passed on to the command, which names it in one line', () => {
  const run = runLocalCli(stateDir, 'import', '--format', 'yaml');

  expect(run.status).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Bundling'))).toEqual(['invalid --format "yaml": expected json or ts']);
}, 120_000);
