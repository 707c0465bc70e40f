/** Helpers shared by the emulator tests. */

/** `count` distinct account ids from `from`. */
export function ids(count: number, from = 500000000000): string[] {
  return Array.from({ length: count }, (_, i) => String(from + i));
}

/** The error a call fails with; fails the test when the call succeeds. */
export async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}
