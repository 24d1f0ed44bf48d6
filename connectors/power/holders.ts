import { detach, type PartyInput } from '../pipeline/columns.js';
import { copyLine } from '../pipeline/copy-text.js';
import { resolutionsOf } from '../pipeline/resolve.js';
import type { Session } from '../pipeline/session.js';

/**
 * The holders of a source stored as readings + holders (SourceDefinition.store; power): one holder per
 * first key column (the account) and identity as delivered (identifier and name), plus one per manual
 * link. A load finds the holders already stored by that key and creates the others, so reloading a
 * file points its rows at the same holders (and changes nothing). A holder's link columns follow the
 * register: they are resolved when it is created and resolved again, in place, whenever the register
 * changes (resolve.ts reresolveAll), so an existing holder's link is current and is not resolved again.
 */
export interface Holder {
  id: number;
  /** the account's number (power_readings.account_id) */
  accountId: number;
  /** its cells as delivered, and the USCC it is linked to by hand (null: none): what tells holders of an account apart */
  rawIdentifier: string | null;
  rawName: string | null;
  manualUscc: string | null;
  /** rows of this load that point at it */
  rows: number;
  /** whether it links to an enterprise (for a new holder: once {@link HolderRegistry.finish} resolved it) */
  matched: boolean;
  /** a holder created by this load and not written yet: what it is written with */
  fresh: { account: string; party: PartyInput } | null;
}

/** An account (用电户号) and its holders. */
interface Account {
  /** its number in the readings: its first holder's id */
  id: number;
  holders: Holder[];
}

/** The holder of `holders` with these cells and manual link, if any. */
function holderOf(
  holders: readonly Holder[],
  rawIdentifier: string | null,
  rawName: string | null,
  manualUscc: string | null,
): Holder | undefined {
  for (let i = 0; i < holders.length; i++) {
    const h = holders[i];
    if (h.rawIdentifier === rawIdentifier && h.rawName === rawName && h.manualUscc === manualUscc)
      return h;
  }
  return undefined;
}

/** The holders a load points its rows at (see {@link Holder}); one per load, inside its transaction. */
export class HolderRegistry {
  /**
   * The accounts by number, each with its holders (a few at most: found by comparing their cells, not
   * by a key string: a key of the account, identifier and name cost more than the rest of a holder).
   */
  private readonly accounts = new Map<string, Account>();
  /**
   * The holders found for a party (a row reader hands back the same object for the same cells) by
   * account: most rows find theirs here without a key string made for them (every row's garbage
   * pushed the rows being read into the old generation and the heap of a large reload past 400 MB).
   */
  private readonly byParty = new WeakMap<PartyInput, Map<string, Holder>>();
  private readonly created: Holder[] = [];
  /** how many of `created` are written */
  private written = 0;

  private constructor(
    private readonly table: string,
    private readonly sequence: string,
    private nextId: number,
  ) {}

  /**
   * Reads the stored holders. The table is locked against other writers (readers go on) until the
   * transaction ends, so that the ids this load gives its new holders stay its own.
   */
  static async open(session: Session, table: string): Promise<HolderRegistry> {
    await session.query(`lock table ${table} in share row exclusive mode`);
    const [{ sequence }] = await session.query<{ sequence: string }>(
      `select pg_get_serial_sequence($1, 'id') as sequence`,
      [table],
    );
    const [{ next }] = await session.query<{ next: number }>(
      `select greatest(nextval($1::regclass), (select coalesce(max(id), 0) + 1 from ${table}))::int as next`,
      [sequence],
    );
    const registry = new HolderRegistry(table, sequence, next);
    const rows = await session.query<{
      id: number;
      account_id: number;
      account_no: string;
      raw_identifier: string | null;
      raw_name: string | null;
      uscc: string | null;
      match_method: string | null;
    }>(
      `select id, account_id, account_no, raw_identifier, raw_name, uscc, match_method from ${table} order by id`,
    );
    for (const r of rows) {
      const manualUscc = r.match_method === 'manual' ? r.uscc : null;
      let account = registry.accounts.get(r.account_no);
      if (account === undefined)
        registry.accounts.set(r.account_no, (account = { id: r.account_id, holders: [] }));
      if (holderOf(account.holders, r.raw_identifier, r.raw_name, manualUscc) === undefined) {
        account.holders.push({
          id: r.id,
          accountId: r.account_id,
          rawIdentifier: r.raw_identifier,
          rawName: r.raw_name,
          manualUscc,
          rows: 0,
          matched: r.uscc !== null,
          fresh: null,
        });
      }
    }
    return registry;
  }

  /**
   * The holder of a row of `account` naming `party` (linked by hand to `manualUscc`, if given): stored,
   * or new. `rememberParty`: the party object will come back for other rows (a row reader's memo).
   */
  holderFor(
    account: string,
    party: PartyInput,
    manualUscc: string | null,
    rememberParty = true,
  ): Holder {
    const byParty = manualUscc === null && rememberParty;
    let ofParty: Map<string, Holder> | undefined;
    if (byParty) {
      ofParty = this.byParty.get(party);
      const found = ofParty?.get(account);
      if (found !== undefined) return found;
    }
    let entry = this.accounts.get(account);
    let holder =
      entry === undefined
        ? undefined
        : holderOf(entry.holders, party.rawIdentifier, party.rawName, manualUscc);
    if (holder === undefined) {
      const id = this.nextId++;
      // (the number may be a slice of a file's text: what is kept is a copy)
      account = detach(account);
      // a new account is numbered by its first holder
      if (entry === undefined) this.accounts.set(account, (entry = { id, holders: [] }));
      holder = {
        id,
        accountId: entry.id,
        rawIdentifier: party.rawIdentifier,
        rawName: party.rawName,
        manualUscc,
        rows: 0,
        matched: manualUscc !== null,
        fresh: { account, party },
      };
      entry.holders.push(holder);
      this.created.push(holder);
    }
    if (byParty) {
      if (ofParty === undefined) this.byParty.set(party, (ofParty = new Map()));
      ofParty.set(account, holder);
    }
    return holder;
  }

  /** New holders not written yet. */
  get unwritten(): number {
    return this.created.length - this.written;
  }

  /**
   * Writes the new holders not written yet, resolved set-based on the way in (their identities never
   * travel back). A load may do this while it reads (its rows only need the holders' ids) and must at
   * the end ({@link finish}).
   */
  async writeCreated(session: Session): Promise<void> {
    const holders = this.created.slice(this.written);
    this.written = this.created.length;
    if (holders.length === 0) return;
    const fresh = `edp_fresh_${this.table}`;
    await session.query(
      `create temp table if not exists ${fresh} (id integer, account_id integer, account_no text, raw_identifier text, raw_name text, name_norm text, ident text, manual text) on commit drop`,
    );
    await session.query(`truncate ${fresh}`);
    let text = '';
    for (const h of holders) {
      const { account, party: p } = h.fresh!;
      text += copyLine([
        h.id,
        h.accountId,
        account,
        p.rawIdentifier,
        p.rawName,
        p.nameNorm,
        p.ident,
        h.manualUscc,
      ]);
      h.fresh = null; // written: what it was made from can be collected
      if (text.length >= 1 << 20) {
        await session.copyIn(fresh, FRESH_COLUMNS, text);
        text = '';
      }
    }
    if (text) await session.copyIn(fresh, FRESH_COLUMNS, text);
    const resolutions = await resolutionsOf(session, fresh);
    await session.query(
      `insert into ${this.table} (id, account_id, account_no, raw_identifier, raw_name, name_norm, uscc, match_method, match_reason, match_candidates)
       select f.id, f.account_id, f.account_no, f.raw_identifier, f.raw_name, nullif(f.name_norm, ''),
         coalesce(f.manual, r.uscc), case when f.manual is not null then 'manual' else r.method end,
         case when f.manual is null then r.reason end, case when f.manual is null then r.candidates end
       from ${fresh} f join (${resolutions}) r on r.ident = f.ident and r.name_norm = case when f.ident = '' then f.name_norm else '' end
       order by f.id`,
    );
  }

  /**
   * Writes the new holders not written yet and moves the id sequence past them. Returns the rows of this
   * load that link to an enterprise and those that do not.
   */
  async finish(session: Session): Promise<{ loaded: number; unmatched: number }> {
    await this.writeCreated(session);
    if (this.created.length > 0) {
      const unlinked = await session.query<{ id: number }>(
        `select id from ${this.table} where id >= $1 and uscc is null`,
        [this.created[0].id],
      );
      const unmatched = new Set(unlinked.map((r) => r.id));
      for (const h of this.created) h.matched = !unmatched.has(h.id);
      await session.query(`select setval($1::regclass, $2)`, [this.sequence, this.nextId - 1]);
    }
    let loaded = 0;
    let unmatched = 0;
    for (const account of this.accounts.values()) {
      for (const h of account.holders) {
        if (h.matched) loaded += h.rows;
        else unmatched += h.rows;
      }
    }
    return { loaded, unmatched };
  }
}

const FRESH_COLUMNS = [
  'id',
  'account_id',
  'account_no',
  'raw_identifier',
  'raw_name',
  'name_norm',
  'ident',
  'manual',
];
