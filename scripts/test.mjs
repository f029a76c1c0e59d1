#!/usr/bin/env node
// `npm test`: the unit tests once, then every end-to-end test once per storage backend
// (embedded SQLite, then PostgreSQL), each run a real server driven by the real AWS clients.
// Pass file paths to run only those; COFFER_TEST_DATABASE=sqlite|postgres to run one backend.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'helpers') continue;
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const args = process.argv.slice(2);
const picked = args.length ? args : undefined;
// console/src holds the console's pure logic (policy editor) with its unit tests beside it.
const unit = (picked ?? [...testFiles(join(root, 'src')), ...testFiles(join(root, 'console', 'src'))]).filter((f) => f.startsWith('src') || f.startsWith('console'));
const e2e = (picked ?? testFiles(join(root, 'test'))).filter((f) => f.startsWith('test'));
const backends = process.env.COFFER_TEST_DATABASE ? [process.env.COFFER_TEST_DATABASE] : ['sqlite', 'postgres'];
const concurrency = process.env.COFFER_TEST_CONCURRENCY ?? '4';

function run(label, files, env) {
  if (files.length === 0) return 0;
  console.log(`\n# ${label}: ${files.length} file(s)`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], {
    cwd: root, stdio: 'inherit', env: { ...process.env, ...env },
  });
  return r.status ?? 1;
}

let failed = 0;
// The browser tests (test/console-*.test.ts) drive the built console: build it if it is missing.
if (e2e.some((f) => f.includes('console'))) {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build-console.mjs'), '--if-missing'], { cwd: root, stdio: 'inherit' });
  failed |= built.status ?? 1;
}
if (!picked) {
  console.log('# typecheck (tsc --noEmit)');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit'], { cwd: root, stdio: 'inherit' });
  failed |= tsc.status ?? 1;
  // The console (browser code, DOM types) is its own TypeScript project.
  const tscConsole = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', 'console'], { cwd: root, stdio: 'inherit' });
  failed |= tscConsole.status ?? 1;
}
failed |= run('unit tests', unit, {});
/**
 * An end-to-end file that starts with a line `// e2e: sqlite only — WHY` tests nothing that
 * differs between the storage engines (transport, request limits, the browser client over
 * the API): the full run takes it in the SQLite pass only, which keeps CI inside 30 minutes.
 * Named on the command line, it runs on whichever engine is asked for.
 */
const sqliteOnly = (file) => /^\/\/ e2e: sqlite only\b/m.test(readFileSync(join(root, file), 'utf8').slice(0, 2000));
for (const db of backends) {
  const files = db === 'sqlite' || picked ? e2e : e2e.filter((f) => !sqliteOnly(f));
  if (files.length < e2e.length) console.log(`\n# on ${db}, not again: ${e2e.filter((f) => !files.includes(f)).join(' ')} (sqlite only)`);
  failed |= run(`end-to-end tests on ${db}`, files, { COFFER_TEST_DATABASE: db });
}
process.exit(failed ? 1 : 0);
