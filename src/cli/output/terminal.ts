import pc from 'picocolors';
import { relativeTime } from './format';

/**
 * What stdout is: a terminal gets aligned tables with colour (when it has colours and NO_COLOR
 * is not set), relative times and a live progress bar; anything else gets plain lines without
 * escape codes.
 */
export interface Terminal {
  readonly isTty: boolean;
  readonly colours: ReturnType<typeof pc.createColors>;
  write(text: string): void;
  /** "3 minutes ago" on a terminal, the ISO time otherwise (for scripts and logs) */
  time(iso: string | null | undefined): string;
}

export function stdoutTerminal(): Terminal {
  const isTty = process.stdout.isTTY === true;
  const colour = isTty && !process.env.NO_COLOR && process.stdout.hasColors?.() === true;
  return {
    isTty,
    colours: pc.createColors(colour),
    write: (text) => void process.stdout.write(text),
    time: (iso) => (isTty ? relativeTime(iso) : (iso ?? '-')),
  };
}
