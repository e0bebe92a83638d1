<?php
/**
 * The change feed: what changed in the store, in order, for devices that cannot get webhooks.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * Hooks call record(); GET kiosk/v1/changes calls read().
 *
 * One row per object (kind and id): a new change of the same object replaces its row with a
 * higher sequence number, so the table holds at most one row per object ever changed, and a
 * device that was away for a week reads each changed object once. Deletions stay as tombstones
 * (action "delete"). The epoch names one history of sequence numbers: reset() starts a new one
 * (empty table, new epoch) and a device that reads with another epoch is told `reset: true`, so
 * it re-reads the whole catalog instead of trusting a seq that means nothing any more.
 *
 * Sequence numbers come from the table's AUTO_INCREMENT, one autocommitted REPLACE each: two
 * requests saving at the same instant can commit seq 11 before seq 10, and a reader between the
 * two commits moves past 10. The window is one statement long; the device's delta pull, which
 * goes on as a slow safety net while it follows the feed, covers it.
 */
class Kiosk_POS_Change_Feed {

	const EPOCH_OPTION = 'kiosk_pos_feed_epoch';
	const KINDS        = array( 'product', 'variation', 'stock', 'price', 'tax', 'order', 'customer' );
	const ACTIONS      = array( 'upsert', 'delete' );
	const DEFAULT_LIMIT = 100;
	const MAX_LIMIT     = 500;
	const MAX_WAIT      = 20;

	/**
	 * The WordPress layer.
	 *
	 * @var Kiosk_POS_Platform
	 */
	private $platform;

	/**
	 * Use $platform for storage and time.
	 *
	 * @param Kiosk_POS_Platform $platform The WordPress layer.
	 */
	public function __construct( Kiosk_POS_Platform $platform ) {
		$this->platform = $platform;
	}

	/**
	 * The current epoch, made on first use.
	 *
	 * @return string
	 */
	public function epoch() {
		$epoch = (string) $this->platform->get_option( self::EPOCH_OPTION, '' );
		if ( '' === $epoch ) {
			$epoch = $this->platform->random_id();
			$this->platform->set_option( self::EPOCH_OPTION, $epoch );
		}
		return $epoch;
	}

	/**
	 * Record that an object changed (or was deleted). Unknown kinds or actions are ignored.
	 *
	 * @param string $kind      One of KINDS.
	 * @param int    $id        Object id (0 for store-wide kinds such as tax).
	 * @param string $action    upsert or delete.
	 * @param int    $parent_id The variable product of a variation, else 0.
	 * @return int The row's sequence number, 0 when ignored.
	 */
	public function record( $kind, $id, $action = 'upsert', $parent_id = 0 ) {
		if ( ! in_array( $kind, self::KINDS, true ) || ! in_array( $action, self::ACTIONS, true ) ) {
			return 0;
		}
		$this->epoch();
		return $this->platform->feed_put(
			array(
				'kind'        => $kind,
				'object_id'   => max( 0, (int) $id ),
				'parent_id'   => max( 0, (int) $parent_id ),
				'action'      => $action,
				'changed_gmt' => gmdate( 'Y-m-d\TH:i:s', $this->platform->now() ),
			)
		);
	}

	/**
	 * Start a new history: empty feed, new epoch (devices holding the old one resync).
	 *
	 * @return string The new epoch.
	 */
	public function reset() {
		$this->platform->feed_clear();
		$epoch = $this->platform->random_id();
		$this->platform->set_option( self::EPOCH_OPTION, $epoch );
		return $epoch;
	}

	/**
	 * The changes after $after, waiting up to $wait seconds for one when there are none.
	 *
	 * A device that names an epoch other than the current one gets `reset: true` and the feed
	 * from its start: its sequence numbers belong to a history that is gone.
	 *
	 * @param int    $after Last seq the device has.
	 * @param int    $limit Changes at most (1..MAX_LIMIT).
	 * @param string $epoch The epoch the device's seq belongs to ('' on first read).
	 * @param int    $wait  Seconds to wait for a change (0..MAX_WAIT).
	 * @return array epoch, reset, changes, next, more.
	 */
	public function read( $after, $limit, $epoch = '', $wait = 0 ) {
		$current = $this->epoch();
		$reset   = '' !== $epoch && $epoch !== $current;
		$after   = $reset ? 0 : max( 0, (int) $after );
		$limit   = min( self::MAX_LIMIT, max( 1, (int) $limit ) );
		$wait    = $reset ? 0 : min( self::MAX_WAIT, max( 0, (int) $wait ) );

		$rows     = $this->platform->feed_after( $after, $limit + 1 );
		$deadline = $this->platform->now() + $wait;
		while ( ! $rows && $this->platform->now() < $deadline ) {
			$this->platform->sleep( 1 );
			$rows = $this->platform->feed_after( $after, $limit + 1 );
		}

		$more    = count( $rows ) > $limit;
		$rows    = array_slice( $rows, 0, $limit );
		$changes = array();
		$next    = $after;
		foreach ( $rows as $row ) {
			$changes[] = array(
				'seq'         => (int) $row['seq'],
				'kind'        => (string) $row['kind'],
				'id'          => (int) $row['object_id'],
				'parent_id'   => (int) $row['parent_id'],
				'action'      => (string) $row['action'],
				'changed_gmt' => (string) $row['changed_gmt'],
			);
			$next = max( $next, (int) $row['seq'] );
		}
		return array(
			'epoch'   => $current,
			'reset'   => $reset,
			'changes' => $changes,
			'next'    => $next,
			'more'    => $more,
		);
	}
}
