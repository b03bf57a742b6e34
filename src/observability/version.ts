import { readFileSync } from 'node:fs';

/** The package version, for `dalga_instance_info`; from src/ and dist/ alike (both two levels down). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
