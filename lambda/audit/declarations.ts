/**
 * Reads the `Custom::SecurityHubMembers` declarations of the deployed template strictly: every
 * value must be literal, a pseudo parameter, or a `Ref` to a stack parameter (resolved with the
 * values DescribeStacks reports, as rule R10 (docs/design.md) reads them). Anything else, and a
 * resource with a Condition, makes the resource unreadable: the audit reports it by name and never
 * guesses (docs/design.md, "Scheduled audit").
 *
 * This is the audit's one template-reading function; a shared template evaluator with a strict
 * policy can replace its body without changing its callers.
 */
import { MEMBERS_RESOURCE_TYPE } from '../../lib/shared/contract';
import type { MemberInput } from '../../lib/shared/validation';
import { parseDeclaration } from '../members/properties';
import { ValidationError } from '../shared/errors';

/** Where the template is read: the values its pseudo parameters and parameters have. */
export interface DeployedContext {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly stackName: string;
  readonly stackId: string;
  /** Parameter values from DescribeStacks (resolved values for SSM parameter types). */
  readonly parameters: ReadonlyMap<string, string>;
}

/** A resource whose declaration was read exactly. */
export interface DeployedDeclaration {
  readonly logicalId: string;
  readonly members: MemberInput[];
  readonly invite: boolean;
  readonly regions: string[];
}

/** A resource whose declaration cannot be read exactly, and why. */
export interface UnreadableDeclaration {
  readonly logicalId: string;
  readonly reason: string;
}

/** Every `Custom::SecurityHubMembers` of a template, read or named as unreadable. */
export interface DeployedDeclarations {
  readonly declarations: DeployedDeclaration[];
  readonly unreadable: UnreadableDeclaration[];
}

class NotLiteral extends Error {}

/** The properties that make a declaration. */
const DECLARATION_KEYS = ['Members', 'Invite', 'Regions'] as const;

interface Template {
  readonly Parameters?: Record<string, { Type?: unknown; NoEcho?: unknown } | null>;
  readonly Resources?: Record<string, { Type?: unknown; Properties?: unknown; Condition?: unknown } | null>;
}

/**
 * Reads every `Custom::SecurityHubMembers` of `templateBody` (GetTemplate's JSON).
 *
 * @throws Error when the body is not a JSON template
 */
export function readDeployedDeclarations(templateBody: string, ctx: DeployedContext): DeployedDeclarations {
  let template: Template;
  try {
    template = JSON.parse(templateBody) as Template;
  } catch {
    throw new Error(`the stack's template is not JSON (it starts ${JSON.stringify(templateBody.slice(0, 20))}): expected the JSON template that CDK synthesizes`);
  }
  const declarations: DeployedDeclaration[] = [];
  const unreadable: UnreadableDeclaration[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource?.Type !== MEMBERS_RESOURCE_TYPE) {
      continue;
    }
    try {
      if (resource.Condition !== undefined) {
        throw new NotLiteral(`it carries Condition ${JSON.stringify(resource.Condition)}, so whether it is deployed depends on a condition the audit does not evaluate`);
      }
      // Only what the declaration is made of: ServiceToken and ReconcileToken say nothing about it.
      const raw = (resource.Properties ?? {}) as Record<string, unknown>;
      const props = Object.fromEntries(DECLARATION_KEYS.filter((key) => raw[key] !== undefined).map((key) => [key, evaluate(raw[key], template, ctx)]));
      const parsed = parseDeclaration(props, { region: ctx.region, ownAccount: ctx.account });
      declarations.push({ logicalId, members: parsed.members, invite: parsed.invite, regions: parsed.regions });
    } catch (error) {
      if (error instanceof NotLiteral) {
        unreadable.push({ logicalId, reason: error.message });
      } else if (error instanceof ValidationError) {
        unreadable.push({ logicalId, reason: `its declaration is invalid: ${error.message}` });
      } else {
        throw error;
      }
    }
  }
  return { declarations, unreadable };
}

/** A node with every `Ref` replaced by its value; any other intrinsic is not literal. */
function evaluate(node: unknown, template: Template, ctx: DeployedContext): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => evaluate(item, template, ctx));
  }
  if (node === null || typeof node !== 'object') {
    // CloudFormation hands every scalar to the handler as a string.
    return typeof node === 'number' || typeof node === 'boolean' ? String(node) : node;
  }
  const entries = Object.entries(node);
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
    const [key, arg] = entries[0];
    if (key !== 'Ref' || typeof arg !== 'string') {
      throw new NotLiteral(`it uses ${key} ${JSON.stringify(arg)}, whose value the audit does not compute`);
    }
    return ref(arg, template, ctx);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, evaluate(v, template, ctx)]));
}

function ref(name: string, template: Template, ctx: DeployedContext): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.account,
    'AWS::Partition': ctx.partition,
    'AWS::StackName': ctx.stackName,
    'AWS::StackId': ctx.stackId,
  };
  if (name in pseudo) {
    return pseudo[name];
  }
  const parameter = template.Parameters?.[name];
  const value = ctx.parameters.get(name);
  if (!parameter || value === undefined) {
    throw new NotLiteral(`it uses Ref ${name}, which is neither a pseudo parameter nor a parameter of the deployed stack`);
  }
  if (/^\*+$/.test(value) && parameter.NoEcho !== undefined && String(parameter.NoEcho) === 'true') {
    // DescribeStacks masks NoEcho values.
    throw new NotLiteral(`it uses Ref ${name}, a NoEcho parameter whose value DescribeStacks does not reveal`);
  }
  const type = String(parameter.Type ?? '');
  return /List/.test(type) ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : value;
}
