/**
 * Bot Framework activities to a running bot, as Teams sends them from a person's one-to-one chat: installation,
 * a typed message, and a card's `adaptiveCard/action` invoke (answered in the invoke's response, within 5 s).
 * The conversation of a person `p` is `conv-p`; their Entra object id `aad-p` (as `world.ts` gives them).
 */
export interface TeamsRequests {
  activity(who: string, extra: Record<string, unknown>): Record<string, unknown>;
  send(body: unknown): Promise<Response>;
  /** The bot added to the person's chat: their conversation reference is kept. */
  install(who: string): Promise<Response>;
  /** A message typed by the person. */
  message(who: string, text: string): Promise<Response>;
  /** A card's Action.Execute: the invoke's answer (the card that replaces it) as JSON text. */
  invoke(who: string, verb: string, data: Record<string, unknown>): Promise<string>;
}

export function teamsRequests(botUrl: string, serviceUrl: string): TeamsRequests {
  let n = 0;
  const activity = (who: string, extra: Record<string, unknown>) => ({
    id: `m${++n}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    recipient: { id: '28:bot' },
    from: { id: `29:${who}`, aadObjectId: `aad-${who}` },
    conversation: { id: `conv-${who}`, tenantId: 'tenant-1', conversationType: 'personal' },
    ...extra,
  });
  const send = (body: unknown) => fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    activity,
    send,
    install: (who) => send(activity(who, { type: 'installationUpdate', action: 'add' })),
    message: (who, text) => send(activity(who, { type: 'message', text })),
    invoke: async (who, verb, data) => JSON.stringify(await (await send(activity(who, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }))).json()),
  };
}
