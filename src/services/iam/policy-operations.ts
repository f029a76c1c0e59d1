/** Roles, managed policies and their versions, attachments, permissions boundaries, role inline policies. */
import type { Operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';
import { createRole, deleteRole, getRole, listRoles, updateAssumeRolePolicy, updateRole, updateRoleDescription } from './roles.ts';
import { listRoleTags, tagRole, untagRole } from './role-tags.ts';
import { deleteRolePolicy, getRolePolicy, listRolePolicies, putRolePolicy } from './role-inline-policies.ts';
import { createPolicy, deletePolicy, getPolicy, listPolicies } from './managed-policies.ts';
import { listPolicyTags, tagPolicy, untagPolicy } from './policy-tags.ts';
import { createPolicyVersion, deletePolicyVersion, getPolicyVersion, listPolicyVersions, setDefaultPolicyVersion } from './policy-versions.ts';
import {
  attachGroupPolicy, attachRolePolicy, attachUserPolicy, detachGroupPolicy, detachRolePolicy, detachUserPolicy,
  listAttachedGroupPolicies, listAttachedRolePolicies, listAttachedUserPolicies, listEntitiesForPolicy,
} from './attachments.ts';
import { simulateCustomPolicy, simulatePrincipalPolicy } from './simulate.ts';
import { deleteRolePermissionsBoundary, deleteUserPermissionsBoundary, putRolePermissionsBoundary, putUserPermissionsBoundary } from './boundaries.ts';

export function policyOperations(deps: IamDeps): Record<string, Operation<any, any, any>> {
  return {
    CreateRole: createRole(deps),
    GetRole: getRole(deps),
    ListRoles: listRoles(deps),
    UpdateRole: updateRole(deps),
    UpdateRoleDescription: updateRoleDescription(deps),
    UpdateAssumeRolePolicy: updateAssumeRolePolicy(deps),
    DeleteRole: deleteRole(deps),
    TagRole: tagRole(deps),
    UntagRole: untagRole(deps),
    ListRoleTags: listRoleTags(deps),
    PutRolePolicy: putRolePolicy(deps),
    GetRolePolicy: getRolePolicy(deps),
    DeleteRolePolicy: deleteRolePolicy(deps),
    ListRolePolicies: listRolePolicies(deps),
    CreatePolicy: createPolicy(deps),
    GetPolicy: getPolicy(deps),
    ListPolicies: listPolicies(deps),
    DeletePolicy: deletePolicy(deps),
    TagPolicy: tagPolicy(deps),
    UntagPolicy: untagPolicy(deps),
    ListPolicyTags: listPolicyTags(deps),
    CreatePolicyVersion: createPolicyVersion(deps),
    GetPolicyVersion: getPolicyVersion(deps),
    ListPolicyVersions: listPolicyVersions(deps),
    DeletePolicyVersion: deletePolicyVersion(deps),
    SetDefaultPolicyVersion: setDefaultPolicyVersion(deps),
    AttachUserPolicy: attachUserPolicy(deps),
    AttachGroupPolicy: attachGroupPolicy(deps),
    AttachRolePolicy: attachRolePolicy(deps),
    DetachUserPolicy: detachUserPolicy(deps),
    DetachGroupPolicy: detachGroupPolicy(deps),
    DetachRolePolicy: detachRolePolicy(deps),
    ListAttachedUserPolicies: listAttachedUserPolicies(deps),
    ListAttachedGroupPolicies: listAttachedGroupPolicies(deps),
    ListAttachedRolePolicies: listAttachedRolePolicies(deps),
    ListEntitiesForPolicy: listEntitiesForPolicy(deps),
    PutUserPermissionsBoundary: putUserPermissionsBoundary(deps),
    DeleteUserPermissionsBoundary: deleteUserPermissionsBoundary(deps),
    PutRolePermissionsBoundary: putRolePermissionsBoundary(deps),
    DeleteRolePermissionsBoundary: deleteRolePermissionsBoundary(deps),
    SimulateCustomPolicy: simulateCustomPolicy(deps),
    SimulatePrincipalPolicy: simulatePrincipalPolicy(deps),
  };
}
