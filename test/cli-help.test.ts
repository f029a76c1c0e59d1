/**
 * `coffer --help` and `coffer COMMAND --help` for every registered command (src/cli/commands.ts):
 * exit 0, the command's own usage on stdout; usage errors exit 2. serve's help and
 * docs/configuration.md name every serve option.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, helpOf, type Command } from '../src/cli/commands.ts';
import { serveOptionNames } from '../src/config.ts';
import { runCoffer } from './helpers/process.ts';
import { REPO, TEST_DATABASE } from './helpers/server.ts';

// No database is involved: the file runs once, in the SQLite pass of `npm test`.
const skip = TEST_DATABASE === 'postgres' ? 'no database involved: run in the SQLite pass' : false;

const everyCommand: { words: string[]; command: Command }[] = COMMANDS.flatMap((c) => [
  { words: [c.name], command: c },
  ...(c.subcommands ?? []).map((s) => ({ words: [c.name, s.name], command: s })),
]);

test('coffer and coffer help list every command with its summary', { skip }, async () => {
  for (const args of [['help']]) {
    const r = await runCoffer(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^usage: coffer <command> \[options\]\n/);
    for (const c of COMMANDS) assert.ok(r.stdout.includes(`\n  ${c.name} `) && r.stdout.includes(c.summary.split('\n')[0]!), `${args.join(' ')}: ${c.name}`);
  }
});

/** Runs `jobs` two at a time (each loads the whole program; the machine has two cores). */
async function twoAtATime(jobs: (() => Promise<void>)[]): Promise<void> {
  const queue = [...jobs];
  await Promise.all([0, 1].map(async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  }));
}

test('every command and subcommand has its own help: COMMAND --help (and -h, help COMMAND)', { skip }, async () => {
  const jobs: (() => Promise<void>)[] = [];
  for (const { words, command } of everyCommand) {
    const help = await helpOf(command);
    assert.match(help, new RegExp(`^usage: coffer ${words.join(' ')}[ \\n]`), `${words.join(' ')}: help starts with its usage`);
    const variants = words.join(' ') === 'rotation setup' ? [[...words, '--help'], [...words, '-h'], ['help', ...words]] : [[...words, '--help']];
    for (const args of variants) {
      jobs.push(async () => {
        const r = await runCoffer(args, { timeoutMs: 60_000 });
        assert.equal(r.code, 0, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
        assert.equal(r.stdout, help, args.join(' '));
        assert.equal(r.stderr, '');
      });
    }
  }
  await twoAtATime(jobs);
});

test('--help wins over the other arguments, and does nothing else', { skip }, async () => {
  const r = await runCoffer(['serve', '--listen', 'not-an-address', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: coffer serve /);
});

test('serve --help and docs/configuration.md name every serve option and its variable', { skip }, () => {
  const help = COMMANDS.find((c) => c.name === 'serve')!.help as string;
  const doc = readFileSync(join(REPO, 'docs', 'configuration.md'), 'utf8');
  for (const name of [...serveOptionNames(), 'config']) {
    assert.ok(new RegExp(`--${name}[ ,=]`).test(help), `coffer serve --help lacks --${name}`);
    assert.ok(doc.includes(`\`--${name}`), `docs/configuration.md lacks --${name}`);
    if (name !== 'config') assert.ok(doc.includes(`| \`${name}\` |`) || doc.includes(`| \`${name}\` (`), `docs/configuration.md lacks the file key ${name}`);
  }
  for (const variable of help.match(/COFFER_[A-Z_]+/g)!) assert.ok(doc.includes(variable), `docs/configuration.md lacks ${variable}`);
});

test('unknown commands and help topics are usage errors: exit 2 with the usage on stderr', { skip }, async () => {
  for (const args of [['frobnicate'], ['help', 'frobnicate']]) {
    const r = await runCoffer(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^coffer: (unknown command 'frobnicate'|no help for 'frobnicate': unknown command)\n\nusage: coffer <command>/);
  }
  const r = await runCoffer(['serve', '--bogus', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^coffer: unknown option --bogus\n\nusage: coffer serve /, 'a command\'s usage error shows that command\'s usage');
});
