import { Controller, Get, Param, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { IDE_ASSETS_PATH, ideAsset } from './ide-assets';

/** The IDE's scripts and styles; public, like the page: they hold no data, only code. */
@Controller(IDE_ASSETS_PATH)
export class IdeController {
  @Get(':file')
  asset(@Param('file') file: string, @Res() res: ServerResponse): void {
    const asset = ideAsset(file);
    if (!asset) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('no such file\n');
      return;
    }
    res.writeHead(200, {
      'content-type': asset.contentType,
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
    res.end(asset.body);
  }
}
