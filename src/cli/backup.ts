/**
 * `coffer backup --out FILE` and `coffer restore FILE`, with the storage and root key
 * options of `serve` (src/backup/, docs/operations.md "Backup and restore").
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseServeArgs, StartupError, UsageError, type ServerConfig } from '../config.ts';
import { openStore } from '../storage/database.ts';
import { openRootKey } from '../app.ts';
import { readRootKeyRows } from '../crypto/root-key-rows.ts';
import { describeSource } from '../crypto/root-key.ts';
import { writeBackup } from '../backup/backup.ts';
import { openFileKey, restoreBackup } from '../backup/restore.ts';
import { BackupFile } from '../backup/backup-file.ts';
import { BackupFormatError } from '../backup/format.ts';

export const BACKUP_HELP = `usage: coffer backup --out FILE [--data-dir DIR] [--database URL] [root key options of coffer serve]

Writes every table of the database to FILE (mode 0600; never overwrites), read in one
consistent snapshot while servers keep serving, encrypted under a key sealed with the root
key. Restoring it needs the root key: keep the key, not the backup, somewhere safe.
`;

export const RESTORE_HELP = `usage: coffer restore FILE [--data-dir DIR] [--database URL] [root key options of coffer serve]

Restores a backup made by coffer backup onto an empty data dir or database (SQLite or
PostgreSQL, either engine), in one transaction. Give the root key of the database that was
backed up (--root-key-file FILE, COFFER_ROOT_KEY, passphrase or KMS options), and start
coffer serve afterwards with the same options.
`;

function takeOption(args: string[], name: string): { value?: string; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === `--${name}`) {
      value = args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    } else if (arg.startsWith(`--${name}=`)) {
      value = arg.slice(name.length + 3);
    } else {
      rest.push(arg);
    }
  }
  return { value, rest };
}

function sqliteFile(config: ServerConfig): string | undefined {
  return /^postgres(ql)?:\/\//.test(config.databaseUrl) ? undefined : config.databaseUrl.replace(/^sqlite:(\/\/)?/, '');
}

export async function backup(args: string[]): Promise<void> {
  const { value: out, rest } = takeOption(args, 'out');
  if (!out) throw new UsageError('backup needs --out FILE');
  const config = parseServeArgs(rest);
  const file = sqliteFile(config);
  // Opening a missing SQLite file would create an empty database and back that up.
  if (file !== undefined && !existsSync(file)) throw new StartupError(`no database at ${file} (give --data-dir or --database of the coffer to back up)`);
  const store = await openStore(config.databaseUrl);
  try {
    if ((await readRootKeyRows(store.db)).length === 0) throw new StartupError('the database holds nothing yet (coffer serve has never started on it)');
    const ring = await openRootKey(config, store);
    const result = await writeBackup(store, ring, resolve(out));
    process.stdout.write(
      `backup written to ${result.file}: ${result.tables} tables, ${result.rows} rows, ${result.bytes} bytes\n` +
      `restoring it needs ${describeSource(config.rootKey)}, or another root key generation the database was using\n`,
    );
  } finally {
    await store.close();
  }
}

export async function restore(args: string[]): Promise<void> {
  const [file, ...rest] = args;
  if (!file || file.startsWith('--')) throw new UsageError('restore needs the backup FILE: coffer restore FILE [options]');
  const config = parseServeArgs(rest);
  const backupFile = await BackupFile.open(resolve(file));
  try {
    // The key first: a wrong one must not leave a new, empty database behind.
    const fileKey = await openFileKey(backupFile.header, config.rootKey);
    try {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      const store = await openStore(config.databaseUrl);
      try {
        const result = await restoreBackup(store, backupFile, fileKey);
        process.stdout.write(
          `restored ${result.tables} tables, ${result.rows} rows from ${resolve(file)} (made ${backupFile.header.createdAt} from ${backupFile.header.dialect})\n` +
          `start the server with the same --data-dir/--database and root key options\n`,
        );
      } catch (err) {
        if (err instanceof BackupFormatError) throw new StartupError(`${resolve(file)}: ${err.message}; nothing was restored`);
        throw err;
      } finally {
        await store.close();
      }
    } finally {
      fileKey.fill(0);
    }
  } finally {
    await backupFile.close();
  }
}
