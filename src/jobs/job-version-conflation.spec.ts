import { JobVersionConflation } from './job-version-conflation';
import type { Job } from './job.types';

const version = (id: number, state: Job['state'], label: string) =>
  ({ id, state, label }) as unknown as Job;
const shown = (waiting: Job[]) =>
  waiting.map((job) => `${job.id}:${job.state}:${(job as Job & { label: string }).label}`);

describe('JobVersionConflation', () => {
  it('keeps every version for a subscriber that takes each before the next', () => {
    const conflation = new JobVersionConflation();
    const taken: string[] = [];
    for (const [state, label] of [
      ['queued', 'q'],
      ['running', 'started'],
      ['running', 'step'],
      ['running', '50%'],
      ['succeeded', 'end'],
    ] as const) {
      const waiting: Job[] = [];
      conflation.place(waiting, version(1, state, label));
      taken.push(...shown(waiting));
    }
    expect(taken).toEqual([
      '1:queued:q',
      '1:running:started',
      '1:running:step',
      '1:running:50%',
      '1:succeeded:end',
    ]);
  });

  it('lets a waiting version give way to a newer one with the same state', () => {
    const conflation = new JobVersionConflation();
    const waiting: Job[] = [];
    conflation.place(waiting, version(1, 'running', '10%'));
    conflation.place(waiting, version(1, 'running', '20%'));
    conflation.place(waiting, version(1, 'running', '30%'));
    expect(shown(waiting)).toEqual(['1:running:30%']);
  });

  it('never drops a state change: a job that starts while its queued version waits', () => {
    const conflation = new JobVersionConflation();
    const waiting: Job[] = [];
    conflation.place(waiting, version(1, 'queued', 'q'));
    conflation.place(waiting, version(1, 'running', 'started'));
    // the first step starting changes no state: it replaces the version that started the job,
    // which still carries the change to running
    conflation.place(waiting, version(1, 'running', 'step'));
    expect(shown(waiting)).toEqual(['1:queued:q', '1:running:step']);
  });

  it("makes a job's end one version when the versions before it changed no state", () => {
    const conflation = new JobVersionConflation();
    const taken: Job[] = [];
    conflation.place(taken, version(1, 'running', 'started'));
    const waiting: Job[] = [];
    conflation.place(waiting, version(1, 'running', 'snapshot id'));
    conflation.place(waiting, version(1, 'running', 'step ended'));
    conflation.place(waiting, version(1, 'succeeded', 'end'));
    expect(shown(waiting)).toEqual(['1:succeeded:end']);
  });

  it('keeps the change to running before the end when the subscriber never saw the job run', () => {
    const conflation = new JobVersionConflation();
    const waiting: Job[] = [];
    conflation.place(waiting, version(1, 'queued', 'q'));
    conflation.place(waiting, version(1, 'running', 'started'));
    conflation.place(waiting, version(1, 'failed', 'end'));
    expect(shown(waiting)).toEqual(['1:queued:q', '1:running:started', '1:failed:end']);
  });

  it('keeps jobs apart and each where its first waiting version was', () => {
    const conflation = new JobVersionConflation();
    const taken: Job[] = [];
    conflation.place(taken, version(1, 'running', 'a0'));
    conflation.place(taken, version(2, 'running', 'b0'));
    const waiting: Job[] = [];
    conflation.place(waiting, version(1, 'running', 'a1'));
    conflation.place(waiting, version(2, 'running', 'b1'));
    conflation.place(waiting, version(1, 'running', 'a2'));
    conflation.place(waiting, version(3, 'queued', 'c'));
    expect(shown(waiting)).toEqual(['1:running:a2', '2:running:b1', '3:queued:c']);
  });
});
