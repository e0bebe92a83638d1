<?php
/**
 * Kiosk_POS_Platform in memory, for the tests: options, the feed table, orders, stock, a clock.
 *
 * @package Kiosk_POS_Companion
 */

/**
 * A store in arrays. create_core_order() behaves like POST wc/v3/orders as far as the logic
 * cares: it answers 201 with the order (id, status, total, currency, dates, meta_data), reduces
 * managed stock without checking it (as WooCommerce does for a paid order), or answers the
 * error queued in $next_core_error.
 */
class Kiosk_POS_Fake_Platform implements Kiosk_POS_Platform {

	public $options = array();
	public $rows    = array(); // seq => row.
	public $seq     = 0;
	public $locks   = array();
	public $lock_refused = false;
	public $orders  = array(); // id => order JSON.
	public $next_order_id = 500;
	public $core_creates  = 0;
	public $next_core_error = null;
	public $created_at    = array(); // id => timestamp.
	public $order_notes   = array(); // id => notes.
	public $stock         = array(); // product id => quantity (absent: not managed).
	public $product_notes = array(); // product id => notes.
	public $clock         = 1741608000; // 2025-03-10T12:00:00Z.
	public $slept         = 0;
	public $on_sleep      = null; // callable run after each sleep (a change arriving mid-poll).
	public $ids           = 0;
	public $hpos          = true;
	public $structure     = '/%postname%/';
	public $tax           = array(
		'options' => array( 'woocommerce_calc_taxes' => 'yes' ),
		'rates'   => array( array( 'tax_rate_id' => '1', 'tax_rate' => '20.0000' ) ),
	);
	public $webhooks      = array();

	public function get_option( $name, $default = false ) {
		return array_key_exists( $name, $this->options ) ? $this->options[ $name ] : $default;
	}

	public function set_option( $name, $value ) {
		$this->options[ $name ] = $value;
	}

	public function feed_put( array $row ) {
		foreach ( $this->rows as $seq => $old ) {
			if ( $old['kind'] === $row['kind'] && $old['object_id'] === $row['object_id'] ) {
				unset( $this->rows[ $seq ] );
			}
		}
		$this->seq                = $this->seq + 1;
		$this->rows[ $this->seq ] = array_merge( array( 'seq' => $this->seq ), $row );
		return $this->seq;
	}

	public function feed_after( $after, $limit ) {
		ksort( $this->rows );
		$out = array();
		foreach ( $this->rows as $seq => $row ) {
			if ( $seq > $after && count( $out ) < $limit ) {
				$out[] = $row;
			}
		}
		return $out;
	}

	public function feed_last_seq() {
		return $this->rows ? max( array_keys( $this->rows ) ) : 0;
	}

	public function feed_clear() {
		$this->rows = array();
	}

	public function lock( $name, $timeout ) {
		if ( $this->lock_refused || isset( $this->locks[ $name ] ) ) {
			return false;
		}
		$this->locks[ $name ] = true;
		return true;
	}

	public function unlock( $name ) {
		unset( $this->locks[ $name ] );
	}

	public function order_id_by_meta( $key, $value ) {
		foreach ( $this->orders as $id => $order ) {
			foreach ( $order['meta_data'] as $meta ) {
				if ( $meta['key'] === $key && $meta['value'] === $value ) {
					return $id;
				}
			}
		}
		return 0;
	}

	public function create_core_order( array $payload ) {
		++$this->core_creates;
		if ( null !== $this->next_core_error ) {
			$error                 = $this->next_core_error;
			$this->next_core_error = null;
			return $error;
		}
		$id    = $this->next_order_id++;
		$total = 0;
		foreach ( $payload['line_items'] as $line ) {
			$pid = ! empty( $line['variation_id'] ) ? $line['variation_id'] : $line['product_id'];
			if ( isset( $this->stock[ $pid ] ) ) {
				$this->stock[ $pid ] -= (int) $line['quantity'];
			}
			$total += isset( $line['total'] ) ? (float) $line['total'] : 0;
		}
		$meta = array();
		foreach ( isset( $payload['meta_data'] ) ? $payload['meta_data'] : array() as $i => $entry ) {
			$meta[] = array_merge( array( 'id' => $i + 1 ), $entry );
		}
		$this->orders[ $id ]     = array(
			'id'               => $id,
			'status'           => isset( $payload['status'] ) ? $payload['status'] : 'pending',
			'total'            => number_format( $total, 2, '.', '' ),
			'currency'         => isset( $payload['currency'] ) ? $payload['currency'] : 'GBP',
			'date_created_gmt' => gmdate( 'Y-m-d\TH:i:s', $this->clock ),
			'meta_data'        => $meta,
		);
		$this->created_at[ $id ] = $this->clock;
		return array(
			'status' => 201,
			'data'   => $this->orders[ $id ],
		);
	}

	public function core_order( $id ) {
		return isset( $this->orders[ $id ] ) ? $this->orders[ $id ] : null;
	}

	public function set_order_created( $id, $timestamp ) {
		$this->created_at[ $id ]                 = $timestamp;
		$this->orders[ $id ]['date_created_gmt'] = gmdate( 'Y-m-d\TH:i:s', $timestamp );
	}

	public function add_order_note( $id, $note ) {
		$this->order_notes[ $id ][] = $note;
	}

	public function stock_of( $product_id ) {
		return isset( $this->stock[ $product_id ] ) ? $this->stock[ $product_id ] : null;
	}

	public function note_product_oversold( $product_id, $note ) {
		$this->product_notes[ $product_id ][] = $note;
	}

	public function versions() {
		return array(
			'wordpress'   => '6.8.1',
			'woocommerce' => '9.9.5',
			'php'         => PHP_VERSION,
		);
	}

	public function hpos_enabled() {
		return $this->hpos;
	}

	public function tax_settings() {
		return $this->tax;
	}

	public function permalinks() {
		return array(
			'structure' => $this->structure,
			'rest_base' => 'wp-json',
		);
	}

	public function device_webhooks() {
		return $this->webhooks;
	}

	public function now() {
		return $this->clock;
	}

	public function sleep( $seconds ) {
		$this->clock += $seconds;
		$this->slept += $seconds;
		if ( $this->on_sleep ) {
			call_user_func( $this->on_sleep, $this );
		}
	}

	public function random_id() {
		++$this->ids;
		return sprintf( 'epoch-%04d', $this->ids );
	}
}
