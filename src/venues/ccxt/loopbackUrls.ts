/**
 * Rewrites every URL in a ccxt `urls.api` tree (nested objects of strings) so that
 * `https://host/path` becomes `${baseUrl}/host/path` (and `wss://host/path` becomes
 * `${wsBaseUrl}/host/path`). `{hostname}` placeholders are filled first. ccxt then builds, signs
 * and parses its real requests against the loopback server.
 */
export function rewriteApiUrls(api: unknown, baseUrl: string, hostname: string | undefined, wsBaseUrl = baseUrl.replace(/^http/, 'ws')): unknown {
  if (typeof api === 'string') return rewriteUrl(api, baseUrl, hostname, wsBaseUrl);
  if (Array.isArray(api)) return api.map((v) => rewriteApiUrls(v, baseUrl, hostname, wsBaseUrl));
  if (typeof api === 'object' && api !== null) {
    return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, rewriteApiUrls(v, baseUrl, hostname, wsBaseUrl)]));
  }
  return api;
}

export function rewriteUrl(url: string, baseUrl: string, hostname: string | undefined, wsBaseUrl: string): string {
  const filled = hostname === undefined ? url : url.replaceAll('{hostname}', hostname);
  const match = /^(https?|wss?):\/\/([^/]+)(.*)$/.exec(filled);
  if (!match) return filled;
  const [, scheme, host, rest] = match;
  const base = scheme.startsWith('ws') ? wsBaseUrl : baseUrl;
  return `${base.replace(/\/$/, '')}/${host}${rest}`;
}
