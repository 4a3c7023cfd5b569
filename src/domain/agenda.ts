/** Agenda items typed in chat, and the agenda checklists the policies give. */
import type { AgendaCategory, AgendaTemplate, RecordTopic } from './types.js';

export const MAX_AGENDA_ITEM_LENGTH = 500;
export const MAX_AGENDA_ITEMS_PER_REPLY = 20;

/** One item per line; bullets and numbering are dropped. */
export function parseAgendaReply(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*(?:[-*•·]|\d+[.)]|\(\d+\))\s*/, '').trim())
    .filter((line) => line.length > 0)
    .map((line) => line.slice(0, MAX_AGENDA_ITEM_LENGTH))
    .slice(0, MAX_AGENDA_ITEMS_PER_REPLY);
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
  const match = /^\s*\/?park\b\s*(.*)$/is.exec(text);
  if (!match) return undefined;
  const rest = (match[1] ?? '').trim();
  return rest.length > 0 ? rest.slice(0, MAX_AGENDA_ITEM_LENGTH) : '';
}

export const AGENDA_CATEGORY_LABELS: Record<AgendaCategory, string> = {
  'case-discussion': 'Case discussion',
  'impact-on-me': 'Impact on me / wellbeing',
  'professional-development': 'Professional development',
  organisational: 'Organisational',
  performance: 'Performance',
  aob: 'Any other business',
};

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
