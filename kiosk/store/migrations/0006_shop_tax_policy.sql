-- Version 6: the shop settings name whose tax arithmetic prices a sale (kiosk.core.tax).
--
-- The connector picks its platform's policy; every shop synced so far is a WooCommerce one.
ALTER TABLE shop_settings ADD COLUMN tax_policy TEXT NOT NULL DEFAULT 'woocommerce';
