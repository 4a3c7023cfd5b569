/**
 * DocumentDB — Microsoft's MongoDB-compatible engine as PostgreSQL 15 extensions, with its own MongoDB-wire
 * gateway — built from pinned sources; the gateway on a free loopback port, for the tests, `npm start` and the
 * benchmarks on machines where no `mongod` can be installed. Production runs MongoDB.
 *
 * Build (once per machine, about three minutes on two cores, most of it the gateway's Rust build):
 * Debian's PostgreSQL 15 and build packages when missing; pg_cron, pgvector, `pg_documentdb_core` and
 * `pg_documentdb` built and installed into PostgreSQL; the gateway built with cargo. Every source tarball is
 * checked against its SHA-256 before use, whether it comes from `ENGINE_SOURCES` / `../shared/engines/` or from
 * its upstream URL. What the build installs is kept in a cache keyed by those hashes
 * (`~/.cache/supervision-bot/documentdb/<key>/`), so a later run builds nothing, and puts the extension files
 * back if PostgreSQL was reinstalled.
 *
 * Run: `initdb` into a data directory (a temp dir for tests, `./data/documentdb` for `npm start`), PostgreSQL
 * with the extensions preloaded and no TCP port (a socket in the data directory that only its owner opens), `CREATE EXTENSION documentdb CASCADE`, a login role with a generated
 * password, then the gateway with a self-signed certificate. The connection string authenticates with
 * SCRAM-SHA-256 over plain TCP on loopback.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PG_VERSION = '15';
const PG_BIN = `/usr/lib/postgresql/${PG_VERSION}/bin`;
const PG_CONFIG = `${PG_BIN}/pg_config`;
/** Raised when the steps below change, so an older cache is not taken for this build. */
const RECIPE = 'documentdb-recipe-1';

export interface EngineSource {
  name: string;
  file: string;
  sha256: string;
  url: string;
  /**
   * The digest of the unpacked files (`buildTreeDigest`; for DocumentDB only those the build reads, its tarball
   * here having its tests removed): a download whose bytes differ from the pinned tarball (a full archive, or
   * the same files compressed differently) is built only when its files match this.
   */
  treeSha256: string;
}

/** The pinned sources. A download is used only when its SHA-256 matches; nothing unchecked is ever built. */
export const DOCUMENTDB_SOURCES: readonly EngineSource[] = [
  {
    name: 'pg_cron',
    file: 'pg_cron-1.6.3.tar.gz',
    sha256: '3580f4034021e62e459f9f7ab1f625774bfc534a9256844545da85d6f99c2f5b',
    url: 'https://github.com/citusdata/pg_cron/archive/refs/tags/v1.6.3.tar.gz',
    treeSha256: '0d6de2239f9cc9f9838c3bd125425adc28ea8b3a75faf13b74de47a1e5fae66c',
  },
  {
    name: 'pgvector',
    file: 'pgvector-0.8.0.tar.gz',
    sha256: '93df40ccdaaaa267d1275c1e6e773004a0e5ff8e14227934a4ec7e8205d0f608',
    url: 'https://github.com/pgvector/pgvector/archive/refs/tags/v0.8.0.tar.gz',
    treeSha256: '5268b1190143a5ce90e2649f2d74c119703b3c433a05d08ada2b94d81cc1be28',
  },
  {
    name: 'documentdb',
    file: 'documentdb-b2e220c.tar.gz',
    sha256: '6421e71092e9b99b8ea1b507be68dc0a6c119fd03f7293a816c256069c6cf0fb',
    url: 'https://github.com/microsoft/documentdb/archive/b2e220c47d85ec6fed1651f03968da2317f71c10.tar.gz',
    treeSha256: '58159c326cb523841a1b64489d8185f36127c2e8e908b440e823dd154834dbd9',
  },
];

const APT_PACKAGES = [
  `postgresql-${PG_VERSION}`,
  `postgresql-server-dev-${PG_VERSION}`,
  `postgresql-${PG_VERSION}-postgis-3`,
  `postgresql-${PG_VERSION}-rum`,
  'libbson-dev',
  'libintelrdfpmath-dev',
  'libpcre2-dev',
  'libkrb5-dev',
  'libicu-dev',
  'libpq-dev',
  'libssl-dev',
  'pkg-config',
  'build-essential',
  'openssl',
];

function log(message: string): void {
  if (process.env.SERVICES_QUIET !== '1') process.stderr.write(`[services] ${message}\n`);
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}): void {
  execFileSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.quiet === false ? 'inherit' : ['ignore', 'ignore', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'supervision-bot', 'documentdb');
}

export function documentDbCacheKey(): string {
  const hash = createHash('sha256').update(RECIPE);
  for (const s of DOCUMENTDB_SOURCES) hash.update(`${s.name}:${s.sha256}\n`);
  return hash.digest('hex').slice(0, 16);
}

function cacheDir(): string {
  return path.join(cacheRoot(), documentDbCacheKey());
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function missingPackages(): string[] {
  return APT_PACKAGES.filter((p) => {
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
      const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return !status.includes('install ok installed');
    } catch {
      return true;
    }
  });
}

function ensurePackages(needBuild: boolean): void {
  const wanted = needBuild ? missingPackages() : missingPackages().filter((p) => p === `postgresql-${PG_VERSION}` || p === 'openssl');
  if (wanted.length === 0) return;
  if (!isRoot()) {
    throw new Error(`DocumentDB needs these Debian packages: ${wanted.join(' ')} — install them with: sudo apt-get install -y ${wanted.join(' ')}`);
  }
  log(`installing ${wanted.join(' ')} with apt-get`);
  run('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${wanted.join(' ')}`]);
}

/**
 * The digest of a source tree's files (`everything`), or of those of a DocumentDB tree that the build reads: the two extensions, the gateway and
 * `scripts/` without their tests, and the top-level Makefiles, SQL, CSV and licence files — each file's path and
 * SHA-256, sorted by path, hashed together.
 */
export function buildTreeDigest(root: string, everything = false): string {
  const wanted = (rel: string) =>
    everything ||
    (!/(^|\/)src\/test\//.test(rel) &&
      (/^(pg_documentdb|pg_documentdb_core|pg_documentdb_gw|scripts)\//.test(rel) || /^(Makefile[^/]*|[^/]+\.(sql|csv)|LICENSE|NOTICE)$/.test(rel)));
  const hash = createHash('sha256');
  for (const rel of listFiles(root).filter(wanted).sort()) {
    hash.update(`${rel}\0${createHash('sha256').update(readFileSync(path.join(root, rel))).digest('hex')}\n`);
  }
  return hash.digest('hex');
}

/** The source tarballs, each checked against its SHA-256; from the local engines folder when there, else downloaded. */
async function sources(work: string): Promise<Map<string, string>> {
  const dirs = [process.env.ENGINE_SOURCES, path.resolve(repoRoot, '..', 'shared', 'engines')].filter((d): d is string => !!d);
  const found = new Map<string, string>();
  for (const source of DOCUMENTDB_SOURCES) {
    let file = dirs.map((d) => path.join(d, source.file)).find((f) => existsSync(f));
    if (!file) {
      file = path.join(work, source.file);
      log(`downloading ${source.url}`);
      const response = await fetch(source.url);
      if (!response.ok) throw new Error(`${source.url}: HTTP ${response.status}`);
      writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    }
    const actual = await sha256Of(file);
    if (actual !== source.sha256) {
      const tree = buildTreeDigest(unpack(file, path.join(work, `check-${source.name}`)), source.name !== 'documentdb');
      if (tree !== source.treeSha256) {
        throw new Error(`${file}: SHA-256 ${actual} is not the pinned ${source.sha256}, nor are its files (${tree}); refusing to build it`);
      }
    }
    found.set(source.name, file);
  }
  return found;
}

function unpack(tarball: string, into: string): string {
  mkdirSync(into, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', into]);
  const [top] = readdirSync(into);
  if (!top) throw new Error(`${tarball} is empty`);
  return path.join(into, top);
}

/** Debian ships Intel's decimal library without a pkg-config file; the extension's Makefile asks for one. */
function intelMathPkgConfig(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'intelmathlib.pc'),
    [
      'prefix=/usr',
      'libdir=/usr/lib/x86_64-linux-gnu',
      'includedir=/usr/include',
      '',
      'Name: intelmathlib',
      'Description: Intel Decimal Floating-Point Math Library',
      'Version: 2.0',
      'Libs: -L/usr/lib/x86_64-linux-gnu -lbidgcc000',
      'Cflags: -I/usr/include',
      '',
    ].join('\n'),
  );
  return dir;
}

function listFiles(root: string, base = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full));
  }
  return out;
}

/** Copies the staged extension files into PostgreSQL's directories when any is missing or different. */
function installStaged(stage: string): void {
  const files = listFiles(stage);
  const stale = files.filter((rel) => {
    const target = path.join('/', rel);
    return !existsSync(target) || statSync(target).size !== statSync(path.join(stage, rel)).size;
  });
  if (stale.length === 0) return;
  if (!isRoot()) throw new Error(`the DocumentDB extensions are not installed in PostgreSQL: run once as root: sudo cp -a ${stage}/. /`);
  log(`installing the DocumentDB extensions into PostgreSQL ${PG_VERSION} from the build cache`);
  for (const rel of stale) {
    const target = path.join('/', rel);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(stage, rel), target);
  }
}

export interface DocumentDbBuild {
  gateway: string;
}

/** Builds (once) and installs DocumentDB; later calls find the cache and build nothing. */
export async function ensureDocumentDb(): Promise<DocumentDbBuild> {
  const dir = cacheDir();
  const gateway = path.join(dir, 'documentdb_gateway');
  const stage = path.join(dir, 'stage');
  if (existsSync(path.join(dir, 'complete'))) {
    ensurePackages(false);
    installStaged(stage);
    return { gateway };
  }
  const started = Date.now();
  log('building the local database engine (DocumentDB on PostgreSQL 15), once, about 3 minutes…');
  ensurePackages(true);
  const work = mkdtempSync(path.join(os.tmpdir(), 'documentdb-build-'));
  try {
    const tarballs = await sources(work);
    const env = { ...process.env, PKG_CONFIG_PATH: [intelMathPkgConfig(path.join(work, 'pkgconfig')), process.env.PKG_CONFIG_PATH].filter(Boolean).join(':') };
    const staging = path.join(work, 'stage');
    const make = (cwd: string, extra: string[] = []) => {
      const args = [`-j${Math.max(1, os.cpus().length)}`, `PG_CONFIG=${PG_CONFIG}`, ...extra];
      run('make', [...args], { cwd, env });
      run('make', [...args, 'install'], { cwd, env });
      run('make', [...args, 'install', `DESTDIR=${staging}`], { cwd, env });
    };
    const step = (name: string, fn: () => void) => {
      const t = Date.now();
      log(`  ${name}…`);
      fn();
      log(`  ${name} built in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    };
    const cron = unpack(tarballs.get('pg_cron')!, path.join(work, 'pg_cron'));
    step('pg_cron', () => make(cron));
    const vector = unpack(tarballs.get('pgvector')!, path.join(work, 'pgvector'));
    step('pgvector', () => make(vector, ['OPTFLAGS=']));
    const ddb = unpack(tarballs.get('documentdb')!, path.join(work, 'documentdb'));
    step('pg_documentdb_core', () => make(path.join(ddb, 'pg_documentdb_core')));
    // Debian's libbson 1.23 lacks BSON_SUBTYPE_SENSITIVE; LLVM bitcode is not needed
    step('pg_documentdb', () =>
      make(path.join(ddb, 'pg_documentdb'), ['with_llvm=no', 'COPT=-DBSON_SUBTYPE_SENSITIVE=0x08 -Wno-switch']),
    );
    const target = path.join(work, 'cargo-target');
    step('gateway (cargo build --release)', () =>
      run('cargo', ['build', '--release', '--locked'], {
        cwd: path.join(ddb, 'pg_documentdb_gw'),
        env: { ...env, CARGO_TARGET_DIR: target },
      }),
    );
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(target, 'release', 'documentdb_gateway'), `${gateway}.partial`);
    chmodSync(`${gateway}.partial`, 0o755);
    renameSync(`${gateway}.partial`, gateway);
    run('cp', ['-a', staging, stage]);
    writeFileSync(path.join(dir, 'complete'), `${new Date().toISOString()}\n`);
    log(`DocumentDB built in ${((Date.now() - started) / 1000).toFixed(0)} s; cached in ${dir}`);
    return { gateway };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().slice(-4000);
    if (stderr) process.stderr.write(stderr);
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Running a cluster and its gateway

/** Runs a command as the cluster's owner: `postgres` when we are root (PostgreSQL refuses to run as root). */
function asOwner(command: string, args: string[]): { command: string; args: string[] } {
  return isRoot() ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args };
}

function runAsOwner(command: string, args: string[]): string {
  const c = asOwner(command, args);
  return execFileSync(c.command, c.args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface DocumentDbCluster {
  dataDir: string;
  user: string;
  password: string;
}

const SETTINGS_FILE = 'supervision-engine.json';
/** PostgreSQL listens on no TCP port, so its "port" only names the socket in the data directory. */
const PG_SOCKET_PORT = 5432;
export const DOCUMENTDB_SYSTEM_USER = 'postgres';

/**
 * Makes a cluster in `dataDir` when it has none: initdb, configuration, the extension and a login role.
 * Its user and generated password are kept in the data directory (readable only by its owner), so `npm start`
 * finds the same cluster again.
 */
export async function ensureCluster(dataDir: string): Promise<DocumentDbCluster> {
  const settingsPath = path.join(dataDir, SETTINGS_FILE);
  if (existsSync(settingsPath)) {
    const kept = JSON.parse(readFileSync(settingsPath, 'utf8')) as DocumentDbCluster;
    return { ...kept, dataDir };
  }
  mkdirSync(dataDir, { recursive: true });
  const pgdata = path.join(dataDir, 'pgdata');
  if (isRoot()) {
    run('chown', ['postgres:postgres', dataDir]);
    reachableByPostgres(dataDir);
  }
  const user = 'supervision';
  const password = randomBytes(18).toString('base64url');
  runAsOwner(`${PG_BIN}/initdb`, ['-D', pgdata, '-U', DOCUMENTDB_SYSTEM_USER, '--auth-local=trust', '--auth-host=reject', '-E', 'UTF8', '--locale=C.UTF-8']);
  const conf = [
    // no TCP: only the gateway, through a socket in the data directory that only its owner can open
    "listen_addresses = ''",
    `unix_socket_directories = '${dataDir}'`,
    'unix_socket_permissions = 0700',
    "shared_preload_libraries = 'pg_cron, pg_documentdb_core, pg_documentdb'",
    "cron.database_name = 'postgres'",
    // the extension builds indexes in pg_cron jobs, which connect through the same private socket
    `cron.host = '${dataDir}'`,
    // and so do the extension's own connections to itself
    `documentdb.localhost_connection_string = 'host=${dataDir} port=${PG_SOCKET_PORT}'`,
    `port = ${PG_SOCKET_PORT}`,
    'documentdb.enableBackgroundWorker = true',
    'documentdb.enableBackgroundWorkerJobs = true',
    'max_connections = 300',
    'shared_buffers = 256MB',
    'fsync = on',
    "log_min_messages = 'warning'",
    "logging_collector = off",
  ].join('\n');
  const confFile = path.join(pgdata, 'postgresql.conf');
  writeFileSync(confFile, `${readFileSync(confFile, 'utf8')}\n# Supervision Bot's local engine\n${conf}\n`);
  // People log in to the gateway with SCRAM-SHA-256 (checked against the role's stored secret); the gateway then
  // opens PostgreSQL sessions as them without a password, so PostgreSQL listens on a private socket only.
  const hba = ['local all all trust', ''].join('\n');
  writeFileSync(path.join(pgdata, 'pg_hba.conf'), hba);
  const cert = path.join(dataDir, 'gateway-cert.pem');
  const key = path.join(dataDir, 'gateway-key.pem');
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '3650', '-subj', '/CN=localhost']);
  const cluster: DocumentDbCluster = { dataDir, user, password };
  if (isRoot()) run('chown', ['-R', 'postgres:postgres', dataDir]);
  // first start: the extension and the login role
  const pg = startPostgres(cluster);
  try {
    await waitForSql(cluster);
    psql(cluster, 'CREATE EXTENSION IF NOT EXISTS documentdb CASCADE;');
    psql(
      cluster,
      `CREATE ROLE ${user} WITH LOGIN CREATEROLE PASSWORD '${password}' IN ROLE documentdb_admin_role;`,
    );
  } finally {
    await stopPostgres(cluster, pg);
  }
  writeFileSync(settingsPath, JSON.stringify({ user, password }, null, 2), { mode: 0o600 });
  if (isRoot()) run('chown', ['postgres:postgres', settingsPath]);
  return cluster;
}

/**
 * PostgreSQL runs as `postgres`, which must be able to pass through every directory above its data (a temp dir
 * made by mkdtemp is private to root). Such a directory gets the search bit for others — not read — and says so.
 */
function reachableByPostgres(dir: string): void {
  const canEnter = (d: string) => {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', d], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const d of chain) {
    if (canEnter(d)) continue;
    log(`letting PostgreSQL's user pass through ${d} (search permission only)`);
    chmodSync(d, statSync(d).mode | 0o001);
  }
}

function psql(cluster: DocumentDbCluster, sql: string): string {
  return runAsOwner(`${PG_BIN}/psql`, ['-h', cluster.dataDir, '-p', String(PG_SOCKET_PORT), '-U', DOCUMENTDB_SYSTEM_USER, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atqc', sql]);
}

export async function waitForSql(cluster: DocumentDbCluster, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      psql(cluster, 'SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function startPostgres(cluster: DocumentDbCluster): ChildProcess {
  const c = asOwner(`${PG_BIN}/postgres`, ['-D', path.join(cluster.dataDir, 'pgdata'), '-p', String(PG_SOCKET_PORT), '-k', cluster.dataDir]);
  return spawn(c.command, c.args, { stdio: ['ignore', 'ignore', process.env.ENGINE_LOG === '1' ? 'inherit' : 'ignore'] });
}

function postmasterPid(cluster: DocumentDbCluster): number | null {
  const file = path.join(cluster.dataDir, 'pgdata', 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Whether a process with this id is running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fast shutdown (SIGINT to the postmaster: open transactions roll back), waiting until it has gone. */
export async function stopPostgres(cluster: DocumentDbCluster, child: ChildProcess | null, timeoutMs = 30_000): Promise<void> {
  const pid = postmasterPid(cluster);
  if (pid !== null && alive(pid)) {
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + timeoutMs;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (child && child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export function writeGatewayConfig(cluster: DocumentDbCluster, gatewayPort: number): string {
  const file = path.join(cluster.dataDir, 'gateway.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        NodeHostName: 'localhost',
        ApplicationName: 'supervision-gateway',
        BlockedRolePrefixes: ['documentdb', 'citus', 'pg', 'internal_role'],
        PostgresHostName: cluster.dataDir,
        PostgresPort: PG_SOCKET_PORT,
        PostgresSystemUser: DOCUMENTDB_SYSTEM_USER,
        PostgresDatabase: 'postgres',
        GatewayListenPort: gatewayPort,
        UseLocalHost: true,
        EnforceSslTcp: false,
        TransactionTimeoutSecs: 30,
        CursorTimeoutSecs: 600,
        PostgresCommandTimeoutSecs: 120,
        PostgresStartupWaitTimeSeconds: 60,
        CertificateOptions: {
          CertType: 'PemFile',
          FilePath: path.join(cluster.dataDir, 'gateway-cert.pem'),
          KeyFilePath: path.join(cluster.dataDir, 'gateway-key.pem'),
        },
      },
      null,
      2,
    ),
  );
  return file;
}

export function startGateway(build: DocumentDbBuild, cluster: DocumentDbCluster, port: number): ChildProcess {
  const config = writeGatewayConfig(cluster, port);
  // the gateway is no PostgreSQL server: it runs as whoever started it
  return spawn(build.gateway, [config], { stdio: ['ignore', process.env.ENGINE_LOG === '1' ? 'inherit' : 'ignore', process.env.ENGINE_LOG === '1' ? 'inherit' : 'ignore'] });
}

export function documentDbUrl(cluster: DocumentDbCluster, port: number, database: string): string {
  return `mongodb://${cluster.user}:${encodeURIComponent(cluster.password)}@127.0.0.1:${port}/${database}?authMechanism=SCRAM-SHA-256&authSource=admin&directConnection=true`;
}
