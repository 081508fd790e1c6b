import Table from 'cli-table3';
import type { Terminal } from './terminal';

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/**
 * Columns aligned without borders, as kubectl and docker print them: readable on a terminal,
 * and still one line per row for grep and awk when piped.
 */
export function renderTable(terminal: Terminal, head: string[], rows: string[][]): string {
  const table = new Table({
    head: head.map((h) => terminal.colours.bold(h)),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  table.push(...rows);
  // cli-table3 pads the last column too
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}
