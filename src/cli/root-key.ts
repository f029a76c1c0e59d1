/**
 * `coffer root-key rotate` and `coffer root-key status`, with the storage and root key
 * options of `serve` (the current key) plus the same root key options prefixed `new-` (the
 * new key). Safe while servers run on the same database; see docs/root-key.md.
 */
import { mkdirSync } from 'node:fs';
import { parseRootKeySource, parseServeArgs, ROOT_KEY_FLAGS, StartupError, UsageError } from '../config.ts';
import { openStore } from '../storage/database.ts';
import { openRootKey } from '../app.ts';
import { readRootKeyRows } from '../crypto/root-key-rows.ts';
import { describeProvider } from '../crypto/root-key-source.ts';
import { rotateRootKey } from '../crypto/root-key-rotation.ts';

export const ROOT_KEY_HELP = `usage: coffer root-key rotate [storage and root key options of serve] NEW-KEY-OPTIONS [--batch-size N]
       coffer root-key status [--data-dir DIR] [--database URL]

rotate re-seals every sealed value (KMS key material, access key secrets, session secrets,
MFA seeds) under a new root key while servers keep running on the database; rerun it to
resume an interrupted rotation (the new key options may then be left out). The current key
is given as to serve (--root-key-file, COFFER_ROOT_KEY, --root-key-provider passphrase with
COFFER_ROOT_KEY_PASSPHRASE or --root-key-passphrase-file, --root-key-provider kms with
--root-key-kms-*), the new one with the same options prefixed new-:

  --new-root-key-file FILE                  a key file (created, mode 0600, if it does not exist); or COFFER_NEW_ROOT_KEY
  --new-root-key-provider passphrase        with COFFER_NEW_ROOT_KEY_PASSPHRASE or --new-root-key-passphrase-file FILE
  --new-root-key-provider kms --new-root-key-kms-key-id KEY [--new-root-key-kms-endpoint URL]
      [--new-root-key-kms-region R] [--new-root-key-kms-profile P] [--new-root-key-kms-ca-bundle PEM]
      credentials: COFFER_NEW_ROOT_KEY_KMS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN, the profile, or the AWS default chain
  --batch-size N                            values re-sealed per transaction (default 100)

When it prints "done", restart the servers with the new key's options; the old key is no
longer needed. status prints the generations and a running rotation's progress.
`;

const NEW_FLAGS = ROOT_KEY_FLAGS.map((f) => `new-${f}`);

export async function rootKey(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'rotate' && sub !== 'status') throw new UsageError(sub ? `unknown root-key command '${sub}'` : 'root-key needs a command: rotate or status');
  const newFlags = new Map<string, string>();
  let batchSize = 100;
  const serveArgs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) : '';
    if (name === 'batch-size' || NEW_FLAGS.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (name === 'batch-size') {
        batchSize = Number(value);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError('--batch-size must be a whole number from 1 to 10000');
      } else {
        newFlags.set(name, value);
      }
    } else {
      serveArgs.push(arg);
    }
  }
  const config = parseServeArgs(serveArgs);
  const next = parseRootKeySource((name) => newFlags.get(name), process.env, { prefix: 'new-', dataDir: config.dataDir });
  if (sub === 'status' && next) throw new UsageError('root-key status takes no --new-root-key options');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.databaseUrl);
  try {
    if (sub === 'status') return await status(store.db);
    // Unlocking a database without a root key would make one; a rotation must not.
    if ((await readRootKeyRows(store.db)).length === 0) {
      throw new StartupError(`the database ${config.databaseUrl.replace(/\/\/[^@/]*@/, '//')} has no root key yet: start coffer serve on it first`);
    }
    const ring = await openRootKey(config, store);
    const stopAfter = process.env.COFFER_ROOT_KEY_ROTATE_STOP_AFTER;
    const result = await rotateRootKey({
      db: store.db, dialect: store.dialect, ring, next, batchSize,
      print: (line) => process.stdout.write(line + '\n'),
      // For tests of resuming: die as abruptly as a crash once this many values are re-sealed.
      afterBatch: stopAfter ? (n) => {
        if (n >= Number(stopAfter)) {
          process.stdout.write(`stopping abruptly after ${n} values (COFFER_ROOT_KEY_ROTATE_STOP_AFTER)\n`);
          process.kill(process.pid, 'SIGKILL');
        }
      } : undefined,
    });
    process.stdout.write(
      `Restart every coffer server on this database with the new root key's options (they keep working until then);\n` +
      `root key generation ${result.generation} is the only one in use.\n`,
    );
  } finally {
    await store.close();
  }
}

async function status(db: Parameters<typeof readRootKeyRows>[0]): Promise<void> {
  const rows = await readRootKeyRows(db);
  if (rows.length === 0) return void process.stdout.write('no root key yet: the first server start creates one\n');
  for (const r of rows) {
    const when = r.state === 'retired' ? `retired ${new Date(r.retiredAt ?? 0).toISOString()}`
      : r.state === 'active' ? `active since ${new Date(r.activatedAt ?? r.createdAt).toISOString()}`
      : `incoming: a rotation started ${new Date(r.createdAt).toISOString()} is re-sealing to it`;
    process.stdout.write(`generation ${r.generation}: ${when}; ${describeProvider(r.provider)}\n`);
    if (r.state === 'incoming' && r.progress) {
      const done = Object.entries(r.progress.resealed).map(([c, n]) => `${c} ${n}`).join(', ');
      process.stdout.write(`  re-sealed so far: ${done || 'nothing yet'}; run coffer root-key rotate to resume it\n`);
    }
  }
}
