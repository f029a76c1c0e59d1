/**
 * An error that reaches the client as an AWS error response.
 *
 * `code` is the AWS error code (`__type` in awsJson, `<Code>` in awsQuery), `status` the HTTP
 * status AWS uses for it. Anything thrown that is not an AwsError becomes an
 * InternalServiceError (500) without leaking its message.
 */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** awsQuery distinguishes client (`Sender`) from server (`Receiver`) faults. */
  readonly fault: 'client' | 'server';
  /**
   * The awsJson member the message travels in: `Message` in the services' own errors; AWS's
   * request throttling answers `message` (src/throttle/throttle.ts).
   */
  jsonMessageMember: 'Message' | 'message' = 'Message';
  /** restJson: further body members the model's exception shape has (Lambda's `Reason`). */
  members?: Record<string, string>;
  /** restJson: response headers the exception shape binds (Lambda's `Retry-After`). */
  headers?: Record<string, string>;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.fault = status >= 500 ? 'server' : 'client';
  }
}

// Constructors for the errors used across services, so codes and statuses are spelled once.
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFoundException', message);
export const validationError = (message: string) => new AwsError('ValidationException', message);
export const accessDenied = (message: string) => new AwsError('AccessDeniedException', message);
