/**
 * Rotation functions call back on the node's endpoint; over HTTPS with a private CA they must
 * trust it. Functions may run as another user (`nobody` when the server is root, see
 * docs/lambda.md "Isolation") who cannot enter the data dir (mode 0700), so the CA
 * certificate (public by nature) is copied to a directory of its own that they can read, in
 * the server process's run directory (run-dir.ts), so a crashed server's copy is swept at the
 * next start.
 * The process runtime hands it to functions as AWS_CA_BUNDLE (botocore, the AWS CLI) and
 * NODE_EXTRA_CA_CERTS (Node.js and the AWS SDK for JavaScript).
 */
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { processRunDir } from '../services/lambda/runtime/run-dir.ts';

export interface PublishedCa {
  file: string;
  remove(): void;
}

export function publishCaBundle(caFile: string): PublishedCa {
  // mkdtemp: a fresh, unpredictable directory, so nobody can plant a link where we write.
  const dir = mkdtempSync(join(processRunDir(), 'ca-'));
  chmodSync(dir, 0o755);
  const file = join(dir, 'ca.pem');
  copyFileSync(caFile, file);
  chmodSync(file, 0o644);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
