-- The upgrade a target was asked to go through before its ClientHello
-- (`--starttls PROTO`, a scan line's starttls=PROTO): one port checked with
-- and without it is two targets.  NULL: none asked for, which is every row
-- written before this version (HTTPS), and an upgrade the check chose
-- itself from the port's greeting.  The same SQL for both databases.
ALTER TABLE targets ADD COLUMN starttls TEXT;

-- diff's snapshot groups by the whole key; GROUP BY puts every NULL in one
-- group in both databases, so the column needs no COALESCE to pair the
-- rows before and after this version.
DROP INDEX targets_key;
CREATE INDEX targets_key ON targets (host, port, address, starttls, run_id);
