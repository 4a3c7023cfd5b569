/**
 * `GET /calendar/<secret>.ics`: a person's private calendar feed (RFC 5545). The secret is the only
 * credential, so an unknown, revoked or malformed one is the same 404, and nothing else is said.
 */
import type { Request, Response } from 'express';
import { calendarFeed, FEED_SECRET } from '../app/calendar.js';
import type { Mount } from '../server.js';

export function calendarMount(): Mount {
  return (app, runtime) => {
    app.get('/calendar/:file', async (req: Request, res: Response) => {
      const file = String(req.params.file ?? '');
      const secret = file.endsWith('.ics') ? file.slice(0, -4) : '';
      const text = FEED_SECRET.test(secret) ? await calendarFeed(runtime.deps, secret) : null;
      if (text === null) {
        res.status(404).type('text/plain').send('Not found');
        return;
      }
      res.status(200).set({ 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'private, max-age=300', 'x-robots-tag': 'noindex' }).send(text);
    });
  };
}
