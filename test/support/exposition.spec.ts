import { parseExposition, valueOf } from './exposition';

describe('parseExposition', () => {
  it('reads types, help, labels with escapes, special values and timestamps', () => {
    const m = parseExposition(
      [
        '# HELP a_total Things.',
        '# TYPE a_total counter',
        'a_total{path="C:\\\\x",msg="say \\"hi\\"\\n",} 3 1700000000000',
        'b +Inf',
        'c Nan',
        'd{x="1"} -2.5e3',
        '',
      ].join('\n'),
    );
    expect(m.types).toEqual({ a_total: 'counter' });
    expect(m.help).toEqual({ a_total: 'Things.' });
    expect(m.samples[0]).toEqual({
      name: 'a_total',
      labels: { path: 'C:\\x', msg: 'say "hi"\n' },
      value: 3,
    });
    expect(valueOf(m, 'b')).toBe(Infinity);
    expect(valueOf(m, 'c')).toBeNaN();
    expect(valueOf(m, 'd', { x: '1' })).toBe(-2500);
    expect(valueOf(m, 'missing')).toBeUndefined();
  });

  it('refuses what is not the format', () => {
    expect(() => parseExposition('a{x=1} 2')).toThrow(/bad label/);
    expect(() => parseExposition('a two')).toThrow(/bad value/);
  });
});
