/**
 * The sample app: the Security Hub administrator's stack declares its members, read from cdk.json
 * (context key `members`), and each invited member account gets a stack that accepts the
 * invitation. Members listed in `organizationAccounts` are in the administrator's organization:
 * Security Hub enables them without an invitation, so they get no accepter stack (and the local
 * Security Hub models them as organization accounts). The
 * same app serves `cdk synth`, `cdk deploy --all`, the local deploy (`npm run local -- deploy`) and
 * the cdk-nag test. `-c memberStacks=false` leaves the member stacks out, for a pipeline that
 * deploys them elsewhere.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { SecurityHubInvitationAccepter, SecurityHubMembers, SecurityHubMembersAudit } from '../lib';
import { parseMembers, parseOrganizationAccounts } from '../local/context';

// The context parsing is shared with the local deploy, which checks the values before a synth.
export { parseOrganizationAccounts } from '../local/context';

/** Adds the sample's stacks to `app`, configured from its context. */
export function buildSampleApp(app: App): Stack[] {
  const administratorAccount = app.node.tryGetContext('administratorAccount') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION;
  const members = parseMembers(app.node.tryGetContext('members'));
  const organizationAccounts = new Set(parseOrganizationAccounts(app.node.tryGetContext('organizationAccounts')));
  const memberStacks = String(app.node.tryGetContext('memberStacks') ?? true) !== 'false';
  // `-c reconcileOnEveryDeploy=true` shows a deploy repairing drift made outside CloudFormation:
  // the administrator's stack re-invites, and each member stack accepts again.
  const reconcileOnEveryDeploy = String(app.node.tryGetContext('reconcileOnEveryDeploy') ?? false) === 'true';

  const administrator = new Stack(app, 'SecurityHubAdministrator', {
    env: { account: administratorAccount, region },
    description: 'Security Hub administrator: declares the member accounts',
  });
  const declared = new SecurityHubMembers(administrator, 'Members', { members, reconcileOnEveryDeploy });
  // The scheduled audit (docs/audit.md): `-c auditRepair=true` has it re-add the members that left.
  new SecurityHubMembersAudit(administrator, 'Audit', { repair: String(app.node.tryGetContext('auditRepair') ?? false) === 'true' });
  new CfnOutput(administrator, 'MemberCount', { value: declared.memberCount });
  new CfnOutput(administrator, 'InvitedCount', { value: declared.invitedCount });
  const stacks = [administrator];

  if (memberStacks) {
    if (!administratorAccount) {
      // The member stacks live in other accounts: they can only name the administrator literally.
      throw new Error('member stacks need the administrator account id: expected -c administratorAccount=<12 digits>, or -c memberStacks=false');
    }
    for (const { accountId } of members.filter((m) => !organizationAccounts.has(m.accountId))) {
      const member = new Stack(app, `SecurityHubMember-${accountId}`, {
        env: { account: accountId, region },
        description: `Security Hub member ${accountId}: accepts the invitation of administrator ${administratorAccount}`,
      });
      new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: administratorAccount, reconcileOnEveryDeploy });
      // The invitation the accepter needs is sent by the administrator's stack. A construct
      // dependency between stacks is a stack dependency, in every aws-cdk-lib version the library
      // supports (`addStackDependency` came after 2.200).
      member.node.addDependency(administrator);
      stacks.push(member);
    }
  }
  return stacks;
}
