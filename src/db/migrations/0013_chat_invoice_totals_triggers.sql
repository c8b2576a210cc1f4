-- The statement triggers that keep chat_invoice_totals (created in 0012) in step with invoices, and the totals
-- counted once for the invoices already there.
-- Adds `added` to the chats' totals and takes `removed` away, in one statement: rows grouped by total first, so a
-- statement that changes 50,000 invoices of one chat (a group's move to a supergroup) updates each total once, and
-- totals locked in key order, so two writers never wait for each other in a circle. The pattern is
-- PLAIN_DECIMAL_PATTERN (src/invoices/state-machine.ts): paid_amount is text as SMARTy Pay reported it, and only a
-- plain decimal is summed, as the reports always did. PL/pgSQL, so its plan is made once per connection.
CREATE FUNCTION chat_invoice_totals_add(removed invoices[], added invoices[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO chat_invoice_totals AS t
    (chat_id, status, token, paid_token, invoices, amount, reported_paid, reported, unreported_amount)
  SELECT notify_chat_id, status, token, coalesce(paid_token, ''), sum(sign), sum(sign * amount),
    sum(CASE WHEN paid_amount ~ '^[0-9]+(\.[0-9]+)?$' THEN sign * paid_amount::numeric ELSE 0 END),
    sum(CASE WHEN paid_amount ~ '^[0-9]+(\.[0-9]+)?$' THEN sign ELSE 0 END),
    sum(CASE WHEN paid_amount ~ '^[0-9]+(\.[0-9]+)?$' THEN 0 ELSE sign * amount END)
  FROM (SELECT r.*, -1 AS sign FROM unnest(removed) AS r UNION ALL SELECT a.*, 1 AS sign FROM unnest(added) AS a) AS c
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (chat_id, status, token, paid_token) DO UPDATE SET
    invoices = t.invoices + excluded.invoices,
    amount = t.amount + excluded.amount,
    reported_paid = t.reported_paid + excluded.reported_paid,
    reported = t.reported + excluded.reported,
    unreported_amount = t.unreported_amount + excluded.unreported_amount;
END $$;
--> statement-breakpoint
-- Once per statement, with the rows it inserted, deleted or changed (transition tables, whose rows are records of
-- the invoices row type). An update that changes none of the columns the totals hold (a card's message id, the next
-- re-check) changes nothing here.
CREATE FUNCTION chat_invoice_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed invoices[];
  added invoices[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM chat_invoice_totals_add('{}', ARRAY(SELECT n::invoices FROM new_rows AS n));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM chat_invoice_totals_add(ARRAY(SELECT o::invoices FROM old_rows AS o), '{}');
  ELSE
    SELECT array_agg(o::invoices), array_agg(n::invoices) INTO removed, added
    FROM old_rows AS o JOIN new_rows AS n USING (id)
    WHERE (o.notify_chat_id, o.status, o.token, o.amount, o.paid_amount, o.paid_token)
      IS DISTINCT FROM (n.notify_chat_id, n.status, n.token, n.amount, n.paid_amount, n.paid_token);
    IF removed IS NOT NULL THEN PERFORM chat_invoice_totals_add(removed, added); END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER invoices_chat_totals_insert AFTER INSERT ON invoices REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION chat_invoice_totals_keep();
--> statement-breakpoint
CREATE TRIGGER invoices_chat_totals_update AFTER UPDATE ON invoices REFERENCING OLD TABLE AS old_rows
  NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chat_invoice_totals_keep();
--> statement-breakpoint
CREATE TRIGGER invoices_chat_totals_delete AFTER DELETE ON invoices REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION chat_invoice_totals_keep();
--> statement-breakpoint
-- The totals counted afresh from the invoices: for the invoices already there when this migration runs, and after a
-- bulk load made with the triggers disabled (the bench's seeding). Not while other writes run.
CREATE FUNCTION chat_invoice_totals_rebuild() RETURNS void LANGUAGE sql AS $$
  DELETE FROM chat_invoice_totals;
  INSERT INTO chat_invoice_totals (chat_id, status, token, paid_token, invoices, amount, reported_paid, reported,
    unreported_amount)
  SELECT notify_chat_id, status, token, coalesce(paid_token, ''), count(*), sum(amount),
    coalesce(sum(CASE WHEN paid_amount ~ '^[0-9]+(\.[0-9]+)?$' THEN paid_amount::numeric END), 0),
    count(*) FILTER (WHERE paid_amount ~ '^[0-9]+(\.[0-9]+)?$'),
    coalesce(sum(CASE WHEN paid_amount ~ '^[0-9]+(\.[0-9]+)?$' THEN NULL ELSE amount END), 0)
  FROM invoices GROUP BY 1, 2, 3, 4;
$$;
--> statement-breakpoint
SELECT chat_invoice_totals_rebuild();
