/** One request the emulator received, whatever its outcome. */
export interface CallRecord {
  /** The operation name (e.g. `InviteMembers`), or `Unknown` when no route matched. */
  readonly operation: string;
  /** The caller's account, or an empty string when the request carried no usable identity. */
  readonly account: string;
  /** The caller's region, or an empty string when the request carried no usable identity. */
  readonly region: string;
  /** The HTTP status answered; 0 when the connection was dropped without an answer. */
  readonly httpStatus: number;
  /** The error name answered, if the call failed. */
  readonly errorType?: string;
  /** The account ids the request named (AccountDetails, AccountIds or AdministratorId). */
  readonly accountIds?: string[];
  /** Whether the call changed (or was allowed to change) the state: a lost or dropped answer still counts. */
  readonly applied: boolean;
  /** When the call was answered, ISO 8601 UTC. */
  readonly at: string;
}

/** Which calls to keep; every field given must match. */
export interface CallFilter {
  /** The caller's account. */
  readonly account?: string;
  /** The caller's region. */
  readonly region?: string;
  /** The operation name. */
  readonly operation?: string;
}

/**
 * Every request the emulator received, in arrival order of their answers, including failed and
 * throttled ones: tests count calls with it (e.g. that a no-change update makes only reads).
 */
export class CallLog {
  private records: CallRecord[] = [];

  /** Appends a call. The emulator calls this; tests normally only read. */
  record(call: CallRecord): void {
    this.records.push(call);
  }

  /** The calls that match the filter (all of them without one), oldest first. */
  entries(filter: CallFilter = {}): CallRecord[] {
    return this.records.filter((call) =>
      (filter.account === undefined || call.account === filter.account)
      && (filter.region === undefined || call.region === filter.region)
      && (filter.operation === undefined || call.operation === filter.operation));
  }

  /** The number of matching calls per operation name, failed and throttled ones included. */
  countsByOperation(filter: CallFilter = {}): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.entries(filter)) {
      counts[call.operation] = (counts[call.operation] ?? 0) + 1;
    }
    return counts;
  }

  /** The number of matching calls. */
  total(filter: CallFilter = {}): number {
    return this.entries(filter).length;
  }

  /** Forgets every call, e.g. between the phases of a test. */
  reset(): void {
    this.records = [];
  }
}
