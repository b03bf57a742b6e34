// `node bench/profile-top.js <file.cpuprofile> [count] [jobs]`: the functions with the most self
// time and the most total (inclusive) time in a V8 CPU profile, as written by `npm run bench --
// --profile DIR`, and self time by where the code lives (a package, dalga's own code, Node's
// internals, V8's garbage collector); with `jobs` (how many the daemon delivered), per job.
// Enough to find a hot spot without opening DevTools.
import { readFileSync } from 'node:fs';

const [file, countText = '25', jobsText] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-top.js <file.cpuprofile> [count]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const count = Number(countText);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000; // ms per sample

const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);

const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const name = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map();
const total = new Map();
for (const [id, samples] of selfSamples) {
  const node = byId.get(id);
  self.set(name(node), (self.get(name(node)) ?? 0) + samples);
  // Inclusive: count each distinct function once per sample stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = name(byId.get(cur));
    if (seen.has(key)) continue;
    seen.add(key);
    total.set(key, (total.get(key) ?? 0) + samples);
  }
}
const all = profile.samples.length;
const show = (title, map) => {
  console.log(`\n${title} (of ${(all * interval).toFixed(0)} ms sampled)`);
  for (const [key, samples] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(samples * interval).toFixed(0).padStart(7)} ms ${((100 * samples) / all).toFixed(1).padStart(5)}%  ${key}`);
  }
};
show('self time', self);
show('total time', total);

/** Where a function's code lives: a package of node_modules, dalga, Node's internals, or V8. */
function placeOf(node) {
  const { url, functionName } = node.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/dist/')) return 'dalga';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(14).split('/')[0] : url.slice(5)}`;
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') return functionName;
  return url ? url : `(native) ${functionName}`;
}
const places = new Map();
for (const [id, samples] of selfSamples) {
  const place = placeOf(byId.get(id));
  places.set(place, (places.get(place) ?? 0) + samples);
}
const jobs = Number(jobsText);
console.log(`\nself time by place${jobs > 0 ? `, µs per job of ${jobs}` : ''}`);
for (const [place, samples] of [...places].sort((a, b) => b[1] - a[1]).slice(0, count)) {
  const ms = samples * interval;
  console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * samples) / all).toFixed(1).padStart(5)}%${jobs > 0 ? `${((ms * 1000) / jobs).toFixed(1).padStart(7)} µs` : ''}  ${place}`);
}
