/**
 * Structured logs: one JSON object a line, with account ids and counts. Callers never pass email
 * addresses or the event's ResponseURL; a {@link Log} takes only the fields it is given, never an event.
 */
export type LogFields = Record<string, string | number | boolean | string[] | undefined>;

/** The severity of a log line. */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

/** Where finished log lines go: console in Lambda, a capturing array in the local deploy and tests. */
export type LogSink = (line: string, level: LogLevel) => void;

/** Writes one JSON log line; the handlers get one per invocation from their runtime. */
export type Log = (level: LogLevel, message: string, fields?: LogFields) => void;

/** Lambda's sink: console, looked up at each line so that a test's spy on console sees it. */
export const consoleSink: LogSink = (line, level) => {
  if (level === 'ERROR') {
    console.error(line);
  } else {
    console.log(line);
  }
};

/** A {@link Log} writing JSON lines to `sink`. */
export function createLog(sink: LogSink): Log {
  return (level, message, fields = {}) => sink(JSON.stringify({ level, message, ...fields }), level);
}
