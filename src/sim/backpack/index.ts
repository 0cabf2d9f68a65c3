export { startBackpackSim } from './server.js';
export { ed25519Verify } from './ed25519.js';
