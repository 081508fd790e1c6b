/**
 * A small reader of the Prometheus text exposition format (version 0.0.4), for tests and tools:
 * `# HELP` and `# TYPE` lines, and samples `name{label="value",...} value [timestamp]` with the
 * escapes the format allows in label values (\\, \", \n).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** metric family name -> counter, gauge, histogram, summary or untyped */
  types: Record<string, string>;
  help: Record<string, string>;
}

export function parseExposition(text: string): Exposition {
  const result: Exposition = { samples: [], types: {}, help: {} };
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const meta = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(.*)$/.exec(line);
      if (meta?.[1] === 'TYPE') result.types[meta[2]] = meta[3];
      else if (meta?.[1] === 'HELP') result.help[meta[2]] = meta[3];
      continue;
    }
    result.samples.push(parseSample(line, index + 1));
  }
  return result;
}

function parseSample(line: string, lineNumber: number): Sample {
  const fail = (why: string) => new Error(`line ${lineNumber}: ${why}: ${line}`);
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (!name) throw fail('no metric name');
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.replace(/^\s*,?\s*/, '');
      if (rest.startsWith('}')) {
        rest = rest.slice(1);
        break;
      }
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(rest);
      if (!label) throw fail('bad label');
      rest = rest.slice(label[0].length);
      let value = '';
      for (;;) {
        if (!rest) throw fail('unterminated label value');
        const c = rest[0];
        if (c === '"') {
          rest = rest.slice(1);
          break;
        }
        if (c === '\\') {
          const escaped = rest[1];
          value += escaped === 'n' ? '\n' : escaped;
          rest = rest.slice(2);
        } else {
          value += c;
          rest = rest.slice(1);
        }
      }
      labels[label[1]] = value;
    }
  }
  const parts = rest.trim().split(/\s+/);
  if (parts.length < 1 || parts.length > 2 || !parts[0]) throw fail('bad value');
  const value = parseValue(parts[0]);
  if (value === null) throw fail('bad value');
  return { name, labels, value };
}

function parseValue(text: string): number | null {
  // Prometheus parses floats like Go, where these words are case-insensitive ("Nan" happens).
  const word = text.toLowerCase();
  if (word === '+inf' || word === 'inf') return Infinity;
  if (word === '-inf') return -Infinity;
  if (word === 'nan') return NaN;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

/** The samples of one metric whose labels include every given pair. */
export function samplesOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The value of the one sample matching, or undefined when there is none. Throws on several. */
export function valueOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samplesOf(exposition, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`);
  return found[0]?.value;
}
