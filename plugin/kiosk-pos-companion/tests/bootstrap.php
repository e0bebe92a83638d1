<?php
/**
 * PHPUnit bootstrap: the plugin's logic without WordPress.
 *
 * Only the escaping and translation functions the admin page's render() calls are stood in for
 * here (as identity plus htmlspecialchars); every other WordPress call sits behind
 * Kiosk_POS_Platform, which Kiosk_POS_Fake_Platform replaces.
 *
 * @package Kiosk_POS_Companion
 */

define( 'ABSPATH', __DIR__ . '/' );

function __( $text, $domain = 'default' ) {
	return $text;
}
function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}
function esc_attr( $text ) {
	return esc_html( $text );
}
function esc_html__( $text, $domain = 'default' ) {
	return esc_html( $text );
}

$kiosk_pos_includes = dirname( __DIR__ ) . '/includes/';
require_once $kiosk_pos_includes . 'interface-kiosk-pos-platform.php';
require_once $kiosk_pos_includes . 'class-kiosk-pos-error.php';
require_once $kiosk_pos_includes . 'class-kiosk-pos-change-feed.php';
require_once $kiosk_pos_includes . 'class-kiosk-pos-devices.php';
require_once $kiosk_pos_includes . 'class-kiosk-pos-order-intake.php';
require_once $kiosk_pos_includes . 'class-kiosk-pos-status.php';
require_once $kiosk_pos_includes . 'class-kiosk-pos-hooks.php';
require_once $kiosk_pos_includes . 'class-kiosk-pos-admin-page.php';
require_once __DIR__ . '/class-kiosk-pos-fake-platform.php';
require_once __DIR__ . '/class-kiosk-pos-shape.php';
