-- Cost ids are handed out in blocks of 65,536 (engine/cost-ids.ts): `cost-` followed by the
-- block number (8 hex digits) and the row's place in the block (4 hex digits). Ids made this
-- way never collide — random 48-bit ids would, among tens of millions of rows — and each
-- worker appends to its own stretch of the primary key instead of writing all over it.
CREATE SEQUENCE cost_id_block AS bigint MINVALUE 1 MAXVALUE 4294967295 NO CYCLE;

-- Rows written before had random ids; they are numbered into the first blocks, and the
-- sequence starts after them. The key is dropped and built again: one pass, no clashes
-- between an old id and a new one while the rows are renumbered.
ALTER TABLE cost DROP CONSTRAINT cost_pkey;
UPDATE cost SET cost_id = 'cost-' || lpad(to_hex(n.i), 12, '0')
  FROM (SELECT ctid AS row_at, row_number() OVER () - 1 AS i FROM cost) n
 WHERE cost.ctid = n.row_at;
ALTER TABLE cost ADD CONSTRAINT cost_pkey PRIMARY KEY (cost_id);
SELECT setval('cost_id_block', (SELECT count(*) / 65536 + 1 FROM cost), false);
