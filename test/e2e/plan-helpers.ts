/**
 * Plan, then deploy: helpers of the tests that hold `plan` to its promise, that what it prints is
 * what the next deploy does, account by account and region by region.
 */
import type { PlanDocument } from '../../cli/plan';
import type { LocalResource, LocalStack } from '../../local/deploy/assembly';
import type { LocalCloudFormation } from '../../local/deploy/cloudformation';
import type { RunningEmulator } from '../../local/emulator';
import { planLocal } from '../../local/plan';
import { normalizeStatus } from '../../lambda/shared/status';
import { MEMBERS_RESOURCE_TYPE } from '../../lib/shared/contract';
import { FAST, synthesize } from './harness';

/** The Security Hub operations that change something. */
export const MUTATING_OPERATIONS = ['CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers'];

/** One SecurityHubMembers of a stack built without a synth. */
export interface ResourceSpec {
  /** The logical id (and construct id). */
  readonly id: string;
  readonly members: readonly string[];
  readonly invite?: boolean;
  readonly regions?: readonly string[];
  readonly maxRemovalsPerDeploy?: number;
}

let synthesized: LocalStack | undefined;

/**
 * The administrator's stack with these resources, in this order, made from one synthesized stack
 * (the property deploys hundreds of stacks; a synth each would take minutes).
 */
export function stackOf(specs: readonly ResourceSpec[]): LocalStack {
  synthesized ??= synthesize({ members: [{ accountId: '100000000000' }] })[0];
  const base = synthesized;
  const model = base.resources.find((r) => r.type === MEMBERS_RESOURCE_TYPE)!;
  const baseResources = base.template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  const others = Object.fromEntries(Object.entries(baseResources).filter(([id]) => id !== model.logicalId));
  const resources: LocalResource[] = specs.map((spec) => ({
    ...model,
    logicalId: spec.id,
    path: `${base.name}/${spec.id}/Resource/Default`,
    properties: {
      ...model.properties,
      Members: spec.members.map((accountId) => ({ AccountId: accountId })),
      Invite: spec.invite ?? true,
      Regions: [...(spec.regions ?? [base.region])],
      ...(spec.maxRemovalsPerDeploy !== undefined ? { MaxRemovalsPerDeploy: spec.maxRemovalsPerDeploy } : {}),
    },
  }));
  const templateResources = Object.fromEntries(resources.map((r) => {
    const { ServiceToken: serviceToken } = baseResources[model.logicalId].Properties ?? {};
    return [r.logicalId, {
      ...baseResources[model.logicalId],
      Properties: { ServiceToken: serviceToken, ...r.properties },
      Metadata: { ...baseResources[model.logicalId].Metadata, 'aws:cdk:path': r.path },
    }];
  }));
  return { ...base, resources, template: { ...base.template, Resources: { ...others, ...templateResources } } };
}

/** Plans `stacks` against the local state, as `npm run local -- plan` does. */
export async function planAgainst(emulator: RunningEmulator, cfn: LocalCloudFormation, stacks: readonly LocalStack[]): Promise<PlanDocument> {
  return planLocal(stacks, { securityhub: emulator.url, cloudformation: await cfn.cloudFormationEndpoint(), environment: FAST });
}

/** `operation region` -> the account ids, sorted: what a set of calls did, whatever the batching. */
export type CallSummary = Record<string, string[]>;

function add(summary: Record<string, Set<string>>, key: string, ids: readonly string[]): void {
  if (ids.length > 0) {
    summary[key] ??= new Set();
    ids.forEach((id) => summary[key].add(id));
  }
}

function sorted(summary: Record<string, Set<string>>): CallSummary {
  return Object.fromEntries(Object.keys(summary).sort().map((key) => [key, [...summary[key]].sort()]));
}

/** The mutating calls the plan says the deploy makes; `invites` tells, per logical id, whether created accounts are invited. */
export function plannedCalls(document: PlanDocument, invites: (logicalId: string) => boolean): CallSummary {
  const summary: Record<string, Set<string>> = {};
  for (const resource of document.stacks.flatMap((s) => s.resources)) {
    for (const region of resource.regions ?? []) {
      add(summary, `CreateMembers ${region.region}`, region.create);
      add(summary, `InviteMembers ${region.region}`, [...(invites(resource.logicalId) ? region.create : []), ...region.invite, ...region.reinvite]);
      const associated = region.remove.filter((r) => ['Invited', 'Enabled'].includes(normalizeStatus(r.status)));
      add(summary, `DisassociateMembers ${region.region}`, associated.map((r) => r.accountId));
      add(summary, `DeleteMembers ${region.region}`, region.remove.map((r) => r.accountId));
    }
  }
  return sorted(summary);
}

/** The mutating calls the emulator received since its call log was last reset. */
export function madeCalls(emulator: RunningEmulator): CallSummary {
  const summary: Record<string, Set<string>> = {};
  for (const call of emulator.calls.entries()) {
    if (MUTATING_OPERATIONS.includes(call.operation)) {
      add(summary, `${call.operation} ${call.region}`, call.accountIds ?? []);
    }
  }
  return sorted(summary);
}

/** Every call the emulator received since its call log was last reset that changes something. */
export function mutatingCalls(emulator: RunningEmulator): string[] {
  return emulator.calls.entries().filter((c) => MUTATING_OPERATIONS.includes(c.operation)).map((c) => `${c.operation} ${c.region}`);
}
