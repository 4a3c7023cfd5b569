/**
 * Encryption at rest of people's words. Every free-text field the store keeps (`ENCRYPTED_FIELDS`) is written
 * as an envelope — `enc1:<key id>:<iv>:<tag>:<ciphertext>`, AES-256-GCM (node:crypto) under the organisation's
 * data key — and read back as the text: the models' middleware (`encryptFields`) does it on every write and
 * read path the repositories use, so the app layer only ever sees plain strings and the audit chain's digests
 * stay those of the text.
 *
 * Each organisation has data keys `<organisationId>#<n>` in `dataKeys`; the newest encrypts, any decrypts (the
 * envelope names its key), so rotation (`rotateDataKeys`) never makes stored text unreadable. A data key is
 * stored only wrapped by the master key, which never enters the database: `DATA_MASTER_KEY_FILE` or
 * `DATA_MASTER_KEY` (32 bytes, base64 or hex); outside production without one, a key generated into the data
 * directory. `MasterKey` is the one interface a KMS would implement (wrap and unwrap a 32-byte data key).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Connection, mongo, type Schema } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;
type Db = mongo.Db;
const { BSON } = mongo;

/** Where people's words are kept, per collection: dotted paths, `[]` for every element of a list. Adding a field is one line. */
export const ENCRYPTED_FIELDS: Record<string, string[]> = {
  agendaItems: ['text'],
  records: [
    'notes',
    'concerns[].text',
    'caseDecisions[].childRef',
    'caseDecisions[].decision',
    'caseDecisions[].rationale',
    'actions[].text',
    'previousActionsReviewed[].note',
    'dispute.reason',
    'dispute.resolution',
    'correction.reason',
    // "Refer to line manager": the note that goes to the line manager
    'referral.note',
  ],
  actions: ['text', 'notNeeded.reason'],
  caseDecisions: ['childRef', 'decision', 'rationale'],
  sessions: ['statusReason'],
  sessionRequests: ['reason'],
  // why the DSL started a contract before everyone had agreed (src/app/agreement.ts)
  contracts: ['agreement.startedEarly.reason'],
  retention: ['reason'],
  // a supervisor's handover to the next: the themes, the note, and each action's words and why it was closed
  handovers: ['themes', 'note', 'actions[].text', 'actions[].note'],
  subjectAccess: ['passages[].label'],
  // after a major incident: its private name and the message to staff (src/domain/incident.ts)
  incidents: ['incidentName', 'messageToStaff'],
  // messages on their way to people's chats, and the playground's chat: the whole card (it carries the text)
  outbox: ['view'],
  playgroundInbox: ['text', 'view'],
  // a Slack workspace's installation: its bot (and any user) token, as secret as anyone's words
  slackInstallations: ['installation.bot.token', 'installation.bot.refreshToken', 'installation.user.token', 'installation.user.refreshToken', 'installation.incomingWebhook.url'],
};

const PREFIX = 'enc1:';
/** A value that is not a string (a card) is stored as the envelope of its BSON, marked so. */
const BSON_PREFIX = 'encb1:';

/** Wraps and unwraps data keys. Local: AES-256-GCM under a 32-byte key; a KMS client would implement the same. */
export interface MasterKey {
  /** Names the key (a fingerprint), stored beside each data key it wraps. */
  readonly id: string;
  wrap(dataKey: Buffer): Promise<string>;
  unwrap(wrapped: string): Promise<Buffer>;
}

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/** 32 bytes as base64 or hex (`openssl rand -base64 32`). */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 32) throw new MasterKeyError('must be 32 random bytes written as base64 or hex (openssl rand -base64 32)');
  return bytes;
}

export function localMasterKey(bytes: Buffer): MasterKey {
  if (bytes.length !== 32) throw new MasterKeyError('a master key is 32 bytes');
  const id = createHash('sha256').update('supervision-bot master key').update(bytes).digest('hex').slice(0, 16);
  return {
    id,
    async wrap(dataKey) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', bytes, iv);
      cipher.setAAD(Buffer.from(id));
      const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return [iv, cipher.getAuthTag(), ct].map((b) => b.toString('base64')).join(':');
    },
    async unwrap(wrapped) {
      const [iv, tag, ct] = wrapped.split(':').map((p) => Buffer.from(p, 'base64'));
      if (!iv || !tag || !ct) throw new MasterKeyError('a wrapped data key is damaged');
      const decipher = createDecipheriv('aes-256-gcm', bytes, iv);
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]);
    },
  };
}

export function masterKeyFromFile(file: string): MasterKey {
  return localMasterKey(parseMasterKey(readFileSync(file, 'utf8')));
}

/** A new master key's text, for a file (`keys generate`). */
export const newMasterKeyText = () => `${randomBytes(32).toString('base64')}\n`;

/**
 * The configured master key: `DATA_MASTER_KEY` (its value), else `DATA_MASTER_KEY_FILE`; with neither, in
 * production, a refusal naming them; elsewhere a key generated once into the data directory (`DATA_DIR`, else
 * ./data), as `npm start` keeps its other local secrets there.
 */
export function masterKeyFromEnvironment(env: NodeJS.ProcessEnv = process.env): MasterKey {
  if (env.DATA_MASTER_KEY?.trim()) {
    try {
      return localMasterKey(parseMasterKey(env.DATA_MASTER_KEY));
    } catch (error) {
      throw new MasterKeyError(`DATA_MASTER_KEY ${(error as Error).message}`);
    }
  }
  if (env.DATA_MASTER_KEY_FILE?.trim()) {
    const file = env.DATA_MASTER_KEY_FILE.trim();
    if (!existsSync(file)) throw new MasterKeyError(`DATA_MASTER_KEY_FILE names a file that does not exist (${file})`);
    try {
      return masterKeyFromFile(file);
    } catch (error) {
      throw new MasterKeyError(`DATA_MASTER_KEY_FILE ${(error as Error).message}`);
    }
  }
  if (env.NODE_ENV === 'production') {
    throw new MasterKeyError('DATA_MASTER_KEY_FILE (or DATA_MASTER_KEY) is required in production: the master key that wraps each organisation’s data key for the text stored in MongoDB');
  }
  return localMasterKey(parseMasterKey(developmentKeyText(path.resolve(env.DATA_DIR ?? 'data'))));
}

/** The development key in the data directory, written once (two processes starting together read the one that won). */
function developmentKeyText(dataDir: string): string {
  const file = path.join(dataDir, 'data-master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, newMasterKeyText(), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  for (let i = 0; ; i++) {
    const text = readFileSync(file, 'utf8');
    // a writer between open and write: the file is briefly empty
    if (text.trim() !== '' || i > 50) return text;
  }
}

interface DataKeyDoc {
  _id: string;
  organisationId: string;
  n: number;
  wrapped: string;
  masterKeyId: string;
  createdAt: Date;
}

/** How long a process keeps using the data key it found newest before looking again (after a rotation elsewhere). */
export const CURRENT_KEY_MS = 30_000;

/** Encrypts and decrypts one database's free text with its organisations' data keys. */
export class FieldCipher {
  private readonly keys = new Map<string, Promise<Buffer>>();
  private readonly current = new Map<string, { at: number; key: Promise<{ id: string; key: Buffer }> }>();

  constructor(
    private masterKey: MasterKey,
    private readonly dataKeys: () => Collection<DataKeyDoc>,
  ) {}

  get masterKeyId(): string {
    return this.masterKey.id;
  }

  /** Refuses, in words, a master key that did not wrap the data keys stored here. */
  async checkMasterKey(): Promise<void> {
    const other = await this.dataKeys().findOne({ masterKeyId: { $ne: this.masterKey.id } });
    if (!other) return;
    throw new MasterKeyError(
      `the master key given (DATA_MASTER_KEY_FILE or DATA_MASTER_KEY, key ${this.masterKey.id}) is not the one that wrapped this database's data keys (key ${other.masterKeyId}): give the master key this data was written with`,
    );
  }

  private dataKey(id: string): Promise<Buffer> {
    let key = this.keys.get(id);
    if (!key) {
      key = (async () => {
        const doc = await this.dataKeys().findOne({ _id: id });
        if (!doc) throw new MasterKeyError(`data key ${id} is not in this database`);
        if (doc.masterKeyId !== this.masterKey.id) {
          throw new MasterKeyError(`data key ${id} is wrapped by master key ${doc.masterKeyId}, not by the one given (DATA_MASTER_KEY_FILE or DATA_MASTER_KEY, key ${this.masterKey.id})`);
        }
        return this.masterKey.unwrap(doc.wrapped);
      })();
      key.catch(() => this.keys.delete(id));
      this.keys.set(id, key);
    }
    return key;
  }

  /** The organisation's newest data key, made on first use (racing makers: the unique `_id` keeps one). */
  currentKey(organisationId: string): Promise<{ id: string; key: Buffer }> {
    const cached = this.current.get(organisationId);
    if (cached && Date.now() - cached.at < CURRENT_KEY_MS) return cached.key;
    const key = (async () => {
      const newest = await this.dataKeys().find({ organisationId }).sort({ n: -1 }).limit(1).next();
      if (newest) return { id: newest._id, key: await this.dataKey(newest._id) };
      return this.addKey(organisationId, 1);
    })();
    key.catch(() => this.current.delete(organisationId));
    this.current.set(organisationId, { at: Date.now(), key });
    return key;
  }

  /** Makes data key n of an organisation; when another process made it first, that one. */
  async addKey(organisationId: string, n: number): Promise<{ id: string; key: Buffer }> {
    const id = `${organisationId}#${n}`;
    const key = randomBytes(32);
    try {
      await this.dataKeys().insertOne({ _id: id, organisationId, n, wrapped: await this.masterKey.wrap(key), masterKeyId: this.masterKey.id, createdAt: new Date() });
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
      return { id, key: await this.dataKey(id) };
    }
    this.keys.set(id, Promise.resolve(key));
    this.current.set(organisationId, { at: Date.now(), key: Promise.resolve({ id, key }) });
    return { id, key };
  }

  /** Forgets what it found newest, so the next write looks again (after a rotation). */
  forgetCurrent(): void {
    this.current.clear();
  }

  /** Every data key wrapped again under another master key; this cipher uses the new one from then on. */
  async rewrap(next: MasterKey): Promise<number> {
    let count = 0;
    for (const doc of await this.dataKeys().find({}).toArray()) {
      if (doc.masterKeyId === next.id) continue;
      const key = await this.dataKey(doc._id);
      await this.dataKeys().updateOne({ _id: doc._id, masterKeyId: doc.masterKeyId }, { $set: { wrapped: await next.wrap(key), masterKeyId: next.id } });
      count++;
    }
    this.masterKey = next;
    return count;
  }

  async encryptValue(organisationId: string, value: unknown): Promise<unknown> {
    if (value === undefined || value === null || isEnvelope(value)) return value;
    // an empty string holds nothing (a destroyed record's text is kept as '')
    if (value === '') return value;
    const { id, key } = await this.currentKey(organisationId);
    const plain = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(BSON.serialize({ v: value }));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id));
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    return `${typeof value === 'string' ? PREFIX : BSON_PREFIX}${id}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  async decryptValue(value: unknown): Promise<unknown> {
    if (!isEnvelope(value)) return value;
    const env = parseEnvelope(value);
    const key = await this.dataKey(env.keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, env.iv);
    decipher.setAAD(Buffer.from(env.keyId));
    decipher.setAuthTag(env.tag);
    const plain = Buffer.concat([decipher.update(env.ct), decipher.final()]);
    return env.bson ? BSON.deserialize(plain).v : plain.toString('utf8');
  }

  /** Rewrites every listed field of a document (or a `$set`'s fragment) in place. */
  async encryptDoc(organisationId: string, doc: Record<string, unknown>, paths: string[]): Promise<void> {
    for (const p of paths) await transformAt(doc, p.split('.'), (v) => this.encryptValue(organisationId, v));
  }

  async decryptDoc(doc: Record<string, unknown>, paths: string[]): Promise<void> {
    for (const p of paths) await transformAt(doc, p.split('.'), (v) => this.decryptValue(v));
  }
}

export function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && (value.startsWith(PREFIX) || value.startsWith(BSON_PREFIX));
}

/** Which data key an envelope was written under (undefined for plain text). */
export function envelopeKeyId(value: unknown): string | undefined {
  return isEnvelope(value) ? parseEnvelope(value).keyId : undefined;
}

function parseEnvelope(value: string) {
  const bson = value.startsWith(BSON_PREFIX);
  const parts = value.slice(bson ? BSON_PREFIX.length : PREFIX.length).split(':');
  // the key id may hold ':' (it holds the organisation's id): the last three parts are iv, tag, ciphertext
  const [iv, tag, ct] = parts.slice(-3).map((p) => Buffer.from(p, 'base64'));
  const keyId = parts.slice(0, -3).join(':');
  if (!iv || !tag || !ct || keyId === '') throw new MasterKeyError('an encrypted field is damaged');
  return { bson, keyId, iv, tag, ct };
}

/** Applies `fn` to the value at a path (`a`, `a.b`, `a[].b`; a numeric step matches any element). */
async function transformAt(node: unknown, steps: string[], fn: (v: unknown) => Promise<unknown>): Promise<void> {
  if (!node || typeof node !== 'object' || steps.length === 0) return;
  const [step, ...rest] = steps as [string, ...string[]];
  const list = step.endsWith('[]');
  const key = list ? step.slice(0, -2) : step;
  const obj = node as Record<string, unknown>;
  if (!(key in obj)) return;
  if (list) {
    if (!Array.isArray(obj[key])) return;
    // copied on the way down: the caller's objects (a domain object spread into a document) are never changed
    const arr = [...(obj[key] as unknown[])];
    obj[key] = arr;
    for (let i = 0; i < arr.length; i++) {
      if (rest.length === 0) arr[i] = await fn(arr[i]);
      else {
        arr[i] = shallowCopy(arr[i]);
        await transformAt(arr[i], rest, fn);
      }
    }
    return;
  }
  if (rest.length === 0) obj[key] = await fn(obj[key]);
  else {
    obj[key] = shallowCopy(obj[key]);
    await transformAt(obj[key], rest, fn);
  }
}

const shallowCopy = (v: unknown) => (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype ? { ...(v as object) } : v);

/**
 * The encrypted paths an update's field names (`notes`, `notNeeded.reason`, `concerns.0.text`, `dispute`) reach,
 * as paths within that field's value: `[]` when the field itself is encrypted.
 */
export function pathsWithin(field: string, paths: string[]): string[][] {
  const f = field.split('.');
  const out: string[][] = [];
  for (const p of paths) {
    const steps = p.split('.').flatMap((s) => (s.endsWith('[]') ? [s.slice(0, -2), '[]'] : [s]));
    let i = 0;
    let ok = true;
    for (const part of f) {
      if (i >= steps.length) {
        ok = false;
        break;
      }
      if (steps[i] === '[]' ? /^\d+$/.test(part) : steps[i] === part) i++;
      else {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    // back to the `a[].b` form for what remains
    const rest: string[] = [];
    for (const s of steps.slice(i)) {
      if (s === '[]') {
        if (rest.length === 0) rest.push('[]');
        else rest[rest.length - 1] += '[]';
      } else rest.push(s);
    }
    out.push(rest);
  }
  return out;
}

/** Applies a field-relative path to a value: `[]` (the value itself), `['[]', 'text']`, `['text']`. */
export async function transformValue(value: unknown, rest: string[], fn: (v: unknown) => Promise<unknown>): Promise<unknown> {
  if (rest.length === 0) return fn(value);
  const holder = { v: value };
  const [first, ...more] = rest as [string, ...string[]];
  const steps = first === '[]' ? ['v[]', ...more] : first.startsWith('[]') ? [] : ['v', first, ...more];
  await transformAt(holder, steps, fn);
  return holder.v;
}

/** The `dataKeys` collection of a database (read by the rotation and by the tests' dump). */
export const dataKeysOf = (db: Db) => db.collection<DataKeyDoc>('dataKeys');

/** A cipher over a database reached by the raw driver (the tests' dump, the log check's collection of text). */
export function cipherFor(db: Db, masterKey: MasterKey = masterKeyFromEnvironment()): FieldCipher {
  return new FieldCipher(masterKey, () => dataKeysOf(db));
}

/** The cipher of each connection the store opened (the playground's inbox, on the same connection, finds it here). */
const ciphers = new WeakMap<Connection, FieldCipher>();
export function setCipher(connection: Connection, cipher: FieldCipher): void {
  ciphers.set(connection, cipher);
}
export function cipherOf(connection: Connection): FieldCipher {
  const cipher = ciphers.get(connection);
  if (!cipher) throw new Error('this connection was not opened by connectStore: no data keys for its free text');
  return cipher;
}

type Doc = Record<string, unknown>;
/** Text that names no organisation (none of today's collections) is kept under the deployment's own key. */
const NO_ORGANISATION = '-';

/**
 * The middleware that encrypts `ENCRYPTED_FIELDS[collection]` on every write path the store uses (create/save,
 * insertMany, updates with `$set`/`$setOnInsert`, replacements, bulkWrite) and decrypts them in every query's
 * result. The organisation whose key is used is the document's own `organisationId`, else its person's or
 * contract's, else (an update that names neither) the stored document's.
 */
export function encryptFields(schema: Schema, collection: string, connection: Connection): void {
  const paths = ENCRYPTED_FIELDS[collection];
  if (!paths || paths.length === 0) return;
  const cipher = () => cipherOf(connection);
  const owners = new Map<string, Promise<string>>();
  const ownerVia = (kind: 'people' | 'contracts', id: string): Promise<string> => {
    const key = `${kind}:${id}`;
    let found = owners.get(key);
    if (!found) {
      found = connection
        .db!.collection(kind)
        .findOne({ _id: id as never }, { projection: { organisationId: 1 } })
        .then((d) => (typeof d?.organisationId === 'string' ? d.organisationId : NO_ORGANISATION));
      owners.set(key, found);
      if (owners.size > 10_000) owners.clear();
    }
    return found;
  };
  const organisationOf = async (doc: Doc | undefined): Promise<string | undefined> => {
    if (!doc) return undefined;
    if (typeof doc.organisationId === 'string') return doc.organisationId;
    if (typeof doc.personId === 'string') return ownerVia('people', doc.personId);
    if (typeof doc.contractId === 'string') return ownerVia('contracts', doc.contractId);
    return undefined;
  };
  const touches = (doc: Doc) => Object.keys(doc).some((k) => pathsWithin(k, paths).length > 0);

  const encryptWhole = async (doc: Doc, org?: string) => {
    if (!touches(doc)) return;
    await cipher().encryptDoc(org ?? (await organisationOf(doc)) ?? NO_ORGANISATION, doc, paths);
  };
  /** `$set`-like fragments: field names may be dotted. */
  const encryptFragment = async (fragment: Doc, org: string) => {
    for (const [field, value] of Object.entries(fragment)) {
      for (const rest of pathsWithin(field, paths)) {
        fragment[field] = await transformValue(fragment[field] ?? value, rest, (v) => cipher().encryptValue(org, v));
      }
    }
  };
  const encryptUpdate = async (model: { findOne(f: Doc): { select(s: Doc): { lean<T>(): Promise<T> } } }, filter: Doc, update: unknown, replacement: boolean) => {
    if (!update || typeof update !== 'object' || Array.isArray(update)) return;
    const u = update as Doc;
    if (replacement) return encryptWhole(u, (await organisationOf(u)) ?? (await organisationOf(filter)));
    const plain: Doc = {};
    for (const [k, v] of Object.entries(u)) if (!k.startsWith('$')) plain[k] = v;
    const fragments = [u.$set, u.$setOnInsert, plain].filter((f): f is Doc => !!f && typeof f === 'object') as Doc[];
    if (!fragments.some(touches)) return;
    let org: string | undefined;
    for (const f of fragments) org ??= await organisationOf(f);
    org ??= await organisationOf(filter);
    org ??= await organisationOf((await model.findOne(filter).select({ organisationId: 1, personId: 1, contractId: 1 }).lean<Doc | null>()) ?? undefined);
    for (const f of fragments) await encryptFragment(f, org ?? NO_ORGANISATION);
    for (const [k, v] of Object.entries(plain)) u[k] = v;
  };

  schema.pre('save', async function () {
    const raw = (this as unknown as { _doc: Doc })._doc;
    await encryptWhole(raw);
  });
  schema.pre('insertMany', async (docs: unknown) => {
    for (const d of Array.isArray(docs) ? docs : [docs]) {
      const raw = (d as { _doc?: Doc })._doc ?? (d as Doc);
      await encryptWhole(raw);
    }
  });
  for (const op of ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'] as const) {
    schema.pre(op, async function () {
      const q = this as unknown as { getFilter(): Doc; getUpdate(): unknown; model: never };
      await encryptUpdate(q.model, q.getFilter(), q.getUpdate(), op === 'replaceOne' || op === 'findOneAndReplace');
    });
  }
  schema.pre('bulkWrite', async function (ops: unknown) {
    const model = this as never;
    for (const op of ops as Array<Record<string, Doc | undefined>>) {
      if (op.insertOne?.document) await encryptWhole(op.insertOne.document as Doc);
      if (op.replaceOne) await encryptUpdate(model, (op.replaceOne.filter ?? {}) as Doc, op.replaceOne.replacement, true);
      for (const kind of ['updateOne', 'updateMany']) {
        const spec = op[kind];
        if (spec) await encryptUpdate(model, (spec.filter ?? {}) as Doc, spec.update, false);
      }
    }
  });

  const decrypt = async (result: unknown) => {
    for (const d of Array.isArray(result) ? result : [result]) {
      if (!d || typeof d !== 'object') continue;
      const raw = (d as { _doc?: Doc })._doc ?? (d as Doc);
      await cipher().decryptDoc(raw, paths);
    }
  };
  for (const op of ['find', 'findOne', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete'] as const) {
    schema.post(op, async (result: unknown) => {
      await decrypt(result);
    });
  }
}
