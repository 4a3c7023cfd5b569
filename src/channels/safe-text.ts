/**
 * Text a person typed is shown as text on every surface: nothing in it becomes a link, a mention or
 * formatting. Each channel escapes its own markup (Slack mrkdwn in `slack/blocks.ts`, Adaptive Card markdown
 * in `teams/cards.ts`); what is common is here — a web address or an all-people mention stays visible but
 * inert, so a chat client's own link detection or mention parsing does not pick it up either.
 */

/** U+2060 WORD JOINER: invisible, unbreakable, and not part of any address or mention syntax. */
const JOIN = '\u2060';

/**
 * `https://evil.example` → `https:⁠//evil.example`, `www.x` → `www⁠.x`, `@here` → `@⁠here`: the same text on
 * screen, but no client reads it as an address or a mention.
 */
export function defuse(text: string): string {
  return text
    .replace(/([A-Za-z][A-Za-z0-9+.-]*):\/\//g, `$1:${JOIN}//`)
    .replace(/\b(www)\./gi, `$1${JOIN}.`)
    .replace(/@(here|channel|everyone|all|team)\b/gi, `@${JOIN}$1`)
    .replace(/\b(mailto|tel):/gi, `$1${JOIN}:`);
}
