/**
 * Compares declarations with what Security Hub reports, read-only: the comparison of the drift
 * command (docs/design.md, "Drift command") and of the scheduled audit (docs/design.md,
 * "Scheduled audit"), which read their declarations from a cloud assembly and from the deployed
 * stack respectively.
 */
import { normalizeStatus } from '../status';
import { reasonOf } from '../errors';
import type { HubReader, HubState } from './hub-reader';

/** What a readable resource declares. */
export interface Declaration {
  /** The declared account ids, in declaration order. */
  readonly accountIds: string[];
  /** Whether the members are invited (then in sync means Invited or Enabled). */
  readonly invite: boolean;
  /** The regions whose hubs hold the members. */
  readonly regions: string[];
}

/** One `Custom::SecurityHubMembers` resource to audit. */
export interface DeclaredResource {
  /** The CloudFormation stack name. */
  readonly stack: string;
  /** The stack as the CDK shows it, e.g. `Prod/SecurityHubAdministrator` for a stage's stack. */
  readonly displayName: string;
  /** The resource's logical id. */
  readonly logicalId: string;
  /** The stack's account; undefined for an environment-agnostic stack (deployed to the caller's). */
  readonly account?: string;
  /** The declaration; undefined when it can't be read. */
  readonly declaration?: Declaration;
  /** Why the declaration can't be read without guessing (a value that is not literal, a Condition). */
  readonly unreadable?: string;
}

/** A hub that could not be read: its message names the account and region, in one line. */
export class FleetReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetReadError';
  }
}

/** The status reported for a declared account that is not a member at all. */
export const NOT_A_MEMBER = 'NotAMember';

/** One declared account, as the JSON document reports it. */
export interface MemberResult {
  readonly accountId: string;
  /** The service's status, as it spells it, or `NotAMember`. */
  readonly status: string;
  readonly inSync: boolean;
}

/** One resource in one region, as the JSON document reports it (docs/design.md, "Drift command"). */
export interface ResourceResult {
  readonly stack: string;
  readonly logicalId: string;
  /** The administrator account. */
  readonly account: string;
  readonly region: string;
  readonly members: MemberResult[];
  /** Members of that administrator and region that no resource declares, sorted. */
  readonly undeclared: string[];
}

/** The JSON document of `drift --json`. */
export interface DriftDocument {
  readonly inSync: boolean;
  readonly resources: ResourceResult[];
}

/** A resource entry with what the table shows beside the JSON fields. */
export interface ComparedResource extends ResourceResult {
  readonly displayName: string;
  readonly invite: boolean;
  /** Whether invited accounts had to be Enabled (`--wait`). */
  readonly requireAccepted: boolean;
  /** False when Security Hub is not enabled in the region: every declared account is missing. */
  readonly hubEnabled: boolean;
  /** Status of each undeclared member. */
  readonly undeclaredStatuses: Map<string, string>;
}

/** A resource left out of the comparison, and why. */
export interface LeftOutResource {
  readonly displayName: string;
  readonly logicalId: string;
  readonly reason: string;
}

/** Everything one comparison found. */
export interface ComparisonResult {
  readonly resources: ComparedResource[];
  /** Resources of another administrator than the credentials'. */
  readonly otherAdministrators: LeftOutResource[];
  /** Resources whose declaration can't be read without guessing. */
  readonly unreadable: LeftOutResource[];
}

/** Whether a declared account's status matches its resource's `invite`. */
export function isInSync(status: string | undefined, invite: boolean): boolean {
  const state = normalizeStatus(status);
  return invite ? state === 'Invited' || state === 'Enabled' : state !== 'NotMember';
}

/** Whether an account declared with `invite: true` has accepted (or, for organization accounts, was enabled). */
export function isAccepted(status: string | undefined): boolean {
  return normalizeStatus(status) === 'Enabled';
}

/** The JSON document of a result: exactly the fields of docs/design.md, "Drift command". */
export function toDocument(result: ComparisonResult): DriftDocument {
  return {
    inSync: result.unreadable.length === 0 && result.resources.every((r) => r.members.every((m) => m.inSync)),
    resources: result.resources.map((r) => ({
      stack: r.stack,
      logicalId: r.logicalId,
      account: r.account,
      region: r.region,
      members: r.members.map((m) => ({ accountId: m.accountId, status: m.status, inSync: m.inSync })),
      undeclared: [...r.undeclared],
    })),
  };
}

/** Makes the reader of one region, with the credentials of `roleAccount` (assumed) or the default ones. */
export type ReaderFactory = (region: string, roleAccount: string | undefined) => HubReader;

/** Options of {@link FleetComparison}. */
export interface FleetComparisonOptions {
  readonly resources: readonly DeclaredResource[];
  readonly readerFor: ReaderFactory;
  /** Whether to read each account's resources with a role assumed in that account. */
  readonly useRoles: boolean;
  /**
   * Whether an invited account is in sync only once Enabled (`--wait`), not already when Invited.
   * @default false
   */
  readonly requireAccepted?: boolean;
}

interface Target {
  readonly resource: DeclaredResource & { declaration: NonNullable<DeclaredResource['declaration']> };
  readonly region: string;
  readonly group: Group;
}

interface Group {
  readonly admin: string;
  readonly region: string;
  readonly reader: HubReader;
  readonly enabled: boolean;
  readonly declared: Set<string>;
  statuses: Map<string, string>;
}

/**
 * One comparison of a fleet: {@link prepare} reads each hub once (DescribeHub) and decides which
 * resources are the caller's, {@link readStatuses} reads the declared accounts (repeated while
 * waiting), {@link readUndeclared} lists every member once at the end.
 */
export class FleetComparison {
  private readonly targets: Target[] = [];
  private readonly otherAdministrators: LeftOutResource[] = [];
  private readonly unreadable: LeftOutResource[] = [];
  private readonly groups = new Map<string, Group>();
  private readonly undeclared = new Map<Group, Map<string, string>>();

  constructor(private readonly options: FleetComparisonOptions) {}

  /**
   * Calls DescribeHub once per credentials and region.
   *
   * @throws FleetReadError naming the account and region whose hub could not be read
   */
  async prepare(): Promise<void> {
    const readers = new Map<string, { reader: HubReader; roleAccount?: string; declaredFor: string; state?: HubState }>();
    const keyOf = (resource: DeclaredResource, region: string): string => `${this.roleAccountOf(resource) ?? ''}|${region}`;
    for (const resource of this.options.resources) {
      if (!resource.declaration) {
        this.unreadable.push({ displayName: resource.displayName, logicalId: resource.logicalId, reason: resource.unreadable ?? 'unreadable' });
        continue;
      }
      for (const region of resource.declaration.regions) {
        const key = keyOf(resource, region);
        if (!readers.has(key)) {
          const roleAccount = this.roleAccountOf(resource);
          const declaredFor = `account ${resource.account ?? 'of the credentials'} (stack ${resource.displayName})`;
          readers.set(key, { reader: this.options.readerFor(region, roleAccount), roleAccount, declaredFor });
        }
      }
    }
    await Promise.all([...readers.values()].map(async (entry) => {
      try {
        entry.state = await entry.reader.describeHub();
      } catch (error) {
        const how = entry.roleAccount ? 'the role from --role-arn-template' : 'the default credentials';
        throw new FleetReadError(`cannot read Security Hub of ${entry.declaredFor} in ${entry.reader.region} with ${how}: ${oneLine(reasonOf(error))}`);
      }
    }));
    // The credentials' account, from any region where Security Hub is enabled.
    const callerOf = (roleAccount: string | undefined): string | undefined => {
      for (const entry of readers.values()) {
        const state = entry.state;
        if (entry.roleAccount === roleAccount && state?.enabled) {
          return state.account;
        }
      }
      // A role assumed in an account is that account's, even where no hub says so.
      return roleAccount;
    };

    for (const resource of this.options.resources) {
      if (!resource.declaration) {
        continue;
      }
      const declaration = resource.declaration;
      for (const region of declaration.regions) {
        const entry = readers.get(keyOf(resource, region))!;
        const caller = entry.state?.enabled ? entry.state.account : callerOf(entry.roleAccount);
        const admin = resource.account ?? caller;
        if (caller !== undefined && admin !== caller) {
          this.otherAdministrators.push({
            displayName: resource.displayName,
            logicalId: resource.logicalId,
            reason: `declared for administrator ${admin} in ${region}, but the credentials are account ${caller}${this.options.useRoles ? '' : '; give --role-arn-template to read other accounts'}`,
          });
          continue;
        }
        // Unknown only for an environment-agnostic stack where the caller has no hub anywhere.
        const account = admin ?? 'unknown';
        const groupKey = `${account}|${region}`;
        let group = this.groups.get(groupKey);
        if (!group) {
          group = { admin: account, region, reader: entry.reader, enabled: entry.state?.enabled === true, declared: new Set(), statuses: new Map() };
          this.groups.set(groupKey, group);
        }
        declaration.accountIds.forEach((id) => group!.declared.add(id));
        this.targets.push({ resource: resource as Target['resource'], region, group });
      }
    }
  }

  /** Reads the status of every declared account: GetMembers, 50 at a time, per administrator and region. */
  async readStatuses(): Promise<void> {
    await Promise.all([...this.groups.values()].filter((g) => g.enabled).map(async (group) => {
      try {
        group.statuses = await group.reader.getStatuses([...group.declared]);
      } catch (error) {
        throw new FleetReadError(`cannot read the members of administrator ${group.admin} in ${group.region}: ${oneLine(reasonOf(error))}`);
      }
    }));
  }

  /** Lists every member of each administrator and region (ListMembers, every status), for the undeclared ones. */
  async readUndeclared(): Promise<void> {
    await Promise.all([...this.groups.values()].filter((g) => g.enabled).map(async (group) => {
      let members: Map<string, string>;
      try {
        members = await group.reader.listMembers();
      } catch (error) {
        throw new FleetReadError(`cannot list the members of administrator ${group.admin} in ${group.region}: ${oneLine(reasonOf(error))}`);
      }
      const undeclared = new Map([...members].filter(([id]) => !group.declared.has(id)).sort(([a], [b]) => a.localeCompare(b)));
      this.undeclared.set(group, undeclared);
    }));
  }

  /** True when every declared account that could be read is in sync. */
  allInSync(): boolean {
    return this.targets.every((t) => t.resource.declaration.accountIds.every((id) => this.inSync(t.group.statuses.get(id), t.resource.declaration.invite)));
  }

  /** How many declared accounts are not in sync, over every resource and region. */
  outOfSyncCount(): number {
    return this.targets.reduce((sum, t) => sum + t.resource.declaration.accountIds.filter((id) => !this.inSync(t.group.statuses.get(id), t.resource.declaration.invite)).length, 0);
  }

  /** What was found, from the latest reads. */
  result(): ComparisonResult {
    return {
      otherAdministrators: [...this.otherAdministrators],
      unreadable: [...this.unreadable],
      resources: this.targets.map(({ resource, region, group }) => {
        const undeclared = this.undeclared.get(group) ?? new Map<string, string>();
        return {
          stack: resource.stack,
          displayName: resource.displayName,
          logicalId: resource.logicalId,
          account: group.admin,
          region,
          invite: resource.declaration.invite,
          requireAccepted: this.options.requireAccepted === true,
          hubEnabled: group.enabled,
          members: resource.declaration.accountIds.map((accountId) => {
            const status = group.statuses.get(accountId);
            return { accountId, status: status ?? NOT_A_MEMBER, inSync: this.inSync(status, resource.declaration.invite) };
          }),
          undeclared: [...undeclared.keys()],
          undeclaredStatuses: undeclared,
        };
      }),
    };
  }

  private inSync(status: string | undefined, invite: boolean): boolean {
    return isInSync(status, invite) && (!invite || !this.options.requireAccepted || isAccepted(status));
  }

  private roleAccountOf(resource: DeclaredResource): string | undefined {
    return this.options.useRoles ? resource.account : undefined;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** A new {@link FleetComparison}: the drift engine the drift command and the scheduled audit share. */
export function compareFleet(options: FleetComparisonOptions): FleetComparison {
  return new FleetComparison(options);
}
