/**
 * What a load knows about the enterprises its records name: the links made by hand, and the
 * resolutions found so far (a file names far fewer enterprises than it has rows).
 */
import { detach, type PartyInput } from './columns.js';
import { copyField } from './copy-text.js';
import type { ManualLinks as ManualLinkTable } from './record-store.js';
import { type Identity, identityKey, type Resolution, resolveIdentities } from './resolve.js';
import type { Session } from './session.js';

/** Resolutions remembered during a load. */
const CACHE_LIMIT = 200_000;

/** A resolution as it is written: its four COPY fields, and whether it links to an enterprise. */
export interface ResolvedText {
  text: string;
  matched: boolean;
}

const resolvedText = (r: Resolution): ResolvedText => ({
  text: [r.uscc, r.method, r.reason, r.candidates].map(copyField).join('\t'),
  matched: r.uscc !== null,
});

const linkKey = (party: string, key: string) => `${party}\u0000${key}`;

/** The source's links made by hand, by party and record key. */
export class ManualLinks implements ManualLinkTable {
  private readonly usccs = new Map<string, string>();
  private readonly texts = new Map<string, ResolvedText>();

  static async load(session: Session, source: string): Promise<ManualLinks> {
    const links = new ManualLinks();
    for (const link of await session.query<{ record_key: string; party: string; uscc: string }>(
      `select record_key, party, uscc from manual_links where source = $1`,
      [source],
    )) {
      const key = linkKey(link.party, link.record_key);
      links.usccs.set(key, link.uscc);
      links.texts.set(
        key,
        resolvedText({ uscc: link.uscc, method: 'manual', reason: null, candidates: null }),
      );
    }
    return links;
  }

  get size(): number {
    return this.usccs.size;
  }

  uscc(party: string, key: string): string | undefined {
    return this.usccs.get(linkKey(party, key));
  }

  /** The link of `party` of record `key` as it is written, if made by hand. */
  text(party: string, key: string): ResolvedText | undefined {
    return this.texts.get(linkKey(party, key));
  }
}

/** Resolutions by identifier, and (for parties without one) by normalised name. */
export class Resolutions {
  private readonly byIdent = new Map<string, ResolvedText>();
  private readonly byName = new Map<string, ResolvedText>();

  /** The resolution of `p`, if found before. */
  of(p: PartyInput): ResolvedText | undefined {
    return p.ident ? this.byIdent.get(p.ident) : this.byName.get(p.nameNorm);
  }

  /** Resolves the parties not found before (one set-based query); false when there were none. */
  async resolve(session: Session, parties: readonly PartyInput[], before: () => Promise<void>) {
    const unseen = new Map<string, Identity>();
    for (const p of parties) {
      if (this.of(p) === undefined)
        unseen.set(identityKey(p.ident, p.nameNorm), { ident: p.ident, nameNorm: p.nameNorm });
    }
    if (unseen.size === 0) return;
    await before();
    const resolved = await resolveIdentities(session, [...unseen.values()]);
    if (this.byIdent.size + this.byName.size + unseen.size > CACHE_LIMIT) {
      // Forget older resolutions (never these: the rows waiting for them need them next).
      this.byIdent.clear();
      this.byName.clear();
    }
    for (const [key, identity] of unseen) {
      const r = resolved.get(key);
      if (!r)
        throw new Error(
          `entity resolution returned nothing for ${identity.ident || identity.nameNorm}`,
        );
      if (identity.ident) this.byIdent.set(detach(identity.ident), resolvedText(r));
      else this.byName.set(detach(identity.nameNorm), resolvedText(r));
    }
  }
}
