/**
 * awsQuery request bodies into the operation's input shape. The form is flat
 * (`Tags.member.1.Key=team`); the model says how to fold it back: structures by member
 * name, lists as `<name>.member.N` (`<name>.N` when flattened), maps as
 * `<name>.entry.N.key|value`, and scalars typed by their shape. The result is what the JSON
 * protocol hands to `validateInput`, so one check serves both protocols.
 */
import { AwsError } from '../errors.ts';
import type { ServiceModel, Shape, ShapeRef } from './model.ts';

/** Form fields as sent; a name given twice keeps its first value. */
export type Form = Map<string, string>;

/** The query shapes carry two serialization traits the JSON models do not use. */
type QueryShape = Shape & { flattened?: boolean };

export function parseForm(body: string): Form {
  const form: Form = new Map();
  for (const [name, value] of new URLSearchParams(body)) if (!form.has(name)) form.set(name, value);
  return form;
}

interface Reader {
  model: ServiceModel;
  form: Form;
  /** Every dotted prefix of every field name, so "is anything under X?" is one lookup. */
  prefixes: Set<string>;
}

/** Reads the input structure `shapeName` from the form; fields the shape does not name are ignored. */
export function readQueryInput(model: ServiceModel, shapeName: string | undefined, form: Form): Record<string, unknown> {
  if (!shapeName) return {};
  const prefixes = new Set<string>();
  for (const name of form.keys()) {
    let dot = name.indexOf('.');
    while (dot >= 0) {
      prefixes.add(name.slice(0, dot));
      dot = name.indexOf('.', dot + 1);
    }
    prefixes.add(name);
  }
  const reader: Reader = { model, form, prefixes };
  return (readStructure(reader, model.shapes[shapeName] as QueryShape, '') ?? {}) as Record<string, unknown>;
}

function present(r: Reader, key: string): boolean {
  return r.prefixes.has(key);
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function read(r: Reader, ref: ShapeRef, key: string): unknown {
  const shape = r.model.shapes[ref.shape] as QueryShape;
  switch (shape.type) {
    case 'structure': return readStructure(r, shape, key);
    case 'list': return readList(r, shape, key);
    case 'map': return readMap(r, shape, key);
    default: {
      const text = r.form.get(key);
      return text === undefined ? undefined : scalar(text, shape, key);
    }
  }
}

function readStructure(r: Reader, shape: QueryShape, prefix: string): Record<string, unknown> | undefined {
  if (prefix && !present(r, prefix)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const value = read(r, ref, join(prefix, ref.locationName ?? name));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** An empty list is sent as the bare name with an empty value (`Tags=`). */
function readList(r: Reader, shape: QueryShape, key: string): unknown[] | undefined {
  if (!present(r, key)) return undefined;
  const base = shape.flattened ? key : `${key}.${shape.member!.locationName ?? 'member'}`;
  const items: unknown[] = [];
  for (let i = 1; present(r, `${base}.${i}`); i++) items.push(read(r, shape.member!, `${base}.${i}`));
  return items;
}

function readMap(r: Reader, shape: QueryShape, key: string): Record<string, unknown> | undefined {
  if (!present(r, key)) return undefined;
  const base = shape.flattened ? key : `${key}.entry`;
  const keyName = shape.key!.locationName ?? 'key';
  const valueName = shape.value!.locationName ?? 'value';
  const out: Record<string, unknown> = {};
  for (let i = 1; present(r, `${base}.${i}`); i++) {
    const k = r.form.get(`${base}.${i}.${keyName}`);
    if (k === undefined) continue;
    out[k] = read(r, shape.value!, `${base}.${i}.${valueName}`);
  }
  return out;
}

/**
 * A form value as its shape's type. Text that cannot be that type is a ValidationError, the
 * code IAM and STS use for every malformed input (not JSON's SerializationException).
 * Timestamps and blobs stay text (ISO 8601, base64) as in the JSON protocol's input.
 */
function scalar(text: string, shape: Shape, key: string): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
      if (!/^-?\d+$/.test(text)) throw notA(text, shape, key, 'an integer');
      return Number(text);
    case 'double':
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw notA(text, shape, key, 'a number');
      return n;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw notA(text, shape, key, 'a boolean');
      return text === 'true';
    default:
      return text;
  }
}

function notA(text: string, shape: Shape, key: string, what: string): AwsError {
  const path = key.split('.').map((p) => p.charAt(0).toLowerCase() + p.slice(1)).join('.');
  const value = shape.sensitive ? 'Value' : `Value '${text}'`;
  return new AwsError('ValidationError', `1 validation error detected: ${value} at '${path}' failed to satisfy constraint: Member must be ${what}`);
}
