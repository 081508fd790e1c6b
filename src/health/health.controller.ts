import { Controller, Get, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { HealthService } from './health.service';

/**
 * Liveness and readiness for orchestrators and load balancers. No authentication: the answers
 * reveal nothing secret (a state, and which check failed).
 */
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process answers HTTP. */
  @Get('live')
  live(@Res() res: ServerResponse): void {
    send(res, 200, { status: 'alive' });
  }

  /** 200 when it can do its work, else 503 with the failing checks. */
  @Get('ready')
  ready(@Res() res: ServerResponse): void {
    const readiness = this.health.readiness();
    send(res, readiness.status === 'ready' ? 200 : 503, readiness);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}
