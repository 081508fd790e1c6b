import type { Limits } from './config.types';

/**
 * Limits from the global, repository and backup levels combined: for bandwidth the tightest
 * wins, for nice the nicest wins, and ionice comes from the most specific level that sets it.
 */
export function combineLimits(...levels: (Limits | undefined)[]): Limits {
  const present = levels.filter((l): l is Limits => Boolean(l));
  const min = (values: (number | undefined)[]) => {
    const set = values.filter((v): v is number => v !== undefined);
    return set.length ? Math.min(...set) : undefined;
  };
  const max = (values: (number | undefined)[]) => {
    const set = values.filter((v): v is number => v !== undefined);
    return set.length ? Math.max(...set) : undefined;
  };
  const combined: Limits = {};
  const upload = min(present.map((l) => l.upload));
  const download = min(present.map((l) => l.download));
  const nice = max(present.map((l) => l.nice));
  const ionice = [...present].reverse().find((l) => l.ionice)?.ionice;
  if (upload !== undefined) combined.upload = upload;
  if (download !== undefined) combined.download = download;
  if (nice !== undefined) combined.nice = nice;
  if (ionice) combined.ionice = ionice;
  return combined;
}
