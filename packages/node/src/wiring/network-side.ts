// Everything of the peer that needs libp2p, in one module that peer.ts imports only after it has
// started the learning engine: loading libp2p and its stack takes about as long as the engine
// takes to load tfjs and the data in its worker (1.5-2.5 s each), and the two then overlap.
export { privacyLayer } from '../privacy/layer.js';
export { lifecycle } from './lifecycle.js';
export { startNetwork } from './network.js';
export { serveProtocols } from './protocols.js';
export { restoreModels, resume } from './resume.js';
export { wireRoles } from './roles.js';
export { buildServices } from './services.js';
