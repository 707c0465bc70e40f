#!/usr/bin/env node
/**
 * A sample app: the Security Hub administrator's stack declares its members, read from cdk.json
 * (context key `members`), so that the same app serves `cdk synth`, `cdk deploy` and the local
 * deploy (`npm run local -- deploy`).
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { MemberAccount, SecurityHubMembers } from '../lib';

const app = new App();
const administratorAccount = app.node.tryGetContext('administratorAccount') ?? process.env.CDK_DEFAULT_ACCOUNT;
const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION;
// `-c members='[...]'` on the command line arrives as a JSON string; cdk.json gives the list itself.
const rawMembers: unknown = app.node.tryGetContext('members') ?? [];
const members = (typeof rawMembers === 'string' ? JSON.parse(rawMembers) : rawMembers) as MemberAccount[];

const administrator = new Stack(app, 'SecurityHubAdministrator', {
  env: { account: administratorAccount, region },
  description: 'Security Hub administrator: declares the member accounts',
});
const declared = new SecurityHubMembers(administrator, 'Members', { members });
new CfnOutput(administrator, 'MemberCount', { value: declared.memberCount });
new CfnOutput(administrator, 'InvitedCount', { value: declared.invitedCount });

app.synth();
