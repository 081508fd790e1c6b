import type { JobRequestedEvent } from '../common/events/job-requested.events';
import type { Job } from './job.types';

/**
 * How a service that owns a kind of job answers a trigger's request: `queue` queues it (or merges
 * it with an identical waiting one). A failure is answered as a refusal rather than thrown, since
 * the emitter would only log it.
 */
export function answerJobRequest(event: JobRequestedEvent, queue: () => Job): void {
  try {
    event.answer = { outcome: 'queued', jobId: queue().id };
  } catch (error) {
    event.answer = { outcome: 'refused', reason: String(error) };
  }
}
