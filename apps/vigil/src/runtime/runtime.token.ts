export const VIGIL_RUNTIME = Symbol('VigilRuntime');
