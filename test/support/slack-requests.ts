/**
 * Signed Slack requests to a running bot, as Slack sends them: slash commands, DM events, button clicks
 * (`block_actions`) and modal submissions (`view_submission`). Each request carries a fresh trigger id and, for
 * commands and clicks, a `response_url` on the Web API stand-in (`fake-slack.ts`).
 */
import { createHmac } from 'node:crypto';

export const SLACK_SECRET = 'slack-signing-secret-for-tests';

export interface SlackRequests {
  /** The signature headers of a body (signing secret `SLACK_SECRET` unless given). */
  sign(body: string, ts?: number): Record<string, string>;
  /** An interaction payload, signed and posted to `/slack/interactions`. */
  interaction(payload: Record<string, unknown>): Promise<Response>;
  /** A button in the person's DM clicked: the request's answer, and the id its `response_url` ends with. */
  click(userId: string, actionId: string, value: string): Promise<{ res: Response; responseId: string }>;
  /** A modal sent with these block values (`{ <block id>: { v: <element state> } }`). */
  submit(userId: string, callbackId: string, privateMetadata: string, values: Record<string, unknown>): Promise<Response>;
  /** `/supervision <text>` typed in the person's DM: the request's answer, and the id its `response_url` ends with. */
  command(userId: string, text: string, name?: string): Promise<{ res: Response; responseId: string }>;
  /** A message typed in the person's DM (an `event_callback`). */
  message(userId: string, text: string): Promise<Response>;
}

export function slackRequests(botUrl: string, slackUrl: string, secret = SLACK_SECRET): SlackRequests {
  let n = 0;
  const sign = (body: string, ts = Math.floor(Date.now() / 1000)) => ({
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
  });
  const post = (path: string, body: string, type: string) => fetch(`${botUrl}${path}`, { method: 'POST', headers: { 'content-type': type, ...sign(body) }, body });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const interaction = (payload: Record<string, unknown>) =>
    post('/slack/interactions', form({ payload: JSON.stringify({ team: { id: 'T1' }, api_app_id: 'A1', token: 't', trigger_id: `trig${++n}`, ...payload }) }), 'application/x-www-form-urlencoded');
  return {
    sign,
    interaction,
    click: async (userId, actionId, value) => {
      const responseId = `r${++n}`;
      const res = await interaction({
        type: 'block_actions',
        user: { id: userId },
        response_url: `${slackUrl}/response/${responseId}`,
        container: { type: 'message', channel_id: `D${userId}`, message_ts: '1.1' },
        actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: `${Date.now()}.${n}` }],
      });
      return { res, responseId };
    },
    submit: (userId, callbackId, privateMetadata, values) =>
      interaction({ type: 'view_submission', user: { id: userId }, view: { id: `V${++n}`, hash: `h${n}`, type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values } } }),
    command: async (userId, text, name = '/supervision') => {
      const responseId = `r${++n}`;
      const res = await post('/slack/commands', form({ token: 't', team_id: 'T1', api_app_id: 'A1', channel_id: `D${userId}`, user_id: userId, command: name, text, trigger_id: `trig${n}`, response_url: `${slackUrl}/response/${responseId}` }), 'application/x-www-form-urlencoded');
      return { res, responseId };
    },
    message: (userId, text) =>
      post(
        '/slack/events',
        JSON.stringify({ token: 't', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: `Ev${++n}.${Date.now()}`, event_time: 1, event: { type: 'message', channel: `D${userId}`, channel_type: 'im', user: userId, text, ts: `${Date.now() / 1000}.${n}` } }),
        'application/json',
      ),
  };
}
