import type { INestApplication } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/** The parts of Express used here (its types are not installed). */
interface ExpressLikeApp {
  useBodyParser(type: 'json', options: { limit: number }): unknown;
  use(
    handler: (
      error: unknown,
      req: unknown,
      res: ServerResponse,
      next: (e?: unknown) => void,
    ) => void,
  ): unknown;
}

/** Largest accepted request body; a bigger one is answered 413 without being read whole. */
export const MAX_BODY_BYTES = 1024 * 1024;

interface BodyParserError {
  status?: number;
  statusCode?: number;
  type?: string;
}

/**
 * JSON bodies up to MAX_BODY_BYTES (Nest's own parser would stop at 100 KB), and body errors
 * answered the way GraphQL errors are, with `extensions.code`: PAYLOAD_TOO_LARGE (413) or
 * BAD_REQUEST (400) for a body that is not JSON. Call before the application is initialised, so
 * this parser is the one in place.
 */
export function configureHttpBody(app: INestApplication): void {
  const express = app as unknown as ExpressLikeApp;
  express.useBodyParser('json', { limit: MAX_BODY_BYTES });
  express.use((error, _req, res, next) => {
    const bodyError = error as BodyParserError | null;
    const status = bodyError?.status ?? bodyError?.statusCode;
    if (!bodyError || typeof bodyError.type !== 'string' || typeof status !== 'number') {
      next(error);
      return;
    }
    const [code, message] =
      status === 413
        ? ['PAYLOAD_TOO_LARGE', `the request body is larger than ${MAX_BODY_BYTES} bytes`]
        : bodyError.type === 'entity.parse.failed'
          ? ['BAD_REQUEST', 'the request body is not valid JSON']
          : ['BAD_REQUEST', `the request body could not be read (${bodyError.type})`];
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  });
}
