import type { Queryable } from '../store/database.js';

/**
 * Cost ids, handed out in blocks (migrations/008): `cost-` + the block number in 8 hex digits
 * + the row's place in the block in 4. A block comes from the `cost_id_block` sequence, so no
 * two rows ever get the same id, on any worker of any machine, and the ids a task writes are
 * ascending — its rows land at one edge of the primary key rather than on random pages of it.
 * The form is the upstream's (`cost-` and 12 hex digits); nothing else is read from it.
 */
export const COST_ID_BLOCK_SIZE = 0x10000;

const NEXT_BLOCK = `SELECT nextval('cost_id_block')::bigint AS block`;

/** Ids for the rows of one task attempt; `reserve` before encoding a page, then `take`. */
export class CostIds {
  private prefix = '';
  private next = COST_ID_BLOCK_SIZE;
  private readonly spare: number[] = [];

  constructor(private readonly nextBlock: () => Promise<number>) {}

  /** Ids from this database's sequence. */
  static of(db: Queryable): CostIds {
    return new CostIds(async () => Number((await db.query<{ block: string | number }>(NEXT_BLOCK))[0].block));
  }

  /** How many ids `take` can give without another block. */
  get available(): number {
    return COST_ID_BLOCK_SIZE - this.next + this.spare.length * COST_ID_BLOCK_SIZE;
  }

  /** Makes sure the next `count` ids are at hand. */
  async reserve(count: number): Promise<void> {
    while (this.available < count) this.spare.push(await this.nextBlock());
  }

  /** The next `count` ids; `reserve(count)` must have been awaited first. */
  take(count: number): string[] {
    if (this.available < count) throw new Error(`cost ids: ${count} asked for, ${this.available} reserved`);
    const ids = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      if (this.next === COST_ID_BLOCK_SIZE) {
        this.prefix = `cost-${this.spare.shift()!.toString(16).padStart(8, '0')}`;
        this.next = 0;
      }
      ids[i] = this.prefix + (COST_ID_BLOCK_SIZE + this.next++).toString(16).slice(1);
    }
    return ids;
  }
}
