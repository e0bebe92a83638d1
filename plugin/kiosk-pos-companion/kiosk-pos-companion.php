<?php
/**
 * Plugin Name:          Kiosk POS Companion
 * Description:          Read endpoints the Kiosk POS counter device needs and the WooCommerce REST API lacks: every variation of the store in one paged listing, and every product id in one call.
 * Version:              0.1.0
 * Requires at least:    6.2
 * Requires PHP:         7.4
 * Requires Plugins:     woocommerce
 * Author:               Kiosk POS
 * License:              GPL-2.0-or-later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:          kiosk-pos-companion
 * WC requires at least: 8.0
 * WC tested up to:      9.9
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

define( 'KIOSK_POS_COMPANION_VERSION', '0.1.0' );
define( 'KIOSK_POS_COMPANION_NAMESPACE', 'kiosk/v1' );

/**
 * Let WooCommerce's REST authentication (consumer key and secret: Basic, query or OAuth 1.0a)
 * sign in requests to our namespace, as it does for its own wc/ routes. Without this WordPress
 * would see the device's requests as anonymous.
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
	// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a REST read signed by API keys, not a form.
	$rest_route = isset( $_GET['rest_route'] ) ? sanitize_text_field( wp_unslash( $_GET['rest_route'] ) ) : '';
	return 0 === strpos( ltrim( $rest_route, '/' ), $ours );
}
add_filter( 'woocommerce_rest_is_request_to_rest_api', 'kiosk_pos_companion_use_wc_auth' );

/**
 * Register the kiosk/v1 routes once WooCommerce (whose REST controllers they reuse) is loaded.
 */
function kiosk_pos_companion_register_routes() {
	if ( ! class_exists( 'WooCommerce' ) || ! class_exists( 'WC_REST_Product_Variations_Controller' ) ) {
		return;
	}
	require_once __DIR__ . '/includes/class-kiosk-pos-rest-controller.php';
	$controller = new Kiosk_POS_REST_Controller();
	$controller->register_routes();
}
add_action( 'rest_api_init', 'kiosk_pos_companion_register_routes' );

/**
 * The plugin reads products only (never orders), so it works with HPOS order storage.
 */
function kiosk_pos_companion_declare_compatibility() {
	if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
		\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
	}
}
add_action( 'before_woocommerce_init', 'kiosk_pos_companion_declare_compatibility' );
