// `node bench/profile-top.js <file.cpuprofile> [count]`: the functions with the most self time
// and the most total (inclusive) time in a V8 CPU profile, as written by `npm run bench --
// --profile DIR`. Enough to find a hot spot without opening DevTools.
import { readFileSync } from 'node:fs';

const [file, countText = '25'] = process.argv.slice(2);
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
