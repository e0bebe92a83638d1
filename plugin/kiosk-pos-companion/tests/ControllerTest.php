<?php
/**
 * The REST controller on stand-ins for WordPress's REST classes (tests/wp-stubs.php): every
 * contract route is registered in kiosk/v1, each behind its capability, and the handlers pass
 * requests to the logic and its answers back with the contract's statuses.
 *
 * @package Kiosk_POS_Companion
 */

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/wp-stubs.php';
if ( ! defined( 'KIOSK_POS_COMPANION_NAMESPACE' ) ) {
	define( 'KIOSK_POS_COMPANION_NAMESPACE', 'kiosk/v1' );
	define( 'KIOSK_POS_COMPANION_VERSION', '0.2.0' );
}
require_once dirname( __DIR__ ) . '/includes/class-kiosk-pos-rest-controller.php';

class ControllerTest extends TestCase {

	private $platform;
	private $controller;

	protected function setUp(): void {
		$GLOBALS['kiosk_pos_test_routes']  = array();
		$GLOBALS['kiosk_pos_test_caps']    = array();
		$GLOBALS['kiosk_pos_test_filters'] = array();
		$this->platform                    = new Kiosk_POS_Fake_Platform();
		$this->controller                  = new Kiosk_POS_REST_Controller( $this->platform, new Kiosk_POS_Change_Feed( $this->platform ) );
		$this->controller->register_routes();
	}

	private function route( $name ) {
		list( $method, $path ) = explode( ' ', $name, 2 );
		foreach ( $GLOBALS['kiosk_pos_test_routes'] as $pattern => $args ) {
			if ( $args['methods'] === $method && ( 'kiosk/v1' . $path ) === preg_replace( '/\(\?P<(\w+)>[^)]+\)/', '{$1}', $pattern ) ) {
				return $args;
			}
		}
		$this->fail( "{$name} is not registered" );
	}

	public function test_every_contract_route_is_registered_in_the_namespace() {
		$contract = Kiosk_POS_Shape::contract();
		$this->assertCount( count( $contract['routes'] ), $GLOBALS['kiosk_pos_test_routes'] );
		foreach ( array_keys( $contract['routes'] ) as $name ) {
			$this->assertIsCallable( $this->route( $name )['callback'], $name );
		}
	}

	public function test_every_route_refuses_a_user_without_its_capability_and_admits_one_with_it() {
		foreach ( Kiosk_POS_Shape::contract()['routes'] as $name => $route ) {
			$check = $this->route( $name )['permission_callback'];
			$GLOBALS['kiosk_pos_test_caps'] = array();
			$refused                        = $check();
			$this->assertInstanceOf( WP_Error::class, $refused, $name );
			$this->assertSame( 401, $refused->data['status'] );
			$this->assertSame( 0 === strpos( $name, 'POST' ) ? 'woocommerce_rest_cannot_create' : 'woocommerce_rest_cannot_view', $refused->code );
			$GLOBALS['kiosk_pos_test_caps'] = array( 'read', 'edit_posts' );
			$this->assertInstanceOf( WP_Error::class, $check(), "{$name} with unrelated capabilities" );
			$GLOBALS['kiosk_pos_test_caps'] = array( $route['capability'] );
			$this->assertTrue( $check(), $name );
		}
	}

	public function test_changes_records_the_device_and_caps_the_wait_by_the_filter() {
		$feed = new Kiosk_POS_Change_Feed( $this->platform );
		$feed->record( 'product', 5 );
		$GLOBALS['kiosk_pos_test_filters']['kiosk_pos_changes_max_wait'] = 0;
		$request  = new WP_REST_Request( array( 'after' => 1, 'limit' => 10, 'epoch' => '', 'wait' => 20, 'device' => 'till-1', 'queued' => 2 ) );
		$response = $this->route( 'GET /changes' )['callback']( $request );
		$this->assertSame( array(), $response->data['changes'] );
		$this->assertSame( 0, $this->platform->slept, 'the filter turned the long poll off' );
		$this->assertSame( 'no-store', $response->headers['Cache-Control'] );
		$this->assertSame( 2, ( new Kiosk_POS_Devices( $this->platform ) )->all()['till-1']['queued'] );
	}

	public function test_orders_answer_201_then_200_and_refusals_as_wp_errors() {
		$create = $this->route( 'POST /orders' )['callback'];
		$body   = array(
			'uuid'    => '0f8fad5b-d9cb-469f-a165-70867728950e',
			'sold_at' => '2025-03-09T16:30:05Z',
			'order'   => array( 'line_items' => array( array( 'product_id' => 101, 'quantity' => 1 ) ) ),
		);
		$this->assertSame( 201, $create( new WP_REST_Request( array(), $body ) )->status );
		$again = $create( new WP_REST_Request( array(), $body ) );
		$this->assertSame( 200, $again->status );
		$this->assertFalse( $again->data['created'] );
		$bad = $create( new WP_REST_Request( array(), array_merge( $body, array( 'uuid' => 'x' ) ) ) );
		$this->assertInstanceOf( WP_Error::class, $bad );
		$this->assertSame( 'kiosk_pos_invalid_uuid', $bad->code );
		$this->assertSame( 400, $bad->data['status'] );
		$this->assertSame( 'kiosk_pos_invalid_order', $create( new WP_REST_Request( array(), 'not json' ) )->code );
		$find = $this->route( 'GET /orders/by-uuid/{uuid}' )['callback'];
		$this->assertSame( $again->data['order']['id'], $find( new WP_REST_Request( array( 'uuid' => $body['uuid'] ) ) )->data['order']['id'] );
		$this->assertSame( 404, $find( new WP_REST_Request( array( 'uuid' => '1f8fad5b-d9cb-469f-a165-70867728950e' ) ) )->data['status'] );
	}

	public function test_status_lists_the_contracts_routes() {
		$response = $this->route( 'GET /status' )['callback']( new WP_REST_Request() );
		$this->assertSame( array_keys( Kiosk_POS_Shape::contract()['routes'] ), $response->data['routes'] );
		$this->assertSame( array(), Kiosk_POS_Shape::problems( $response->data, Kiosk_POS_Shape::contract()['routes']['GET /status']['response'] ) );
	}
}
