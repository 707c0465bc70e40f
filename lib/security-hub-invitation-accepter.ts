import { randomUUID } from 'crypto';
import { CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { HandlerProvider, hubArn } from './private/handler-provider';
import { warnUnknownRegions } from './private/regions';
import { removalPolicyProblem } from './private/removal-policy';
import { checkUninvitedAccepters } from './private/uninvited-accepters';
import { SecurityHubMembers } from './security-hub-members';
import { ACCEPTER_RESOURCE_TYPE, AccepterResourceProperties } from './shared/contract';
import { administratorProblem, stackRegionProblem } from './shared/validation';

/** Properties of {@link SecurityHubInvitationAccepter}. */
export interface SecurityHubInvitationAccepterProps {
  /** The 12-digit account id of the Security Hub administrator whose invitation this account accepts. */
  readonly administratorAccountId: string;
  /**
   * What happens to the membership when the resource leaves the stack: DESTROY disassociates this
   * account from the administrator; RETAIN leaves it a member.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Send the resource an Update on every deploy, so that each deploy of this stack accepts a
   * pending invitation from the administrator when the account is not associated with it: after
   * the administrator re-invited a Removed or Resigned member (`SecurityHubMembers` with
   * `reconcileOnEveryDeploy`, or the audit's repair) or created a deleted one again. An account
   * already associated with the administrator is left as it is, without a call; one associated
   * with another administrator fails the deploy, naming both. `cdk diff` shows the resource's
   * `ReconcileToken` property changing at every synth.
   * @default false - the resource is updated only when its declaration changes, and a re-invited
   * member stays Invited until the accepter's declaration changes
   */
  readonly reconcileOnEveryDeploy?: boolean;
}

/** Stack -> path of the accepter it holds. */
const accepters = new WeakMap<Stack, string>();

/** The member-side Security Hub actions the handler calls, and nothing else. */
const ACCEPTER_ACTIONS = [
  'securityhub:ListInvitations',
  'securityhub:AcceptAdministratorInvitation',
  'securityhub:GetAdministratorAccount',
  'securityhub:DisassociateFromAdministratorAccount',
];

/**
 * Makes this stack's account an AWS Security Hub CSPM (formerly AWS Security Hub) member of an
 * administrator, in the stack's region. On deploy a custom resource accepts the administrator's
 * pending invitation (sent by a `SecurityHubMembers` in the administrator's stack), switches
 * administrators when the declared one changes, and disassociates from the administrator when the
 * resource is deleted.
 */
export class SecurityHubInvitationAccepter extends Construct {
  /** The administrator's account id, as declared. */
  readonly administratorAccountId: string;

  constructor(scope: Construct, id: string, props: SecurityHubInvitationAccepterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.validate(stack, props);
    this.administratorAccountId = props.administratorAccountId;
    warnUnknownRegions(this, [stack.region]);
    checkUninvitedAccepters(this, {
      accepters: () => this.node.root.node.findAll()
        .filter((c): c is SecurityHubInvitationAccepter => c instanceof SecurityHubInvitationAccepter)
        .map((c) => ({ scope: c, administratorAccountId: c.administratorAccountId })),
      members: () => this.node.root.node.findAll()
        .filter((c): c is SecurityHubMembers => c instanceof SecurityHubMembers)
        .map((c) => ({ stack: Stack.of(c), regions: c._regions, accountIds: c._accountIds })),
    });

    const provider = HandlerProvider.of(this, {
      id: 'SecurityHubInvitationAccepterProvider',
      assetName: 'accepter-handler',
      description: 'Security Hub invitation accepter of cdk-securityhub-members',
      // A handful of calls; the rest is room for retries when other callers share the rate limit.
      timeout: Duration.minutes(5),
    });
    const policy = new iam.Policy(this, 'Policy', {
      statements: [new iam.PolicyStatement({ actions: ACCEPTER_ACTIONS, resources: [hubArn(this, stack.region)] })],
    });
    policy.attachToRole(provider.role);

    const properties: AccepterResourceProperties = {
      AdministratorAccountId: props.administratorAccountId,
      // Random rather than the synth time: two synths in the same millisecond must differ too.
      ...(props.reconcileOnEveryDeploy ? { ReconcileToken: randomUUID() } : {}),
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: ACCEPTER_RESOURCE_TYPE,
      properties: { ...properties },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    // The handler must have its permissions before CloudFormation calls it, and until it is done.
    resource.node.addDependency(policy);
  }

  private validate(stack: Stack, props: SecurityHubInvitationAccepterProps): void {
    const administratorId = props.administratorAccountId;
    const problems: string[] = [];
    if (!Token.isUnresolved(administratorId)) {
      const problem = administratorProblem(administratorId, Token.isUnresolved(stack.account) ? undefined : stack.account);
      if (problem) {
        problems.push(problem);
      }
    }
    const regionProblem = stackRegionProblem(stack.region, { isUnresolved: (value) => Token.isUnresolved(value) });
    if (regionProblem) {
      problems.push(regionProblem);
    }
    const removal = removalPolicyProblem(props.removalPolicy);
    if (removal) {
      problems.push(removal);
    }
    // Two would fight over the one administrator an account has in the stack's region: each
    // deploy would switch it, and deleting either would disassociate the other's.
    const other = accepters.get(stack);
    if (other !== undefined && other !== this.node.path) {
      problems.push(`a second SecurityHubInvitationAccepter in stack ${stack.stackName}, beside ${other}: expected one per stack, a member account has one administrator per region`);
    } else {
      accepters.set(stack, this.node.path);
    }
    if (problems.length > 0) {
      throw new Error(`SecurityHubInvitationAccepter ${this.node.path}: ${problems.join('; ')}`);
    }
  }
}
