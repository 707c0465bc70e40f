import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge, logOnlyFatalErrors, nodeRuntime } from './compat';

/** Options of {@link HandlerProvider.of}. */
export interface HandlerProviderOptions {
  /** The construct id under the stack; part of the contract, changing it replaces the handler. */
  readonly id: string;
  /** The bundled handler's folder under `assets/`. */
  readonly assetName: string;
  /** The function's description. */
  readonly description: string;
  /** The function's timeout. */
  readonly timeout: Duration;
  /** Whether the provider polls the handler's `isComplete` export. */
  readonly isComplete?: { readonly queryInterval: Duration; readonly totalTimeout: Duration };
  /**
   * Whether the handler reads its own stack (DescribeStacks, GetTemplate) before removing anything,
   * to keep what another resource of the stack declares.
   * @default false
   */
  readonly readsOwnStack?: boolean;
}

/** The only CloudFormation actions a handler that reads its own stack may call. */
export const STACK_READ_ACTIONS = ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'];

/**
 * One handler function and one Provider per stack, shared by every instance of a construct in
 * that stack: the function's role gets each instance's permissions added to it.
 */
export class HandlerProvider extends Construct {
  /** The provider (or the existing one) for `options.id` in the stack of `scope`. */
  static of(scope: Construct, options: HandlerProviderOptions): HandlerProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(options.id);
    if (existing) {
      return existing as HandlerProvider;
    }
    return new HandlerProvider(stack, options.id, options);
  }

  /** The handler's role; instances add their Security Hub permissions to it. */
  readonly role: iam.Role;
  /** The handler function. */
  readonly handler: lambda.Function;
  /** The token each custom resource passes as its service token. */
  readonly serviceToken: string;
  /** Every function that runs the bundle: the handler, and isComplete where there is one. */
  private readonly bundleFunctions: lambda.Function[];
  /** Environment variables set through {@link setEnvironment}, with the path of who set each. */
  private readonly settings = new Map<string, { readonly value: string; readonly owner: string }>();

  private constructor(scope: Construct, id: string, options: HandlerProviderOptions) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    // An explicit role with inline statements only: no AWS managed policy (cdk-nag AwsSolutions-IAM4).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${options.description} handler`,
    });
    logGroup.grantWrite(this.role);
    if (options.readsOwnStack) {
      // Only its own stack: the handler never reads another stack's template.
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: STACK_READ_ACTIONS, resources: [Stack.of(this).stackId] }));
    }
    const code = lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', options.assetName));
    // Both exports of the bundle run alike; isComplete gets the handler's timeout too, because a
    // wait that runs out undoes a Create's members in that call.
    const handlerFunction = (id: string, exportName: string, description: string): lambda.Function => new lambda.Function(this, id, {
      description,
      code,
      handler: `index.${exportName}`,
      runtime: nodeRuntime(),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: options.timeout,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    this.handler = handlerFunction('Handler', 'handler', options.description);
    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    const isComplete = options.isComplete ? handlerFunction('IsCompleteHandler', 'isComplete', `${options.description}: waits for completion`) : undefined;
    this.bundleFunctions = isComplete ? [this.handler, isComplete] : [this.handler];
    // The framework's functions get a role of ours too, so no AWS managed policy is attached.
    const frameworkRole = new iam.Role(this, 'FrameworkRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the Provider framework of the ${options.description} handler`,
    });
    frameworkLogs.grantWrite(frameworkRole);
    // A role of its own: sharing the onEvent role would make the state machine depend on itself.
    const waiterRole = options.isComplete
      ? new iam.Role(this, 'FrameworkWaiterRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runs the Provider framework's isComplete and timeout functions of the ${options.description} handler`,
      })
      : undefined;
    if (waiterRole) {
      frameworkLogs.grantWrite(waiterRole);
    }
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      isCompleteHandler: isComplete,
      queryInterval: options.isComplete?.queryInterval,
      totalTimeout: options.isComplete?.totalTimeout,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
      frameworkCompleteAndTimeoutRole: waiterRole,
      // The waiter's every step is logged (cdk-nag AwsSolutions-SF1); execution data carries the
      // event's properties, which may hold member emails, so it stays out.
      ...(options.isComplete ? {
        disableWaiterStateMachineLogging: false,
        waiterStateMachineLogOptions: { destination: frameworkLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      } : {}),
    });
    this.serviceToken = provider.serviceToken;
    for (const id of ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout']) {
      const fn = provider.node.tryFindChild(id);
      if (fn instanceof lambda.Function) {
        logOnlyFatalErrors(fn);
      }
    }
    // cdk-nag reads these acknowledgements (aws-cdk-lib's own mechanism where the user's version has
    // it, see compat.ts, so no dependency on cdk-nag).
    const invoked = [this.handler, isComplete, ...['framework-isComplete', 'framework-onTimeout'].map((id) => provider.node.tryFindChild(id))];
    for (const fn of invoked) {
      if (fn instanceof lambda.Function) {
        const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
        acknowledge(this, `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`, 'The aws-cdk-lib Provider framework may invoke any version of this one function (its ARN with :*); that is how aws-cdk-lib grants it.');
      }
    }
    const waiter = provider.node.tryFindChild('waiter-state-machine');
    if (waiter) {
      // Only on the waiter, so that a wildcard anywhere else in this construct is still reported.
      acknowledge(waiter, 'AwsSolutions-IAM5[Resource::*]', 'Step Functions log delivery (logs:CreateLogDelivery and related actions) only supports Resource "*"; aws-cdk-lib adds it for the waiter\'s logging.');
      acknowledge(waiter, 'AwsSolutions-SF2', 'The aws-cdk-lib Provider framework builds its waiter state machine without a tracing option; its steps are logged to the framework log group instead.');
    }
  }

  /**
   * Sets `name` on every function that runs the bundle, or returns the setting of another instance
   * of the stack that set it to another value: one handler serves every instance, so they must
   * agree.
   */
  setEnvironment(name: string, value: string, owner: string): { readonly value: string; readonly owner: string } | undefined {
    const existing = this.settings.get(name);
    if (existing !== undefined && existing.value !== value) {
      return existing;
    }
    this.settings.set(name, { value, owner: existing?.owner ?? owner });
    for (const fn of this.bundleFunctions) {
      fn.addEnvironment(name, value);
    }
    return undefined;
  }
}

/** The hub ARN of the stack's account in `region`, for IAM statements. */
export function hubArn(scope: Construct, region: string): string {
  return Stack.of(scope).formatArn({ service: 'securityhub', region, resource: 'hub', resourceName: 'default' });
}
