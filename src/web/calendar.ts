/**
 * `GET /calendar/<secret>.ics`: a person's private calendar feed (RFC 5545), and under it
 * `GET /calendar/<secret>/session|meeting/<id>.ics`: one invite to add to a calendar. The secret is the only
 * credential, so an unknown, revoked or malformed one is the same 404, and nothing else is said.
 */
import type { Request, Response } from 'express';
import { calendarFeed, calendarInvite, FEED_SECRET } from '../app/calendar.js';
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
    // one session's or meeting's invite, under the same secret (revoked with the feed)
    app.get('/calendar/:secret/:kind/:file', async (req: Request, res: Response) => {
      const secret = String(req.params.secret ?? '');
      const kind = String(req.params.kind ?? '');
      const file = String(req.params.file ?? '');
      const id = file.endsWith('.ics') ? file.slice(0, -4) : '';
      const text = FEED_SECRET.test(secret) && (kind === 'session' || kind === 'meeting') && id ? await calendarInvite(runtime.deps, secret, kind, id) : null;
      if (text === null) {
        res.status(404).type('text/plain').send('Not found');
        return;
      }
      const name = kind === 'meeting' ? 'meeting.ics' : 'supervision.ics';
      res
        .status(200)
        .set({ 'content-type': `text/calendar; charset=utf-8; method=${text.includes('\r\nMETHOD:CANCEL\r\n') ? 'CANCEL' : 'REQUEST'}`, 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'private, no-cache', 'x-robots-tag': 'noindex' })
        .send(text);
    });
  };
}
