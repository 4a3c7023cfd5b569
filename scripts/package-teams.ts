/**
 * `npm run package:teams`: fills manifests/teams/manifest.json with the bot's ids and address and writes
 * appPackage.zip (manifest + the two icons), ready to upload in Teams (Apps → Manage your apps → Upload).
 * Needs MicrosoftAppId (the Azure Bot's app id) and PUBLIC_BASE_URL (https://…), from the environment.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yazl from 'yazl';
import { z } from 'zod';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const packageEnv = z.object({
  MicrosoftAppId: z.string({ message: 'is required (the Azure Bot app id)' }).regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID'),
  PUBLIC_BASE_URL: z.string({ message: 'is required (the bot’s public https:// address)' }).url('must be a URL').startsWith('https://', 'must be an https:// address').transform((u) => u.replace(/\/+$/, '')),
});

export function teamsManifest(env: z.infer<typeof packageEnv>): Record<string, unknown> {
  const template = readFileSync(path.join(root, 'manifests/teams/manifest.json'), 'utf8');
  const host = new URL(env.PUBLIC_BASE_URL).host;
  const filled = template.replaceAll('{{MicrosoftAppId}}', env.MicrosoftAppId).replaceAll('{{PUBLIC_BASE_URL}}', env.PUBLIC_BASE_URL).replaceAll('{{PUBLIC_HOST}}', host);
  return JSON.parse(filled);
}

export async function writeTeamsPackage(env: z.infer<typeof packageEnv>, out = path.join(root, 'appPackage.zip')): Promise<string> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(teamsManifest(env), null, 2)), 'manifest.json');
  zip.addFile(path.join(root, 'manifests/teams/color.png'), 'color.png');
  zip.addFile(path.join(root, 'manifests/teams/outline.png'), 'outline.png');
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(out)).on('close', resolve).on('error', reject);
  });
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = packageEnv.safeParse(process.env);
  if (!env.success) {
    process.stderr.write(`cannot package the Teams app:\n${env.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}\n`);
    process.exit(1);
  }
  const out = await writeTeamsPackage(env.data);
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)} — upload it in Teams (Apps → Manage your apps → Upload an app)\n`);
}
