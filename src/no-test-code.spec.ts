import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * `npm run build` compiles src/ without its specs (tsconfig.build.json), so what ships is free of
 * test doubles when no other file in src/ is one or reaches into test/.
 */
const SRC = resolve(__dirname);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('the shipped source', () => {
  const files = sourceFiles(SRC).map((path) => ({
    name: relative(SRC, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('is what the build compiles: src/ without its specs', () => {
    const build = JSON.parse(readFileSync(join(SRC, '..', 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
      exclude: string[];
    };
    expect(build.include).toEqual(['src']);
    expect(build.exclude).toEqual(['src/**/*.spec.ts']);
  });

  it('imports nothing from test/', () => {
    const offenders = files.filter(({ text }) => /from '(\.\.\/)+test\//.test(text));
    expect(offenders.map((f) => f.name)).toEqual([]);
  });

  it('declares no fake, stub or scripted double', () => {
    const offenders = files.filter(({ text }) =>
      /\b(class|function|const)\s+(Fake|Stub|Scripted|Recording|fake)\w*/.test(text),
    );
    expect(offenders.map((f) => f.name)).toEqual([]);
    expect(files.map((f) => f.name)).not.toContainEqual(
      expect.stringMatching(/(^|\/)(fake|stub|scripted)-[^/]*$/),
    );
  });
});
