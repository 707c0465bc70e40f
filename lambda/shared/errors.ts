/** One account that could not be brought to its declared state, with the service's reason. */
export interface AccountFailure {
  readonly accountId: string;
  readonly region: string;
  readonly reason: string;
}

/** A declaration that fails validation; raised before any mutating call. */
export class ValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ValidationError';
  }
}

/**
 * Some accounts failed. The message lists every failed account id, its region and the service's
 * reason, which is what a CloudFormation user sees in the stack events.
 */
export class MemberOperationError extends Error {
  constructor(
    readonly phase: string,
    readonly failures: AccountFailure[],
    readonly rollback?: string,
    options?: { cause?: unknown },
  ) {
    super(describeFailures(phase, failures, rollback), options);
    this.name = 'MemberOperationError';
  }
}

function describeFailures(phase: string, failures: AccountFailure[], rollback?: string): string {
  const accounts = new Set(failures.map((f) => f.accountId)).size;
  // Accounts that failed for the same reason in the same region are listed together.
  const groups = new Map<string, string[]>();
  for (const f of failures) {
    const key = `${f.region}\n${f.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), f.accountId]);
  }
  const list = [...groups].map(([key, ids]) => {
    const [region, reason] = key.split('\n');
    return `${ids.join(', ')} in ${region}: ${reason.replace(/\.+$/, '')}`;
  }).join('; ');
  const tail = rollback ? ` ${rollback}` : '';
  return `${phase} failed for ${accounts} account${accounts === 1 ? '' : 's'}: ${list}.${tail}`;
}

/** A short description of any thrown value, for failure reasons. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  }
  return String(error);
}
