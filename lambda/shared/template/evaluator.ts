/**
 * The core of the template reader: it walks a synthesized CloudFormation template and evaluates
 * the intrinsics a CDK app puts in resource properties (`Ref` to pseudo parameters and parameters,
 * `Fn::If` with the template's conditions, `Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::Sub`,
 * `Fn::FindInMap`, `AWS::NoValue`) and resource `Condition`s. Every decision that depends on how
 * values that can't be read are treated is the {@link Policy}'s (./policies.ts).
 *
 * Pure, with no SDK or aws-cdk-lib import: the handlers, the drift command and the local deploy
 * all read templates, and none of it ships in the library's `dist/`.
 */

/** The name of a policy: how values that can't be read exactly are treated (./policies.ts). */
export type EvaluationPolicy = 'exact' | 'over-approximating' | 'strict';

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

/** A value that can't be read, and why. */
export interface Unknown { readonly unknown: string }

/**
 * How values that can't be read exactly are treated: each decision of the evaluator and of the
 * readers that depends on it. The three policies are in ./policies.ts.
 */
export interface Policy {
  /** The policy's name, as callers give it. */
  readonly name: EvaluationPolicy;
  /**
   * What a value that can't be read becomes: the reason, or an error naming it and `where`.
   * @throws TemplateEvaluationError when the policy requires every value to be known
   */
  unknown(reason: string, where: string): Unknown;
  /** The candidates of `Fn::If [condition, whenTrue, whenFalse]`. */
  fnIf(ev: Evaluator, condition: string, whenTrue: unknown, whenFalse: unknown): Candidates;
  /** Whether a resource carrying `Condition: name` is deployed. */
  resourceCondition(ev: Evaluator, name: unknown): boolean | Unknown;
  /**
   * Why property `path` (template value `node`, meant to be a literal `what`) is unreadable, given
   * the unknown value met inside it.
   */
  unreadable(path: string, node: unknown, what: string, met: Unknown): { unreadable: string };
  /**
   * Why property `path`, whose value has the wrong shape, is unreadable; undefined when the policy
   * keeps what it might mean instead (the value is skipped, or a scalar read as a list of one).
   */
  wrongShape(path: string, node: unknown, what: string): { unreadable: string } | undefined;
  /** The regions a resource declares, from those found in its candidates in order. */
  regions(found: string[]): string[];
}

/** The parts of a template the evaluator reads. */
export interface TemplateRoot {
  readonly Parameters?: Record<string, { Type?: unknown; Default?: unknown; NoEcho?: unknown } | null>;
  readonly Mappings?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources?: Record<string, unknown>;
}

/** `template` as a template root; an empty one when it is no object. */
export function asTemplate(template: unknown): TemplateRoot {
  return (template !== null && typeof template === 'object' ? template : {}) as TemplateRoot;
}

/** The value of `Ref AWS::NoValue`: the property, or list element, is absent. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** Every value a node may take (one, unless an over-approximated `Fn::If` chose none). */
export interface Known { readonly values: readonly unknown[] }
/** The candidates of a node: every value it may take, or why it can't be read. */
export type Candidates = Known | Unknown;

/** Whether `c` is a value that can't be read. */
export const isUnknown = (c: Candidates | boolean): c is Unknown => typeof c === 'object' && 'unknown' in c;
/** The candidates `values`. */
export const known = (...values: unknown[]): Known => ({ values });

/** Beyond this many combinations of `Fn::If` branches, a value is unknown rather than enumerated. */
const MAX_CANDIDATES = 64;

const SHOWN_LENGTH = 200;
/** `node` as JSON, shortened, for messages. */
export const show = (node: unknown): string => {
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

/** Why property `path` (template value `node`) can't be read as a literal `what`. */
export const notLiteral = (path: string, node: unknown, what: string): { unreadable: string } => ({ unreadable: `${path} is ${show(node)}, not a literal ${what}` });

/** Whether `v` is an object that is no list. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

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

/** What the evaluator reads, for messages about what it can't. */
export const SUPPORTED = 'literal values, parameters, pseudo parameters, conditions, Fn::If, Fn::Join, Fn::Split, Fn::Select, Fn::Sub or Fn::FindInMap';

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) {
    return 'aws-cn';
  }
  return region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/**
 * Evaluates the property values of one resource (`where`) of `template`, under `policy`. It notes
 * the intrinsics it meets (`Ref AWS::Region` excepted, it is the stack's own region), so that a
 * reader can say what made a declaration other than literal.
 */
export class Evaluator {
  private readonly notes = new Set<string>();
  private readonly conditions = new Map<string, boolean | Unknown>();
  private readonly deciding = new Set<string>();

  constructor(
    private readonly template: TemplateRoot,
    private readonly ctx: TemplateContext,
    readonly policy: Policy,
    private readonly where: string,
  ) {}

  /** The notes so far, in the order first met. */
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

  /** Notes `note` among what made the declaration other than literal. */
  note(note: string): void {
    this.notes.add(note);
  }

  /** A value that can't be read, as the policy treats it. */
  unknown(reason: string): Unknown {
    return this.policy.unknown(reason, this.where);
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
    return this.policy.fnIf(this, arg[0], arg[1], arg[2]);
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

  /** Whether the named condition holds, decided from the values known. */
  condition(name: string): boolean | Unknown {
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

  /** Whether a resource with `Condition: name` is deployed, as the policy decides. */
  resourceCondition(name: unknown): boolean | Unknown {
    return this.policy.resourceCondition(this, name);
  }
}

const EXPECTED_ARGUMENTS: Record<string, string> = {
  'Fn::Join': '[separator, list of strings]',
  'Fn::Split': '[separator, string]',
  'Fn::Select': '[index, list] with the index inside the list',
  'Fn::FindInMap': '[map name, top-level key, second-level key] naming a value of the template\'s Mappings',
  'Fn::Sub': 'a string, or [string, variables]',
};
