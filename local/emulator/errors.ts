/**
 * Error names the emulator answers with, as the Security Hub service and the AWS front end spell them.
 *
 * The SDK takes an error's `name` from the `x-amzn-ErrorType` header, so these strings are what a
 * caller's `catch` sees.
 */
export type EmulatorErrorType =
  | 'InternalException'
  | 'InvalidAccessException'
  | 'InvalidInputException'
  | 'LimitExceededException'
  | 'ResourceNotFoundException'
  | 'AccessDeniedException'
  | 'ResourceConflictException'
  | 'UnrecognizedClientException'
  | 'UnknownOperationException';

/**
 * HTTP status of each error, as the AWS Security Hub API reference lists them (Common Errors and each
 * operation's Errors).
 *
 * The last two are not Security Hub errors: they are what the AWS front end answers before a request
 * reaches the service (bad credentials, no such route).
 */
export const ERROR_HTTP_STATUS: Readonly<Record<EmulatorErrorType, number>> = {
  InternalException: 500,
  InvalidAccessException: 401,
  InvalidInputException: 400,
  LimitExceededException: 429,
  ResourceNotFoundException: 404,
  AccessDeniedException: 403,
  ResourceConflictException: 409,
  UnrecognizedClientException: 403,
  UnknownOperationException: 404,
};

/**
 * An error the emulated service answers with; the HTTP layer turns it into a status, an
 * `x-amzn-ErrorType` header and a `{Code, Message}` body.
 */
export class ServiceError extends Error {
  /** The HTTP status the error is answered with. */
  public readonly httpStatus: number;

  /**
   * @param type the error name, as the SDK will report it in `err.name`
   * @param message the message the SDK will report in `err.message`
   */
  constructor(public readonly type: EmulatorErrorType, message: string) {
    super(message);
    this.name = type;
    this.httpStatus = ERROR_HTTP_STATUS[type];
  }
}
