/**
 * The serving stack (fastify, prom-client, piscina) is an optional peer dependency of the package:
 * it is most of a plain install's size and only `keel serve`, `keel dashboard` and `keel keys quota`
 * use it, so those commands load it when they run and name the packages when they are missing.
 */
import { UsageError } from './errors.js';

/** The packages `keel serve` and `keel dashboard` need besides Keel's own dependencies. */
export const SERVING_PACKAGES = ['fastify', 'prom-client', 'piscina'] as const;

/** Runs `load` (a dynamic import of serving code); a missing serving package is a UsageError. */
export async function importServing<T>(command: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const missing = SERVING_PACKAGES.find((p) => (e as Error).message?.includes(`'${p}'`));
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && missing) {
      throw new UsageError(
        `keel ${command} needs the serving packages, optional dependencies of keel (${missing} is missing): npm install ${SERVING_PACKAGES.join(' ')}`,
      );
    }
    throw e;
  }
}
