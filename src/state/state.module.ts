import { Module } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { ScheduleRunStore } from './schedule-run-store';
import { StateDatabase } from './state-database';
import { StateProbe } from './state-probe';

/**
 * The state database and the stores of the layers above jobs (schedule times, the health probe).
 * The jobs module's stores use StateDatabase directly; everything else goes through a store.
 */
@Module({
  providers: [
    {
      provide: StateDatabase,
      inject: [LiveConfig],
      useFactory: (config: LiveConfig) => new StateDatabase(config.current),
    },
    ScheduleRunStore,
    StateProbe,
  ],
  exports: [StateDatabase, ScheduleRunStore, StateProbe],
})
export class StateModule {}
