// Popup search cost for one keystroke over 5,000 profiles (the popup must stay smooth with
// 5,000 profiles). Run by `python -m bench`; prints the median milliseconds of rankProfiles as
// JSON.
import { buildIndex, rankProfiles } from '../extension/lib/fuzzy.js';

const COUNT = Number(process.argv[2] ?? 5000);
const profiles = Array.from({ length: COUNT }, (_, i) => ({
  name: `team${i % 50}-env${i % 7}-role${i}`,
  account_id: String(100000000000 + i),
  account_name: `Account ${i % 300}`,
  role: i % 2 ? 'Admin' : 'ReadOnly',
  region: 'eu-west-1',
}));
const index = buildIndex(profiles);
const queries = ['t', 'tm', 'tm4', 'tm4 ', 'tm4 a', 'tm4 ad', 'tm4 adm', 'prd adm', 'role49'];
rankProfiles(index, 'warm up', { limit: 200 });
const times = [];
for (let round = 0; round < 5; round += 1) {
  for (const query of queries) {
    const started = performance.now();
    rankProfiles(index, query, { limit: 200 });
    times.push(performance.now() - started);
  }
}
times.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ count: COUNT, median_ms: times[times.length >> 1] })}\n`);
