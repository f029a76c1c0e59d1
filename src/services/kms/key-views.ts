/** KMS's output shapes for a key (KeyMetadata) and for list entries. */
import { keyMaterialId } from './key-crypto.ts';
import type { KmsKey } from './key-store.ts';

export function keyMetadata(key: KmsKey) {
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    DeletionDate: key.keyState === 'PendingDeletion' && key.deletionDate !== undefined ? new Date(key.deletionDate) : undefined,
    Origin: key.origin,
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    CurrentKeyMaterialId: keyMaterialId(key.keyId, key.currentMaterial),
  };
}
