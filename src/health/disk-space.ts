import { Injectable } from '@nestjs/common';
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { LiveConfig } from '../config/live-config';

/** The folders the daemon writes to: the data directory (state.db), restic's cache and TMPDIR. */
export const DISK_FOLDERS = ['data', 'cache', 'tmp'] as const;
export type DiskFolder = (typeof DISK_FOLDERS)[number];

/** How each folder is named in messages (no paths: /health/ready is unauthenticated). */
export const DISK_FOLDER_NAMES: Record<DiskFolder, string> = {
  data: 'the data directory',
  cache: "the data directory's cache folder",
  tmp: "the data directory's temp folder",
};

/**
 * Below this much free space the daemon cannot do its work: restic 0.14 writes each pack file
 * (4 MiB and more) to the temp folder before it uploads it, several at a time, and the state
 * database needs room for its WAL.
 */
export const LOW_DISK_BYTES = 16 * 1024 * 1024;

export interface FolderSpace {
  folder: DiskFolder;
  /** bytes an unprivileged process may still write there; null when it cannot be read */
  freeBytes: number | null;
  /** size of that folder's file system (for a percentage); null or absent when unknown */
  sizeBytes?: number | null;
}

/**
 * Free space where the daemon writes. Each reading is one statfs call per folder, made only when
 * asked (a readiness check, a scrape): no polling, no I/O beyond the system call. Synchronous on
 * purpose: the state database on the same disk is synchronous already, so a hung disk blocks the
 * daemon either way.
 */
@Injectable()
export class DiskSpace {
  constructor(private readonly config: LiveConfig) {}

  measure(): FolderSpace[] {
    const dataDir = this.config.current.dataDir;
    const data = space(dataDir) ?? { freeBytes: null, sizeBytes: null };
    return DISK_FOLDERS.map((folder) => {
      // cache and tmp are created by the first restic run; until then they share the data
      // directory's disk
      const { freeBytes, sizeBytes } =
        folder === 'data' ? data : (space(join(dataDir, folder)) ?? data);
      return { folder, freeBytes, sizeBytes };
    });
  }

  /** The folder with the least free space (the one that fills first), or null if none is known. */
  lowest(): { folder: DiskFolder; freeBytes: number } | null {
    let lowest: { folder: DiskFolder; freeBytes: number } | null = null;
    for (const { folder, freeBytes } of this.measure()) {
      if (freeBytes !== null && (lowest === null || freeBytes < lowest.freeBytes)) {
        lowest = { folder, freeBytes };
      }
    }
    return lowest;
  }
}

function space(path: string): { freeBytes: number; sizeBytes: number } | null {
  try {
    const stats = statfsSync(path);
    return { freeBytes: stats.bavail * stats.bsize, sizeBytes: stats.blocks * stats.bsize };
  } catch {
    return null;
  }
}

/** 1536 → "1.5 KiB"; readable, not exact. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
