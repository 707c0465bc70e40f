/**
 * The error for a local state file that exists but can't be used (not JSON, or not the expected
 * shape). It carries the file's path so that a command line can name it and say how to start over,
 * instead of printing a stack trace; nothing that throws it has written the file.
 */
export class StateFileError extends Error {
  /**
   * @param path the file that can't be read
   * @param message what is wrong, naming the file
   */
  constructor(public readonly path: string, message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}
