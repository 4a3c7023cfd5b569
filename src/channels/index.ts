/** The channels the configuration switches on, in mount order. */
import type { Runtime } from '../runtime.js';
import type { Mount } from '../server.js';

export async function mountsFor(runtime: Runtime): Promise<Mount[]> {
  const mounts: Mount[] = [];
  void runtime;
  return mounts;
}
