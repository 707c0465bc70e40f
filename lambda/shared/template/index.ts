/**
 * Template reading and declaration parsing, for the handlers, the drift command, the audit and the
 * local deploy. It lives outside `lib/` so that jsii does not compile it: no construct needs it,
 * and `dist/` ships only what constructs import.
 */
export type { EvaluationPolicy, TemplateContext } from './evaluator';
export { TemplateEvaluationError } from './evaluator';
export type { DeclaredMember, MembersResourceReading, ReadMembersOptions, Readable } from './members';
export { evaluateExactly, isDeployedExactly, isReadable, readMembersResources } from './members';
export { EVALUATION_POLICIES } from './policies';
export type { DeclarationEnvironment, DeclarationReading, MembersDeclaration } from './declaration';
export { parsePreviousDeclaration, validateDeclaration } from './declaration';
