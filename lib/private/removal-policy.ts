import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * The problem with a construct's removal policy, or undefined when it is DESTROY, RETAIN or unset.
 * A custom resource has no snapshot, and only DESTROY and RETAIN have a behaviour that the
 * handlers and the README define.
 */
export function removalPolicyProblem(policy: RemovalPolicy | undefined): string | undefined {
  if (policy === undefined || policy === RemovalPolicy.DESTROY || policy === RemovalPolicy.RETAIN) {
    return undefined;
  }
  return `invalid removalPolicy ${JSON.stringify(policy)}: expected RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, a custom resource has no snapshot`;
}
