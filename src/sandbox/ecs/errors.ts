/**
 * ECS's errors, one factory per error shape, with ECS's codes (botocore's ECS model) and, where a
 * message was captured from real ECS (issue reports, CI logs, moto), its exact wording. Those
 * marked "sandbox wording" have no public capture: they follow ECS's style and say what to fix.
 * They share the JSON 1.1 wire format with ECR (`{"__type","message"}`, api/protocol.ts); every
 * client error is HTTP 400, ServerException 500.
 */
import { AwsError } from '../api/errors.js';

const client = (message: string) => new AwsError('ClientException', message);
const invalid = (message: string) => new AwsError('InvalidParameterException', message);

export const ecsErrors = {
  clusterNotFound: () => new AwsError('ClusterNotFoundException', 'Cluster not found.'),
  /** DescribeTaskDefinition, DeregisterTaskDefinition, RunTask of a family or revision that does not exist. */
  taskDefinitionNotFound: () => client('Unable to describe task definition.'),
  /** StopTask of a task the cluster does not have (moto's copy). */
  taskNotFound: () => invalid('The referenced task was not found.'),

  // RegisterTaskDefinition
  containerImageMissing: () => client('Container.image should not be null or empty.'),
  /** Sandbox wording, in the shape of the image message. */
  containerNameMissing: () => client('Container.name should not be null or empty.'),
  /** Sandbox wording. */
  containerNamesNotUnique: (name: string) => client(`Container names must be unique within a task definition: '${name}' appears more than once.`),
  containerListEmpty: () => client('Container list cannot be empty.'),
  memoryMissing: (name: string) => client(`Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`),
  fargateNetworkMode: () => client('Fargate only supports network mode ‘awsvpc’.'),
  fargateCpuMissing: () => client("Fargate requires that 'cpu' be defined at the task level."),
  fargateMemoryMissing: () => client("Fargate requires that 'memory' be defined at the task level."),
  fargateSize: (cpu: string, memory: string) =>
    client(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`),
  fargateEcrNeedsExecutionRole: () => client('Fargate requires task definition to have execution role ARN to support ECR images.'),
  hostPortMismatch: (mode: string) => client(`When networkMode=${mode}, the host ports and container ports in port mappings must match.`),
  invalidTaskCpu: () => invalid("Invalid 'cpu' setting for task."),
  invalidTaskMemory: () => invalid("Invalid 'memory' setting for task."),
  /** Sandbox wording. */
  invalidFamily: () =>
    client('Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.'),
  /** Sandbox wording. */
  invalidRoleArn: (member: string, value: string) => client(`Role is not valid: ${member} '${value}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`),
  /** Sandbox wording. */
  portOutOfRange: (member: string, value: number) => client(`Invalid ${member} ${value} in port mappings: ports are 0 to 65535 (containerPort at least 1).`),

  // RunTask
  unableToAssumeRole: (roleArn: string) =>
    client(
      `ECS was unable to assume the role '${roleArn}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`,
    ),
  launchTypeUnsupported: (launchType: string) => invalid(`Task definition does not support launch_type ${launchType}.`),
  networkConfigurationMissing: () => invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified."),
  networkConfigurationNotValid: () => invalid('Network Configuration is not valid for the given networkMode of this task definition.'),
  /** Sandbox wording, in ECS's subnet-lookup shape. */
  subnetsMissing: () => invalid('subnets can not be empty.'),
  badSubnet: (subnet: string) => invalid(`Error retrieving subnet information for [${subnet}]: The subnet ID '${subnet}' is malformed`),
  countOutOfRange: () => invalid('count must be between 1 and 10.'),
  inactiveTaskDefinition: (arn: string) => client(`TaskDefinition is inactive (${arn}).`),
  /** Sandbox wording. */
  unsupportedLaunchType: (launchType: string) =>
    invalid(`The ECS sandbox runs tasks with launch type EC2 or FARGATE (on your machine); ${launchType} is a real launch type: try it against real AWS.`),
  /** Sandbox wording. */
  overrideUnknownContainer: (name: string) => invalid(`Override for container named ${name} is not a container in the TaskDefinition.`),

  // Clusters
  /** Sandbox wording. */
  invalidClusterName: () =>
    invalid('Cluster name can have up to 255 characters: uppercase and lowercase letters, numbers, underscores, and hyphens.'),
  clusterContainsTasks: () =>
    new AwsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.'),
  /** Sandbox wording: the sandbox implements a handful of ECS's operations. */
  notImplemented: (operation: string) =>
    new AwsError(
      'UnsupportedOperationException',
      `The ECS sandbox does not implement ${operation}. It is a real ECS operation: try it against real AWS (--target aws), or see the sandbox's list of supported ECS operations in README.md.`,
    ),
  unknownOperation: (target: string) => new AwsError('UnknownOperationException', `The operation '${target}' is not a known ECS operation.`),
  /** A member missing or of the wrong kind where botocore would have caught it (the SDKs do not): sandbox wording. */
  missing: (member: string) => invalid(`${member} can not be null or empty.`),
  /** An enum member with a value outside its set: sandbox wording. */
  notOneOf: (member: string, values: readonly string[]) => invalid(`Invalid value for ${member}: it must be one of ${values.join(', ')}.`),
  invalid: (message: string) => invalid(message),
  /** iam:PassRole (or the ECS action itself) refused: IAM's words. */
  accessDenied: (message: string) => new AwsError('AccessDeniedException', message),
  server: (message: string) => new AwsError('ServerException', message, 500),
};
