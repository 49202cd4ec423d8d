/**
 * Maps a path inside an image to the file in this repository that ends up there, by following the
 * image's COPY instructions: `COPY --from=build /app/dist ./dist` means `/app/dist/x` is the build stage's
 * `/app/dist/x`, i.e. `<repo>/dist/x` after `npm run build` (the build stage mirrors the repository at
 * its WORKDIR); a COPY from the build context maps to the repository file itself.
 */
import { isAbsolute, join, posix, relative } from 'node:path';
import { effectiveInstructions, lastInstruction, parseCopy, type Stage } from './dockerfile';

/** Jest runs from the repository root (rootDir '.'), as `npm test` does. */
export const REPO_ROOT = process.cwd();

function workdir(stages: Stage[], stageName: string): string {
  return lastInstruction(stages, stageName, 'WORKDIR')?.args ?? '/';
}

function absoluteIn(stages: Stage[], stageName: string, path: string): string {
  return posix.isAbsolute(path) ? path : posix.join(workdir(stages, stageName), path);
}

/** The repository path providing `imagePath` in stage `stageName`, or undefined when no COPY provides it. */
export function hostPathFor(stages: Stage[], stageName: string, imagePath: string): string | undefined {
  const copies = effectiveInstructions(stages, stageName, 'COPY').reverse();
  for (const copy of copies) {
    const { from, sources, destination } = parseCopy(copy.args);
    const target = absoluteIn(stages, stageName, destination).replace(/\/$/, '');
    if (sources.length !== 1 || !(imagePath === target || imagePath.startsWith(`${target}/`))) continue;
    const source = posix.join(sources[0] ?? '', imagePath.slice(target.length));
    if (!from) return join(REPO_ROOT, source);
    return (
      hostPathFor(stages, from, absoluteIn(stages, from, source)) ?? buildStageOutput(stages, from, source)
    );
  }
  return undefined;
}

/** Files the build stage produces itself (e.g. `dist/`) live at the same place in the repository. */
function buildStageOutput(stages: Stage[], stageName: string, source: string): string {
  const inStage = absoluteIn(stages, stageName, source);
  const underWorkdir = posix.relative(workdir(stages, stageName), inStage);
  if (underWorkdir.startsWith('..') || isAbsolute(underWorkdir)) {
    throw new Error(`${inStage} is outside the build stage's WORKDIR`);
  }
  return join(REPO_ROOT, underWorkdir);
}

export function repoRelative(path: string): string {
  return relative(REPO_ROOT, path);
}
