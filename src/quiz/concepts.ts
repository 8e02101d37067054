/**
 * The seed concepts of the course (design.md, "Seed concepts, and where each is taught and
 * checked"). Every question names the concepts it tests; `course check` prints concepts ×
 * questions and fails when a concept has none.
 */
export const SEED_CONCEPTS = [
  { id: 'registry-basics', concept: 'E/C/R, what a registry is, alternatives (Docker Hub, GCR, GHCR, Quay)' },
  { id: 'ecr-vs-docker-hub', concept: 'ECR vs Docker Hub: private default, IAM, scanning, reliability, access control, integration' },
  { id: 'aws-cli-setup', concept: 'AWS CLI install and `aws configure`' },
  { id: 'private-repository', concept: 'private repository, tag immutability, scan on push' },
  { id: 'docker-login', concept: '`get-login-password` piped into `docker login --username AWS`' },
  { id: 'build-tag-push', concept: 'Dockerfile `FROM nginx:alpine`, build, tag, push' },
  { id: 'verify-pull', concept: 'verify in the console, pull back' },
  { id: 'iam-access', concept: 'IAM integration, fine-grained access control' },
  { id: 'image-scanning', concept: 'image scanning' },
  { id: 'aws-integrations', concept: 'ECS, EKS, Fargate, CodeBuild, CI/CD' },
  { id: 'cost-cleanup', concept: 'cost awareness, delete unused images and repositories' },
] as const;

export type ConceptId = (typeof SEED_CONCEPTS)[number]['id'];

export const CONCEPT_IDS: readonly string[] = SEED_CONCEPTS.map((c) => c.id);
