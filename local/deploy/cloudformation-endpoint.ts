/**
 * The two CloudFormation reads a members handler makes before it removes anything (docs/design.md,
 * rule R10), `DescribeStacks` and `GetTemplate`, answered on 127.0.0.1 for the stacks of a local
 * deploy. It speaks CloudFormation's awsQuery protocol (a form-encoded POST, an XML answer), so the
 * real `@aws-sdk/client-cloudformation` in a bundled handler talks to it unchanged through
 * `AWS_ENDPOINT_URL_CLOUDFORMATION`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, startLoopbackServer } from '../loopback-server';

/** What CloudFormation would report about a stack at this moment. */
export interface StackDescription {
  readonly stackName: string;
  /** `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`. */
  readonly stackId: string;
  /** The StackStatus, e.g. `UPDATE_COMPLETE_CLEANUP_IN_PROGRESS`. */
  readonly status: string;
  /** The template GetTemplate returns now: the new one during an update, the old one during its rollback. */
  readonly template: Record<string, unknown>;
  /** Parameter values by key. */
  readonly parameters: Record<string, string>;
  readonly creationTime: Date;
  readonly lastUpdatedTime?: Date;
}

/** One read the endpoint answered. */
export interface CloudFormationCall {
  readonly action: string;
  /** The StackName parameter as sent: a name or a stack id. */
  readonly stackName?: string;
  /** 200, or the error's HTTP status. */
  readonly httpStatus: number;
}

/** A running endpoint. */
export interface RunningCloudFormationEndpoint {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every request answered, oldest first. */
  readonly calls: CloudFormationCall[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Finds a stack by the StackName a request carries (its name or its stack id), for the named action. */
export type StackLookup = (nameOrId: string, action: string) => StackDescription | undefined;

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** An error the endpoint answers with its code; a lookup may throw it to refuse a read (AccessDenied, for instance). */
export class QueryError extends Error {
  constructor(readonly code: string, message: string, readonly httpStatus = 400) {
    super(message);
  }
}

/** Escapes text for an XML element's content. */
function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function element(name: string, content: string | undefined): string {
  return content === undefined ? '' : `<${name}>${content}</${name}>`;
}

/** CloudFormation's timestamps: ISO 8601 in UTC. */
function time(date: Date): string {
  return date.toISOString();
}

function describeStacks(view: StackDescription): string {
  const parameters = Object.entries(view.parameters)
    .map(([key, value]) => `<member>${element('ParameterKey', xml(key))}${element('ParameterValue', xml(value))}</member>`)
    .join('');
  const stack = [
    element('StackName', xml(view.stackName)),
    element('StackId', xml(view.stackId)),
    element('CreationTime', time(view.creationTime)),
    view.lastUpdatedTime ? element('LastUpdatedTime', time(view.lastUpdatedTime)) : '',
    element('StackStatus', view.status),
    element('Parameters', parameters),
    element('DisableRollback', 'false'),
  ].join('');
  return `<DescribeStacksResult><Stacks><member>${stack}</member></Stacks></DescribeStacksResult>`;
}

function getTemplate(view: StackDescription): string {
  const stages = '<member>Original</member><member>Processed</member>';
  return `<GetTemplateResult>${element('TemplateBody', xml(JSON.stringify(view.template)))}${element('StagesAvailable', stages)}</GetTemplateResult>`;
}

function answer(action: string, params: URLSearchParams, lookup: StackLookup): string {
  if (action !== 'DescribeStacks' && action !== 'GetTemplate') {
    throw new QueryError('InvalidAction', `the action ${action} is not valid for this web service: the local CloudFormation answers DescribeStacks and GetTemplate`);
  }
  const name = params.get('StackName');
  if (!name) {
    // The handler always names its own stack; listing every stack is not something it may do.
    throw new QueryError('ValidationError', `${action} without a StackName is not supported by the local CloudFormation: expected the stack's name or id`);
  }
  const view = lookup(name, action);
  if (!view) {
    throw new QueryError('ValidationError', `Stack with id ${name} does not exist`);
  }
  return action === 'DescribeStacks' ? describeStacks(view) : getTemplate(view);
}

/** Starts the endpoint on a free port of 127.0.0.1, answering from `lookup`. */
export async function startCloudFormationEndpoint(lookup: StackLookup): Promise<RunningCloudFormationEndpoint> {
  const calls: CloudFormationCall[] = [];
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const params = new URLSearchParams(await readBody(request));
    const action = params.get('Action') ?? '';
    let status = 200;
    let payload: string;
    try {
      if (request.method !== 'POST') {
        throw new QueryError('InvalidAction', `method ${request.method} is not supported: expected POST with a form-encoded body`);
      }
      const result = answer(action, params, lookup);
      payload = `<${action}Response xmlns="${NAMESPACE}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
    } catch (error) {
      const failure = error instanceof QueryError ? error : new QueryError('InternalFailure', String(error), 500);
      status = failure.httpStatus;
      payload = `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${status < 500 ? 'Sender' : 'Receiver'}</Type>`
        + `<Code>${failure.code}</Code><Message>${xml(failure.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    }
    calls.push({ action, ...(params.get('StackName') ? { stackName: params.get('StackName')! } : {}), httpStatus: status });
    // No keep-alive: an idle connection of a handler's SDK client would keep the process alive,
    // and a handler makes two reads per removal at most.
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, connection: 'close' });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${payload}`);
  };
  const server = await startLoopbackServer(handle);
  return {
    url: server.url,
    calls,
    close: () => server.close(),
  };
}
