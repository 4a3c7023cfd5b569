/**
 * Group supervision through each channel's real endpoints (issue 14 "Groups"): the record form of a group
 * session takes each member's attendance, the minutes go to every member and are signed only when all of them
 * have confirmed, and a member absent from two sessions in a row is reported to their line manager and the
 * DSL and listed by `/overdue not-engaging`; a member who sent apologies is not. And "Refer to line manager"
 * (template "supervision agreement"): the DSL supervising someone they do not line-manage refers a development
 * matter; once signed, the line manager gets the note and none of the session, and the supervisee is told.
 * Each channel's test file says how its people open and send the form, confirm, and read what reached them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceState } from '../../src/domain/types.js';
import { eventually } from './eventually.js';
import { contract, london } from './school.js';
import type { World } from './world.js';

export interface GroupChannel {
  world(): World;
  /** The supervisor opens the record form of a session: the members its attendance inputs list, in order. */
  openForm(sessionId: string): Promise<string[]>;
  /** The supervisor sends the form with a note and each member's attendance as given (others as the form shows). */
  send(sessionId: string, attendance: Record<string, AttendanceState>): Promise<void>;
  /** A party confirms the record's latest version from their own card. */
  confirm(personId: string, recordId: string, version: number): Promise<void>;
  /** Everything that has reached a person so far, as text. */
  received(personId: string): Promise<string>;
  /** `/overdue not-engaging` typed by a person, the answer as text. */
  overdue(personId: string): Promise<string>;
  /** A supervisor opens the record form of a session: the form as text. */
  openFormAs(personId: string, sessionId: string): Promise<string>;
  /** A supervisor sends the form with these notes and, when given, a referral to the line manager. */
  sendAs(personId: string, sessionId: string, fields: { notes: string; referKind?: 'conduct' | 'development'; referNote?: string }): Promise<void>;
}

export const REFERRED = 'c-dsl-amy.2025-11-06';
const SESSION_NOTES = 'Amy described a Year 2 disclosure and how it was passed on';
const REFERRAL_NOTE = 'Would benefit from the Level 3 refresher this term';

export const GROUP_ID = 'c-group';
export const FIRST = `${GROUP_ID}.2025-11-03`;
export const SECOND = `${GROUP_ID}.2025-11-05`;

export function groupJourneys(channel: GroupChannel): void {
  let w: World;
  beforeAll(async () => {
    w = channel.world();
    // Sam supervises Amy and Ben as a group; two sessions took place last week, neither written up yet
    await w.deps.contracts.upsert(contract({ id: GROUP_ID, kind: 'group', superviseeIds: ['amy', 'ben'], preferredTime: '12:30', location: 'Library', cadence: { kind: 'weekly' } }));
    for (const [id, day] of [[FIRST, '2025-11-03'], [SECOND, '2025-11-05']] as const) {
      await w.deps.sessions.insert({ id, organisationId: w.org.id, contractId: GROUP_ID, startsAt: london(`${day}T12:30`), durationMinutes: 60, status: 'scheduled' });
    }
    // the DSL supervises Amy, whose line manager is Sam
    await w.deps.contracts.upsert(contract({ id: 'c-dsl-amy', supervisorIds: ['dsl'], superviseeIds: ['amy'], preferredTime: '10:00', location: 'DSL office' }));
    await w.deps.sessions.insert({ id: REFERRED, organisationId: w.org.id, contractId: 'c-dsl-amy', startsAt: london('2025-11-06T10:00'), durationMinutes: 60, status: 'scheduled' });
  });

  describe('refer to line manager', () => {
    it('the DSL’s form offers it, naming the line manager; a supervisor who is the line manager is not offered it', async () => {
      expect(await channel.openFormAs('dsl', REFERRED)).toContain('Refer to line manager (Sam Supervisor)');
      expect(await channel.openFormAs('sup', FIRST)).not.toContain('Refer to line manager');
    });

    it('once signed, the line manager gets the note and none of the session; the supervisee is told it was sent', async () => {
      await channel.sendAs('dsl', REFERRED, { notes: SESSION_NOTES, referKind: 'development', referNote: REFERRAL_NOTE });
      const record = await eventually(async () => {
        const r = await w.deps.records.latest(`rec.${REFERRED}`);
        return r?.state === 'awaiting-confirmation' ? r : undefined;
      }, 'the record sent to confirm');
      expect(record.referral).toEqual({ kind: 'development', note: REFERRAL_NOTE, lineManagerId: 'sup' });
      // nothing reaches the line manager before the record is signed
      expect(await channel.received('sup')).not.toContain(REFERRAL_NOTE);
      await channel.confirm('amy', record.id, record.version);
      await channel.confirm('dsl', record.id, record.version);
      await eventually(async () => (await channel.received('sup')).includes(REFERRAL_NOTE), 'the line manager gets the note');
      const manager = await channel.received('sup');
      expect(manager).toContain('a development matter');
      expect(manager).toContain('speak to Dee Lead');
      expect(manager).not.toContain(SESSION_NOTES);
      await eventually(async () => (await channel.received('amy')).includes('to your line manager, Sam Supervisor'), 'the supervisee is told');
      // the audit trail says it was referred, and to whom, never the note
      const entries = await w.deps.audit.entries(w.org.id);
      expect(entries.some((e) => e.action === 'record.referred-to-line-manager')).toBe(true);
      expect(JSON.stringify(entries)).not.toContain(REFERRAL_NOTE);
    });
  });

  describe('group attendance', () => {
    it('the record form lists every member for attendance', async () => {
      expect(await channel.openForm(FIRST)).toEqual(['amy', 'ben']);
    });

    it('the minutes go to every member with the attendance, and are signed only once every member has confirmed', async () => {
      await channel.send(FIRST, { amy: 'absent', ben: 'apologies' });
      const record = await eventually(async () => {
        const r = await w.deps.records.latest(`rec.${FIRST}`);
        return r?.state === 'awaiting-confirmation' ? r : undefined;
      }, 'the record sent to confirm');
      expect(record.attendance).toEqual([
        { personId: 'amy', state: 'absent' },
        { personId: 'ben', state: 'apologies' },
      ]);
      expect((await w.deps.sessions.get(FIRST))?.attendance).toEqual(record.attendance);
      for (const member of ['amy', 'ben']) {
        await eventually(async () => /Absent/.test(await channel.received(member)) && /Apologies/.test(await channel.received(member)), `${member} sees the attendance`);
      }
      await channel.confirm('sup', record.id, record.version);
      await channel.confirm('ben', record.id, record.version);
      await eventually(async () => (await w.deps.records.latest(record.id))?.confirmations.length === 2, 'two confirmations');
      expect((await w.deps.records.latest(record.id))?.state).toBe('awaiting-confirmation');
      await channel.confirm('amy', record.id, record.version);
      await eventually(async () => (await w.deps.records.latest(record.id))?.state === 'signed', 'signed once every member confirmed');
      // one absence is not yet "not engaging"
      expect((await w.deps.compliance.get(GROUP_ID))?.notEngaging?.reason).not.toBe('absent-in-a-row');
    });

    it('absent from a second session in a row: not engaging, the line manager and the DSL told, listed on /overdue; apologies are not', async () => {
      await channel.send(SECOND, { amy: 'absent', ben: 'present' });
      const summary = await eventually(async () => {
        const s = await w.deps.compliance.get(GROUP_ID);
        return s?.notEngaging?.reason === 'absent-in-a-row' ? s : undefined;
      }, 'not engaging');
      expect(summary.notEngaging).toEqual({ reason: 'absent-in-a-row', personIds: ['amy'], sessionIds: [FIRST, SECOND] });
      // Amy's line manager (Sam) and the DSL
      for (const told of ['dsl', 'sup']) {
        await eventually(async () => (await channel.received(told)).includes('Not engaging with supervision: Amy Teacher'), `${told} is told`);
      }
      expect(await channel.received('dsl')).toContain('absent, without apologies, from the last 2 group supervision sessions');
      const answer = await eventually(async () => {
        const text = await channel.overdue('dsl');
        return text.includes('Amy Teacher') ? text : undefined;
      }, '/overdue not-engaging');
      expect(answer).toContain('absent from the last 2 group sessions');
      expect(answer).not.toContain('Ben Pastoral');
    });
  });
}
