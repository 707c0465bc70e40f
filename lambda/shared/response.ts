/**
 * Every answer fits (rule R11, docs/design.md). CloudFormation drops a custom resource response of 4,096
 * bytes or more and shows only "Response object is too long", which hides the reason a deploy
 * failed. The aws-cdk-lib Provider framework builds that response itself: for a failure, its
 * `Reason` is the handler's error message, a line naming the handler's log group, and the stack
 * frames Lambda reports; beside it go the stack id, request id, logical and physical ids and the
 * Data that onEvent returned. This module sizes the error a handler throws to what is left.
 */
import type { CustomResourceEvent } from './cfn';
import { logErrorDetails } from './errors';
import type { Log } from './log';

/** CloudFormation's limit on a custom resource response body, in bytes (a body must be smaller). */
export const RESPONSE_LIMIT = 4096;

/** The physical id the Provider framework answers a failed Create with. */
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** Lambda function names are at most 64 characters; the framework names the log group in the Reason. */
const LOGS_LINE = `\n\nLogs: /aws/lambda/${'f'.repeat(64)}\n`;

/** Bytes kept free for what this module cannot see (a longer RequestId, framework changes). */
const MARGIN = 150;

/** What a message that had to be cut ends with. */
export const CUT_NOTE = ' ... (cut to fit the 4,096-byte CloudFormation response; the whole message is in the handler\'s log)';

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * Bytes of JSON a failure's error message may take in the response that the framework sends for
 * `event` (with `data`, what onEvent returned, for a failure of isComplete).
 */
export function messageBudget(event: CustomResourceEvent<unknown>, data?: unknown): number {
  const skeleton = {
    Status: 'FAILED',
    Reason: '',
    StackId: event.StackId,
    RequestId: event.RequestId,
    PhysicalResourceId: event.PhysicalResourceId ?? CREATE_FAILED_MARKER,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  };
  // Both JSON strings' quotes are counted once each, in the skeleton's empty Reason.
  return RESPONSE_LIMIT - 1 - jsonBytes(skeleton) - (jsonBytes(LOGS_LINE) - 2) - MARGIN;
}

/** `message` within `budget` bytes of JSON (its escapes counted), cut with {@link CUT_NOTE} when longer. */
export function fitMessage(message: string, budget: number): string {
  // One line: the framework splits Lambda's trace by lines and would repeat a multi-line message.
  const flat = message.replace(/\s*\n\s*/g, ' ');
  const size = (text: string) => jsonBytes(text) - 2;
  if (size(flat) <= budget) {
    return flat;
  }
  let low = 0;
  let high = flat.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size(flat.slice(0, mid) + CUT_NOTE) <= budget) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return flat.slice(0, low) + CUT_NOTE;
}

/**
 * The error to throw for `error`: its message fitted to the response of `event`, and a stack of
 * that one line, because Lambda reports the stack's frames and the framework puts them in the
 * Reason. The whole message and its frames go to the handler's log first, with what the message
 * may have left out: the one place a failed event is logged.
 */
export function fittedError(log: Log, error: unknown, event: CustomResourceEvent<unknown>, data?: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  logErrorDetails(log, error);
  log('ERROR', 'event failed', { error: original.message, errorType: original.name, stack: original.stack });
  const fitted = new Error(fitMessage(original.message, messageBudget(event, data)));
  fitted.name = original.name;
  fitted.stack = `${fitted.name}: ${fitted.message}`;
  return fitted;
}
