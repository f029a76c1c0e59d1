/** TagResource, UntagResource and ListTags on a function, named by its ARN. */
import { operation } from '../../../protocol/operation.ts';
import type { ConditionValue } from '../../../auth/request-context.ts';
import type { LambdaDeps } from '../deps.ts';
import { invalidParameterValue, resourceConflict } from '../errors.ts';
import { findFunction, onFunction, requireFunction, type Found } from '../function-lookup.ts';
import { RevisionConflict, type FunctionRow } from '../function-store.ts';

const MAX_TAGS = 50;

/** Only function ARNs are taggable here; a name is not a resource ARN. */
async function findTagged(deps: LambdaDeps, ctx: Parameters<typeof findFunction>[1], resource: string): Promise<Found> {
  if (!resource.startsWith('arn:')) throw invalidParameterValue(`1 validation error detected: Value '${resource}' at 'resource' failed to satisfy constraint: Member must be a function ARN`);
  return findFunction(deps.functions, ctx, resource);
}

function checkTags(tags: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128 || v.length > 256) throw invalidParameterValue('Tag keys must be 1 to 128 characters and values at most 256.');
    if (k.toLowerCase().startsWith('aws:')) throw invalidParameterValue('Tag keys starting with "aws:" are reserved for AWS use.');
  }
}

async function writeTags(deps: LambdaDeps, row: FunctionRow, tags: Record<string, string>): Promise<void> {
  try {
    await deps.functions.update(row, { tags: JSON.stringify(tags), touch: false });
  } catch (err) {
    if (err instanceof RevisionConflict) throw resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${row.function_arn}`);
    throw err;
  }
}

interface TagResourceInput {
  Resource: string;
  Tags: Record<string, string>;
}

export const tagResource = (deps: LambdaDeps) => operation({
  async plan(ctx, input: TagResourceInput) {
    const found = await findTagged(deps, ctx, input.Resource);
    const extra: Record<string, ConditionValue> = { 'aws:TagKeys': Object.keys(input.Tags) };
    for (const [k, v] of Object.entries(input.Tags)) extra[`aws:RequestTag/${k}`] = v;
    return { authorization: onFunction(found, 'lambda:TagResource', extra), state: found };
  },
  async run(_ctx, input: TagResourceInput, found: Found) {
    const row = requireFunction(found);
    checkTags(input.Tags);
    const tags = { ...(JSON.parse(row.tags) as Record<string, string>), ...input.Tags };
    if (Object.keys(tags).length > MAX_TAGS) throw invalidParameterValue(`A function can have at most ${MAX_TAGS} tags.`);
    await writeTags(deps, row, tags);
    return {};
  },
});

interface UntagResourceInput {
  Resource: string;
  TagKeys: string[];
}

export const untagResource = (deps: LambdaDeps) => operation({
  async plan(ctx, input: UntagResourceInput) {
    const found = await findTagged(deps, ctx, input.Resource);
    return { authorization: onFunction(found, 'lambda:UntagResource', { 'aws:TagKeys': input.TagKeys }), state: found };
  },
  async run(_ctx, input: UntagResourceInput, found: Found) {
    const row = requireFunction(found);
    const tags = JSON.parse(row.tags) as Record<string, string>;
    for (const k of input.TagKeys) delete tags[k];
    await writeTags(deps, row, tags);
    return {};
  },
});

export const listTags = (deps: LambdaDeps) => operation({
  async plan(ctx, input: { Resource: string }) {
    const found = await findTagged(deps, ctx, input.Resource);
    return { authorization: onFunction(found, 'lambda:ListTags'), state: found };
  },
  async run(_ctx, _input: { Resource: string }, found: Found) {
    return { Tags: JSON.parse(requireFunction(found).tags) as Record<string, string> };
  },
});
