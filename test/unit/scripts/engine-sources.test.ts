/** The local engine is built only from sources whose hashes are pinned: the tarballs here, or downloads whose files match. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTreeDigest, DOCUMENTDB_SOURCES } from '../../../scripts/documentdb.js';

const engines = path.resolve(import.meta.dirname, '../../../../shared/engines');
const work = mkdtempSync(path.join(os.tmpdir(), 'engine-sources-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function unpack(file: string): string {
  const into = mkdtempSync(path.join(work, 'x-'));
  execFileSync('tar', ['-xzf', file, '-C', into]);
  return path.join(into, readdirSync(into)[0] as string);
}

describe.skipIf(!existsSync(engines))('the pinned engine sources', () => {
  it.each(DOCUMENTDB_SOURCES.map((s) => [s.name, s] as const))('%s: the tarball and its files match their pinned digests', (_name, source) => {
    const file = path.join(engines, source.file);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(source.sha256);
    expect(buildTreeDigest(unpack(file), source.name !== 'documentdb')).toBe(source.treeSha256);
  });

  it('one byte changed in a file that is built changes the digest', () => {
    const source = DOCUMENTDB_SOURCES.find((s) => s.name === 'documentdb')!;
    const root = unpack(path.join(engines, source.file));
    appendFileSync(path.join(root, 'pg_documentdb_gw', 'Cargo.toml'), '\n');
    expect(buildTreeDigest(root)).not.toBe(source.treeSha256);
  });

  it('files the build does not read (tests, docs) leave the digest as it is', () => {
    const source = DOCUMENTDB_SOURCES.find((s) => s.name === 'documentdb')!;
    const root = unpack(path.join(engines, source.file));
    appendFileSync(path.join(root, 'README.md'), 'a full upstream archive has a README\n');
    expect(buildTreeDigest(root)).toBe(source.treeSha256);
  });
});
