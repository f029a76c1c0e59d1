import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statementSpans } from './simulation.ts';

test('statement positions as AWS reports them: from where the parser began the statement to just past its }', () => {
  const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "a:b", "Resource": "x\\"}"},\n    { "Effect": "Deny",\n      "Action": "*", "Resource": "*" }\n  ]\n}';
  assert.deepEqual(statementSpans(text), [
    // The first statement of a list starts just past the `[`; the next one where the previous ended.
    { start: { Line: 3, Column: 17 }, end: { Line: 4, Column: 61 }, text: '{"Effect": "Allow", "Action": "a:b", "Resource": "x\\"}"}' },
    { start: { Line: 4, Column: 61 }, end: { Line: 6, Column: 39 }, text: '{ "Effect": "Deny",\n      "Action": "*", "Resource": "*" }' },
  ]);
  // A single statement object starts just past its own `{` (AWS CLI reference: column 38 to 167).
  const example = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
  assert.deepEqual(statementSpans(example).map(({ start, end }) => ({ start, end })), [
    { start: { Line: 1, Column: 38 }, end: { Line: 1, Column: 167 } },
  ]);
  assert.deepEqual(statementSpans('not json'), []);
});
