import type HandlebarsModule from 'handlebars';

let loaded: typeof HandlebarsModule | undefined;

/**
 * Handlebars, loaded the first time a template is checked or rendered rather than at start:
 * loading it is about 40 ms of the daemon's start on 2 cores, for nothing when no notification
 * is configured.
 */
export function handlebars(): typeof HandlebarsModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, above
  return (loaded ??= require('handlebars') as typeof HandlebarsModule);
}
