import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { NotificationView } from '../../../src/app/views.js';
import { long, overdue, record, views } from '../../support/sample-views.js';
import { LIMITS, blockKitProblems, paginate, render } from '../../../src/channels/slack/blocks.js';
import { modalMetadata, recordInputFromModal, recordModal, withAnotherRow } from '../../../src/channels/slack/record-modal.js';
import { formOf, schoolDayFrom } from '../../../src/app/record-form-context.js';

describe('Block Kit', () => {
  it('every view, realistic or oversized, renders within Slack’s limits once paginated', () => {
    for (const view of views) {
      const pages = paginate(render(view));
      expect(pages.length).toBeGreaterThan(0);
      for (const page of pages) {
        expect(blockKitProblems(page.blocks), view.type).toEqual([]);
        expect(page.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
      }
    }
  });

  it('a long overdue summary pages, and every person is on some page', () => {
    const pages = paginate(render(overdue(2000)));
    expect(pages.length).toBeGreaterThan(1);
    const all = JSON.stringify(pages);
    for (const i of [0, 999, 1999]) expect(all).toContain(`Person ${i}*`);
  });

  it('the limit checker catches what Slack would refuse', () => {
    expect(blockKitProblems(Array.from({ length: 51 }, () => ({ type: 'divider' as const })))).toEqual(['51 blocks (max 50)']);
    expect(blockKitProblems([{ type: 'section', text: { type: 'mrkdwn', text: long(3001) } }])[0]).toMatch(/3001 characters/);
  });

  it('buttons appear only for what the viewer may do; the signed view is locked', () => {
    const open = JSON.stringify(render(record).blocks);
    expect(open).toContain('record_confirm');
    expect(open).toContain('record_request_change');
    const signed = JSON.stringify(render(views[1] as NotificationView).blocks);
    expect(signed).not.toContain('record_confirm');
    expect(signed).toContain('Signed by both on');
  });

  it('a filtered /overdue shows that list alone, not nought for the others', () => {
    const filtered = {
      ...overdue(0),
      filter: 'actions' as const,
      filterText: 'Late actions only — type /overdue for everything',
      shown: ['actions' as const],
      countFacts: [{ label: 'Late actions', number: '1' }],
      actions: [{ personId: 'amy', personName: 'Amy Clarke', detail: 'Amy Clarke’s action from the session of Mon 2 Nov 2026 with James Whitfield — due Thu 5 Nov 2026', daysOverdue: 19, refId: 'a1' }],
      counts: { ...overdue(0).counts, actions: 1 },
    };
    const out = JSON.stringify(render(filtered));
    expect(out).toContain('Late actions only');
    expect(out).toContain('Late actions 1');
    expect(out).toContain('Amy Clarke’s action from the session of Mon 2 Nov 2026 with James Whitfield');
    expect(out).not.toMatch(/sessions 0|records 0|Overdue supervision|reviews 0/);
  });

  it('user text cannot become a mention or a link', () => {
    const out = JSON.stringify(render({ type: 'text', text: '<!channel> <https://evil.example|click>' }).blocks);
    expect(out).not.toContain('<!channel>');
    expect(out).toContain('&lt;!channel&gt;');
  });
});

describe('the record modal', () => {
  it('is within the modal limits, prefilled from the record', () => {
    const modal = recordModal('s', record, [{ id: 'sup', name: 'Sam' }, { id: 'amy', name: 'Amy' }], 'Session of Tue 11 Nov 2025 with Amy', formOf(record));
    expect(blockKitProblems(modal.blocks as never, LIMITS.modalBlocks)).toEqual([]);
    expect(JSON.stringify(modal)).toContain('Discussed caseload');
  });

  it('reads its fields into the use case input and names each bad field', () => {
    const at = (day: string, time: string) => new Date(`${day}T${time}:00Z`);
    const empty = Object.fromEntries(['topics', 'notes', 'concerns', 'risk', 'child_ref', 'decision', 'rationale', 'follow_up', 'action_0', 'owner_0', 'due_0', 'action_1', 'owner_1', 'due_1', 'action_2', 'owner_2', 'due_2', 'next_date', 'next_time'].map((b) => [b, { v: {} }]));
    const s1 = modalMetadata('s1', null);
    const ok = recordInputFromModal({ ...empty, notes: { v: { value: 'n' } }, risk: { v: { value: 'a bruise\n' } }, next_date: { v: { selected_date: '2025-12-09' } } }, s1, at);
    expect(ok.input).toMatchObject({ sessionId: 's1', notes: 'n', concerns: [{ text: 'a bruise', riskOfHarm: true }], nextSessionAt: '2025-12-09T15:45:00.000Z', submit: true });
    expect(recordInputFromModal({ ...empty, decision: { v: { value: 'Refer' } } }, s1, at).errors).toEqual({ child_ref: 'give the child’s initials or reference', rationale: 'record the rationale', follow_up: 'say who follows up' });
    expect(Object.keys(recordInputFromModal({ ...empty, due_0: { v: { selected_date: '11/11/2025' } } }, s1, at).errors ?? {})).toEqual(['due_0']);
    expect(Object.keys(recordInputFromModal({ notes: 5 }, s1, at).errors ?? {}).length).toBeGreaterThan(0);
    expect(recordInputFromModal({ notes: { v: { value: 'n' } } }, '{"s":', at).errors).toEqual({ notes: 'This form is out of date — open it again.' });
  });

  it('checks the whole form with the rules it carries, each refusal on its block', () => {
    const at = (day: string, time: string) => new Date(`${day}T${time}:00Z`);
    const rules = {
      sessionDay: '2025-11-11',
      parties: ['sup', 'amy'],
      followUpIds: ['sup', 'amy', 'dsl'],
      isSchoolDay: schoolDayFrom(['2025-12-22/2026-01-02']),
      previous: [{ id: 'rec.x.a1', label: 'Action from 4 Nov ‘Call home’' }],
      closed: ['2025-12-22/2026-01-02'],
    };
    const meta = modalMetadata('s1', rules);
    expect(meta.length).toBeLessThanOrEqual(3000);
    const values = {
      topics: { v: {} },
      concerns: { v: {} },
      risk: { v: {} },
      next_time: { v: {} },
      notes: { v: { value: 'n' } },
      prev_0: { v: { selected_option: { value: 'dropped' } } },
      prev_note_0: { v: { value: null } },
      action_0: { v: { value: 'Call the parent' } },
      owner_0: { v: { selected_option: { value: 'amy' } } },
      due_0: { v: { selected_date: '2025-11-14' } },
      action_1: { v: { value: 'Book training' } },
      owner_1: { v: { selected_option: { value: 'amy' } } },
      due_1: { v: { selected_date: '2027-01-01' } },
      next_date: { v: { selected_date: '2025-12-23' } },
    };
    expect(recordInputFromModal(values, meta, at).errors).toEqual({
      prev_note_0: 'Action from 4 Nov ‘Call home’: a note is needed to drop it',
      due_1: 'Action 2: the due date must be between the session and a year after it',
      next_date: 'Next session: pick a school day — that date is a weekend, a holiday or a bank holiday',
    });
    const fixed = { ...values, prev_note_0: { v: { value: 'The family moved away' } }, due_1: { v: { selected_date: '2025-12-01' } }, next_date: { v: { selected_date: '2025-12-09' } } };
    expect(recordInputFromModal(fixed, meta, at).input).toMatchObject({
      sessionId: 's1',
      previousActionsReviewed: [{ actionId: 'rec.x.a1', outcome: 'dropped', note: 'The family moved away' }],
      actions: [{ text: 'Call the parent' }, { text: 'Book training', dueDate: '2025-12-01' }],
    });
  });

  it('adds a row with “Add another”, keeping what was typed, up to ten', () => {
    const owners = [{ id: 'sup', name: 'Sam' }, { id: 'amy', name: 'Amy' }];
    let view = { ...recordModal('s', null, owners, 'Session', formOf({ actions: [], caseDecisions: [] } as never)), state: { values: { action_0: { v: { type: 'plain_text_input', value: 'Call home' } } } } } as Record<string, unknown>;
    for (let n = 2; n <= 10; n++) {
      const next = withAnotherRow(view as never, 'action') as unknown as { blocks: Array<Record<string, any>> };
      expect(next.blocks.filter((b) => /^action_\d$/.test(b.block_id)).length).toBe(n);
      expect(next.blocks.find((b) => b.block_id === 'action_0')?.element.initial_value).toBe('Call home');
      expect(blockKitProblems(next.blocks as never, LIMITS.modalBlocks)).toEqual([]);
      view = { ...next, callback_id: 'record_modal', state: { values: {} } };
    }
    expect((view.blocks as Array<{ block_id?: string }>).some((b) => b.block_id === 'add_action')).toBe(false);
    expect(withAnotherRow(view as never, 'action')).toBeNull();
  });
});

describe('the Slack app manifest', () => {
  const manifest = parse(readFileSync('manifests/slack/manifest.yaml', 'utf8'));
  it('declares the commands, events and scopes the app uses, at manifest version 2', () => {
    expect(manifest._metadata.major_version).toBe(2);
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/overdue', '/supervision']);
    for (const c of manifest.features.slash_commands) expect(c.usage_hint).toBeTruthy();
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'app_uninstalled', 'message.im', 'tokens_revoked']);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['chat:write', 'commands', 'im:history', 'im:write', 'users:read', 'users:read.email']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    const source = readFileSync('src/channels/slack/app.ts', 'utf8');
    for (const c of ['/overdue', '/supervision']) expect(source).toContain(`onCommand('${c}'`);
    for (const e of ['message', 'app_home_opened', 'app_uninstalled', 'tokens_revoked']) expect(source).toContain(`eventHandlers.set('${e}'`);
  });
});
