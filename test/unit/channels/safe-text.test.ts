import { describe, expect, it } from 'vitest';
import type { NotificationView } from '../../../src/app/views.js';
import { defuse } from '../../../src/channels/safe-text.js';
import { render } from '../../../src/channels/slack/blocks.js';
import { renderCard } from '../../../src/channels/teams/cards.js';
import { record } from '../../support/sample-views.js';

/** What people have typed to make a chat client do something. */
const HOSTILE = ['[phish](https://evil.example/login)', '[x](y)', '<!channel>', '@here', '<https://evil.example|click>', '<@U0DEMO01>', '*bold* _it_ ~gone~ `code`', '<b>bold</b><script>alert(1)</script>', 'www.evil.example', '**loud**'];
const typed = HOSTILE.join(' ');

const views: NotificationView[] = [
  { ...record, notes: typed, concerns: [{ id: 'c1', text: typed, riskOfHarm: true, canFlag: true }], caseDecisions: [{ ...record.caseDecisions[0]!, decision: typed, rationale: typed }], actions: [{ ...record.actions[0]!, text: typed }] },
  { type: 'escalation', escalationId: 'e1', raisedByName: 'Amy', subjectName: 'Amy', raisedAtText: 'now', source: 'agenda-item', text: typed, acknowledged: false },
  { type: 'dispute-notice', recordId: 'r', dateText: 'Tue 11 Nov 2025', supervisorName: 'Sam', superviseeNames: ['Amy'], raisedByName: 'Amy', reason: typed },
  {
    type: 'agenda',
    items: [{ id: 'i1', text: typed, authorName: 'Amy', category: 'case-discussion', categoryLabel: 'Case discussion', riskOfHarm: false, canFlag: true }],
    parkedItems: [{ id: 'p1', text: typed, authorName: 'Amy', category: 'other', categoryLabel: 'Other', riskOfHarm: false, canFlag: true, informalText: 'Raised informally on Mon 10 Nov 2025' }],
    forNames: ['Amy'],
    parkedCount: 1,
    added: 1,
    parked: false,
    escalated: false,
    limits: [],
  },
  { type: 'agenda-suggestion', text: typed, question: 'Add this to your agenda for Tue 11 Nov 2025, 15:45 with Sam?', options: [{ sessionId: 's1', sessionText: 'Tue 11 Nov 2025, 15:45 with Sam' }], categories: [{ value: 'other', label: 'Other' }] },
  {
    type: 'agenda-prompt', sessionId: 's', contractId: 'c', recipientRole: 'supervisee', startsAtText: 'Tue 11 Nov 2025, 15:45', durationMinutes: 60, location: 'Room 2', withNames: ['Sam'], openActions: [],
    items: [{ id: 'i2', text: typed, authorName: 'Amy', category: 'other', categoryLabel: 'Other', riskOfHarm: false, canFlag: true }],
    parkedItems: [{ id: 'p2', text: typed, authorName: 'Amy', category: 'other', categoryLabel: 'Other', riskOfHarm: false, canFlag: true, informalText: 'Raised informally on Mon 10 Nov 2025' }],
    templateName: 'Standing checklist', templateLines: ['Workload'], categories: [],
  },
  { type: 'text', text: typed },
];

/** Every string of a JSON value, with where it is. */
function strings(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

describe('text a person typed is shown as text', () => {
  it('defuse keeps the words but no address or all-people mention survives', () => {
    const out = defuse('see https://evil.example and www.evil.example @here');
    expect(out).not.toMatch(/https:\/\/|www\.|@here/);
    expect(out.replace(/\u2060/g, '')).toBe('see https://evil.example and www.evil.example @here');
  });

  it('Slack: no link, mention or mrkdwn formatting comes from it, and every text object is verbatim', () => {
    for (const view of views) {
      const message = render(view);
      for (const [where, s] of strings(message)) {
        // a button's value is data handed back to the bot (the suggestion's words for its form), never shown
        if (/\.elements\[\d+\]\.value$/.test(where)) continue;
        expect(s, where).not.toMatch(/<!channel>|<@U|<https?:|https:\/\/|www\.|@here|<script|<b>/);
        expect(s, where).not.toMatch(/\*bold\*|_it_|~gone~|`code`/);
      }
      const texts = JSON.stringify(message.blocks).match(/"type":"mrkdwn"/g) ?? [];
      expect((JSON.stringify(message.blocks).match(/"verbatim":true/g) ?? []).length, view.type).toBe(texts.length);
      expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt;');
    }
  });

  it('Teams: it reaches the card only as TextRuns (never markdown), and inputs get it back exactly', () => {
    for (const view of views) {
      const card = renderCard(view);
      const json = JSON.stringify(card);
      for (const [where, s] of strings(card)) {
        if (/\.text$/.test(where) && !/inlines\[\d+\]\.text$/.test(where) && !where.includes('Action')) {
          // a TextBlock's text is markdown: none of the typed markup may be in one
          expect(s, where).not.toMatch(/\]\(|https:\/\/|<!channel>|\*\*loud/);
        }
        expect(s, where).not.toMatch(/[\uE000\uE001]/);
      }
      if (view.type === 'agenda-suggestion') {
        // the words go back into the item form to be added: the input holds exactly what was typed
        expect(strings(card).some(([w, s]) => w.endsWith('.value') && s === typed), 'the suggestion form holds the words as typed').toBe(true);
        continue;
      }
      expect(json, view.type).toContain('"type":"TextRun"');
      expect(json, 'shown as typed, the address defused').toContain('[phish](https:\u2060//evil.example/login)');
    }
    const editing = renderCard({ ...record, canEdit: true, notes: typed });
    const notes = strings(editing).find(([w, s]) => w.endsWith('.value') && s === typed);
    expect(notes, 'the Discussion input holds exactly what was typed').toBeTruthy();
  });
});
