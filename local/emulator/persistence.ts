import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StateFileError } from '../state-file';
import { HubStore, HubStoreOptions } from './hub-store';

let writes = 0;

/**
 * Reads a state file written by {@link saveStoreFile}; a missing file gives an empty store, so the
 * first local run needs no setup.
 *
 * @throws StateFileError naming the file when it exists but is not a valid state; the file is left as it is
 */
export function loadStoreFile(path: string, options: HubStoreOptions = {}): HubStore {
  if (!existsSync(path)) {
    return new HubStore(options);
  }
  try {
    return HubStore.fromJSON(JSON.parse(readFileSync(path, 'utf8')), options);
  } catch (err) {
    throw new StateFileError(path, `cannot read emulator state file ${path}: ${(err as Error).message}`);
  }
}

/**
 * Writes the store to a JSON file atomically (a temporary file, then a rename), so that a crash or
 * a concurrent reader never sees half a file.
 */
export function saveStoreFile(store: HubStore, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${writes++}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(store.toJSON(), null, 2)}\n`);
  renameSync(tmp, path);
}
