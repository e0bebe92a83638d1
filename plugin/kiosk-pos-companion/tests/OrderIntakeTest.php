<?php
/**
 * POST kiosk/v1/orders: exactly once by UUID, the sale's real time, oversold but never refused.
 *
 * @package Kiosk_POS_Companion
 */

use PHPUnit\Framework\TestCase;

class OrderIntakeTest extends TestCase {

	const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

	private $platform;
	private $intake;

	protected function setUp(): void {
		$this->platform = new Kiosk_POS_Fake_Platform();
		$this->intake   = new Kiosk_POS_Order_Intake( $this->platform );
	}

	private function body( array $lines = null, $uuid = self::UUID ) {
		return array(
			'uuid'    => $uuid,
			'sold_at' => '2025-03-09T16:30:05+01:00',
			'order'   => array(
				'status'     => 'completed',
				'set_paid'   => true,
				'currency'   => 'GBP',
				'line_items' => null === $lines ? array( array( 'product_id' => 101, 'quantity' => 2, 'total' => '13.32' ) ) : $lines,
				'meta_data'  => array(
					array( 'key' => '_kiosk_order_id', 'value' => 'something-else' ),
					array( 'key' => '_kiosk_cashier', 'value' => 'Ann' ),
				),
			),
		);
	}

	public function test_creates_the_order_once_and_a_retry_gets_the_same_one() {
		$first = $this->intake->create( $this->body() );
		$this->assertSame( 201, $first['status'] );
		$this->assertTrue( $first['body']['created'] );
		$again = $this->intake->create( $this->body() );
		$this->assertSame( 200, $again['status'] );
		$this->assertFalse( $again['body']['created'] );
		$this->assertSame( $first['body']['order']['id'], $again['body']['order']['id'] );
		$this->assertSame( 1, $this->platform->core_creates );
		$this->assertCount( 1, $this->platform->orders );
		$this->assertSame( array(), $this->platform->locks, 'the lock is released' );
	}

	public function test_the_uuid_is_matched_whatever_its_case() {
		$this->intake->create( $this->body() );
		$again = $this->intake->create( $this->body( null, strtoupper( self::UUID ) ) );
		$this->assertFalse( $again['body']['created'] );
		$this->assertSame( self::UUID, $again['body']['uuid'] );
	}

	public function test_the_order_carries_the_uuid_and_the_sale_time_once() {
		$made  = $this->intake->create( $this->body() );
		$order = $this->platform->orders[ $made['body']['order']['id'] ];
		$keys  = array_column( $order['meta_data'], 'value', 'key' );
		$this->assertSame( self::UUID, $keys['_kiosk_order_id'] );
		$this->assertSame( '2025-03-09T16:30:05+01:00', $keys['_kiosk_sold_at'] );
		$this->assertSame( 'Ann', $keys['_kiosk_cashier'] );
		$this->assertCount( 1, array_keys( array_column( $order['meta_data'], 'key' ), '_kiosk_order_id', true ) );
	}

	public function test_the_creation_date_is_the_sales_real_time() {
		$made = $this->intake->create( $this->body() );
		$id   = $made['body']['order']['id'];
		$this->assertSame( gmmktime( 15, 30, 5, 3, 9, 2025 ), $this->platform->created_at[ $id ] );
		$this->assertSame( '2025-03-09T15:30:05', $made['body']['order']['date_created_gmt'] );
	}

	public function test_an_oversold_sale_is_taken_and_noted_on_the_order_and_the_product() {
		$this->platform->stock[101] = 1;
		$this->platform->stock[102] = 9;
		$made = $this->intake->create(
			$this->body(
				array(
					array( 'product_id' => 101, 'quantity' => 2, 'total' => '1.00' ),
					array( 'product_id' => 101, 'quantity' => 1, 'total' => '1.00' ),
					array( 'product_id' => 102, 'quantity' => 1, 'total' => '1.00' ),
				)
			)
		);
		$this->assertSame( 201, $made['status'] );
		$this->assertSame( array( array( 'product_id' => 101, 'stock' => 1, 'quantity' => 3 ) ), $made['body']['oversold'] );
		$id = $made['body']['order']['id'];
		$this->assertStringContainsString( 'Oversold while offline', $this->platform->order_notes[ $id ][0] );
		$this->assertStringContainsString( 'Oversold while offline', $this->platform->product_notes[101][0] );
		$this->assertStringContainsString( "Order {$id}", $this->platform->product_notes[101][0] );
		$this->assertArrayNotHasKey( 102, $this->platform->product_notes );
		$this->assertSame( -2, $this->platform->stock[101], 'WooCommerce took the stock below zero' );
	}

	public function test_a_variation_line_is_checked_against_the_variation() {
		$this->platform->stock[111] = 0;
		$made                       = $this->intake->create( $this->body( array( array( 'product_id' => 110, 'variation_id' => 111, 'quantity' => 1 ) ) ) );
		$this->assertSame( 111, $made['body']['oversold'][0]['product_id'] );
	}

	public function test_products_without_managed_stock_are_never_oversold() {
		$made = $this->intake->create( $this->body() );
		$this->assertSame( array(), $made['body']['oversold'] );
		$this->assertSame( array(), $this->platform->order_notes );
	}

	/**
	 * @dataProvider bad_bodies
	 */
	public function test_bad_bodies_are_refused_with_the_contracts_codes( $body, $code ) {
		$error = $this->intake->create( $body );
		$this->assertInstanceOf( Kiosk_POS_Error::class, $error );
		$this->assertSame( $code, $error->code );
		$this->assertSame( Kiosk_POS_Shape::contract()['errors'][ $code ], $error->status );
		$this->assertSame( 0, $this->platform->core_creates );
	}

	public function bad_bodies() {
		$good = ( new self() )->body();
		return array(
			'no uuid'          => array( array_diff_key( $good, array( 'uuid' => 1 ) ), 'kiosk_pos_invalid_uuid' ),
			'not a uuid'       => array( array_merge( $good, array( 'uuid' => 'sale-1' ) ), 'kiosk_pos_invalid_uuid' ),
			'uuid not string'  => array( array_merge( $good, array( 'uuid' => 12 ) ), 'kiosk_pos_invalid_uuid' ),
			'no offset'        => array( array_merge( $good, array( 'sold_at' => '2025-03-09T16:30:05' ) ), 'kiosk_pos_invalid_sold_at' ),
			'not a date'       => array( array_merge( $good, array( 'sold_at' => 'yesterday' ) ), 'kiosk_pos_invalid_sold_at' ),
			'no order'         => array( array_diff_key( $good, array( 'order' => 1 ) ), 'kiosk_pos_invalid_order' ),
			'no line items'    => array( array_merge( $good, array( 'order' => array( 'status' => 'completed' ) ) ), 'kiosk_pos_invalid_order' ),
		);
	}

	public function test_a_request_that_cannot_take_the_lock_is_told_to_retry() {
		$this->platform->lock_refused = true;
		$error                        = $this->intake->create( $this->body() );
		$this->assertSame( 'kiosk_pos_busy', $error->code );
		$this->assertSame( 409, $error->status );
		$this->assertSame( 0, $this->platform->core_creates );
	}

	public function test_woocommerces_own_refusal_is_passed_on_and_a_retry_can_succeed() {
		$this->platform->next_core_error = array(
			'status' => 400,
			'data'   => array( 'code' => 'woocommerce_rest_invalid_product_id', 'message' => 'Invalid product ID.' ),
		);
		$error = $this->intake->create( $this->body() );
		$this->assertSame( 'woocommerce_rest_invalid_product_id', $error->code );
		$this->assertSame( 400, $error->status );
		$this->assertSame( array(), $this->platform->locks );
		$this->assertSame( 201, $this->intake->create( $this->body() )['status'] );
	}

	public function test_a_core_answer_without_an_order_is_a_500() {
		$this->platform->next_core_error = array( 'status' => 201, 'data' => array() );
		$error                           = $this->intake->create( $this->body() );
		$this->assertSame( 'kiosk_pos_order_failed', $error->code );
		$this->assertSame( 500, $error->status );
	}

	public function test_find_by_uuid() {
		$this->assertSame( 'kiosk_pos_order_not_found', $this->intake->find( self::UUID )->code );
		$this->assertSame( 'kiosk_pos_invalid_uuid', $this->intake->find( 'nope' )->code );
		$made  = $this->intake->create( $this->body() );
		$found = $this->intake->find( self::UUID );
		$this->assertSame( $made['body']['order']['id'], $found['order']['id'] );
		$this->assertSame( self::UUID, $found['uuid'] );
	}

	public function test_an_order_uploaded_through_core_rest_is_found_too() {
		// The device's fallback path writes the same meta key through wc/v3/orders.
		$this->platform->create_core_order(
			array(
				'line_items' => array(),
				'meta_data'  => array( array( 'key' => '_kiosk_order_id', 'value' => self::UUID ) ),
			)
		);
		$again = $this->intake->create( $this->body() );
		$this->assertSame( 200, $again['status'] );
		$this->assertSame( 1, $this->platform->core_creates );
	}
}
