/**
 * IAM's input constraints from the model (name and path patterns, lengths, ranges), checked
 * by the role and policy operations, answered with the model-validation error AWS sends:
 * `ValidationError` "1 validation error detected: Value 'x' at 'roleName' failed to satisfy
 * constraint: …".
 */
import { AwsError } from '../../errors.ts';

export function constraintError(value: unknown, field: string, constraint: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must ${constraint}`, 400);
}

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\u002F)|(\u002F[\u0021-\u007E]+\u002F)$/;

/** roleName, policyName (1–64, or 128 for managed policies), `[\w+=,.@-]+`. */
export function checkName(value: string | undefined, field: string, max = 64): void {
  if (value === undefined) return;
  if (value.length < 1 || value.length > max) throw constraintError(value, field, `have length less than or equal to ${max}`);
  if (!NAME.test(value)) throw constraintError(value, field, 'satisfy regular expression pattern: [\\w+=,.@-]+');
}

/** path: `/` or `/…/` of printable ASCII, up to 512 characters. */
export function checkPath(value: string | undefined, field = 'path'): void {
  if (value === undefined) return;
  if (value.length > 512) throw constraintError(value, field, 'have length less than or equal to 512');
  const whole = value.match(PATH);
  if (!whole || whole[0] !== value) throw constraintError(value, field, 'satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
}

export function checkRange(value: number | undefined, field: string, min: number, max: number): void {
  if (value === undefined) return;
  if (value < min) throw constraintError(value, field, `have value greater than or equal to ${min}`);
  if (value > max) throw constraintError(value, field, `have value less than or equal to ${max}`);
}

export function checkLength(value: string | undefined, field: string, max: number): void {
  if (value !== undefined && value.length > max) throw constraintError(value, field, `have length less than or equal to ${max}`);
}

/** MaxItems of IAM's list operations: 1–1000. */
export function checkMaxItems(value: number | undefined): void {
  checkRange(value, 'maxItems', 1, 1000);
}
