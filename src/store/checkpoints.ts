/** Signed checkpoints of each organisation's audit chain, `_id` `<organisationId>#<seq>`. */
import type { AuditCheckpoint, CheckpointRepository } from '../app/ports.js';
import { upsertRace } from './documents.js';
import type { Models } from './models.js';

const id = (organisationId: string, seq: number) => `${organisationId}#${String(seq).padStart(12, '0')}`;

export function checkpointRepository(m: Models): CheckpointRepository {
  const strip = (d: Record<string, unknown>): AuditCheckpoint => {
    const { _id, ...rest } = d;
    return rest as unknown as AuditCheckpoint;
  };
  return {
    async add(c) {
      // the first signature of an entry stands; signing the same head again changes nothing
      await upsertRace(() => m.auditCheckpoints.updateOne({ _id: id(c.organisationId, c.seq) }, { $setOnInsert: { ...c } }, { upsert: true }));
    },
    async list(organisationId) {
      return (await m.auditCheckpoints.find({ organisationId }).sort({ seq: 1 }).lean<Record<string, unknown>[]>()).map(strip);
    },
    async latest(organisationId) {
      const d = await m.auditCheckpoints.findOne({ organisationId }).sort({ seq: -1 }).lean<Record<string, unknown>>();
      return d ? strip(d) : null;
    },
  };
}
