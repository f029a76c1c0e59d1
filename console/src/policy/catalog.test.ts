import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESS_LEVELS, SERVICES, findService, conditionKeysFor, resourceArnExample, OPERATOR_CHOICES } from './catalog.ts';

const servicesDir = fileURLToPath(new URL('../../../src/services/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) return [];
    // Code only: comments quote wrong actions on purpose (seed 003's secretsmanager:GetSecret).
    return [readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')];
  });
}

test('every action the server authorizes is offered by the visual editor', () => {
  // Actions appear in the server as `'kms:Decrypt'` passed to authorization (not as object keys,
  // which are condition keys). A new operation whose action the catalog lacks fails here.
  const actions = new Set<string>();
  for (const text of sources(servicesDir)) {
    for (const m of text.matchAll(/['"`](secretsmanager|kms|iam|sts|lambda):([A-Z][A-Za-z]+)['"`](?!\s*:)/g)) actions.add(`${m[1]}:${m[2]}`);
  }
  assert.ok(actions.size > 50, `found only ${actions.size} actions in src/services`);
  const conditionKeyNames = new Set(SERVICES.flatMap((s) => s.conditionKeys.map((k) => k.key.toLowerCase())));
  const missing = [...actions].filter((a) => {
    const [prefix, name] = a.split(':');
    const svc = findService(prefix);
    return !svc?.actions.some((x) => x.name === name) && !conditionKeyNames.has(a.toLowerCase());
  });
  assert.deepEqual(missing, []);
});

test('services, resource types and condition keys come with their reference data', () => {
  const sm = findService('SecretsManager');
  assert.ok(sm);
  assert.equal(sm.name, 'AWS Secrets Manager');
  const get = sm.actions.find((a) => a.name === 'GetSecretValue');
  assert.equal(get?.accessLevel, 'Read');
  assert.deepEqual(get?.resourceTypes, ['Secret']);
  assert.ok(conditionKeysFor('secretsmanager').includes('secretsmanager:VersionStage'));
  assert.ok(conditionKeysFor('kms').includes('aws:SourceIp'));
  assert.ok(OPERATOR_CHOICES.includes('StringEquals') && OPERATOR_CHOICES.includes('ForAnyValue:StringLike') && OPERATOR_CHOICES.includes('BoolIfExists'));
});

test('ARN templates become editable examples', () => {
  const template = findService('secretsmanager')!.resourceTypes[0].arn;
  assert.equal(resourceArnExample(template, 'us-east-1', '111122223333'), 'arn:aws:secretsmanager:us-east-1:111122223333:secret:*');
});

test('every action sits in exactly one access level the editor shows', () => {
  for (const svc of SERVICES) {
    for (const a of svc.actions) assert.ok((ACCESS_LEVELS as readonly string[]).includes(a.accessLevel), `${svc.prefix}:${a.name} has level ${a.accessLevel}`);
  }
  assert.equal(findService('secretsmanager')!.actions.find((a) => a.name === 'PutResourcePolicy')?.accessLevel, 'Permissions management');
});
