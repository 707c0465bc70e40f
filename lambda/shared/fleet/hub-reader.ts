/**
 * The read-only Security Hub calls of the drift command and the scheduled audit, over the
 * handler's clients (the same pacing and retry): DescribeHub, GetMembers in batches of 50, and
 * paginated ListMembers.
 */
import { DescribeHubCommand, ListMembersCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { MAX_IDS_PER_CALL } from '../../../lib/shared/contract';
import { accountOfArn } from '../cfn';
import type { RegionClients } from '../client';
import { isNotSubscribed } from '../errors';
import { allPages, readMemberStatuses } from './reads';

/** What DescribeHub tells about the caller in one region. */
export type HubState =
  | { readonly enabled: true; readonly account: string }
  | { readonly enabled: false };

/** The reads of one account's hub in one region. */
export interface HubReader {
  /** The region read. */
  readonly region: string;
  /** Whether Security Hub is enabled, and the caller's account from the hub's ARN. */
  describeHub(): Promise<HubState>;
  /** The service's status of each account that is a member (any status, Deleted included). */
  getStatuses(accountIds: readonly string[]): Promise<Map<string, string>>;
  /** The account id and status of every member, whatever its status. */
  listMembers(): Promise<Map<string, string>>;
}

/** {@link HubReader} over the AWS SDK. */
export class SdkHubReader implements HubReader {
  readonly region: string;
  private readonly client: SecurityHubClient;

  constructor(private readonly clients: RegionClients) {
    this.region = clients.region;
    this.client = clients.client;
  }

  async describeHub(): Promise<HubState> {
    try {
      const out = await this.client.send(new DescribeHubCommand({}));
      // arn:<partition>:securityhub:<region>:<account>:hub/default
      const account = accountOfArn(out.HubArn);
      if (!account) {
        throw new Error(`DescribeHub answered HubArn ${JSON.stringify(out.HubArn)}: expected arn:<partition>:securityhub:<region>:<account>:hub/default`);
      }
      return { enabled: true, account };
    } catch (error) {
      // The service's answer for a region where Security Hub is not enabled; the same error type
      // without "not subscribed" is a missing permission, an error as it is for the handler.
      if (isNotSubscribed(error)) {
        return { enabled: false };
      }
      throw error;
    }
  }

  getStatuses(accountIds: readonly string[]): Promise<Map<string, string>> {
    // An audit reports a Deleted member as the service lists it.
    return readMemberStatuses(this.clients, accountIds, { deleted: 'keep' });
  }

  async listMembers(): Promise<Map<string, string>> {
    const members = await allPages('ListMembers', async (token) => {
      const out = await this.client.send(new ListMembersCommand({ OnlyAssociated: false, MaxResults: MAX_IDS_PER_CALL, NextToken: token }));
      return { items: out.Members ?? [], nextToken: out.NextToken };
    });
    return new Map(members.filter((m) => m.AccountId).map((m) => [m.AccountId!, m.MemberStatus ?? 'unknown']));
  }
}
