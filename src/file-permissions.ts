/**
 * coffer refuses to start when other users of the machine can read its secrets on disk: a
 * world-readable root key or passphrase file (the key to everything), or a data directory
 * others can list or write into (it holds the database and the root credentials file).
 * Group access is left to the operator (a service group sharing a mounted secret is common);
 * "other" never needs it.
 */
import { statSync } from 'node:fs';
import { StartupError, type ServerConfig } from './config.ts';

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined; // not there yet: created later with safe modes
  }
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

export function refuseOpenPermissions(config: Pick<ServerConfig, 'dataDir' | 'rootKey'>): void {
  const dir = modeOf(config.dataDir);
  if (dir !== undefined && (dir & 0o006) !== 0) {
    throw new StartupError(
      `the data directory ${config.dataDir} has mode ${octal(dir)}: other users can ${dir & 0o004 ? 'read' : 'write'} it. ` +
      `It holds the database and the root credentials; restrict it (chmod 700 ${config.dataDir}) and start again.`,
    );
  }
  const files: [string | undefined, string][] = [];
  if (config.rootKey.provider === 'file' && config.rootKey.key === undefined) files.push([config.rootKey.file, 'root key file']);
  if (config.rootKey.provider === 'passphrase') files.push([config.rootKey.passphraseFile, 'root key passphrase file']);
  for (const [file, what] of files) {
    if (!file) continue;
    const mode = modeOf(file);
    if (mode !== undefined && (mode & 0o004) !== 0) {
      throw new StartupError(`the ${what} ${file} has mode ${octal(mode)}: every user of this machine can read it. Restrict it (chmod 600 ${file}) and start again.`);
    }
  }
}
