import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One cdk-nag rule suppression, with the reason a reviewer reads. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: string[];
}

/**
 * Adds cdk-nag suppressions to every CloudFormation resource under `scope`, in the metadata format
 * cdk-nag reads (`cdk_nag.rules_to_suppress`), so that consumers who run cdk-nag see our reasons
 * without this library depending on cdk-nag.
 */
export function suppressNag(scope: IConstruct, suppressions: NagSuppression[]): void {
  for (const child of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(child)) {
      continue;
    }
    const existing = (child.getMetadata('cdk_nag') as { rules_to_suppress?: NagSuppression[] } | undefined)?.rules_to_suppress ?? [];
    const merged = [...existing];
    for (const s of suppressions) {
      if (!merged.some((e) => e.id === s.id)) {
        merged.push({ id: s.id, reason: s.reason, ...(s.appliesTo ? { applies_to: s.appliesTo } : {}) } as NagSuppression);
      }
    }
    child.addMetadata('cdk_nag', { rules_to_suppress: merged });
  }
}
