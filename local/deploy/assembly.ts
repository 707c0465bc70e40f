/**
 * Reads a synthesized cloud assembly (cdk.out) the way CloudFormation would see it: the stacks in
 * deployment order and, in each, the custom resources of this library with their properties
 * resolved and the bundled handler file that a real deploy would upload.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ACCEPTER_RESOURCE_TYPE, MEMBERS_RESOURCE_TYPE } from '../../lib/shared/contract';
import { evaluateExactly, isDeployedExactly, TemplateContext } from '../../lib/shared/template';

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
}

/** One stack of the assembly. */
export interface LocalStack {
  readonly name: string;
  readonly account: string;
  readonly region: string;
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

/** The stacks of `cdkOut` in dependency order, with the custom resources the local deploy runs. */
export function readAssembly(cdkOut: string, defaults: AssemblyDefaults): LocalStack[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(cdkOut, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; environment?: string; dependencies?: string[]; properties?: { templateFile?: string } }>;
  };
  const artifacts = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const names = new Set(artifacts.map(([name]) => name));
  const ordered: string[] = [];
  const visit = (name: string, seen: Set<string>): void => {
    if (ordered.includes(name) || seen.has(name)) {
      return;
    }
    seen.add(name);
    const artifact = manifest.artifacts![name];
    for (const dep of artifact.dependencies ?? []) {
      if (names.has(dep)) {
        visit(dep, seen);
      }
    }
    ordered.push(name);
  };
  artifacts.forEach(([name]) => visit(name, new Set()));

  return ordered.map((name) => {
    const artifact = manifest.artifacts![name];
    const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
    const stack = {
      name,
      account: account && /^\d{12}$/.test(account) ? account : defaults.account,
      region: region && !region.startsWith('unknown') ? region : defaults.region,
    };
    const template = JSON.parse(fs.readFileSync(path.join(cdkOut, artifact.properties!.templateFile!), 'utf8')) as Template;
    return { ...stack, resources: customResources(cdkOut, template, stack), template };
  });
}

function customResources(cdkOut: string, template: Template, stack: { name: string; account: string; region: string }): LocalResource[] {
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
    const handlerOf = (variable: string): HandlerRef | undefined => {
      if (variables[variable] === undefined) {
        return undefined;
      }
      const fn = getAttTarget(variables[variable], `${framework}'s ${variable}`);
      // Asset metadata is on when the CDK CLI synthesizes; otherwise the S3 key names the asset hash.
      const s3Key = (resources[fn]?.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
      const hash = typeof s3Key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(s3Key)?.[1] : undefined;
      const asset = resources[fn]?.Metadata?.['aws:asset:path'] ?? (hash ? `asset.${hash}` : undefined);
      const handler = resources[fn]?.Properties?.Handler;
      if (typeof asset !== 'string' || typeof handler !== 'string') {
        throw new Error(`function ${fn} has no asset path or handler: expected a Code.fromAsset function synthesized with asset metadata`);
      }
      const [file, exportName] = handler.split('.');
      return { file: path.join(cdkOut, asset, `${file}.js`), exportName, functionLogicalId: fn };
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
    });
  }
  return result;
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
