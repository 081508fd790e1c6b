import { Controller, Get, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticationMessage, TokenAuthenticator } from '../common/auth/token-authenticator';
import { MetricsService } from './metrics.service';

export const METRICS_PATH = '/metrics';

/**
 * `GET /metrics`, the Prometheus text format, behind the API's bearer tokens when any are
 * configured: every role may read it (viewer suffices). Without tokens the daemon listens on
 * loopback only and any local caller may scrape, as with the API.
 */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly authenticator: TokenAuthenticator,
  ) {}

  @Get(METRICS_PATH)
  async scrape(
    @Req() req: IncomingMessage & { ip?: string },
    @Res() res: ServerResponse,
  ): Promise<void> {
    const auth = this.authenticator.authenticate(req.headers.authorization, req.ip ?? 'http');
    if (!auth.ok) {
      res.writeHead(401, {
        'content-type': 'text/plain; charset=utf-8',
        'www-authenticate': 'Bearer realm="hen-backup"',
      });
      res.end(`${authenticationMessage(auth)}\n`);
      return;
    }
    const { contentType, body } = await this.metrics.render();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  }
}
