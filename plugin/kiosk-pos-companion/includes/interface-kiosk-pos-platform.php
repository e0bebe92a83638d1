<?php
/**
 * The thin layer between the plugin's logic and WordPress/WooCommerce.
 *
 * Everything the change feed, the order intake and the status need from WordPress goes through
 * this interface, so PHPUnit runs that logic against a fake (tests/class-fake-platform.php)
 * without a WordPress install. Kiosk_POS_WP_Platform is the real one.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

interface Kiosk_POS_Platform {

	/**
	 * An option's value, or $default when it is not set.
	 *
	 * @param string $name    Option name.
	 * @param mixed  $default Value when absent.
	 * @return mixed
	 */
	public function get_option( $name, $default = false );

	/**
	 * Store an option (not autoloaded).
	 *
	 * @param string $name  Option name.
	 * @param mixed  $value Value.
	 */
	public function set_option( $name, $value );

	/**
	 * Record one change in the feed table, replacing the row of the same kind and id, and return
	 * its new sequence number (strictly greater than every earlier one).
	 *
	 * @param array $row kind, object_id, parent_id, action, changed_gmt.
	 * @return int
	 */
	public function feed_put( array $row );

	/**
	 * Rows with seq > $after, oldest first, at most $limit.
	 *
	 * @param int $after Sequence number already seen.
	 * @param int $limit Rows at most.
	 * @return array[] Each with seq, kind, object_id, parent_id, action, changed_gmt.
	 */
	public function feed_after( $after, $limit );

	/**
	 * The highest sequence number in the table (0 when empty).
	 *
	 * @return int
	 */
	public function feed_last_seq();

	/**
	 * Remove every row of the feed.
	 */
	public function feed_clear();

	/**
	 * Take a named lock shared by every PHP worker (MySQL GET_LOCK), waiting up to $timeout s.
	 *
	 * @param string $name    Lock name.
	 * @param int    $timeout Seconds to wait.
	 * @return bool Whether the lock is held.
	 */
	public function lock( $name, $timeout );

	/**
	 * Release a lock taken with lock().
	 *
	 * @param string $name Lock name.
	 */
	public function unlock( $name );

	/**
	 * The id of the order whose meta $key is $value (HPOS or legacy posts), 0 when none.
	 *
	 * @param string $key   Meta key.
	 * @param string $value Meta value.
	 * @return int
	 */
	public function order_id_by_meta( $key, $value );

	/**
	 * Create an order through WooCommerce's own REST controller (POST wc/v3/orders).
	 *
	 * @param array $payload The order, as wc/v3 takes it.
	 * @return array ['status' => HTTP status, 'data' => the order JSON or a WP_Error body].
	 */
	public function create_core_order( array $payload );

	/**
	 * An order as GET wc/v3/orders/<id> shows it, or null.
	 *
	 * @param int $id Order id.
	 * @return array|null
	 */
	public function core_order( $id );

	/**
	 * Set an order's creation date (the sale's real time) and save it.
	 *
	 * @param int $id        Order id.
	 * @param int $timestamp Unix time.
	 */
	public function set_order_created( $id, $timestamp );

	/**
	 * Add a private note to an order.
	 *
	 * @param int    $id   Order id.
	 * @param string $note Text.
	 */
	public function add_order_note( $id, $note );

	/**
	 * A product's or variation's stock quantity, or null when it does not manage stock.
	 *
	 * @param int $product_id Product or variation id.
	 * @return int|null
	 */
	public function stock_of( $product_id );

	/**
	 * Tell the merchant on a product that it was oversold (product meta the admin page lists).
	 *
	 * @param int    $product_id Product or variation id.
	 * @param string $note       Text.
	 */
	public function note_product_oversold( $product_id, $note );

	/**
	 * WordPress, WooCommerce and PHP versions.
	 *
	 * @return array wordpress, woocommerce, php.
	 */
	public function versions();

	/**
	 * Whether orders are stored in WooCommerce's own tables (HPOS) rather than posts.
	 *
	 * @return bool
	 */
	public function hpos_enabled();

	/**
	 * The tax options and rates the device computes with, as one array.
	 *
	 * @return array
	 */
	public function tax_settings();

	/**
	 * The permalink structure ('' for plain permalinks) and the REST URL prefix.
	 *
	 * @return array structure, rest_base.
	 */
	public function permalinks();

	/**
	 * WooCommerce webhooks that deliver to a Kiosk POS device.
	 *
	 * @return array[] id, name, topic, delivery_url, status.
	 */
	public function device_webhooks();

	/**
	 * Unix time now.
	 *
	 * @return int
	 */
	public function now();

	/**
	 * Wait $seconds (a long poll between two looks at the feed).
	 *
	 * @param int $seconds Seconds.
	 */
	public function sleep( $seconds );

	/**
	 * A new random identifier (the feed's epoch).
	 *
	 * @return string
	 */
	public function random_id();
}
