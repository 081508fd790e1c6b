import type {
  EmailTarget,
  NotificationTarget,
  Severity,
  WebhookPreset,
} from '../config/notifications.types';
import type { NotificationEvent } from './notification-event';
import { DEFAULT_TEXT, DEFAULT_TITLE, render } from './templates';

export interface HttpDelivery {
  kind: 'http';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export interface MailDelivery {
  kind: 'mail';
  target: EmailTarget;
  subject: string;
  text: string;
}

export interface CommandDelivery {
  kind: 'command';
  command: string[];
  env: Record<string, string>;
  stdin: string;
}

/** Nothing to send for this event (an Uptime Kuma push has no "started" status). */
export interface NoDelivery {
  kind: 'none';
  reason: string;
}

export type DeliveryPlan = HttpDelivery | MailDelivery | CommandDelivery | NoDelivery;

const JSON_TYPE = { 'Content-Type': 'application/json' };
const NTFY_PRIORITY: Record<Severity, string> = { info: '3', warning: '4', error: '5' };
const GOTIFY_PRIORITY: Record<Severity, number> = { info: 2, warning: 5, error: 8 };
const COLOR: Record<Severity, { hex: string; int: number }> = {
  info: { hex: '2EB67D', int: 0x2eb67d },
  warning: { hex: 'ECB22E', int: 0xecb22e },
  error: { hex: 'E01E5A', int: 0xe01e5a },
};
const ENDED_BADLY = new Set(['job.failed', 'job.timed-out', 'job.canceled', 'job.interrupted']);

/** What to send to a target for an event: pure, so every target type is tested without I/O. */
export function planDelivery(target: NotificationTarget, event: NotificationEvent): DeliveryPlan {
  switch (target.type) {
    case 'webhook': {
      const body = target.body
        ? render(target.body, event)
        : target.preset
          ? presetBody(target.preset, event)
          : JSON.stringify(event);
      return {
        kind: 'http',
        url: target.url,
        method: target.method,
        headers: { ...JSON_TYPE, ...target.headers },
        body,
      };
    }
    case 'ntfy': {
      const headers: Record<string, string> = {
        Title: render(target.title ?? DEFAULT_TITLE, event),
        Priority: NTFY_PRIORITY[event.severity],
        Tags: event.severity === 'info' ? 'white_check_mark' : event.severity,
      };
      if (target.token) headers.Authorization = `Bearer ${target.token}`;
      return {
        kind: 'http',
        url: target.url,
        method: 'POST',
        headers,
        body: render(target.message ?? DEFAULT_TEXT, event),
      };
    }
    case 'gotify':
      return {
        kind: 'http',
        url: `${target.url.replace(/\/+$/, '')}/message`,
        method: 'POST',
        headers: { ...JSON_TYPE, 'X-Gotify-Key': target.token },
        body: JSON.stringify({
          title: render(target.title ?? DEFAULT_TITLE, event),
          message: render(target.message ?? DEFAULT_TEXT, event),
          priority: GOTIFY_PRIORITY[event.severity],
        }),
      };
    case 'healthchecks': {
      const base = render(target.url, event).replace(/\/+$/, '');
      const suffix =
        event.event === 'job.started'
          ? '/start'
          : ENDED_BADLY.has(event.event) || event.severity === 'error'
            ? '/fail'
            : '';
      return {
        kind: 'http',
        url: `${base}${suffix}`,
        method: 'POST',
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: render(DEFAULT_TEXT, event),
      };
    }
    case 'uptime-kuma': {
      if (event.event === 'job.started') {
        return { kind: 'none', reason: 'Uptime Kuma push monitors have no "started" status' };
      }
      const url = new URL(render(target.url, event));
      const down = ENDED_BADLY.has(event.event) || event.severity === 'error';
      url.searchParams.set('status', down ? 'down' : 'up');
      url.searchParams.set('msg', event.summary);
      if (event.durationSeconds !== null) {
        url.searchParams.set('ping', String(Math.round(event.durationSeconds * 1000)));
      }
      return { kind: 'http', url: url.toString(), method: 'GET', headers: {} };
    }
    case 'email':
      return {
        kind: 'mail',
        target,
        subject: render(target.subject ?? DEFAULT_TITLE, event).replace(/[\r\n]+/g, ' '),
        text: render(target.body ?? DEFAULT_TEXT, event),
      };
    case 'command':
      return {
        kind: 'command',
        command: target.command.map((arg) => render(arg, event)),
        env: {
          ...target.env,
          HEN_BACKUP_EVENT: event.event,
          HEN_BACKUP_SEVERITY: event.severity,
        },
        stdin: `${JSON.stringify(event)}\n`,
      };
  }
}

/** The bodies the chat services' incoming webhooks take. */
function presetBody(preset: WebhookPreset, event: NotificationEvent): string {
  const title = render(DEFAULT_TITLE, event);
  const text = render(DEFAULT_TEXT, event).trim();
  switch (preset) {
    case 'slack':
    case 'mattermost':
      return JSON.stringify({
        text: title,
        attachments: [{ color: `#${COLOR[event.severity].hex}`, text }],
      });
    case 'discord':
      return JSON.stringify({
        content: title,
        embeds: [
          {
            title: event.summary.slice(0, 256),
            description: text.slice(0, 4000),
            color: COLOR[event.severity].int,
          },
        ],
      });
    case 'teams':
      return JSON.stringify({
        '@type': 'MessageCard',
        '@context': 'https://schema.org/extensions',
        summary: title,
        themeColor: COLOR[event.severity].hex,
        title,
        text: text.replace(/\n/g, '  \n'),
      });
  }
}
