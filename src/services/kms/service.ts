/**
 * AWS KMS on awsJson1.1 (`X-Amz-Target: TrentService.<Op>`, signing name `kms`): symmetric
 * customer managed keys, aliases, key policies, rotation, deletion and the cryptographic
 * operations. Operations not listed here (grants, asymmetric keys, imported material, custom
 * key stores, multi-Region keys) answer as AWS answers an unknown operation.
 */
import { loadModel } from '../../protocol/model.ts';
import type { JsonService } from '../../protocol/aws-json.ts';
import type { KmsDeps } from './deps.ts';
import { cancelKeyDeletion, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion, updateKeyDescription } from './operations/keys.ts';
import { createAlias, deleteAlias, listAliases, updateAlias } from './operations/aliases.ts';
import { decrypt, encrypt, generateDataKey, generateDataKeyWithoutPlaintext, generateRandom, reEncrypt } from './operations/crypto.ts';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from './operations/rotation.ts';
import { getKeyPolicy, listKeyPolicies, putKeyPolicy } from './operations/policies.ts';
import { listResourceTags, tagResource, untagResource } from './operations/tags.ts';

export function kmsService(deps: KmsDeps): JsonService {
  return {
    targetPrefix: 'TrentService',
    signingName: 'kms',
    model: loadModel('kms-2014-11-01'),
    operations: {
      CancelKeyDeletion: cancelKeyDeletion(deps),
      CreateAlias: createAlias(deps),
      CreateKey: createKey(deps),
      Decrypt: decrypt(deps),
      DeleteAlias: deleteAlias(deps),
      DescribeKey: describeKey(deps),
      DisableKey: disableKey(deps),
      DisableKeyRotation: disableKeyRotation(deps),
      EnableKey: enableKey(deps),
      EnableKeyRotation: enableKeyRotation(deps),
      Encrypt: encrypt(deps),
      GenerateDataKey: generateDataKey(deps),
      GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext(deps),
      GenerateRandom: generateRandom(),
      GetKeyPolicy: getKeyPolicy(deps),
      GetKeyRotationStatus: getKeyRotationStatus(deps),
      ListAliases: listAliases(deps),
      ListKeyPolicies: listKeyPolicies(deps),
      ListKeyRotations: listKeyRotations(deps),
      ListKeys: listKeys(deps),
      ListResourceTags: listResourceTags(deps),
      PutKeyPolicy: putKeyPolicy(deps),
      ReEncrypt: reEncrypt(deps),
      RotateKeyOnDemand: rotateKeyOnDemand(deps),
      ScheduleKeyDeletion: scheduleKeyDeletion(deps),
      TagResource: tagResource(deps),
      UntagResource: untagResource(deps),
      UpdateAlias: updateAlias(deps),
      UpdateKeyDescription: updateKeyDescription(deps),
    },
  };
}
