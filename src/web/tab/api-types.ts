/**
 * The dashboard API's contract, shared by the router (which validates with these schemas) and the browser app
 * (which imports only the types): query schemas, the `/me` answer, and the views each route returns.
 */
import { z } from 'zod';
import type { ImportReport } from '../../app/admin/report.js';
import type { OrganisationView } from '../../app/admin/organisation.js';
import type { SetupChecklist } from '../../app/admin/setup.js';
import type { TermDatesView } from '../../app/admin/terms.js';
import type { DashboardView, PersonHistoryView, StaffView } from '../../app/dashboard.js';
import type { GovernorsReport } from '../../app/evidence/governors.js';
import type { IdentityOverview } from '../../app/identities.js';
import type { ImportPreview, ImportResult } from '../../app/imports.js';
import type { MySupervisionView } from '../../app/mine.js';
import type { OverdueSummaryView, RecordSheetView } from '../../app/views.js';
import type { RECORD_LIMITS } from '../../domain/record-form.js';

export const queries = {
  none: z.object({}).strict(),
  dashboard: z.object({ halfTerms: z.string().regex(/^(1[0-8]|[1-9])$/, 'must be a number of half terms, 1 to 18').optional() }).strict(),
  overdue: z.object({ filter: z.enum(['all', 'sessions', 'records', 'actions', 'reviews'], { message: 'must be all, sessions, records, actions or reviews' }).optional() }).strict(),
  record: z.object({ version: z.string().regex(/^[1-9]\d{0,3}$/, 'must be a version number').optional() }).strict(),
};
export type DashboardQuery = z.infer<typeof queries.dashboard>;
export type OverdueQuery = z.infer<typeof queries.overdue>;

export const meResponse = z.object({
  person: z.object({ id: z.string(), name: z.string(), roleText: z.string() }),
  organisationName: z.string(),
  canSeeDashboard: z.boolean(),
  canBrowseHistories: z.boolean(),
  /** The governors' figures and report (counts only): the safeguarding governor, the leads and an auditor. */
  canSeeGovernance: z.boolean(),
  /** Supervises someone now: My supervision lists them. */
  supervises: z.boolean(),
  /** Administers the organisation (admin, DSL or headteacher): the set-up screens (`/tab/api/admin/…`). */
  canAdminister: z.boolean(),
  /** The DSL or a deputy: the retention schedule, destruction, legal holds and subject access (`/tab#retention`). */
  canManageRetention: z.boolean().optional(),
  /** The DSL, a deputy or an auditor: the audit trail's check and inspection bundles (`/tab#audit`). */
  canAudit: z.boolean().optional(),
  /** The DSL, a deputy or the headteacher: declares a major incident and sees its uptake (`/tab#incidents`). */
  canDeclareIncident: z.boolean().optional(),
  via: z.string().optional(),
  playground: z.boolean(),
});
export type MeResponse = z.infer<typeof meResponse>;

export const pickerResponse = z.object({
  people: z.array(z.object({ id: z.string(), name: z.string(), roleText: z.string(), organisationName: z.string(), lead: z.boolean() })),
});
export type PickerResponse = z.infer<typeof pickerResponse>;

/** Every refusal and validation error: `{ error, field? }` (400 names the field). */
export const errorResponse = z.object({ error: z.string().optional(), field: z.string().optional(), playground: z.boolean().optional() });
export type ErrorResponse = z.infer<typeof errorResponse>;

/** A record, and the record form's limits (the same as chat's), for the page's Edit form. */
export type RecordResponse = { organisationName: string; record: RecordSheetView; limits: typeof RECORD_LIMITS };
/** What the record page's Confirm, Ask for a change and Edit answer: the record's state after it, or on its way (202). */
export type RecordActionResponse = { recordId: string; version: number; state: string; stateLabel: string } | { pending: true };
export type { RecordEditBody } from '../../app/record-edit.js';
export type { IdentityOverview, ImportPreview, ImportReport, ImportResult, OrganisationView, SetupChecklist, TermDatesView };
export type { DashboardView, GovernorsReport, MySupervisionView, OverdueSummaryView, PersonHistoryView, RecordSheetView, StaffView };
export type { ContractInput } from '../../app/contract-admin.js';
export type { ContractStatus, ContractsQuery, ContractsView, ContractView } from '../../app/admin/contracts.js';
export type { PeopleFilter, PeopleQuery, PeopleView, PersonAdminView } from '../../app/admin/people.js';
