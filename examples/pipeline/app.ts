#!/usr/bin/env node
/**
 * The pipeline example's CDK app: `npm run example:pipeline` synthesizes it into
 * examples/pipeline/cdk.out, offline. The accounts and members come from the repository's cdk.json
 * context (as the sample app's do), `organizationAccounts` included (no member stage for them); the pipeline account and the connection can be given with
 * `-c pipelineAccount=...` and `-c connectionArn=...`.
 */
import { App } from 'aws-cdk-lib';
import { MemberAccount } from 'cdk-securityhub-members';
import { buildPipeline } from './pipeline';

const app = new App();
const context = (key: string): string | undefined => app.node.tryGetContext(key);
const administratorAccount = context('administratorAccount') ?? '999999999999';
// Values given with `-c` arrive as strings; cdk.json gives them typed.
const rawMembers: unknown = app.node.tryGetContext('members') ?? [{ accountId: '111111111111' }];
// cdk.json gives a list; `-c organizationAccounts=333333333333,444444444444` a comma-separated string.
const rawOrganization: unknown = app.node.tryGetContext('organizationAccounts') ?? [];
buildPipeline(app, {
  pipelineAccount: context('pipelineAccount') ?? administratorAccount,
  administratorAccount,
  region: context('region') ?? 'us-east-1',
  members: (typeof rawMembers === 'string' ? JSON.parse(rawMembers) : rawMembers) as MemberAccount[],
  organizationAccounts: typeof rawOrganization === 'string' ? rawOrganization.split(',').map((id) => id.trim()).filter((id) => id !== '') : rawOrganization as string[],
  connectionArn: context('connectionArn') ?? `arn:aws:codeconnections:us-east-1:${administratorAccount}:connection/00000000-0000-0000-0000-000000000000`,
  repository: context('repository') ?? 'my-org/security-hub-fleet',
});
app.synth();
