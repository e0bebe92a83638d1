<?php
/**
 * Uninstall: remove the change feed table and the plugin's options. Orders and their meta stay:
 * they are the shop's records.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

global $wpdb;
$kiosk_pos_table = $wpdb->prefix . 'kiosk_pos_changes';
// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.SchemaChange -- our own table, no values.
$wpdb->query( "DROP TABLE IF EXISTS {$kiosk_pos_table}" );
foreach ( array( 'kiosk_pos_feed_epoch', 'kiosk_pos_devices', 'kiosk_pos_db_version' ) as $kiosk_pos_option ) {
	delete_option( $kiosk_pos_option );
}
