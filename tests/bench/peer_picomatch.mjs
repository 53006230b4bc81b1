// Peer for the affected-services benchmark: the per-filter approach of JavaScript CI actions
// (one picomatch matcher per service, every changed path tested against each; `dot: true` so
// that dotfiles match, as in GitHub Actions globs).
// usage: node peer_picomatch.mjs WORKLOAD.json NODE_MODULES_PARENT
// prints {"impl": "picomatch", "affected": [sorted names], "ms": evaluation time}
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [workloadFile, modulesParent] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modulesParent), 'package.json'));
const picomatch = require('picomatch');
const workload = JSON.parse(fs.readFileSync(workloadFile, 'utf8'));

const start = process.hrtime.bigint();
const affected = [];
for (const service of workload.services) {
  const included = picomatch(service.include, { dot: true });
  const excluded = picomatch(service.exclude, { dot: true });
  if (workload.changed.some((p) => included(p) && !excluded(p))) {
    affected.push(service.name);
  }
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
affected.sort();
console.log(JSON.stringify({ impl: 'picomatch', affected, ms }));
