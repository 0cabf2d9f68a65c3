// The bot's name and version as the venues see them. The version is package.json's, restated here
// so that no file is read at run time; test/version.test.ts fails when the two part ways.

export const VERSION = '0.1.0';

/** Sent as User-Agent on every REST request and WebSocket handshake, on both venues. */
export const USER_AGENT = `backpack-lighter-arb/${VERSION}`;
