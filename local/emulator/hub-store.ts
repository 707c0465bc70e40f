import { randomBytes } from 'node:crypto';
import { isAccountId } from '../../lib/shared/validation';
import { ServiceError } from './errors';

/**
 * A member's status, spelled as the service spells it. Deleted members are not kept: they are gone
 * from every list.
 */
export type MemberStatus = 'Created' | 'Invited' | 'Enabled' | 'Removed' | 'Resigned' | 'AccountSuspended';

/** Every {@link MemberStatus}, in the order the service documents them. */
export const MEMBER_STATUSES: readonly MemberStatus[] = ['Created', 'Invited', 'Enabled', 'Removed', 'Resigned', 'AccountSuspended'];

/** One member account of an administrator's hub in one region. */
export interface MemberRecord {
  /** The member's account id. */
  readonly accountId: string;
  /** The email given to CreateMembers, if any. */
  readonly email?: string;
  /** The administrator's account id (the hub this record belongs to). */
  readonly administratorId: string;
  /** The member's status. */
  readonly memberStatus: MemberStatus;
  /** When the latest invitation was sent, ISO 8601 UTC; absent if never invited. */
  readonly invitedAt?: string;
  /** When the status last changed, ISO 8601 UTC. */
  readonly updatedAt: string;
  /** The id of the pending (Invited) or accepted (Enabled) invitation. */
  readonly invitationId?: string;
  /**
   * The status string answered on the wire instead of `memberStatus` (e.g. the legacy `ASSOCIATED`);
   * set only by {@link HubStore.seedMember} and dropped at the next status change.
   */
  readonly reportedStatus?: string;
}

/** A pending invitation, seen from the invited member's side. */
export interface InvitationRecord {
  /** The administrator's account id (the service's `Invitation.AccountId` means the same). */
  readonly accountId: string;
  /** The administrator's account id; the same value as `accountId`, under a clearer name. */
  readonly administratorId: string;
  /** The invitation id AcceptAdministratorInvitation needs. */
  readonly invitationId: string;
  /** When the invitation was sent, ISO 8601 UTC. */
  readonly invitedAt: string;
  /**
   * The member's status at the administrator: `Invited` for a pending invitation, `Resigned` for
   * one the member accepted and then left (it remains, and can be accepted again).
   */
  readonly memberStatus: MemberStatus;
}

/** A member account's accepted administrator, as GetAdministratorAccount answers it. */
export interface AdministratorRecord {
  /** The administrator's account id. */
  readonly accountId: string;
  /** The invitation the member accepted. */
  readonly invitationId: string;
  /** When that invitation was sent, ISO 8601 UTC. */
  readonly invitedAt: string;
  /** The member's status at the administrator (`Enabled`, or the seeded `reportedStatus`). */
  readonly memberStatus: string;
}

/** An account the service did not process, with the service's reason. */
export interface UnprocessedAccount {
  /** The account id as given. */
  readonly accountId: string;
  /** Why it was not processed. */
  readonly processingResult: string;
}

/** One account's hub in one region. */
export interface HubRecord {
  /** The hub's account id. */
  readonly account: string;
  /** The hub's region. */
  readonly region: string;
  /** `arn:<partition>:securityhub:<region>:<account>:hub/default`. */
  readonly hubArn: string;
  /** Whether Security Hub is enabled (by EnableSecurityHub or, with auto-enable, by first use). */
  readonly enabled: boolean;
  /** When it was enabled, ISO 8601 UTC. */
  readonly subscribedAt?: string;
  /** The ControlFindingGenerator given to EnableSecurityHub. */
  readonly controlFindingGenerator?: string;
  /** How many members the hub has, any status. */
  readonly memberCount: number;
}

/** A member to put into a hub directly, in any status (see {@link HubStore.seedMember}). */
export interface SeedMemberInput {
  /** The member's account id. */
  readonly accountId: string;
  /** The member's email. */
  readonly email?: string;
  /** The status to put the member in. */
  readonly status: MemberStatus;
  /** A status string to answer on the wire instead of `status`, e.g. `ASSOCIATED` or `ENABLED`. */
  readonly reportedStatus?: string;
  /** When the member was invited (Invited and Enabled members only); default now. */
  readonly invitedAt?: string;
  /**
   * When the member last changed, ISO 8601 UTC: a member seeded "long before" a deploy, so that a
   * rollback's comparison with the deploy's start (rule R13, docs/design.md) does not hang on a millisecond.
   * @default - now
   */
  readonly updatedAt?: string;
}

/** An account to create as a member: CreateMembers' AccountDetails entry. */
export interface AccountDetail {
  /** The account id. */
  readonly accountId: string;
  /** The account's email, kept on the member. */
  readonly email?: string;
}

/** Settings of a {@link HubStore}. */
export interface HubStoreOptions {
  /**
   * The clock behind every timestamp.
   * @default - the system clock
   */
  readonly now?: () => Date;
  /**
   * How many members one administrator may have in one region.
   * @default 1000 (the service's quota for invitation-based members)
   */
  readonly memberQuota?: number;
  /**
   * Accounts in each administrator's organization, by administrator account id (docs/design.md,
   * "Organization accounts"): CreateMembers makes them Enabled members at once, InviteMembers and DeleteMembers refuse
   * them, DisassociateMembers leaves them Removed.
   * @default - no organization: every account is an invitation-based member
   */
  readonly organizations?: Readonly<Record<string, readonly string[]>>;
}

/** Options of {@link HubStore.inviteMembers}. */
export interface InviteOptions {
  /** Accounts whose invitation fails, as if their email address were not verified. */
  readonly uninvitable?: Iterable<string>;
}

/** The persisted form of a {@link HubStore}, as `toJSON` writes it. */
export interface HubStoreJson {
  /** The format version; 1. */
  readonly version: 1;
  /** The counter behind {@link HubStore.duplicateInvitations}. */
  readonly duplicateInvitations: number;
  /** Every hub with state. */
  readonly hubs: HubJson[];
  /**
   * The organizations, by administrator account id; absent when there are none. Kept with the
   * state so that a later run (a local destroy after a deploy) sees the same organization.
   */
  readonly organizations?: Record<string, string[]>;
}

/** One hub in {@link HubStoreJson}. */
export interface HubJson {
  /** The hub's account id. */
  readonly account: string;
  /** The hub's region. */
  readonly region: string;
  /** Whether Security Hub is enabled. */
  readonly enabled: boolean;
  /** When it was enabled. */
  readonly subscribedAt?: string;
  /** The ControlFindingGenerator given to EnableSecurityHub. */
  readonly controlFindingGenerator?: string;
  /** The members, by account id. */
  readonly members: MemberRecord[];
  /** Invitations ever sent, by member account id. */
  readonly invitationsSent: Record<string, number>;
}

/**
 * The messages answered in UnprocessedAccounts. The first is the service's own (observed); the
 * others keep its style and the words a caller may look for ("not a member", "already associated").
 */
export const PROCESSING_RESULTS = {
  alreadyMember: 'The request is rejected because the given account ID is already a member or associated member of the current account.',
  notMember: 'The request is rejected because the given account ID is not a member of the current account.',
  self: 'The request is rejected because the given account ID is the current account: an account cannot be a member of itself.',
  invalidAccountId: 'The request is rejected because the given account ID is not valid: expected 12 digits.',
  alreadyAssociated: 'The request is rejected because the given account ID is already associated with the current account.',
  suspended: 'The request is rejected because the given account is suspended.',
  uninvitable: 'The account could not be invited: the email address is not verified.',
  disassociateFirst: 'You must disassociate a member account before you can delete it.',
  noInvitation: 'The request is rejected because there is no pending invitation from the given account ID.',
  // (inferred) No public source quotes the service's text for these two refusals; the documented
  // facts are that organization accounts receive no invitations and that DeleteMembers only
  // deletes accounts that became members by invitation.
  organizationInvite: 'The request is rejected because the given account ID belongs to the organization of the current account: ' +
    'organization accounts are added with CreateMembers, not invited.',
  organizationDelete: 'The request is rejected because the given account ID belongs to the organization of the current account: ' +
    'only accounts that became members by invitation can be deleted; disassociate organization accounts instead.',
  organizationLeave: 'The request is rejected because the account belongs to the organization of its administrator account: ' +
    'only the administrator can disassociate it.',
  quota: (quota: number) =>
    `The request is rejected because the current account would exceed its quota of ${quota} member accounts in this Region.`,
} as const;

/** The most account ids one call may carry. */
export const MAX_IDS_PER_CALL = 50;


interface MutableMember {
  accountId: string;
  email?: string;
  administratorId: string;
  memberStatus: MemberStatus;
  invitedAt?: string;
  updatedAt: string;
  invitationId?: string;
  reportedStatus?: string;
}

/** One emulated hub: an account's Security Hub in one region, with its members and the invitations it sent. */
interface EmulatedHub {
  readonly account: string;
  readonly region: string;
  enabled: boolean;
  subscribedAt?: string;
  controlFindingGenerator?: string;
  readonly members: Map<string, MutableMember>;
  readonly invitationsSent: Map<string, number>;
}

/**
 * The whole state of the emulated service: one hub per (account, region), its members, and the
 * invitations between them. No HTTP here, so every rule can be tested directly.
 *
 * The member side (invitations, administrator) is derived from the administrators' member records
 * rather than stored twice, so the two sides can never disagree: M has a pending invitation from A
 * exactly when A's member M is Invited, and A is M's administrator exactly when A's member M is
 * Enabled.
 */
export class HubStore {
  /**
   * Reads a store back from its `toJSON` form.
   *
   * @param json the parsed JSON
   * @param options the new store's settings
   */
  static fromJSON(json: unknown, options: HubStoreOptions = {}): HubStore {
    const data = json as Partial<HubStoreJson> | undefined;
    if (!data || typeof data !== 'object' || data.version !== 1 || !Array.isArray(data.hubs)) {
      throw new Error('invalid emulator state: expected an object with "version": 1 and a "hubs" array');
    }
    const store = new HubStore(options);
    store.duplicates = typeof data.duplicateInvitations === 'number' ? data.duplicateInvitations : 0;
    for (const [administrator, accounts] of Object.entries(data.organizations ?? {})) {
      // The options name the organization the caller wants now; the file only fills in the rest.
      if (!Array.isArray(accounts)) {
        throw new Error(`invalid emulator state: organization of ${administrator} must be a list of account ids`);
      }
      if (!options.organizations?.[administrator]) {
        store.setOrganization(administrator, accounts);
      }
    }
    for (const hub of data.hubs) {
      if (typeof hub?.account !== 'string' || typeof hub.region !== 'string' || !Array.isArray(hub.members)) {
        throw new Error(`invalid emulator state: hub entry ${JSON.stringify(hub)} needs "account", "region" and "members"`);
      }
      const state = store.hubFor(hub.account, hub.region);
      state.enabled = hub.enabled === true;
      state.subscribedAt = hub.subscribedAt;
      state.controlFindingGenerator = hub.controlFindingGenerator;
      for (const member of hub.members) {
        if (typeof member?.accountId !== 'string' || !MEMBER_STATUSES.includes(member.memberStatus)) {
          throw new Error(`invalid emulator state: member entry ${JSON.stringify(member)} of hub ${hub.account}/${hub.region}`);
        }
        state.members.set(member.accountId, { ...member, administratorId: hub.account });
      }
      for (const [accountId, count] of Object.entries(hub.invitationsSent ?? {})) {
        state.invitationsSent.set(accountId, Number(count));
      }
    }
    store.changes = 0;
    return store;
  }

  private readonly hubs = new Map<string, Map<string, EmulatedHub>>();
  private readonly now: () => Date;
  private readonly memberQuota: number;
  private readonly organizations = new Map<string, ReadonlySet<string>>();
  private duplicates = 0;
  private changes = 0;

  /** @param options the store's clock, quota and organizations */
  constructor(options: HubStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.memberQuota = options.memberQuota ?? 1000;
    for (const [administrator, accounts] of Object.entries(options.organizations ?? {})) {
      this.setOrganization(administrator, accounts);
    }
  }

  /**
   * A counter that grows with every change of state; the emulator compares it before and after a
   * call to know whether to write the state file.
   */
  get revision(): number {
    return this.changes;
  }

  // ---------------------------------------------------------------- hubs

  /** Every hub that has state (enabled, members, or invitations sent), sorted by region then account. */
  hubList(): HubRecord[] {
    const result: HubRecord[] = [];
    for (const region of [...this.hubs.keys()].sort()) {
      const accounts = this.hubs.get(region)!;
      for (const account of [...accounts.keys()].sort()) {
        const hub = accounts.get(account)!;
        if (hub.enabled || hub.members.size > 0 || hub.invitationsSent.size > 0) {
          result.push(this.hubRecord(hub));
        }
      }
    }
    return result;
  }

  /** One account's hub in one region, if it has any state. */
  getHub(account: string, region: string): HubRecord | undefined {
    const hub = this.findHub(account, region);
    return hub ? this.hubRecord(hub) : undefined;
  }

  /**
   * EnableSecurityHub.
   *
   * @throws ServiceError ResourceConflictException when the hub is already enabled
   */
  enableHub(account: string, region: string, options: { controlFindingGenerator?: string } = {}): HubRecord {
    const hub = this.hubFor(account, region);
    if (hub.enabled) {
      throw new ServiceError('ResourceConflictException', `Account ${account} is already subscribed to AWS Security Hub in ${region}.`);
    }
    hub.enabled = true;
    hub.subscribedAt = this.timestamp();
    hub.controlFindingGenerator = options.controlFindingGenerator ?? 'SECURITY_CONTROL';
    this.changes++;
    return this.hubRecord(hub);
  }

  /**
   * DisableSecurityHub. The API reference: "You can't disable Security Hub in an account that is
   * currently the Security Hub administrator", and on success "your administrator and member account
   * associations are removed". So an account with Invited or Enabled members is refused (it must
   * disassociate them first, as the user guide asks), and a member account leaves its administrator,
   * whose member becomes Resigned as after DisassociateFromAdministratorAccount. (Inferred: the
   * refusal's error type, InvalidAccessException, the one the operation declares that fits; that
   * Created, Removed and Resigned members are no obstacle; and that the hub's remaining members are
   * kept, since the service deletes configuration only 90 days later.)
   *
   * @throws ServiceError InvalidAccessException when the hub is not enabled, or the account is an administrator
   */
  disableHub(account: string, region: string): void {
    const hub = this.findHub(account, region);
    if (!hub?.enabled) {
      throw new ServiceError('InvalidAccessException', `Account ${account} is not subscribed to AWS Security Hub`);
    }
    const associated = [...hub.members.values()].filter((m) => m.memberStatus === 'Invited' || m.memberStatus === 'Enabled');
    if (associated.length > 0) {
      throw new ServiceError('InvalidAccessException',
        `Account ${account} is the Security Hub administrator of ${associated.length} member account(s) in ${region} ` +
        `(${associated.slice(0, 5).map((m) => m.accountId).join(', ')}${associated.length > 5 ? ', ...' : ''}): ` +
        'disassociate them before disabling Security Hub.');
    }
    const membership = this.enabledAt(account, region);
    if (membership) {
      this.setStatus(membership, 'Resigned');
    }
    hub.enabled = false;
    delete hub.subscribedAt;
    delete hub.controlFindingGenerator;
    this.changes++;
  }

  /**
   * Makes sure the caller's hub is enabled before a member operation.
   *
   * @param autoEnable enable a hub on first use instead of refusing the call
   * @throws ServiceError InvalidAccessException when the hub is not enabled and `autoEnable` is false
   */
  requireHub(account: string, region: string, autoEnable: boolean): void {
    const hub = this.findHub(account, region);
    if (hub?.enabled) {
      return;
    }
    if (!autoEnable) {
      throw new ServiceError('InvalidAccessException', `Account ${account} is not subscribed to AWS Security Hub`);
    }
    this.enableHub(account, region);
  }

  /**
   * DescribeHub.
   *
   * @throws ServiceError InvalidAccessException when the hub is not enabled
   */
  describeHub(account: string, region: string): HubRecord {
    const hub = this.findHub(account, region);
    if (!hub?.enabled) {
      throw new ServiceError('InvalidAccessException', `Account ${account} is not subscribed to AWS Security Hub`);
    }
    return this.hubRecord(hub);
  }

  // ---------------------------------------------------------------- organizations

  /**
   * Names the accounts in the administrator's organization, replacing any earlier list (an empty
   * list removes the organization). Members already in the hub keep their status.
   *
   * @throws Error when an id is not 12 digits or is the administrator itself
   */
  setOrganization(adminAccount: string, accountIds: readonly string[]): void {
    for (const id of [adminAccount, ...accountIds]) {
      if (!isAccountId(id)) {
        throw new Error(`invalid organization account id "${id}": expected 12 digits`);
      }
    }
    if (accountIds.includes(adminAccount)) {
      throw new Error(`organization of ${adminAccount} lists the administrator itself: expected only its member accounts`);
    }
    if (accountIds.length === 0) {
      this.organizations.delete(adminAccount);
    } else {
      this.organizations.set(adminAccount, new Set(accountIds));
    }
    this.changes++;
  }

  /** Whether the account is in the administrator's organization. */
  isOrganizationAccount(adminAccount: string, accountId: string): boolean {
    return this.organizations.get(adminAccount)?.has(accountId) ?? false;
  }

  /** The accounts in each administrator's organization, sorted. */
  organizationList(): Record<string, string[]> {
    return Object.fromEntries([...this.organizations.entries()]
      .sort((a, b) => compare(a[0], b[0]))
      .map(([administrator, accounts]) => [administrator, [...accounts].sort(compare)]));
  }

  // ---------------------------------------------------------------- administrator side

  /** Every member of the administrator's hub in the region, any status, sorted by account id. */
  listMembers(adminAccount: string, region: string): MemberRecord[] {
    const hub = this.findHub(adminAccount, region);
    if (!hub) {
      return [];
    }
    return [...hub.members.values()]
      .sort((a, b) => compare(a.accountId, b.accountId))
      .map((member) => ({ ...member }));
  }

  /** One member of the administrator's hub, if it is a member. */
  getMember(adminAccount: string, region: string, accountId: string): MemberRecord | undefined {
    const member = this.findHub(adminAccount, region)?.members.get(accountId);
    return member ? { ...member } : undefined;
  }

  /**
   * Puts a member into the administrator's hub in any status, replacing any record of it; tests use
   * this for members the code under test did not declare. Seeding sends no invitation: it is not
   * counted by {@link invitationCount}.
   *
   * An Invited member gets a pending invitation and an Enabled one has this administrator, because
   * the member side is derived from these records.
   *
   * @throws Error when the input is not a valid member, or an Enabled member already has another
   * administrator in that region
   */
  seedMember(adminAccount: string, region: string, input: SeedMemberInput): MemberRecord {
    if (!input.accountId || input.accountId === adminAccount) {
      throw new Error(`cannot seed member "${input.accountId}" of ${adminAccount}: expected another account id`);
    }
    if (!MEMBER_STATUSES.includes(input.status)) {
      throw new Error(`cannot seed member ${input.accountId} with status "${input.status}": expected one of ${MEMBER_STATUSES.join(', ')}`);
    }
    if (input.status === 'Enabled') {
      const current = this.enabledAt(input.accountId, region);
      if (current && current.administratorId !== adminAccount) {
        throw new Error(`cannot seed ${input.accountId} as Enabled member of ${adminAccount}: it is already an Enabled member of ${current.administratorId} in ${region}`);
      }
    }
    const now = this.timestamp();
    const member: MutableMember = {
      accountId: input.accountId,
      administratorId: adminAccount,
      memberStatus: input.status,
      updatedAt: input.updatedAt ?? now,
    };
    if (input.email !== undefined) {
      member.email = input.email;
    }
    if (input.status === 'Invited' || input.status === 'Enabled') {
      member.invitationId = newInvitationId();
      member.invitedAt = input.invitedAt ?? now;
    }
    if (input.reportedStatus !== undefined) {
      member.reportedStatus = input.reportedStatus;
    }
    this.hubFor(adminAccount, region).members.set(input.accountId, member);
    this.changes++;
    return { ...member };
  }

  /**
   * CreateMembers: new accounts become Created members. An account of the administrator's
   * organization becomes an Enabled member at once, without an invitation, and one that was
   * disassociated (Removed) is Enabled again.
   *
   * @returns the accounts not processed, with the reason
   * @throws ServiceError InvalidInputException when the list is empty or longer than 50
   */
  createMembers(adminAccount: string, region: string, details: readonly AccountDetail[]): UnprocessedAccount[] {
    validateAccountDetails(details);
    const hub = this.hubFor(adminAccount, region);
    const unprocessed: UnprocessedAccount[] = [];
    for (const { accountId, email } of details) {
      if (!isAccountId(accountId)) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.invalidAccountId });
      } else if (accountId === adminAccount) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.self });
      } else if (this.isOrganizationAccount(adminAccount, accountId)) {
        const result = this.addOrganizationMember(hub, accountId, email);
        if (result) {
          unprocessed.push({ accountId, processingResult: result });
        }
      } else if (hub.members.has(accountId)) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.alreadyMember });
      } else if (this.invitationMembers(hub) >= this.memberQuota) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.quota(this.memberQuota) });
      } else {
        const member: MutableMember = { accountId, administratorId: adminAccount, memberStatus: 'Created', updatedAt: this.timestamp() };
        if (email) {
          member.email = email;
        }
        hub.members.set(accountId, member);
        this.changes++;
      }
    }
    return unprocessed;
  }

  /**
   * InviteMembers: Created, Removed, Resigned and (again) Invited members become Invited with a new
   * invitation. Inviting an Invited member sends a second invitation, as the service does; it
   * replaces the first and is counted by {@link duplicateInvitations}. Organization accounts
   * receive no invitations: they are refused, whatever their status.
   *
   * @returns the accounts not processed, with the reason
   * @throws ServiceError InvalidInputException when the list is empty or longer than 50
   */
  inviteMembers(adminAccount: string, region: string, accountIds: readonly string[], options: InviteOptions = {}): UnprocessedAccount[] {
    validateAccountIds('AccountIds', accountIds);
    const uninvitable = new Set(options.uninvitable ?? []);
    const hub = this.findHub(adminAccount, region);
    const unprocessed: UnprocessedAccount[] = [];
    for (const accountId of accountIds) {
      const member = hub?.members.get(accountId);
      if (!hub || !member) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.notMember });
      } else if (this.isOrganizationAccount(adminAccount, accountId)) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.organizationInvite });
      } else if (member.memberStatus === 'Enabled') {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.alreadyAssociated });
      } else if (member.memberStatus === 'AccountSuspended') {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.suspended });
      } else if (uninvitable.has(accountId)) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.uninvitable });
      } else {
        if (member.memberStatus === 'Invited') {
          this.duplicates++;
        }
        const now = this.timestamp();
        this.setStatus(member, 'Invited');
        member.invitationId = newInvitationId();
        member.invitedAt = now;
        hub.invitationsSent.set(accountId, (hub.invitationsSent.get(accountId) ?? 0) + 1);
      }
    }
    return unprocessed;
  }

  /**
   * GetMembers.
   *
   * @returns the members found, and the other accounts as not processed ("not a member")
   * @throws ServiceError InvalidInputException when the list is empty or longer than 50
   */
  getMembers(adminAccount: string, region: string, accountIds: readonly string[]): { members: MemberRecord[]; unprocessed: UnprocessedAccount[] } {
    validateAccountIds('AccountIds', accountIds);
    const members: MemberRecord[] = [];
    const unprocessed: UnprocessedAccount[] = [];
    for (const accountId of accountIds) {
      const member = this.getMember(adminAccount, region, accountId);
      if (member) {
        members.push(member);
      } else {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.notMember });
      }
    }
    return { members, unprocessed };
  }

  /**
   * DisassociateMembers: Invited and Enabled members become Removed (the invitation is withdrawn or
   * the member loses its administrator). Any other account is left alone without an error.
   *
   * @throws ServiceError InvalidInputException when the list is empty or longer than 50
   */
  disassociateMembers(adminAccount: string, region: string, accountIds: readonly string[]): void {
    validateAccountIds('AccountIds', accountIds);
    const hub = this.findHub(adminAccount, region);
    for (const accountId of accountIds) {
      const member = hub?.members.get(accountId);
      if (member && (member.memberStatus === 'Invited' || member.memberStatus === 'Enabled')) {
        this.setStatus(member, 'Removed');
      }
    }
  }

  /**
   * DeleteMembers: members in any status but Invited and Enabled are deleted (gone from every list).
   * Organization accounts are never deleted, disassociated or not.
   *
   * @returns the accounts not processed: organization accounts, associated ones ("disassociate
   * first") and non-members
   * @throws ServiceError InvalidInputException when the list is empty or longer than 50
   */
  deleteMembers(adminAccount: string, region: string, accountIds: readonly string[]): UnprocessedAccount[] {
    validateAccountIds('AccountIds', accountIds);
    const hub = this.findHub(adminAccount, region);
    const unprocessed: UnprocessedAccount[] = [];
    for (const accountId of accountIds) {
      const member = hub?.members.get(accountId);
      if (!hub || !member) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.notMember });
      } else if (this.isOrganizationAccount(adminAccount, accountId)) {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.organizationDelete });
      } else if (member.memberStatus === 'Invited' || member.memberStatus === 'Enabled') {
        unprocessed.push({ accountId, processingResult: PROCESSING_RESULTS.disassociateFirst });
      } else {
        hub.members.delete(accountId);
        this.changes++;
      }
    }
    return unprocessed;
  }

  // ---------------------------------------------------------------- member side

  /**
   * The invitations to the member account in the region that it can accept, sorted by administrator
   * id: the pending ones (Invited), and those it accepted and then left (Resigned), which the user
   * guide says remain and can be accepted again. The accepted one (Enabled) is not listed.
   */
  invitationsFor(memberAccount: string, region: string): InvitationRecord[] {
    const result: InvitationRecord[] = [];
    for (const hub of this.hubsIn(region)) {
      const member = hub.members.get(memberAccount);
      if (member && hasOpenInvitation(member) && member.invitationId && member.invitedAt) {
        result.push({
          accountId: hub.account,
          administratorId: hub.account,
          invitationId: member.invitationId,
          invitedAt: member.invitedAt,
          memberStatus: member.memberStatus,
        });
      }
    }
    return result.sort((a, b) => compare(a.accountId, b.accountId));
  }

  /** The member account's accepted administrator in the region, if any. */
  administratorOf(memberAccount: string, region: string): string | undefined {
    return this.enabledAt(memberAccount, region)?.administratorId;
  }

  /** GetAdministratorAccount: the accepted administrator with the invitation, if any. */
  administratorInvitation(memberAccount: string, region: string): AdministratorRecord | undefined {
    const member = this.enabledAt(memberAccount, region);
    if (!member) {
      return undefined;
    }
    return {
      accountId: member.administratorId,
      invitationId: member.invitationId ?? '',
      invitedAt: member.invitedAt ?? member.updatedAt,
      memberStatus: member.reportedStatus ?? member.memberStatus,
    };
  }

  /**
   * AcceptAdministratorInvitation (and the legacy AcceptInvitation): the member accepts the
   * administrator's pending invitation and becomes its Enabled member. Accepting the invitation
   * already accepted again changes nothing, so that a retry after a lost answer succeeds. A member
   * that disassociated itself (Resigned) can accept the same invitation again, as the user guide
   * says: "After you disassociate yourself from the administrator account, the invitation to be a
   * member still remains. You can accept the invitation again in the future."
   *
   * @throws ServiceError InvalidInputException when there is no such pending invitation, the member
   * already has another administrator, or the member is itself the administrator of other accounts
   */
  acceptAdministratorInvitation(memberAccount: string, region: string, administratorId: string, invitationId: string): void {
    validateRequiredId('AdministratorId', administratorId);
    validateRequiredId('InvitationId', invitationId);
    const current = this.enabledAt(memberAccount, region);
    if (current) {
      if (current.administratorId === administratorId && current.invitationId === invitationId) {
        return;
      }
      throw new ServiceError('InvalidInputException',
        `Account ${memberAccount} is already associated with administrator account ${current.administratorId} in ${region}: ` +
        'disassociate from it before accepting another invitation.');
    }
    const member = this.findHub(administratorId, region)?.members.get(memberAccount);
    if (!member || !hasOpenInvitation(member)) {
      throw new ServiceError('InvalidInputException',
        `Account ${memberAccount} has no pending invitation from administrator account ${administratorId} in ${region}.`);
    }
    if (member.invitationId !== invitationId) {
      throw new ServiceError('InvalidInputException',
        `Invitation ${invitationId} is not the pending invitation from administrator account ${administratorId} to account ${memberAccount}.`);
    }
    const ownMembers = [...(this.findHub(memberAccount, region)?.members.values() ?? [])]
      .filter((m) => m.memberStatus === 'Invited' || m.memberStatus === 'Enabled');
    if (ownMembers.length > 0) {
      throw new ServiceError('InvalidInputException',
        `Account ${memberAccount} is the administrator of ${ownMembers.length} member account(s) in ${region} ` +
        'and cannot also be a member account.');
    }
    this.setStatus(member, 'Enabled');
  }

  /**
   * DeclineInvitations: the invitation from each administrator is gone and the administrator's
   * member becomes (or stays) Resigned.
   *
   * @returns the administrators with no invitation to this account
   * @throws ServiceError InvalidInputException when the list is empty or longer than 50, or an id is blank
   */
  declineInvitations(memberAccount: string, region: string, administratorIds: readonly string[]): UnprocessedAccount[] {
    return this.dropInvitations(memberAccount, region, administratorIds);
  }

  /**
   * DeleteInvitations, called by the invited account with the ids of the administrators whose
   * invitations it deletes, as the API reference first documented it ("Deletes invitations received
   * by the AWS account"; AccountIds: "the account IDs that sent the invitations to delete"), like
   * GuardDuty's operation of the same name. (Inferred: later reference text says an administrator
   * may call it; no document says what the administrator then sees. The emulator makes the member
   * Resigned, as after DeclineInvitations, because its invitations are derived from member records.)
   *
   * @returns the administrators with no invitation to this account
   * @throws ServiceError InvalidInputException when the list is empty or longer than 50, or an id is blank
   */
  deleteInvitations(memberAccount: string, region: string, administratorIds: readonly string[]): UnprocessedAccount[] {
    return this.dropInvitations(memberAccount, region, administratorIds);
  }

  /**
   * GetInvitationsCount: how many invitations the account has, "not including the currently
   * accepted invitation" (the API reference): those {@link invitationsFor} lists.
   */
  invitationsCount(memberAccount: string, region: string): number {
    return this.invitationsFor(memberAccount, region).length;
  }

  /**
   * DisassociateFromAdministratorAccount (and the legacy DisassociateFromMasterAccount): the member
   * leaves its administrator, whose member becomes Resigned. The invitation remains, so the member
   * can accept it again (see {@link acceptAdministratorInvitation}).
   *
   * @throws ServiceError InvalidInputException when the member has no administrator, or is in that
   * administrator's organization (only the administrator can disassociate it)
   */
  disassociateFromAdministrator(memberAccount: string, region: string): void {
    const member = this.enabledAt(memberAccount, region);
    if (!member) {
      throw new ServiceError('InvalidInputException',
        `Account ${memberAccount} is not associated with an administrator account in ${region}.`);
    }
    if (this.isOrganizationAccount(member.administratorId, memberAccount)) {
      throw new ServiceError('InvalidInputException', PROCESSING_RESULTS.organizationLeave);
    }
    this.setStatus(member, 'Resigned', { keepInvitation: true });
  }

  // ---------------------------------------------------------------- counters and persistence

  /**
   * Forgets every hub, member, invitation and counter, as a new store starts; the organizations
   * stay, as they are the world the service runs in rather than its state. Tests that send many
   * runs through one handler reuse one emulator this way: the SDK inside a handler keeps the
   * endpoint it resolved first, so the emulator's URL must not change between runs.
   */
  reset(): void {
    this.hubs.clear();
    this.duplicates = 0;
    this.changes++;
  }

  /** How many invitations the administrator ever sent to the account in the region (seeding excluded). */
  invitationCount(adminAccount: string, region: string, accountId: string): number {
    return this.findHub(adminAccount, region)?.invitationsSent.get(accountId) ?? 0;
  }

  /** How many times InviteMembers invited an account that was already Invited (a second invitation). */
  duplicateInvitations(): number {
    return this.duplicates;
  }

  /** The whole state as plain JSON data; {@link HubStore.fromJSON} reads it back. */
  toJSON(): HubStoreJson {
    const hubs: HubJson[] = [];
    for (const region of [...this.hubs.keys()].sort()) {
      const accounts = this.hubs.get(region)!;
      for (const account of [...accounts.keys()].sort()) {
        const hub = accounts.get(account)!;
        if (!hub.enabled && hub.members.size === 0 && hub.invitationsSent.size === 0) {
          continue;
        }
        const entry: HubJson = {
          account,
          region,
          enabled: hub.enabled,
          members: this.listMembers(account, region),
          invitationsSent: Object.fromEntries([...hub.invitationsSent.entries()].sort((a, b) => compare(a[0], b[0]))),
        };
        hubs.push({
          ...entry,
          ...(hub.subscribedAt ? { subscribedAt: hub.subscribedAt } : {}),
          ...(hub.controlFindingGenerator ? { controlFindingGenerator: hub.controlFindingGenerator } : {}),
        });
      }
    }
    const organizations = this.organizationList();
    return { version: 1, duplicateInvitations: this.duplicates, hubs, ...(Object.keys(organizations).length > 0 ? { organizations } : {}) };
  }

  // ---------------------------------------------------------------- internals

  /**
   * Adds an organization account: Enabled at once, or again after it was disassociated.
   *
   * @returns the reason it was not processed, if it was not
   */
  private addOrganizationMember(hub: EmulatedHub, accountId: string, email: string | undefined): string | undefined {
    const member = hub.members.get(accountId);
    if (member && member.memberStatus !== 'Removed' && member.memberStatus !== 'Resigned') {
      return PROCESSING_RESULTS.alreadyMember;
    }
    const elsewhere = this.enabledAt(accountId, hub.region);
    if (elsewhere) {
      return `The request is rejected because the given account ID is already an associated member of account ${elsewhere.administratorId}.`;
    }
    if (member) {
      this.setStatus(member, 'Enabled');
      return undefined;
    }
    const created: MutableMember = { accountId, administratorId: hub.account, memberStatus: 'Enabled', updatedAt: this.timestamp() };
    if (email) {
      created.email = email;
    }
    hub.members.set(accountId, created);
    this.changes++;
    return undefined;
  }

  /** Members that count against the invitation quota: organization accounts have their own. */
  private invitationMembers(hub: EmulatedHub): number {
    let count = 0;
    for (const accountId of hub.members.keys()) {
      if (!this.isOrganizationAccount(hub.account, accountId)) {
        count++;
      }
    }
    return count;
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  /**
   * Changes a member's status. Removed and Resigned members lose their invitation, except a member
   * that left its administrator itself (`keepInvitation`): its invitation remains (user guide).
   */
  private setStatus(member: MutableMember, status: MemberStatus, options: { keepInvitation?: boolean } = {}): void {
    member.memberStatus = status;
    member.updatedAt = this.timestamp();
    delete member.reportedStatus;
    if ((status === 'Removed' || status === 'Resigned') && !options.keepInvitation) {
      delete member.invitationId;
    }
    this.changes++;
  }

  /** DeclineInvitations and DeleteInvitations: the invitations from these administrators are gone. */
  private dropInvitations(memberAccount: string, region: string, administratorIds: readonly string[]): UnprocessedAccount[] {
    validateAccountIds('AccountIds', administratorIds);
    const unprocessed: UnprocessedAccount[] = [];
    for (const administratorId of administratorIds) {
      const member = this.findHub(administratorId, region)?.members.get(memberAccount);
      if (member && hasOpenInvitation(member)) {
        this.setStatus(member, 'Resigned');
      } else {
        unprocessed.push({ accountId: administratorId, processingResult: PROCESSING_RESULTS.noInvitation });
      }
    }
    return unprocessed;
  }

  /** The record that makes some administrator the member's administrator, if any. */
  private enabledAt(memberAccount: string, region: string): MutableMember | undefined {
    for (const hub of this.hubsIn(region)) {
      const member = hub.members.get(memberAccount);
      if (member?.memberStatus === 'Enabled') {
        return member;
      }
    }
    return undefined;
  }

  private hubsIn(region: string): Iterable<EmulatedHub> {
    return this.hubs.get(region)?.values() ?? [];
  }

  private findHub(account: string, region: string): EmulatedHub | undefined {
    return this.hubs.get(region)?.get(account);
  }

  private hubFor(account: string, region: string): EmulatedHub {
    let accounts = this.hubs.get(region);
    if (!accounts) {
      accounts = new Map();
      this.hubs.set(region, accounts);
    }
    let hub = accounts.get(account);
    if (!hub) {
      hub = { account, region, enabled: false, members: new Map(), invitationsSent: new Map() };
      accounts.set(account, hub);
    }
    return hub;
  }

  private hubRecord(hub: EmulatedHub): HubRecord {
    return {
      account: hub.account,
      region: hub.region,
      hubArn: hubArn(hub.account, hub.region),
      enabled: hub.enabled,
      subscribedAt: hub.subscribedAt,
      controlFindingGenerator: hub.controlFindingGenerator,
      memberCount: hub.members.size,
    };
  }
}

/** The ARN of an account's hub in a region, in the region's partition. */
export function hubArn(account: string, region: string): string {
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:securityhub:${region}:${account}:hub/default`;
}

/**
 * Checks the account ids of a request as the service's model does, before anything changes: 1 to 50
 * of them, none empty or only spaces (the model's pattern `.*\S.*`). One bad id fails the whole
 * request with InvalidInputException; the other ids are not processed.
 *
 * @param field the request field, named in the error
 * @throws ServiceError InvalidInputException naming the field and the bad value
 */
export function validateAccountIds(field: string, accountIds: readonly string[]): void {
  checkIdCount(field, accountIds.length);
  checkNotBlank(field, accountIds);
}

/**
 * Checks CreateMembers' AccountDetails as the service's model does, before anything changes: 1 to
 * 50 entries, no AccountId and no Email (when given) empty or only spaces (pattern `.*\S.*`).
 *
 * @throws ServiceError InvalidInputException naming the bad value
 */
export function validateAccountDetails(details: readonly AccountDetail[]): void {
  checkIdCount('AccountDetails', details.length);
  checkNotBlank('AccountDetails[].AccountId', details.map((detail) => detail.accountId));
  checkNotBlank('AccountDetails[].Email', details.map((detail) => detail.email));
}

/**
 * Checks a single required id (AdministratorId, InvitationId, MasterId) against the model's pattern.
 *
 * @throws ServiceError InvalidInputException when it is empty or only spaces
 */
export function validateRequiredId(field: string, value: string): void {
  checkNotBlank(field, [value]);
}

function checkIdCount(field: string, count: number): void {
  if (count < 1 || count > MAX_IDS_PER_CALL) {
    throw new ServiceError('InvalidInputException',
      `${field} must hold 1 to ${MAX_IDS_PER_CALL} account ids (the limit per call), got ${count}.`);
  }
}

// The model's pattern `.*\S.*`: at least one character that is not white space.
const NOT_BLANK = /\S/;

function checkNotBlank(field: string, values: ReadonlyArray<string | undefined>): void {
  const index = values.findIndex((value) => value !== undefined && !NOT_BLANK.test(value));
  if (index >= 0) {
    const where = values.length > 1 ? ` (entry ${index})` : '';
    throw new ServiceError('InvalidInputException',
      `Invalid ${field}${where}: ${JSON.stringify(values[index])} must contain a non-space character (pattern .*\\S.*).`);
  }
}

/**
 * Whether the member side holds an invitation from this record's administrator that it may accept:
 * a pending one (Invited), or one it accepted and then left itself (Resigned, invitation kept).
 */
function hasOpenInvitation(member: MutableMember): boolean {
  return member.memberStatus === 'Invited' || (member.memberStatus === 'Resigned' && member.invitationId !== undefined);
}

function newInvitationId(): string {
  return randomBytes(16).toString('hex');
}

// Plain code-unit order: account ids are digits, and the order must not depend on the locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
