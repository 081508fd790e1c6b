import { BackupRequestedEvent } from '../common/events/job-requested.events';
import { answerJobRequest } from './job-request-answer';
import type { Job } from './job.types';

describe('answerJobRequest', () => {
  it('answers with the queued job', () => {
    const event = new BackupRequestedEvent('pics', 'schedule');
    answerJobRequest(event, () => ({ id: 12 }) as Job);
    expect(event.answer).toEqual({ outcome: 'queued', jobId: 12 });
  });

  it('answers a failure as a refusal instead of throwing into the emitter', () => {
    const event = new BackupRequestedEvent('gone', 'watch');
    answerJobRequest(event, () => {
      throw new Error('no backup named "gone"');
    });
    expect(event.answer).toEqual({
      outcome: 'refused',
      reason: 'Error: no backup named "gone"',
    });
  });
});
