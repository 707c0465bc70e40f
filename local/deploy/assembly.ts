/**
 * Reads a synthesized cloud assembly (cdk.out) the way CloudFormation would see it, through the
 * one cloud-assembly reader (cli/cloud-assembly.ts, nested stages included): the stacks in
 * deployment order, each known by account, region and name, and, in each, the custom resources
 * of this library with their properties resolved and the bundled handler file that a real deploy
 * would upload.
 */
import * as path from 'path';
import { readCloudAssembly, StackIdentity } from '../../cli/cloud-assembly';
import { ACCEPTER_RESOURCE_TYPE, MEMBERS_RESOURCE_TYPE } from '../../lib/shared/contract';
import { evaluateExactly, isDeployedExactly, TemplateContext } from '../../lambda/shared/template';
import { isAccountId } from '../../lib/shared/validation';

/** The resource types the local deploy runs. */
export const LOCAL_RESOURCE_TYPES: readonly string[] = [MEMBERS_RESOURCE_TYPE, ACCEPTER_RESOURCE_TYPE];

/** A handler export in a bundled asset. */
export interface HandlerRef {
  /** The bundled file, e.g. cdk.out/asset.<hash>/index.js. */
  readonly file: string;
  /** The export, e.g. `handler` or `isComplete`. */
  readonly exportName: string;
  /** The function's logical id, for its ARN. */
  readonly functionLogicalId: string;
}

/** One custom resource as the local deploy runs it. */
export interface LocalResource {
  readonly logicalId: string;
  /** The construct path, e.g. SecurityHubAdministrator/Members/Resource/Default. */
  readonly path: string;
  readonly type: string;
  /** Properties with intrinsics resolved and ServiceToken removed. */
  readonly properties: Record<string, unknown>;
  readonly retain: boolean;
  readonly onEvent: HandlerRef;
  readonly isComplete?: HandlerRef;
  /**
   * The directory of the Provider framework's runtime as synthesized (its asset in cdk.out), which
   * the local deploy runs as the resource's ServiceToken.
   * @default - the runtime aws-cdk-lib packages
   */
  readonly framework?: string;
}

/** One stack of the assembly, known by account, region and name as CloudFormation knows it. */
export interface LocalStack extends StackIdentity {
  /** The construct path of the stack, which `cdk deploy` selects it by, e.g. `Prod/SecurityHubAdministrator` for a stage's stack. */
  readonly hierarchicalId: string;
  readonly resources: LocalResource[];
  /** The whole template as synthesized, which CloudFormation's GetTemplate returns once deployed. */
  readonly template: Record<string, unknown>;
}

interface Template {
  [key: string]: unknown;
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DeletionPolicy?: string }>;
}

/** Fallbacks for an environment-agnostic stack. */
export interface AssemblyDefaults {
  readonly account: string;
  readonly region: string;
}

/**
 * The stacks of `cdkOut` in dependency order, nested stages included, with the custom resources
 * the local deploy runs; an environment-agnostic stack gets the defaults' account and region.
 *
 * @throws NotACloudAssembly when `cdkOut` is not a cloud assembly
 */
export function readAssembly(cdkOut: string, defaults: AssemblyDefaults): LocalStack[] {
  return readCloudAssembly(cdkOut).map((artifact) => {
    const stack = {
      name: artifact.name,
      account: isAccountId(artifact.account) ? artifact.account : defaults.account,
      region: artifact.region ?? defaults.region,
    };
    const template = artifact.template as Template;
    return { ...stack, hierarchicalId: artifact.hierarchicalId, resources: customResources({ root: cdkOut, stack: artifact.assemblyDirectory }, template, stack), template };
  });
}

/**
 * Asset metadata paths are relative to the directory of the assembly that holds the stack (a
 * nested stage's `assembly-Prod`); aws-cdk-lib stages every asset in the root assembly's.
 */
interface AssemblyDirectories {
  readonly root: string;
  readonly stack: string;
}

function customResources(directories: AssemblyDirectories, template: Template, stack: { name: string; account: string; region: string }): LocalResource[] {
  const resources = template.Resources ?? {};
  const result: LocalResource[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    // A resource whose Condition is false is not created, as in CloudFormation.
    if (!LOCAL_RESOURCE_TYPES.includes(resource.Type) || !isDeployedExactly(template, logicalId, localContext(stack))) {
      continue;
    }
    const { ServiceToken: serviceToken, ...rest } = resource.Properties ?? {};
    const framework = getAttTarget(serviceToken, `${logicalId}'s ServiceToken`);
    const variables = ((resources[framework]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
    const assetOf = (fn: string): { asset?: string; handler?: unknown } => {
      // Asset metadata is on when the CDK CLI synthesizes; otherwise the S3 key names the asset hash.
      const s3Key = (resources[fn]?.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
      const hash = typeof s3Key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(s3Key)?.[1] : undefined;
      const metadataPath = resources[fn]?.Metadata?.['aws:asset:path'];
      const asset = typeof metadataPath === 'string'
        ? path.resolve(directories.stack, metadataPath)
        : hash ? path.resolve(directories.root, `asset.${hash}`) : undefined;
      return { asset, handler: resources[fn]?.Properties?.Handler };
    };
    const handlerOf = (variable: string): HandlerRef | undefined => {
      if (variables[variable] === undefined) {
        return undefined;
      }
      const fn = getAttTarget(variables[variable], `${framework}'s ${variable}`);
      const { asset, handler } = assetOf(fn);
      if (asset === undefined || typeof handler !== 'string') {
        throw new Error(`function ${fn} has no asset path or handler: expected a Code.fromAsset function synthesized with asset metadata`);
      }
      const [file, exportName] = handler.split('.');
      return { file: path.join(asset, `${file}.js`), exportName, functionLogicalId: fn };
    };
    const onEvent = handlerOf('USER_ON_EVENT_FUNCTION_ARN');
    if (!onEvent) {
      throw new Error(`${logicalId} is not served by an aws-cdk-lib Provider: expected USER_ON_EVENT_FUNCTION_ARN on ${framework}`);
    }
    result.push({
      logicalId,
      path: String(resource.Metadata?.['aws:cdk:path'] ?? logicalId),
      type: resource.Type,
      properties: resolve(rest, stack, `${stack.name}/${logicalId}`, template) as Record<string, unknown>,
      retain: resource.DeletionPolicy === 'Retain',
      onEvent,
      isComplete: handlerOf('USER_IS_COMPLETE_FUNCTION_ARN'),
      ...frameworkOf(assetOf(framework), framework),
    });
  }
  return result;
}

/** The framework's runtime directory, when its onEvent function is the framework's own code from an asset. */
function frameworkOf(code: { asset?: string; handler?: unknown }, fn: string): { framework?: string } {
  if (code.asset === undefined) {
    return {};
  }
  if (code.handler !== 'framework.onEvent') {
    throw new Error(`function ${fn} has handler ${JSON.stringify(code.handler)}: expected "framework.onEvent", the aws-cdk-lib Provider framework's`);
  }
  return { framework: code.asset };
}

function getAttTarget(value: unknown, what: string): string {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  if (!getAtt) {
    throw new Error(`unsupported ${what} ${JSON.stringify(value)}: expected Fn::GetAtt of a function`);
  }
  return getAtt[0];
}

/**
 * `value` with every intrinsic evaluated by the shared evaluator's exact policy: the local deploy
 * passes no parameter values, so each parameter takes its default, as its DescribeStacks answers.
 *
 * @throws TemplateEvaluationError naming `where` and the intrinsic, when one can't be evaluated
 */
export function resolve(value: unknown, stack: { name: string; account: string; region: string }, where: string, template: unknown = {}): unknown {
  return evaluateExactly(value, template, localContext(stack), where);
}

/** The values a template takes in a local deploy: no parameter values are passed, so each parameter has its default. */
function localContext(stack: { name: string; account: string; region: string }): TemplateContext {
  return { region: stack.region, account: stack.account, stackName: stack.name, parameters: new Map() };
}
