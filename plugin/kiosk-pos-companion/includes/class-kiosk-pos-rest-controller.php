<?php
/**
 * The kiosk/v1 REST routes.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * Routes for the Kiosk POS device, authenticated by WooCommerce's API keys (the main file lets
 * WC_REST_Authentication sign in requests to this namespace), each behind a capability check.
 * contract.json describes them; the handlers only parse and answer, the logic classes decide.
 *
 * WooCommerce lists variations one variable product at a time (/wc/v3/products/<id>/variations),
 * so a catalog of 2,000 variable products costs 2,000 extra requests. GET kiosk/v1/variations
 * lists them across products, in the same JSON as WooCommerce's own variation items.
 */
class Kiosk_POS_REST_Controller extends WP_REST_Controller {

	const DEFAULT_PER_PAGE = 200;
	const MAX_PER_PAGE     = 500;
	const MAX_PARENTS      = 100;
	// The capability each route needs (contract.json's "capability"): what
	// wc_rest_check_post_permissions() asks for reading products, reading and creating orders.
	const CAPABILITIES = array(
		'GET /status'                 => 'read_private_products',
		'GET /changes'                => 'read_private_products',
		'POST /orders'                => 'publish_shop_orders',
		'GET /orders/by-uuid/{uuid}'  => 'read_private_shop_orders',
		'GET /info'                   => 'read_private_products',
		'GET /product-ids'            => 'read_private_products',
		'GET /variations'             => 'read_private_products',
	);

	/**
	 * Route namespace.
	 *
	 * @var string
	 */
	protected $namespace = KIOSK_POS_COMPANION_NAMESPACE;

	/**
	 * The WordPress layer.
	 *
	 * @var Kiosk_POS_Platform
	 */
	private $platform;

	/**
	 * The change feed.
	 *
	 * @var Kiosk_POS_Change_Feed
	 */
	private $feed;

	/**
	 * Build on $platform and $feed.
	 *
	 * @param Kiosk_POS_Platform    $platform The WordPress layer.
	 * @param Kiosk_POS_Change_Feed $feed     The change feed.
	 */
	public function __construct( Kiosk_POS_Platform $platform, Kiosk_POS_Change_Feed $feed ) {
		$this->platform = $platform;
		$this->feed     = $feed;
	}

	/**
	 * The routes, as contract.json names them ("METHOD /path").
	 *
	 * @return string[]
	 */
	public static function route_names() {
		return array_keys( self::CAPABILITIES );
	}

	/**
	 * Register every route with its handler, arguments and capability check.
	 */
	public function register_routes() {
		$routes = array(
			'/status'                                   => array( 'GET /status', WP_REST_Server::READABLE, 'get_status', array() ),
			'/changes'                                  => array( 'GET /changes', WP_REST_Server::READABLE, 'get_changes', $this->get_changes_params() ),
			'/orders'                                   => array( 'POST /orders', WP_REST_Server::CREATABLE, 'create_order', array() ),
			'/orders/by-uuid/(?P<uuid>[0-9a-fA-F-]{36})' => array( 'GET /orders/by-uuid/{uuid}', WP_REST_Server::READABLE, 'get_order_by_uuid', array() ),
			'/info'                                     => array( 'GET /info', WP_REST_Server::READABLE, 'get_info', array() ),
			'/product-ids'                              => array( 'GET /product-ids', WP_REST_Server::READABLE, 'get_product_ids', array() ),
			'/variations'                               => array( 'GET /variations', WP_REST_Server::READABLE, 'get_variations', $this->get_variations_params() ),
		);
		foreach ( $routes as $route => $spec ) {
			list( $name, $methods, $callback, $args ) = $spec;
			$capability                                 = self::CAPABILITIES[ $name ];
			register_rest_route(
				$this->namespace,
				$route,
				array(
					array(
						'methods'             => $methods,
						'callback'            => array( $this, $callback ),
						'permission_callback' => function () use ( $capability, $methods ) {
							return $this->check_capability( $capability, WP_REST_Server::CREATABLE === $methods );
						},
						'args'                => $args,
					),
				)
			);
		}
	}

	/**
	 * The API key's user must hold $capability (private products included: the listings show
	 * private products and disabled variations, as WooCommerce's own do).
	 *
	 * @param string $capability The capability.
	 * @param bool   $write      Whether the route creates.
	 * @return true|WP_Error
	 */
	public function check_capability( $capability, $write = false ) {
		if ( current_user_can( $capability ) ) {
			return true;
		}
		return $write
			? new WP_Error( 'woocommerce_rest_cannot_create', __( 'Sorry, you are not allowed to create resources.', 'kiosk-pos-companion' ), array( 'status' => rest_authorization_required_code() ) )
			: new WP_Error( 'woocommerce_rest_cannot_view', __( 'Sorry, you cannot list resources.', 'kiosk-pos-companion' ), array( 'status' => rest_authorization_required_code() ) );
	}

	/**
	 * A Kiosk_POS_Error as WordPress's WP_Error.
	 *
	 * @param Kiosk_POS_Error $error The refusal.
	 * @return WP_Error
	 */
	private function wp_error( Kiosk_POS_Error $error ) {
		return new WP_Error( $error->code, $error->message, array_merge( array( 'status' => $error->status ), $error->data ) );
	}

	/**
	 * GET kiosk/v1/status.
	 *
	 * @return WP_REST_Response
	 */
	public function get_status() {
		$status = new Kiosk_POS_Status( $this->platform, $this->feed );
		return rest_ensure_response( $status->build( KIOSK_POS_COMPANION_VERSION, $this->namespace, self::route_names() ) );
	}

	/**
	 * GET kiosk/v1/changes: long-polled by devices (wait=), who say who they are (device=).
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response
	 */
	public function get_changes( $request ) {
		$device = Kiosk_POS_Devices::normalise_id( (string) $request['device'] );
		if ( '' !== $device ) {
			( new Kiosk_POS_Devices( $this->platform ) )->seen( $device, (int) $request['queued'] );
		}
		/**
		 * The longest a long poll of kiosk/v1/changes may hold a PHP worker, in seconds (0 to 20).
		 *
		 * @param int $max_wait Seconds.
		 */
		$max_wait = (int) apply_filters( 'kiosk_pos_changes_max_wait', Kiosk_POS_Change_Feed::MAX_WAIT );
		$wait     = min( (int) $request['wait'], max( 0, $max_wait ) );
		$answer   = $this->feed->read( (int) $request['after'], (int) $request['limit'], (string) $request['epoch'], $wait );
		$response = rest_ensure_response( $answer );
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}

	/**
	 * POST kiosk/v1/orders: body {uuid, sold_at, order, device}.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function create_order( $request ) {
		$body = $request->get_json_params();
		if ( ! is_array( $body ) ) {
			return $this->wp_error( new Kiosk_POS_Error( 'kiosk_pos_invalid_order', __( 'The body must be a JSON object.', 'kiosk-pos-companion' ), 400 ) );
		}
		$intake = new Kiosk_POS_Order_Intake( $this->platform );
		$answer = $intake->create( $body );
		if ( $answer instanceof Kiosk_POS_Error ) {
			return $this->wp_error( $answer );
		}
		$response = rest_ensure_response( $answer['body'] );
		$response->set_status( $answer['status'] );
		return $response;
	}

	/**
	 * GET kiosk/v1/orders/by-uuid/<uuid>.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function get_order_by_uuid( $request ) {
		$found = ( new Kiosk_POS_Order_Intake( $this->platform ) )->find( sanitize_text_field( (string) $request['uuid'] ) );
		return $found instanceof Kiosk_POS_Error ? $this->wp_error( $found ) : rest_ensure_response( $found );
	}

	/**
	 * Arguments of GET kiosk/v1/changes, validated by WordPress before the handler runs.
	 *
	 * @return array
	 */
	private function get_changes_params() {
		$integer = array(
			'type'              => 'integer',
			'sanitize_callback' => 'absint',
			'validate_callback' => 'rest_validate_request_arg',
		);
		$text    = array(
			'type'              => 'string',
			'default'           => '',
			'sanitize_callback' => 'sanitize_text_field',
		);
		return array(
			'after'  => array_merge( $integer, array( 'minimum' => 0, 'default' => 0, 'description' => __( 'The last sequence number the device has.', 'kiosk-pos-companion' ) ) ),
			'limit'  => array_merge( $integer, array( 'minimum' => 1, 'maximum' => Kiosk_POS_Change_Feed::MAX_LIMIT, 'default' => Kiosk_POS_Change_Feed::DEFAULT_LIMIT, 'description' => __( 'Changes at most.', 'kiosk-pos-companion' ) ) ),
			'wait'   => array_merge( $integer, array( 'minimum' => 0, 'maximum' => Kiosk_POS_Change_Feed::MAX_WAIT, 'default' => 0, 'description' => __( 'Seconds to wait for a change.', 'kiosk-pos-companion' ) ) ),
			'queued' => array_merge( $integer, array( 'minimum' => 0, 'default' => 0, 'description' => __( 'Sales the device has waiting to upload.', 'kiosk-pos-companion' ) ) ),
			'epoch'  => array_merge( $text, array( 'description' => __( 'The epoch the sequence number belongs to.', 'kiosk-pos-companion' ) ) ),
			'device' => array_merge( $text, array( 'description' => __( 'The device asking.', 'kiosk-pos-companion' ) ) ),
		);
	}

	/**
	 * GET kiosk/v1/info: lets the device detect the plugin and its version.
	 *
	 * @return WP_REST_Response
	 */
	public function get_info() {
		return rest_ensure_response(
			array(
				'version'   => KIOSK_POS_COMPANION_VERSION,
				'namespace' => $this->namespace,
				'endpoints' => array( 'status', 'changes', 'orders', 'info', 'product-ids', 'variations' ),
			)
		);
	}

	/**
	 * GET kiosk/v1/product-ids: every published or private product id, for the deletion audit.
	 *
	 * @return WP_REST_Response
	 */
	public function get_product_ids() {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- one indexed column read; caching it would hide deletions.
		$ids = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT ID FROM {$wpdb->posts} WHERE post_type = %s AND post_status IN (%s, %s) ORDER BY ID ASC",
				'product',
				'publish',
				'private'
			)
		);
		return rest_ensure_response( array( 'ids' => array_map( 'intval', $ids ) ) );
	}

	/**
	 * GET kiosk/v1/variations: variations of every product (or of `parent` ones), by id.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response
	 */
	public function get_variations( $request ) {
		global $wpdb;

		$per_page = (int) $request['per_page'];
		$page     = (int) $request['page'];
		$gmt      = rest_sanitize_boolean( $request['dates_are_gmt'] );
		$where    = array( 'post_type = %s', 'post_status IN (%s, %s)' );
		$values   = array( 'product_variation', 'publish', 'private' );

		$parents = array_filter( wp_parse_id_list( $request['parent'] ) );
		if ( $parents ) {
			$where[] = 'post_parent IN (' . implode( ', ', array_fill( 0, count( $parents ), '%d' ) ) . ')';
			$values  = array_merge( $values, $parents );
		}
		$column = $gmt ? 'post_modified_gmt' : 'post_modified';
		foreach ( array( 'modified_after' => '>', 'modified_before' => '<' ) as $param => $operator ) {
			if ( ! empty( $request[ $param ] ) ) {
				$where[]  = "{$column} {$operator} %s";
				$values[] = $this->mysql_date( $request[ $param ], $gmt );
			}
		}
		$where = implode( ' AND ', $where );

		// $where holds only fixed column names and placeholders; every value goes through prepare().
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery
		$total = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->posts} WHERE {$where}", $values ) );
		$ids   = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT ID FROM {$wpdb->posts} WHERE {$where} ORDER BY ID ASC LIMIT %d OFFSET %d",
				array_merge( $values, array( $per_page, ( $page - 1 ) * $per_page ) )
			)
		);
		// phpcs:enable

		$items = array();
		if ( $ids ) {
			$ids = array_map( 'intval', $ids );
			_prime_post_caches( $ids );
			$controller = new WC_REST_Product_Variations_Controller();
			foreach ( $ids as $id ) {
				$variation = wc_get_product( $id );
				if ( $variation && $variation->is_type( 'variation' ) ) {
					$items[] = $this->prepare_variation( $controller, $variation );
				}
			}
		}

		$pages    = (int) ceil( $total / $per_page );
		$response = rest_ensure_response( $items );
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) $pages );
		$this->add_page_links( $response, $request, $page, $pages );
		return $response;
	}

	/**
	 * One variation exactly as GET wc/v3/products/<parent>/variations shows it, plus parent_id.
	 *
	 * @param WC_REST_Product_Variations_Controller $controller WooCommerce's controller.
	 * @param WC_Product_Variation                  $variation  The variation.
	 * @return array
	 */
	private function prepare_variation( $controller, $variation ) {
		$parent_id = $variation->get_parent_id();
		$request   = new WP_REST_Request( 'GET', sprintf( '/wc/v3/products/%d/variations/%d', $parent_id, $variation->get_id() ) );
		$request->set_param( 'context', 'view' );
		$request->set_param( 'product_id', $parent_id );
		$request->set_param( 'id', $variation->get_id() );
		$data              = $controller->prepare_response_for_collection(
			$controller->prepare_object_for_response( $variation, $request )
		);
		$data['parent_id'] = $parent_id;
		return $data;
	}

	/**
	 * A date-time argument as a MySQL DATETIME in the site's time zone, or in UTC when $gmt.
	 *
	 * A value without an offset is in that zone already, as WooCommerce reads modified_after.
	 *
	 * @param string $value A validated RFC 3339 date-time.
	 * @param bool   $gmt   Compare with the *_gmt column.
	 * @return string
	 */
	private function mysql_date( $value, $gmt ) {
		$zone = $gmt ? new DateTimeZone( 'UTC' ) : wp_timezone();
		$date = date_create_immutable( $value, $zone );
		return $date ? $date->setTimezone( $zone )->format( 'Y-m-d H:i:s' ) : '';
	}

	/**
	 * Link: rel="prev" / rel="next", like WooCommerce's listings, without the API keys in them.
	 *
	 * @param WP_REST_Response $response The response.
	 * @param WP_REST_Request  $request  The request.
	 * @param int              $page     This page.
	 * @param int              $pages    How many pages there are.
	 */
	private function add_page_links( $response, $request, $page, $pages ) {
		$secret = array( 'page', 'consumer_key', 'consumer_secret', 'oauth_consumer_key', 'oauth_nonce', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_version' );
		$query  = array_diff_key( $request->get_query_params(), array_flip( $secret ) );
		$base   = add_query_arg( urlencode_deep( $query ), rest_url( $this->namespace . '/variations' ) );
		if ( $page > 1 ) {
			$response->link_header( 'prev', add_query_arg( 'page', min( $page - 1, max( $pages, 1 ) ), $base ) );
		}
		if ( $pages > $page ) {
			$response->link_header( 'next', add_query_arg( 'page', $page + 1, $base ) );
		}
	}

	/**
	 * Arguments of GET kiosk/v1/variations, validated by WordPress before the handler runs.
	 *
	 * @return array
	 */
	private function get_variations_params() {
		$date = array(
			'type'              => 'string',
			'format'            => 'date-time',
			'validate_callback' => 'rest_validate_request_arg',
		);
		return array(
			'page'            => array(
				'description'       => __( 'Page of the listing.', 'kiosk-pos-companion' ),
				'type'              => 'integer',
				'default'           => 1,
				'minimum'           => 1,
				'sanitize_callback' => 'absint',
				'validate_callback' => 'rest_validate_request_arg',
			),
			'per_page'        => array(
				'description'       => __( 'Variations per page.', 'kiosk-pos-companion' ),
				'type'              => 'integer',
				'default'           => self::DEFAULT_PER_PAGE,
				'minimum'           => 1,
				'maximum'           => self::MAX_PER_PAGE,
				'sanitize_callback' => 'absint',
				'validate_callback' => 'rest_validate_request_arg',
			),
			'parent'          => array(
				'description'       => __( 'Only variations of these products.', 'kiosk-pos-companion' ),
				'type'              => 'array',
				'items'             => array( 'type' => 'integer' ),
				'maxItems'          => self::MAX_PARENTS,
				'default'           => array(),
				'sanitize_callback' => 'wp_parse_id_list',
				'validate_callback' => 'rest_validate_request_arg',
			),
			'modified_after'  => array_merge(
				$date,
				array( 'description' => __( 'Only variations modified after this date.', 'kiosk-pos-companion' ) )
			),
			'modified_before' => array_merge(
				$date,
				array( 'description' => __( 'Only variations modified before this date.', 'kiosk-pos-companion' ) )
			),
			'dates_are_gmt'   => array(
				'description' => __( 'Whether the dates are in GMT (else site time).', 'kiosk-pos-companion' ),
				'type'        => 'boolean',
				'default'     => false,
			),
		);
	}
}
