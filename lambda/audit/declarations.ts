/**
 * Reads the `Custom::SecurityHubMembers` declarations of the deployed template with the shared
 * template evaluator's `strict` policy (lambda/shared/template/): parameters take the values
 * DescribeStacks reports, as rule R10, docs/design.md reads them, and a resource whose declaration
 * cannot be told without guessing is named as unreadable, never guessed (docs/design.md,
 * "Scheduled audit").
 */
import { DeclaredMember, isReadable, readMembersResources, TemplateContext, validateDeclaration } from '../shared/template';
import type { MemberInput } from '../../lib/shared/validation';
import { describeProblems } from '../shared/errors';

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
  let template: unknown;
  try {
    template = JSON.parse(templateBody);
  } catch {
    throw new Error(`the stack's template is not JSON (it starts ${JSON.stringify(templateBody.slice(0, 20))}): expected the JSON template that CDK synthesizes`);
  }
  const declarations: DeployedDeclaration[] = [];
  const unreadable: UnreadableDeclaration[] = [];
  for (const reading of readMembersResources(template, ctx, { policy: 'strict' })) {
    const { logicalId, accountIds, invite, regions } = reading;
    const unknown = [accountIds, invite, regions].find((r) => !isReadable(r));
    if (unknown !== undefined || !isReadable(accountIds) || !isReadable(invite) || !isReadable(regions)) {
      unreadable.push({ logicalId, reason: (unknown as { unreadable: string }).unreadable });
      continue;
    }
    // An email that can't be read does not hide who is declared: the account is audited, and
    // re-created without an email if repair has to.
    const members: DeclaredMember[] = isReadable(reading.members) ? reading.members.value : accountIds.value.map((accountId) => ({ accountId }));
    const parsed = validateDeclaration({
      Members: members.map((m) => ({ AccountId: m.accountId, ...(m.email !== undefined ? { Email: m.email } : {}) })),
      ...(invite.value !== undefined ? { Invite: typeof invite.value === 'boolean' ? String(invite.value) : invite.value } : {}),
      Regions: regions.value,
    }, { region: ctx.region, ownAccount: ctx.account });
    if ('problems' in parsed) {
      unreadable.push({ logicalId, reason: `its declaration is invalid: ${describeProblems(parsed.problems)}` });
      continue;
    }
    declarations.push({ logicalId, members: parsed.declaration.members, invite: parsed.declaration.invite, regions: parsed.declaration.regions });
  }
  return { declarations, unreadable };
}
