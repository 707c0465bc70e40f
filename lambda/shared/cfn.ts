/**
 * The parts of a CloudFormation custom resource event that the handlers read, as the aws-cdk-lib
 * Provider framework passes them. Declared here so the bundle needs no CDK types.
 */
import { isAccountId } from '../../lib/shared/validation';
export interface CustomResourceEvent<P = Record<string, unknown>> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId?: string;
  readonly StackId?: string;
  readonly LogicalResourceId?: string;
  readonly ResourceType?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P;
  readonly OldResourceProperties?: P;
  /** The framework passes it on; the handlers never log or use it. */
  readonly ResponseURL?: string;
}

/** What an onEvent handler returns to the Provider framework. */
export interface OnEventResult<D = Record<string, string>> {
  readonly PhysicalResourceId: string;
  readonly Data?: D;
}

/** What an isComplete handler receives: the event plus what onEvent returned. */
export interface IsCompleteEvent<P = Record<string, unknown>, D = Record<string, string>> extends CustomResourceEvent<P> {
  readonly Data?: D;
}

/** What an isComplete handler returns to the Provider framework. */
export interface IsCompleteResult<D = Record<string, string>> {
  readonly IsComplete: boolean;
  /** When complete, replaces the id onEvent returned. */
  readonly PhysicalResourceId?: string;
  /** When complete, merged over the Data onEvent returned; the framework refuses it otherwise. */
  readonly Data?: D;
}

/** The parts of the Lambda context the handlers read. */
export interface LambdaContext {
  readonly invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
}

/**
 * The account id in an ARN (`arn:partition:service:region:account:...`): a Lambda function's, a
 * stack id, a hub's. Undefined when the ARN has no 12-digit account there.
 */
export function accountOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return isAccountId(account) ? account : undefined;
}

/** A physical id that stays the same for a resource however often its Create is re-run. */
export function stablePhysicalId(prefix: string, event: CustomResourceEvent<unknown>): string {
  const stackName = event.StackId?.split('/')[1] ?? 'stack';
  return `${prefix}-${stackName}-${event.LogicalResourceId ?? 'resource'}`;
}

/**
 * The physical id of an Update or Delete. It never changes after Create: a new one would make
 * CloudFormation delete the old resource, and with it what the resource manages.
 */
export function requirePhysicalId(event: CustomResourceEvent<unknown>): string {
  if (!event.PhysicalResourceId) {
    throw new Error(`${event.RequestType} without a PhysicalResourceId: expected the id returned by Create`);
  }
  return event.PhysicalResourceId;
}
