import { randomUUID } from 'crypto';
import { CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledge } from './private/compat';
import { HandlerProvider, hubArn } from './private/handler-provider';
import { removalPolicyProblem } from './private/removal-policy';
import { warnUnknownRegions } from './private/regions';
import { MAX_MEMBERS, MAX_WAIT_FOR_ACCEPTANCE_MINUTES, MEMBERS_RESOURCE_TYPE, MembersResourceProperties } from './shared/contract';
import { maxRemovalsProblem, stackRegionProblem, validateMembers, validateRegions } from './shared/validation';

/** A member account of AWS Security Hub CSPM (formerly AWS Security Hub). */
export interface MemberAccount {
  /** The member's 12-digit AWS account id. */
  readonly accountId: string;
  /**
   * The email address of the member account, shown in the invitation.
   * @default - no email address
   */
  readonly email?: string;
}

/**
 * The Security Hub request rate of the administrator account, for an account whose limit AWS
 * raised. The handler paces its calls to it and shares it between every `SecurityHubMembers` of
 * the stack, since one handler serves them all.
 */
export interface RateLimit {
  /** Requests per second, as the raised limit allows. */
  readonly ratePerSecond: number;
  /**
   * Requests that may be sent at once before pacing starts.
   * @default 30 - the service's default burst
   */
  readonly burst?: number;
}

/** Properties of {@link SecurityHubMembers}. */
export interface SecurityHubMembersProps {
  /**
   * The member accounts, at most 1,000 (the service's quota per administrator and region). The
   * list itself must be literal, so that its length is known at synth; its account ids and emails
   * may be tokens.
   */
  readonly members: MemberAccount[];
  /**
   * Whether to invite each member after creating it; without an invitation a member stays Created.
   * @default true
   */
  readonly invite?: boolean;
  /**
   * What happens to the members when the resource leaves the stack: DESTROY removes them
   * (disassociate, then delete); RETAIN leaves them as they are.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The regions whose Security Hub holds the members; the same members are managed in each.
   * Changing the set reconciles: members are added to new regions and removed from dropped ones.
   * @default - the stack's region
   */
  readonly regions?: string[];
  /**
   * Wait until every invited member has accepted (is Enabled) before the resource completes, for
   * at most this long; past it the deploy fails naming the members still pending, and a Create
   * removes the members it created. At most 50 minutes: CloudFormation gives a custom resource
   * one hour, and the deploy itself needs some of it.
   * @default - do not wait: the resource completes once the invitations are sent
   */
  readonly waitForAcceptance?: Duration;
  /**
   * Repair drift at every deploy. When true, the construct adds the resource property
   * `ReconcileToken`, whose value changes at each synth, so every `cdk deploy` sends the resource
   * an Update even when the declaration is unchanged. That Update brings each declared account
   * back by the usual rules: an account deleted outside CloudFormation is created (and invited)
   * again, a Removed or Resigned one is invited again. With an unchanged declaration it never
   * removes anything.
   *
   * What it costs: `cdk diff` always shows `ReconcileToken` changing, so the stack is never
   * skipped as unchanged, and each deploy reads every declared member (one GetMembers call per
   * 50 members per region) before any repair. Snapshot tests of a stack that sets this should
   * ignore the property's value.
   * @default false - the resource is updated only when its declaration changes
   */
  readonly reconcileOnEveryDeploy?: boolean;
  /**
   * The administrator account's Security Hub request rate, when AWS raised it above the default.
   * It sets the handler's `SECURITYHUB_MEMBERS_RATE_PER_SECOND` and `SECURITYHUB_MEMBERS_BURST`.
   * The stack has one handler for every instance, so this applies to all of them: instances of one
   * stack that set different values fail at synth, naming both. A rate above the account's real
   * limit only brings throttling, which the handler retries.
   * @default - the service's default limit: 10 requests per second, burst 30
   */
  readonly rateLimit?: RateLimit;
  /**
   * The most members one Update may remove, counted as (account, region) pairs that would really be
   * disassociated or deleted, after the accounts another SecurityHubMembers of the stack declares.
   * An Update over it fails before any change, naming the number, the limit and the first
   * accounts: to remove that many on purpose, raise this in the same change, so the removal shows
   * in review. It never stops a rollback or a Delete (removing the construct, destroying the
   * stack). `0` refuses every removal by an Update.
   * @default 10
   */
  readonly maxRemovalsPerDeploy?: number;
}

/**
 * App (the construct tree's root) -> administrator and region -> account id -> path of the
 * construct that declared it. Two stacks of one app in the same account and region manage the same
 * hub: destroying one would remove a member the other still declares.
 */
const declaredAccounts = new WeakMap<IConstruct, Map<string, Map<string, string>>>();

/** The Security Hub member actions the handler calls, and nothing else. */
const MEMBER_ACTIONS = [
  'securityhub:GetMembers',
  'securityhub:CreateMembers',
  'securityhub:InviteMembers',
  'securityhub:DisassociateMembers',
  'securityhub:DeleteMembers',
];

/**
 * Declares the AWS Security Hub CSPM (formerly AWS Security Hub) member accounts of this stack's
 * account (the administrator). On deploy a custom resource creates and invites them, reconciles
 * them when the declaration changes, and removes them when the resource is deleted. For accounts
 * outside the administrator's organization (invitations), and for organization accounts a
 * delegated administrator declares beside them; it does not designate the delegated
 * administrator or turn on automatic enablement.
 */
export class SecurityHubMembers extends Construct {
  /** The number of declared accounts times the number of managed regions. */
  readonly memberCount: string;
  /** The number of declared members that are Enabled after the deploy, summed over regions. */
  readonly enabledCount: string;
  /** The number of declared members that are Invited after the deploy, summed over regions. */
  readonly invitedCount: string;
  /**
   * The regions it manages, for a SecurityHubMembersAudit of the same stack, which scopes its role to
   * their hubs.
   *
   * @internal
   */
  readonly _regions: readonly string[];
  /**
   * The declared account ids, for the app-wide check that each SecurityHubInvitationAccepter has an
   * administrator that invites it.
   *
   * @internal
   */
  readonly _accountIds: readonly string[];

  constructor(scope: Construct, id: string, props: SecurityHubMembersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const regions = props.regions ?? [stack.region];
    this.validate(stack, props, regions);
    this._regions = [...regions];
    this._accountIds = props.members.map((m) => m.accountId);
    warnUnknownRegions(this, regions);

    const waiting = props.waitForAcceptance !== undefined;
    // One provider per stack for every instance, always able to wait: switching providers would
    // change the ServiceToken, which CloudFormation refuses, so waitForAcceptance can be turned on
    // and off on a deployed resource. Without it isComplete answers complete on its first call.
    const provider = HandlerProvider.of(this, {
      id: 'SecurityHubMembersProvider',
      assetName: 'members-handler',
      readsOwnStack: true,
      description: 'Security Hub members of cdk-securityhub-members',
      // 1,000 members take seconds at the service's rate; the rest is room for heavy throttling.
      timeout: Duration.minutes(10),
      // Under CloudFormation's one-hour limit for a custom resource, so our own messages win.
      isComplete: { queryInterval: Duration.seconds(30), totalTimeout: Duration.minutes(MAX_WAIT_FOR_ACCEPTANCE_MINUTES + 5) },
    });
    // Every region of the account: an Update that drops a region must still reach that region's
    // hub to remove the members there, and CloudFormation updates this policy before the resource.
    const hubs = hubArn(this, '*');
    const policy = new iam.Policy(this, 'Policy', {
      statements: [new iam.PolicyStatement({ actions: MEMBER_ACTIONS, resources: [hubs] })],
    });
    policy.attachToRole(provider.role);
    this.applyRateLimit(provider, props.rateLimit);
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    acknowledge(policy, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:securityhub:*:${account}:hub/default]`, 'Only the hub of this account (one per region) and only the member actions the handler calls; the region is open because dropping a region from `regions` must still remove the members there, after CloudFormation has already updated this policy.');

    const properties: MembersResourceProperties = {
      Members: props.members.map((m) => ({ AccountId: m.accountId, ...(m.email !== undefined ? { Email: m.email } : {}) })),
      Invite: props.invite ?? true,
      Regions: regions,
      ...(waiting ? { WaitForAcceptanceSeconds: props.waitForAcceptance!.toSeconds() } : {}),
      // Random rather than the synth time: two synths in the same millisecond must differ too.
      ...(props.reconcileOnEveryDeploy ? { ReconcileToken: randomUUID() } : {}),
      // Only when set, so that upgrading the library does not send every deployed resource an Update.
      ...(props.maxRemovalsPerDeploy !== undefined ? { MaxRemovalsPerDeploy: props.maxRemovalsPerDeploy } : {}),
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: MEMBERS_RESOURCE_TYPE,
      properties: { ...properties },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      serviceTimeout: Duration.hours(1),
    });
    // The handler must have its permissions before CloudFormation calls it, and until it is done.
    resource.node.addDependency(policy);
    this.memberCount = resource.getAttString('MemberCount');
    this.enabledCount = resource.getAttString('EnabledCount');
    this.invitedCount = resource.getAttString('InvitedCount');
  }

  private validate(stack: Stack, props: SecurityHubMembersProps, regions: string[]): void {
    const isUnresolved = (value: string): boolean => Token.isUnresolved(value);
    const problems: string[] = [];
    // A list token has no length at synth: the quota, duplicates and the accounts the stack's other
    // instances declare could not be checked here, nor read from the template by anyone else.
    const literalMembers = !Token.isUnresolved(props.members);
    if (!literalMembers) {
      problems.push(`members ${String(props.members)} is a token whose length is unknown at synth: expected a literal list of members, whose account ids and emails may be tokens`);
    } else {
      problems.push(...validateMembers(props.members, {
        ownAccount: Token.isUnresolved(stack.account) ? undefined : stack.account,
        isUnresolved,
        quoteEmails: true,
      }));
    }
    const regionProblem = stackRegionProblem(stack.region, { isUnresolved });
    if (regionProblem) {
      problems.push(regionProblem);
    }
    problems.push(
      ...(props.regions ? validateRegions(props.regions, { isUnresolved }) : []),
      ...this.validateWait(props.waitForAcceptance, props.invite ?? true),
      ...this.validateRateLimit(props.rateLimit),
    );
    const maxRemovals = props.maxRemovalsPerDeploy === undefined ? undefined : maxRemovalsProblem(props.maxRemovalsPerDeploy, { isUnresolved: (value) => Token.isUnresolved(value) });
    if (maxRemovals) {
      problems.push(maxRemovals);
    }
    const removal = removalPolicyProblem(props.removalPolicy);
    if (removal) {
      problems.push(removal);
    }
    if (literalMembers) {
      problems.push(...this.claimAccounts(stack, props.members, regions));
    }
    if (problems.length > 0) {
      throw new Error(`SecurityHubMembers ${this.node.path}: ${problems.join('; ')}`);
    }
  }

  /** Sets the handler's pacing from `rateLimit`, which every instance of the stack must agree on. */
  private applyRateLimit(provider: HandlerProvider, rateLimit: RateLimit | undefined): void {
    if (rateLimit === undefined) {
      return;
    }
    const problems: string[] = [];
    const settings: [string, string, number | undefined][] = [
      ['ratePerSecond', 'SECURITYHUB_MEMBERS_RATE_PER_SECOND', rateLimit.ratePerSecond],
      ['burst', 'SECURITYHUB_MEMBERS_BURST', rateLimit.burst],
    ];
    for (const [prop, variable, value] of settings) {
      if (value === undefined) {
        continue;
      }
      const other = provider.setEnvironment(variable, Token.isUnresolved(value) ? Token.asString(value) : String(value), this.node.path);
      if (other) {
        problems.push(`rateLimit.${prop} ${value} differs from ${other.value}, set by ${other.owner}: expected the same rate limit in every SecurityHubMembers of the stack, which share one handler`);
      }
    }
    if (problems.length > 0) {
      throw new Error(`SecurityHubMembers ${this.node.path}: ${problems.join('; ')}`);
    }
  }

  private validateRateLimit(rateLimit: RateLimit | undefined): string[] {
    if (rateLimit === undefined) {
      return [];
    }
    const problems: string[] = [];
    const { ratePerSecond, burst } = rateLimit;
    if (!Token.isUnresolved(ratePerSecond) && !(typeof ratePerSecond === 'number' && Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
      problems.push(`invalid rateLimit.ratePerSecond ${JSON.stringify(ratePerSecond)}: expected a positive number of requests per second`);
    }
    if (burst !== undefined && !Token.isUnresolved(burst) && !(typeof burst === 'number' && Number.isInteger(burst) && burst >= 1)) {
      problems.push(`invalid rateLimit.burst ${JSON.stringify(burst)}: expected a whole number of requests, at least 1`);
    }
    return problems;
  }

  private validateWait(wait: Duration | undefined, invite: boolean): string[] {
    if (wait === undefined) {
      return [];
    }
    const problems: string[] = [];
    if (!invite) {
      problems.push(`waitForAcceptance ${wait.isUnresolved() ? 'is set' : wait.toHumanString()} with invite false: expected invite true or no waitForAcceptance, a member that is never invited never accepts`);
    }
    if (wait.isUnresolved()) {
      return problems;
    }
    const seconds = wait.toSeconds({ integral: false });
    if (seconds < 1 || seconds > MAX_WAIT_FOR_ACCEPTANCE_MINUTES * 60) {
      problems.push(`invalid waitForAcceptance ${wait.toHumanString()}: expected between 1 second and ${MAX_WAIT_FOR_ACCEPTANCE_MINUTES} minutes`);
    } else if (!Number.isInteger(seconds)) {
      // Named here: CDK's own conversion error would not say which prop it was about.
      problems.push(`invalid waitForAcceptance ${wait.toString()} (${seconds} seconds): expected a whole number of seconds`);
    }
    return problems;
  }

  /**
   * Records this declaration's accounts per administrator and region, across the app, and reports
   * any another instance already declared and a total over the quota. Where the stack's account or
   * region is unknown (an environment-agnostic stack), only the stack's own instances compare.
   */
  private claimAccounts(stack: Stack, members: MemberAccount[], regions: string[]): string[] {
    const problems: string[] = [];
    const root = this.node.root;
    let byScope = declaredAccounts.get(root);
    if (!byScope) {
      byScope = new Map();
      declaredAccounts.set(root, byScope);
    }
    const ownIds = new Set(members.map((m) => m?.accountId).filter((id) => typeof id === 'string' && !Token.isUnresolved(id)));
    const account = Token.isUnresolved(stack.account) ? `stack ${stack.node.path}` : stack.account;
    for (const region of new Set(regions)) {
      const key = `${account}\n${Token.isUnresolved(region) ? `stack ${stack.node.path}` : region}`;
      let accounts = byScope.get(key);
      if (!accounts) {
        accounts = new Map();
        byScope.set(key, accounts);
      }
      const where = Token.isUnresolved(region) ? 'the stack\'s region' : `region ${region}`;
      for (const accountId of ownIds) {
        const owner = accounts.get(accountId);
        if (owner !== undefined && owner !== this.node.path) {
          problems.push(`account id "${accountId}" is already declared by ${owner} in ${where}: expected each account in one SecurityHubMembers per administrator account and region, in any stack of the app`);
        } else {
          accounts.set(accountId, this.node.path);
        }
      }
      // Over the quota on its own is already reported; this is the sum with the app's other instances.
      if (accounts.size > MAX_MEMBERS && ownIds.size <= MAX_MEMBERS) {
        const others = [...new Set(accounts.values())].filter((path) => path !== this.node.path);
        const administrator = Token.isUnresolved(stack.account) ? 'the stack\'s account' : `administrator ${stack.account}`;
        problems.push(`too many members for ${administrator} in ${where} (${accounts.size}, with ${others.join(', ')}): expected at most ${MAX_MEMBERS} across the app, the Security Hub quota of invitation-based members per administrator and region`);
      }
    }
    return problems;
  }
}
