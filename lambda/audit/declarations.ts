/**
 * Reads the `Custom::SecurityHubMembers` declarations of the deployed template with the shared
 * template evaluator's `strict` policy (lib/shared/template.ts): parameters take the values
 * DescribeStacks reports, as rule R10 (docs/design.md) reads them, and a resource whose declaration
 * cannot be told without guessing is named as unreadable, never guessed (docs/design.md,
 * "Scheduled audit").
 */
import { evaluateExactly, isReadable, readMembersResources, TemplateContext } from '../../lib/shared/template';
import type { MemberInput } from '../../lib/shared/validation';
import { parseDeclaration } from '../members/properties';
import { ValidationError } from '../shared/errors';

/** A resource whose declaration was read exactly. */
export interface DeployedDeclaration {
  readonly logicalId: string;
  /** The declared members; an email is left out where it can't be read (it is only the invitation's). */
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

/**
 * Reads every `Custom::SecurityHubMembers` of `templateBody` (GetTemplate's JSON) deployed in the
 * stack `ctx` describes.
 *
 * @throws Error when the body is not a JSON template
 */
export function readDeployedDeclarations(templateBody: string, ctx: TemplateContext & { readonly account: string }): DeployedDeclarations {
  let template: { Resources?: Record<string, { Properties?: { Members?: unknown } }> };
  try {
    template = JSON.parse(templateBody) as typeof template;
  } catch {
    throw new Error(`the stack's template is not JSON (it starts ${JSON.stringify(templateBody.slice(0, 20))}): expected the JSON template that CDK synthesizes`);
  }
  const declarations: DeployedDeclaration[] = [];
  const unreadable: UnreadableDeclaration[] = [];
  for (const reading of readMembersResources(template, ctx, { policy: 'strict' })) {
    const { logicalId } = reading;
    const parts = [['Members', reading.accountIds], ['Invite', reading.invite], ['Regions', reading.regions]] as const;
    const unknown = parts.find(([, r]) => !isReadable(r));
    if (unknown) {
      unreadable.push({ logicalId, reason: (unknown[1] as { unreadable: string }).unreadable });
      continue;
    }
    const accountIds = (reading.accountIds as { value: string[] }).value;
    const emails = emailsOf(template.Resources?.[logicalId]?.Properties?.Members, template, ctx, logicalId);
    const invite = (reading.invite as { value: unknown }).value;
    try {
      const parsed = parseDeclaration({
        Members: accountIds.map((id, i) => ({ AccountId: id, ...(emails[i] !== undefined ? { Email: emails[i] } : {}) })),
        ...(invite !== undefined ? { Invite: typeof invite === 'boolean' ? String(invite) : invite } : {}),
        Regions: (reading.regions as { value: string[] }).value,
      }, { region: ctx.region, ownAccount: ctx.account });
      declarations.push({ logicalId, members: parsed.members, invite: parsed.invite, regions: parsed.regions });
    } catch (error) {
      if (!(error instanceof ValidationError)) {
        throw error;
      }
      unreadable.push({ logicalId, reason: `its declaration is invalid: ${error.message}` });
    }
  }
  return { declarations, unreadable };
}

/** The email of each member, in order; none at all when the list can't be evaluated exactly. */
function emailsOf(members: unknown, template: unknown, ctx: TemplateContext, logicalId: string): (string | undefined)[] {
  try {
    const list = evaluateExactly(members, template, ctx, logicalId);
    return Array.isArray(list) ? list.map((m) => {
      const email = (m as { Email?: unknown } | null)?.Email;
      return typeof email === 'string' ? email : undefined;
    }) : [];
  } catch {
    // The account ids were read strictly; an email that is not literal only goes without.
    return [];
  }
}
