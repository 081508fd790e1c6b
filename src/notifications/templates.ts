import type HandlebarsModule from 'handlebars';
import { handlebars } from '../config/handlebars';
import type { NotificationEvent } from './notification-event';

/**
 * Handlebars without HTML escaping (bodies are JSON, plain text or URLs, not HTML), with helpers
 * for the places that need their own escaping: `{{json value}}` writes a JSON value (quotes
 * included), `{{url value}}` percent-encodes. Compiled templates are cached by their text.
 */
let engine: typeof HandlebarsModule | undefined;

function templateEngine(): typeof HandlebarsModule {
  if (engine) return engine;
  const created = handlebars().create();
  created.registerHelper(
    'json',
    (value: unknown) => new created.SafeString(JSON.stringify(value ?? null)),
  );
  created.registerHelper('url', (value: unknown) => {
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
    return new created.SafeString(encodeURIComponent(text));
  });
  return (engine = created);
}

const cache = new Map<string, HandlebarsTemplateDelegate>();

export function render(template: string, event: NotificationEvent): string {
  let compiled = cache.get(template);
  if (!compiled) {
    compiled = templateEngine().compile(template, { noEscape: true });
    cache.set(template, compiled);
  }
  return compiled(event);
}

export const DEFAULT_TITLE = '{{#if test}}[test] {{/if}}hen-backup on {{host}}: {{event}}';

export const DEFAULT_TEXT = `{{summary}}
{{#if jobId}}
job: {{jobId}} ({{operation}}, {{trigger}}), state {{state}}
{{/if}}
{{#if backup}}backup: {{backup}}
{{/if}}
{{#if repository}}repository: {{repository}}
{{/if}}
{{#if errorCode}}error: {{errorCode}}: {{errorMessage}}
{{/if}}
{{#if durationSeconds}}duration: {{durationSeconds}} s
{{/if}}
{{#if bytesAdded}}bytes added: {{bytesAdded}}
{{/if}}
{{#if snapshotId}}snapshot: {{snapshotId}}
{{/if}}
{{#each warnings}}warning: {{this}}
{{/each}}
{{#if lastSuccessAt}}last success: {{lastSuccessAt}}
{{/if}}
{{#if detail}}{{detail}}
{{/if}}
host: {{host}}, time: {{time}}
`;
