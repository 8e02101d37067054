import type { OperationHandler } from '../context.js';
import { optionalBoolean, optionalRegistryId, requiredRepositoryName, requiredString } from '../validate.js';

/** SetRepositoryPolicy: policyText is 0–10240 characters in the model. */
export const SetRepositoryPolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const policyText = requiredString(input, 'policyText', { max: 10240 });
  optionalBoolean(input, 'force');
  const repo = await api.backend.setRepositoryPolicy(api, { registryId, repositoryName, policyText });
  return { registryId: api.backend.accountId, repositoryName: repo.name, policyText: repo.policyText };
};

/** GetRepositoryPolicy. */
export const GetRepositoryPolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const repo = api.backend.getRepositoryPolicy(api, { registryId, repositoryName });
  return { registryId: api.backend.accountId, repositoryName: repo.name, policyText: repo.policyText };
};

/** DeleteRepositoryPolicy: answers with the policy it removed. */
export const DeleteRepositoryPolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const policyText = await api.backend.deleteRepositoryPolicy(api, { registryId, repositoryName });
  return { registryId: api.backend.accountId, repositoryName, policyText };
};

/** PutLifecyclePolicy: lifecyclePolicyText is 100–30720 characters in the model. */
export const PutLifecyclePolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const lifecyclePolicyText = requiredString(input, 'lifecyclePolicyText', { min: 100, max: 30720 });
  const repo = await api.backend.putLifecyclePolicy(api, { registryId, repositoryName, lifecyclePolicyText });
  return { registryId: api.backend.accountId, repositoryName: repo.name, lifecyclePolicyText: repo.lifecyclePolicyText };
};

/** GetLifecyclePolicy, with lastEvaluatedAt. */
export const GetLifecyclePolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const found = api.backend.getLifecyclePolicy(api, { registryId, repositoryName });
  return {
    registryId: api.backend.accountId,
    repositoryName: found.repo.name,
    lifecyclePolicyText: found.lifecyclePolicyText,
    lastEvaluatedAt: found.lastEvaluatedAt,
  };
};

/** DeleteLifecyclePolicy: answers with the policy it removed. */
export const DeleteLifecyclePolicy: OperationHandler = async (api, input) => {
  const registryId = optionalRegistryId(input);
  const repositoryName = requiredRepositoryName(input);
  const found = await api.backend.deleteLifecyclePolicy(api, { registryId, repositoryName });
  return {
    registryId: api.backend.accountId,
    repositoryName: found.repo.name,
    lifecyclePolicyText: found.lifecyclePolicyText,
    lastEvaluatedAt: found.lastEvaluatedAt,
  };
};
