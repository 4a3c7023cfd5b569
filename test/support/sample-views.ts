/** Realistic and oversized views, for checking every channel's rendering against its platform's limits. */
import type { NotificationView, OverdueSummaryView, RecordSheetView } from '../../src/app/views.js';

export const long = (n: number) => 'x'.repeat(n);
export const record: RecordSheetView = {
  type: 'record-sheet', recordId: 'rec.c-amy.2025-11-11', version: 1, state: 'awaiting-confirmation', stateLabel: 'Waiting for confirmation', viewerId: 'amy', viewerRole: 'supervisee',
  canEdit: false, canConfirm: true, canDispute: true, sessionId: 'c-amy.2025-11-11', dateText: 'Tue 11 Nov 2025', supervisor: { id: 'sup', name: 'Sam Supervisor' }, supervisees: [{ id: 'amy', name: 'Amy Teacher' }],
  topics: ['performance'], topicLabels: ['Performance'], topicOptions: [{ value: 'performance', label: 'Performance' }], notes: 'Discussed caseload', concerns: [{ id: 'c1', text: 'Attendance pattern', riskOfHarm: false, canFlag: true }],
  caseDecisions: [{ id: 'd1', childRef: 'JB', decision: 'Refer', rationale: 'Attendance', followUpById: 'amy', followUpByName: 'Amy Teacher', copyDueText: 'Wed 12 Nov 2025, 17:00', copied: false }],
  actions: [{ id: 'a1', text: 'Call home', ownerId: 'amy', ownerName: 'Amy Teacher', dueDate: '2025-11-14', dueText: 'Fri 14 Nov 2025' }], previousActions: [], confirmations: [], awaiting: [{ id: 'amy', name: 'Amy Teacher' }], ownerOptions: [],
  editLabel: 'Edit the record', canRefer: false, canHear: false, canCorrect: false,
};
const dispute = { byName: 'Amy Teacher', reason: long(2000), atText: 'Wed 12 Nov 2025, 09:00' };
const row = (i: number) => ({ personId: `p${i}`, personName: `Person ${i}`, detail: `next booked Tue 24 Nov 2026, 15:45 ${long(80)}`, daysOverdue: i, refId: `c${i}` });
export const overdue = (n: number): OverdueSummaryView => ({
  type: 'overdue-summary', organisationName: 'Aire Valley Learning Trust', generatedAtText: 'Mon 23 Nov 2026, 09:00', filter: 'all',
  sessions: Array.from({ length: n }, (_, i) => ({ ...row(i), lastSessionText: 'Mon 7 Sept 2026' })), records: Array.from({ length: n }, (_, i) => row(i)), actions: [], reviews: [], caseDecisions: [], escalations: [], unreachable: [],
  notEngaging: Array.from({ length: Math.min(n, 3) }, (_, i) => row(i)),
  counts: { sessions: n, records: n, actions: 0, reviews: 0, caseDecisions: 0, escalations: 0, unreachable: 0, notEngaging: Math.min(n, 3) },
  shown: ['escalations', 'sessions', 'records', 'actions', 'reviews', 'caseDecisions', 'unreachable'],
  countFacts: [{ label: 'Overdue supervision', number: String(n) }, { label: 'Records awaiting confirmation', number: String(n) }],
});
export const views: NotificationView[] = [
  record,
  { ...record, state: 'signed', stateLabel: 'Signed', canConfirm: false, canDispute: false, signedText: 'Signed by both on Wed 12 Nov 2025' },
  { ...record, canEdit: true, canConfirm: false, canDispute: false, state: 'draft', stateLabel: 'Draft', notice: 'Action 2: the due date must be between the session and a year after it\nNext session: pick a school day' },
  { ...record, state: 'disputed', stateLabel: 'Change requested', viewerId: 'sup', viewerRole: 'supervisor', canConfirm: false, canDispute: false, canEdit: true, editLabel: 'Edit and resend', canRefer: true, referToName: 'Gill Governor', dispute },
  {
    ...record, state: 'disputed', stateLabel: 'Change requested', viewerId: 'governor', viewerRole: 'reader', canConfirm: false, canDispute: false, canHear: true,
    dispute: { ...dispute, routedToName: 'Gill Governor', referredText: 'Referred to Gill Governor by Sam Supervisor on Wed 12 Nov 2025, 10:00', meetingText: 'Three-way meeting on Mon 17 Nov 2025, 15:45' },
  },
  { ...record, state: 'signed', stateLabel: 'Signed', canConfirm: false, canDispute: false, canCorrect: true, signedText: 'Signed on Mon 17 Nov 2025, 16:30 after the change asked for was heard: kept as it was', dispute: { ...dispute, resolvedText: 'Kept as it was, decided by Gill Governor on Mon 17 Nov 2025, 16:30', resolution: long(2000) } },
  { ...record, version: 1, state: 'signed', stateLabel: 'Signed', canConfirm: false, canDispute: false, signedText: 'Signed by both on Wed 12 Nov 2025', supersededByVersion: 2 },
  { ...record, version: 2, state: 'draft', stateLabel: 'Draft', canConfirm: false, canDispute: false, canEdit: true, correction: { byName: 'Dee Lead', reason: long(2000), atText: 'Thu 13 Nov 2025, 09:00', supersedesVersion: 1 } },
  // a group: the attendance on the sheet, and on the form (formOf builds it from the sheet's)
  {
    ...record, supervisees: [{ id: 'amy', name: 'Amy Teacher' }, { id: 'ben', name: 'Ben Pastoral' }],
    attendance: [{ personId: 'amy', name: 'Amy Teacher', state: 'present', stateText: 'Present' }, { personId: 'ben', name: long(200), state: 'absent', stateText: 'Absent' }],
  },
  { ...record, lineManagerReferral: { kindText: 'a development matter', note: long(500), toName: 'Sam Supervisor', statusText: 'Goes to Sam Supervisor, their line manager, once the record is signed — this note only, none of the session' } },
  {
    ...record, canEdit: true, canConfirm: false, canDispute: false, state: 'draft', stateLabel: 'Draft',
    attendance: [{ personId: 'amy', name: 'Amy Teacher', state: 'apologies', stateText: 'Apologies' }, { personId: 'ben', name: 'Ben Pastoral', state: 'absent', stateText: 'Absent' }],
  },
  { ...record, notes: long(20_000), concerns: Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, text: long(2000), riskOfHarm: i % 2 === 0, canFlag: i % 2 === 1 })) },
  { type: 'agenda-prompt', sessionId: 's', contractId: 'c', recipientRole: 'supervisee', startsAtText: 'Tue 11 Nov 2025, 15:45', durationMinutes: 60, location: 'Room 2', withNames: ['Sam Supervisor'], openActions: [], items: [], parkedItems: [], templateName: 'Standing checklist', templateLines: ['Workload', 'Wellbeing'], categories: [] },
  { type: 'agenda', items: Array.from({ length: 200 }, (_, i) => ({ id: `i${i}`, text: long(300), authorName: 'Amy', category: 'case-discussion', categoryLabel: 'Case discussion', riskOfHarm: false, canFlag: true })), parkedItems: [{ id: 'p1', text: long(300), authorName: 'Amy', category: 'other', categoryLabel: 'Other', riskOfHarm: false, canFlag: true, informalText: 'Raised informally on Mon 10 Nov 2025' }], parkedCount: 1, added: 2, parked: false, escalated: true, limits: ['Only the first 20 items were added; the other 180 lines were not — send them in another message.'] },
  { type: 'agenda', items: [], parkedItems: [], parkedCount: 0, added: 1, parked: false, escalated: true, unheard: true, limits: [] },
  { type: 'agenda-suggestion', text: long(2000), question: 'Which session is this for? Choose one to add it to its agenda.', options: Array.from({ length: 8 }, (_, i) => ({ sessionId: `s${i}`, sessionText: `Tue 11 Nov 2025, 15:45 with Person ${i}` })), categories: [{ value: 'other', label: 'Other' }] },
  { type: 'agenda-form', text: '', selected: '', options: Array.from({ length: 30 }, (_, i) => ({ contractId: `c-p${i}`, sessionText: `Person ${i} ${long(60)} — Tue 11 Nov 2025, 15:45` })), categories: [{ value: 'other', label: 'Other' }] },
  { type: 'agenda-form', text: long(2000), selected: 'c-amy', notice: 'contractId: choose whose session this is for', options: [{ contractId: 'c-amy', sessionText: 'Your supervision with Sam Supervisor — Tue 11 Nov 2025, 15:45' }], categories: [{ value: 'other', label: 'Other' }] },
  overdue(0),
  overdue(3),
  overdue(2000),
  { type: 'escalation', escalationId: 'e1', raisedByName: 'Amy', subjectName: 'Amy', raisedAtText: 'now', source: 'agenda-item', text: long(5000), acknowledged: false },
  { type: 'escalation-raised', dslNames: ['Dee Lead'], raisedAtText: 'now' },
  { type: 'escalation-raised', dslNames: [], raisedAtText: 'now' },
  { type: 'incident-offer', offerId: 'inc.1.amy', title: 'Would you like extra supervision?', lines: ['After a recent incident, extra supervision is offered to everyone involved.'], again: false, supportContacts: [{ name: 'Samaritans', phone: '116 123' }] },
  { type: 'incident-offer', offerId: 'inc.1.ben', title: 'Would you like extra supervision?', lines: ['Dee Lead: thank you for today'], again: true, supportContacts: [] },
  { type: 'escalation-raised', dslNames: ['Dee Lead'], raisedAtText: 'now', supportContacts: [{ name: 'Samaritans', phone: '116 123', description: 'you do not have to feel suicidal to call them' }] },
  { type: 'reminder', kind: 'notice', title: 'Supervision in a week', lines: ['Tue 18 Nov 2025, 15:45 with Sam'] },
  { type: 'next-session', items: [], openActions: [] },
  { type: 'next-session', session: { id: 'c-amy.2025-11-11', startsAtText: 'Tue 11 Nov 2025, 15:45', withNames: ['Sam Supervisor'], location: 'Room 2' }, items: [], openActions: [] },
  { type: 'reminder', kind: 'day-before', title: 'Supervision tomorrow', lines: ['Tue 18 Nov 2025, 15:45 with Sam'], sessionId: 'c-amy.2025-11-18' },
  { type: 'move-form', sessionId: 'c-amy.2025-11-11', cancel: true, title: 'Cancel the session of Tue 11 Nov 2025, 15:45 and book a new time', startsAtText: 'Tue 11 Nov 2025, 15:45', date: '2025-11-11', time: '15:45', withNames: ['Sam Supervisor'], dueByText: 'Fri 28 Nov 2025', dueBy: '2025-11-28' },
  { type: 'actions', actions: [] },
  {
    type: 'actions',
    notice: 'Action marked as done.',
    actions: Array.from({ length: 30 }, (_, i) => ({ id: `rec.c-amy.2025-11-11.a${i}`, text: long(1000), ownerName: 'Amy Teacher', dueDate: '2025-11-14', dueText: 'Fri 14 Nov 2025', late: i % 2 === 0, canComplete: true, canSetAside: i % 3 === 0 })),
  },
  { type: 'reminder', kind: 'action-late', title: 'An agreed action is past its date', lines: ['“Call home” was due Fri 14 Nov 2025.'], action: { id: 'rec.c-amy.2025-11-11.a1', canSetAside: true } },
  { type: 'reminder', kind: 'case-decision-copy', title: 'A case decision must reach the child’s file', lines: ['JB by Wed 12 Nov 2025, 17:00'], recordId: 'rec.c-amy.2025-11-11', caseDecision: { recordId: 'rec.c-amy.2025-11-11', decisionId: 'd1' } },
  { type: 'help', isDsl: true, supportContacts: [{ name: 'Education Support', phone: '08000 562 561' }] },
  { type: 'dispute-notice', recordId: 'r', dateText: 'Tue 11 Nov 2025', supervisorName: 'Sam', superviseeNames: ['Amy'], raisedByName: 'Amy', reason: long(4000) },
  { type: 'dashboard-link', path: '/tab/signin/amy/x', url: 'https://bot.school.example/tab/signin/amy/NDNjaGFyYWN0ZXJzLWxvbmctc2VjcmV0LWZvci10ZXN0cw', signIn: true, validMinutes: 10 },
  { type: 'dashboard-link', path: '/tab/', url: 'https://teams.microsoft.com/l/entity/app/dsl-dashboard', signIn: false },
  { type: 'text', text: 'Done.' },
  { type: 'refusal', text: 'Sorry — that is not something you can do here.' },
  { type: 'error', field: 'filter', message: 'filter: use one of: sessions, records, actions, reviews' },
  {
    type: 'session-check', sessionId: 'c-amy.2025-11-11', title: 'Did the session of Tue 11 Nov 2025, 15:45 happen?', lines: ['Supervision with Amy Teacher was booked for Tue 11 Nov 2025, 15:45 and has no record yet.'],
    startsAtText: 'Tue 11 Nov 2025, 15:45', withNames: ['Amy Teacher'], again: false, date: '2025-11-12', time: '15:45',
    reasons: [{ value: 'supervisee-absent', label: 'The supervisee could not attend' }, { value: 'other', label: 'Another reason' }],
  },
  {
    type: 'next-session', items: [], openActions: [], canRequest: true,
    pending: { id: 'c-amy.2025-11-11', startsAtText: 'Tue 11 Nov 2025, 15:45', withNames: ['Sam Supervisor'], canAnswer: true },
    notHeld: [{ startsAtText: 'Tue 14 Oct 2025, 15:45', reasonText: 'The school was closed' }],
  },
  { type: 'session-request', requestId: 'req.c-amy.x1', title: 'Amy Teacher asks for a supervision session', requesterName: 'Amy Teacher', reason: long(500), bookByText: 'Tue 18 Nov 2025', date: '2025-11-12', time: '15:45' },
];

