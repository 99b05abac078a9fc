-- Seal after commit: a write transaction inserts its events unsealed (seq, hash
-- and prev_hash NULL) with its transaction id, and the sealer chains them later
-- in (xact_id, id) order once no older transaction can still commit an event.
-- Appends then take no lock, so writes in different subtrees never wait.
--
-- The default is set after the column exists, so events written before this
-- migration keep a NULL xact_id: the chained ones are sealed already and the
-- pre-chain ones (no seq) can never be sealed.
ALTER TABLE audit_events ADD COLUMN xact_id BIGINT;
ALTER TABLE audit_events ALTER COLUMN xact_id SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX audit_events_unsealed_idx ON audit_events (xact_id, id) WHERE seq IS NULL;

-- Still append-only: the one UPDATE allowed is sealing an unsealed event (its
-- NULL chain fields get values, nothing else changes). DELETE and TRUNCATE stay refused.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL AND OLD.xact_id IS NOT NULL
           AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
           AND to_jsonb(NEW) - ARRAY['seq', 'hash', 'prev_hash'] = to_jsonb(OLD) - ARRAY['seq', 'hash', 'prev_hash']
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
