/**
 * The three ways of reading a template (./evaluator.ts), each the answer to one question:
 *
 * - {@link exact}: what the stack deploys, every value known (the local deploy, which has the
 *   parameter values); anything that can't be evaluated throws a TemplateEvaluationError naming it
 *   and the resource.
 * - {@link overApproximating}: what a resource *may* declare (rule R10, docs/design.md, ownership
 *   across the stack). A value that can't be read is "any"; `Fn::If` is the union of both branches
 *   and a resource with a `Condition` is kept, because keeping an account is the safe side. Every
 *   intrinsic met is noted, so the handler can say why it kept more than the literal template.
 * - {@link strict}: what a resource declares, or why it can't be told without guessing (the drift
 *   command and the scheduled audit). Conditions are decided when their inputs are known.
 */
import { EvaluationPolicy, isUnknown, known, notLiteral, Policy, show, SUPPORTED, TemplateEvaluationError } from './evaluator';

/** Conditions decided from the values known, and a value of the wrong shape unreadable: `exact` and `strict` share these. */
const deciding: Omit<Policy, 'name' | 'unknown'> = {
  fnIf: (ev, condition, whenTrue, whenFalse) => {
    const holds = ev.condition(condition);
    return isUnknown(holds) ? holds : ev.shallow(holds ? whenTrue : whenFalse);
  },
  resourceCondition: (ev, name) => {
    const holds = typeof name === 'string' ? ev.condition(name) : ev.unknown(`Condition ${show(name)} is malformed: expected a condition name`);
    return isUnknown(holds)
      ? ev.unknown(`it carries Condition ${show(name)}, so whether it is deployed depends on values not known: ${holds.unknown}`)
      : holds;
  },
  unreadable: (path, node, what) => notLiteral(path, node, what),
  wrongShape: notLiteral,
  // A repeated region is the handler's to reject, so the reading keeps it.
  regions: (found) => found,
};

/** Every value known, or a TemplateEvaluationError: the local deploy. */
export const exact: Policy = {
  ...deciding,
  name: 'exact',
  unknown: (reason, where) => {
    throw new TemplateEvaluationError(`${where}: ${reason}: expected ${SUPPORTED} whose values are known`);
  },
};

/** What a resource may declare, keeping more when in doubt: rule R10's ownership. */
export const overApproximating: Policy = {
  name: 'over-approximating',
  unknown: (reason) => ({ unknown: reason }),
  fnIf: (ev, _condition, whenTrue, whenFalse) => {
    // Both branches: whether the condition holds is not decided on this side, keeping more is safe.
    const a = ev.shallow(whenTrue);
    const b = ev.shallow(whenFalse);
    if (isUnknown(a)) {
      return a;
    }
    return isUnknown(b) ? b : known(...a.values, ...b.values);
  },
  resourceCondition: (ev, name) => {
    ev.note(`Condition ${String(name)}`);
    return true;
  },
  unreadable: (_path, _node, _what, met) => ({ unreadable: met.unknown }),
  wrongShape: () => undefined,
  // Both branches of an Fn::If may name the same region.
  regions: (found) => [...new Set(found)],
};

/** What a resource declares, or why it can't be told: the drift command and the audit. */
export const strict: Policy = {
  ...deciding,
  name: 'strict',
  unknown: (reason) => ({ unknown: reason }),
};

/** Each policy by its name. */
export const POLICIES: Readonly<Record<EvaluationPolicy, Policy>> = {
  'exact': exact,
  'over-approximating': overApproximating,
  'strict': strict,
};

/** Every policy's name, for tables that read the same template under each. */
export const EVALUATION_POLICIES = Object.keys(POLICIES) as readonly EvaluationPolicy[];
