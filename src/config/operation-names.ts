/** The operations a job can run; the jobs module owns their meaning, config only their names. */
export const JOB_OPERATION_NAMES = [
  'backup',
  'init',
  'unlock',
  'prune',
  'check',
  'restore',
] as const;
export type JobOperationName = (typeof JOB_OPERATION_NAMES)[number];
