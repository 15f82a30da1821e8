export const VIGIL_RUNTIME = Symbol('VigilRuntime');
/** pg Pool running as the app role. */
export const APP_POOL = Symbol('AppPool');
/** Public keys trusted by audit verify, by key id. */
export const TRUSTED_KEYS = Symbol('TrustedKeys');
