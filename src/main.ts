#!/usr/bin/env node
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module';
import { packageVersion } from './common/runtime-info';
import { ConfigError } from './config/config-error';
import { ConfigReloader } from './config/config-reloader.service';
import { loadConfig } from './config/config-loader';
import { collectOverrides } from './config/config-overrides';
import type { HenConfig } from './config/config.types';
import { GRAPHQL_PATH } from './api/graphql-path';
import { configureHttpBody } from './api/http-body';
import { ApiWarmUp } from './api/api-warm-up';
import { runInit } from './init-command';

const USAGE = `Usage: hen-backup [--config PATH] [--host HOST] [--port PORT] [--data-dir DIR]
                  [--read-only] [--check-config] [--version]
       hen-backup init [PATH] [--folder FOLDER]

  --config PATH    the YAML configuration (default: $HEN_BACKUP_CONFIG)
  --host HOST      the API's address, instead of api.host (default: $HEN_BACKUP_HOST)
  --port PORT      the API's port, instead of api.port (default: $HEN_BACKUP_PORT)
  --data-dir DIR   the state folder, instead of dataDir (default: $HEN_BACKUP_DATA_DIR)
  --read-only      never write to a repository (same as readOnly: true in the configuration)
  --check-config   validate the configuration, print the problems, and exit
  --version        print the version and exit
  init             write a starter configuration (see hen-backup init --help)`;

/** Exit codes: 0 fine, 1 could not start (e.g. restic missing), 2 bad usage or configuration. */
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'init') return runInit(argv.slice(1));
  let options: {
    config?: string;
    host?: string;
    port?: string;
    'data-dir'?: string;
    'read-only'?: boolean;
    'check-config'?: boolean;
    version?: boolean;
    help?: boolean;
  };
  try {
    options = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'read-only': { type: 'boolean' },
        'check-config': { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`hen-backup ${packageVersion()}\n`);
    return 0;
  }
  const configPath = options.config ?? process.env.HEN_BACKUP_CONFIG;
  if (!configPath) {
    process.stderr.write(
      `no configuration: pass --config PATH or set HEN_BACKUP_CONFIG\n${USAGE}\n`,
    );
    return 2;
  }

  // Read once: a reload applies the same flags and variables the daemon started with.
  const overrides = collectOverrides({
    '--host': options.host,
    '--port': options.port,
    '--data-dir': options['data-dir'],
  });
  // Also used on reload, so that the command line's --read-only keeps applying.
  const load = (): HenConfig => {
    const loaded = loadConfig(resolve(configPath), process.env, overrides);
    return options['read-only'] ? { ...loaded, readOnly: true } : loaded;
  };
  let config: HenConfig;
  try {
    config = load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${resolve(configPath)}: the configuration is not valid\n`);
    for (const issue of error.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
    return 2;
  }
  if (options['check-config']) {
    const backups = Object.keys(config.backups).length;
    const repositories = Object.keys(config.repositories).length;
    process.stdout.write(
      `configuration is valid: ${backups} backups, ${repositories} repositories\n`,
    );
    return 0;
  }

  let app: INestApplication;
  try {
    // abortOnError: false so that a provider failing to start (e.g. an unreadable state
    // database) is reported below and exits 1, rather than Nest calling process.abort().
    app = await NestFactory.create(AppModule.forConfig(config, load), {
      bufferLogs: true,
      abortOnError: false,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`hen-backup could not start: ${message}\n`);
    return 1;
  }
  const logger = app.get(Logger);
  app.useLogger(logger);
  configureHttpBody(app);
  try {
    await app.listen(config.api.port, config.api.host);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ msg: `hen-backup could not start: ${message}` }, 'Main');
    process.stderr.write(`hen-backup could not start: ${message}\n`);
    await app.close().catch(() => undefined);
    return 1;
  }
  stopOnSignals(app, logger);
  reloadOnHangup(app);
  await app.get(ApiWarmUp).run();
  logger.log(
    {
      msg: `listening on http://${config.api.host}:${config.api.port}${GRAPHQL_PATH}`,
      host: config.api.host,
      port: config.api.port,
    },
    'Main',
  );
  return -1;
}

/**
 * SIGTERM and SIGINT stop triggers, interrupt running jobs (restic gets SIGINT and removes its
 * lock), record them, and exit 0: a requested stop is not a failure. A second signal exits at once.
 */
function stopOnSignals(app: INestApplication, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    logger.log({ msg: `${signal} received: stopping`, signal }, 'Main');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`hen-backup did not stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** SIGHUP reads the configuration file again, as `systemctl reload` expects (see ConfigReloader). */
function reloadOnHangup(app: INestApplication): void {
  const reloader = app.get(ConfigReloader);
  process.on('SIGHUP', () => reloader.reload('SIGHUP'));
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `hen-backup failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
