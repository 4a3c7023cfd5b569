/** `incidents` and `incidentOffers` (loughton §5): each answer is one conditional update, so racing clicks count once. */
import type { IncidentRepository } from '../app/ports.js';
import type { Incident, IncidentOffer } from '../domain/incident.js';
import { fromDoc, insertOnce, isOnlyDuplicateKeys, toDoc } from './documents.js';
import type { Models } from './models.js';

type Doc = Record<string, unknown>;
const many = <T>(docs: Doc[]): T[] => docs.map((d) => fromDoc<T>(d) as T);

export function incidentRepository(m: Models): IncidentRepository {
  return {
    async insert(incident, offers) {
      const inserted = await insertOnce(m.incidents, toDoc(incident));
      if (offers.length > 0) {
        try {
          await m.incidentOffers.insertMany(offers.map((o) => toDoc(o)), { ordered: false });
        } catch (error) {
          // a retried declaration: the offers already written stay as they are
          if (!isOnlyDuplicateKeys(error)) throw error;
        }
      }
      return inserted;
    },
    async get(id) {
      return fromDoc<Incident>(await m.incidents.findById(id).lean<Doc>());
    },
    async forOrganisation(organisationId) {
      return many<Incident>(await m.incidents.find({ organisationId }).sort({ declaredAt: -1 }).limit(200).lean<Doc[]>());
    },
    async offer(id) {
      return fromDoc<IncidentOffer>(await m.incidentOffers.findById(id).lean<Doc>());
    },
    async offersFor(incidentIds) {
      if (incidentIds.length === 0) return [];
      return many<IncidentOffer>(await m.incidentOffers.find({ incidentId: { $in: incidentIds } }).lean<Doc[]>());
    },
    async answer(id, from, to, at, extra = {}) {
      const set = { status: to, answeredAt: at, ...(extra.requestId ? { requestId: extra.requestId } : {}) };
      return (await m.incidentOffers.updateOne({ _id: id, status: from }, { $set: set })).modifiedCount === 1;
    },
    async askAgain(id, at) {
      return (await m.incidentOffers.updateOne({ _id: id, status: 'not-now', askedAgainAt: { $exists: false } }, { $set: { status: 'offered', askedAgainAt: at } })).modifiedCount === 1;
    },
  };
}
