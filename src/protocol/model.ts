/**
 * The AWS service models (botocore's service-2.json, vendored under models/ with their
 * licence) drive parsing, validation and serialization, as LocalStack's framework does:
 * the operation's input shape is the contract, not hand-written checks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ShapeRef {
  shape: string;
  locationName?: string;
  location?: string;
  idempotencyToken?: boolean;
  box?: boolean;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'blob' | 'timestamp' | 'double' | 'float';
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  exception?: boolean;
  error?: { httpStatusCode?: number; code?: string; senderFault?: boolean };
}

export interface OperationModel {
  name: string;
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
}

export interface ServiceModel {
  metadata: { apiVersion: string; targetPrefix?: string; signingName?: string; endpointPrefix: string; protocol: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

const cache = new Map<string, ServiceModel>();

/** Loads `models/<file>.json` once per process. */
export function loadModel(file: string): ServiceModel {
  let model = cache.get(file);
  if (!model) {
    const path = fileURLToPath(new URL(`../../models/${file}.json`, import.meta.url));
    model = JSON.parse(readFileSync(path, 'utf8')) as ServiceModel;
    cache.set(file, model);
  }
  return model;
}
