/**
 * Structured logs: one JSON object a line, with account ids and counts. Callers never pass email
 * addresses or the event's ResponseURL; `log` takes only the fields it is given, never an event.
 */
export type LogFields = Record<string, string | number | boolean | string[] | undefined>;

/** Writes one JSON log line. */
export function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'ERROR') {
    console.error(line);
  } else {
    console.log(line);
  }
}
