import { paginate } from '../../api/pagination.js';
import type { EcsHandler } from '../context.js';
import { optionalString, requiredText, stringsOf, tagsOf } from '../input.js';

/** CreateCluster (settings and capacity providers are accepted and not applied: the sandbox runs tasks on this machine). */
export const CreateCluster: EcsHandler = async (api, input) => {
  const cluster = await api.ecs.createCluster(api, { clusterName: optionalString(input, 'clusterName'), tags: tagsOf(input) });
  return { cluster: api.ecs.clusterView(api, cluster) };
};

/** ListClusters: ARNs of the active clusters, paged (at most 100 a page). */
export const ListClusters: EcsHandler = async (api, input) => {
  const arns = api.ecs.listClusters(api).map((c) => api.ecs.clusterArn(api, c.name));
  const { page, nextToken } = paginate(arns, input, 100, 100);
  return { clusterArns: page, ...(nextToken ? { nextToken } : {}) };
};

/** DescribeClusters: by name or ARN (default: `default`); unknown ones come back as failures, MISSING. */
export const DescribeClusters: EcsHandler = async (api, input) => {
  const { clusters, missing } = api.ecs.describeClusters(api, stringsOf(input, 'clusters'));
  return { clusters: clusters.map((c) => api.ecs.clusterView(api, c)), failures: missing.map((arn) => ({ arn, reason: 'MISSING' })) };
};

/** DeleteCluster. */
export const DeleteCluster: EcsHandler = async (api, input) => {
  const cluster = await api.ecs.deleteCluster(api, requiredText(input, 'cluster'));
  return { cluster: api.ecs.clusterView(api, cluster) };
};
