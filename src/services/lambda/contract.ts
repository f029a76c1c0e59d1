/**
 * The seams between the Lambda slice's three parts, so each can be built and read alone:
 *
 * - the Lambda API (`operations/`, storage of functions and their resource policies),
 * - the process runtime (`runtime/`: child processes, execution-role credentials, logs),
 * - callers inside coffer that invoke a function as an AWS service does (Secrets Manager's
 *   rotation driver invokes as `secretsmanager.amazonaws.com`).
 */

/** A function as the runtime needs it: everything but the code bytes. */
export interface FunctionConfig {
  functionName: string;
  /** Unqualified ARN: `arn:aws:lambda:<region>:<account>:function:<name>`. */
  functionArn: string;
  accountId: string;
  region: string;
  /** `python3.x`, `nodejs18.x`, `nodejs20.x`, `nodejs22.x`. */
  runtime: string;
  handler: string;
  /** The execution role; its temporary credentials are the function's AWS credentials. */
  roleArn: string;
  timeoutSeconds: number;
  memorySize: number;
  /** The function's own variables, already unsealed. */
  environment: Record<string, string>;
  /** Base64 SHA-256 of the zip, as Lambda reports `CodeSha256`; also the warm-process cache key. */
  codeSha256: string;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeRequest {
  requestId: string;
  /** The event as JSON bytes. */
  payload: Buffer;
  invocationType: InvocationType;
  logType?: 'None' | 'Tail';
  /**
   * When a service invokes (Secrets Manager rotating a secret), the account and ARN on whose
   * behalf: the runtime passes `sourceAccount` on to the execution-role session so requests the
   * function signs carry `aws:SourceAccount` (see docs/lambda.md).
   */
  sourceAccount?: string;
  sourceArn?: string;
}

export interface InvokeResult {
  /** 200 for RequestResponse, 202 for Event, 204 for DryRun. */
  statusCode: number;
  /** The handler's return value as JSON, or Lambda's error object when it failed. */
  payload: Buffer;
  /** `Unhandled` when the handler threw, timed out or its process died. */
  functionError?: 'Unhandled' | 'Handled';
  /** The last 4 KB of the invocation's log, when `logType` was `Tail`. */
  logTail?: string;
  executedVersion: string;
}

/** Runs functions. One per node; bounded concurrency and warm processes are its business. */
export interface FunctionRuntime {
  invoke(fn: FunctionConfig, code: () => Promise<Buffer>, request: InvokeRequest): Promise<InvokeResult>;
  /** Kills warm processes; waits for running invocations up to their timeouts. */
  close(): Promise<void>;
}

/**
 * Invocation by an AWS service principal inside coffer. Authorized against the function's
 * resource policy only (principal `{"Service": servicePrincipal}`, action
 * `lambda:InvokeFunction`, with `aws:SourceAccount` and `aws:SourceArn` in the context), as
 * AWS authorizes a service's invoke. Throws `AwsError` when the function does not exist or its
 * policy does not allow the service; otherwise runs it `RequestResponse`.
 */
export interface ServiceInvoker {
  invokeAsService(request: {
    functionArn: string;
    servicePrincipal: string;
    sourceAccount: string;
    sourceArn: string;
    event: unknown;
    /**
     * `DryRun`: authorize only, run nothing, answer 204 (Lambda's DryRun). RotateSecret uses it
     * to refuse a function Secrets Manager may not invoke before it stores anything, as AWS does.
     * Default `RequestResponse`.
     */
    invocationType?: 'RequestResponse' | 'DryRun';
    /** `Tail`: the result carries the invocation's log tail (the rotation driver records it). */
    logType?: 'None' | 'Tail';
  }): Promise<InvokeResult>;
}
