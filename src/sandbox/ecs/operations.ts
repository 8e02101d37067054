import type { EcsHandler } from './context.js';
import { CreateCluster, DeleteCluster, DescribeClusters, ListClusters } from './handlers/clusters.js';
import { DeregisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, RegisterTaskDefinition } from './handlers/task-definitions.js';
import { DescribeTasks, ListTasks, RunTask, StopTask } from './handlers/tasks.js';

export type { EcsApi, EcsHandler } from './context.js';

/** The ECS operations the sandbox implements, by X-Amz-Target operation name. */
export const ecsOperations: Record<string, EcsHandler> = {
  // Clusters
  CreateCluster,
  ListClusters,
  DescribeClusters,
  DeleteCluster,
  // Task definitions
  RegisterTaskDefinition,
  DescribeTaskDefinition,
  DeregisterTaskDefinition,
  ListTaskDefinitions,
  // Tasks
  RunTask,
  DescribeTasks,
  ListTasks,
  StopTask,
};

/** Every operation real ECS has (botocore's model); those missing above answer "not implemented". */
export const ECS_OPERATIONS = new Set(
  'ContinueServiceDeployment CreateCapacityProvider CreateCluster CreateDaemon CreateExpressGatewayService CreateService CreateTaskSet DeleteAccountSetting DeleteAttributes DeleteCapacityProvider DeleteCluster DeleteDaemon DeleteDaemonTaskDefinition DeleteExpressGatewayService DeleteService DeleteTaskDefinitions DeleteTaskSet DeregisterContainerInstance DeregisterTaskDefinition DescribeCapacityProviders DescribeClusters DescribeContainerInstances DescribeDaemon DescribeDaemonDeployments DescribeDaemonRevisions DescribeDaemonTaskDefinition DescribeExpressGatewayService DescribeServiceDeployments DescribeServiceRevisions DescribeServices DescribeTaskDefinition DescribeTaskSets DescribeTasks DiscoverPollEndpoint ExecuteCommand GetTaskProtection ListAccountSettings ListAttributes ListClusters ListContainerInstances ListDaemonDeployments ListDaemonTaskDefinitions ListDaemons ListServiceDeployments ListServices ListServicesByNamespace ListTagsForResource ListTaskDefinitionFamilies ListTaskDefinitions ListTasks PutAccountSetting PutAccountSettingDefault PutAttributes PutClusterCapacityProviders RegisterContainerInstance RegisterDaemonTaskDefinition RegisterTaskDefinition RunTask StartTask StopServiceDeployment StopTask SubmitAttachmentStateChanges SubmitContainerStateChange SubmitTaskStateChange TagResource UntagResource UpdateCapacityProvider UpdateCluster UpdateClusterSettings UpdateContainerAgent UpdateContainerInstancesState UpdateDaemon UpdateExpressGatewayService UpdateService UpdateServicePrimaryTaskSet UpdateTaskProtection UpdateTaskSet'.split(
    ' ',
  ),
);
