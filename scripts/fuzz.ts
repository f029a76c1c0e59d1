/**
 * `npm run fuzz [-- --cases N --seed S]`: mutation fuzzing of everything that reads untrusted
 * bytes before a request is authenticated or authorized, in-process:
 *
 *   awsJson   Secrets Manager and KMS bodies: JSON parse, then the input check against the model
 *   awsQuery  IAM and STS form bodies: form parse, action lookup, model-driven input binding, check
 *   restJson  Lambda: route matching of method and URL, binding of labels/query/headers/body, check
 *   sigv4     Authorization header / presigned query parsing, timing check, canonical request
 *   policy    the IAM policy parser (identity, resource and trust policies)
 *
 * Seeds are valid inputs (generated from the service models, AWS managed policies, signed
 * requests); each case is a seed mutated at the byte or the JSON-structure level. A parser may
 * refuse an input only with an AwsError below 500 (what the front door answers as AWS does);
 * anything else thrown would reach the client as a 500 and counts as a crash. A case taking
 * longer than 250 ms, and again in the fastest of three reruns at the end of the run (so a pause of a busy machine or the GC is not one), counts
 * as a hang (a regular expression or a loop gone quadratic). Deterministic for
 * a seed, so a crash reproduces.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { AwsError } from '../src/errors.ts';
import { loadModel, type ServiceModel, type Shape } from '../src/protocol/model.ts';
import { parseJsonBody } from '../src/protocol/aws-json.ts';
import { validateInput } from '../src/protocol/validate.ts';
import { parseForm, readQueryInput } from '../src/protocol/query-input.ts';
import { buildRoutes, matchRoute, bindInput } from '../src/protocol/rest-json.ts';
import { checkSignatureTiming, expectedSignature, forgetSigningKeys, parseSignature, type SignableRequest } from '../src/auth/sigv4.ts';
import { parsePolicy } from '../src/iam/parse-policy.ts';
import type { PolicyKind } from '../src/iam/policy-types.ts';
import { mulberry32, type Rand } from '../src/seeded-random.ts';

// ---------------------------------------------------------------------------------------------
// Randomness (seeded) and mutation

/** Text of any value, as a client could send it (never throws, even for a lone surrogate). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const text = (v: unknown): string => {
  try {
    return (typeof v === 'string' ? v : JSON.stringify(v) ?? 'null').replace(LONE_SURROGATE, '\ufffd');
  } catch {
    return 'x';
  }
};
const enc = (v: unknown) => encodeURIComponent(text(v));

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);

const NASTY_STRINGS = [
  '', ' ', '\u0000', '\ud800', '\uffff', '%', '%zz', '%00', '..', '/', '*', '?', '${aws:username}', '${', '}', '"', '\\', '\n', '\r\n',
  'a'.repeat(70_000), '🔐'.repeat(300), '__proto__', 'constructor', 'prototype', 'toString', 'arn:aws:iam::123456789012:root',
  'arn:', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf', 'AWSCURRENT', '-1', '1e309', 'NaN', 'null',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', '*'.repeat(5000), '?'.repeat(5000), '.member.1',
];

function nastyValue(r: Rand, depth = 0): unknown {
  switch (int(r, 14)) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return pick(r, [0, -1, 1, 2 ** 53, -(2 ** 63), 1.5, -0, 1e308, 4294967296]);
    case 3: return pick(r, NASTY_STRINGS);
    case 4: return [];
    case 5: return {};
    case 6: return depth < 3 ? Array.from({ length: int(r, 4) }, () => nastyValue(r, depth + 1)) : 'x';
    case 7: return depth < 3 ? { [pick(r, NASTY_STRINGS).slice(0, 40)]: nastyValue(r, depth + 1) } : 1;
    case 8: { let v: unknown = 1; for (let i = 0; i < 2000; i++) v = [v]; return v; }
    case 9: return Array.from({ length: 3000 }, (_, i) => `v${i}`);
    case 10: return { __proto__: { polluted: true }, constructor: { prototype: 1 } };
    case 11: return String.fromCharCode(...Array.from({ length: int(r, 40) }, () => int(r, 0x10000)));
    case 12: return int(r, 1000);
    default: return 'x'.repeat(int(r, 600));
  }
}

/** Replaces, adds or removes one value somewhere in a JSON document. */
function mutateJson(r: Rand, doc: unknown): unknown {
  const copy = structuredClone(doc);
  const containers: (Record<string, unknown> | unknown[])[] = [];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object') {
      containers.push(v as Record<string, unknown>);
      for (const c of Object.values(v as object)) walk(c);
    }
  };
  walk(copy);
  if (containers.length === 0 || r() < 0.05) return nastyValue(r);
  const times = 1 + int(r, 3);
  for (let i = 0; i < times; i++) {
    const c = pick(r, containers);
    const keys = Object.keys(c);
    const op = int(r, 3);
    if (Array.isArray(c)) {
      if (op === 0 || c.length === 0) c.push(nastyValue(r));
      else if (op === 1) c.splice(int(r, c.length), 1);
      else c[int(r, c.length)] = nastyValue(r);
    } else if (op === 0 || keys.length === 0) {
      c[r() < 0.3 ? pick(r, NASTY_STRINGS).slice(0, 30) : `K${int(r, 5)}`] = nastyValue(r);
    } else if (op === 1) {
      delete c[pick(r, keys)];
    } else {
      c[pick(r, keys)] = nastyValue(r);
    }
  }
  return copy;
}

function mutateBytes(r: Rand, input: Buffer): Buffer {
  const b = Buffer.from(input);
  switch (int(r, 6)) {
    case 0: if (b.length) b[int(r, b.length)] ^= 1 << int(r, 8); return b;
    case 1: return b.subarray(0, int(r, b.length + 1));
    case 2: { const at = int(r, b.length + 1); return Buffer.concat([b.subarray(0, at), Buffer.from(pick(r, NASTY_STRINGS).slice(0, 200)), b.subarray(at)]); }
    case 3: { const at = int(r, b.length + 1); const len = int(r, 20); return Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]); }
    case 4: if (b.length) b[int(r, b.length)] = int(r, 256); return b;
    default: { const at = int(r, b.length + 1); return Buffer.concat([b.subarray(0, at), b.subarray(at + int(r, 10))]); }
  }
}

function mutateText(r: Rand, s: string): string {
  let out = s;
  for (let i = 1 + int(r, 2); i > 0; i--) out = mutateBytes(r, Buffer.from(out, 'utf8')).toString('utf8');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Seeds from the service models

/** A plausible input for a shape: required members (and some optional ones), smallest valid sizes. */
function sample(model: ServiceModel, shapeName: string, r: Rand, depth = 0): unknown {
  const shape = model.shapes[shapeName] as Shape & { enum?: string[]; min?: number; max?: number; members?: Record<string, { shape: string }>; member?: { shape: string }; key?: { shape: string }; value?: { shape: string }; required?: string[] };
  switch (shape?.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        if (shape.required?.includes(name) || r() < 0.4) out[name] = sample(model, ref.shape, r, depth + 1);
      }
      return out;
    }
    case 'list': return depth > 4 ? [] : [sample(model, shape.member!.shape, r, depth + 1)];
    case 'map': return depth > 4 ? {} : { k: sample(model, shape.value!.shape, r, depth + 1) };
    case 'string': return shape.enum ? pick(r, shape.enum) : 'a'.repeat(Math.max(1, Math.min(shape.min ?? 1, 64)));
    case 'integer': case 'long': return Math.max(shape.min ?? 1, 1);
    case 'boolean': return true;
    case 'timestamp': return 1_700_000_000;
    case 'blob': return 'aGVsbG8=';
    case 'double': case 'float': return 1.5;
    default: return 'x';
  }
}

/** awsQuery form fields for a value, the way the SDKs serialize it (lists as .member.N). */
function toForm(prefix: string, v: unknown, out: string[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => toForm(`${prefix}.member.${i + 1}`, x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) toForm(prefix ? `${prefix}.${k}` : k, x, out);
  else out.push(`${enc(prefix)}=${enc(v)}`);
}

// ---------------------------------------------------------------------------------------------
// Targets

interface Target {
  name: string;
  /** Builds one case from the random source and returns the parse step (the part timed). */
  prepare(r: Rand): () => void;
}

function jsonTarget(r0: Rand): Target {
  const models = [loadModel('secretsmanager-2017-10-17'), loadModel('kms-2014-11-01')];
  const seeds = models.flatMap((model) => Object.entries(model.operations).filter(([, op]) => op.input).map(([name, op]) => ({ model, name, shape: op.input!.shape, doc: sample(model, op.input!.shape, r0) })));
  return {
    name: 'awsJson',
    prepare(r) {
      const seed = pick(r, seeds);
      const doc = r() < 0.85 ? mutateJson(r, seed.doc) : seed.doc;
      let body: Buffer = Buffer.from(JSON.stringify(doc) ?? '');
      if (r() < 0.3) body = mutateBytes(r, body);
      return () => validateInput(seed.model, seed.shape, parseJsonBody(body));
    },
  };
}

function queryTarget(r0: Rand): Target {
  const models = [loadModel('iam-2010-05-08'), loadModel('sts-2011-06-15')];
  const seeds = models.flatMap((model) => Object.entries(model.operations).map(([name, op]) => {
    const fields = [`Action=${name}`, `Version=${model.metadata.apiVersion}`];
    if (op.input) toForm('', sample(model, op.input.shape, r0), fields);
    return { model, name, shape: op.input?.shape, body: fields.join('&') };
  }));
  return {
    name: 'awsQuery',
    prepare(r) {
      const seed = pick(r, seeds);
      let body = seed.body;
      const n = int(r, 4);
      for (let i = 0; i < n; i++) {
        const kind = int(r, 3);
        if (kind === 0) body = mutateText(r, body);
        else if (kind === 1) body += `&${enc(pick(r, ['Tags.member.99999.Key', 'PolicyArns.member.1.arn', 'A.member.0', 'X..Y', 'Action', '']))}=${enc(nastyValue(r))}`;
        else body = body.split('&').filter(() => r() > 0.2).join('&');
      }
      return () => {
        const form = parseForm(body);
        const action = form.get('Action');
        const model = seed.model;
        if (!action || !model.operations[action]) return;
        const shape = model.operations[action]!.input?.shape;
        const input = readQueryInput(model, shape, form);
        if (shape) validateInput(model, shape, input);
      };
    },
  };
}

function restTarget(r0: Rand): Target {
  const model = loadModel('lambda-2015-03-31');
  const routes = buildRoutes(model, Object.keys(model.operations));
  const seeds = Object.entries(model.operations).map(([name, op]) => {
    const http = (op as unknown as { http: { method: string; requestUri: string } }).http;
    const url = http.requestUri.replace(/\{([^}+]+)\+?\}/g, () => 'my-function');
    return { name, method: http.method, url, body: op.input ? JSON.stringify(sample(model, op.input.shape, r0)) : '' };
  });
  return {
    name: 'restJson',
    prepare(r) {
      const seed = pick(r, seeds);
      const method = r() < 0.9 ? seed.method : pick(r, ['GET', 'PUT', 'DELETE', 'POST', 'PATCH', 'HEAD', 'X']);
      let url = seed.url;
      if (r() < 0.6) url = mutateText(r, url);
      if (r() < 0.4) url += `${url.includes('?') ? '&' : '?'}${enc(pick(r, ['Qualifier', 'Marker', 'MaxItems', 'x', '']))}=${enc(text(nastyValue(r)).slice(0, 300))}`;
      let body: Buffer = Buffer.from(seed.body);
      if (r() < 0.5) body = Buffer.from(JSON.stringify(mutateJson(r, seed.body ? JSON.parse(seed.body) : {})) ?? '');
      if (r() < 0.2) body = mutateBytes(r, body);
      const headers: Record<string, string> = r() < 0.3 ? { 'x-amz-log-type': text(nastyValue(r)).slice(0, 100), 'x-amz-invocation-type': pick(r, ['Event', 'RequestResponse', 'DryRun', '\u0000']) } : {};
      return () => {
        const matched = matchRoute(routes, method, url);
        if (!matched) return;
        const { input } = bindInput(model, matched.operation, { labels: matched.labels, query: matched.query, headers, body });
        const shape = model.operations[matched.operation]!.input?.shape;
        if (shape) validateInput(model, shape, input);
      };
    },
  };
}

async function sigv4Target(): Promise<Target> {
  const creds = { accessKeyId: 'AKIAFUZZFUZZFUZZFUZZ', secretAccessKey: 'fuzz-secret-fuzz-secret-fuzz-secret-0000' };
  const seeds: SignableRequest[] = [];
  for (const [service, region] of [['secretsmanager', 'us-east-1'], ['iam', 'us-east-1'], ['lambda', 'eu-west-1']] as const) {
    const signer = new SignatureV4({ credentials: creds, region, service, sha256: Hash.bind(null, 'sha256') });
    const base = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: 'localhost', port: 4599, path: '/', query: { a: 'b c' }, headers: { host: 'localhost:4599', 'content-type': 'application/x-amz-json-1.1' }, body: '{"SecretId":"x"}' });
    const signed = await signer.sign(base);
    seeds.push({ method: 'POST', url: '/?a=b%20c', headers: lower(signed.headers), body: Buffer.from('{"SecretId":"x"}') });
    const presigned = await signer.presign(new HttpRequest({ method: 'GET', protocol: 'http:', hostname: 'localhost', port: 4599, path: '/2015-03-31/functions/f', headers: { host: 'localhost:4599' } }), { expiresIn: 300 });
    const qs = new URLSearchParams(presigned.query as Record<string, string>).toString();
    seeds.push({ method: 'GET', url: `/2015-03-31/functions/f?${qs}`, headers: lower(presigned.headers), body: Buffer.alloc(0) });
  }
  let n = 0;
  return {
    name: 'sigv4',
    prepare(r) {
      const seed = pick(r, seeds);
      const headers = { ...seed.headers };
      let url = seed.url;
      const times = 1 + int(r, 3);
      for (let i = 0; i < times; i++) {
        const what = int(r, 5);
        if (what === 0 && headers.authorization) headers.authorization = mutateText(r, String(headers.authorization));
        else if (what === 1) headers['x-amz-date'] = r() < 0.5 ? mutateText(r, String(headers['x-amz-date'] ?? '20240101T000000Z')) : text(nastyValue(r)).slice(0, 64);
        else if (what === 2) headers[pick(r, ['x-amz-security-token', 'x-amz-content-sha256', 'authorization', 'host'])] = r() < 0.3 ? ['a', 'b'] as unknown as string : text(nastyValue(r)).slice(0, 2000);
        else if (what === 3) url = mutateText(r, url);
        else delete headers[pick(r, Object.keys(headers))];
      }
      const req: SignableRequest = { method: seed.method, url, headers, body: seed.body };
      // Signing keys are cached by date, region and service; fuzzed scopes must not pile up.
      if (++n % 1000 === 0) forgetSigningKeys('fuzz');
      return () => {
        const sig = parseSignature(req);
        if (!sig) return;
        checkSignatureTiming(sig, Date.now());
        expectedSignature(req, sig, creds.secretAccessKey, 'fuzz');
      };
    },
  };
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function policyTarget(): Target {
  const data = JSON.parse(readFileSync(fileURLToPath(new URL('../src/services/iam/data/aws-managed-policies.json', import.meta.url)), 'utf8')) as { policies: { document?: unknown; versions?: { document?: unknown }[] }[] };
  const docs: unknown[] = [];
  const collect = (v: unknown) => {
    if (v && typeof v === 'object') {
      if ('Statement' in (v as object)) { docs.push(v); return; }
      for (const c of Object.values(v as object)) collect(c);
    } else if (typeof v === 'string' && v.includes('"Statement"')) {
      try { docs.push(JSON.parse(v)); } catch { /* not a document */ }
    }
  };
  collect(data.policies);
  docs.push(
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } } }] },
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    { Version: '2012-10-17', Statement: { Effect: 'Deny', NotAction: ['kms:*'], NotResource: 'arn:aws:kms:*:*:key/*', Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '::1/128'] }, DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' }, Bool: { 'aws:SecureTransport': 'true' }, 'ForAnyValue:StringLike': { 'aws:PrincipalTag/team': ['a*', '${aws:username}'] } } } },
  );
  const kinds: PolicyKind[] = ['identity', 'resource', 'trust'];
  const size = (d: unknown) => JSON.stringify(d).length;
  const small = docs.filter((d) => size(d) <= 20_480);
  const big = docs.filter((d) => size(d) > 20_480);
  if (big.length === 0) big.push(...small);
  return {
    name: 'policy',
    prepare(r) {
      // The 90 KB ReadOnlyAccess now and then; mostly documents of the sizes IAM accepts.
      const doc = r() < 0.03 ? pick(r, big) : pick(r, small);
      let text = JSON.stringify(r() < 0.9 ? mutateJson(r, doc) : doc) ?? '';
      if (r() < 0.25) text = mutateText(r, text);
      const kind = pick(r, kinds);
      const strict = r() < 0.5;
      // Strict mode throws the AwsError it documents (a refusal); lenient mode returns findings.
      return () => void parsePolicy(text, { kind, strict });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Runner

export interface FuzzReport {
  cases: number;
  seconds: number;
  byTarget: Record<string, { cases: number; ms: number; accepted: number; refused: number; crashes: number; hangs: number; slowestMs: number; slowestCase: number; codes: Record<string, number> }>;
  crashes: { target: string; caseIndex: number; error: string }[];
}

const HANG_MS = 250;

/** The fastest of three fresh runs of case `i`: a pause (GC, a busy machine) slows one, a hang all. */
function retime(target: Target, seed: number, i: number): number {
  let fastest = Infinity;
  for (let n = 0; n < 3; n++) {
    const parse = target.prepare(mulberry32(seed * 1_000_003 + i));
    const t0 = performance.now();
    try { parse(); } catch { /* timed, not judged */ }
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return fastest;
}

export async function runFuzz(opts: { cases: number; seed: number; log?: (line: string) => void; only?: number }): Promise<FuzzReport> {
  const r0 = mulberry32(opts.seed ^ 0x5eed);
  const targets = [jsonTarget(r0), queryTarget(r0), restTarget(r0), await sigv4Target(), policyTarget()];
  const report: FuzzReport = { cases: 0, seconds: 0, byTarget: {}, crashes: [] };
  for (const t of targets) report.byTarget[t.name] = { cases: 0, ms: 0, accepted: 0, refused: 0, crashes: 0, hangs: 0, slowestMs: 0, slowestCase: -1, codes: {} };
  const suspects: { target: Target; i: number }[] = [];
  const started = performance.now();
  // --only N: case N alone (to reproduce a crash or time a slow case).
  for (let i = opts.only ?? 0; i < (opts.only === undefined ? opts.cases : opts.only + 1); i++) {
    const target = targets[i % targets.length]!;
    const stats = report.byTarget[target.name]!;
    const r = mulberry32(opts.seed * 1_000_003 + i);
    let ms = 0;
    try {
      const parse = target.prepare(r);
      const t0 = performance.now();
      try {
        parse();
      } finally {
        ms = performance.now() - t0;
      }
      stats.accepted++;
    } catch (err) {
      if (err instanceof AwsError && err.status < 500) {
        stats.refused++;
        stats.codes[err.code] = (stats.codes[err.code] ?? 0) + 1;
      } else {
        stats.crashes++;
        if (report.crashes.length < 20) report.crashes.push({ target: target.name, caseIndex: i, error: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) + ` at ${(err.stack ?? '').split('\n').slice(1, 3).map((l) => l.trim()).join(' < ')}` : text(err) });
      }
    }
    stats.cases++;
    stats.ms += ms;
    if (ms > stats.slowestMs) { stats.slowestMs = ms; stats.slowestCase = i; }
    // A slow case is timed again at the end, away from whatever slowed it: a hang is slow every time.
    if (ms > HANG_MS) suspects.push({ target, i });
    if (opts.log && (i + 1) % 100_000 === 0) opts.log(`${i + 1} cases, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const { target, i } of suspects) if (retime(target, opts.seed, i) > HANG_MS) report.byTarget[target.name]!.hangs++;
  report.cases = opts.cases;
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

async function main(): Promise<void> {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const cases = arg('cases', 1_000_000);
  const seed = arg('seed', 1);
  const only = process.argv.includes('--only') ? arg('only', 0) : undefined;
  const report = await runFuzz({ cases, seed, only, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`fuzz: ${report.cases} cases in ${report.seconds.toFixed(1)} s (seed ${seed})\n`);
  for (const [name, s] of Object.entries(report.byTarget)) {
    const top = Object.entries(s.codes).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([c, n]) => `${c} ${n}`).join(', ');
    process.stdout.write(`  ${name.padEnd(9)} ${String(s.cases).padStart(8)} cases in ${(s.ms / 1000).toFixed(1)} s: ${s.accepted} accepted, ${s.refused} refused (${top}), ${s.crashes} crashes, ${s.hangs} hangs, slowest ${s.slowestMs.toFixed(1)} ms (case ${s.slowestCase})\n`);
  }
  for (const c of report.crashes) process.stdout.write(`  CRASH ${c.target} case ${c.caseIndex}: ${c.error}\n`);
  const hangs = Object.values(report.byTarget).reduce((n, s) => n + s.hangs, 0);
  process.exit(report.crashes.length > 0 || hangs > 0 ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
