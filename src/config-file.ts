/**
 * The `--config FILE` (or COFFER_CONFIG) of `coffer serve`: a TOML file whose keys are the
 * long flag names without `--` (`listen = "0.0.0.0:4599"`, `region = ["us-east-1", "eu-west-1"]`).
 * It is the lowest layer: flag > environment variable > file > default (src/config.ts).
 * Secret values (root key, passphrase, KMS credentials, root access keys) are never file keys,
 * as they are never flags: they come from the environment or from a file named by an option.
 * See docs/configuration.md.
 */
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { UsageError } from './config.ts';

/** The file's settings by flag name; repeatable options may hold several values. */
export type FileSettings = Map<string, string[]>;

/** Reads and checks the file against the options `serve` knows; any fault is a UsageError naming the file. */
export function readConfigFile(path: string, known: readonly string[]): FileSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the configuration file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseConfigText(text, path, known);
}

export function parseConfigText(text: string, path: string, known: readonly string[]): FileSettings {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) throw new UsageError(`${path}:${err.line}:${err.column}: not valid TOML: ${firstLine(err.message)}`);
    throw err;
  }
  const settings: FileSettings = new Map();
  const unknown = Object.keys(doc).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const hint = unknown.map((key) => suggestion(key, known)).filter(Boolean).join('; ');
    throw new UsageError(`${path}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}${hint ? ` (${hint})` : ''}; the settings are the long option names of coffer serve (see coffer serve --help)`);
  }
  for (const [key, value] of Object.entries(doc)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) throw new UsageError(`${path}: '${key}' is an empty list`);
    settings.set(key, values.map((v) => scalar(path, key, v)));
  }
  return settings;
}

function scalar(path: string, key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  throw new UsageError(`${path}: '${key}' must be a string, a number or a list of them, not ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'a nested list';
  return typeof value === 'object' && value !== null ? 'a table' : typeof value;
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!;
}

/** `data_dir` → `data-dir`; `--listen` → `listen`: the slips people make in a key name. */
function suggestion(key: string, known: readonly string[]): string {
  const normal = key.replace(/^-+/, '').replace(/_/g, '-').toLowerCase();
  return normal !== key && known.includes(normal) ? `did you mean '${normal}'?` : '';
}
