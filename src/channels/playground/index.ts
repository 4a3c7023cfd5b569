/** The playground channel: its notifier (each person's chat in MongoDB) and the web chat under `/playground`. */
import type { Runtime } from '../../runtime.js';
import type { Mount } from '../../server.js';
import { playgroundInbox } from '../../store/playground-inbox.js';
import { playgroundPages, playgroundRouter } from '../../web/playground/api.js';
import { conversation } from '../conversation.js';
import { PlaygroundNotifier } from './notifier.js';

export interface PlaygroundChannel {
  notifier: PlaygroundNotifier;
  mount: Mount;
}

export function createPlaygroundChannel(runtime: Runtime): PlaygroundChannel {
  const inbox = playgroundInbox(runtime.store.connection);
  // no platform deadline here: a visitor would rather see the answer than be told it is on its way
  const api = playgroundRouter(runtime, { inbox, conversation: conversation(runtime, 'playground', { answerWithinMs: 20_000 }) });
  return {
    notifier: new PlaygroundNotifier(inbox),
    mount(app) {
      app.use('/playground/api', api);
      app.use('/playground', playgroundPages());
    },
  };
}
