/**
 * Reads the handler's own CloudFormation stack: its status, its parameter values and its current
 * template. The members handler asks before it removes anything, to keep the accounts another
 * resource of the stack declares (rule R10, docs/design.md). The role allows only these two reads, only
 * on its own stack.
 */
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { accountOfArn } from './cfn';
import { reasonOf } from './errors';
import type { Runtime } from './runtime';

/** What the handler knows of its stack at one moment. */
export interface StackView {
  /** The stack's id (ARN), as the event gives it. */
  readonly stackId: string;
  /** `StackStatus` from DescribeStacks, e.g. `UPDATE_IN_PROGRESS`. */
  readonly status: string;
  /** Parameter values by key (the resolved value of SSM parameter types). */
  readonly parameters: ReadonlyMap<string, string>;
  /** The current template's body, as GetTemplate returns it. */
  readonly templateBody: string;
  /** When the stack was created: the start of its first deploy (rule R13, docs/design.md). */
  readonly creationTime?: Date;
  /** The start of the stack's latest update; absent before the first update (rule R13). */
  readonly lastUpdatedTime?: Date;
}

/** Reads a stack; throws with the reason when either read fails. */
export interface StackReader {
  read(stackId: string): Promise<StackView>;
  /** Only the `StackStatus` (DescribeStacks alone). */
  status(stackId: string): Promise<string>;
}

/** Raised when the stack could not be read; its message names the stack and the service's reason. */
export class StackReadError extends Error {
  constructor(readonly stackId: string, cause: unknown) {
    super(`could not read stack ${stackId} (DescribeStacks, GetTemplate): ${reasonOf(cause)}`, { cause });
    this.name = 'StackReadError';
  }
}

/** The region in a stack id (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID`). */
export function regionOfStackId(stackId: string): string | undefined {
  const region = stackId.split(':')[3];
  return region ? region : undefined;
}

/** The account in a stack id. */
export function accountOfStackId(stackId: string): string | undefined {
  return accountOfArn(stackId);
}

function clientOfStack(runtime: Runtime, stackId: string): CloudFormationClient {
  const region = regionOfStackId(stackId);
  if (!region) {
    throw new StackReadError(stackId, new Error(`invalid stack id ${JSON.stringify(stackId)}: expected arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID`));
  }
  return runtime.client(CloudFormationClient, 'cloudformation', region);
}

/** Reads through the AWS SDK, in the stack's own region, with the runtime's client for it. */
export class SdkStackReader implements StackReader {
  constructor(private readonly runtime: Runtime) {}

  async status(stackId: string): Promise<string> {
    const client = clientOfStack(this.runtime, stackId);
    try {
      const status = (await client.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0]?.StackStatus;
      if (!status) {
        throw new Error('DescribeStacks returned no stack status');
      }
      return status;
    } catch (error) {
      throw new StackReadError(stackId, error);
    }
  }

  async read(stackId: string): Promise<StackView> {
    const client = clientOfStack(this.runtime, stackId);
    try {
      const [described, template] = await Promise.all([
        client.send(new DescribeStacksCommand({ StackName: stackId })),
        client.send(new GetTemplateCommand({ StackName: stackId })),
      ]);
      const stack = described.Stacks?.[0];
      if (!stack?.StackStatus) {
        throw new Error('DescribeStacks returned no stack status');
      }
      if (typeof template.TemplateBody !== 'string') {
        throw new Error('GetTemplate returned no template body');
      }
      const parameters = new Map<string, string>();
      for (const p of stack.Parameters ?? []) {
        if (p.ParameterKey !== undefined) {
          parameters.set(p.ParameterKey, p.ResolvedValue ?? p.ParameterValue ?? '');
        }
      }
      return {
        stackId,
        status: stack.StackStatus,
        parameters,
        templateBody: template.TemplateBody,
        ...(stack.CreationTime ? { creationTime: stack.CreationTime } : {}),
        ...(stack.LastUpdatedTime ? { lastUpdatedTime: stack.LastUpdatedTime } : {}),
      };
    } catch (error) {
      throw new StackReadError(stackId, error);
    }
  }
}
