/**
 * IAM calls the console pages make more than once: paging through list operations, reading a
 * policy document (IAM answers them URL-encoded, RFC 3986), and the multi-call operations the
 * AWS console performs on one click (deleting a user deletes what would block DeleteUser).
 * Every call is made with the signed-in user's own client, so IAM authorizes each one.
 */
import {
  AttachGroupPolicyCommand, AttachRolePolicyCommand, AttachUserPolicyCommand,
  DeactivateMFADeviceCommand, DeleteAccessKeyCommand, DeleteGroupPolicyCommand, DeleteLoginProfileCommand,
  DeleteRolePolicyCommand, DeleteUserCommand, DeleteUserPolicyCommand, DeleteVirtualMFADeviceCommand,
  DetachGroupPolicyCommand, DetachRolePolicyCommand, DetachUserPolicyCommand,
  GetGroupPolicyCommand, GetRolePolicyCommand, GetUserPolicyCommand,
  ListAccessKeysCommand, ListAttachedGroupPoliciesCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand, ListGroupsForUserCommand, ListMFADevicesCommand, ListRolePoliciesCommand, ListUserPoliciesCommand,
  PutGroupPolicyCommand, PutRolePolicyCommand, PutUserPolicyCommand, RemoveUserFromGroupCommand,
  type AttachedPolicy, type IAMClient,
} from '@aws-sdk/client-iam';

/** IAM's policy documents arrive URL-encoded; the SDK does not decode them. */
export function decodeDocument(encoded: string | undefined): string {
  if (encoded === undefined) return '';
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** Pretty-prints a document for the editor, keeping the text as is when it is not JSON. */
export function prettyDocument(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Follows Marker/IsTruncated to the end. */
export async function listAll<T, O extends { IsTruncated?: boolean; Marker?: string }>(
  page: (marker: string | undefined) => Promise<O>,
  items: (o: O) => T[] | undefined,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const o = await page(marker);
    out.push(...(items(o) ?? []));
    marker = o.IsTruncated ? o.Marker : undefined;
  } while (marker !== undefined);
  return out;
}

/** The three kinds of identities that hold policies, with the calls that differ between them. */
export type EntityKind = 'user' | 'group' | 'role';

export interface EntityPolicies {
  attached: AttachedPolicy[];
  inline: string[];
}

export async function listEntityPolicies(iam: IAMClient, kind: EntityKind, name: string): Promise<EntityPolicies> {
  if (kind === 'user') {
    const attached = await listAll((Marker) => iam.send(new ListAttachedUserPoliciesCommand({ UserName: name, Marker })), (o) => o.AttachedPolicies);
    const inline = await listAll((Marker) => iam.send(new ListUserPoliciesCommand({ UserName: name, Marker })), (o) => o.PolicyNames);
    return { attached, inline };
  }
  if (kind === 'group') {
    const attached = await listAll((Marker) => iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: name, Marker })), (o) => o.AttachedPolicies);
    const inline = await listAll((Marker) => iam.send(new ListGroupPoliciesCommand({ GroupName: name, Marker })), (o) => o.PolicyNames);
    return { attached, inline };
  }
  const attached = await listAll((Marker) => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker })), (o) => o.AttachedPolicies);
  const inline = await listAll((Marker) => iam.send(new ListRolePoliciesCommand({ RoleName: name, Marker })), (o) => o.PolicyNames);
  return { attached, inline };
}

export async function attachPolicy(iam: IAMClient, kind: EntityKind, name: string, PolicyArn: string): Promise<void> {
  if (kind === 'user') await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn }));
  else if (kind === 'group') await iam.send(new AttachGroupPolicyCommand({ GroupName: name, PolicyArn }));
  else await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn }));
}

export async function detachPolicy(iam: IAMClient, kind: EntityKind, name: string, PolicyArn: string): Promise<void> {
  if (kind === 'user') await iam.send(new DetachUserPolicyCommand({ UserName: name, PolicyArn }));
  else if (kind === 'group') await iam.send(new DetachGroupPolicyCommand({ GroupName: name, PolicyArn }));
  else await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn }));
}

export async function getInlinePolicy(iam: IAMClient, kind: EntityKind, name: string, PolicyName: string): Promise<string> {
  const out = kind === 'user' ? await iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName }))
    : kind === 'group' ? await iam.send(new GetGroupPolicyCommand({ GroupName: name, PolicyName }))
      : await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName }));
  return prettyDocument(decodeDocument(out.PolicyDocument));
}

export async function putInlinePolicy(iam: IAMClient, kind: EntityKind, name: string, PolicyName: string, PolicyDocument: string): Promise<void> {
  if (kind === 'user') await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName, PolicyDocument }));
  else if (kind === 'group') await iam.send(new PutGroupPolicyCommand({ GroupName: name, PolicyName, PolicyDocument }));
  else await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName, PolicyDocument }));
}

export async function deleteInlinePolicy(iam: IAMClient, kind: EntityKind, name: string, PolicyName: string): Promise<void> {
  if (kind === 'user') await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName }));
  else if (kind === 'group') await iam.send(new DeleteGroupPolicyCommand({ GroupName: name, PolicyName }));
  else await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName }));
}

/**
 * What the AWS console does on "Delete user": remove everything DeleteUser would refuse with
 * DeleteConflict (access keys, login profile, MFA devices, group memberships, policies), then
 * the user. Stops at the first refusal, which the caller shows.
 */
export async function deleteUserCompletely(iam: IAMClient, UserName: string): Promise<void> {
  const keys = await listAll((Marker) => iam.send(new ListAccessKeysCommand({ UserName, Marker })), (o) => o.AccessKeyMetadata);
  for (const k of keys) await iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: k.AccessKeyId }));
  try {
    await iam.send(new DeleteLoginProfileCommand({ UserName }));
  } catch (e) {
    if ((e as Error).name !== 'NoSuchEntityException' && (e as Error).name !== 'NoSuchEntity') throw e;
  }
  const devices = await listAll((Marker) => iam.send(new ListMFADevicesCommand({ UserName, Marker })), (o) => o.MFADevices);
  for (const d of devices) {
    await iam.send(new DeactivateMFADeviceCommand({ UserName, SerialNumber: d.SerialNumber }));
    if (d.SerialNumber?.includes(':mfa/')) await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: d.SerialNumber }));
  }
  const groups = await listAll((Marker) => iam.send(new ListGroupsForUserCommand({ UserName, Marker })), (o) => o.Groups);
  for (const g of groups) await iam.send(new RemoveUserFromGroupCommand({ UserName, GroupName: g.GroupName }));
  const { attached, inline } = await listEntityPolicies(iam, 'user', UserName);
  for (const p of attached) await detachPolicy(iam, 'user', UserName, p.PolicyArn!);
  for (const p of inline) await deleteInlinePolicy(iam, 'user', UserName, p);
  await iam.send(new DeleteUserCommand({ UserName }));
}

/**
 * Draws a QRCodePNG (bytes) on a canvas. Decoding with createImageBitmap, not an <img> with a
 * data: or blob: URL, keeps the console's Content-Security-Policy at `default-src 'self'`.
 */
export async function drawPng(canvas: HTMLCanvasElement, bytes: Uint8Array): Promise<void> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('This browser cannot draw on a canvas.');
  context.imageSmoothingEnabled = false;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
}
