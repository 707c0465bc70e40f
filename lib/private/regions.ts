/**
 * Region names that are well formed but unknown to the user's aws-cdk-lib: usually a typo
 * (`eu-wset-1`), sometimes a region newer than that version's list. Only a warning, because the
 * list lags behind the regions AWS opens.
 */
import { Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { warn } from './compat';

/** The warning for `region`, or undefined when aws-cdk-lib knows it (or it is a token or malformed). */
export function unknownRegionWarning(region: string, knownRegions: readonly string[] = RegionInfo.regions.map((r) => r.name)): string | undefined {
  if (Token.isUnresolved(region) || knownRegions.includes(region) || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    return undefined;
  }
  const closest = [...knownRegions].sort((a, b) => editDistance(region, a) - editDistance(region, b) || a.localeCompare(b))[0];
  return `unknown region "${region}": expected a region aws-cdk-lib knows, such as "${closest}" (the closest); ignore this if "${region}" is newer than your aws-cdk-lib`;
}

/** Adds a warning to `scope` for each of `regions` that aws-cdk-lib does not know. */
export function warnUnknownRegions(scope: IConstruct, regions: readonly string[]): void {
  for (const region of new Set(regions)) {
    const message = unknownRegionWarning(region);
    if (message) {
      warn(scope, 'cdk-securityhub-members:unknownRegion', message);
    }
  }
}

/** The Levenshtein distance: insertions, deletions and substitutions that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

