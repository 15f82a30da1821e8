/** The only wall clock the HTTP layer reads; commands carry its value as `metadata.now`. */
export const CLOCK = Symbol('Clock');
export type Clock = () => string;
export const systemClock: Clock = () => new Date().toISOString();
