import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { SnapshotIndexService } from '../snapshot-index/snapshot-index.service';
import { METRICS_PREFIX, MetricsService } from './metrics.service';

/**
 * The snapshot index's size, read from its SQLite file at scrape time (no restic run):
 * `hen_backup_snapshot_index_bytes` for the whole file, and per repository the bytes its
 * snapshots added when indexed and how many of its snapshots are indexed.
 */
@Injectable()
export class SnapshotIndexGauge {
  constructor(metrics: MetricsService, index: SnapshotIndexService) {
    new Gauge({
      name: `${METRICS_PREFIX}snapshot_index_bytes`,
      help: 'Bytes the snapshot index takes in its file (pages in use)',
      registers: [metrics.registry],
      collect() {
        this.set(index.totals().bytes);
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}snapshot_index_repository_bytes`,
      help: "Bytes a repository's snapshots added to the snapshot index when they were indexed",
      labelNames: ['repository'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [repository, part] of index.perRepository()) {
          this.set({ repository }, part.bytes);
        }
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}snapshot_index_snapshots`,
      help: 'Snapshots of a repository whose folders are in the snapshot index',
      labelNames: ['repository'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [repository, part] of index.perRepository()) {
          this.set({ repository }, part.indexed);
        }
      },
    });
  }
}
