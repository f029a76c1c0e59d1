/**
 * What the front door knows about one finished API request, handed to every observer
 * (the audit trail, metrics) after the response is sent. Observers run once per request,
 * off the response path; one that throws is logged and never affects the client.
 *
 * `input` and `output` are the operation's own objects, unredacted: an observer that keeps
 * or ships anything must remove secret values, passwords, keys and tokens itself.
 */
import type { Logger } from 'pino';
import type { AwsError } from '../errors.ts';
import type { RequestContext } from '../auth/request-context.ts';
import type { TlsDetails } from './tls-details.ts';

export type Protocol = 'awsJson' | 'awsQuery' | 'restJson' | 'none';

export interface RequestRecord {
  requestId: string;
  /** When the request arrived (wall clock) and how long until its response was sent. */
  receivedAt: Date;
  durationMs: number;
  protocol: Protocol;
  /** Signing name (secretsmanager, kms, iam, sts, lambda) once the service is known. */
  service?: string;
  /** The operation name once it is known (an unknown operation leaves it unset). */
  operation?: string;
  /** Set once the request authenticated: principal, region, source IP, user agent … */
  ctx?: RequestContext;
  /** The operation's input after parsing (set once parsed) and its output (on success). */
  input?: Record<string, unknown>;
  output?: unknown;
  /** The error answered, if any (authentication, validation, authorization or the operation's). */
  error?: AwsError;
  status: number;
  sourceIp: string;
  userAgent: string;
  /** Over TLS: the negotiated version and cipher suite and the Host header (CloudTrail's tlsDetails). */
  tls?: TlsDetails;
}

export type RequestObserver = (record: RequestRecord) => void;

export class RequestObservers {
  private readonly list: RequestObserver[] = [];

  constructor(private readonly log: Logger) {}

  add(observer: RequestObserver): () => void {
    this.list.push(observer);
    return () => {
      const i = this.list.indexOf(observer);
      if (i >= 0) this.list.splice(i, 1);
    };
  }

  /** Whether anyone listens: the front door skips building records when nobody does. */
  get active(): boolean {
    return this.list.length > 0;
  }

  notify(record: RequestRecord): void {
    for (const observer of this.list) {
      try {
        observer(record);
      } catch (err) {
        this.log.error({ requestId: record.requestId, err: err instanceof Error ? err.message : String(err) }, 'request observer failed');
      }
    }
  }
}
