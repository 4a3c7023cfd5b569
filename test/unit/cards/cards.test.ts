import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { NotificationView, RecordSheetView } from '../../../src/app/views.js';
import { TEMPLATE_FOR, renderCard } from '../../../src/channels/teams/cards.js';
import { record, views } from '../../support/sample-views.js';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync('test/support/schemas/adaptive-card-1.5.schema.json', 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
const validate = ajv.compile({ ...schema, $id: schema.id, id: undefined });

const editing: RecordSheetView = { ...record, state: 'draft', stateLabel: 'Draft', viewerId: 'sup', viewerRole: 'supervisor', canEdit: true, canConfirm: false, canDispute: false, ownerOptions: [{ id: 'sup', name: 'Sam' }, { id: 'amy', name: 'Amy' }] };
const all: NotificationView[] = [...views, editing];

describe('Adaptive Card templates', () => {
  it('every view, expanded with realistic data, is a valid Adaptive Card 1.5', () => {
    for (const view of all) {
      const card = renderCard(view, view.type === 'record-sheet' ? ['aad-sup', 'aad-amy'] : []);
      const ok = validate(card);
      expect(ok ? [] : validate.errors?.slice(0, 3), `${view.type}`).toEqual([]);
      expect(card.version).toBe('1.5');
      expect(JSON.stringify(card)).not.toContain('${');
    }
  });

  it('the schema check refuses a broken card', () => {
    expect(validate({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock' }] })).toBe(false);
    expect(validate({ type: 'AdaptiveCard', version: '1.5', actions: [{ type: 'Action.Execute', title: 3 }] })).toBe(false);
  });

  it('every template file is used, and every view type has one', () => {
    const files = readdirSync('adaptive-cards').map((f) => f.replace(/\.json$/, '')).sort();
    expect([...new Set(Object.values(TEMPLATE_FOR))].sort()).toEqual(files);
  });

  it('a record sheet shows each party what their role may do, and refreshes for both', () => {
    const supervisee = JSON.stringify(renderCard(record, ['aad-sup', 'aad-amy']));
    expect(supervisee).toContain('"verb":"record.confirm"');
    expect(supervisee).toContain('"verb":"record.dispute"');
    expect(supervisee).not.toContain('record.submit');
    expect(supervisee).toContain('Attendance pattern');
    // Action.Submit fallback for clients below 1.5, carrying the same verb and data
    expect(supervisee).toContain('"fallback":{"type":"Action.Submit","title":"Confirm","data":{"verb":"record.confirm"');
    const supervisor = renderCard(editing, ['aad-sup', 'aad-amy']);
    expect(JSON.stringify(supervisor)).toContain('"verb":"record.submit"');
    expect(JSON.stringify(supervisor)).toContain('"id":"childRef"');
    expect(supervisor.refresh).toMatchObject({ userIds: ['aad-sup', 'aad-amy'], action: { type: 'Action.Execute', verb: 'record.refresh' } });
    const signed = JSON.stringify(renderCard({ ...record, state: 'signed', canConfirm: false, canDispute: false, signedText: 'Signed by both on Wed 12 Nov 2025' }));
    expect(signed).toContain('Signed by both on Wed 12 Nov 2025');
    // locked: nothing to confirm, dispute or edit; only a concern not yet flagged can still go to the DSL
    for (const verb of ['record.confirm', 'record.dispute', 'record.submit']) expect(signed).not.toContain(`"verb":"${verb}"`);
    expect(signed).toContain('"verb":"concern.flag"');
    const signedFlagged = JSON.stringify(renderCard({ ...record, state: 'signed', canConfirm: false, canDispute: false, signedText: 'Signed by both on Wed 12 Nov 2025', concerns: [{ id: 'c1', text: 'Attendance pattern', riskOfHarm: true, canFlag: false }] }));
    expect(signedFlagged).not.toContain('Action.Execute');
  });

  it('the overdue summary lists people with their detail', () => {
    const card = JSON.stringify(renderCard(views.find((v) => v.type === 'overdue-summary' && v.sessions.length === 3) as NotificationView));
    expect(card).toContain('**Person 2**');
    expect(card).toContain('Overdue — Aire Valley Learning Trust');
  });
});
