// The schemas of earlier builds (test/fixtures/schemas), for the upgrade tests.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const DIR = resolve(import.meta.dirname, '../fixtures/schemas');

export type SchemaFixture = 'go-v3.mysql' | 'go-v4.mysql' | 'dalga-0.1.mysql' | 'dalga-0.1.sqlite' | 'dalga-0.1.postgres';

/** The fixture's statements, for table `table` (PostgreSQL's are unqualified: run them on the schema's search_path). */
export function schemaStatements(fixture: SchemaFixture, table: string): string[] {
  const text = readFileSync(join(DIR, `${fixture}.sql`), 'utf8').replaceAll('{{table}}', table);
  return text
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
