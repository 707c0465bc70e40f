/**
 * The member-side Security Hub calls of one region, with the checks that make a retried or
 * half-answered call safe (rule R5, docs/design.md): a call whose answer was lost is judged by re-reading
 * the account's administrator, not by the error.
 */
import {
  AcceptAdministratorInvitationCommand,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  ListInvitationsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { MAX_IDS_PER_CALL } from '../../lib/shared/contract';
import { reasonOf } from '../shared/errors';
import { allPages } from '../shared/fleet/reads';
import type { Log } from '../shared/log';
import { AccepterError, AdministratorRelationship, associatedAdministrator, InvitationSummary } from './planner';

/** The member-side calls the handler makes in the region of its own hub. */
export interface AccepterHub {
  readonly region: string;
  /** GetAdministratorAccount. */
  getAdministrator(): Promise<AdministratorRelationship>;
  /** Every invitation to the account, over all pages of ListInvitations. */
  listInvitations(): Promise<InvitationSummary[]>;
  /** AcceptAdministratorInvitation; succeeds when the account ends up associated with the administrator. */
  acceptInvitation(administratorId: string, invitationId: string): Promise<void>;
  /** DisassociateFromAdministratorAccount; succeeds when the account ends up not associated with the administrator. */
  disassociateFrom(administratorId: string): Promise<void>;
}

/** {@link AccepterHub} over the AWS SDK; the client paces and retries (lambda/shared/client.ts). */
export class SdkAccepterHub implements AccepterHub {
  constructor(readonly region: string, private readonly client: SecurityHubClient, private readonly log: Log) {}

  async getAdministrator(): Promise<AdministratorRelationship> {
    const out = await this.client.send(new GetAdministratorAccountCommand({}));
    const administrator = out.Administrator;
    return {
      ...(administrator?.AccountId ? { administratorId: administrator.AccountId } : {}),
      ...(administrator?.MemberStatus ? { memberStatus: administrator.MemberStatus } : {}),
    };
  }

  listInvitations(): Promise<InvitationSummary[]> {
    return allPages('ListInvitations', async (token) => {
      const out = await this.client.send(new ListInvitationsCommand({ MaxResults: MAX_IDS_PER_CALL, ...(token ? { NextToken: token } : {}) }));
      return {
        items: (out.Invitations ?? []).map((invitation) => ({
          ...(invitation.AccountId ? { administratorId: invitation.AccountId } : {}),
          ...(invitation.InvitationId ? { invitationId: invitation.InvitationId } : {}),
          ...(invitation.MemberStatus ? { memberStatus: invitation.MemberStatus } : {}),
          ...(invitation.InvitedAt ? { invitedAt: invitation.InvitedAt } : {}),
        })),
        nextToken: out.NextToken,
      };
    });
  }

  async acceptInvitation(administratorId: string, invitationId: string): Promise<void> {
    try {
      await this.client.send(new AcceptAdministratorInvitationCommand({ AdministratorId: administratorId, InvitationId: invitationId }));
    } catch (error) {
      // The acceptance may have been applied although its answer was lost, and a retry of an
      // accepted invitation may then be refused: what counts is the relationship now.
      if ((await this.isAssociatedWith(administratorId, error)) === true) {
        return;
      }
      throw new AccepterError('call-failed',
        `accepting the Security Hub invitation from administrator ${administratorId} in ${this.region} failed: ${reasonOf(error)}`,
        { cause: error });
    }
  }

  async disassociateFrom(administratorId: string): Promise<void> {
    try {
      await this.client.send(new DisassociateFromAdministratorAccountCommand({}));
    } catch (error) {
      // A retry after a lost answer finds nothing left to leave: that is success.
      if ((await this.isAssociatedWith(administratorId, error)) === false) {
        return;
      }
      throw new AccepterError('call-failed',
        `disassociating from Security Hub administrator ${administratorId} in ${this.region} failed: ${reasonOf(error)}`,
        { cause: error });
    }
  }

  /**
   * Re-reads the relationship after a failed call: true or false, or undefined when the re-read
   * fails too, which callers treat as "the call did not happen" so that its own error is reported.
   */
  private async isAssociatedWith(administratorId: string, callError: unknown): Promise<boolean | undefined> {
    try {
      const associated = associatedAdministrator(await this.getAdministrator()) === administratorId;
      this.log('WARN', 'call failed; re-read the administrator', { region: this.region, administratorId, associated, error: reasonOf(callError) });
      return associated;
    } catch (readError) {
      this.log('WARN', 'call failed and the re-read failed too', { region: this.region, administratorId, error: reasonOf(callError), readError: reasonOf(readError) });
      return undefined;
    }
  }
}
