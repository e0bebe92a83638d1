<?php
/**
 * Plugin Name:          Kiosk POS Companion
 * Description:          REST endpoints the Kiosk POS counter device needs and the WooCommerce REST API lacks: a change feed for devices behind NAT, exactly-once order upload by the device's order id, store status, and bulk catalog reads.
 * Version:              0.2.0
 * Requires at least:    6.4
 * Requires PHP:         7.4
 * Requires Plugins:     woocommerce
 * Author:               Kiosk POS
 * License:              GPL-2.0-or-later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:          kiosk-pos-companion
 * Domain Path:          /languages
 * WC requires at least: 8.0
 * WC tested up to:      9.9
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

define( 'KIOSK_POS_COMPANION_VERSION', '0.2.0' );
define( 'KIOSK_POS_COMPANION_NAMESPACE', 'kiosk/v1' );
define( 'KIOSK_POS_COMPANION_FILE', __FILE__ );

require_once __DIR__ . '/includes/interface-kiosk-pos-platform.php';
require_once __DIR__ . '/includes/class-kiosk-pos-error.php';
require_once __DIR__ . '/includes/class-kiosk-pos-change-feed.php';
require_once __DIR__ . '/includes/class-kiosk-pos-devices.php';
require_once __DIR__ . '/includes/class-kiosk-pos-order-intake.php';
require_once __DIR__ . '/includes/class-kiosk-pos-status.php';
require_once __DIR__ . '/includes/class-kiosk-pos-hooks.php';
require_once __DIR__ . '/includes/class-kiosk-pos-wp-platform.php';
require_once __DIR__ . '/includes/class-kiosk-pos-admin-page.php';

/**
 * The one platform and feed of this request.
 *
 * @return array [Kiosk_POS_Platform, Kiosk_POS_Change_Feed]
 */
function kiosk_pos_companion() {
	static $parts = null;
	if ( null === $parts ) {
		$platform = new Kiosk_POS_WP_Platform();
		$parts    = array( $platform, new Kiosk_POS_Change_Feed( $platform ) );
	}
	return $parts;
}

/**
 * Activation: the feed table, and a new epoch (devices resync against a feed that starts now).
 */
function kiosk_pos_companion_activate() {
	Kiosk_POS_WP_Platform::install_table();
	list( , $feed ) = kiosk_pos_companion();
	$feed->reset();
	update_option( 'kiosk_pos_db_version', KIOSK_POS_COMPANION_VERSION, false );
}
register_activation_hook( __FILE__, 'kiosk_pos_companion_activate' );

/**
 * Let WooCommerce's REST authentication (consumer key and secret: Basic, query or OAuth 1.0a)
 * sign in requests to our namespace, as it does for its own wc/ routes. Without this WordPress
 * would see the device's requests as anonymous (WC_REST_Authentication::is_request_to_rest_api
 * only matches "wc/" and "wc-" in the request URI, and offers this filter for others).
 *
 * @param bool $is_request_to_wc Whether WooCommerce already treats the request as its own.
 * @return bool
 */
function kiosk_pos_companion_use_wc_auth( $is_request_to_wc ) {
	if ( $is_request_to_wc ) {
		return true;
	}
	$ours = KIOSK_POS_COMPANION_NAMESPACE . '/';
	// Pretty permalinks: the same test WooCommerce makes for "wc/" in the request URI.
	$request_uri = isset( $_SERVER['REQUEST_URI'] ) ? esc_url_raw( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '';
	if ( false !== strpos( $request_uri, trailingslashit( rest_get_url_prefix() ) . $ours ) ) {
		return true;
	}
	// Plain permalinks: ?rest_route=/kiosk/v1/...
	// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a REST request signed by API keys, not a form.
	$rest_route = isset( $_GET['rest_route'] ) ? sanitize_text_field( wp_unslash( $_GET['rest_route'] ) ) : '';
	return 0 === strpos( ltrim( $rest_route, '/' ), $ours );
}
add_filter( 'woocommerce_rest_is_request_to_rest_api', 'kiosk_pos_companion_use_wc_auth' );

/**
 * Load translations, upgrade the table after an update, and start listening for changes.
 */
function kiosk_pos_companion_init() {
	load_plugin_textdomain( 'kiosk-pos-companion', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
	if ( ! class_exists( 'WooCommerce' ) ) {
		return;
	}
	if ( get_option( 'kiosk_pos_db_version' ) !== KIOSK_POS_COMPANION_VERSION ) {
		Kiosk_POS_WP_Platform::install_table();
		update_option( 'kiosk_pos_db_version', KIOSK_POS_COMPANION_VERSION, false );
	}
	list( $platform, $feed ) = kiosk_pos_companion();
	( new Kiosk_POS_Hooks( $feed ) )->register();
	if ( is_admin() ) {
		( new Kiosk_POS_Admin_Page( $platform, $feed ) )->register();
	}
}
add_action( 'plugins_loaded', 'kiosk_pos_companion_init' );

/**
 * Register the kiosk/v1 routes once WooCommerce (whose REST controllers they reuse) is loaded.
 */
function kiosk_pos_companion_register_routes() {
	if ( ! class_exists( 'WooCommerce' ) || ! class_exists( 'WC_REST_Product_Variations_Controller' ) ) {
		return;
	}
	require_once __DIR__ . '/includes/class-kiosk-pos-rest-controller.php';
	list( $platform, $feed ) = kiosk_pos_companion();
	$controller              = new Kiosk_POS_REST_Controller( $platform, $feed );
	$controller->register_routes();
}
add_action( 'rest_api_init', 'kiosk_pos_companion_register_routes' );

/**
 * The plugin reads and writes orders only through WooCommerce's own APIs, and looks order meta up
 * in whichever storage is in use, so it works with HPOS order storage and with posts.
 */
function kiosk_pos_companion_declare_compatibility() {
	if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
		\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
	}
}
add_action( 'before_woocommerce_init', 'kiosk_pos_companion_declare_compatibility' );
