<?php
/**
 * The devices that talk to the store: when each was last seen and how many sales it has queued.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * Kept in one option for the admin page; a device says who it is with `device=` (and `queued=`).
 */
class Kiosk_POS_Devices {

	const OPTION      = 'kiosk_pos_devices';
	const MAX_DEVICES = 200;
	// A long-polling device calls every few seconds: write its row at most once a minute
	// unless what it reports changed.
	const REFRESH_SECONDS = 60;

	/**
	 * The WordPress layer.
	 *
	 * @var Kiosk_POS_Platform
	 */
	private $platform;

	/**
	 * Use $platform.
	 *
	 * @param Kiosk_POS_Platform $platform The WordPress layer.
	 */
	public function __construct( Kiosk_POS_Platform $platform ) {
		$this->platform = $platform;
	}

	/**
	 * A device id as the plugin keeps it ('' when it is not one: 1-64 of A-Z a-z 0-9 . _ -).
	 *
	 * @param mixed $value Candidate.
	 * @return string
	 */
	public static function normalise_id( $value ) {
		return is_string( $value ) && preg_match( '/^[A-Za-z0-9._-]{1,64}$/', $value ) ? $value : '';
	}

	/**
	 * Note a contact from $device, which reports $queued sales waiting to upload.
	 *
	 * @param string $device Device id.
	 * @param int    $queued Sales it has queued.
	 * @return bool Whether the device was recorded.
	 */
	public function seen( $device, $queued ) {
		$device = self::normalise_id( $device );
		if ( '' === $device ) {
			return false;
		}
		$now     = $this->platform->now();
		$queued  = max( 0, (int) $queued );
		$devices = $this->all();
		$old     = isset( $devices[ $device ] ) ? $devices[ $device ] : null;
		if ( $old && $old['queued'] === $queued && $now - $old['last_seen'] < self::REFRESH_SECONDS ) {
			return true;
		}
		$devices[ $device ] = array(
			'last_seen' => $now,
			'queued'    => $queued,
		);
		if ( count( $devices ) > self::MAX_DEVICES ) {
			uasort(
				$devices,
				function ( $a, $b ) {
					return $b['last_seen'] - $a['last_seen'];
				}
			);
			$devices = array_slice( $devices, 0, self::MAX_DEVICES, true );
		}
		$this->platform->set_option( self::OPTION, $devices );
		return true;
	}

	/**
	 * Every device: id => last_seen (Unix time), queued.
	 *
	 * @return array
	 */
	public function all() {
		$devices = $this->platform->get_option( self::OPTION, array() );
		$out     = array();
		foreach ( is_array( $devices ) ? $devices : array() as $id => $row ) {
			if ( is_array( $row ) && '' !== self::normalise_id( (string) $id ) ) {
				$out[ (string) $id ] = array(
					'last_seen' => (int) ( isset( $row['last_seen'] ) ? $row['last_seen'] : 0 ),
					'queued'    => (int) ( isset( $row['queued'] ) ? $row['queued'] : 0 ),
				);
			}
		}
		return $out;
	}
}
