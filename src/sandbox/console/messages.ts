/**
 * Every word the sandbox console shows, in one place: the server's own errors, and the page's
 * labels, which reach the browser as JSON inside the page (so the script holds no text of its
 * own). Wording follows the ECR console's where the page mirrors it.
 */

/** Console-level errors (the ECR operations' own errors come from api/errors.ts, unchanged). */
export const serverText = {
  crossOrigin: (origin: string) =>
    `The sandbox console accepts changes only from its own page: this request came from ${origin ? `'${origin}'` : 'an unknown origin'}. Open the console at its own address and try again there.`,
  notFound: (path: string) => `The sandbox console has no endpoint ${path}. Reload the console page: it may be older than the sandbox.`,
  methodNotAllowed: (method: string, path: string) => `The sandbox console does not accept ${method} on ${path}.`,
  assetsMissing: (dir: string) =>
    `The sandbox console's files are missing (looked for ${dir}). Reinstall ecr-workbook, or run it from its source folder.`,
};

/**
 * The text of the page, by the part of the page it belongs to. Sent to the browser as JSON, so
 * values are strings: `{name}` marks a value the page fills in, and `{one, other}` pairs pick
 * by count.
 */
export const pageText = {
  documentTitle: 'Amazon ECR (sandbox)',
  serviceName: 'Amazon Elastic Container Registry',
  sandboxBadge: 'Local sandbox',
  regionLabel: 'Region',
  accountLabel: 'Account',
  skipToContent: 'Skip to content',
  breadcrumbs: { label: 'Breadcrumbs', ecr: 'Amazon ECR', privateRegistry: 'Private registry', repositories: 'Repositories', create: 'Create repository' },
  loading: 'Loading…',
  dismiss: 'Dismiss',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Copy failed: select the text and copy it yourself.',
  copyUriLabel: 'Copy URI {uri}',
  copyDigestLabel: 'Copy digest {digest}',
  copyCommandsLabel: 'Copy the commands of step {n}',
  enabled: 'Enabled',
  disabled: 'Disabled',
  dash: '-',
  cancel: 'Cancel',
  close: 'Close',
  refresh: 'Refresh',
  networkError: 'The sandbox did not answer. If it has stopped, start it again with "ecr-workbook sandbox up", then reload this page.',
  errorTitle: 'Something went wrong.',
  notFoundPage: 'There is no such page in the sandbox console.',
  backToRepositories: 'Back to repositories',

  list: {
    heading: 'Private repositories',
    count: '({n})',
    create: 'Create repository',
    filterLabel: 'Find repositories',
    filterPlaceholder: 'Find repositories',
    columns: {
      name: 'Repository name',
      uri: 'URI',
      createdAt: 'Created at',
      mutability: 'Tag immutability',
      scanOnPush: 'Scan on push',
      encryption: 'Encryption type',
    },
    empty: 'No repositories',
    emptyHint: 'You have not created any repositories in this region yet.',
    noMatch: 'No repositories match the filter.',
  },

  /** imageTagMutability values as the console names them. */
  mutabilityValues: {
    MUTABLE: 'Mutable',
    IMMUTABLE: 'Immutable',
    MUTABLE_WITH_EXCLUSION: 'Mutable, with exclusions',
    IMMUTABLE_WITH_EXCLUSION: 'Immutable, with exclusions',
  },

  /** encryptionType values as the console names them. */
  encryptionValues: { AES256: 'AES-256', KMS: 'AWS KMS', KMS_DSSE: 'AWS KMS (dual-layer)' },

  create: {
    heading: 'Create private repository',
    general: 'General settings',
    visibility: 'Visibility settings',
    visibilityHelp: 'Choose the visibility setting for the repository.',
    private: 'Private',
    privateHelp: 'Access is managed by IAM and repository policy permissions.',
    public: 'Public',
    publicHelp: 'Public repositories are ECR Public, a separate service the sandbox does not run.',
    name: 'Repository name',
    nameHelp:
      'The repository name must start with a letter or number and can only contain lowercase letters, numbers, hyphens, underscores, periods and forward slashes.',
    namePrefixLabel: 'Registry',
    nameCount: '{n} out of 256 characters maximum (2 minimum).',
    nameErrors: {
      empty: 'Enter a repository name.',
      tooShort: 'The repository name must be at least 2 characters.',
      tooLong: 'The repository name can be at most 256 characters.',
      uppercase: 'Use lowercase letters only: ECR repository names cannot contain capital letters.',
      characters: 'Only lowercase letters, numbers, hyphens (-), underscores (_), periods (.) and forward slashes (/) are allowed.',
      pattern:
        'Each part of the name must start and end with a letter or number, and separators (., _, __, one or more -, /) can only stand between letters or numbers.',
    },
    mutability: 'Tag immutability',
    mutabilityHelp: 'Immutable tags cannot be overwritten by a later push of an image with the same tag.',
    mutable: 'Mutable',
    mutableHelp: 'Image tags can be overwritten.',
    immutable: 'Immutable',
    immutableHelp: 'Image tags cannot be overwritten.',
    scanning: 'Image scan settings',
    scanOnPush: 'Scan on push',
    scanOnPushHelp:
      'Scan each image when it is pushed. The sandbox records this setting, but no scanner runs here: scan results show as unavailable.',
    encryption: 'Encryption settings',
    encryptionHelp: 'Images are encrypted at rest. The encryption setting cannot be changed after the repository is created.',
    aes256: 'AES-256',
    aes256Help: 'Industry standard Advanced Encryption Standard (AES) encryption.',
    kms: 'AWS KMS',
    kmsHelp: 'The sandbox records an AWS managed key for ECR; nothing is encrypted differently here.',
    submit: 'Create',
    submitting: 'Creating…',
    created: 'Successfully created private repository {name}.',
    failed: 'The repository was not created.',
  },

  detail: {
    imagesHeading: 'Images',
    summary: 'General information',
    uri: 'URI',
    arn: 'ARN',
    createdAt: 'Created at',
    mutability: 'Tag immutability',
    scanOnPush: 'Scan on push',
    encryption: 'Encryption type',
    viewPushCommands: 'View push commands',
    deleteImages: 'Delete',
    deleteRepository: 'Delete repository',
    columns: {
      select: 'Select',
      tags: 'Image tags',
      type: 'Artifact type',
      pushedAt: 'Pushed at',
      size: 'Size (MB)',
      digest: 'Image digest',
      scanStatus: 'Scan status',
    },
    selectImage: 'Select image {label}',
    selectAll: 'Select all images',
    untagged: '<untagged>',
    imageType: 'Image',
    noImages: 'No images',
    noImagesHint: 'Push an image to this repository to see it here. "View push commands" shows how.',
    imagesDeleted: { one: 'Deleted 1 image.', other: 'Deleted {n} images.' },
    imageFailures: { one: '1 image was not deleted:', other: '{n} images were not deleted:' },
    tabsLabel: 'Repository',
    tabImages: 'Images',
    tabPermissions: 'Permissions',
  },

  /** The Permissions tab: the repository policy, as the ECR console shows and edits it. */
  permissions: {
    heading: 'Permissions',
    help:
      'A repository policy is a resource-based policy: it says which principals (users, roles, other AWS accounts) may do what with this repository. IAM policies of the identities apply too: within one account either side is enough, across accounts both must allow.',
    none: 'No policies to display',
    noneHint: 'Without a repository policy, only identities of account {account} whose own IAM policies allow it can use this repository.',
    editJson: 'Edit policy JSON',
    delete: 'Delete policy',
    statementsLabel: 'Policy statements',
    columns: { sid: 'Statement name', effect: 'Effect', principal: 'Principal', actions: 'Actions', condition: 'Conditions' },
    jsonHeading: 'Policy JSON',
    editHeading: 'Edit policy JSON',
    editLabel: 'Policy JSON',
    editHelp:
      'The JSON text of the policy, as aws ecr set-repository-policy --policy-text takes it. ECR checks it when you save: a policy it refuses is not stored, and the one before stays.',
    save: 'Save',
    saving: 'Saving…',
    saved: 'Successfully updated the repository policy of {name}.',
    failed: 'The policy was not saved.',
    deleteHeading: 'Delete the repository policy?',
    deleteBody: 'Every principal the policy allows loses that access now. Identities of account {account} keep what their own IAM policies allow.',
    deleted: 'Deleted the repository policy of {name}.',
    /** What the editor starts with when the repository has no policy yet. */
    template: '{\n  "Version": "2012-10-17",\n  "Statement": []\n}',
  },

  scanStatus: {
    FINDINGS_UNAVAILABLE: 'Findings unavailable',
    COMPLETE: 'Complete',
    IN_PROGRESS: 'In progress',
    FAILED: 'Failed',
    UNSUPPORTED_IMAGE: 'Unsupported image',
  },

  deleteImages: {
    heading: 'Delete images',
    body: {
      one: 'Delete 1 image? Deleting an image removes it and all its tags from the repository. This cannot be undone.',
      other: 'Delete {n} images? Deleting an image removes it and all its tags from the repository. This cannot be undone.',
    },
    confirm: 'Delete',
  },

  deleteRepository: {
    heading: 'Delete {name}?',
    body: 'Deleting a repository deletes all images it contains. This cannot be undone.',
    imageCount: { one: 'This repository holds 1 image.', other: 'This repository holds {n} images.' },
    confirmLabel: 'To confirm deletion, type the repository name ({name}) or "delete" in the field.',
    confirmWord: 'delete',
    confirm: 'Delete',
    deleted: 'Successfully deleted repository {name}.',
  },

  pushCommands: {
    heading: 'Push commands for {name}',
    tabsLabel: 'Operating system',
    intro:
      'These are the commands of lessons 04 to 07, for this repository. They use the profile you set up in lesson 02 and the sandbox endpoint, and need the AWS CLI and Docker.',
    stepFrom: 'From lesson {number}, "{title}".',
  },

  pushSteps: {
    login: 'Retrieve an authentication token and authenticate your Docker client to your registry, with the AWS CLI:',
    build:
      "Build your Docker image using the following command. This builds the workbook's demo app, which needs no network; to build your own image, replace the last argument with the folder of your Dockerfile.",
    tag: 'After the build completes, tag your image so you can push the image to this repository:',
    push: 'Run the following command to push this image to your repository:',
  },

  platforms: {
    unix: 'macOS / Linux',
    windows: 'Windows',
    windowsNote: 'In PowerShell. The AWS CLI works the same way there; only the quoting of values differs.',
  },
};

export type PageText = typeof pageText;
