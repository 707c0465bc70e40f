/**
 * What differs between the aws-cdk-lib versions the peer range accepts (2.200.0 and later). The
 * library compiles against the newest aws-cdk-lib, so everything newer than the floor is looked
 * up at run time and replaced by what the user's version has.
 */
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * The newest Node.js runtime of the user's aws-cdk-lib: Node.js 24 where it is known (2.20x
 * versions predate it), else Node.js 22, which every version of the peer range has.
 */
export function nodeRuntime(): lambda.Runtime {
  const runtimes = lambda.Runtime as unknown as Record<string, lambda.Runtime | undefined>;
  return runtimes.NODEJS_24_X ?? lambda.Runtime.NODEJS_22_X;
}

/** The template metadata key cdk-nag 2 reads its suppressions from. */
export const CDK_NAG_METADATA_KEY = 'cdk_nag';

/** One suppression in cdk-nag 2's template format. */
interface CdkNagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: string[];
}

/**
 * Acknowledges a cdk-nag finding on `scope` and everything under it.
 *
 * Where aws-cdk-lib has `Validations` and accepts the id, that is the whole story: cdk-nag 3
 * reads those acknowledgements. Versions before `Validations` (2.200 to about 2.250) pair with
 * cdk-nag 2, which reads `cdk_nag` template metadata on each resource, so the suppression is
 * written there, on every resource under `scope` at the time of the call (the constructs call this
 * after creating their resources). Versions whose `Validations` rejects ids that carry `::`
 * inside a finding's brackets (before 2.269) get the acknowledgement recorded under
 * `Validations.ACKNOWLEDGED_RULES_METADATA_KEY` directly, the metadata cdk-nag 3 reads, plus the
 * cdk-nag 2 form, because those versions may pair with either.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const validations = (cdk as { Validations?: typeof cdk.Validations }).Validations;
  if (validations) {
    try {
      validations.of(scope).acknowledge({ id, reason });
      return;
    } catch {
      scope.node.addMetadata(validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [`Annotation::${id}`]: reason });
    }
  }
  suppressForCdkNag2(scope, id, reason);
}

/** Splits `Rule[finding]` into cdk-nag 2's `id` and `applies_to`, then merges it into each resource. */
function suppressForCdkNag2(scope: IConstruct, id: string, reason: string): void {
  const granular = /^([^[]+)\[(.*)\]$/.exec(id);
  const suppression: CdkNagSuppression = granular
    ? { id: granular[1], reason, applies_to: [granular[2]] }
    : { id, reason };
  for (const child of scope.node.findAll()) {
    if (cdk.CfnResource.isCfnResource(child)) {
      const existing = (child.getMetadata(CDK_NAG_METADATA_KEY) as { rules_to_suppress?: CdkNagSuppression[] } | undefined)?.rules_to_suppress ?? [];
      const rules = [...existing, suppression];
      child.addMetadata(CDK_NAG_METADATA_KEY, { rules_to_suppress: rules });
    }
  }
}

/**
 * Makes one of the Provider framework's functions log only fatal errors, in JSON: the requests it
 * would otherwise log carry the members' emails. aws-cdk-lib does this itself in later versions
 * (the Provider's `frameworkLambdaLoggingLevel`, FATAL by default); on versions that leave the
 * level unset, the function's template properties are set directly.
 */
export function logOnlyFatalErrors(fn: lambda.Function): void {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const config = cfn.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined;
  if (config?.applicationLogLevel === undefined) {
    cfn.addPropertyOverride('LoggingConfig.LogFormat', 'JSON');
    cfn.addPropertyOverride('LoggingConfig.ApplicationLogLevel', 'FATAL');
  }
}

/**
 * Adds a warning to `scope`: `addWarningV2`, which `cdk synth --strict` and acknowledgements know
 * by its id, where the user's aws-cdk-lib has it, else the older `addWarning`.
 */
export function warn(scope: IConstruct, id: string, message: string): void {
  const annotations = cdk.Annotations.of(scope) as cdk.Annotations & { addWarningV2?: (id: string, message: string) => void };
  if (annotations.addWarningV2) {
    annotations.addWarningV2(id, message);
  } else {
    annotations.addWarning(message);
  }
}
