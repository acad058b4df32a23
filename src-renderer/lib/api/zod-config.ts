import { config } from 'zod';

/**
 * The contract's schemas come along with it, and zod probes `new Function` (its JIT) whenever an
 * object schema is built. The CSP forbids eval, so the probe would log a violation on every start:
 * jitless mode skips it. Imported first by main.ts, before anything that imports the contract.
 */
config({ jitless: true });
