import type { ResticSnapshot } from '../restic/restic.types';
import { MAX_FORGET_IDS, resolveForgetIds } from './forget-request';

const snap = (id: string, backup: string | null) =>
  ({ id, tags: backup ? [`backup=${backup}`] : [] }) as unknown as ResticSnapshot;
const A1 = 'aa11'.padEnd(64, '0');
const A2 = 'aa22'.padEnd(64, '0');
const B1 = 'bb11'.padEnd(64, '0');
const ALL = [snap(A1, 'a'), snap(A2, 'a'), snap(B1, 'b')];

describe('resolveForgetIds', () => {
  it('gives the full ids of known snapshots, once each', () => {
    expect(resolveForgetIds([A1.slice(0, 8), A1, A2], ALL, 'r', 'a')).toEqual([A1, A2]);
    expect(resolveForgetIds([B1], ALL, 'r', null)).toEqual([B1]);
  });

  it('refuses an empty or too long list, a bad id, an unknown one and one of another backup', () => {
    const codeOf = (ids: string[], backup: string | null = null) => {
      try {
        resolveForgetIds(ids, ALL, 'r', backup);
        return 'accepted';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(codeOf([])).toBe('BAD_USER_INPUT');
    expect(codeOf(Array.from({ length: MAX_FORGET_IDS + 1 }, () => A1))).toBe('BAD_USER_INPUT');
    expect(codeOf(['latest'])).toBe('BAD_USER_INPUT');
    expect(codeOf(['aa'])).toBe('BAD_USER_INPUT');
    expect(codeOf(['cc11cc11'])).toBe('NOT_FOUND');
    expect(codeOf([B1], 'a')).toBe('BAD_USER_INPUT');
  });
});
