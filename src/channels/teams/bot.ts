/**
 * Microsoft Teams: `POST /api/messages` through botbuilder's CloudAdapter. In production every request must
 * carry a valid Bot Framework token (the adapter checks issuer, audience, expiry and signing key); with no app
 * id the adapter accepts anonymous requests, which the channel allows only on a loopback address (local
 * try-out). Each user's conversation reference is kept (by AAD object id) on every activity, so reminders and
 * prompts can be sent proactively.
 *
 * This file only translates: Teams activity ⇄ command or read ⇄ Adaptive Card.
 */
import {
  ActivityTypes,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  TurnContext,
} from 'botbuilder';
import express, { type Express } from 'express';
import { z } from 'zod';
import { sessionOfThread } from '../../app/agenda.js';
import { unmatchedSenders } from '../../store/unmatched.js';
import { personByTeams } from '../../app/reads.js';
import type { NotificationView } from '../../app/views.js';
import type { Runtime } from '../../runtime.js';
import { conversation, fieldError } from '../conversation.js';
import { renderCard } from './cards.js';
import { knownPeople } from '../known-people.js';
import { TeamsNotifier, CONVERSATION_THREAD } from './notifier.js';
import { startTeamsRoster, type TurnOrigin } from './roster.js';

const NOT_SET_UP = 'Sorry — your Teams account is not linked to a supervision record here. Please ask your DSL.';

export interface TeamsOptions {
  appId?: string;
  appPassword?: string;
  appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
  tenantId?: string;
  certificateThumbprint?: string;
  certificatePrivateKey?: string;
  /** Where the Bot Framework's signing keys are published (a local one in tests). */
  openIdMetadataUrl?: string;
}

// ---- inputs -----------------------------------------------------------------------------------------------

const activitySchema = z.object({
  type: z.string().min(1).max(100),
  id: z.string().max(300).optional(),
  name: z.string().max(200).optional(),
  text: z.string().max(20_000).optional(),
  value: z.unknown().optional(),
  serviceUrl: z.string().url('must be a URL').max(2000),
  from: z.object({ id: z.string().max(300), aadObjectId: z.string().max(100).optional() }, { message: 'is required' }),
  conversation: z.object({ id: z.string().max(1000), tenantId: z.string().max(100).optional() }, { message: 'is required' }),
});

// ---- the channel ------------------------------------------------------------------------------------------

export interface TeamsChannel {
  adapter: CloudAdapter;
  notifier: TeamsNotifier;
  mount(app: Express): void;
}

export function createTeamsChannel(runtime: Runtime, options: TeamsOptions): TeamsChannel {
  const { deps, logger } = runtime;
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: options.appId ?? '',
    MicrosoftAppPassword: options.appPassword ?? '',
    MicrosoftAppType: options.appType,
    MicrosoftAppTenantId: options.tenantId ?? '',
    ...(options.certificateThumbprint ? { CertificateThumbprint: options.certificateThumbprint, CertificatePrivateKey: options.certificatePrivateKey } : {}),
  } as never);
  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: options.appId ?? '',
      MicrosoftAppTenantId: options.tenantId,
      // Naming the key source switches botframework to fully explicit settings: give the public cloud's others
      ...(options.openIdMetadataUrl
        ? {
            ToBotFromChannelOpenIdMetadataUrl: options.openIdMetadataUrl,
            ToBotFromEmulatorOpenIdMetadataUrl: options.openIdMetadataUrl,
            ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
            ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
            ToChannelFromBotOAuthScope: 'https://api.botframework.com',
            OAuthUrl: 'https://api.botframework.com',
            CallerId: 'urn:botframework:azure',
            ValidateAuthority: true,
          }
        : {}),
    },
    credentials,
  );
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    logger.warn({ err: error.message, activityType: context.activity.type }, 'teams turn failed');
    if (context.activity.type === ActivityTypes.Message) await context.sendActivity('Sorry — something went wrong on our side. Please try again in a moment.').catch(() => undefined);
  };
  const notifier = new TeamsNotifier(deps, runtime.pacing, adapter, options.appId ?? '', logger);
  const known = knownPeople((aadObjectId) => personByTeams(deps, aadObjectId), { onRefreshError: (error) => logger.warn({ err: error.message }, 'teams identity not refreshed') });

  const { onVerb, onText } = conversation(runtime, 'teams', { formAgainOnRefusal: true });
  const unmatched = unmatchedSenders(runtime);

  // reading rosters and opening one-to-one conversations: on the queue, never inside the request
  const roster = startTeamsRoster(runtime, adapter, options.appId ?? '');
  runtime.closers.push(() => roster.close());
  /** What the queued work needs of this activity: its turn is closed once it is answered. */
  const originOf = (context: TurnContext): TurnOrigin => {
    const channelData = JSON.parse(JSON.stringify(context.activity.channelData ?? {})) as { tenant?: { id?: string } };
    return {
      reference: TurnContext.getConversationReference(context.activity),
      channelData,
      conversation: { ...context.activity.conversation },
      tenantId: context.activity.conversation.tenantId ?? channelData.tenant?.id,
    };
  };
  const cardFor = async (view: NotificationView) => {
    if (view.type !== 'record-sheet') return renderCard(view);
    const parties = await deps.people.getMany([view.supervisor.id, ...view.supervisees.map((s) => s.id)]);
    return renderCard(view, parties.map((p) => p.identities.teamsAadObjectId).filter((id): id is string => Boolean(id)));
  };

  async function onTurn(context: TurnContext): Promise<void> {
    const parsed = activitySchema.safeParse(context.activity);
    if (!parsed.success) {
      const view = fieldError(parsed.error);
      logger.info({ field: (view as { field?: string }).field }, 'teams activity refused');
      if (context.activity.type === ActivityTypes.Invoke) {
        await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: (view as { message: string }).message } } } });
      }
      return;
    }
    const activity = parsed.data;
    const interactionId = `${activity.conversation.id}.${activity.id ?? ''}`;
    const person = activity.from.aadObjectId ? await known.find(activity.from.aadObjectId.toLowerCase()) : null;
    if (person) {
      // The person's conversation reference is kept for proactive messages. It is written when it changed,
      // in the background: the person's action does not wait on it, and a failed write is tried again next time.
      const reference = JSON.stringify(TurnContext.getConversationReference(context.activity));
      if (known.changed(person.id, reference)) {
        deps.deliveries.put(CONVERSATION_THREAD, person.id, 'teams', { reference }).catch((error: Error) => {
          known.forget(person.id);
          logger.warn({ err: error.message }, 'teams conversation reference not stored');
        });
      }
    }
    if (activity.type === ActivityTypes.Invoke && activity.name === 'adaptiveCard/action') {
      const value = z.object({ action: z.object({ verb: z.string().max(100), data: z.unknown().optional() }) }).safeParse(activity.value);
      const view: NotificationView = !person
        ? { type: 'refusal', text: NOT_SET_UP }
        : !value.success
          ? fieldError(value.error, 'action')
          : await onVerb(person, value.data.action.verb, value.data.action.data, interactionId);
      const card = await cardFor(view);
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } } });
      return;
    }
    if (activity.type === ActivityTypes.Invoke) {
      // an invoke this bot has no handler for (task modules, message extensions, …) is refused, naming it
      const message = `name: "${(activity.name ?? '').slice(0, 40)}" is not an invoke this bot handles`;
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } } } });
      return;
    }
    if (activity.type === ActivityTypes.Message) {
      if (!person && activity.from.aadObjectId) {
        // someone who wrote and is linked to nobody: listed for the admin to link in one step
        const name = (context.activity.from as { name?: unknown }).name;
        await unmatched
          .record({ platform: 'teams', userId: activity.from.aadObjectId.toLowerCase(), ...(typeof name === 'string' ? { name: name.slice(0, 100) } : {}), ...(activity.conversation.tenantId ? { tenantId: activity.conversation.tenantId } : {}), at: deps.clock.now().toISOString() })
          .catch((error: Error) => logger.warn({ err: error.message }, 'unmatched sender not kept'));
      }
      let view: NotificationView;
      if (!person) view = { type: 'refusal', text: NOT_SET_UP };
      else if (activity.value && typeof activity.value === 'object' && 'verb' in (activity.value as object)) {
        // Action.Submit fallback from clients below Adaptive Cards 1.5
        const { verb, ...data } = activity.value as { verb: unknown };
        view = await onVerb(person, String(verb), data, interactionId);
      } else {
        // a reply to the agenda prompt's card answers that session's prompt
        const replyTo = typeof context.activity.replyToId === 'string' ? context.activity.replyToId.slice(0, 300) : undefined;
        const threadSessionId = replyTo ? await sessionOfThread(deps, person.id, 'teams', replyTo).catch(() => undefined) : undefined;
        view = await onText(person, activity.text ?? '', interactionId, threadSessionId ? { threadSessionId } : {});
      }
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(await cardFor(view))] });
      return;
    }
    if (activity.type === ActivityTypes.ConversationUpdate) {
      const added = (context.activity.membersAdded ?? []) as Array<{ id?: string }>;
      const team = (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
      if (team && added.some((m) => m.id === context.activity.recipient?.id)) {
        // the roster can be thousands of people: read on the queue, paced, after the activity is answered
        await roster.add({ kind: 'team', origin: originOf(context) }, `${team}.${activity.id ?? ''}`);
      }
    }
    const personal = (context.activity.conversation as { conversationType?: string }).conversationType === 'personal';
    const installed =
      (activity.type === ActivityTypes.InstallationUpdate && (context.activity as { action?: string }).action !== 'remove') ||
      (activity.type === ActivityTypes.ConversationUpdate && ((context.activity.membersAdded ?? []) as Array<{ id?: string }>).some((m) => m.id === context.activity.recipient?.id));
    if (personal && installed && !person && activity.from.aadObjectId) {
      // installed for someone linked to nobody (by Graph, or by themselves): matched by their profile on the queue
      await roster.add({ kind: 'personal', origin: originOf(context), memberId: activity.from.id }, activity.from.aadObjectId.toLowerCase());
    }
    if (activity.type === ActivityTypes.InstallationUpdate || activity.type === ActivityTypes.ConversationUpdate) {
      if (person && activity.type === ActivityTypes.InstallationUpdate) {
        await context.sendActivity({ attachments: [CardFactory.adaptiveCard(renderCard(await onText(person, 'help', interactionId)))] });
      }
    }
  }

  return {
    adapter,
    notifier,
    mount(app) {
      const refuse = (res: express.Response, field: string, message: string) =>
        res.status(400).json({ error: { code: 'BadRequest', field, message: `${field}: ${message}` } });
      app.post(
        '/api/messages',
        express.json({ limit: '1mb' }),
        async (req: express.Request, res: express.Response) => {
          // an activity without the fields every Bot Framework activity has is refused before the adapter, naming
          // the field (the adapter would answer a bare 400, or fail on it); nothing is read or written for it
          const body: unknown = req.body;
          if (!body || typeof body !== 'object' || Array.isArray(body)) return void refuse(res, 'body', 'must be a JSON activity');
          const parsed = activitySchema.safeParse(body);
          if (!parsed.success) {
            const view = fieldError(parsed.error, 'body') as { field: string; message: string };
            return void refuse(res, view.field, view.message.slice(view.field.length + 2));
          }
          await adapter.process(req as never, res as never, onTurn);
        },
        (error: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
          // a body that is not JSON, too large, or in an unknown encoding: the body is the field
          if (res.headersSent || !error.status || error.status >= 500) return next(error);
          refuse(res, 'body', error.type === 'entity.too.large' ? 'is larger than 1 MB' : 'must be a JSON activity');
        },
      );
    },
  };
}
