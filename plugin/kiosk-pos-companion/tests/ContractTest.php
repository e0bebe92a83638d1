<?php
/**
 * The plugin against contract.json: routes, capabilities, limits, kinds, answers and errors.
 *
 * @package Kiosk_POS_Companion
 */

use PHPUnit\Framework\TestCase;

class ContractTest extends TestCase {

	private static function source( $file ) {
		return (string) file_get_contents( dirname( __DIR__ ) . '/includes/' . $file );
	}

	/**
	 * The controller's CAPABILITIES map, read from its source (it extends WP_REST_Controller,
	 * which is not loaded here).
	 */
	private static function capabilities() {
		preg_match( '/const CAPABILITIES = array\((.*?)\);/s', self::source( 'class-kiosk-pos-rest-controller.php' ), $m );
		preg_match_all( "/'([A-Z]+ [^']+)'\s*=>\s*'([a-z_]+)'/", $m[1], $pairs, PREG_SET_ORDER );
		$out = array();
		foreach ( $pairs as $pair ) {
			$out[ $pair[1] ] = $pair[2];
		}
		return $out;
	}

	public function test_every_contract_route_is_registered_with_its_capability() {
		$contract = Kiosk_POS_Shape::contract();
		$caps     = self::capabilities();
		$this->assertSame( array_keys( $contract['routes'] ), array_keys( $caps ) );
		foreach ( $contract['routes'] as $name => $route ) {
			$this->assertSame( $route['capability'], $caps[ $name ], $name );
		}
		$controller = self::source( 'class-kiosk-pos-rest-controller.php' );
		foreach ( array_keys( $caps ) as $name ) {
			$this->assertStringContainsString( "array( '{$name}', WP_REST_Server::", $controller, "{$name} is registered" );
		}
		$this->assertSame( 1, substr_count( $controller, "'permission_callback'" ), 'one permission callback, used by every route' );
	}

	public function test_limits_kinds_and_actions_match() {
		$contract = Kiosk_POS_Shape::contract();
		$this->assertSame( $contract['change_kinds'], Kiosk_POS_Change_Feed::KINDS );
		$this->assertSame( $contract['change_actions'], Kiosk_POS_Change_Feed::ACTIONS );
		$this->assertSame( $contract['limits']['changes_default_limit'], Kiosk_POS_Change_Feed::DEFAULT_LIMIT );
		$this->assertSame( $contract['limits']['changes_max_limit'], Kiosk_POS_Change_Feed::MAX_LIMIT );
		$this->assertSame( $contract['limits']['changes_max_wait'], Kiosk_POS_Change_Feed::MAX_WAIT );
		$params = $contract['routes']['GET /changes']['params'];
		$this->assertSame( Kiosk_POS_Change_Feed::MAX_LIMIT, $params['limit']['maximum'] );
		$this->assertSame( Kiosk_POS_Change_Feed::DEFAULT_LIMIT, $params['limit']['default'] );
		$this->assertSame( Kiosk_POS_Change_Feed::MAX_WAIT, $params['wait']['maximum'] );
		$main = (string) file_get_contents( dirname( __DIR__ ) . '/kiosk-pos-companion.php' );
		$this->assertStringContainsString( "define( 'KIOSK_POS_COMPANION_VERSION', '{$contract['version']}' );", $main );
		$this->assertStringContainsString( "define( 'KIOSK_POS_COMPANION_NAMESPACE', '{$contract['namespace']}' );", $main );
	}

	public function test_answers_have_the_contracts_shapes() {
		$contract = Kiosk_POS_Shape::contract();
		$platform = new Kiosk_POS_Fake_Platform();
		$feed     = new Kiosk_POS_Change_Feed( $platform );
		$feed->record( 'variation', 111, 'upsert', 110 );
		$feed->record( 'product', 103, 'delete' );
		$this->assertSame( array(), Kiosk_POS_Shape::problems( $feed->read( 0, 10 ), $contract['routes']['GET /changes']['response'] ) );
		$status = ( new Kiosk_POS_Status( $platform, $feed ) )->build( $contract['version'], 'kiosk/v1', array_keys( $contract['routes'] ) );
		$this->assertSame( array(), Kiosk_POS_Shape::problems( $status, $contract['routes']['GET /status']['response'] ) );
		$platform->stock[101] = 0;
		$intake               = new Kiosk_POS_Order_Intake( $platform );
		$body                 = array(
			'uuid'    => '0f8fad5b-d9cb-469f-a165-70867728950e',
			'sold_at' => '2025-03-09T16:30:05Z',
			'order'   => array( 'line_items' => array( array( 'product_id' => 101, 'quantity' => 1 ) ) ),
		);
		$made                 = $intake->create( $body );
		$post                 = $contract['routes']['POST /orders'];
		$this->assertSame( $post['status']['created'], $made['status'] );
		$this->assertSame( array(), Kiosk_POS_Shape::problems( $made['body'], $post['response'] ) );
		$this->assertSame( $post['status']['existing'], $intake->create( $body )['status'] );
		$found = $intake->find( $body['uuid'] );
		$this->assertSame( array(), Kiosk_POS_Shape::problems( $found, $contract['routes']['GET /orders/by-uuid/{uuid}']['response'] ) );
		$error = $intake->find( 'x' )->to_array();
		$this->assertSame( array(), Kiosk_POS_Shape::problems( $error, $contract['error_shape'] ) );
	}

	public function test_the_shape_checker_finds_misfits() {
		$shape = array( 'a' => 'integer', 'b?' => array( 'string' ), 'c' => 'string|null' );
		$this->assertSame( array(), Kiosk_POS_Shape::problems( array( 'a' => 1, 'c' => null ), $shape ) );
		$this->assertSame( array( '$.a: expected integer, got string' ), Kiosk_POS_Shape::problems( array( 'a' => '1', 'c' => 'x' ), $shape ) );
		$this->assertSame( array( '$.c: missing' ), Kiosk_POS_Shape::problems( array( 'a' => 1 ), $shape ) );
		$this->assertSame( array( '$.b[1]: expected string, got integer' ), Kiosk_POS_Shape::problems( array( 'a' => 1, 'b' => array( 'x', 2 ), 'c' => 'x' ), $shape ) );
	}

	public function test_every_error_the_logic_returns_is_in_the_contract_with_its_status() {
		$contract = Kiosk_POS_Shape::contract();
		$found    = 0;
		foreach ( glob( dirname( __DIR__ ) . '/includes/*.php' ) as $file ) {
			preg_match_all( "/new Kiosk_POS_Error\( '([a-z_]+)',.*?, (\d{3}) \)/", (string) file_get_contents( $file ), $errors, PREG_SET_ORDER );
			foreach ( $errors as $error ) {
				++$found;
				$this->assertArrayHasKey( $error[1], $contract['errors'], basename( $file ) );
				$this->assertSame( (int) $error[2], $contract['errors'][ $error[1] ], $error[1] );
			}
		}
		$this->assertGreaterThanOrEqual( 7, $found );
	}

	public function test_every_sql_value_is_prepared() {
		foreach ( glob( dirname( __DIR__ ) . '/includes/*.php' ) as $file ) {
			$text = (string) file_get_contents( $file );
			preg_match_all( '/"(SELECT|REPLACE|DELETE|INSERT|UPDATE)[^"]*"/', $text, $queries );
			foreach ( $queries[0] as $sql ) {
				$this->assertStringNotContainsString( '$request', $sql, basename( $file ) );
				$this->assertStringNotContainsString( '$value', $sql, basename( $file ) );
				$this->assertStringNotContainsString( '$key', $sql, basename( $file ) );
			}
		}
		$platform = self::source( 'class-kiosk-pos-wp-platform.php' );
		$this->assertGreaterThanOrEqual( 6, substr_count( $platform, '$wpdb->prepare(' ) );
	}
}
