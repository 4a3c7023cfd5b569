/** Who a staff import lists as leaving (`planStaff`): staff the files no longer name, never someone who only administers. */
import { describe, expect, it } from 'vitest';
import { planStaff, type StaffRow } from '../../../src/domain/imports/staff.js';
import type { Person } from '../../../src/domain/types.js';

const ORG = 'org-riverside';
const person = (id: string, email: string, roles: Person['roles'], extra: Partial<Person> = {}): Person => ({ id, organisationId: ORG, name: id, email, identities: {}, roles, ...extra });
const row = (email: string, n: number): StaffRow => ({ file: 'staff.csv', row: n, name: email.split('@')[0] as string, email, roles: ['supervisee'], columns: { name: 'name', email: 'email', roles: 'roles' } });

describe('planStaff: leavers', () => {
  it('lists staff the file no longer names, and leaves out people who only administer (the first admin, a business manager)', () => {
    const existing = [
      person('bea', 'bea@riverside.example', ['admin']),
      person('sunil', 's.patel@riverside.example', ['supervisee']),
      person('joseph', 'j.adeyemi@riverside.example', ['supervisee']),
      // an admin who is also staff is staff: a file that drops them lists them
      person('ruth', 'r.osei@riverside.example', ['admin', 'headteacher']),
      person('gone', 'gone@riverside.example', ['supervisee'], { active: false }),
    ];
    const plan = planStaff(ORG, existing, [row('s.patel@riverside.example', 2)]);
    expect(plan.errors).toEqual([]);
    expect(plan.deactivated.map((c) => c.person.id).sort()).toEqual(['joseph', 'ruth']);
  });
});
