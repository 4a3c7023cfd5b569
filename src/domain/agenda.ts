/** Agenda items typed in chat, and the agenda checklists the policies give. */
import type { AgendaCategory, AgendaTemplate, RecordTopic } from './types.js';

export const MAX_AGENDA_ITEM_LENGTH = 500;
export const MAX_AGENDA_ITEMS_PER_REPLY = 20;

/** How long after an agenda prompt a plain line in chat is taken as the answer to it (stour §5, §6). */
export const AGENDA_REPLY_WINDOW_HOURS = 24;

export interface ParsedAgenda {
  /** The items kept, in order. */
  items: string[];
  /** 1-based numbers of kept items that were cut to `MAX_AGENDA_ITEM_LENGTH` characters. */
  shortened: number[];
  /** Lines past `MAX_AGENDA_ITEMS_PER_REPLY` that were not added. */
  notAdded: number;
}

/**
 * One item per line; bullets and numbering are dropped. Limits are said, not applied silently: the result
 * names what was shortened and how many lines were not added, for the person to be told.
 */
export function parseAgendaLines(text: string): ParsedAgenda {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*(?:[-*•·]|\d+[.)]|\(\d+\))\s*/, '').trim())
    .filter((line) => line.length > 0);
  const kept = lines.slice(0, MAX_AGENDA_ITEMS_PER_REPLY);
  return {
    items: kept.map((line) => line.slice(0, MAX_AGENDA_ITEM_LENGTH)),
    shortened: kept.flatMap((line, i) => (line.length > MAX_AGENDA_ITEM_LENGTH ? [i + 1] : [])),
    notAdded: lines.length - kept.length,
  };
}

export function parseAgendaReply(text: string): string[] {
  return parseAgendaLines(text).items;
}

/** What the person is told when a limit applied (empty when none did). */
export function limitsSaid(parsed: ParsedAgenda): string[] {
  const said: string[] = [];
  if (parsed.notAdded > 0) {
    said.push(
      `Only the first ${MAX_AGENDA_ITEMS_PER_REPLY} items were added; the other ${parsed.notAdded} line${parsed.notAdded === 1 ? ' was' : 's were'} not — send ${parsed.notAdded === 1 ? 'it' : 'them'} in another message.`,
    );
  }
  if (parsed.shortened.length > 0) {
    said.push(
      `Item${parsed.shortened.length === 1 ? '' : 's'} ${parsed.shortened.join(', ')} ${parsed.shortened.length === 1 ? 'was' : 'were'} longer than ${MAX_AGENDA_ITEM_LENGTH} characters: the first ${MAX_AGENDA_ITEM_LENGTH} were kept, the rest was not.`,
    );
  }
  return said;
}

/**
 * `add [name:] <text>` and `park [name:] <text>`. The name is a word or two before a colon; whether it names
 * a supervisee is for the caller to say (otherwise the whole of it is the item).
 */
export function parseAgendaCommand(text: string): { verb: 'add' | 'park'; name?: string; text: string } | undefined {
  const match = /^\s*\/?(add|park)\b[ \t]*:?[ \t]*(.*)$/is.exec(text);
  if (!match) return undefined;
  const verb = (match[1] ?? '').toLowerCase() as 'add' | 'park';
  const rest = (match[2] ?? '').trim();
  const named = /^([\p{L}][\p{L}'’-]*(?: [\p{L}][\p{L}'’-]*)?)\s*:\s*(.*)$/su.exec(rest);
  return named ? { verb, name: named[1], text: (named[2] ?? '').trim() } : { verb, text: rest };
}

/**
 * What a reply to the agenda prompt can hold, said in words when it holds more: nothing a person typed is cut
 * (stour §5, §6: both parties input the agenda; an item cut short is an item lost).
 */
export function agendaReplyProblem(text: string): string | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*(?:[-*•·]|\d+[.)]|\(\d+\))\s*/, '').trim())
    .filter((line) => line.length > 0);
  if (lines.length > MAX_AGENDA_ITEMS_PER_REPLY) {
    return `Agenda: send at most ${MAX_AGENDA_ITEMS_PER_REPLY} items at a time (this has ${lines.length}) — send the rest in another message`;
  }
  const long = lines.findIndex((line) => line.length > MAX_AGENDA_ITEM_LENGTH);
  if (long >= 0) {
    return `Agenda item ${long + 1}: an item can be at most ${MAX_AGENDA_ITEM_LENGTH} characters (this one has ${lines[long]?.length}) — split it over two lines`;
  }
  return undefined;
}

/** `park <text>`: white-laith, stour §2 — informal issues are revisited at the next formal session. */
export function parseParkCommand(text: string): string | undefined {
  const parsed = parseAgendaCommand(text);
  if (parsed?.verb !== 'park') return undefined;
  const rest = parsed.name ? `${parsed.name}: ${parsed.text}` : parsed.text;
  return rest.length > 0 ? rest.slice(0, MAX_AGENDA_ITEM_LENGTH) : '';
}

const SMALL_TALK = /^(?:hi|hiya|hello|hey|morning|good (?:morning|afternoon|evening)|thanks?|thank you(?: very much| so much)?|ta|cheers|many thanks|ok(?:ay)?|k|cool|great|lovely|brilliant|perfect|fine|sure|yes|yep|yeah|no|nope|got it|will do|noted|see you(?: then| soon| there)?|bye|goodbye|sounds good|no problem|np)\b[\s!.,:;)-]*(?:(?:thanks|thank you|cheers|you|x+|:\)|🙂|😊|👍)[\s!.,]*)*$/iu;

/**
 * A pleasantry ("thanks!", "hi", "ok 👍") is never an agenda item, in the prompt's window or out of it
 * (stour §5: the agenda is what the parties want to discuss).
 */
export function isSmallTalk(text: string): boolean {
  const t = text.trim();
  if (t.length === 0) return true;
  if (/^[\p{Extended_Pictographic}\s!.?]+$/u.test(t)) return true;
  return t.length <= 40 && !t.includes('\n') && SMALL_TALK.test(t);
}

/** Whether `now` falls in the window after an agenda prompt in which a plain line answers it. */
export function answersPrompt(promptSentAt: Date, sessionStartsAt: Date, now: Date): boolean {
  return now.getTime() >= promptSentAt.getTime() && now.getTime() < Math.min(promptSentAt.getTime() + AGENDA_REPLY_WINDOW_HOURS * 3_600_000, sessionStartsAt.getTime());
}

export const AGENDA_CATEGORY_LABELS: Record<AgendaCategory, string> = {
  'case-discussion': 'Case discussion',
  'impact-on-me': 'Impact on me / wellbeing',
  'professional-development': 'Professional development',
  organisational: 'Organisational',
  performance: 'Performance',
  aob: 'Any other business',
  other: 'Other',
};

/** An item nobody chose a category for is "Other" — never a guess from its words. */
export const DEFAULT_AGENDA_CATEGORY = 'other' satisfies AgendaCategory;

/** stour App. B topics. */
export const RECORD_TOPIC_LABELS: Record<RecordTopic, string> = {
  performance: 'Performance',
  'impact-on-individual': 'Impact of work on the individual',
  'professional-development': 'Professional development, including training',
  organisational: 'Organisational issues',
};

/** stour §6 general checklist. */
const GENERAL_AGENDA = [
  'Welcome and informal opener',
  'Setting agenda — both parties to input',
  'General offload and information sharing',
  'Review notes and agreed actions from the previous meeting',
  'Specific case load issues',
  'Problem solving and finding solutions',
  'Recognise and celebrate achievement',
  'Job related resource and support needs',
  'AOB',
];

/** stour App. A DSL supervision agenda (13 items). */
const DSL_AGENDA = [
  'Welcome',
  'Clarify roles and confidentiality',
  'Agreed expectations',
  'Review notes of previous meeting',
  'Share experience',
  'Reflections (feelings)',
  'Analysis — celebrate success and good practice, and consider what could be improved',
  'Action planning',
  'Impact of work on individuals professionally or personally, and any additional support needed',
  'Professional practice issues (new policies, quality of performance, safer working practice, boundaries, role)',
  'CPD support and access to resources',
  'AOB',
  'Date of next supervision',
];

export function agendaTemplateLines(template: AgendaTemplate): string[] {
  return template === 'dsl' ? [...DSL_AGENDA] : [...GENERAL_AGENDA];
}

/** stour §5 (Morrison 2005): prompts to reflect on a case before the session. */
export const REFLECTIVE_PROMPTS = [
  'Sense — the story: what happened?',
  'Feel — reflection: what was it like?',
  'Think — analysis: what does this mean?',
  'Do — action plans: what next?',
];
