import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvType } from 'ajv';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { packageEnv, teamsManifest, writeTeamsPackage } from '../../../scripts/package-teams.js';

const env = { MicrosoftAppId: '11111111-2222-4333-8444-555555555555', PUBLIC_BASE_URL: 'https://supervision.example.org' };
const schema = JSON.parse(readFileSync('test/support/schemas/teams-manifest-1.30.schema.json', 'utf8'));
// CommonJS packages whose default export TypeScript's NodeNext view does not see as constructable
const require = createRequire(import.meta.url);
const Ajv4 = require('ajv-draft-04') as new (options: object) => AjvType;
const addFormats = require('ajv-formats') as (ajv: AjvType) => void;
const ajv = new Ajv4({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

describe('the Teams app package', () => {
  it('the filled manifest validates against the 1.30 schema, with the bot, its commands and the tab', () => {
    const manifest = teamsManifest(packageEnv.parse(env));
    const ok = validate(manifest);
    expect(ok ? [] : validate.errors?.slice(0, 5)).toEqual([]);
    const text = JSON.stringify(manifest);
    expect(text).not.toContain('{{');
    const bot = (manifest.bots as Array<{ botId: string; commandLists: Array<{ commands: Array<{ title: string }> }> }>)[0];
    expect(bot?.botId).toBe(env.MicrosoftAppId);
    expect(bot?.commandLists[0]?.commands.map((c) => c.title)).toEqual(['help', 'next', 'actions', 'move', 'cancel', 'overdue', 'add', 'park', 'calendar']);
    expect((manifest.staticTabs as Array<{ contentUrl: string }>)[0]?.contentUrl).toBe('https://supervision.example.org/tab');
    // everyone's own page, Teams' counterpart of Slack's App Home
    expect((manifest.staticTabs as Array<{ contentUrl: string }>)[1]?.contentUrl).toBe('https://supervision.example.org/tab/me');
    expect(manifest.validDomains).toEqual(['supervision.example.org']);
  });

  it('the schema check refuses a broken manifest', () => {
    expect(validate({ ...teamsManifest(packageEnv.parse(env)), manifestVersion: '1.16' })).toBe(false);
  });

  it('icons are the sizes Teams requires; the outline is white on transparent', () => {
    const color = PNG.sync.read(readFileSync('manifests/teams/color.png'));
    const outline = PNG.sync.read(readFileSync('manifests/teams/outline.png'));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let transparent = 0;
    let white = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent++;
      else {
        expect([r, g, b]).toEqual([255, 255, 255]);
        white++;
      }
    }
    expect(transparent).toBeGreaterThan(100);
    expect(white).toBeGreaterThan(100);
  });

  it('writes appPackage.zip with the manifest and both icons; bad settings are named', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'pkg-')), 'appPackage.zip');
    await writeTeamsPackage(packageEnv.parse(env), out);
    const listing = execFileSync('python3', ['-c', 'import sys,zipfile; print("\\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))', out], { encoding: 'utf8' });
    expect(listing.trim().split('\n')).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const bad = packageEnv.safeParse({ MicrosoftAppId: 'not-a-guid', PUBLIC_BASE_URL: 'http://insecure.example' });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.path.join('.'))).toEqual(['MicrosoftAppId', 'PUBLIC_BASE_URL']);
  });
});
