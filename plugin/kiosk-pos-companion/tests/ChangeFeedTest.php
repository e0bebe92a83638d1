<?php
/**
 * The change feed: order, coalescing, tombstones, paging, epochs and the long poll.
 *
 * @package Kiosk_POS_Companion
 */

use PHPUnit\Framework\TestCase;

class ChangeFeedTest extends TestCase {

	private $platform;
	private $feed;

	protected function setUp(): void {
		$this->platform = new Kiosk_POS_Fake_Platform();
		$this->feed     = new Kiosk_POS_Change_Feed( $this->platform );
	}

	public function test_changes_come_in_order_with_their_sequence_numbers() {
		$this->feed->record( 'product', 101 );
		$this->feed->record( 'variation', 111, 'upsert', 110 );
		$this->feed->record( 'tax', 0 );
		$read = $this->feed->read( 0, 10 );
		$this->assertSame( array( 'product', 'variation', 'tax' ), array_column( $read['changes'], 'kind' ) );
		$this->assertSame( array( 1, 2, 3 ), array_column( $read['changes'], 'seq' ) );
		$this->assertSame( 110, $read['changes'][1]['parent_id'] );
		$this->assertSame( 3, $read['next'] );
		$this->assertFalse( $read['more'] );
		$this->assertFalse( $read['reset'] );
		$this->assertSame( '2025-03-10T12:00:00', $read['changes'][0]['changed_gmt'] );
	}

	public function test_a_second_change_of_an_object_replaces_its_row_with_a_later_seq() {
		$this->feed->record( 'product', 101 );
		$this->feed->record( 'product', 102 );
		$this->feed->record( 'product', 101, 'delete' );
		$read = $this->feed->read( 0, 10 );
		$this->assertCount( 2, $read['changes'] );
		$this->assertSame( array( 102, 101 ), array_column( $read['changes'], 'id' ) );
		$this->assertSame( 'delete', $read['changes'][1]['action'] );
		$this->assertSame( 3, $read['changes'][1]['seq'] );
		// A device that had read up to seq 1 sees the tombstone of 101, not its old upsert.
		$this->assertSame( array( 102, 101 ), array_column( $this->feed->read( 1, 10 )['changes'], 'id' ) );
	}

	public function test_pages_by_limit_and_resumes_after_next() {
		for ( $id = 1; $id <= 7; $id++ ) {
			$this->feed->record( 'product', $id );
		}
		$first = $this->feed->read( 0, 3 );
		$this->assertSame( array( 1, 2, 3 ), array_column( $first['changes'], 'id' ) );
		$this->assertTrue( $first['more'] );
		$second = $this->feed->read( $first['next'], 3 );
		$this->assertSame( array( 4, 5, 6 ), array_column( $second['changes'], 'id' ) );
		$last = $this->feed->read( $second['next'], 3 );
		$this->assertSame( array( 7 ), array_column( $last['changes'], 'id' ) );
		$this->assertFalse( $last['more'] );
		$none = $this->feed->read( $last['next'], 3 );
		$this->assertSame( array(), $none['changes'] );
		$this->assertSame( $last['next'], $none['next'] );
	}

	public function test_limit_is_clamped_to_the_contract() {
		for ( $id = 1; $id <= 3; $id++ ) {
			$this->feed->record( 'product', $id );
		}
		$this->assertCount( 1, $this->feed->read( 0, 0 )['changes'] );
		$this->assertSame( 500, Kiosk_POS_Change_Feed::MAX_LIMIT );
	}

	public function test_unknown_kinds_and_actions_are_not_recorded() {
		$this->assertSame( 0, $this->feed->record( 'coupon', 5 ) );
		$this->assertSame( 0, $this->feed->record( 'product', 5, 'explode' ) );
		$this->assertSame( array(), $this->feed->read( 0, 10 )['changes'] );
	}

	public function test_a_reset_gives_a_new_epoch_and_devices_on_the_old_one_start_over() {
		$this->feed->record( 'product', 1 );
		$old = $this->feed->read( 0, 10 );
		$new = $this->feed->reset();
		$this->assertNotSame( $old['epoch'], $new );
		$this->feed->record( 'product', 2 );
		$read = $this->feed->read( $old['next'], 10, $old['epoch'] );
		$this->assertTrue( $read['reset'] );
		$this->assertSame( $new, $read['epoch'] );
		// From the start of the new history, whatever seq the device had.
		$this->assertSame( array( 2 ), array_column( $read['changes'], 'id' ) );
		$same = $this->feed->read( $read['next'], 10, $new );
		$this->assertFalse( $same['reset'] );
	}

	public function test_the_epoch_is_made_once_and_kept() {
		$epoch = $this->feed->epoch();
		$this->assertSame( $epoch, ( new Kiosk_POS_Change_Feed( $this->platform ) )->epoch() );
		$this->assertSame( $epoch, $this->platform->options[ Kiosk_POS_Change_Feed::EPOCH_OPTION ] );
	}

	public function test_a_long_poll_returns_as_soon_as_a_change_arrives() {
		$feed                     = $this->feed;
		$this->platform->on_sleep = function ( $platform ) use ( $feed ) {
			if ( 3 === $platform->slept ) {
				$feed->record( 'price', 101 );
			}
		};
		$read = $this->feed->read( 0, 10, '', 20 );
		$this->assertSame( 3, $this->platform->slept );
		$this->assertSame( array( 'price' ), array_column( $read['changes'], 'kind' ) );
	}

	public function test_a_long_poll_with_nothing_new_ends_at_wait_capped_at_the_maximum() {
		$read = $this->feed->read( 0, 10, '', 999 );
		$this->assertSame( array(), $read['changes'] );
		$this->assertSame( Kiosk_POS_Change_Feed::MAX_WAIT, $this->platform->slept );
	}

	public function test_a_reset_answer_does_not_wait() {
		$this->feed->epoch();
		$read = $this->feed->read( 5, 10, 'another-epoch', 20 );
		$this->assertTrue( $read['reset'] );
		$this->assertSame( 0, $this->platform->slept );
	}
}
