/** Stops what global-setup started; services that came from env vars are left alone. */
export default async function globalTeardown(): Promise<void> {
  const services = globalThis.__VIGIL_SERVICES__;
  globalThis.__VIGIL_SERVICES__ = undefined;
  if (!services) return;
  await Promise.all([services.postgres?.stop(), services.redis?.stop()]);
  // The env vars pointed at servers that are gone now; unset them for anything else in this process (--watch).
  if (services.postgres) delete process.env.DATABASE_URL;
  if (services.redis) delete process.env.REDIS_URL;
}
