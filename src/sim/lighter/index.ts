export { startLighterSim, LighterSim, LighterApiError, rawMember } from './server.js';
