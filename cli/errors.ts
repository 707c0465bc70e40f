/**
 * An error the command reports as exactly one line on stderr, exiting 1: bad input, an unreadable
 * assembly, refused credentials. Anything else is a bug, and is reported the same way, without a
 * stack trace, but with its name.
 */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}
