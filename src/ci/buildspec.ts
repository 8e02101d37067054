/**
 * A CodeBuild buildspec (version 0.2), read and checked the way CodeBuild reads it before a build
 * starts: what `ci run` supports is parsed into a BuildSpec; a mistake is a BuildspecError whose
 * message says where and what to write instead (CodeBuild calls these YAML_FILE_ERROR); what
 * CodeBuild has and a local run cannot do (Parameter Store, artifacts…) is a warning, or an error
 * when the build could not mean the same thing without it.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** The four phases whose commands a buildspec gives, in the order CodeBuild runs them. */
export const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PhaseSpec {
  commands: string[];
  finally: string[];
  /** Absent: CodeBuild's phase transitions decide (see build.ts). */
  onFailure?: 'ABORT' | 'CONTINUE';
}

export interface BuildSpec {
  /** `bash` or `/bin/sh` (CodeBuild's default on Linux). */
  shell: 'bash' | '/bin/sh';
  variables: Record<string, string>;
  exportedVariables: string[];
  phases: Partial<Record<PhaseName, PhaseSpec>>;
  /** What CodeBuild would do that this local run does not (artifacts, reports, run-as…). */
  warnings: string[];
}

/** A buildspec CodeBuild would refuse (YAML_FILE_ERROR): where, what, and what to write instead. */
export class BuildspecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildspecError';
  }
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Top-level keys a local build has nothing to do with: they are read past, with a warning. */
const IGNORED_TOP = new Set(['artifacts', 'reports', 'cache', 'proxy', 'batch', 'secondary-artifacts']);

/** Reads a buildspec's text (the file's path goes in messages). */
export function parseBuildspec(text: string, file: string): BuildSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) throw new BuildspecError(`${file}: the YAML does not parse: ${doc.errors[0]!.message.split('\n')[0]}`);
  const at = (node: Node | null | undefined) => (node?.range ? ` (line ${lines.linePos(node.range[0]).line})` : '');
  const root = doc.contents;
  if (!isMap(root)) throw new BuildspecError(`${file}: a buildspec is a YAML mapping that starts with \`version: 0.2\`.`);
  const warnings: string[] = [];
  const get = (map: typeof root, key: string) => map.get(key, true) as Node | undefined;

  const version = get(root, 'version');
  const versionText = isScalar(version) ? String(version.value) : undefined;
  if (versionText === undefined) throw new BuildspecError(`${file}: no version. Start the file with \`version: 0.2\`.`);
  if (versionText === '0.1') {
    throw new BuildspecError(`${file}: version 0.1 runs every command in a shell of its own, and CodeBuild recommends 0.2 (one shell for the whole build); ci run runs 0.2: write \`version: 0.2\`.`);
  }
  if (versionText !== '0.2') throw new BuildspecError(`${file}${at(version)}: invalid buildspec version ${versionText}: CodeBuild accepts 0.1 and 0.2; write \`version: 0.2\`.`);

  const stringList = (node: Node | undefined, what: string): string[] => {
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) throw new BuildspecError(`${file}${at(node)}: ${what} must be a list (\`- command\` lines).`);
    return node.items.map((item, i) => {
      if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number' || typeof item.value === 'boolean')) return String(item.value);
      // CodeBuild's words for the usual culprit: a command with ": " in it, read as a mapping.
      throw new BuildspecError(
        `${file}${at(item as Node)}: expected ${what}[${i}] to be of string type: found subkeys instead. A command that contains ": " must be quoted ("...").`,
      );
    });
  };

  let shell: BuildSpec['shell'] = '/bin/sh';
  const variables: Record<string, string> = {};
  let exportedVariables: string[] = [];
  const env = get(root, 'env');
  if (env !== undefined) {
    if (!isMap(env)) throw new BuildspecError(`${file}${at(env)}: env must be a mapping (variables:, exported-variables:, shell:).`);
    for (const pair of env.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const value = pair.value as Node | null;
      if (key === 'variables') {
        if (!isMap(value)) throw new BuildspecError(`${file}${at(value)}: env/variables must be a mapping of NAME: value.`);
        for (const v of value.items) {
          const name = String(isScalar(v.key) ? v.key.value : v.key);
          if (!VARIABLE_NAME.test(name)) throw new BuildspecError(`${file}${at(v.key as Node)}: '${name}' is not a variable name (letters, digits and _).`);
          if (name.startsWith('CODEBUILD_')) throw new BuildspecError(`${file}${at(v.key as Node)}: names that start with CODEBUILD_ are CodeBuild's own; choose another name than ${name}.`);
          if (!isScalar(v.value)) throw new BuildspecError(`${file}${at(v.value as Node)}: the value of ${name} must be plain text (quote it).`);
          variables[name] = v.value.value === null ? '' : String(v.value.value);
        }
      } else if (key === 'exported-variables') {
        exportedVariables = stringList(value ?? undefined, 'exported-variables');
        const bad = exportedVariables.find((n) => !VARIABLE_NAME.test(n));
        if (bad !== undefined) throw new BuildspecError(`${file}${at(value)}: '${bad}' is not a variable name to export.`);
      } else if (key === 'shell') {
        const name = isScalar(value) ? String(value.value) : '';
        if (name !== 'bash' && name !== '/bin/sh') throw new BuildspecError(`${file}${at(value)}: env/shell on Linux is bash or /bin/sh, not '${name}'.`);
        shell = name;
      } else if (key === 'parameter-store' || key === 'secrets-manager') {
        throw new BuildspecError(
          `${file}${at(value)}: env/${key} reads values from AWS ${key === 'parameter-store' ? 'Systems Manager Parameter Store' : 'Secrets Manager'} when CodeBuild starts the build; ci run cannot. Put the values in env/variables for a local run.`,
        );
      } else if (key === 'git-credential-helper') {
        warnings.push('env/git-credential-helper is ignored: ci run builds the folder you are in, with your own git.');
      } else {
        throw new BuildspecError(`${file}${at(pair.key as Node)}: unknown key env/${key} (env has variables, exported-variables, shell, parameter-store, secrets-manager, git-credential-helper).`);
      }
    }
  }

  const phases: BuildSpec['phases'] = {};
  const phasesNode = get(root, 'phases');
  if (phasesNode === undefined) throw new BuildspecError(`${file}: no phases. Give at least one of install, pre_build, build, post_build with its commands.`);
  if (!isMap(phasesNode)) throw new BuildspecError(`${file}${at(phasesNode)}: phases must be a mapping (install:, pre_build:, build:, post_build:).`);
  for (const pair of phasesNode.items) {
    const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
    if (!(PHASES as readonly string[]).includes(name)) {
      throw new BuildspecError(`${file}${at(pair.key as Node)}: unknown phase '${name}': the phases are install, pre_build, build and post_build.`);
    }
    const body = pair.value as Node | null;
    if (!isMap(body)) throw new BuildspecError(`${file}${at(body)}: phase ${name} must be a mapping with commands: (and optionally finally:, on-failure:).`);
    const spec: PhaseSpec = { commands: [], finally: [] };
    for (const item of body.items) {
      const key = String(isScalar(item.key) ? item.key.value : item.key);
      const value = (item.value ?? undefined) as Node | undefined;
      if (key === 'commands') spec.commands = stringList(value, 'Commands');
      else if (key === 'finally') spec.finally = stringList(value, 'Finally');
      else if (key === 'on-failure') {
        const v = isScalar(value) ? String(value.value) : '';
        if (v !== 'ABORT' && v !== 'CONTINUE') throw new BuildspecError(`${file}${at(value)}: on-failure is ABORT or CONTINUE, not '${v}'.`);
        spec.onFailure = v;
      } else if (key === 'runtime-versions') warnings.push(`phases/${name}/runtime-versions is ignored: ci run uses the tools installed on this machine.`);
      else if (key === 'run-as') warnings.push(`phases/${name}/run-as is ignored: ci run runs every command as you.`);
      else throw new BuildspecError(`${file}${at(item.key as Node)}: unknown key phases/${name}/${key} (a phase has commands, finally, on-failure, runtime-versions, run-as).`);
    }
    phases[name as PhaseName] = spec;
  }

  for (const pair of root.items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    if (key === 'version' || key === 'env' || key === 'phases') continue;
    if (key === 'run-as') warnings.push('run-as is ignored: ci run runs every command as you.');
    else if (IGNORED_TOP.has(key)) warnings.push(`${key} is not used: ci run runs the phases only (CodeBuild would then upload artifacts, reports and the cache).`);
    else throw new BuildspecError(`${file}${at(pair.key as Node)}: unknown top-level key '${key}' (a buildspec has version, run-as, env, proxy, batch, phases, reports, artifacts, cache).`);
  }
  return { shell, variables, exportedVariables, phases, warnings };
}
