// `bin/dalga serve` on this MariaDB: the isolation variable is detected (MariaDB before 11.1 has
// only tx_isolation, spec §9 #1), and a configured one the server lacks is a one-line config error.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMysqlStore } from '../../src/store/mysql.js';
import { cleanEnv, DALGA_BIN, spawnDaemon } from '../support/daemon.js';
import { startEndpoint } from '../support/endpoint.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';
import { clusterEnv } from '../integration/cluster-support.js';

describe.skipIf(skipMysql())('dalga serve on MariaDB: transaction isolation variable', () => {
  let db: TestDatabase;
  let has: { transaction_isolation: boolean; tx_isolation: boolean };
  let passed = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    const admin = await db.admin();
    try {
      const present = async (name: string): Promise<boolean> =>
        ((await admin.query(`SHOW SESSION VARIABLES LIKE '${name}'`))[0] as unknown[]).length > 0;
      has = { transaction_isolation: await present('transaction_isolation'), tx_isolation: await present('tx_isolation') };
    } finally {
      await admin.end();
    }
  });

  afterAll(async () => {
    if (passed === 3) await db.drop();
  });

  it('detects the variable this server has, and jobs run', async () => {
    const endpoint = await startEndpoint();
    const daemon = await spawnDaemon({ env: clusterEnv(db, { DALGA_ENDPOINT_BASEURL: endpoint.baseUrl }), args: ['--debug'] });
    try {
      const expected = has.transaction_isolation ? 'transaction_isolation' : 'tx_isolation';
      expect(daemon.stderr()).toContain(`"isolationVariable":"${expected}"`);
      const put = await fetch(`${daemon.url}/jobs/isolation/1?one-off=true&immediate=true`, { method: 'PUT' });
      expect(put.status).toBe(201);
      const [post] = await endpoint.waitFor(1);
      expect(post).toMatchObject({ url: '/isolation', body: '1' });
      expect(await daemon.stop()).toBe(0);
      passed++;
    } finally {
      await daemon.stop('SIGKILL');
      await endpoint.close();
    }
  });

  it('refuses a configured variable the server does not have: one line naming the key, exit 3', async () => {
    const missing = !has.transaction_isolation ? 'transaction_isolation' : !has.tx_isolation ? 'tx_isolation' : 'no_such_variable';
    const run = await runServe(clusterEnv(db, { DALGA_MYSQL_TRANSACTIONISOLATIONPARAMNAME: missing }));
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('mysql.transactionIsolationParamName');
    expect(run.stderr).toContain(missing);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    passed++;
  });

  it('serves with a user that may only read and write rows, and says what to run when the table needs an upgrade', async () => {
    const user = `dml_${db.options.db.slice(-12)}`;
    const admin = await db.admin();
    try {
      for (const host of ['localhost', '127.0.0.1']) {
        await admin.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY 'pw'`);
        await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`${db.options.db}\`.* TO '${user}'@'${host}'`);
      }
      const store = await openMysqlStore(db.options);
      await store.createTables();
      await store.close();
      const env = clusterEnv(db, { DALGA_MYSQL_USER: user, DALGA_MYSQL_PASSWORD: 'pw' });
      const daemon = await spawnDaemon({ env });
      expect(await daemon.stop()).toBe(0);

      await admin.query('DROP TABLE dalga_migrations'); // as a dalga before the migration ledger left it
      const run = await runServe(env);
      expect(run.code, run.stderr).toBe(5);
      expect(run.stderr.trim().split('\n').filter((l) => !l.startsWith('{'))).toEqual([
        expect.stringMatching(/^dalga: table dalga must be created or upgraded, but CREATE command denied .* — run `dalga create-tables` once as a MySQL user with CREATE, ALTER and INDEX privileges$/),
      ]);
      passed++;
    } finally {
      for (const host of ['localhost', '127.0.0.1']) await admin.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
      await admin.end();
    }
  });
});

/** `dalga serve` expected to fail at start-up; resolves with its exit code and stderr. */
function runServe(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [DALGA_BIN, 'serve', '--listen-port', '0'], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
