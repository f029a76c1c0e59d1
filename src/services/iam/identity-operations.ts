/**
 * Users, access keys, groups and membership, user/group inline policies, user tags. Each
 * group of operations lives in its own file; this only names them for the service.
 */
import type { Operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser } from './users.ts';
import { createAccessKey, deleteAccessKey, getAccessKeyLastUsed, listAccessKeys, updateAccessKey } from './access-keys.ts';
import { addUserToGroup, createGroup, deleteGroup, getGroup, listGroups, listGroupsForUser, removeUserFromGroup, updateGroup } from './groups.ts';
import { inlinePolicyOperations } from './inline-policies.ts';
import { listUserTags, tagUser, untagUser } from './user-tags.ts';
import { mfaDeviceOperations } from './mfa-devices.ts';
import { loginProfileOperations } from './login-profiles.ts';
import { changePassword } from './change-password.ts';

export function identityOperations(deps: IamDeps): Record<string, Operation<any, any, any>> {
  return {
    CreateUser: createUser(deps),
    GetUser: getUser(deps),
    ListUsers: listUsers(deps),
    UpdateUser: updateUser(deps),
    DeleteUser: deleteUser(deps),
    CreateAccessKey: createAccessKey(deps),
    ListAccessKeys: listAccessKeys(deps),
    UpdateAccessKey: updateAccessKey(deps),
    DeleteAccessKey: deleteAccessKey(deps),
    GetAccessKeyLastUsed: getAccessKeyLastUsed(deps),
    CreateGroup: createGroup(deps),
    GetGroup: getGroup(deps),
    ListGroups: listGroups(deps),
    UpdateGroup: updateGroup(deps),
    DeleteGroup: deleteGroup(deps),
    AddUserToGroup: addUserToGroup(deps),
    RemoveUserFromGroup: removeUserFromGroup(deps),
    ListGroupsForUser: listGroupsForUser(deps),
    ...inlinePolicyOperations(deps),
    TagUser: tagUser(deps),
    UntagUser: untagUser(deps),
    ListUserTags: listUserTags(deps),
    ...mfaDeviceOperations(deps),
    ...loginProfileOperations(deps),
    ChangePassword: changePassword(deps),
  };
}
