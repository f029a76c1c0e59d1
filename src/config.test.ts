import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegions, parseServeArgs, UsageError } from './config.ts';

const regionsOf = (args: string[], env: NodeJS.ProcessEnv = {}) => parseServeArgs(args, env).regions;

test('one region by default: us-east-1', () => {
  assert.deepEqual(regionsOf([]), ['us-east-1']);
});

test('--region repeats, and a value may list several regions', () => {
  assert.deepEqual(regionsOf(['--region', 'us-east-1', '--region', 'us-west-2']), ['us-east-1', 'us-west-2']);
  assert.deepEqual(regionsOf(['--region=eu-west-1,ap-southeast-2']), ['eu-west-1', 'ap-southeast-2']);
  assert.deepEqual(regionsOf(['--region', 'us-east-1', '--region', 'us-east-1']), ['us-east-1']);
});

test('COFFER_REGION is a comma-separated list; flags win over it', () => {
  assert.deepEqual(regionsOf([], { COFFER_REGION: 'us-east-1, eu-central-1' }), ['us-east-1', 'eu-central-1']);
  assert.deepEqual(regionsOf(['--region', 'us-west-2'], { COFFER_REGION: 'eu-central-1' }), ['us-west-2']);
});

test('any serves every region', () => {
  assert.equal(regionsOf(['--region', 'any']), 'any');
  assert.equal(regionsOf(['--region', 'us-east-1', '--region', 'any']), 'any');
  assert.equal(regionsOf([], { COFFER_REGION: 'any' }), 'any');
});

test('a value that is not a region name is a usage error', () => {
  for (const bad of ['moon', 'US-EAST-1', 'us-east', 'us_east_1', '']) {
    assert.throws(() => parseRegions([bad]), UsageError, bad);
  }
});
