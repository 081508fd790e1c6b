import type { Terminal } from './terminal';

type Colours = Terminal['colours'];

/** A job state in lower case, coloured on a colour terminal. */
export function stateText(colours: Colours, state: string | null | undefined): string {
  if (!state) return '-';
  const text = state.toLowerCase();
  switch (state) {
    case 'SUCCEEDED':
      return colours.green(text);
    case 'FAILED':
    case 'INTERRUPTED':
      return colours.red(text);
    case 'CANCELED':
      return colours.yellow(text);
    case 'RUNNING':
      return colours.cyan(text);
    default:
      return text;
  }
}

export const FINAL_STATES = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'INTERRUPTED']);

/** The first 8 hex digits, as restic shows snapshot ids. */
export function shortId(id: string): string {
  const hex = id.slice(id.lastIndexOf(':') + 1);
  return hex.slice(0, 8);
}
