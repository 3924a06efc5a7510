// Popup search cost for one keystroke over 10,000 profiles (the popup must stay smooth with
// 10,000 profiles: one frame is 16 ms). Run by `python -m bench`; prints as JSON the median
// milliseconds of rankProfiles over typed queries (prefixes of a search, an account id) and,
// apart, over queries that match nothing strictly and take the typo-tolerant pass.
import { buildIndex, rankProfiles } from '../extension/lib/fuzzy.js';

const COUNT = Number(process.argv[2] ?? 10000);
const profiles = Array.from({ length: COUNT }, (_, i) => ({
  name: `team${i % 50}-env${i % 7}-role${i}`,
  account_id: String(100000000000 + i),
  account_name: `Account ${i % 300}`,
  role: i % 2 ? 'Admin' : 'ReadOnly',
  region: 'eu-west-1',
}));
const index = buildIndex(profiles);
const TYPED = ['t', 'tm', 'tm4', 'tm4 ', 'tm4 a', 'tm4 ad', 'tm4 adm', 'prd adm', 'role49',
  '1000', '100000004242'];
// Each matches nothing as typed; the typo pass finds "readonly", "admin", "account".
const TYPOS = ['raedonly', 'amdin team4', 'accuont 42', 'zzzzzz'];

function median(queries) {
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
  return times[times.length >> 1];
}

for (const query of TYPOS.slice(0, 3)) {
  if (rankProfiles(index, query).suggestion === null) throw new Error(`no suggestion for ${query}`);
}
process.stdout.write(`${JSON.stringify({
  count: COUNT, median_ms: median(TYPED), typo_median_ms: median(TYPOS),
})}\n`);
