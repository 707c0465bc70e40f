/**
 * Reads what the `Custom::SecurityHubMembers` of a synthesized template declare, under one of the
 * policies of ./policies.ts: the one reader of templates for the handlers, the drift command, the
 * audit and the local deploy.
 */
import { MEMBERS_RESOURCE_TYPE } from '../../../lib/shared/contract';
import {
  asTemplate, EvaluationPolicy, Evaluator, isPlainObject, isUnknown, Known, NO_VALUE, notLiteral, show, TemplateContext,
} from './evaluator';
import { exact, POLICIES } from './policies';

/** A value read from the template, or why it can't be read under the policy. */
export type Readable<T> = { readonly value: T } | { readonly unreadable: string };

/** Whether `r` holds a value. */
export function isReadable<T>(r: Readable<T>): r is { readonly value: T } {
  return 'value' in r;
}

/** One declared member, as the handler receives it. */
export interface DeclaredMember {
  /** The account id, as a string. */
  readonly accountId: string;
  /** The email address, when declared. */
  readonly email?: string;
}

/** What one `Custom::SecurityHubMembers` of a template declares, as the policy reads it. */
export interface MembersResourceReading {
  /** The resource's logical id. */
  readonly logicalId: string;
  /**
   * The declared account ids in declaration order, as strings (CloudFormation hands every scalar
   * to the handler as a string). Under `over-approximating`, every id it may declare.
   */
  readonly accountIds: Readable<string[]>;
  /**
   * The declared members with their emails, in declaration order: unreadable also when an email
   * can't be read (which {@link accountIds} ignores, an email never changes who is declared).
   */
  readonly members: Readable<DeclaredMember[]>;
  /** The `Invite` property as declared, undefined when absent. */
  readonly invite: Readable<unknown>;
  /** The regions whose hubs hold the members; the stack's region when `Regions` is absent. */
  readonly regions: Readable<string[]>;
  /**
   * What made the declaration other than literal: intrinsics met (`Ref AWS::Region` excepted, it
   * is the stack's own region), `Condition <name>` for a resource condition. Empty when literal.
   */
  readonly notes: readonly string[];
}

/** Options of {@link readMembersResources}. */
export interface ReadMembersOptions {
  /** How values that can't be read exactly are treated: the name of one of ./policies.ts. */
  readonly policy: EvaluationPolicy;
  /**
   * Names the template in `exact` errors, e.g. the stack's name.
   * @default - the logical id alone
   */
  readonly where?: string;
}

/**
 * Every `Custom::SecurityHubMembers` of `template`, in template order, read under `options.policy`.
 * Under `exact` and `strict`, a resource whose `Condition` is false is not deployed and left out.
 * A value of the wrong shape (`Regions` that is no list) is unreadable under `exact` and `strict`,
 * not thrown: it is the handler's to reject, not the evaluator's; `over-approximating` keeps what
 * it might mean (a scalar region as that region).
 *
 * @throws TemplateEvaluationError under `exact`, when a value can't be evaluated
 */
export function readMembersResources(template: unknown, ctx: TemplateContext, options: ReadMembersOptions): MembersResourceReading[] {
  const root = asTemplate(template);
  const readings: MembersResourceReading[] = [];
  for (const [logicalId, raw] of Object.entries(root.Resources ?? {})) {
    const resource = (raw ?? {}) as { Type?: unknown; Properties?: unknown; Condition?: unknown };
    if (resource.Type !== MEMBERS_RESOURCE_TYPE) {
      continue;
    }
    const ev = new Evaluator(root, ctx, POLICIES[options.policy], options.where ? `${options.where}/${logicalId}` : logicalId);
    if (resource.Condition !== undefined) {
      const deployed = ev.resourceCondition(resource.Condition);
      if (deployed === false) {
        continue;
      }
      if (deployed !== true) {
        const unreadable = { unreadable: deployed.unknown };
        readings.push({ logicalId, accountIds: unreadable, members: unreadable, invite: unreadable, regions: unreadable, notes: ev.notesList() });
        continue;
      }
    }
    readings.push({ logicalId, ...readMembersProperties(resource.Properties, ev), notes: ev.notesList() });
  }
  return readings;
}

/**
 * `node` (a property value of resource `where`) with every intrinsic evaluated and `AWS::NoValue`
 * removed, under the `exact` policy; undefined when the whole value is `AWS::NoValue`.
 *
 * @throws TemplateEvaluationError when a value can't be evaluated, naming it and `where`
 */
export function evaluateExactly(node: unknown, template: unknown, ctx: TemplateContext, where: string): unknown {
  const ev = new Evaluator(asTemplate(template), ctx, exact, where);
  const result = ev.deep(node);
  // Under the exact policy an unknown throws and Fn::If is decided, so there is one candidate.
  const value = (result as Known).values[0];
  return value === NO_VALUE ? undefined : value;
}

/**
 * Whether resource `logicalId` of `template` is deployed, its `Condition` decided under the `exact`
 * policy: true when it has none.
 *
 * @throws TemplateEvaluationError when the condition can't be decided
 */
export function isDeployedExactly(template: unknown, logicalId: string, ctx: TemplateContext): boolean {
  const root = asTemplate(template);
  const condition = (root.Resources?.[logicalId] as { Condition?: unknown } | undefined)?.Condition;
  return condition === undefined || new Evaluator(root, ctx, exact, logicalId).resourceCondition(condition) === true;
}

/** What the `Properties` of one resource declare: account ids, Invite and Regions, read under the evaluator's policy. */
function readMembersProperties(properties: unknown, ev: Evaluator): Pick<MembersResourceReading, 'accountIds' | 'members' | 'invite' | 'regions'> {
  const policy = ev.policy;
  const props = ev.shallow(properties);
  if (isUnknown(props)) {
    const unreadable = { unreadable: props.unknown };
    return { accountIds: unreadable, members: unreadable, invite: unreadable, regions: unreadable };
  }
  const members: DeclaredMember[] = [];
  const regions: string[] = [];
  const invites: unknown[] = [];
  const membersUnreadable: MembersUnreadable = {};
  let regionsUnreadable: { unreadable: string } | undefined;
  let inviteUnreadable: { unreadable: string } | undefined;
  for (const candidate of props.values) {
    const p = isPlainObject(candidate) ? candidate : {};
    if (!membersUnreadable.accounts) {
      const found = readMembers(p.Members, ev, members);
      membersUnreadable.accounts = found.accounts;
      membersUnreadable.emails ??= found.emails;
    }
    regionsUnreadable ??= readRegions(p.Regions, ev, regions);
    const invite = ev.deep(p.Invite);
    if (isUnknown(invite) || invite.values.some((v) => v !== null && typeof v === 'object')) {
      inviteUnreadable ??= isUnknown(invite) ? policy.unreadable('Invite', p.Invite, 'boolean', invite) : notLiteral('Invite', p.Invite, 'boolean');
    } else {
      invites.push(...invite.values.map((v) => (v === NO_VALUE ? undefined : v)));
    }
  }
  const distinctInvites = [...new Set(invites)];
  if (!inviteUnreadable && distinctInvites.length > 1) {
    inviteUnreadable = { unreadable: `Invite may be any of ${show(distinctInvites)}` };
  }
  return {
    accountIds: membersUnreadable.accounts ?? { value: members.map((m) => m.accountId) },
    members: membersUnreadable.accounts ?? membersUnreadable.emails ?? { value: members },
    invite: inviteUnreadable ?? { value: distinctInvites[0] },
    regions: regionsUnreadable ?? { value: policy.regions(regions) },
  };
}

/** Why the members' account ids, or their emails, can't be read. */
interface MembersUnreadable {
  accounts?: { unreadable: string };
  emails?: { unreadable: string };
}

/** Appends to `out` the members `members` declares; returns why their account ids or emails can't be read, if so. */
function readMembers(members: unknown, ev: Evaluator, out: DeclaredMember[]): MembersUnreadable {
  const policy = ev.policy;
  const lists = ev.shallow(members);
  if (isUnknown(lists)) {
    return { accounts: policy.unreadable('Members', members, 'list', lists) };
  }
  const result: MembersUnreadable = {};
  for (const list of lists.values) {
    if (!Array.isArray(list)) {
      // Absent (NoValue) declares nothing; a scalar is no list of members the handler would accept.
      const wrong = policy.wrongShape('Members', members, 'list');
      if (wrong) {
        return { accounts: wrong };
      }
      continue;
    }
    for (const [i, entry] of list.entries()) {
      const candidates = ev.shallow(entry);
      if (isUnknown(candidates)) {
        return { accounts: policy.unreadable(`Members[${i}]`, entry, 'member', candidates) };
      }
      for (const member of candidates.values) {
        if (member === NO_VALUE) {
          continue;
        }
        if (!isPlainObject(member)) {
          const wrong = policy.wrongShape(`Members[${i}].AccountId`, undefined, 'account id');
          if (wrong) {
            return { accounts: wrong };
          }
          continue;
        }
        const raw = member.AccountId;
        const ids = ev.shallow(raw);
        if (isUnknown(ids)) {
          return { accounts: policy.unreadable(`Members[${i}].AccountId`, raw, 'account id', ids) };
        }
        const rawEmail = member.Email;
        const email = readEmail(rawEmail, ev);
        if (email === undefined) {
          result.emails ??= notLiteral(`Members[${i}].Email`, rawEmail, 'email');
        }
        for (const id of ids.values) {
          if (typeof id === 'string' || typeof id === 'number') {
            // CloudFormation hands every scalar to the handler as a string: 111111111111 is "111111111111".
            out.push({ accountId: String(id), ...email });
          } else {
            const wrong = policy.wrongShape(`Members[${i}].AccountId`, raw, 'account id');
            if (wrong) {
              return { accounts: wrong };
            }
          }
        }
      }
    }
  }
  return result;
}

/**
 * One member's email, `{}` when absent (or `AWS::NoValue`); undefined when it can't be read. Its
 * intrinsics are not noted: an email never changes who is declared.
 */
function readEmail(rawEmail: unknown, ev: Evaluator): { email?: string } | undefined {
  if (rawEmail === undefined) {
    return {};
  }
  const emails = ev.quietly(() => ev.deep(rawEmail));
  if (isUnknown(emails) || emails.values.length !== 1) {
    return undefined;
  }
  const [email] = emails.values;
  if (email === NO_VALUE) {
    return {};
  }
  return typeof email === 'string' ? { email } : undefined;
}

/** Appends to `out` the regions `regions` declares (the stack's when absent); returns why they can't be read, if so. */
function readRegions(regions: unknown, ev: Evaluator, out: string[]): { unreadable: string } | undefined {
  const policy = ev.policy;
  const stackRegion = ev.shallow({ Ref: 'AWS::Region' }) as Known;
  if (regions === undefined) {
    out.push(...(stackRegion.values as string[]));
    return undefined;
  }
  const lists = ev.shallow(regions);
  if (isUnknown(lists)) {
    return policy.unreadable('Regions', regions, 'list', lists);
  }
  for (const list of lists.values) {
    if (list === NO_VALUE || list === undefined) {
      out.push(...(stackRegion.values as string[]));
      continue;
    }
    const wrong = Array.isArray(list) ? undefined : policy.wrongShape('Regions', regions, 'list');
    if (wrong) {
      return wrong;
    }
    for (const [i, element] of (Array.isArray(list) ? list : [list]).entries()) {
      const names = ev.shallow(element);
      if (isUnknown(names)) {
        return policy.unreadable(`Regions[${i}]`, element, 'region', names);
      }
      for (const name of names.values) {
        if (typeof name === 'string') {
          out.push(name);
        } else if (name !== NO_VALUE) {
          const wrongName = policy.wrongShape(`Regions[${i}]`, element, 'region');
          if (wrongName) {
            return wrongName;
          }
        }
      }
    }
  }
  return undefined;
}
