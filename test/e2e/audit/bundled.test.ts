/**
 * The bundled audit function, driven as Lambda drives it on its schedule, against the local
 * Security Hub, the local CloudFormation endpoint and the local EventBridge endpoint.
 */
import { AUDIT_RUN_DEFERRED } from '../../../lib/shared/contract';
import { MUTATING_OPERATIONS } from '../../../local/emulator';
import { ADMIN, AuditRun, Endpoints, REGION, runAudit, STACK_NAME, startEndpoints, template } from './harness';

const WEST = 'us-west-2';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';
const ORG = '555555555555';

let endpoints: Endpoints;

beforeAll(async () => {
  endpoints = await startEndpoints();
});
afterAll(() => endpoints.close());
beforeEach(() => {
  endpoints.emulator.store.reset();
  endpoints.emulator.store.setOrganization(ADMIN, []);
  endpoints.emulator.calls.reset();
  endpoints.eventBridge.events.splice(0);
  Object.assign(endpoints.stack, { status: 'UPDATE_COMPLETE', template: template({}), parameters: {}, refuseGetTemplate: false });
  for (const region of [REGION, WEST]) {
    endpoints.emulator.store.enableHub(ADMIN, region);
  }
});

function seed(accountId: string, status: 'Invited' | 'Enabled' | 'Removed' | 'Resigned', region = REGION): void {
  endpoints.emulator.store.seedMember(ADMIN, region, { accountId, status });
}

function statusOf(accountId: string, region = REGION): string | undefined {
  return endpoints.emulator.store.getMember(ADMIN, region, accountId)?.memberStatus;
}

function mutatingCalls(): string[] {
  return endpoints.emulator.calls.entries().filter((c) => MUTATING_OPERATIONS.has(c.operation)).map((c) => c.operation);
}

/** A, B, C, D declared in two regions: B Resigned in us-east-1, C Removed and D deleted (no longer a member) in us-west-2, the rest Enabled. */
function driftedFleet(): void {
  endpoints.stack.template = template({ Members: { members: [A, B, C, { AccountId: D, Email: 'security+d@example.com' }], regions: [REGION, WEST] } });
  for (const region of [REGION, WEST]) {
    for (const id of [A, B, C]) {
      seed(id, 'Enabled', region);
    }
  }
  seed(D, 'Enabled', REGION);
  seed(B, 'Resigned', REGION);
  seed(C, 'Removed', WEST);
}

function expectSucceeded(run: AuditRun): void {
  expect(run.error).toBeUndefined();
  expect(run.metrics.AuditSucceeded).toBe(1);
}

describe('the bundled audit function on its schedule', () => {
  test('a fleet in sync: DriftedMembers 0, AuditSucceeded 1, no event', async () => {
    endpoints.stack.template = template({ Members: { members: [A, B] } });
    seed(A, 'Enabled');
    seed(B, 'Invited');
    const run = await runAudit(endpoints);
    expectSucceeded(run);
    expect(run.metrics).toEqual({ DeclaredMembers: 2, DriftedMembers: 0, PendingMembers: 1, UndeclaredMembers: 0, AuditSucceeded: 1 });
    expect(endpoints.eventBridge.events).toEqual([]);
    expect(run.report).toEqual({
      stack: STACK_NAME,
      inSync: true,
      resources: [{
        stack: STACK_NAME, logicalId: 'Members', account: ADMIN, region: REGION, undeclared: [],
        members: [{ accountId: A, status: 'Enabled', inSync: true }, { accountId: B, status: 'Invited', inSync: true }],
      }],
    });
    // The drift command's reads: DescribeHub, GetMembers, ListMembers; nothing that changes the hub.
    expect(endpoints.emulator.calls.countsByOperation()).toEqual({ DescribeHub: 1, GetMembers: 1, ListMembers: 1 });
  });

  test('a Resigned, a Removed and a deleted member in two regions: DriftedMembers 3 and one event naming them', async () => {
    driftedFleet();
    const run = await runAudit(endpoints);
    expectSucceeded(run);
    expect(run.metrics).toMatchObject({ DeclaredMembers: 8, DriftedMembers: 3, PendingMembers: 0, UndeclaredMembers: 0 });
    expect(endpoints.eventBridge.events).toHaveLength(1);
    const [event] = endpoints.eventBridge.events;
    expect(event).toMatchObject({ account: ADMIN, region: REGION, eventBusName: 'default', source: 'cdk-securityhub-members', detailType: 'Security Hub Members Drift' });
    expect(event.detail).toEqual({
      stack: STACK_NAME,
      inSync: false,
      resources: [
        { stack: STACK_NAME, logicalId: 'Members', account: ADMIN, region: REGION, members: [{ accountId: B, status: 'Resigned', inSync: false }] },
        {
          stack: STACK_NAME, logicalId: 'Members', account: ADMIN, region: WEST,
          members: [{ accountId: C, status: 'Removed', inSync: false }, { accountId: D, status: 'NotAMember', inSync: false }],
        },
      ],
    });
    expect(mutatingCalls()).toEqual([]);
  });

  test('an undeclared member: UndeclaredMembers 1, not drift', async () => {
    endpoints.stack.template = template({ Members: { members: [A] } });
    seed(A, 'Enabled');
    seed(B, 'Enabled');
    const run = await runAudit(endpoints);
    expectSucceeded(run);
    expect(run.metrics).toMatchObject({ DeclaredMembers: 1, DriftedMembers: 0, UndeclaredMembers: 1 });
    expect(run.report?.resources[0].undeclared).toEqual([B]);
    expect(endpoints.eventBridge.events).toEqual([]);
  });

  test('a stack mid-deploy: no Security Hub call, AuditSucceeded 1 and nothing else measured', async () => {
    driftedFleet();
    endpoints.emulator.calls.reset();
    endpoints.stack.status = 'UPDATE_IN_PROGRESS';
    const run = await runAudit(endpoints);
    expect(run.outcome?.outcome).toBe(AUDIT_RUN_DEFERRED);
    expect(run.metrics).toEqual({ AuditSucceeded: 1 });
    expect(endpoints.emulator.calls.total()).toBe(0);
    expect(endpoints.eventBridge.events).toEqual([]);
  });

  test('GetTemplate refused: the run fails with the reason and emits no AuditSucceeded', async () => {
    driftedFleet();
    endpoints.emulator.calls.reset();
    endpoints.stack.refuseGetTemplate = true;
    const run = await runAudit(endpoints);
    expect(run.error?.message).toMatch(/could not read stack arn:aws:cloudformation:us-east-1:999999999999:stack\/Admin\/.* \(DescribeStacks, GetTemplate\): .*not authorized to perform: cloudformation:GetTemplate/);
    expect(run.metrics).toEqual({});
    expect(endpoints.emulator.calls.total()).toBe(0);
  });

  test('repair: the Resigned, Removed and deleted members are Invited again and nothing is removed', async () => {
    driftedFleet();
    seed(ORG, 'Enabled');
    endpoints.emulator.calls.reset();
    const run = await runAudit(endpoints, { repair: true });
    expectSucceeded(run);
    // What was read before the repair: the drift is what the alarm must see.
    expect(run.metrics.DriftedMembers).toBe(3);
    expect(statusOf(B, REGION)).toBe('Invited');
    expect(statusOf(C, WEST)).toBe('Invited');
    expect(statusOf(D, WEST)).toBe('Invited');
    // Created again with the email its declaration gives.
    expect(endpoints.emulator.store.getMember(ADMIN, WEST, D)?.email).toBe('security+d@example.com');
    expect(statusOf(A, REGION)).toBe('Enabled');
    // The undeclared member is left alone.
    expect(statusOf(ORG, REGION)).toBe('Enabled');
    expect(mutatingCalls().sort()).toEqual(['CreateMembers', 'InviteMembers', 'InviteMembers']);
    expect(run.report?.repaired).toEqual([
      { logicalId: 'Members', region: REGION, created: [], invited: [B] },
      { logicalId: 'Members', region: WEST, created: [D], invited: [C, D] },
    ]);
    expect(endpoints.eventBridge.events).toHaveLength(1);
    expect((endpoints.eventBridge.events[0].detail as { repaired?: unknown }).repaired).toEqual(run.report?.repaired);
    // The next run finds the fleet in sync.
    const next = await runAudit(endpoints, { repair: true });
    expect(next.metrics).toMatchObject({ DriftedMembers: 0, PendingMembers: 3, AuditSucceeded: 1 });
  });

  test('repair leaves a resource with invite false alone', async () => {
    endpoints.stack.template = template({ Members: { members: [A], invite: false } });
    const run = await runAudit(endpoints, { repair: true });
    expectSucceeded(run);
    expect(run.metrics.DriftedMembers).toBe(1);
    expect(mutatingCalls()).toEqual([]);
    expect(run.report?.repaired).toEqual([]);
  });

  test('a non-literal declaration: a failed run naming the resource, the readable ones still measured', async () => {
    endpoints.stack.template = template({
      Members: { members: [A] },
      Imported: { members: [{ AccountId: { 'Fn::ImportValue': 'shared-member' } }] },
    });
    seed(A, 'Enabled');
    const run = await runAudit(endpoints);
    expect(run.error?.message).toMatch(/^cannot audit 1 SecurityHubMembers resource of stack Admin whose declaration is not literal: Imported \(Members\[0\].AccountId is \{"Fn::ImportValue":"shared-member"\}, not a literal account id\)/);
    expect(run.metrics.AuditSucceeded).toBeUndefined();
    expect(run.metrics).toMatchObject({ DeclaredMembers: 1, DriftedMembers: 0 });
  });

  test('a resource with a Condition is not literal either', async () => {
    endpoints.stack.template = template({ Members: { members: [A], condition: 'IsProd' } });
    const run = await runAudit(endpoints);
    expect(run.error?.message).toMatch(/Members \(it carries Condition "IsProd"/);
    expect(run.metrics.AuditSucceeded).toBeUndefined();
  });

  test('parameters are resolved with the values DescribeStacks reports', async () => {
    endpoints.stack.template = template(
      { Members: { members: [{ AccountId: { Ref: 'First' } }, { AccountId: B }], regions: { Ref: 'Regions' } as unknown as unknown[] } },
      { First: { Type: 'String' }, Regions: { Type: 'CommaDelimitedList' } },
    );
    endpoints.stack.parameters = { First: A, Regions: `${REGION},${WEST}` };
    for (const region of [REGION, WEST]) {
      seed(A, 'Enabled', region);
      seed(B, 'Enabled', region);
    }
    const run = await runAudit(endpoints);
    expectSucceeded(run);
    expect(run.metrics).toMatchObject({ DeclaredMembers: 4, DriftedMembers: 0 });
  });

  test('a mixed fleet with an organization account: the organization account is audited like any member and repaired with CreateMembers', async () => {
    endpoints.emulator.store.setOrganization(ADMIN, [ORG]);
    endpoints.stack.template = template({ Members: { members: [A, ORG] } });
    seed(A, 'Enabled');
    endpoints.emulator.store.createMembers(ADMIN, REGION, [{ accountId: ORG }]);
    expect(statusOf(ORG)).toBe('Enabled');
    const inSync = await runAudit(endpoints);
    expect(inSync.metrics).toMatchObject({ DeclaredMembers: 2, DriftedMembers: 0, PendingMembers: 0, AuditSucceeded: 1 });

    endpoints.emulator.store.disassociateMembers(ADMIN, REGION, [ORG]);
    const drifted = await runAudit(endpoints, { repair: true });
    expect(drifted.metrics).toMatchObject({ DriftedMembers: 1, AuditSucceeded: 1 });
    expect(statusOf(ORG)).toBe('Enabled');
    expect(endpoints.eventBridge.events).toHaveLength(1);
  });

  test('a refused PutEvents fails the run: drift that nobody hears of is not a success', async () => {
    driftedFleet();
    endpoints.eventBridge.refuse('AccessDeniedException');
    try {
      const run = await runAudit(endpoints);
      expect(run.error?.message).toMatch(/^putting the drift event on the default event bus of us-east-1 failed: .*AccessDeniedException/);
      expect(run.metrics).toMatchObject({ DriftedMembers: 3 });
      expect(run.metrics.AuditSucceeded).toBeUndefined();
    } finally {
      endpoints.eventBridge.refuse(undefined);
    }
  });
});

describe('the embedded metric format records', () => {
  test('parse as CloudWatch specifies: an _aws block, and each metric and dimension at the top level', async () => {
    driftedFleet();
    const run = await runAudit(endpoints);
    expect(run.emf).toHaveLength(1);
    const [record] = run.emf;
    expect(Number.isInteger(record._aws.Timestamp)).toBe(true);
    expect(record._aws.CloudWatchMetrics).toHaveLength(1);
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('SecurityHubMembers');
    // One dimension only: the alarms of the construct name only Stack.
    expect(directive.Dimensions).toEqual([['Stack']]);
    expect(record.Stack).toBe(STACK_NAME);
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual(['AuditSucceeded', 'DeclaredMembers', 'DriftedMembers', 'PendingMembers', 'UndeclaredMembers']);
    for (const metric of directive.Metrics) {
      expect(metric.Unit).toBe('Count');
      expect(typeof record[metric.Name]).toBe('number');
    }
    // A member name that is both a dimension and a metric would make the record ambiguous.
    expect(Object.keys(record).filter((k) => k !== '_aws').sort()).toEqual(['AuditSucceeded', 'DeclaredMembers', 'DriftedMembers', 'PendingMembers', 'Stack', 'UndeclaredMembers']);
  });
});
