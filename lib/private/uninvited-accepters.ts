/**
 * The app-wide check that each SecurityHubInvitationAccepter has an administrator in the app that
 * invites it. It runs once the whole app is built (an accepter may be declared before the
 * administrator's stack), and only warns: the administrator's stack may live in another app.
 */
import { Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { warn } from './compat';

/** What the check reads of an accepter. */
export interface AccepterDeclaration {
  /** The accepter construct, which gets the warning. */
  readonly scope: IConstruct;
  /** The administrator it accepts. */
  readonly administratorAccountId: string;
}

/** What the check reads of a SecurityHubMembers. */
export interface MembersDeclaration {
  /** The stack of the administrator. */
  readonly stack: Stack;
  /** The regions it manages. */
  readonly regions: readonly string[];
  /** The account ids it declares. */
  readonly accountIds: readonly string[];
}

/** How the aspect finds the app's declarations when it runs. */
export interface AppDeclarations {
  /** Every accepter of the app. */
  readonly accepters: () => AccepterDeclaration[];
  /** Every SecurityHubMembers of the app. */
  readonly members: () => MembersDeclaration[];
}

/** Apps that already have the aspect: one check per app, however many accepters it holds. */
const checkedApps = new WeakSet<IConstruct>();

/** Adds the check to the app of `scope`, once. */
export function checkUninvitedAccepters(scope: IConstruct, declarations: AppDeclarations): void {
  const root = scope.node.root;
  if (checkedApps.has(root)) {
    return;
  }
  checkedApps.add(root);
  Aspects.of(root).add(new UninvitedAccepters(root, declarations));
}

/** The warning for one accepter, or undefined when a declaration of the app may invite it. */
export function uninvitedProblem(accepter: AccepterDeclaration, members: readonly MembersDeclaration[]): string | undefined {
  const stack = Stack.of(accepter.scope);
  const administrator = accepter.administratorAccountId;
  // Only what is known at synth is compared; an unknown value may be the one that matches.
  if ([stack.account, stack.region, administrator].some((value) => Token.isUnresolved(value))) {
    return undefined;
  }
  const mayInvite = (m: MembersDeclaration): boolean =>
    (Token.isUnresolved(m.stack.account) || m.stack.account === administrator)
    && m.regions.some((region) => Token.isUnresolved(region) || region === stack.region)
    && m.accountIds.some((id) => Token.isUnresolved(id) || id === stack.account);
  if (members.some(mayInvite)) {
    return undefined;
  }
  return `no SecurityHubMembers of this app declares account ${stack.account} for administrator ${administrator} in region ${stack.region}: `
    + 'expected one that does, unless the administrator\'s stack is in another app; without an invitation the deploy fails with "no invitation"';
}

class UninvitedAccepters implements IAspect {
  constructor(private readonly root: IConstruct, private readonly declarations: AppDeclarations) {}

  visit(node: IConstruct): void {
    // Aspects visit every construct; the root comes first, when the whole app is built.
    if (node !== this.root) {
      return;
    }
    const members = this.declarations.members();
    for (const accepter of this.declarations.accepters()) {
      const problem = uninvitedProblem(accepter, members);
      if (problem) {
        warn(accepter.scope, 'cdk-securityhub-members:uninvitedAccepter', problem);
      }
    }
  }
}
