/**
 * Checks a parsed JSON request against the operation's input shape.
 *
 * Two kinds of failure, as AWS's JSON services report them:
 * - a value of the wrong JSON type cannot be deserialized: SerializationException;
 * - a well-typed value that breaks a constraint (required, length, range, enum, pattern):
 *   ValidationException "N validation error(s) detected: Value '…' at '…' failed to satisfy
 *   constraint: …", with member paths in lowerCamelCase and 1-based list indexes.
 * Unknown members are ignored, as AWS ignores them.
 */
import { AwsError } from '../errors.ts';
import type { Shape, ServiceModel } from './model.ts';

const MAX_REPORTED = 10;

interface Walk {
  model: ServiceModel;
  problems: string[];
  patterns: Map<string, RegExp>;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function show(value: unknown, shape: Shape): string {
  if (shape.sensitive) return 'Value at';
  if (value === null || value === undefined) return 'Value null at';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `Value '${text}' at`;
}

/** The JSON token names AWS's deserializer reports. */
function token(value: unknown): string {
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'number') return 'NUMBER_VALUE';
  if (value === true) return 'TRUE_VALUE';
  if (value === false) return 'FALSE_VALUE';
  return 'VALUE_NULL';
}

const TARGET: Record<string, string> = {
  structure: 'a Structure', list: 'a List', map: 'a Map', integer: 'an Integer', long: 'a Long',
  double: 'a Double', float: 'a Float', boolean: 'a Boolean', blob: 'a Blob', timestamp: 'a Date',
};

/**
 * A JSON value of the wrong type for its member, worded as AWS's deserializer words it, which
 * never echoes the value: "Start of structure or map found where not expected." (an object),
 * "Start of list found where not expected" (an array), "NUMBER_VALUE cannot be converted to
 * String" (DynamoDB; ca98am79/connect-dynamodb#100), "STRING_VALUE can not be converted to an
 * Integer" (aws/aws-cdk#27087).
 */
export function typeMismatch(value: unknown, expected: string): AwsError {
  let message: string;
  if (Array.isArray(value)) message = 'Start of list found where not expected';
  else if (typeof value === 'object' && value !== null) message = 'Start of structure or map found where not expected.';
  else if (expected === 'string') message = `${token(value)} cannot be converted to String`;
  else message = `${token(value)} can not be converted to ${TARGET[expected] ?? `a ${expected}`}`;
  return new AwsError('SerializationException', message);
}

const patternCache = new Map<string, RegExp>();

function pattern(source: string): RegExp {
  let re = patternCache.get(source);
  if (!re) {
    // Model patterns are Java regexes: identity escapes such as `\!` or `\=` (ListSecrets'
    // filter values) are legal there and in JavaScript's non-unicode mode, not with `u`.
    // AWS matches them against the whole value (Java's `matches()`), so `[\w+=,.@-]*` (STS's
    // RoleSessionName, IAM's names) refuses a value with a space in it.
    const whole = `^(?:${source})$`;
    try {
      re = new RegExp(whole, 'u');
    } catch {
      re = new RegExp(whole);
    }
    patternCache.set(source, re);
  }
  return re;
}

function checkValue(walk: Walk, value: unknown, shape: Shape, path: string): void {
  if (value === null || value === undefined) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) throw typeMismatch(value, 'structure');
      const obj = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (obj[name] === undefined || obj[name] === null) {
          walk.problems.push(`Value null at '${join(path, name)}' failed to satisfy constraint: Member must not be null`);
        }
      }
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const member = obj[name];
        if (member === undefined || member === null) continue;
        checkValue(walk, member, walk.model.shapes[ref.shape]!, join(path, name));
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) throw typeMismatch(value, 'list');
      checkLength(walk, value.length, value, shape, path);
      const memberShape = walk.model.shapes[shape.member!.shape]!;
      value.forEach((item, i) => {
        if (item === null) throw typeMismatch(item, memberShape.type);
        checkValue(walk, item, memberShape, `${path}.${i + 1}.member`);
      });
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw typeMismatch(value, 'map');
      const entries = Object.entries(value as Record<string, unknown>);
      checkLength(walk, entries.length, value, shape, path);
      const valueShape = walk.model.shapes[shape.value!.shape]!;
      for (const [k, v] of entries) checkValue(walk, v, valueShape, `${path}.${k}`);
      return;
    }
    case 'string': {
      if (typeof value !== 'string') throw typeMismatch(value, 'string');
      checkLength(walk, [...value].length, value, shape, path);
      if (shape.enum && !shape.enum.includes(value)) {
        walk.problems.push(`${show(value, shape)} '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      if (shape.pattern && !pattern(shape.pattern).test(value)) {
        walk.problems.push(`${show(value, shape)} '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeMismatch(value, shape.type);
      checkRange(walk, value, shape, path);
      return;
    }
    case 'double':
    case 'float': {
      if (typeof value !== 'number') throw typeMismatch(value, shape.type);
      checkRange(walk, value, shape, path);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw typeMismatch(value, 'boolean');
      return;
    case 'blob': {
      if (typeof value !== 'string') throw typeMismatch(value, 'blob');
      // Blob members can be secret (SecretBinary): the message never shows the value.
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
        throw new AwsError('SerializationException', `Invalid base64 value at '${path}'.`);
      }
      checkLength(walk, Buffer.byteLength(value, 'base64'), value, shape, path);
      return;
    }
    case 'timestamp':
      if (typeof value !== 'number' && typeof value !== 'string') throw typeMismatch(value, 'timestamp');
      return;
  }
}

function join(path: string, member: string): string {
  return path ? `${path}.${lowerFirst(member)}` : lowerFirst(member);
}

function checkLength(walk: Walk, length: number, value: unknown, shape: Shape, path: string): void {
  if (shape.min !== undefined && length < shape.min) {
    walk.problems.push(`${show(value, shape)} '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && length > shape.max) {
    walk.problems.push(`${show(value, shape)} '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`);
  }
}

function checkRange(walk: Walk, value: number, shape: Shape, path: string): void {
  if (shape.min !== undefined && value < shape.min) {
    walk.problems.push(`${show(value, shape)} '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && value > shape.max) {
    walk.problems.push(`${show(value, shape)} '${path}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`);
  }
}

/** Throws the AWS error for the first class of problem found; returns when the input is valid. */
export function validateInput(model: ServiceModel, shapeName: string, input: unknown): void {
  const walk: Walk = { model, problems: [], patterns: new Map() };
  checkValue(walk, input, model.shapes[shapeName]!, '');
  if (walk.problems.length === 0) return;
  const n = walk.problems.length;
  const listed = walk.problems.slice(0, MAX_REPORTED).join('; ');
  throw new AwsError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${listed}`);
}
