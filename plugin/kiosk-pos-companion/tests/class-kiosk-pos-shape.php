<?php
/**
 * The shape language of contract.json, checked in PHP (kiosk/sim/woocommerce/contract.py checks
 * the same shapes in Python).
 *
 * @package Kiosk_POS_Companion
 */

/**
 * Kiosk_POS_Shape::problems( $value, $shape ) lists where $value does not fit $shape.
 */
class Kiosk_POS_Shape {

	/**
	 * The contract, decoded.
	 *
	 * @return array
	 */
	public static function contract() {
		return json_decode( (string) file_get_contents( dirname( __DIR__ ) . '/contract.json' ), true );
	}

	/**
	 * Where $value does not fit $shape ('' when it fits).
	 *
	 * @param mixed  $value A decoded JSON value.
	 * @param mixed  $shape A type name ('a|b' alternatives), {field: shape} or [shape].
	 * @param string $path  Where $value is.
	 * @return string[]
	 */
	public static function problems( $value, $shape, $path = '$' ) {
		if ( is_string( $shape ) ) {
			foreach ( explode( '|', $shape ) as $type ) {
				if ( self::is_type( $value, $type ) ) {
					return array();
				}
			}
			return array( "{$path}: expected {$shape}, got " . gettype( $value ) );
		}
		if ( is_array( $shape ) && array_keys( $shape ) === array( 0 ) ) {
			if ( ! is_array( $value ) || ( $value && array_keys( $value ) !== range( 0, count( $value ) - 1 ) ) ) {
				return array( "{$path}: expected a list" );
			}
			$out = array();
			foreach ( $value as $i => $item ) {
				$out = array_merge( $out, self::problems( $item, $shape[0], "{$path}[{$i}]" ) );
			}
			return $out;
		}
		if ( ! is_array( $value ) || ( $value && array_keys( $value ) === range( 0, count( $value ) - 1 ) ) ) {
			return array( "{$path}: expected an object" );
		}
		$out = array();
		foreach ( $shape as $field => $inner ) {
			$optional = '?' === substr( $field, -1 );
			$name     = rtrim( $field, '?' );
			if ( ! array_key_exists( $name, $value ) ) {
				if ( ! $optional ) {
					$out[] = "{$path}.{$name}: missing";
				}
				continue;
			}
			$out = array_merge( $out, self::problems( $value[ $name ], $inner, "{$path}.{$name}" ) );
		}
		return $out;
	}

	/**
	 * Whether $value is of JSON type $type.
	 *
	 * @param mixed  $value Value.
	 * @param string $type  integer, number, string, boolean, null, object, any.
	 * @return bool
	 */
	private static function is_type( $value, $type ) {
		switch ( $type ) {
			case 'integer':
				return is_int( $value );
			case 'number':
				return is_int( $value ) || is_float( $value );
			case 'string':
				return is_string( $value );
			case 'boolean':
				return is_bool( $value );
			case 'null':
				return null === $value;
			case 'object':
				return is_array( $value );
			case 'any':
				return true;
		}
		return false;
	}
}
