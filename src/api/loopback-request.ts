import { Injectable } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';

/**
 * One HTTP POST from the daemon to its own API, through the socket it listens on (the address
 * it listens on, or loopback when that is every interface). The answer is read and dropped;
 * resolves with its status, or undefined when there was none (refused, reset, aborted).
 */
@Injectable()
export class LoopbackRequest {
  post(
    listening: AddressInfo,
    path: string,
    body: string,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const unspecified = listening.address === '0.0.0.0' || listening.address === '::';
    const host = unspecified
      ? listening.family === 'IPv6'
        ? '::1'
        : '127.0.0.1'
      : listening.address;
    return new Promise((resolve) => {
      const req = request(
        {
          host,
          port: listening.port,
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          signal,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
          res.on('error', () => resolve(undefined));
        },
      );
      req.on('error', () => resolve(undefined));
      req.end(body);
    });
  }
}
