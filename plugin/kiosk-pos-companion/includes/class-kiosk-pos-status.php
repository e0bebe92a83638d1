<?php
/**
 * GET kiosk/v1/status: what the device needs to know about the store before using the plugin.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * Versions, storage, tax fingerprint, permalinks and the feed's position.
 *
 * The tax fingerprint is a hash of every tax option and rate the device computes with: when it
 * changes, the device re-reads its tax settings; when it is the same, it need not.
 */
class Kiosk_POS_Status {

	/**
	 * The WordPress layer.
	 *
	 * @var Kiosk_POS_Platform
	 */
	private $platform;

	/**
	 * The feed.
	 *
	 * @var Kiosk_POS_Change_Feed
	 */
	private $feed;

	/**
	 * Use $platform and $feed.
	 *
	 * @param Kiosk_POS_Platform    $platform The WordPress layer.
	 * @param Kiosk_POS_Change_Feed $feed     The feed.
	 */
	public function __construct( Kiosk_POS_Platform $platform, Kiosk_POS_Change_Feed $feed ) {
		$this->platform = $platform;
		$this->feed     = $feed;
	}

	/**
	 * A stable hash of tax settings: the same settings in any key order give the same string.
	 *
	 * @param array $settings Tax options and rates.
	 * @return string
	 */
	public static function fingerprint( array $settings ) {
		return hash( 'sha256', (string) json_encode( self::sorted( $settings ) ) );
	}

	/**
	 * $value with every associative array's keys sorted, recursively.
	 *
	 * @param mixed $value Value.
	 * @return mixed
	 */
	private static function sorted( $value ) {
		if ( ! is_array( $value ) ) {
			return is_scalar( $value ) || null === $value ? (string) $value : '';
		}
		$out = array();
		foreach ( $value as $k => $v ) {
			$out[ $k ] = self::sorted( $v );
		}
		if ( array_keys( $out ) !== range( 0, count( $out ) - 1 ) ) {
			ksort( $out, SORT_STRING );
		}
		return $out;
	}

	/**
	 * The answer of GET kiosk/v1/status.
	 *
	 * @param string   $version   Plugin version.
	 * @param string   $namespace REST namespace.
	 * @param string[] $routes    Routes the plugin serves.
	 * @return array
	 */
	public function build( $version, $namespace, array $routes ) {
		$versions = $this->platform->versions();
		$links    = $this->platform->permalinks();
		$structure = isset( $links['structure'] ) ? (string) $links['structure'] : '';
		return array(
			'plugin_version'      => (string) $version,
			'namespace'           => (string) $namespace,
			'routes'              => array_values( $routes ),
			'wordpress_version'   => (string) $versions['wordpress'],
			'woocommerce_version' => (string) $versions['woocommerce'],
			'php_version'         => (string) $versions['php'],
			'hpos'                => (bool) $this->platform->hpos_enabled(),
			'tax_fingerprint'     => self::fingerprint( $this->platform->tax_settings() ),
			'permalinks'          => array(
				'pretty'    => '' !== $structure,
				'structure' => $structure,
				'rest_base' => isset( $links['rest_base'] ) ? (string) $links['rest_base'] : 'wp-json',
			),
			'feed'                => array(
				'epoch'    => $this->feed->epoch(),
				'last_seq' => (int) $this->platform->feed_last_seq(),
			),
			'time_gmt'            => gmdate( 'Y-m-d\TH:i:s', $this->platform->now() ),
		);
	}
}
