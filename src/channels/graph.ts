/**
 * Outlook calendars through Microsoft Graph with an application permission (Calendars.ReadWrite): a
 * client-credentials token from Entra ID, then `POST /users/{id}/events`, `PATCH /users/{id}/events/{id}` and
 * `POST /users/{id}/events/{id}/cancel`. A 401 gets a new token and goes again; 429 and 503 wait as long as
 * Retry-After says; other 5xx and network failures back off exponentially with jitter. After the last attempt
 * the error goes back to the queue, which retries the job later.
 *
 * The token request is one form post (RFC 6749 §4.4); MSAL for Node refuses an authority that is not https, so
 * it could not be pointed at a local stand-in of Entra in the tests.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OutlookCalendar, OutlookEvent } from '../app/ports.js';

export interface GraphOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  baseUrl: string;
  tokenUrl?: string;
  logger: Logger;
  retry?: { attempts: number; baseMs: number; maxWaitMs: number };
}

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Microsoft Graph answered ${status}${code ? ` (${code})` : ''}`);
    this.name = 'GraphError';
  }
}

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().int().positive().default(3600) });
const createdAnswer = z.object({ id: z.string().min(1).max(1000) });
const errorAnswer = z.object({ error: z.object({ code: z.string().max(200).default('') }) }).partial();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Graph's dateTimeTimeZone: the UTC wall time without an offset, and the zone named. */
const graphTime = (at: Date) => ({ dateTime: at.toISOString().replace('Z', ''), timeZone: 'UTC' });

function eventBody(event: OutlookEvent): Record<string, unknown> {
  return {
    subject: event.subject,
    body: { contentType: 'text', content: 'A supervision session booked by Supervision Bot. The agenda and the record stay in the bot.' },
    start: graphTime(event.start),
    end: graphTime(event.end),
    location: { displayName: event.location },
    attendees: event.attendees.map((a) => ({ emailAddress: { address: a.email, name: a.name }, type: 'required' })),
    allowNewTimeProposals: false,
    isReminderOn: true,
  };
}

export class GraphCalendar implements OutlookCalendar {
  private token: { value: string; until: number } | undefined;
  private pendingToken: Promise<string> | undefined;
  private readonly retry: { attempts: number; baseMs: number; maxWaitMs: number };

  constructor(private readonly options: GraphOptions) {
    this.retry = options.retry ?? { attempts: 6, baseMs: 500, maxWaitMs: 60_000 };
  }

  private get tokenUrl(): string {
    return this.options.tokenUrl ?? `https://login.microsoftonline.com/${encodeURIComponent(this.options.tenantId)}/oauth2/v2.0/token`;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    this.pendingToken ??= (async () => {
      try {
        const res = await fetch(this.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ client_id: this.options.clientId, client_secret: this.options.clientSecret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' }).toString(),
        });
        if (!res.ok) throw new GraphError(res.status, 'token');
        const answer = tokenAnswer.parse(await res.json());
        // a minute's margin, so a token never runs out on the way
        this.token = { value: answer.access_token, until: Date.now() + Math.max(0, answer.expires_in - 60) * 1000 };
        return answer.access_token;
      } finally {
        this.pendingToken = undefined;
      }
    })();
    return this.pendingToken;
  }

  /** One Graph call with its retries; the parsed JSON answer (or null for none). */
  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let lastError: Error = new Error('no attempt made');
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      let res: Response;
      try {
        const token = await this.accessToken();
        res = await fetch(`${this.options.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        // the network, or Entra's token endpoint: back off and go again
        lastError = error as Error;
        await this.backoff(attempt);
        continue;
      }
      if (res.ok) {
        const text = await res.text();
        return text ? JSON.parse(text) : null;
      }
      const parsed = errorAnswer.safeParse(await res.json().catch(() => ({})));
      lastError = new GraphError(res.status, parsed.success ? (parsed.data.error?.code ?? '') : '');
      this.options.logger.warn({ status: res.status, method, attempt }, 'microsoft graph call failed');
      if (res.status === 401) {
        this.token = undefined;
        continue;
      }
      if (res.status === 429 || res.status === 503 || res.status === 504) {
        const after = Number(res.headers.get('retry-after'));
        if (Number.isFinite(after) && after >= 0) await sleep(Math.min(after * 1000, this.retry.maxWaitMs));
        else await this.backoff(attempt);
        continue;
      }
      if (res.status >= 500) {
        await this.backoff(attempt);
        continue;
      }
      throw lastError;
    }
    throw lastError;
  }

  private backoff(attempt: number): Promise<void> {
    const ms = Math.min(this.retry.baseMs * 2 ** attempt, this.retry.maxWaitMs);
    return sleep(ms / 2 + Math.random() * (ms / 2));
  }

  async create(organizerId: string, event: OutlookEvent, transactionId: string): Promise<string> {
    const answer = await this.call('POST', `/users/${encodeURIComponent(organizerId)}/events`, { ...eventBody(event), transactionId });
    return createdAnswer.parse(answer).id;
  }

  async update(organizerId: string, eventId: string, event: OutlookEvent): Promise<void> {
    await this.call('PATCH', `/users/${encodeURIComponent(organizerId)}/events/${encodeURIComponent(eventId)}`, eventBody(event));
  }

  /**
   * Installs the Teams app (its id in the organisation's app catalog) for one person (`POST
   * /users/{id}/teamwork/installedApps`, application permission TeamsAppInstallation.ReadWriteForUser.All); the
   * user is their Entra object id or user principal name. Installed before (409 Conflict) is success too.
   */
  async installTeamsApp(user: string, catalogAppId: string): Promise<'installed' | 'already'> {
    try {
      await this.call('POST', `/users/${encodeURIComponent(user)}/teamwork/installedApps`, { 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${encodeURIComponent(catalogAppId)}` });
      return 'installed';
    } catch (error) {
      if (error instanceof GraphError && error.status === 409) return 'already';
      throw error;
    }
  }

  async cancel(organizerId: string, eventId: string, comment: string): Promise<void> {
    try {
      await this.call('POST', `/users/${encodeURIComponent(organizerId)}/events/${encodeURIComponent(eventId)}/cancel`, { comment });
    } catch (error) {
      // deleted in Outlook already: nothing left to cancel
      if (error instanceof GraphError && error.status === 404) return;
      throw error;
    }
  }
}
