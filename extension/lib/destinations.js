/**
 * "Open this page as another role": the console page of the active tab as a login's
 * Destination, the same service path and region, without the per-session host prefix
 * (`<account>-<8 characters>.`) of the console's multi-session support (a Destination names the plain console host: the tools that
 * deep-link strip it). The host still checks it against its Destination policy (PROTOCOL.md,
 * login: destination), so nothing here can make roleport an open redirect.
 */
const CONSOLE_HOST = /^(?:[0-9]{12}-[a-z0-9]{8}\.)?((?:[a-z0-9-]+\.)?console\.(?:aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com))$/;
const REGION_LABEL = /^([a-z]{2}(?:-[a-z]+)+-\d+)\.console\./;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_DESTINATION = 2048;

function parseUrl(text) {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/**
 * {url, service, region} for an AWS console page, or null. Kept: the host without a session
 * prefix, the path, the region parameter and the fragment (the service's own route); dropped:
 * every other query parameter (sign-in redirects put one-time codes there).
 */
export function consoleDestination(text, depth = 0) {
  const url = parseUrl(text);
  if (!url) return null;
  if (LOOPBACK.has(url.hostname) && depth === 0) {
    // A local stand-in's console page names the console URL it stands for in `destination`.
    const inner = url.searchParams.get('destination');
    return inner ? consoleDestination(inner, depth + 1) : null;
  }
  const host = CONSOLE_HOST.exec(url.hostname);
  if (url.protocol !== 'https:' || !host || url.port || url.username || url.password) return null;
  const plainHost = host[1];
  const region = url.searchParams.get('region') ?? REGION_LABEL.exec(plainHost)?.[1] ?? null;
  const kept = new URL(`https://${plainHost}${url.pathname}`);
  if (region && /^[a-z0-9-]{1,32}$/.test(region)) kept.searchParams.set('region', region);
  kept.hash = url.hash;
  if (kept.href.length > MAX_DESTINATION) return null;
  const service = url.pathname.split('/').filter(Boolean)[0] ?? null;
  return { url: kept.href, service, region };
}

/**
 * The tab whose page the user means: the active tab, unless that is roleport's own popup
 * opened as a tab; then the most recently used other tab of the window.
 */
export function sourceTab(tabs, ownUrlPrefix) {
  const others = tabs.filter((tab) => typeof tab.url === 'string' && !tab.url.startsWith(ownUrlPrefix));
  const active = tabs.find((tab) => tab.active);
  if (active && others.includes(active)) return active;
  return others.sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0))[0] ?? null;
}

/** "EC2 in eu-west-1" and the like, for the popup's offer. */
export function describeDestination(destination) {
  let service = 'Console home';
  if (destination.service && destination.service !== 'console') {
    // Short service paths are acronyms (ec2, s3, iam, rds); longer ones read as words.
    service = destination.service.length <= 4 ? destination.service.toUpperCase() : destination.service;
  }
  return destination.region ? `${service} in ${destination.region}` : service;
}
