/**
 * The one reader of synthesized CloudFormation templates: it evaluates the intrinsics a CDK app
 * puts in resource properties (`Ref` to pseudo parameters and parameters, `Fn::If` with the
 * template's conditions, `Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::Sub`, `Fn::FindInMap`,
 * `AWS::NoValue`) and resource `Condition`s, under one of three named policies:
 *
 * - `exact`: every value is known (the local deploy, which has the parameter values); anything
 *   that can't be evaluated throws a {@link TemplateEvaluationError} naming it and the resource.
 * - `over-approximating`: what a resource *may* declare (rule R10 (docs/design.md), ownership across
 *   the stack). A value that can't be read is "any"; `Fn::If` is the union of both branches and a
 *   resource with a `Condition` is kept, because keeping an account is the safe side. Every
 *   intrinsic met is noted, so the handler can say why it kept more than the literal template.
 * - `strict`: what a resource declares, or why it can't be told without guessing (the drift
 *   command and the scheduled audit). Conditions are decided when their inputs are known.
 *
 * Pure, with no SDK or aws-cdk-lib import: `lib/` is compiled by jsii, and the handlers, the CLI
 * and the local deploy all import this file.
 */
import { MEMBERS_RESOURCE_TYPE } from './contract';

/** How values that can't be read exactly are treated: see the file's comment. */
export type EvaluationPolicy = 'exact' | 'over-approximating' | 'strict';

/** Every policy, for tables that read the same template under each. */
export const EVALUATION_POLICIES: readonly EvaluationPolicy[] = ['exact', 'over-approximating', 'strict'];

/** Where the template is deployed: the values its pseudo parameters and parameters take. */
export interface TemplateContext {
  /** The stack's region, for `Ref AWS::Region` (and the members' default region). */
  readonly region: string;
  /** The stack's account, for `Ref AWS::AccountId`; undefined when not known (an environment-agnostic stack). */
  readonly account?: string;
  /** The stack's name, for `Ref AWS::StackName`. */
  readonly stackName?: string;
  /** The stack's id, for `Ref AWS::StackId`. */
  readonly stackId?: string;
  /**
   * The stack's parameter values as DescribeStacks reports them: NoEcho ones masked with
   * asterisks (so unknown), SSM parameter types given their `ResolvedValue`, never the parameter
   * store's key. A parameter missing from the map takes its `Default`. Undefined: no value is
   * known, so a `Ref` to a parameter can't be read exactly.
   */
  readonly parameters?: ReadonlyMap<string, string>;
}

/** Thrown under the `exact` policy when a value can't be evaluated. */
export class TemplateEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateEvaluationError';
  }
}

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
  /** How values that can't be read exactly are treated. */
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
    const ev = new Evaluator(root, ctx, options.policy, options.where ? `${options.where}/${logicalId}` : logicalId);
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
    readings.push({ logicalId, ...readDeclaration(resource.Properties, ev), notes: ev.notesList() });
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
  const ev = new Evaluator(asTemplate(template), ctx, 'exact', where);
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
  return condition === undefined || new Evaluator(root, ctx, 'exact', logicalId).resourceCondition(condition) === true;
}

interface TemplateRoot {
  readonly Parameters?: Record<string, { Type?: unknown; Default?: unknown; NoEcho?: unknown } | null>;
  readonly Mappings?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources?: Record<string, unknown>;
}

function asTemplate(template: unknown): TemplateRoot {
  return (template !== null && typeof template === 'object' ? template : {}) as TemplateRoot;
}

/** The value of `Ref AWS::NoValue`: the property, or list element, is absent. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Every value a node may take (one, unless an over-approximated `Fn::If` chose none). */
interface Known { readonly values: readonly unknown[] }
/** A node whose value can't be read, and why. */
interface Unknown { readonly unknown: string }
type Candidates = Known | Unknown;

const isUnknown = (c: Candidates | boolean): c is Unknown => typeof c === 'object' && 'unknown' in c;
const known = (...values: unknown[]): Known => ({ values });

/** Beyond this many combinations of `Fn::If` branches, a value is unknown rather than enumerated. */
const MAX_CANDIDATES = 64;

const SHOWN_LENGTH = 200;
const show = (node: unknown): string => {
  const text = JSON.stringify(node) ?? String(node);
  return text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}...` : text;
};

function isIntrinsic(node: unknown): node is Record<string, unknown> {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    return false;
  }
  const keys = Object.keys(node);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every combination of one candidate per list; undefined beyond {@link MAX_CANDIDATES}. */
function product(lists: readonly (readonly unknown[])[]): unknown[][] | undefined {
  let combos: unknown[][] = [[]];
  for (const list of lists) {
    if (combos.length * list.length > MAX_CANDIDATES) {
      return undefined;
    }
    combos = combos.flatMap((combo) => list.map((v) => [...combo, v]));
  }
  return combos;
}

const SUPPORTED = 'literal values, parameters, pseudo parameters, conditions, Fn::If, Fn::Join, Fn::Split, Fn::Select, Fn::Sub or Fn::FindInMap';

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) {
    return 'aws-cn';
  }
  return region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

class Evaluator {
  private readonly notes = new Set<string>();
  private readonly conditions = new Map<string, boolean | Unknown>();
  private readonly deciding = new Set<string>();

  constructor(
    private readonly template: TemplateRoot,
    private readonly ctx: TemplateContext,
    readonly policy: EvaluationPolicy,
    private readonly where: string,
  ) {}

  notesList(): string[] {
    return [...this.notes];
  }

  /** `read()`, its intrinsics not noted: for values that can't change what a resource declares. */
  quietly<T>(read: () => T): T {
    const before = new Set(this.notes);
    try {
      return read();
    } finally {
      this.notes.clear();
      before.forEach((note) => this.notes.add(note));
    }
  }

  /** A value that can't be read: unknown, or under the exact policy an error naming it and the resource. */
  unknown(reason: string): Unknown {
    if (this.policy === 'exact') {
      throw new TemplateEvaluationError(`${this.where}: ${reason}: expected ${SUPPORTED} whose values are known`);
    }
    return { unknown: reason };
  }

  /**
   * The candidates of `node`, its own intrinsic evaluated; a literal list or object is returned as
   * is, its elements evaluated only when read (so a reader notes only the intrinsics it needs).
   */
  shallow(node: unknown): Candidates {
    if (!isIntrinsic(node)) {
      return known(node);
    }
    const [key, arg] = Object.entries(node)[0];
    if (key === 'Ref') {
      return this.ref(arg);
    }
    this.notes.add(key);
    switch (key) {
      case 'Fn::If':
        return this.fnIf(arg);
      case 'Fn::Join':
      case 'Fn::Split':
      case 'Fn::Select':
      case 'Fn::FindInMap':
      case 'Fn::Sub':
        return this.compute(key, arg);
      default:
        return this.unknown(`${key} ${show(arg)} is known only once deployed, or not supported`);
    }
  }

  /** The candidates of `node` with every nested intrinsic evaluated and `AWS::NoValue` removed from lists and objects. */
  deep(node: unknown): Candidates {
    const top = this.shallow(node);
    if (isUnknown(top)) {
      return top;
    }
    const out: unknown[] = [];
    for (const value of top.values) {
      if (Array.isArray(value) || isPlainObject(value)) {
        const entries = Object.entries(value);
        const parts: unknown[][] = [];
        for (const [, child] of entries) {
          const c = this.deep(child);
          if (isUnknown(c)) {
            return c;
          }
          parts.push([...c.values]);
        }
        const combos = product(parts);
        if (!combos) {
          return this.unknown(`${show(node)} has more than ${MAX_CANDIDATES} combinations of Fn::If branches`);
        }
        for (const combo of combos) {
          out.push(Array.isArray(value)
            ? combo.filter((v) => v !== NO_VALUE)
            : Object.fromEntries(entries.map(([k], i) => [k, combo[i]]).filter(([, v]) => v !== NO_VALUE)));
        }
      } else {
        out.push(value);
      }
    }
    return known(...out);
  }

  private ref(name: unknown): Candidates {
    if (name === 'AWS::Region') {
      return known(this.ctx.region);
    }
    this.notes.add(`Ref ${String(name)}`);
    if (typeof name !== 'string') {
      return this.unknown(`Ref ${show(name)} is malformed: expected a name`);
    }
    const pseudo: Record<string, string | undefined> = {
      'AWS::AccountId': this.ctx.account,
      'AWS::Partition': partitionOf(this.ctx.region),
      'AWS::URLSuffix': this.ctx.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com',
      'AWS::StackName': this.ctx.stackName,
      'AWS::StackId': this.ctx.stackId,
      'AWS::NotificationARNs': undefined,
    };
    if (name === 'AWS::NoValue') {
      return known(NO_VALUE);
    }
    if (name in pseudo) {
      const value = pseudo[name];
      return value === undefined ? this.unknown(`Ref ${name} is not known for this stack`) : known(value);
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter === undefined) {
      return this.template.Resources?.[name] !== undefined
        ? this.unknown(`Ref ${name} is the physical id of a resource, known only once deployed`)
        : this.unknown(`Ref ${name} names no parameter or resource of the template`);
    }
    const type = String(parameter?.Type ?? 'String');
    const given = this.ctx.parameters?.get(name);
    const value = given ?? (this.ctx.parameters !== undefined && parameter?.Default !== undefined ? String(parameter.Default) : undefined);
    if (value === undefined) {
      return this.unknown(`parameter ${name} has no known value`);
    }
    // DescribeStacks masks the values of NoEcho parameters with asterisks.
    if (/^\*+$/.test(value)) {
      return this.unknown(`parameter ${name} is NoEcho, its value masked`);
    }
    const isList = type.startsWith('List<') || type === 'CommaDelimitedList';
    return known(isList ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : value);
  }

  private fnIf(arg: unknown): Candidates {
    if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
      return this.unknown(`Fn::If ${show(arg)} is malformed: expected [condition name, value if true, value if false]`);
    }
    if (this.policy === 'over-approximating') {
      // Both branches: whether the condition holds is not decided on this side, keeping more is safe.
      const whenTrue = this.shallow(arg[1]);
      const whenFalse = this.shallow(arg[2]);
      if (isUnknown(whenTrue)) {
        return whenTrue;
      }
      return isUnknown(whenFalse) ? whenFalse : known(...whenTrue.values, ...whenFalse.values);
    }
    const holds = this.condition(arg[0]);
    return isUnknown(holds) ? holds : this.shallow(holds ? arg[1] : arg[2]);
  }

  /** A function of fully evaluated arguments, once per combination of their candidates. */
  private compute(key: string, arg: unknown): Candidates {
    if (key === 'Fn::Sub') {
      return this.sub(arg);
    }
    const args = this.deep(arg);
    if (isUnknown(args)) {
      return args;
    }
    const out: unknown[] = [];
    for (const a of args.values) {
      const value = this.apply(key, a);
      if (value === undefined) {
        return this.unknown(`${key} ${show(arg)} is malformed: expected ${EXPECTED_ARGUMENTS[key]}`);
      }
      out.push(value);
    }
    return known(...out);
  }

  /** One function of evaluated arguments; undefined when they are malformed. */
  private apply(key: string, a: unknown): unknown {
    const scalar = (v: unknown): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v);
    if (!Array.isArray(a)) {
      return undefined;
    }
    switch (key) {
      case 'Fn::Join':
        return typeof a[0] === 'string' && Array.isArray(a[1]) && a[1].every(scalar) ? a[1].map(String).join(a[0]) : undefined;
      case 'Fn::Split':
        return typeof a[0] === 'string' && a[0] !== '' && typeof a[1] === 'string' ? a[1].split(a[0]) : undefined;
      case 'Fn::Select': {
        const index = Number(a[0]);
        return Array.isArray(a[1]) && Number.isInteger(index) && index >= 0 && index < a[1].length ? a[1][index] : undefined;
      }
      case 'Fn::FindInMap': {
        const [map, first, second] = a;
        const value = (this.template.Mappings as Record<string, Record<string, Record<string, unknown>>> | undefined)?.[String(map)]?.[String(first)]?.[String(second)];
        return a.length === 3 ? value : undefined;
      }
      default:
        return undefined;
    }
  }

  /** `Fn::Sub`, string or `[string, variables]` form: each `${Name}` replaced, `${!Literal}` kept as `${Literal}`. */
  private sub(arg: unknown): Candidates {
    const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
    if (typeof text !== 'string' || !isPlainObject(variables)) {
      return this.unknown(`Fn::Sub ${show(arg)} is malformed: expected ${EXPECTED_ARGUMENTS['Fn::Sub']}`);
    }
    let results = [''];
    let rest = text;
    for (let match = /\$\{([^}]*)\}/.exec(rest); match; match = /\$\{([^}]*)\}/.exec(rest)) {
      const literal = rest.slice(0, match.index);
      const name = match[1];
      rest = rest.slice(match.index + match[0].length);
      let values: readonly unknown[];
      if (name.startsWith('!')) {
        values = [`\${${name.slice(1)}}`];
      } else if (name in variables) {
        const c = this.deep(variables[name]);
        if (isUnknown(c)) {
          return c;
        }
        values = c.values;
      } else if (name.includes('.')) {
        return this.unknown(`Fn::Sub's \${${name}} is an attribute of a resource, known only once deployed`);
      } else {
        const c = this.ref(name);
        if (isUnknown(c)) {
          return c;
        }
        values = c.values;
      }
      if (results.length * values.length > MAX_CANDIDATES) {
        return this.unknown(`Fn::Sub ${show(arg)} has more than ${MAX_CANDIDATES} combinations of Fn::If branches`);
      }
      results = results.flatMap((r) => values.map((v) => `${r}${literal}${String(v)}`));
    }
    return known(...results.map((r) => `${r}${rest}`));
  }

  /** Whether the named condition holds, under the exact and strict policies. */
  private condition(name: string): boolean | Unknown {
    const cached = this.conditions.get(name);
    if (cached !== undefined) {
      return cached;
    }
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) {
      return this.unknown(`condition ${name} is not declared in the template's Conditions`);
    }
    if (this.deciding.has(name)) {
      return this.unknown(`condition ${name} refers to itself`);
    }
    this.deciding.add(name);
    const result = this.decide(expression);
    this.deciding.delete(name);
    this.conditions.set(name, result);
    return result;
  }

  private decide(expression: unknown): boolean | Unknown {
    const [key, arg] = isPlainObject(expression) && Object.keys(expression).length === 1 ? Object.entries(expression)[0] : ['', undefined];
    if (key === 'Condition' && typeof arg === 'string') {
      return this.condition(arg);
    }
    if (key === 'Fn::Equals' && Array.isArray(arg) && arg.length === 2) {
      const [a, b] = arg.map((side) => this.deep(side));
      if (isUnknown(a) || isUnknown(b)) {
        return isUnknown(a) ? a : b as Unknown;
      }
      const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
      return text(a.values[0]) === text(b.values[0]);
    }
    if (key === 'Fn::Not' && Array.isArray(arg) && arg.length === 1) {
      const inner = this.decide(arg[0]);
      return isUnknown(inner) ? inner : !inner;
    }
    if ((key === 'Fn::And' || key === 'Fn::Or') && Array.isArray(arg) && arg.length > 0) {
      // The answer is known once one operand settles it, even if another is unknown.
      const settles = key === 'Fn::Or';
      let unknownOperand: Unknown | undefined;
      let exactError: TemplateEvaluationError | undefined;
      for (const operand of arg) {
        let value: boolean | Unknown;
        try {
          value = this.decide(operand);
        } catch (error) {
          // Under the exact policy an unknown operand throws: it fails only if no other operand settles.
          if (!(error instanceof TemplateEvaluationError)) {
            throw error;
          }
          exactError ??= error;
          continue;
        }
        if (isUnknown(value)) {
          unknownOperand ??= value;
        } else if (value === settles) {
          return settles;
        }
      }
      if (exactError) {
        throw exactError;
      }
      return unknownOperand ?? !settles;
    }
    return this.unknown(`condition ${show(expression)} is malformed: expected Fn::Equals, Fn::And, Fn::Or, Fn::Not or a Condition`);
  }

  /**
   * Whether a resource with `Condition: name` is deployed: decided under the exact and strict
   * policies; under over-approximating, it may be, and is noted.
   */
  resourceCondition(name: unknown): boolean | Unknown {
    if (this.policy === 'over-approximating') {
      this.notes.add(`Condition ${String(name)}`);
      return true;
    }
    const holds = typeof name === 'string' ? this.condition(name) : this.unknown(`Condition ${show(name)} is malformed: expected a condition name`);
    return isUnknown(holds)
      ? this.unknown(`it carries Condition ${show(name)}, so whether it is deployed depends on values not known: ${holds.unknown}`)
      : holds;
  }
}

const EXPECTED_ARGUMENTS: Record<string, string> = {
  'Fn::Join': '[separator, list of strings]',
  'Fn::Split': '[separator, string]',
  'Fn::Select': '[index, list] with the index inside the list',
  'Fn::FindInMap': '[map name, top-level key, second-level key] naming a value of the template\'s Mappings',
  'Fn::Sub': 'a string, or [string, variables]',
};

/** The declaration of one resource: account ids, Invite and Regions, read under the evaluator's policy. */
function readDeclaration(properties: unknown, ev: Evaluator): Pick<MembersResourceReading, 'accountIds' | 'members' | 'invite' | 'regions'> {
  const over = ev.policy === 'over-approximating';
  const cannot = (path: string, node: unknown, what: string): { unreadable: string } => ({ unreadable: `${path} is ${show(node)}, not a literal ${what}` });
  const props = ev.shallow(properties);
  if (isUnknown(props)) {
    const unreadable = unreadableOf(props);
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
      const found = readMembers(p.Members, ev, over, cannot, members);
      membersUnreadable.accounts = found.accounts;
      membersUnreadable.emails ??= found.emails;
    }
    regionsUnreadable ??= readRegions(p.Regions, ev, over, cannot, regions);
    const invite = ev.deep(p.Invite);
    if (isUnknown(invite) || invite.values.some((v) => v !== null && typeof v === 'object')) {
      inviteUnreadable ??= over && isUnknown(invite) ? { unreadable: invite.unknown } : cannot('Invite', p.Invite, 'boolean');
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
    regions: regionsUnreadable ?? { value: over ? [...new Set(regions)] : regions },
  };
}

const unreadableOf = (u: Unknown): { unreadable: string } => ({ unreadable: u.unknown });

type Cannot = (path: string, node: unknown, what: string) => { unreadable: string };

/** Why the members' account ids, or their emails, can't be read. */
interface MembersUnreadable {
  accounts?: { unreadable: string };
  emails?: { unreadable: string };
}

/** Appends to `out` the members `members` declares; returns why their account ids or emails can't be read, if so. */
function readMembers(members: unknown, ev: Evaluator, over: boolean, cannot: Cannot, out: DeclaredMember[]): MembersUnreadable {
  const lists = ev.shallow(members);
  if (isUnknown(lists)) {
    return { accounts: over ? unreadableOf(lists) : cannot('Members', members, 'list') };
  }
  const result: MembersUnreadable = {};
  for (const list of lists.values) {
    if (!Array.isArray(list)) {
      // Absent (NoValue) declares nothing; a scalar is no list of members the handler would accept.
      if (over) {
        continue;
      }
      return { accounts: cannot('Members', members, 'list') };
    }
    for (const [i, entry] of list.entries()) {
      const candidates = ev.shallow(entry);
      if (isUnknown(candidates)) {
        return { accounts: over ? unreadableOf(candidates) : cannot(`Members[${i}]`, entry, 'member') };
      }
      for (const member of candidates.values) {
        if (member === NO_VALUE || (over && !isPlainObject(member))) {
          continue;
        }
        const raw = isPlainObject(member) ? member.AccountId : undefined;
        const ids = ev.shallow(raw);
        if (isUnknown(ids)) {
          return { accounts: over ? unreadableOf(ids) : cannot(`Members[${i}].AccountId`, raw, 'account id') };
        }
        const rawEmail = isPlainObject(member) ? member.Email : undefined;
        const email = readEmail(rawEmail, ev);
        if (email === undefined) {
          result.emails ??= cannot(`Members[${i}].Email`, rawEmail, 'email');
        }
        for (const id of ids.values) {
          if (typeof id === 'string' || typeof id === 'number') {
            // CloudFormation hands every scalar to the handler as a string: 111111111111 is "111111111111".
            out.push({ accountId: String(id), ...email });
          } else if (!over) {
            return { accounts: cannot(`Members[${i}].AccountId`, raw, 'account id') };
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
function readRegions(regions: unknown, ev: Evaluator, over: boolean, cannot: Cannot, out: string[]): { unreadable: string } | undefined {
  const stackRegion = ev.shallow({ Ref: 'AWS::Region' }) as Known;
  if (regions === undefined) {
    out.push(...(stackRegion.values as string[]));
    return undefined;
  }
  const lists = ev.shallow(regions);
  if (isUnknown(lists)) {
    return over ? unreadableOf(lists) : cannot('Regions', regions, 'list');
  }
  for (const list of lists.values) {
    if (list === NO_VALUE || list === undefined) {
      out.push(...(stackRegion.values as string[]));
      continue;
    }
    if (!Array.isArray(list) && !over) {
      return cannot('Regions', regions, 'list');
    }
    for (const [i, element] of (Array.isArray(list) ? list : [list]).entries()) {
      const names = ev.shallow(element);
      if (isUnknown(names)) {
        return over ? unreadableOf(names) : cannot(`Regions[${i}]`, element, 'region');
      }
      for (const name of names.values) {
        if (typeof name === 'string') {
          out.push(name);
        } else if (!over && name !== NO_VALUE) {
          return cannot(`Regions[${i}]`, element, 'region');
        }
      }
    }
  }
  return undefined;
}
