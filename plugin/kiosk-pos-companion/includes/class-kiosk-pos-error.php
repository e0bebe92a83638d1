<?php
/**
 * An error the logic returns instead of a WP_Error, so it runs without WordPress.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * A refusal: a machine code from contract.json, a message for people and an HTTP status.
 */
class Kiosk_POS_Error {

	/**
	 * Machine code, e.g. kiosk_pos_invalid_uuid.
	 *
	 * @var string
	 */
	public $code;

	/**
	 * Message for people (already translated by the caller).
	 *
	 * @var string
	 */
	public $message;

	/**
	 * HTTP status.
	 *
	 * @var int
	 */
	public $status;

	/**
	 * Extra fields of the error's data.
	 *
	 * @var array
	 */
	public $data;

	/**
	 * Make one.
	 *
	 * @param string $code    Machine code.
	 * @param string $message Message.
	 * @param int    $status  HTTP status.
	 * @param array  $data    Extra data.
	 */
	public function __construct( $code, $message, $status, array $data = array() ) {
		$this->code    = $code;
		$this->message = $message;
		$this->status  = $status;
		$this->data    = $data;
	}

	/**
	 * The body WordPress answers a WP_Error with.
	 *
	 * @return array
	 */
	public function to_array() {
		return array(
			'code'    => $this->code,
			'message' => $this->message,
			'data'    => array_merge( array( 'status' => $this->status ), $this->data ),
		);
	}
}
