<?php
/**
 * POST kiosk/v1/orders and GET kiosk/v1/orders/by-uuid/<uuid>: sales made on a device.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * Takes a sale exactly once, keyed by the device's order UUID.
 *
 * WooCommerce's POST wc/v3/orders has no idempotency key, and a device whose request timed out
 * cannot tell whether the order was made. Here the UUID is the key: under a lock named after it
 * (so two workers handling a retry and the original cannot both create), an order whose meta
 * holds the UUID is looked up first and returned as it is (200, created: false); only when there
 * is none is one created (201). The order itself is made by WooCommerce's own REST controller,
 * so totals, taxes and stock reduction are WooCommerce's; core REST ignores date_created, so the
 * sale's real time is set afterwards. A paid sale made offline is never refused for stock: a
 * line that sells more than the store has is recorded as "oversold while offline" on the order
 * and on the product, for the merchant to sort out.
 */
class Kiosk_POS_Order_Intake {

	// The same meta keys the device writes through core REST, so both paths find each other.
	const META_UUID    = '_kiosk_order_id';
	const META_SOLD_AT = '_kiosk_sold_at';
	const LOCK_SECONDS = 10;
	const UUID_PATTERN = '/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/';

	/**
	 * The WordPress layer.
	 *
	 * @var Kiosk_POS_Platform
	 */
	private $platform;

	/**
	 * Use $platform for orders, stock and locks.
	 *
	 * @param Kiosk_POS_Platform $platform The WordPress layer.
	 */
	public function __construct( Kiosk_POS_Platform $platform ) {
		$this->platform = $platform;
	}

	/**
	 * A UUID as the plugin keys it (lower case), or '' when $value is not one.
	 *
	 * @param mixed $value Candidate.
	 * @return string
	 */
	public static function normalise_uuid( $value ) {
		if ( ! is_string( $value ) ) {
			return '';
		}
		$uuid = strtolower( trim( $value ) );
		return preg_match( self::UUID_PATTERN, $uuid ) ? $uuid : '';
	}

	/**
	 * A date-time with an offset (RFC 3339) as Unix time, or null.
	 *
	 * @param mixed $value Candidate.
	 * @return int|null
	 */
	public static function parse_time( $value ) {
		if ( ! is_string( $value ) || ! preg_match( '/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/', $value ) ) {
			return null;
		}
		$date = date_create_immutable( $value );
		return $date ? $date->getTimestamp() : null;
	}

	/**
	 * Take one sale.
	 *
	 * @param array $body uuid, sold_at, order (the wc/v3 order payload).
	 * @return array|Kiosk_POS_Error ['status' => 201|200, 'body' => ...] or the refusal.
	 */
	public function create( array $body ) {
		$uuid = self::normalise_uuid( isset( $body['uuid'] ) ? $body['uuid'] : null );
		if ( '' === $uuid ) {
			return new Kiosk_POS_Error( 'kiosk_pos_invalid_uuid', 'uuid must be an RFC 4122 UUID.', 400 );
		}
		$sold_at = self::parse_time( isset( $body['sold_at'] ) ? $body['sold_at'] : null );
		if ( null === $sold_at ) {
			return new Kiosk_POS_Error( 'kiosk_pos_invalid_sold_at', 'sold_at must be a date-time with a time zone offset.', 400 );
		}
		$order = isset( $body['order'] ) ? $body['order'] : null;
		if ( ! is_array( $order ) || ! isset( $order['line_items'] ) || ! is_array( $order['line_items'] ) ) {
			return new Kiosk_POS_Error( 'kiosk_pos_invalid_order', 'order must be a WooCommerce order with line_items.', 400 );
		}

		$lock = 'kiosk_pos_order_' . $uuid;
		if ( ! $this->platform->lock( $lock, self::LOCK_SECONDS ) ) {
			return new Kiosk_POS_Error( 'kiosk_pos_busy', 'This order is being taken by another request; try again.', 409 );
		}
		try {
			$existing = $this->platform->order_id_by_meta( self::META_UUID, $uuid );
			if ( $existing ) {
				$found = $this->platform->core_order( $existing );
				if ( null !== $found ) {
					return array(
						'status' => 200,
						'body'   => $this->answer( false, $uuid, array(), $found ),
					);
				}
			}
			return $this->make( $uuid, (string) $body['sold_at'], $sold_at, $order );
		} finally {
			$this->platform->unlock( $lock );
		}
	}

	/**
	 * The order whose meta holds $uuid.
	 *
	 * @param string $uuid The device's order UUID.
	 * @return array|Kiosk_POS_Error
	 */
	public function find( $uuid ) {
		$key = self::normalise_uuid( $uuid );
		if ( '' === $key ) {
			return new Kiosk_POS_Error( 'kiosk_pos_invalid_uuid', 'uuid must be an RFC 4122 UUID.', 400 );
		}
		$id    = $this->platform->order_id_by_meta( self::META_UUID, $key );
		$order = $id ? $this->platform->core_order( $id ) : null;
		if ( null === $order ) {
			return new Kiosk_POS_Error( 'kiosk_pos_order_not_found', 'No order has this uuid.', 404 );
		}
		return array(
			'uuid'  => $key,
			'order' => $order,
		);
	}

	/**
	 * Lines that sell more than the store has in stock: product_id, stock, quantity.
	 *
	 * @param array $lines line_items of the payload.
	 * @return array[]
	 */
	public function oversold( array $lines ) {
		$wanted = array();
		foreach ( $lines as $line ) {
			if ( ! is_array( $line ) ) {
				continue;
			}
			$id = ! empty( $line['variation_id'] ) ? (int) $line['variation_id'] : ( isset( $line['product_id'] ) ? (int) $line['product_id'] : 0 );
			if ( $id > 0 ) {
				$wanted[ $id ] = ( isset( $wanted[ $id ] ) ? $wanted[ $id ] : 0 ) + max( 0, (int) ( isset( $line['quantity'] ) ? $line['quantity'] : 0 ) );
			}
		}
		$short = array();
		foreach ( $wanted as $id => $quantity ) {
			$stock = $this->platform->stock_of( $id );
			if ( null !== $stock && $quantity > $stock ) {
				$short[] = array(
					'product_id' => $id,
					'stock'      => (int) $stock,
					'quantity'   => $quantity,
				);
			}
		}
		return $short;
	}

	/**
	 * Create the order (no copy exists) and stamp it.
	 *
	 * @param string $uuid     Key.
	 * @param string $sold_raw sold_at as sent.
	 * @param int    $sold_at  sold_at as Unix time.
	 * @param array  $order    The wc/v3 payload.
	 * @return array|Kiosk_POS_Error
	 */
	private function make( $uuid, $sold_raw, $sold_at, array $order ) {
		$short = $this->oversold( $order['line_items'] );
		$meta  = array();
		foreach ( isset( $order['meta_data'] ) && is_array( $order['meta_data'] ) ? $order['meta_data'] : array() as $entry ) {
			if ( is_array( $entry ) && isset( $entry['key'] ) && ! in_array( $entry['key'], array( self::META_UUID, self::META_SOLD_AT ), true ) ) {
				$meta[] = $entry;
			}
		}
		$meta[]             = array(
			'key'   => self::META_UUID,
			'value' => $uuid,
		);
		$meta[]             = array(
			'key'   => self::META_SOLD_AT,
			'value' => $sold_raw,
		);
		$order['meta_data'] = $meta;

		$made = $this->platform->create_core_order( $order );
		$data = isset( $made['data'] ) && is_array( $made['data'] ) ? $made['data'] : array();
		if ( (int) $made['status'] >= 300 || empty( $data['id'] ) ) {
			$code    = isset( $data['code'] ) ? (string) $data['code'] : 'kiosk_pos_order_failed';
			$message = isset( $data['message'] ) ? (string) $data['message'] : 'WooCommerce did not create the order.';
			$status  = (int) $made['status'] >= 400 ? (int) $made['status'] : 500;
			return new Kiosk_POS_Error( $code, $message, $status );
		}
		$id = (int) $data['id'];
		$this->platform->set_order_created( $id, $sold_at );
		foreach ( $short as $line ) {
			$text = sprintf(
				'Oversold while offline: product %d sold %d with %d in stock (device order %s).',
				$line['product_id'],
				$line['quantity'],
				$line['stock'],
				$uuid
			);
			$this->platform->add_order_note( $id, $text );
			$this->platform->note_product_oversold( $line['product_id'], sprintf( '%s Order %d.', $text, $id ) );
		}
		$fresh = $this->platform->core_order( $id );
		return array(
			'status' => 201,
			'body'   => $this->answer( true, $uuid, $short, null === $fresh ? $data : $fresh ),
		);
	}

	/**
	 * The answer's body.
	 *
	 * @param bool   $created  Whether this request made the order.
	 * @param string $uuid     Key.
	 * @param array  $oversold Oversold lines.
	 * @param array  $order    The wc/v3 order JSON.
	 * @return array
	 */
	private function answer( $created, $uuid, array $oversold, array $order ) {
		return array(
			'created'  => $created,
			'uuid'     => $uuid,
			'oversold' => $oversold,
			'order'    => $order,
		);
	}
}
