import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import { openMysqlStore } from '../../src/store/mysql.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { MYSQL_HOST, MYSQL_PORT, skipMysql } from '../support/mysql.js';

// A user the server does not know is a configuration problem, said in one line with a hint,
// never "unexpected error (a bug)". MariaDB answers an unknown user with either
// ER_ACCESS_DENIED_ERROR (1045) or, for some names, ER_ACCESS_DENIED_NO_PASSWORD_ERROR (1698):
// `nobody` gets the second on MariaDB 10.11.
describe.skipIf(skipMysql())('MySQL access denied', () => {
  it.each(['nobody', 'dalga_no_such_user', 'root_x'])('unknown user %s: unavailable, with a hint about mysql.user', async (user) => {
    const error = await openMysqlStore({ ...DEFAULTS.mysql, host: MYSQL_HOST, port: MYSQL_PORT, user, password: '', db: 'test' }).then(
      async (store) => {
        await store.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(new RegExp(`^MySQL at .* is unavailable \\(ER_ACCESS_DENIED\\w*\\) — check mysql\\.user \\(${user}\\) and mysql\\.password$`));
  });
});
