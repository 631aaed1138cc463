/** Where each venue's API lives on the simulator: the real host as the first path segment, as rewriteApiUrls (src/venues/ccxt/loopbackUrls.ts) writes ccxt's URLs. */
export function simUrls(baseUrl: string, wsBaseUrl: string): Record<string, string> {
  return {
    'binance spot REST': `${baseUrl}/api.binance.com/api/v3`,
    'binance USDⓈ-M REST': `${baseUrl}/fapi.binance.com/fapi/v1`,
    'bybit v5 REST': `${baseUrl}/api.bybit.com/v5`,
    'binance spot streams': `${wsBaseUrl}/stream.binance.com:9443/ws`,
    'binance USDⓈ-M streams': `${wsBaseUrl}/fstream.binance.com/public/ws (user data: /fstream.binance.com/private/ws?listenKey=)`,
    'bybit streams': `${wsBaseUrl}/stream.bybit.com/v5/public/{spot,linear}, /stream.bybit.com/v5/private`,
  };
}
