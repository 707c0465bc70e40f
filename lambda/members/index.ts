/**
 * The Lambda entry of `Custom::SecurityHubMembers`, called by the aws-cdk-lib Provider framework,
 * which sends the CloudFormation response: this returns `{ PhysicalResourceId, Data }` or throws.
 */
import type { MembersResourceData } from '../../lib/shared/contract';
import { accountOfArn, CustomResourceEvent, LambdaContext, OnEventResult, stablePhysicalId } from '../shared/cfn';
import { clientsFor } from '../shared/client';
import { log } from '../shared/log';
import { SdkMemberHub } from './hub';
import { eventTargets } from './planner';
import { HandlerEnvironment, parseDeclaration, parsePreviousDeclaration } from './properties';
import { MemberHub, reconcile, RegionOutcome } from './reconcile';

const hubs = new Map<string, MemberHub>();

function hubFor(region: string): MemberHub {
  let hub = hubs.get(region);
  if (!hub) {
    hub = new SdkMemberHub(clientsFor(region));
    hubs.set(region, hub);
  }
  return hub;
}

function environmentOf(context: LambdaContext | undefined): HandlerEnvironment {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new Error('no region: expected AWS_REGION in the environment, as Lambda sets it');
  }
  return { region, ownAccount: accountOfArn(context?.invokedFunctionArn) };
}

/** Creates, reconciles or removes the declared members. */
export async function handler(event: CustomResourceEvent, context?: LambdaContext): Promise<OnEventResult<MembersResourceData>> {
  const env = environmentOf(context);
  log('INFO', 'event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId });
  switch (event.RequestType) {
    case 'Create': {
      const declaration = parseDeclaration(event.ResourceProperties, env);
      const targets = eventTargets(declaration.members, declaration.regions, [], []);
      const outcomes = await reconcile(targets, hubFor, { invite: declaration.invite, rollbackOnFailure: true });
      return respond(stablePhysicalId('securityhub-members', event), declaration.members.length, declaration.regions.length, outcomes);
    }
    case 'Update': {
      const declaration = parseDeclaration(event.ResourceProperties, env);
      const previous = parsePreviousDeclaration(event.OldResourceProperties, env);
      const targets = eventTargets(declaration.members, declaration.regions, previous.accountIds, previous.regions);
      const outcomes = await reconcile(targets, hubFor, { invite: declaration.invite, rollbackOnFailure: true });
      return respond(physicalIdOf(event), declaration.members.length, declaration.regions.length, outcomes);
    }
    case 'Delete': {
      const declared = parsePreviousDeclaration(event.ResourceProperties, env);
      const targets = eventTargets([], [], declared.accountIds, declared.regions);
      const outcomes = await reconcile(targets, hubFor, { invite: false, rollbackOnFailure: false });
      return respond(physicalIdOf(event), 0, 0, outcomes);
    }
    default:
      throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete`);
  }
}

function physicalIdOf(event: CustomResourceEvent): string {
  // Never a new id after Create: CloudFormation would delete the old resource, and every member with it.
  if (!event.PhysicalResourceId) {
    throw new Error(`${event.RequestType} without a PhysicalResourceId: expected the id returned by Create`);
  }
  return event.PhysicalResourceId;
}

function respond(physicalResourceId: string, accounts: number, regions: number, outcomes: RegionOutcome[]): OnEventResult<MembersResourceData> {
  for (const outcome of outcomes) {
    log('INFO', 'done', {
      region: outcome.region,
      created: outcome.created,
      invited: outcome.invited,
      removed: outcome.removed,
      unchanged: outcome.unchanged.length,
      skipped: outcome.skipped,
    });
  }
  const sum = (pick: (o: RegionOutcome) => number): string => String(outcomes.reduce((total, o) => total + pick(o), 0));
  return {
    PhysicalResourceId: physicalResourceId,
    Data: { MemberCount: String(accounts * regions), EnabledCount: sum((o) => o.enabled), InvitedCount: sum((o) => o.pending) },
  };
}
