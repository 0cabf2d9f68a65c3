export { startBackpackSim, DEFAULT_PRICE_FILTERS, type BackpackPriceFilters, type BackpackSimServerOptions } from './server.js';
export { ed25519Verify } from './ed25519.js';
