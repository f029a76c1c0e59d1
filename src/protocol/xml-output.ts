/**
 * Output values to awsQuery XML, walked along the model's output shape: structure members
 * as elements, lists as `<member>` children (repeated elements when flattened), maps as
 * `<entry><key/><value/></entry>`, timestamps in ISO 8601, booleans and numbers as text.
 * Absent members are omitted, and members the shape does not name are never written.
 */
import type { ServiceModel, Shape, ShapeRef } from './model.ts';

type QueryShape = Shape & { flattened?: boolean };

/**
 * Escapes text for element content, leaving quotes as AWS leaves them (messages quote values:
 * "Value 'x' at …"). `\r` is written as a character reference because a parser would
 * otherwise fold `\r\n` into `\n`.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** Escapes a double-quoted attribute value. */
export function escapeXmlAttribute(text: string): string {
  return escapeXml(text).replace(/"/g, '&quot;');
}

/** ISO 8601 in UTC, with milliseconds only when there are some (`2026-11-24T11:49:17Z`). */
export function isoTimestamp(value: Date): string {
  return value.toISOString().replace('.000Z', 'Z');
}

/** The members of `shapeName` taken from `value`, as XML elements (no wrapper). */
export function structureXml(model: ServiceModel, shapeName: string, value: Record<string, unknown>): string {
  return members(model, model.shapes[shapeName] as QueryShape, value);
}

function members(model: ServiceModel, shape: QueryShape, value: Record<string, unknown>): string {
  let xml = '';
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    xml += element(model, ref, ref.locationName ?? name, v);
  }
  return xml;
}

function element(model: ServiceModel, ref: ShapeRef, name: string, value: unknown): string {
  const shape = model.shapes[ref.shape] as QueryShape;
  if (shape.type === 'list') {
    const items = Array.isArray(value) ? value : [];
    const memberRef = shape.member!;
    if (shape.flattened) return items.map((item) => element(model, memberRef, memberRef.locationName ?? name, item)).join('');
    const memberName = memberRef.locationName ?? 'member';
    return `<${name}>${items.map((item) => element(model, memberRef, memberName, item)).join('')}</${name}>`;
  }
  if (shape.type === 'map') {
    const keyName = shape.key!.locationName ?? 'key';
    const valueName = shape.value!.locationName ?? 'value';
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${keyName}>${escapeXml(k)}</${keyName}>${element(model, shape.value!, valueName, v)}`);
    if (shape.flattened) return entries.map((e) => `<${name}>${e}</${name}>`).join('');
    return `<${name}>${entries.map((e) => `<entry>${e}</entry>`).join('')}</${name}>`;
  }
  if (shape.type === 'structure') return `<${name}>${members(model, shape, value as Record<string, unknown>)}</${name}>`;
  return `<${name}>${escapeXml(scalarText(shape, value))}</${name}>`;
}

function scalarText(shape: Shape, value: unknown): string {
  if (shape.type === 'timestamp') {
    // Operations hand back Dates; epoch seconds (the JSON protocol's form) are accepted too.
    if (value instanceof Date) return isoTimestamp(value);
    if (typeof value === 'number') return isoTimestamp(new Date(value * 1000));
    return String(value);
  }
  if (shape.type === 'blob' && Buffer.isBuffer(value)) return value.toString('base64');
  return String(value);
}
