/** Size and cold module load time of the bundled handler. */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';

/** What a cold start pays for the bundle before the handler runs. */
export interface BundleStats {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly loadMs: number[];
  readonly medianLoadMs: number;
  readonly sha256: string;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures `file`: bytes, gzip bytes, and the time to `require` it in a fresh Node.js process,
 * `runs` times. A fresh process each time, so no module is cached by an earlier run.
 */
export function bundleStats(file: string, runs: number): BundleStats {
  const content = fs.readFileSync(file);
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(path.resolve(file))}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const loadMs = Array.from({ length: runs }, () => {
    const child = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'us-east-1' },
    });
    const ms = Number(child.stdout);
    if (child.status !== 0 || !Number.isFinite(ms)) {
      throw new Error(`loading ${file} failed (exit ${child.status}): ${child.stderr.trim()}`);
    }
    return ms;
  });
  return {
    file,
    bytes: content.length,
    gzipBytes: gzipSync(content).length,
    loadMs,
    medianLoadMs: median(loadMs),
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}
