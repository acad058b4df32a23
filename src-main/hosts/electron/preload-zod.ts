import { config } from 'zod';

/**
 * The contract's schemas come with it into the preload, and zod probes `new Function` when it
 * builds an object schema. The page's CSP forbids eval, so the probe would only log a violation:
 * jitless mode skips it. Imported by preload.ts before anything that imports the contract.
 */
config({ jitless: true });
