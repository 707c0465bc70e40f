import {
  EVALUATION_POLICIES, EvaluationPolicy, evaluateExactly, isDeployedExactly, MembersResourceReading, readMembersResources, TemplateContext, TemplateEvaluationError,
} from '../../../../lambda/shared/template';

const A = '111111111111';
const B = '222222222222';
const ADMIN = '999999999999';

/** Parameters and conditions every template of the table declares. */
const PARAMETERS = {
  FleetAccount: { Type: 'String' },
  FleetRegions: { Type: 'CommaDelimitedList' },
  Secret: { Type: 'String', NoEcho: true },
  Stage: { Type: 'String', Default: 'test' },
  Unset: { Type: 'String' },
  FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>' },
};
const CONDITIONS = {
  InProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
  InTest: { 'Fn::Not': [{ Condition: 'InProd' }] },
  Undecided: { 'Fn::Equals': [{ Ref: 'Unset' }, 'yes'] },
  ProdOrUndecided: { 'Fn::Or': [{ Condition: 'Undecided' }, { Condition: 'InProd' }] },
};
const MAPPINGS = { Fleet: { Accounts: { Primary: A } } };

/** The stack the templates are read in: its parameter values as DescribeStacks reports them. */
const ctx: TemplateContext = {
  region: 'us-east-1',
  account: ADMIN,
  stackName: 'Admin',
  parameters: new Map([['FleetAccount', A], ['FleetRegions', 'us-east-1, eu-west-1'], ['Secret', '****'], ['Stage', 'prod'], ['FromSsm', B]]),
};

const members = (...ids: unknown[]): unknown[] => ids.map((AccountId) => ({ AccountId }));
const resource = (properties: unknown, extra: Record<string, unknown> = {}): unknown => ({
  Type: 'Custom::SecurityHubMembers',
  Properties: properties,
  ...extra,
});

/**
 * One resource's reading, compact: account ids and regions as lists or `unreadable: <reason>`;
 * `absent` when the policy leaves the resource out (its Condition is false).
 */
type Summary = 'absent' | { accountIds: string[] | string; members?: unknown; regions: string[] | string; invite?: unknown; notes?: string[] };
/** Under `exact`, a summary or the error it throws. */
type ExactResult = Summary | { throws: RegExp };

interface Row {
  readonly name: string;
  readonly resource: unknown;
  readonly exact: ExactResult;
  readonly 'over-approximating': Summary;
  readonly strict: Summary;
}

const same = (summary: Summary): Pick<Row, 'exact' | 'over-approximating' | 'strict'> => ({ 'exact': summary, 'over-approximating': summary, 'strict': summary });

/** The same templates, read under each policy. Notes are compared only where a row gives them. */
const TABLE: Row[] = [
  {
    name: 'literal members, and Ref AWS::Region as a region',
    resource: resource({ Members: [{ AccountId: A, Email: 'a@example.com' }, { AccountId: B }], Regions: ['eu-west-1', { Ref: 'AWS::Region' }], Invite: 'false' }),
    ...same({ accountIds: [A, B], members: [{ accountId: A, email: 'a@example.com' }, { accountId: B }], regions: ['eu-west-1', 'us-east-1'], invite: 'false', notes: [] }),
  },
  {
    name: 'an email from a parameter without a value: who is declared is still read',
    resource: resource({ Members: [{ AccountId: A, Email: { Ref: 'Unset' } }] }),
    'exact': { throws: /^Fleet: parameter Unset has no known value: expected/ },
    // An email never changes who is declared: nothing noted, so rule R10 warns of nothing.
    'over-approximating': { accountIds: [A], members: 'unreadable: Members[0].Email is {"Ref":"Unset"}, not a literal email', regions: ['us-east-1'], notes: [] },
    'strict': { accountIds: [A], members: 'unreadable: Members[0].Email is {"Ref":"Unset"}, not a literal email', regions: ['us-east-1'] },
  },
  {
    name: 'no Regions: the stack\'s region; a number is the string CloudFormation hands the handler',
    resource: resource({ Members: members(111111111111) }),
    ...same({ accountIds: [A], regions: ['us-east-1'], invite: undefined, notes: [] }),
  },
  {
    name: 'a Ref to a parameter with a value, and a list parameter',
    resource: resource({ Members: members({ Ref: 'FleetAccount' }), Regions: { Ref: 'FleetRegions' } }),
    ...same({ accountIds: [A], regions: ['us-east-1', 'eu-west-1'], notes: ['Ref FleetAccount', 'Ref FleetRegions'] }),
  },
  {
    name: 'Fn::Join, Fn::Split, Fn::Select, Fn::Sub and Fn::FindInMap of known values',
    resource: resource({
      Members: members({ 'Fn::Join': ['', ['1111', '11111111']] }, { 'Fn::Select': [1, { 'Fn::Split': [',', `${A},${B}`] }] }, { 'Fn::FindInMap': ['Fleet', 'Accounts', 'Primary'] }),
      Regions: [{ 'Fn::Sub': '${AWS::Region}' }, { 'Fn::Sub': ['eu-${Side}-1', { Side: 'west' }] }],
    }),
    ...same({ accountIds: [A, B, A], regions: ['us-east-1', 'eu-west-1'] }),
  },
  {
    name: 'Ref AWS::AccountId, and Ref AWS::NoValue dropping a member',
    resource: resource({ Members: [{ AccountId: { Ref: 'AWS::AccountId' } }, { Ref: 'AWS::NoValue' }, { AccountId: B }] }),
    ...same({ accountIds: [ADMIN, B], regions: ['us-east-1'] }),
  },
  {
    name: 'Fn::If on a condition the parameter values decide',
    resource: resource({ Members: members({ 'Fn::If': ['InProd', A, B] }), Regions: { 'Fn::If': ['InTest', ['ap-south-1'], { Ref: 'AWS::NoValue' }] } }),
    'exact': { accountIds: [A], regions: ['us-east-1'] },
    // Over-approximating never narrows by a condition: both branches, NoValue being the stack's region.
    'over-approximating': { accountIds: [A, B], regions: ['ap-south-1', 'us-east-1'], notes: ['Fn::If', 'Ref AWS::NoValue'] },
    'strict': { accountIds: [A], regions: ['us-east-1'] },
  },
  {
    name: 'Fn::If on a condition whose parameter has no value',
    resource: resource({ Members: members({ 'Fn::If': ['Undecided', A, B] }) }),
    'exact': { throws: /^Fleet: parameter Unset has no known value: expected literal values, parameters, .* whose values are known$/ },
    'over-approximating': { accountIds: [A, B], regions: ['us-east-1'] },
    'strict': { accountIds: 'unreadable: Members[0].AccountId is {"Fn::If":["Undecided","111111111111","222222222222"]}, not a literal account id', regions: ['us-east-1'] },
  },
  {
    name: 'a resource Condition that is false',
    resource: resource({ Members: members(A) }, { Condition: 'InTest' }),
    'exact': 'absent',
    'over-approximating': { accountIds: [A], regions: ['us-east-1'], notes: ['Condition InTest'] },
    'strict': 'absent',
  },
  {
    name: 'a resource Condition that is true although one operand is unknown',
    resource: resource({ Members: members(A) }, { Condition: 'ProdOrUndecided' }),
    ...same({ accountIds: [A], regions: ['us-east-1'] }),
  },
  {
    name: 'a resource Condition that can\'t be decided',
    resource: resource({ Members: members(A) }, { Condition: 'Undecided' }),
    'exact': { throws: /^Fleet: parameter Unset has no known value: expected/ },
    'over-approximating': { accountIds: [A], regions: ['us-east-1'], notes: ['Condition Undecided'] },
    'strict': {
      accountIds: 'unreadable: it carries Condition "Undecided", so whether it is deployed depends on values not known: parameter Unset has no known value',
      regions: 'unreadable: it carries Condition "Undecided", so whether it is deployed depends on values not known: parameter Unset has no known value',
    },
  },
  {
    name: 'an account id from Fn::GetAtt',
    resource: resource({ Members: members({ 'Fn::GetAtt': ['Lookup', 'AccountId'] }) }),
    'exact': { throws: /^Fleet: Fn::GetAtt \["Lookup","AccountId"\] is known only once deployed, or not supported: expected literal values/ },
    'over-approximating': { accountIds: 'unreadable: Fn::GetAtt ["Lookup","AccountId"] is known only once deployed, or not supported', regions: ['us-east-1'], notes: ['Fn::GetAtt'] },
    'strict': { accountIds: 'unreadable: Members[0].AccountId is {"Fn::GetAtt":["Lookup","AccountId"]}, not a literal account id', regions: ['us-east-1'] },
  },
  {
    name: 'members from Fn::ImportValue inside Fn::Split',
    resource: resource({ Members: { 'Fn::Split': [',', { 'Fn::ImportValue': 'fleet' }] } }),
    'exact': { throws: /^Fleet: Fn::ImportValue "fleet" is known only once deployed/ },
    'over-approximating': { accountIds: 'unreadable: Fn::ImportValue "fleet" is known only once deployed, or not supported', regions: ['us-east-1'], notes: ['Fn::Split', 'Fn::ImportValue'] },
    'strict': { accountIds: 'unreadable: Members is {"Fn::Split":[",",{"Fn::ImportValue":"fleet"}]}, not a literal list', regions: ['us-east-1'] },
  },
  {
    name: 'a NoEcho parameter, masked by DescribeStacks',
    resource: resource({ Members: members({ Ref: 'Secret' }) }),
    'exact': { throws: /^Fleet: parameter Secret is NoEcho, its value masked: expected/ },
    'over-approximating': { accountIds: 'unreadable: parameter Secret is NoEcho, its value masked', regions: ['us-east-1'], notes: ['Ref Secret'] },
    'strict': { accountIds: 'unreadable: Members[0].AccountId is {"Ref":"Secret"}, not a literal account id', regions: ['us-east-1'] },
  },
  {
    name: 'an SSM parameter type, its resolved value given',
    resource: resource({ Members: members({ Ref: 'FromSsm' }) }),
    ...same({ accountIds: [B], regions: ['us-east-1'] }),
  },
  {
    name: 'Regions that are not a list',
    resource: resource({ Members: members(A), Regions: 'eu-west-1' }),
    'exact': { accountIds: [A], regions: 'unreadable: Regions is "eu-west-1", not a literal list' },
    'over-approximating': { accountIds: [A], regions: ['eu-west-1'] },
    'strict': { accountIds: [A], regions: 'unreadable: Regions is "eu-west-1", not a literal list' },
  },
  {
    name: 'an Invite that is a condition\'s choice',
    resource: resource({ Members: members(A), Invite: { 'Fn::If': ['InProd', 'true', 'false'] } }),
    'exact': { accountIds: [A], regions: ['us-east-1'], invite: 'true' },
    'over-approximating': { accountIds: [A], regions: ['us-east-1'], invite: 'unreadable: Invite may be any of ["true","false"]' },
    'strict': { accountIds: [A], regions: ['us-east-1'], invite: 'true' },
  },
];

function summarize(readings: MembersResourceReading[], expected: Summary): Summary {
  if (readings.length === 0) {
    return 'absent';
  }
  const [reading] = readings;
  const show = <T>(r: { value: T } | { unreadable: string }): T | string => ('value' in r ? r.value : `unreadable: ${r.unreadable}`);
  const result: Exclude<Summary, 'absent'> = { accountIds: show(reading.accountIds), regions: show(reading.regions) };
  if (expected !== 'absent' && 'members' in expected) {
    result.members = show(reading.members);
  }
  if (expected !== 'absent' && 'invite' in expected) {
    result.invite = show(reading.invite);
  }
  if (expected !== 'absent' && expected.notes) {
    result.notes = [...reading.notes];
  }
  return result;
}

const templateOf = (row: Row): unknown => ({ Parameters: PARAMETERS, Conditions: CONDITIONS, Mappings: MAPPINGS, Resources: { Fleet: row.resource } });

describe.each(EVALUATION_POLICIES)('the %s policy', (policy: EvaluationPolicy) => {
  const rows = TABLE.filter((row) => !(typeof row[policy] === 'object' && 'throws' in (row[policy] as object)));
  const throwing = TABLE.filter((row) => !rows.includes(row));

  test.each(rows.map((row) => [row.name, row] as const))('reads %s', (_, row) => {
    const expected = row[policy] as Summary;
    expect(summarize(readMembersResources(templateOf(row), ctx, { policy }), expected)).toEqual(expected);
  });

  if (throwing.length > 0) {
    test.each(throwing.map((row) => [row.name, row] as const))('fails on %s, naming the value and the resource', (_, row) => {
      const { throws } = row[policy] as { throws: RegExp };
      expect(() => readMembersResources(templateOf(row), ctx, { policy })).toThrow(TemplateEvaluationError);
      expect(() => readMembersResources(templateOf(row), ctx, { policy })).toThrow(throws);
    });
  }
});

describe('reading the template', () => {
  test('every policy has a column in the table', () => {
    for (const row of TABLE) {
      expect(Object.keys(row).filter((k) => (EVALUATION_POLICIES as readonly string[]).includes(k)).sort()).toEqual([...EVALUATION_POLICIES].sort());
    }
  });

  test('only Custom::SecurityHubMembers resources are read, in template order', () => {
    const template = { Resources: { Second: resource({ Members: members(B) }), Accepter: { Type: 'Custom::SecurityHubInvitationAccepter', Properties: { Members: members(A) } }, First: resource({ Members: members(A) }) } };
    expect(readMembersResources(template, ctx, { policy: 'strict' }).map((r) => r.logicalId)).toEqual(['Second', 'First']);
  });

  test('without parameter values, a Ref to a parameter is unreadable to strict even with a Default', () => {
    const template = { Parameters: PARAMETERS, Resources: { Fleet: resource({ Members: members({ Ref: 'Stage' }) }) } };
    const [reading] = readMembersResources(template, { region: 'us-east-1' }, { policy: 'strict' });
    expect(reading.accountIds).toEqual({ unreadable: 'Members[0].AccountId is {"Ref":"Stage"}, not a literal account id' });
  });

  test('with parameter values, one not given takes its Default, as CloudFormation does', () => {
    const template = { Parameters: PARAMETERS, Resources: { Fleet: resource({ Members: members({ 'Fn::Join': ['', [{ Ref: 'Stage' }]] }) }) } };
    const [reading] = readMembersResources(template, { region: 'us-east-1', parameters: new Map() }, { policy: 'exact' });
    expect(reading.accountIds).toEqual({ value: ['test'] });
  });

  test('exact errors name the place given', () => {
    const template = { Resources: { Fleet: resource({ Members: members({ Ref: 'Nowhere' }) }) } };
    expect(() => readMembersResources(template, ctx, { policy: 'exact', where: 'Admin' }))
      .toThrow(/^Admin\/Fleet: Ref Nowhere names no parameter or resource of the template: expected/);
  });

  test('a self-referring condition is unreadable, not an endless loop', () => {
    const template = { Conditions: { Loop: { 'Fn::Not': [{ Condition: 'Loop' }] } }, Resources: { Fleet: resource({ Members: members(A) }, { Condition: 'Loop' }) } };
    const [reading] = readMembersResources(template, ctx, { policy: 'strict' });
    expect(reading.accountIds).toEqual({ unreadable: expect.stringMatching(/condition Loop refers to itself$/) });
  });

  test('Fn::If branches beyond 64 combinations are unknown rather than enumerated', () => {
    const either = { 'Fn::If': ['InProd', 'a', 'b'] };
    const template = { Resources: { Fleet: resource({ Members: members({ 'Fn::Join': ['', Array(7).fill(either)] }) }) } };
    const [reading] = readMembersResources(template, ctx, { policy: 'over-approximating' });
    expect(reading.accountIds).toEqual({ unreadable: expect.stringMatching(/more than 64 combinations of Fn::If branches$/) });
  });
});

describe('evaluateExactly', () => {
  const stack = { region: 'eu-west-1', account: ADMIN, stackName: 'Admin', parameters: new Map<string, string>() };

  test('evaluates every property, pseudo parameters and defaults included, and drops NoValue', () => {
    const template = { Parameters: { Stage: { Type: 'String', Default: 'test' } }, Conditions: CONDITIONS };
    const node = {
      Arn: { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'iam', '', { Ref: 'AWS::AccountId' }, 'root']] },
      Name: { 'Fn::Sub': '${AWS::StackName}-${Stage}-${!Literal}' },
      Host: { 'Fn::Sub': 'securityhub.${AWS::Region}.${AWS::URLSuffix}' },
      Gone: { Ref: 'AWS::NoValue' },
      List: ['kept', { 'Fn::If': ['InProd', 'prod-only', { Ref: 'AWS::NoValue' }] }],
    };
    expect(evaluateExactly(node, template, stack, 'Admin/Fleet')).toEqual({
      Arn: `arn:aws:iam::${ADMIN}:root`,
      Name: 'Admin-test-${Literal}',
      Host: 'securityhub.eu-west-1.amazonaws.com',
      List: ['kept'],
    });
  });

  test('the partition and URL suffix follow the region', () => {
    expect(evaluateExactly([{ Ref: 'AWS::Partition' }, { Ref: 'AWS::URLSuffix' }], {}, { region: 'cn-north-1' }, 'X')).toEqual(['aws-cn', 'amazonaws.com.cn']);
    expect(evaluateExactly({ Ref: 'AWS::Partition' }, {}, { region: 'us-gov-west-1' }, 'X')).toBe('aws-us-gov');
  });

  test('fails on a malformed function, naming it, the resource and what is expected', () => {
    expect(() => evaluateExactly({ 'Fn::Select': [5, ['a']] }, {}, stack, 'Admin/Fleet'))
      .toThrow('Admin/Fleet: Fn::Select [5,["a"]] is malformed: expected [index, list] with the index inside the list');
  });

  test('fails on a Ref to a resource: its physical id is known only once deployed', () => {
    expect(() => evaluateExactly({ Ref: 'Topic' }, { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }, stack, 'Admin/Fleet'))
      .toThrow(/^Admin\/Fleet: Ref Topic is the physical id of a resource, known only once deployed: expected/);
  });

  test('isDeployedExactly decides a resource Condition', () => {
    const template = { Parameters: PARAMETERS, Conditions: CONDITIONS, Resources: { Always: {}, OnlyInProd: { Condition: 'InProd' }, OnlyInTest: { Condition: 'InTest' } } };
    expect(['Always', 'OnlyInProd', 'OnlyInTest'].map((id) => isDeployedExactly(template, id, stack))).toEqual([true, false, true]);
  });
});
