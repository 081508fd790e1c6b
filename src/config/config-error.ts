export interface ConfigIssue {
  /** `backups.pictures.schedules[1]`, or `(root)` for the file as a whole */
  path: string;
  message: string;
}

/** Every problem found in a config file, one per line, so that a person can fix them in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly issues: ConfigIssue[],
    readonly file?: string,
  ) {
    const lines = issues.map((issue) => `${issue.path}: ${issue.message}`);
    const heading = file ? `invalid configuration in ${file}` : 'invalid configuration';
    super(`${heading}:\n${lines.join('\n')}`);
  }
}
