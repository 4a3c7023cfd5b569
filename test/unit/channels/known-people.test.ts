import { describe, expect, it } from 'vitest';
import { knownPeople } from '../../../src/channels/known-people.js';
import type { Person } from '../../../src/domain/types.js';

const amy: Person = { id: 'amy', organisationId: 'org', name: 'Amy', email: 'amy@example.org', identities: { teamsAadObjectId: 'aad-amy' }, roles: ['supervisee'] };

describe('people a channel has seen', () => {
  it('answers a known person from memory, even when the database cannot be reached', async () => {
    let calls = 0;
    let down = false;
    const known = knownPeople(async (id) => {
      calls++;
      if (down) throw new Error('database unreachable');
      return id === 'aad-amy' ? amy : null;
    });
    expect(await known.find('aad-amy')).toEqual(amy);
    down = true;
    expect(await known.find('aad-amy')).toEqual(amy);
    expect(calls).toBe(1);
    await expect(known.find('aad-unknown')).rejects.toThrow('database unreachable');
  });

  it('does not remember someone it could not find, so a person linked later is recognised at once', async () => {
    let linked = false;
    const known = knownPeople(async () => (linked ? amy : null));
    expect(await known.find('aad-amy')).toBeNull();
    linked = true;
    expect(await known.find('aad-amy')).toEqual(amy);
  });

  it('refreshes an old entry in the background and forgets a person who was unlinked', async () => {
    let linked = true;
    const known = knownPeople(async () => (linked ? amy : null), { refreshAfterMs: -1 });
    expect(await known.find('aad-amy')).toEqual(amy);
    linked = false;
    expect(await known.find('aad-amy')).toEqual(amy); // answered from memory, refreshed behind it
    await new Promise((r) => setTimeout(r, 10));
    expect(await known.find('aad-amy')).toBeNull();
  });

  it('tells a changed stored value from an unchanged one, and forgets one whose write failed', () => {
    const known = knownPeople(async () => null);
    expect(known.changed('amy', 'ref-1')).toBe(true);
    expect(known.changed('amy', 'ref-1')).toBe(false);
    expect(known.changed('amy', 'ref-2')).toBe(true);
    known.forget('amy');
    expect(known.changed('amy', 'ref-2')).toBe(true);
  });
});
