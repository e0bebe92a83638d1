-- Version 7: a card payment keeps how the card was read and the issuer's authorisation code.
--
-- The receipt prints both and the store's order carries them, so a reprint or a dispute months
-- later shows what the customer's slip showed. Older payments (cash, or card before this) read as
-- '' : nothing was recorded, and nothing is made up.
ALTER TABLE payments ADD COLUMN entry_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN auth_code TEXT NOT NULL DEFAULT '';
