import type { Limits } from '../config/config.types';

/**
 * What the restic wrapper needs from its surroundings, as plain values. Whoever builds a Restic
 * gives them, or a function that returns them at each call (a reload may change limits).
 */
export interface ResticSettings {
  /** the restic binary: a path, or a name looked up on PATH */
  binary: string;
  /** holds restic's cache (`cache/`) and temporary files (`tmp/`); named in disk-full messages */
  dataDir: string;
  /** the limits of a call that gives none */
  limits: Limits;
  /** take no lock where restic allows it, and never remove one (removing is a write) */
  readOnly: boolean;
  /** strings masked in everything restic prints, besides the values of the target's environment */
  secrets: readonly string[];
}
