import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { idePage } from './ide-assets';

/**
 * A browser opening /graphql gets the IDE page; a GET query (with `?query=`) or anything that
 * does not ask for HTML goes on to Apollo. The page needs no token: it holds no data, and the
 * token is typed into its header editor.
 */
@Injectable()
export class IdePageMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const wantsPage =
      req.method === 'GET' &&
      (req.headers.accept ?? '').includes('text/html') &&
      !new URL(req.url ?? '/', 'http://x').searchParams.has('query');
    if (!wantsPage) return next();
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // the page may load and connect to this daemon only
      'content-security-policy':
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "font-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    });
    res.end(idePage());
  }
}
