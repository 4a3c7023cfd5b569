/**
 * Slack's member directory, for matching staff to their Slack accounts by email: `users.list`, paged 200 at a
 * time and paced at its tier (Tier 2: about 20 calls a minute, so one page every three seconds); a 429 is waited
 * out as `Retry-After` says (the Web API client does that). Needs the `users:read.email` scope.
 */
import { webApi } from '@slack/bolt';
import type { SlackDirectory, SlackMember } from '../../app/identities.js';

export function slackDirectory(botToken: string, apiUrl?: string, options: { pageDelayMs?: number } = {}): SlackDirectory {
  const client = new webApi.WebClient(botToken, { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 5 } });
  const delay = options.pageDelayMs ?? 3_000;
  return {
    async *members(): AsyncIterable<SlackMember> {
      let cursor: string | undefined;
      let first = true;
      do {
        if (!first) await new Promise((r) => setTimeout(r, delay));
        first = false;
        const page = await client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
        for (const m of page.members ?? []) {
          if (!m.id) continue;
          yield { id: m.id, teamId: m.team_id, email: m.profile?.email?.toLowerCase(), deleted: Boolean(m.deleted), bot: Boolean(m.is_bot) || m.id === 'USLACKBOT' };
        }
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
    },
  };
}
