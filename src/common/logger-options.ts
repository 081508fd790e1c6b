import type { Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import type { HenConfig } from '../config/config.types';
import type { SecretScrubber } from './secret-scrubber';

/** JSON lines on stdout, scrubbed of every configured secret before they are written. */
export function loggerOptions(config: HenConfig, scrubber: SecretScrubber): Params {
  return {
    pinoHttp: {
      name: 'hen-backup',
      level: config.log.level,
      autoLogging: false,
      // lines logged while serving a request carry its id, not every header
      quietReqLogger: true,
      timestamp: stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '***' },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubber.scrubDeep(object),
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg: unknown) => scrubber.scrubDeep(arg)) as Parameters<
            typeof method
          >;
          method.apply(this, scrubbed);
        },
      },
    },
  };
}
