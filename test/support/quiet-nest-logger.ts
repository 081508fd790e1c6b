import { Logger } from '@nestjs/common';

/**
 * Unit and integration tests build services in-process; their Nest log lines would bury the
 * suite's output. What a test needs of a log it reads through its own spies or the daemon's
 * stdout (end-to-end tests run the daemon as a child process, unaffected).
 */
Logger.overrideLogger(false);
