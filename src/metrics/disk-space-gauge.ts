import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DiskSpace } from '../health/disk-space';
import { METRICS_PREFIX, MetricsService } from './metrics.service';

/**
 * `hen_backup_data_dir_free_bytes{folder}` and `hen_backup_data_dir_size_bytes{folder}`: free
 * space, and the size of its file system, where the daemon writes (the data directory, restic's
 * cache and temp folders), read with statfs at scrape time only, so that an alert can fire before
 * backups and the state database fail for lack of space.
 */
@Injectable()
export class DiskSpaceGauge {
  constructor(metrics: MetricsService, disk: DiskSpace) {
    new Gauge({
      name: `${METRICS_PREFIX}data_dir_free_bytes`,
      help: 'Free bytes on the disk of the data directory (folder="data"), its restic cache (folder="cache") and temp folder (folder="tmp")',
      labelNames: ['folder'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const { folder, freeBytes } of disk.measure()) {
          if (freeBytes !== null) this.set({ folder }, freeBytes);
        }
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}data_dir_size_bytes`,
      help: 'Size of the file system of the data directory (folder="data"), its restic cache (folder="cache") and temp folder (folder="tmp")',
      labelNames: ['folder'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const { folder, sizeBytes } of disk.measure()) {
          if (sizeBytes !== null && sizeBytes !== undefined) this.set({ folder }, sizeBytes);
        }
      },
    });
  }
}
