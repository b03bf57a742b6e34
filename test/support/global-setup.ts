import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// End-to-end tests spawn the built `bin/dalga`: build dist/ (and the CLI bundle) once before any test file runs.
export default function setup(): void {
  const root = resolve(import.meta.dirname, '../..');
  const tsc = resolve(root, 'node_modules/typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  const bundle = spawnSync(process.execPath, [resolve(root, 'scripts/bundle-cli.mjs')], { cwd: root, encoding: 'utf8' });
  if (bundle.status !== 0) throw new Error(`bundling the CLI failed:\n${bundle.stdout}${bundle.stderr}`);
}
