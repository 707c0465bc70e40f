/**
 * The administrator's stack in any layout of `SecurityHubMembers` (construct ids and the accounts
 * each declares), made from one synthesized stack instead of a synth per layout: the property tests
 * deploy hundreds of layouts. Each resource is the synthesized one under another logical id and
 * construct path, as a rename would give it, with its own Members; the template is CloudFormation's.
 */
import type { LocalResource, LocalStack } from '../../local/deploy/assembly';
import { MEMBERS_RESOURCE_TYPE } from '../../lib/shared/contract';
import { synthesize } from './harness';

/** Account ids by construct id: each entry is one `SecurityHubMembers` of the stack, in this order. */
export type StackLayout = Record<string, string[]>;

let synthesized: LocalStack | undefined;

function baseStack(): LocalStack {
  synthesized ??= synthesize({ members: [{ accountId: '100000000000' }] })[0];
  return synthesized;
}

/** The stack with one `SecurityHubMembers` per entry of `layout`, logical id and construct id alike. */
export function stackOfLayout(layout: StackLayout): LocalStack {
  const base = baseStack();
  const model = base.resources.find((r) => r.type === MEMBERS_RESOURCE_TYPE)!;
  const baseResources = base.template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  const others = Object.fromEntries(Object.entries(baseResources).filter(([id]) => id !== model.logicalId));
  const resources: LocalResource[] = Object.entries(layout).map(([id, accounts]) => ({
    ...model,
    logicalId: id,
    path: `${base.name}/${id}/Resource/Default`,
    properties: { ...model.properties, Members: accounts.map((accountId) => ({ AccountId: accountId })) },
  }));
  const templateResources = Object.fromEntries(resources.map((r) => [r.logicalId, {
    ...baseResources[model.logicalId],
    Properties: { ...baseResources[model.logicalId].Properties, Members: (r.properties.Members as unknown[]) },
    Metadata: { ...baseResources[model.logicalId].Metadata, 'aws:cdk:path': r.path },
  }]));
  return { ...base, resources, template: { ...base.template, Resources: { ...others, ...templateResources } } };
}
