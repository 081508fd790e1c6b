import { ConfigError } from './config-error';
import { formatPath } from './config-path';

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['backups', 'pictures', 'schedules', 1])).toBe(
      'backups.pictures.schedules[1]',
    );
    expect(formatPath(['api', 'tokens', 0, 'name'])).toBe('api.tokens[0].name');
  });

  it('uses (root) for the document itself', () => {
    expect(formatPath([])).toBe('(root)');
  });

  it('quotes keys that would make the path ambiguous', () => {
    expect(formatPath(['backups', 'my.pics', 'paths'])).toBe('backups["my.pics"].paths');
    expect(formatPath(['hooks', 'headers', 'X Bad'])).toBe('hooks.headers["X Bad"]');
  });
});

describe('ConfigError', () => {
  it('lists each issue on its own line as path: message', () => {
    const error = new ConfigError(
      [
        {
          path: 'backups.pictures.schedules[1]',
          message: '"5x" is not a duration or cron expression',
        },
        { path: '(root)', message: 'something else' },
      ],
      '/etc/hen-backup.yaml',
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.message.split('\n')).toEqual([
      'invalid configuration in /etc/hen-backup.yaml:',
      'backups.pictures.schedules[1]: "5x" is not a duration or cron expression',
      '(root): something else',
    ]);
    expect(error.issues).toHaveLength(2);
  });
});
