import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Document, isCollection, isNode, LineCounter, parseDocument, visit } from 'yaml';
import type { HenConfig } from './config.types';
import { ConfigError, type ConfigIssue } from './config-error';
import { applyOverrides, attributeIssues, type ConfigOverride } from './config-overrides';
import { type ConfigPath, formatPath, ROOT_PATH } from './config-path';
import { ConfigReader, given } from './config-reader';
import { substituteEnv, type SubstitutionResult } from './env-substitution';
import { describeFsError } from './read-secret-file';
import { readConfig } from './read-config';
import { schemaIssues, uncoveredIssues } from './schema-issues';
import { collectSecrets, MIN_SECRET_LENGTH } from './secrets';

const MASK = '***';

/**
 * Loads and validates the config file. Throws a ConfigError listing every problem found, each at
 * its key path; error messages never contain values that came from the environment, secret files or
 * secret settings.
 */
export function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  overrides: readonly ConfigOverride[] = [],
): HenConfig {
  const source = resolve(file);
  const { document, tree } = parseYaml(source);
  return validateConfig(tree, source, env, document, overrides);
}

/**
 * Validates a parsed configuration (a plain object, as YAML gives it) and returns its typed form,
 * or throws a ConfigError. `source` is the file it stands for: relative paths in it are resolved
 * against the file's folder. With the YAML `document`, issues come in the order of the file.
 * `overrides` (flags and HEN_BACKUP_* variables, config-overrides.ts) are written in first.
 */
export function validateConfig(
  tree: unknown,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
  document?: Document,
  overrides: readonly ConfigOverride[] = [],
): HenConfig {
  if (!given(tree)) throw rootError(source, 'the file is empty');

  const substitution = substituteEnv(tree, env);
  const reader = new ConfigReader(dirname(source));
  // Flags and HEN_BACKUP_* variables (config-overrides.ts) meet the same checks as the file.
  const overridden = applyOverrides(substitution.value, overrides);
  const { config, plainTokens } = readConfig(reader, overridden, source);
  const secrets = collectSecrets(config, plainTokens);

  const substitutionPaths = new Set(substitution.issues.map((issue) => formatPath(issue.path)));
  const reported = [
    ...substitution.issues,
    // A failed substitution leaves an empty string behind; its consequences would only be noise.
    ...reader.issues.filter((issue) => !substitutionPaths.has(formatPath(issue.path))),
  ];
  // The readers word almost every problem themselves; the schema is checked too, so that nothing
  // it refuses is ever accepted.
  const issues = [...reported, ...uncoveredIssues(schemaIssues(overridden), reported)];
  if (issues.length > 0) {
    const sorted = document ? sortByPosition(document, issues) : issues;
    const hidden = [...substitution.injected, ...secrets];
    throw new ConfigError(
      attributeIssues(
        sorted.map((issue) => redact(issue.path, issue.message, substitution, hidden)),
        overrides,
      ),
      source,
    );
  }
  return { ...config, secrets };
}

function parseYaml(source: string): { document: Document; tree: unknown } {
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw rootError(source, `cannot read ${source} (${describeFsError(error)})`);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, {
    merge: true,
    uniqueKeys: true,
    prettyErrors: true,
    lineCounter: lines,
  });
  const [first] = document.errors;
  if (first) {
    // Only the first line: the rest quotes the file, which may hold secrets.
    const reason = first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const more = document.errors.length > 1 ? ` (and ${document.errors.length - 1} more)` : '';
    throw rootError(source, `not valid YAML${at(first.linePos?.[0])}: ${reason}${more}`);
  }
  try {
    return { document, tree: document.toJS() };
  } catch (error) {
    // The parser leaves aliases to undefined anchors for toJS to find; point at the first one.
    let position: { line: number; col: number } | undefined;
    visit(document, {
      Alias(_, alias) {
        if (alias.range && !alias.resolve(document)) {
          position = lines.linePos(alias.range[0]);
          return visit.BREAK;
        }
      },
    });
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw rootError(source, `not valid YAML${at(position)}: ${reason}`);
  }
}

function at(position: { line: number; col: number } | undefined): string {
  return position ? ` at line ${position.line}, column ${position.col}` : '';
}

function rootError(source: string, message: string): ConfigError {
  return new ConfigError([{ path: ROOT_PATH, message }], source);
}

/** Issues in the order of the file, which is the order a person fixes them in. */
function sortByPosition(
  document: Document,
  issues: { path: ConfigPath; message: string }[],
): { path: ConfigPath; message: string }[] {
  const offset = (path: ConfigPath): number => {
    let node: unknown = document.contents;
    let start = 0;
    for (const segment of path) {
      if (!isCollection(node)) break;
      const next: unknown = node.get(segment, true);
      if (!isNode(next) || !next.range) break;
      node = next;
      start = next.range[0];
    }
    return start;
  };
  return issues
    .map((issue, index) => ({ issue, index, at: offset(issue.path) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ issue }) => issue);
}

/**
 * Where a value was substituted, the message shows the `${VAR}` it was written as instead; any
 * other occurrence of an injected or secret value is masked.
 */
function redact(
  path: ConfigPath,
  message: string,
  substitution: SubstitutionResult,
  hidden: string[],
): ConfigIssue {
  const at = formatPath(path);
  let text = message;
  const substituted = substitution.templates.get(at);
  if (substituted) {
    text = text.split(JSON.stringify(substituted.value)).join(JSON.stringify(substituted.template));
    if (substituted.value.length >= MIN_SECRET_LENGTH) {
      text = text.split(substituted.value).join(substituted.template);
    }
  }
  const longestFirst = hidden
    .filter((value) => value.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const value of longestFirst) text = text.split(value).join(MASK);
  return { path: at, message: text };
}
