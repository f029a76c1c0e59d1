import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statementSpans } from './simulation.ts';

test('statement positions: 1-based line/column of each statement, list or single object', () => {
  const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "a:b", "Resource": "x\\"}"},\n    { "Effect": "Deny",\n      "Action": "*", "Resource": "*" }\n  ]\n}';
  assert.deepEqual(statementSpans(text), [
    { start: { Line: 4, Column: 5 }, end: { Line: 4, Column: 61 } },
    { start: { Line: 5, Column: 5 }, end: { Line: 6, Column: 39 } },
  ]);
  assert.deepEqual(statementSpans('{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'), [
    { start: { Line: 1, Column: 14 }, end: { Line: 1, Column: 60 } },
  ]);
  assert.deepEqual(statementSpans('not json'), []);
});
