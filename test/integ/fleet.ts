/**
 * The integration tests' app: the README's Usage app (an administrator stack with one
 * `SecurityHubMembers`, and a member stack that accepts the invitation), in two real accounts.
 *
 * `npm run integ` deploys it with integ-runner, using the administrator account's credentials;
 * the member account must be bootstrapped to trust it (README, "Deploy for real"). The accounts
 * and the region come from the environment, so the committed snapshot (test/integ/snapshot.test.ts)
 * is made with placeholders and never holds a real account id:
 *
 * - `CDK_INTEG_ADMINISTRATOR_ACCOUNT`: the Security Hub CSPM administrator (default 999999999999)
 * - `CDK_INTEG_MEMBER_ACCOUNT`: the account it invites (default 111111111111)
 * - `CDK_INTEG_REGION`: where both hubs are enabled (default us-east-1)
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { SecurityHubInvitationAccepter, SecurityHubMembers } from '../../lib';

/** The accounts and region of a run, from the environment (placeholders when unset). */
export interface IntegEnvironment {
  readonly administratorAccountId: string;
  readonly memberAccountId: string;
  readonly region: string;
}

/** Reads the integration tests' environment variables, failing on a value that is not usable. */
export function integEnvironment(env: NodeJS.ProcessEnv = process.env): IntegEnvironment {
  const administratorAccountId = env.CDK_INTEG_ADMINISTRATOR_ACCOUNT || '999999999999';
  const memberAccountId = env.CDK_INTEG_MEMBER_ACCOUNT || '111111111111';
  const region = env.CDK_INTEG_REGION || 'us-east-1';
  for (const [name, value] of [['CDK_INTEG_ADMINISTRATOR_ACCOUNT', administratorAccountId], ['CDK_INTEG_MEMBER_ACCOUNT', memberAccountId]]) {
    if (!/^\d{12}$/.test(value)) {
      throw new Error(`invalid ${name} "${value}": expected 12 digits`);
    }
  }
  if (administratorAccountId === memberAccountId) {
    throw new Error(`invalid CDK_INTEG_MEMBER_ACCOUNT "${memberAccountId}": expected an account other than the administrator's`);
  }
  return { administratorAccountId, memberAccountId, region };
}

/** What a case changes in the Usage app. */
export interface IntegCase {
  /** The integ test's name, and the prefix of its stacks' names. */
  readonly name: string;
  /** The `removalPolicy` of both constructs. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * What `hub-check.ts` must find in the administrator's hub after integ-runner destroyed the
   * stacks: `absent` (the Delete removed the member) or `Enabled` (RETAIN: no Delete was sent).
   */
  readonly afterDestroy: 'absent' | 'Enabled';
}

/** The two cases: the Usage app as written (DESTROY), and with RETAIN. */
export const INTEG_CASES: Record<'members' | 'retain', IntegCase> = {
  members: { name: 'SecurityHubMembersDestroy', removalPolicy: RemovalPolicy.DESTROY, afterDestroy: 'absent' },
  retain: { name: 'SecurityHubMembersRetain', removalPolicy: RemovalPolicy.RETAIN, afterDestroy: 'Enabled' },
};

/** Adds one case's stacks, its assertion and its after-destroy check to `app`. */
export function buildIntegApp(app: App, integCase: IntegCase, env: IntegEnvironment = integEnvironment()): IntegTest {
  const { administratorAccountId, memberAccountId, region } = env;

  const administrator = new Stack(app, `${integCase.name}-Administrator`, {
    env: { account: administratorAccountId, region },
  });
  new SecurityHubMembers(administrator, 'Members', {
    members: [{ accountId: memberAccountId }],
    removalPolicy: integCase.removalPolicy,
  });

  const member = new Stack(app, `${integCase.name}-Member`, {
    env: { account: memberAccountId, region },
  });
  new SecurityHubInvitationAccepter(member, 'Accept', {
    administratorAccountId,
    removalPolicy: integCase.removalPolicy,
  });
  member.node.addDependency(administrator);

  // GetMembers has to run in the administrator's account: the assertions get a stack there,
  // deployed after the member stack has accepted.
  const assertions = new Stack(app, `${integCase.name}-Assertions`, {
    env: { account: administratorAccountId, region },
  });
  assertions.node.addDependency(member);

  // After the destroy, the member stack's Delete (DESTROY) has left the administrator, and the
  // administrator's Delete has removed the member; with RETAIN neither sent a Delete, so the
  // member is still Enabled, and the check then removes it so that the accounts end clean.
  // The hook runs in this folder (integ-runner's convention, and run.ts's).
  const check = ['npx', 'tsx', 'hub-check.ts', administratorAccountId, region, memberAccountId, integCase.afterDestroy];
  const integ = new IntegTest(app, integCase.name, {
    testCases: [administrator, member],
    assertionStack: assertions,
    regions: [region],
    // Every deploy runs the whole Usage app from nothing; an update from the previous snapshot
    // would need that snapshot deployed first, and the snapshot holds placeholder accounts.
    stackUpdateWorkflow: false,
    hooks: { postDestroy: [check.join(' ')] },
  });

  // Every member ends Enabled: the administrator invited it, the member stack accepted.
  integ.assertions
    .awsApiCall('SecurityHub', 'getMembers', { AccountIds: [memberAccountId] })
    .expect(ExpectedResult.objectLike({
      // One element: the member, in the administrator's hub (an account GetMembers does not
      // know would be in UnprocessedAccounts instead, and leave Members empty).
      Members: [{ AccountId: memberAccountId, AdministratorId: administratorAccountId, MemberStatus: 'Enabled' }],
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
  return integ;
}
