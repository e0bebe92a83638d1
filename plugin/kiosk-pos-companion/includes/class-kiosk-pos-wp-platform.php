<?php
/**
 * Kiosk_POS_Platform on a real WordPress with WooCommerce.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * Every WordPress, WooCommerce and database call the plugin's logic makes. Keep it thin: a
 * decision made here is a decision PHPUnit cannot see.
 *
 * Orders are looked up HPOS-aware: with custom order tables in use their meta is in
 * {prefix}wc_orders_meta, else in postmeta of shop_order posts. Every SQL value goes through
 * $wpdb->prepare().
 */
class Kiosk_POS_WP_Platform implements Kiosk_POS_Platform {

	// Webhooks the device registers are named so (kiosk/connectors/woocommerce/webhook_setup.py).
	const WEBHOOK_NAME_PREFIX = 'Universal Offline POS';
	const OVERSOLD_META       = '_kiosk_pos_oversold';

	/**
	 * The feed table's name.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'kiosk_pos_changes';
	}

	/**
	 * Create or upgrade the feed table (on activation). One row per object: REPLACE on the
	 * (kind, object_id) key deletes the old row and inserts one with a new seq, atomically.
	 */
	public static function install_table() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table   = self::table();
		$charset = $wpdb->get_charset_collate();
		dbDelta(
			"CREATE TABLE {$table} (
  seq bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  kind varchar(20) NOT NULL,
  object_id bigint(20) unsigned NOT NULL DEFAULT 0,
  parent_id bigint(20) unsigned NOT NULL DEFAULT 0,
  action varchar(10) NOT NULL,
  changed_gmt datetime NOT NULL,
  PRIMARY KEY  (seq),
  UNIQUE KEY object (kind,object_id)
) {$charset};"
		);
	}

	/** {@inheritDoc} */
	public function get_option( $name, $default = false ) {
		return get_option( $name, $default );
	}

	/** {@inheritDoc} */
	public function set_option( $name, $value ) {
		update_option( $name, $value, false );
	}

	/** {@inheritDoc} */
	public function feed_put( array $row ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table; values prepared.
		$wpdb->query(
			$wpdb->prepare(
				"REPLACE INTO {$table} (kind, object_id, parent_id, action, changed_gmt) VALUES (%s, %d, %d, %s, %s)",
				$row['kind'],
				$row['object_id'],
				$row['parent_id'],
				$row['action'],
				str_replace( 'T', ' ', $row['changed_gmt'] )
			)
		);
		return (int) $wpdb->insert_id;
	}

	/** {@inheritDoc} */
	public function feed_after( $after, $limit ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table; values prepared.
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT seq, kind, object_id, parent_id, action, changed_gmt FROM {$table} WHERE seq > %d ORDER BY seq ASC LIMIT %d",
				$after,
				$limit
			),
			ARRAY_A
		);
		foreach ( $rows as &$row ) {
			$row['changed_gmt'] = str_replace( ' ', 'T', $row['changed_gmt'] );
		}
		return $rows;
	}

	/** {@inheritDoc} */
	public function feed_last_seq() {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table, no values.
		return (int) $wpdb->get_var( "SELECT COALESCE(MAX(seq), 0) FROM {$table}" );
	}

	/** {@inheritDoc} */
	public function feed_clear() {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table, no values.
		$wpdb->query( "DELETE FROM {$table}" );
	}

	/** {@inheritDoc} */
	public function lock( $name, $timeout ) {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- a MySQL named lock, not data.
		return '1' === (string) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, %d)', $name, $timeout ) );
	}

	/** {@inheritDoc} */
	public function unlock( $name ) {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- a MySQL named lock, not data.
		$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $name ) );
	}

	/** {@inheritDoc} */
	public function order_id_by_meta( $key, $value ) {
		global $wpdb;
		// WooCommerce's order search cannot filter on meta (core REST ignores meta_key), so read
		// the meta table of whichever storage is authoritative.
		// phpcs:disable WordPress.DB.DirectDatabaseQuery
		if ( $this->hpos_enabled() ) {
			$id = $wpdb->get_var(
				$wpdb->prepare(
					"SELECT order_id FROM {$wpdb->prefix}wc_orders_meta WHERE meta_key = %s AND meta_value = %s ORDER BY order_id ASC LIMIT 1",
					$key,
					$value
				)
			);
		} else {
			$id = $wpdb->get_var(
				$wpdb->prepare(
					"SELECT pm.post_id FROM {$wpdb->postmeta} pm INNER JOIN {$wpdb->posts} p ON p.ID = pm.post_id WHERE pm.meta_key = %s AND pm.meta_value = %s AND p.post_type = %s ORDER BY pm.post_id ASC LIMIT 1",
					$key,
					$value,
					'shop_order'
				)
			);
		}
		// phpcs:enable
		return (int) $id;
	}

	/** {@inheritDoc} */
	public function create_core_order( array $payload ) {
		$request = new WP_REST_Request( 'POST', '/wc/v3/orders' );
		$request->set_header( 'content-type', 'application/json' );
		$request->set_body( wp_json_encode( $payload ) );
		return $this->dispatch( $request );
	}

	/** {@inheritDoc} */
	public function core_order( $id ) {
		$answer = $this->dispatch( new WP_REST_Request( 'GET', sprintf( '/wc/v3/orders/%d', $id ) ) );
		return 200 === $answer['status'] && is_array( $answer['data'] ) ? $answer['data'] : null;
	}

	/**
	 * Run a wc/v3 request inside this one, as the same user (so its permission checks apply).
	 *
	 * @param WP_REST_Request $request The inner request.
	 * @return array status, data.
	 */
	private function dispatch( $request ) {
		$response = rest_do_request( $request );
		return array(
			'status' => $response->get_status(),
			'data'   => rest_get_server()->response_to_data( $response, false ),
		);
	}

	/** {@inheritDoc} */
	public function set_order_created( $id, $timestamp ) {
		$order = wc_get_order( $id );
		if ( $order ) {
			$order->set_date_created( $timestamp );
			$order->save();
		}
	}

	/** {@inheritDoc} */
	public function add_order_note( $id, $note ) {
		$order = wc_get_order( $id );
		if ( $order ) {
			$order->add_order_note( $note );
		}
	}

	/** {@inheritDoc} */
	public function stock_of( $product_id ) {
		$product = wc_get_product( $product_id );
		if ( ! $product || ! $product->managing_stock() ) {
			return null;
		}
		// A variation whose stock is managed by its parent sells from the parent's stock.
		$owner = wc_get_product( $product->get_stock_managed_by_id() );
		return (int) ( $owner ? $owner->get_stock_quantity() : $product->get_stock_quantity() );
	}

	/** {@inheritDoc} */
	public function note_product_oversold( $product_id, $note ) {
		add_post_meta(
			$product_id,
			self::OVERSOLD_META,
			array(
				'at'   => time(),
				'note' => $note,
			)
		);
	}

	/** {@inheritDoc} */
	public function versions() {
		return array(
			'wordpress'   => (string) get_bloginfo( 'version' ),
			'woocommerce' => function_exists( 'WC' ) ? (string) WC()->version : '',
			'php'         => PHP_VERSION,
		);
	}

	/** {@inheritDoc} */
	public function hpos_enabled() {
		return class_exists( '\Automattic\WooCommerce\Utilities\OrderUtil' )
			&& \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled();
	}

	/** {@inheritDoc} */
	public function tax_settings() {
		global $wpdb;
		$options = array();
		foreach ( array( 'woocommerce_calc_taxes', 'woocommerce_prices_include_tax', 'woocommerce_tax_based_on', 'woocommerce_tax_round_at_subtotal', 'woocommerce_tax_display_shop', 'woocommerce_tax_display_cart', 'woocommerce_default_country', 'woocommerce_currency' ) as $name ) {
			$options[ $name ] = (string) get_option( $name, '' );
		}
		// phpcs:disable WordPress.DB.DirectDatabaseQuery -- WooCommerce's own tax tables, no values.
		$rates     = $wpdb->get_results( "SELECT * FROM {$wpdb->prefix}woocommerce_tax_rates ORDER BY tax_rate_id ASC", ARRAY_A );
		$locations = $wpdb->get_results( "SELECT * FROM {$wpdb->prefix}woocommerce_tax_rate_locations ORDER BY location_id ASC", ARRAY_A );
		// phpcs:enable
		return array(
			'options'   => $options,
			'classes'   => class_exists( 'WC_Tax' ) ? WC_Tax::get_tax_classes() : array(),
			'rates'     => $rates,
			'locations' => $locations,
		);
	}

	/** {@inheritDoc} */
	public function permalinks() {
		return array(
			'structure' => (string) get_option( 'permalink_structure', '' ),
			'rest_base' => rest_get_url_prefix(),
		);
	}

	/** {@inheritDoc} */
	public function device_webhooks() {
		if ( ! class_exists( 'WC_Data_Store' ) ) {
			return array();
		}
		$out = array();
		foreach ( WC_Data_Store::load( 'webhook' )->search_webhooks( array( 'limit' => -1 ) ) as $id ) {
			$hook = wc_get_webhook( $id );
			if ( $hook && 0 === strpos( $hook->get_name(), self::WEBHOOK_NAME_PREFIX ) ) {
				$out[] = array(
					'id'           => $hook->get_id(),
					'name'         => $hook->get_name(),
					'topic'        => $hook->get_topic(),
					'delivery_url' => $hook->get_delivery_url(),
					'status'       => $hook->get_status(),
				);
			}
		}
		return $out;
	}

	/** {@inheritDoc} */
	public function now() {
		return time();
	}

	/** {@inheritDoc} */
	public function sleep( $seconds ) {
		sleep( $seconds );
	}

	/** {@inheritDoc} */
	public function random_id() {
		return wp_generate_uuid4();
	}
}
