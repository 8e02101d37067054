import type { IamResourceKind } from '../authz/authorizer.js';
import type { IamHandler } from './handlers/common.js';
import {
  AttachRolePolicy,
  AttachUserPolicy,
  CreatePolicy,
  CreatePolicyVersion,
  DeletePolicy,
  DeletePolicyVersion,
  DeleteRolePolicy,
  DeleteUserPolicy,
  DetachRolePolicy,
  DetachUserPolicy,
  GetPolicy,
  GetPolicyVersion,
  GetRolePolicy,
  GetUserPolicy,
  ListAttachedRolePolicies,
  ListAttachedUserPolicies,
  ListPolicies,
  ListPolicyVersions,
  ListRolePolicies,
  ListUserPolicies,
  PutRolePolicy,
  PutUserPolicy,
  SetDefaultPolicyVersion,
} from './handlers/policies.js';
import { CreateRole, DeleteRole, GetRole, ListRoles, ListRoleTags, TagRole, UntagRole, UpdateAssumeRolePolicy } from './handlers/roles.js';
import { SimulateCustomPolicy, SimulatePrincipalPolicy } from './handlers/simulate.js';
import {
  CreateAccessKey,
  CreateUser,
  DeleteAccessKey,
  DeleteUser,
  GetUser,
  ListAccessKeys,
  ListUsers,
  ListUserTags,
  TagUser,
  UntagUser,
  UpdateAccessKey,
} from './handlers/users.js';

/** The XML namespace of IAM's answers. */
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_VERSION = '2010-05-08';

/** An IAM operation: its handler, and which resource `iam:<Action>` is authorized on. */
export interface IamOperation {
  handler: IamHandler;
  resource: IamResourceKind;
}

const op = (handler: IamHandler, resource: IamResourceKind): IamOperation => ({ handler, resource });

/** The IAM actions the sandbox implements, by Action name. */
export const IAM_OPERATIONS: Record<string, IamOperation> = {
  // Users
  CreateUser: op(CreateUser, 'new-user'),
  GetUser: op(GetUser, 'user'),
  ListUsers: op(ListUsers, 'users'),
  DeleteUser: op(DeleteUser, 'user'),
  TagUser: op(TagUser, 'user'),
  UntagUser: op(UntagUser, 'user'),
  ListUserTags: op(ListUserTags, 'user'),
  // Access keys
  CreateAccessKey: op(CreateAccessKey, 'user'),
  ListAccessKeys: op(ListAccessKeys, 'user'),
  DeleteAccessKey: op(DeleteAccessKey, 'user'),
  UpdateAccessKey: op(UpdateAccessKey, 'user'),
  // A user's policies
  PutUserPolicy: op(PutUserPolicy, 'user'),
  GetUserPolicy: op(GetUserPolicy, 'user'),
  DeleteUserPolicy: op(DeleteUserPolicy, 'user'),
  ListUserPolicies: op(ListUserPolicies, 'user'),
  AttachUserPolicy: op(AttachUserPolicy, 'user'),
  DetachUserPolicy: op(DetachUserPolicy, 'user'),
  ListAttachedUserPolicies: op(ListAttachedUserPolicies, 'user'),
  // Roles
  CreateRole: op(CreateRole, 'new-role'),
  GetRole: op(GetRole, 'role'),
  ListRoles: op(ListRoles, 'roles'),
  DeleteRole: op(DeleteRole, 'role'),
  UpdateAssumeRolePolicy: op(UpdateAssumeRolePolicy, 'role'),
  TagRole: op(TagRole, 'role'),
  UntagRole: op(UntagRole, 'role'),
  ListRoleTags: op(ListRoleTags, 'role'),
  PutRolePolicy: op(PutRolePolicy, 'role'),
  GetRolePolicy: op(GetRolePolicy, 'role'),
  DeleteRolePolicy: op(DeleteRolePolicy, 'role'),
  ListRolePolicies: op(ListRolePolicies, 'role'),
  AttachRolePolicy: op(AttachRolePolicy, 'role'),
  DetachRolePolicy: op(DetachRolePolicy, 'role'),
  ListAttachedRolePolicies: op(ListAttachedRolePolicies, 'role'),
  // Managed policies
  CreatePolicy: op(CreatePolicy, 'new-policy'),
  GetPolicy: op(GetPolicy, 'policy'),
  DeletePolicy: op(DeletePolicy, 'policy'),
  ListPolicies: op(ListPolicies, 'any'),
  CreatePolicyVersion: op(CreatePolicyVersion, 'policy'),
  GetPolicyVersion: op(GetPolicyVersion, 'policy'),
  ListPolicyVersions: op(ListPolicyVersions, 'policy'),
  DeletePolicyVersion: op(DeletePolicyVersion, 'policy'),
  SetDefaultPolicyVersion: op(SetDefaultPolicyVersion, 'policy'),
  // The policy simulator
  SimulatePrincipalPolicy: op(SimulatePrincipalPolicy, 'policy-source'),
  SimulateCustomPolicy: op(SimulateCustomPolicy, 'any'),
};

/** Every action real IAM has (botocore's model); those missing above answer "not implemented". */
export const IAM_ACTIONS = new Set(
  'AcceptDelegationRequest AddClientIDToOpenIDConnectProvider AddRoleToInstanceProfile AddUserToGroup AssociateDelegationRequest AttachGroupPolicy AttachRolePolicy AttachUserPolicy ChangePassword CreateAccessKey CreateAccountAlias CreateDelegationRequest CreateGroup CreateInstanceProfile CreateLoginProfile CreateOpenIDConnectProvider CreatePolicy CreatePolicyVersion CreateRole CreateSAMLProvider CreateServiceLinkedRole CreateServiceSpecificCredential CreateUser CreateVirtualMFADevice DeactivateMFADevice DeleteAccessKey DeleteAccountAlias DeleteAccountPasswordPolicy DeleteGroup DeleteGroupPolicy DeleteInstanceProfile DeleteLoginProfile DeleteOpenIDConnectProvider DeletePolicy DeletePolicyVersion DeleteRole DeleteRolePermissionsBoundary DeleteRolePolicy DeleteSAMLProvider DeleteSSHPublicKey DeleteServerCertificate DeleteServiceLinkedRole DeleteServiceSpecificCredential DeleteSigningCertificate DeleteUser DeleteUserPermissionsBoundary DeleteUserPolicy DeleteVirtualMFADevice DetachGroupPolicy DetachRolePolicy DetachUserPolicy DisableOrganizationsRootCredentialsManagement DisableOrganizationsRootSessions DisableOutboundWebIdentityFederation EnableMFADevice EnableOrganizationsRootCredentialsManagement EnableOrganizationsRootSessions EnableOutboundWebIdentityFederation GenerateCredentialReport GenerateOrganizationsAccessReport GenerateServiceLastAccessedDetails GetAccessKeyLastUsed GetAccountAuthorizationDetails GetAccountPasswordPolicy GetAccountSummary GetContextKeysForCustomPolicy GetContextKeysForPrincipalPolicy GetCredentialReport GetDelegationRequest GetGroup GetGroupPolicy GetHumanReadableSummary GetInstanceProfile GetLoginProfile GetMFADevice GetOpenIDConnectProvider GetOrganizationsAccessReport GetOutboundWebIdentityFederationInfo GetPolicy GetPolicyVersion GetRole GetRolePolicy GetSAMLProvider GetSSHPublicKey GetServerCertificate GetServiceLastAccessedDetails GetServiceLastAccessedDetailsWithEntities GetServiceLinkedRoleDeletionStatus GetUser GetUserPolicy ListAccessKeys ListAccountAliases ListAttachedGroupPolicies ListAttachedRolePolicies ListAttachedUserPolicies ListDelegationRequests ListEntitiesForPolicy ListGroupPolicies ListGroups ListGroupsForUser ListInstanceProfileTags ListInstanceProfiles ListInstanceProfilesForRole ListMFADeviceTags ListMFADevices ListOpenIDConnectProviderTags ListOpenIDConnectProviders ListOrganizationsFeatures ListPolicies ListPoliciesGrantingServiceAccess ListPolicyTags ListPolicyVersions ListRolePolicies ListRoleTags ListRoles ListSAMLProviderTags ListSAMLProviders ListSSHPublicKeys ListServerCertificateTags ListServerCertificates ListServiceSpecificCredentials ListSigningCertificates ListUserPolicies ListUserTags ListUsers ListVirtualMFADevices PutGroupPolicy PutRolePermissionsBoundary PutRolePolicy PutUserPermissionsBoundary PutUserPolicy RejectDelegationRequest RemoveClientIDFromOpenIDConnectProvider RemoveRoleFromInstanceProfile RemoveUserFromGroup ResetServiceSpecificCredential ResyncMFADevice SendDelegationToken SetDefaultPolicyVersion SetSecurityTokenServicePreferences SimulateCustomPolicy SimulatePrincipalPolicy TagInstanceProfile TagMFADevice TagOpenIDConnectProvider TagPolicy TagRole TagSAMLProvider TagServerCertificate TagUser UntagInstanceProfile UntagMFADevice UntagOpenIDConnectProvider UntagPolicy UntagRole UntagSAMLProvider UntagServerCertificate UntagUser UpdateAccessKey UpdateAccountPasswordPolicy UpdateAssumeRolePolicy UpdateDelegationRequest UpdateGroup UpdateLoginProfile UpdateOpenIDConnectProviderThumbprint UpdateRole UpdateRoleDescription UpdateSAMLProvider UpdateSSHPublicKey UpdateServerCertificate UpdateServiceSpecificCredential UpdateSigningCertificate UpdateUser UploadSSHPublicKey UploadServerCertificate UploadSigningCertificate'.split(
    ' ',
  ),
);
