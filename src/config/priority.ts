/**
 * Priorities are ranks: a higher rank runs first. Named levels sit around user integers so that
 * `next` always heads the queue and `on-idle` always trails it, whatever integers people use.
 */
export type Priority = number;

export const MAX_USER_PRIORITY = 1_000_000;

export const PRIORITY = {
  immediate: MAX_USER_PRIORITY + 2,
  next: MAX_USER_PRIORITY + 1,
  superior: 10,
  normal: 0,
  inferior: -10,
  'on-idle': -(MAX_USER_PRIORITY + 1),
} as const;

export type PriorityName = keyof typeof PRIORITY;

const NAMES = Object.keys(PRIORITY) as PriorityName[];

export function parsePriority(input: unknown): Priority | string {
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) return `${String(input)} is not an integer priority`;
    if (Math.abs(input) > MAX_USER_PRIORITY)
      return `${input} is outside -${MAX_USER_PRIORITY}..${MAX_USER_PRIORITY}`;
    return input;
  }
  if (typeof input === 'string') {
    const trimmed = input.trim();
    if ((NAMES as string[]).includes(trimmed)) return PRIORITY[trimmed as PriorityName];
    if (/^[+-]?\d+$/.test(trimmed)) return parsePriority(Number(trimmed));
  }
  return `${JSON.stringify(input)} is not a priority (${NAMES.join(', ')} or an integer)`;
}

export function formatPriority(rank: Priority): string {
  const name = NAMES.find((n) => PRIORITY[n] === rank);
  return name ?? String(rank);
}

export const isImmediate = (rank: Priority): boolean => rank === PRIORITY.immediate;
export const isOnIdle = (rank: Priority): boolean => rank === PRIORITY['on-idle'];
