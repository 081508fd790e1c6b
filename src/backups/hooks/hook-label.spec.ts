import { command as commandHook, http } from '../../../test/support/scripted-hooks';
import { displayUrl, hookLabel } from './hook-label';

const command = commandHook('notify-send', {
  command: ['notify-send', '--token=s3cret', 'done'],
  onFailure: 'continue',
  when: 'failure',
});

describe('hookLabel', () => {
  it('names the stage, index, type and target', () => {
    expect(hookLabel('before', 0, http('http://host/dump'))).toBe(
      'before[0] http POST http://host/dump',
    );
    expect(hookLabel('after', 1, command)).toBe('after[1] command notify-send');
  });

  it('masks URL credentials and leaves the query string out', () => {
    expect(displayUrl('https://admin:hunter2@host:8443/dump?token=abc#x')).toBe(
      'https://admin:***@host:8443/dump?…',
    );
    expect(displayUrl('https://ghp_token@host/hook')).toBe('https://***@host/hook');
    expect(displayUrl('not a url //user:pw@host?x')).toBe('not a url //***@host');
  });
});
