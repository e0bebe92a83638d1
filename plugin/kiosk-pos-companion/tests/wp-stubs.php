<?php
/**
 * Just enough of WordPress's REST API for ControllerTest to register and call the routes:
 * register_rest_route() records what it is given, current_user_can() answers from a list the
 * test sets, apply_filters() from a map. Nothing here decides anything the plugin relies on.
 *
 * @package Kiosk_POS_Companion
 */

class WP_Error {
	public $code;
	public $message;
	public $data;
	public function __construct( $code = '', $message = '', $data = '' ) {
		$this->code    = $code;
		$this->message = $message;
		$this->data    = $data;
	}
}

class WP_REST_Response {
	public $data;
	public $status  = 200;
	public $headers = array();
	public function __construct( $data = null ) {
		$this->data = $data;
	}
	public function set_status( $status ) {
		$this->status = $status;
	}
	public function header( $name, $value ) {
		$this->headers[ $name ] = $value;
	}
}

class WP_REST_Server {
	const READABLE  = 'GET';
	const CREATABLE = 'POST';
}

class WP_REST_Controller {
	protected $namespace;
}

class WP_REST_Request implements ArrayAccess {
	public $params = array();
	public $json   = null;
	public function __construct( array $params = array(), $json = null ) {
		$this->params = $params;
		$this->json   = $json;
	}
	public function get_json_params() {
		return $this->json;
	}
	#[\ReturnTypeWillChange]
	public function offsetExists( $key ) {
		return isset( $this->params[ $key ] );
	}
	#[\ReturnTypeWillChange]
	public function offsetGet( $key ) {
		return isset( $this->params[ $key ] ) ? $this->params[ $key ] : null;
	}
	#[\ReturnTypeWillChange]
	public function offsetSet( $key, $value ) {
		$this->params[ $key ] = $value;
	}
	#[\ReturnTypeWillChange]
	public function offsetUnset( $key ) {
		unset( $this->params[ $key ] );
	}
}

$GLOBALS['kiosk_pos_test_routes']  = array();
$GLOBALS['kiosk_pos_test_caps']    = array();
$GLOBALS['kiosk_pos_test_filters'] = array();

function register_rest_route( $namespace, $route, $args ) {
	$GLOBALS['kiosk_pos_test_routes'][ $namespace . $route ] = $args[0];
}
function current_user_can( $capability ) {
	return in_array( $capability, $GLOBALS['kiosk_pos_test_caps'], true );
}
function rest_authorization_required_code() {
	return 401;
}
function rest_ensure_response( $data ) {
	return $data instanceof WP_REST_Response ? $data : new WP_REST_Response( $data );
}
function apply_filters( $name, $value ) {
	return isset( $GLOBALS['kiosk_pos_test_filters'][ $name ] ) ? $GLOBALS['kiosk_pos_test_filters'][ $name ] : $value;
}
function sanitize_text_field( $text ) {
	return trim( preg_replace( '/[\r\n\t ]+/', ' ', wp_strip_all_tags_stub( (string) $text ) ) );
}
function wp_strip_all_tags_stub( $text ) {
	return strip_tags( $text );
}
function absint( $value ) {
	return abs( (int) $value );
}
