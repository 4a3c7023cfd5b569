/** Domain object ⇄ stored document: ids become `_id`, absent values are never stored as null. */

export function stripUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function toDoc<T extends { id: string }>(value: T, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { id, ...rest } = value;
  return stripUndefined({ _id: id, ...rest, ...extra });
}

/** Removes storage-only fields and nulls, and turns `_id` back into `id`. */
export function fromDoc<T>(doc: Record<string, unknown> | null | undefined, internal: string[] = []): T | null {
  if (!doc) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === '_id' || k === '__v' || internal.includes(k) || v === null) continue;
    out[k] = v;
  }
  out.id = doc._id;
  return out as T;
}

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: number }).code === 11000;
}

/**
 * Inserts a document whose `_id` says what it stands for; false when it exists already: the unique `_id`
 * index decides between racing writers.
 */
export async function insertOnce(model: { create(doc: unknown): Promise<unknown> }, doc: Record<string, unknown>): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export function isOnlyDuplicateKeys(error: unknown): boolean {
  if (isDuplicateKey(error)) return true;
  const writeErrors = (error as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> })?.writeErrors;
  return Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((e) => (e.code ?? e.err?.code) === 11000);
}

/**
 * How many documents of an ordered insert went in before it stopped: the first write error's place in the batch,
 * as the server reports it; undefined when the error does not say.
 */
export function insertedBeforeError(error: unknown): number | undefined {
  const writeErrors = (error as { writeErrors?: Array<{ index?: number; err?: { index?: number } }> })?.writeErrors;
  const first = Array.isArray(writeErrors) ? writeErrors[0] : (writeErrors as { index?: number; err?: { index?: number } } | undefined);
  const index = first?.index ?? first?.err?.index ?? (error as { index?: number })?.index;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : undefined;
}

/**
 * An upsert by `_id` that two writers may run at once: one inserts, the other fails on the unique `_id` (MongoDB
 * and FerretDB both report it). Run again, it finds the document and updates it.
 */
export async function upsertRace<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return upsert();
  }
}

