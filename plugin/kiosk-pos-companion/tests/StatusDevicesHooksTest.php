<?php
/**
 * /status, the devices seen, which events feed the change feed, and the admin page.
 *
 * @package Kiosk_POS_Companion
 */

use PHPUnit\Framework\TestCase;

class StatusDevicesHooksTest extends TestCase {

	private $platform;
	private $feed;

	protected function setUp(): void {
		$this->platform = new Kiosk_POS_Fake_Platform();
		$this->feed     = new Kiosk_POS_Change_Feed( $this->platform );
	}

	private function status() {
		return ( new Kiosk_POS_Status( $this->platform, $this->feed ) )->build( '0.2.0', 'kiosk/v1', array( 'GET /status' ) );
	}

	public function test_status_reports_versions_storage_permalinks_and_the_feed() {
		$this->feed->record( 'product', 7 );
		$status = $this->status();
		$this->assertSame( '9.9.5', $status['woocommerce_version'] );
		$this->assertSame( '6.8.1', $status['wordpress_version'] );
		$this->assertTrue( $status['hpos'] );
		$this->assertTrue( $status['permalinks']['pretty'] );
		$this->assertSame( 1, $status['feed']['last_seq'] );
		$this->assertSame( $this->feed->epoch(), $status['feed']['epoch'] );
		$this->platform->hpos      = false;
		$this->platform->structure = '';
		$plain                     = $this->status();
		$this->assertFalse( $plain['hpos'] );
		$this->assertFalse( $plain['permalinks']['pretty'] );
	}

	public function test_the_tax_fingerprint_follows_the_settings_not_their_order() {
		$a = Kiosk_POS_Status::fingerprint( array( 'x' => '1', 'y' => array( 'b' => 2, 'a' => 1 ) ) );
		$b = Kiosk_POS_Status::fingerprint( array( 'y' => array( 'a' => 1, 'b' => 2 ), 'x' => '1' ) );
		$this->assertSame( $a, $b );
		$this->assertSame( 64, strlen( $a ) );
		$before                                         = $this->status()['tax_fingerprint'];
		$this->platform->tax['rates'][0]['tax_rate']    = '21.0000';
		$this->assertNotSame( $before, $this->status()['tax_fingerprint'] );
		// Rates are a list: their order is the store's order and counts.
		$this->assertNotSame( Kiosk_POS_Status::fingerprint( array( 1, 2 ) ), Kiosk_POS_Status::fingerprint( array( 2, 1 ) ) );
	}

	public function test_devices_are_recorded_with_their_queue_and_rewritten_only_when_needed() {
		$devices = new Kiosk_POS_Devices( $this->platform );
		$this->assertTrue( $devices->seen( 'till-1', 3 ) );
		$this->assertFalse( $devices->seen( '<script>', 1 ) );
		$this->assertFalse( $devices->seen( str_repeat( 'a', 65 ), 1 ) );
		$this->assertSame( array( 'till-1' => array( 'last_seen' => $this->platform->clock, 'queued' => 3 ) ), $devices->all() );
		$this->platform->clock += 10;
		$devices->seen( 'till-1', 3 );
		$this->assertSame( $this->platform->clock - 10, $devices->all()['till-1']['last_seen'], 'not rewritten within a minute' );
		$devices->seen( 'till-1', 0 );
		$this->assertSame( array( 'last_seen' => $this->platform->clock, 'queued' => 0 ), $devices->all()['till-1'] );
	}

	public function test_only_the_most_recent_devices_are_kept() {
		$devices = new Kiosk_POS_Devices( $this->platform );
		for ( $i = 0; $i <= Kiosk_POS_Devices::MAX_DEVICES; $i++ ) {
			++$this->platform->clock;
			$devices->seen( "till-{$i}", 0 );
		}
		$all = $devices->all();
		$this->assertCount( Kiosk_POS_Devices::MAX_DEVICES, $all );
		$this->assertArrayNotHasKey( 'till-0', $all );
	}

	public function test_which_events_go_into_the_feed() {
		$hooks = new Kiosk_POS_Hooks( $this->feed );
		$hooks->product_saved( 101 );
		$hooks->product_saved( 111, 110 );
		$hooks->product_props( 101, 0, array( 'name' ) );
		$hooks->product_props( 102, 0, array( 'regular_price' ) );
		$hooks->stock_set( 112, 110 );
		$hooks->post_removed( 103, 'product' );
		$hooks->post_removed( 113, 'product_variation', 110 );
		$hooks->post_removed( 9, 'page' );
		$hooks->option_updated( 'blogname' );
		$hooks->option_updated( 'woocommerce_prices_include_tax' );
		$hooks->order_saved( 600, array( 'flat_rate' ) );
		$hooks->order_saved( 601, array( 'local_pickup' ) );
		$hooks->order_removed( 602 );
		$hooks->customer_changed( 5 );
		$hooks->customer_changed( 6, true );
		$got = array_map(
			function ( $c ) {
				return "{$c['kind']}:{$c['id']}:{$c['action']}:{$c['parent_id']}";
			},
			$this->feed->read( 0, 100 )['changes']
		);
		$this->assertSame(
			array(
				'product:101:upsert:0',
				'variation:111:upsert:110',
				'price:102:upsert:0',
				'stock:112:upsert:110',
				'product:103:delete:0',
				'variation:113:delete:110',
				'tax:0:upsert:0',
				'order:601:upsert:0',
				'order:602:delete:0',
				'customer:5:upsert:0',
				'customer:6:delete:0',
			),
			$got
		);
	}

	public function test_a_restored_product_is_an_upsert_again() {
		$hooks = new Kiosk_POS_Hooks( $this->feed );
		$hooks->post_removed( 103, 'product' );
		$hooks->post_restored( 103, 'product' );
		$changes = $this->feed->read( 0, 10 )['changes'];
		$this->assertCount( 1, $changes );
		$this->assertSame( 'upsert', $changes[0]['action'] );
	}

	public function test_the_admin_page_lists_devices_and_webhooks_escaped() {
		$page = new Kiosk_POS_Admin_Page( $this->platform, $this->feed );
		$html = $page->render(
			array( 'till-1' => array( 'last_seen' => $this->platform->clock - 30, 'queued' => 4 ) ),
			array( array( 'id' => 1, 'name' => 'Universal Offline POS: product.updated', 'topic' => 'product.updated', 'delivery_url' => 'https://till/<x>', 'status' => 'active' ) ),
			array( 'epoch' => 'e1', 'last_seq' => 12 ),
			$this->platform->clock
		);
		$this->assertStringContainsString( '<td>till-1</td>', $html );
		$this->assertStringContainsString( '30 s ago', $html );
		$this->assertStringContainsString( '<td>4</td>', $html );
		$this->assertStringContainsString( 'https://till/&lt;x&gt;', $html );
		$this->assertStringNotContainsString( '<x>', $html );
		$this->assertStringContainsString( 'Epoch e1, last change 12.', $html );
		$empty = $page->render( array(), array(), array( 'epoch' => 'e1', 'last_seq' => 0 ), 0 );
		$this->assertStringContainsString( 'No device has contacted the store yet.', $empty );
	}
}
