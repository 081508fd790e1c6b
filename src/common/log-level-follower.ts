import { Injectable, Optional } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { LiveConfig } from '../config/live-config';

/**
 * Applies `log.level` of a reloaded configuration to the running loggers. nestjs-pino keeps two
 * pino instances: the HTTP middleware's root (whose children log inside requests) and the one
 * used outside requests, which is what `PinoLogger.logger` gives when asked at startup.
 */
@Injectable()
export class LogLevelFollower {
  private readonly outsideRequests?: Pino;

  constructor(config: LiveConfig, @Optional() pino?: PinoLogger) {
    this.outsideRequests = pino?.logger;
    config.onChange(({ previous, current }) => {
      if (previous.log.level === current.log.level) return;
      for (const logger of [this.outsideRequests, PinoLogger.root]) {
        if (logger) logger.level = current.log.level;
      }
    });
  }
}
