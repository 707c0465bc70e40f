/**
 * A minimal model of one administrator's hub for the handler's unit tests: the answers of the
 * five member operations over a map of member statuses, as the service gives them.
 */
import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateMembersCommand,
  GetMembersCommand,
  InviteMembersCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export const NOT_MEMBER = 'The request is rejected because the given account ID is not a member of the current account.';

// The mock hands each fake the command input untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Fake = (input: any) => unknown;

/** The refusals of organization accounts; the service's own texts are not published (inferred). */
export const ORGANIZATION_INVITE = 'The request is rejected because the given account ID belongs to the organization of the current account.';
export const ORGANIZATION_DELETE = 'Organization accounts cannot be deleted: disassociate them instead.';

/**
 * The hub's state: member status by account id, the accounts InviteMembers refuses, with the
 * reason, and the accounts of the administrator's organization (docs/design.md, "Organization accounts").
 */
export interface HubFixture {
  readonly state: Map<string, string>;
  readonly refuseInvite: Map<string, string>;
  readonly organization?: ReadonlySet<string>;
  /**
   * The members' timestamps, when a test needs them (rule R13): GetMembers answers them,
   * CreateMembers sets UpdatedAt and InviteMembers sets InvitedAt to the time of the call.
   */
  readonly times?: Map<string, { InvitedAt?: Date; UpdatedAt?: Date }>;
}

function stamp(state: HubFixture, id: string, field: 'InvitedAt' | 'UpdatedAt'): void {
  if (state.times) {
    const now = new Date();
    state.times.set(id, { ...state.times.get(id), UpdatedAt: now, ...(field === 'InvitedAt' ? { InvitedAt: now } : {}) });
  }
}

/** The answer of each member operation over the state `current()` returns when called. */
export function hubModels(current: () => HubFixture): Map<unknown, Fake> {
  const models = new Map<unknown, Fake>();
  models.set(GetMembersCommand, ({ AccountIds }: { AccountIds: string[] }) => ({
    Members: AccountIds.filter((id) => current().state.has(id)).map((id) => ({ AccountId: id, MemberStatus: current().state.get(id), ...current().times?.get(id) })),
    UnprocessedAccounts: AccountIds.filter((id) => !current().state.has(id)).map((id) => ({ AccountId: id, ProcessingResult: NOT_MEMBER })),
  }));
  models.set(CreateMembersCommand, ({ AccountDetails }: { AccountDetails: { AccountId: string }[] }) => {
    const unprocessed = [];
    for (const { AccountId } of AccountDetails) {
      if (current().organization?.has(AccountId) && ['Removed', undefined].includes(current().state.get(AccountId))) {
        // An organization account is Enabled at once, and again after it was disassociated.
        current().state.set(AccountId, 'Enabled');
      } else if (current().state.has(AccountId)) {
        unprocessed.push({ AccountId, ProcessingResult: 'The request is rejected because the given account ID is already a member or associated member of the current account.' });
      } else {
        current().state.set(AccountId, 'Created');
        stamp(current(), AccountId, 'UpdatedAt');
      }
    }
    return { UnprocessedAccounts: unprocessed };
  });
  models.set(InviteMembersCommand, ({ AccountIds }: { AccountIds: string[] }) => {
    const unprocessed = [];
    for (const id of AccountIds) {
      if (current().organization?.has(id)) {
        unprocessed.push({ AccountId: id, ProcessingResult: ORGANIZATION_INVITE });
      } else if (current().refuseInvite.has(id)) {
        unprocessed.push({ AccountId: id, ProcessingResult: current().refuseInvite.get(id) });
      } else {
        current().state.set(id, 'Invited');
        stamp(current(), id, 'InvitedAt');
      }
    }
    return { UnprocessedAccounts: unprocessed };
  });
  models.set(DisassociateMembersCommand, ({ AccountIds }: { AccountIds: string[] }) => {
    for (const id of AccountIds) {
      if (['Invited', 'Enabled'].includes(current().state.get(id) ?? '')) {
        current().state.set(id, 'Removed');
      }
    }
    return {};
  });
  models.set(DeleteMembersCommand, ({ AccountIds }: { AccountIds: string[] }) => {
    const unprocessed = [];
    for (const id of AccountIds) {
      if (!current().state.has(id)) {
        unprocessed.push({ AccountId: id, ProcessingResult: NOT_MEMBER });
      } else if (current().organization?.has(id)) {
        unprocessed.push({ AccountId: id, ProcessingResult: ORGANIZATION_DELETE });
      } else if (['Invited', 'Enabled'].includes(current().state.get(id)!)) {
        unprocessed.push({ AccountId: id, ProcessingResult: 'You must disassociate a member account before you can delete it.' });
      } else {
        current().state.delete(id);
      }
    }
    return { UnprocessedAccounts: unprocessed };
  });
  return models;
}

/** One call a per-region hub answered: the region, the command's name and the account ids it named. */
export interface RegionCall {
  readonly region: string;
  readonly command: string;
  readonly ids: string[];
}

/**
 * Wires `hub` to a model of each region's hub, built on first use over `current(region)`; any
 * command other than the five member operations fails the test. `onCall` sees every call first.
 */
export function wireRegionHubs(hub: AwsClientStub<SecurityHubClient>, current: (region: string) => HubFixture, onCall: (call: RegionCall) => void = () => undefined): void {
  hub.reset();
  hub.onAnyCommand().rejects(new Error('unexpected command'));
  const perRegion = new Map<string, Map<unknown, Fake>>();
  for (const command of [GetMembersCommand, CreateMembersCommand, InviteMembersCommand, DisassociateMembersCommand, DeleteMembersCommand]) {
    hub.on(command as never).callsFake(async (input: { AccountIds?: string[]; AccountDetails?: { AccountId: string }[] }, getClient: () => SecurityHubClient) => {
      const region = await getClient().config.region();
      onCall({ region, command: command.name, ids: input.AccountIds ?? input.AccountDetails?.map((d) => d.AccountId) ?? [] });
      let models = perRegion.get(region);
      if (!models) {
        models = hubModels(() => current(region));
        perRegion.set(region, models);
      }
      return models.get(command)!(input);
    });
  }
}

/** An empty member-status map per region, made on first use: `stateOf(region)`. */
export function regionStates(): (region: string) => Map<string, string> {
  const states = new Map<string, Map<string, string>>();
  return (region) => {
    let state = states.get(region);
    if (!state) {
      state = new Map();
      states.set(region, state);
    }
    return state;
  };
}
