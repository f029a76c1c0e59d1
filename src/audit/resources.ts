/**
 * The resources an event names (LookupEvents' `Resources` and its ResourceName/ResourceType
 * lookups): the secret, key, user, role, policy, access key or function a call was about,
 * read from the call's own input and output (names and ARNs only, never a value).
 */
export interface AuditResource {
  /** CloudFormation-style type, as CloudTrail reports it: `AWS::SecretsManager::Secret`. */
  type: string;
  /** The name given or found (a secret's name, a key id, a user name). */
  name: string;
  arn?: string;
  accountId: string;
}

type Bag = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const bag = (v: unknown): Bag => (v && typeof v === 'object' && !Buffer.isBuffer(v) ? (v as Bag) : {});
const tail = (arn: string, sep: string) => arn.slice(arn.lastIndexOf(sep) + 1);

/** A secret's name from its ARN: what follows `secret:`, less the 7-character suffix AWS adds. */
export function secretNameOf(arn: string): string {
  const i = arn.indexOf(':secret:');
  const rest = i >= 0 ? arn.slice(i + 8) : tail(arn, ':');
  return /-[A-Za-z0-9]{6}$/.test(rest) ? rest.slice(0, -7) : rest;
}

export function resourcesOf(service: string, _operation: string, input: unknown, output: unknown, accountId: string, region: string): AuditResource[] {
  const i = bag(input);
  const o = bag(output);
  const out: AuditResource[] = [];
  const add = (type: string, name: string | undefined, arn?: string) => {
    if (!name && !arn) return;
    const key = arn ?? name!;
    if (out.some((r) => (r.arn ?? r.name) === key && r.type === type)) return;
    out.push({ type, name: name ?? tail(arn!, arn!.includes('/') ? '/' : ':'), ...(arn ? { arn } : {}), accountId: arn?.split(':')[4] || accountId });
  };
  switch (service) {
    case 'secretsmanager': {
      const type = 'AWS::SecretsManager::Secret';
      const id = str(i.SecretId) ?? str(i.Name);
      const arn = str(o.ARN) ?? (id?.startsWith('arn:') ? id : undefined);
      if (id || arn) add(type, str(o.Name) ?? (id && !id.startsWith('arn:') ? id : arn && secretNameOf(arn)), arn);
      for (const v of Array.isArray(o.SecretValues) ? o.SecretValues : []) {
        const found = str(bag(v).ARN);
        add(type, str(bag(v).Name) ?? (found && secretNameOf(found)), found);
      }
      break;
    }
    case 'kms': {
      const type = 'AWS::KMS::Key';
      const meta = bag(o.KeyMetadata);
      const arn = str(meta.Arn) ?? (str(o.KeyId)?.startsWith('arn:') ? str(o.KeyId) : undefined);
      const given = str(i.KeyId) ?? str(i.TargetKeyId);
      const keyArn = arn ?? (given && /^[0-9a-f-]{36}$/.test(given) && region ? `arn:aws:kms:${region}:${accountId}:key/${given}` : given?.startsWith('arn:aws:kms') && given.includes(':key/') ? given : undefined);
      add(type, keyArn ? tail(keyArn, '/') : given, keyArn);
      break;
    }
    case 'iam': {
      add('AWS::IAM::User', str(i.UserName));
      add('AWS::IAM::Role', str(i.RoleName));
      add('AWS::IAM::Group', str(i.GroupName));
      const policy = str(i.PolicyArn);
      if (policy) add('AWS::IAM::Policy', tail(policy, '/'), policy);
      add('AWS::IAM::AccessKey', str(i.AccessKeyId) ?? str(bag(o.AccessKey).AccessKeyId));
      break;
    }
    case 'sts': {
      const role = str(i.RoleArn);
      if (role) add('AWS::IAM::Role', tail(role, '/'), role);
      break;
    }
    case 'lambda': {
      const fn = str(i.FunctionName);
      const arn = str(o.FunctionArn) ?? (fn?.startsWith('arn:') ? fn : undefined);
      if (fn || arn) add('AWS::Lambda::Function', fn && !fn.startsWith('arn:') ? fn : undefined, arn);
      break;
    }
  }
  return out;
}
