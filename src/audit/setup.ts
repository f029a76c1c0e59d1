/**
 * The audit trail of one node, assembled: its store, its trail (the request observer and the
 * services' AuditSink) and the CloudTrail service that serves LookupEvents from it.
 */
import type { Logger } from 'pino';
import { StartupError, type ServerConfig } from '../config.ts';
import type { Store } from '../storage/database.ts';
import { loadModel, type ServiceModel } from '../protocol/model.ts';
import type { JsonService } from '../protocol/aws-json.ts';
import { AuditStore } from './audit-store.ts';
import { AuditTrail, type DigestKeySource } from './trail.ts';
import { cloudTrailService } from './service.ts';

/** The model each signing name's calls are redacted by (models/). */
const MODEL_FILES: Record<string, string> = {
  secretsmanager: 'secretsmanager-2017-10-17',
  kms: 'kms-2014-11-01',
  iam: 'iam-2010-05-08',
  sts: 'sts-2011-06-15',
  lambda: 'lambda-2015-03-31',
  cloudtrail: 'cloudtrail-2013-11-01',
};

export function modelFor(signingName: string): ServiceModel | undefined {
  const file = MODEL_FILES[signingName];
  return file ? loadModel(file) : undefined;
}

export interface AuditSetup {
  trail: AuditTrail;
  service: JsonService;
}

export function createAudit(config: Pick<ServerConfig, 'audit'>, store: Store, rootKey: DigestKeySource, log: Logger, now: () => number): AuditSetup {
  const auditStore = new AuditStore(store.db, store.dialect, store.sqlite);
  let trail: AuditTrail;
  try {
    trail = new AuditTrail({
      store: auditStore, rootKey, models: modelFor, log, now, file: config.audit.file, digestIntervalMs: config.audit.digestIntervalMs,
    });
  } catch (err) {
    throw new StartupError(`cannot open the audit file ${config.audit.file}: ${err instanceof Error ? err.message : String(err)} (choose another with --audit-file PATH)`);
  }
  return { trail, service: cloudTrailService({ store: auditStore, flush: () => trail.flush() }) };
}
