import { createHash, timingSafeEqual } from 'node:crypto';

export type KeyCheck =
  { ok: true; principal?: string } | { ok: false; reason: 'missing' | 'invalid'; message: string };

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares fixed-length digests against every key, so timing reveals neither a key nor which one matched. */
export function matchesAnyKey(candidate: string, keyDigests: readonly Buffer[]): boolean {
  const candidateDigest = digest(candidate);
  let matched = false;
  for (const keyDigest of keyDigests) matched = timingSafeEqual(candidateDigest, keyDigest) || matched;
  return matched;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Optional bearer keys (GATEWAY_API_KEYS, AGENT_API_KEYS): the same rules for both apps. A request that
 * passes is identified by the key's hash (`principal`), which is what resources such as sessions belong to.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(
    keys: readonly string[],
    /** the variable that lists the keys, named in the 401 message */
    private readonly variable: string,
  ) {
    this.digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  check(authorization: string | undefined): KeyCheck {
    if (!this.enabled) return { ok: true };
    const token = bearerToken(authorization);
    if (token === undefined) {
      const message = `Unauthorized: send "Authorization: Bearer <key>" with one of the keys in ${this.variable}`;
      return { ok: false, reason: 'missing', message };
    }
    if (!matchesAnyKey(token, this.digests))
      return { ok: false, reason: 'invalid', message: 'Unauthorized: the bearer key is not valid' };
    return { ok: true, principal: digest(token).toString('hex') };
  }
}
