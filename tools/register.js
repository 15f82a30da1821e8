// Runs TypeScript sources directly (decorator metadata and tsconfig paths included) for npm start / vigil / bench.
process.env.SWC_NODE_PROJECT ??= require('node:path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
