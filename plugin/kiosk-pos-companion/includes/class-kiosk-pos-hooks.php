<?php
/**
 * Which WordPress and WooCommerce events go into the change feed, and as what.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * The listeners. register() wires them to WordPress; tests call them directly.
 *
 * A price change is a product save (woocommerce_update_product, and
 * woocommerce_product_object_updated_props names the props); stock moves through
 * wc_update_product_stock without a product save, hence the *_set_stock actions. Deletions come
 * from WooCommerce's data stores (woocommerce_delete_*, woocommerce_trash_*) and from WordPress
 * itself (deleted_post, trashed_post) for posts removed without WooCommerce. Orders are fed only
 * when they are for pickup at the shop: that is what a counter device needs to know about.
 */
class Kiosk_POS_Hooks {

	const PRICE_PROPS    = array( 'regular_price', 'sale_price', 'price', 'date_on_sale_from', 'date_on_sale_to' );
	const PICKUP_METHODS = array( 'local_pickup', 'pickup_location' );
	const TAX_OPTIONS    = array( 'woocommerce_calc_taxes', 'woocommerce_prices_include_tax', 'woocommerce_tax_based_on', 'woocommerce_tax_round_at_subtotal', 'woocommerce_tax_classes', 'woocommerce_default_country' );

	/**
	 * The feed.
	 *
	 * @var Kiosk_POS_Change_Feed
	 */
	private $feed;

	/**
	 * Record into $feed.
	 *
	 * @param Kiosk_POS_Change_Feed $feed The feed.
	 */
	public function __construct( Kiosk_POS_Change_Feed $feed ) {
		$this->feed = $feed;
	}

	/**
	 * A product or variation was created or saved.
	 *
	 * @param int $id        Id.
	 * @param int $parent_id Parent of a variation, 0 for a product.
	 */
	public function product_saved( $id, $parent_id = 0 ) {
		if ( $parent_id ) {
			$this->feed->record( 'variation', $id, 'upsert', $parent_id );
		} else {
			$this->feed->record( 'product', $id );
		}
	}

	/**
	 * Some props of a product were saved: a price change is recorded as such too.
	 *
	 * @param int      $id        Id.
	 * @param int      $parent_id Parent of a variation, else 0.
	 * @param string[] $props     Props that changed.
	 */
	public function product_props( $id, $parent_id, array $props ) {
		if ( array_intersect( $props, self::PRICE_PROPS ) ) {
			$this->feed->record( 'price', $id, 'upsert', $parent_id );
		}
	}

	/**
	 * Stock of a product or variation was set.
	 *
	 * @param int $id        Id.
	 * @param int $parent_id Parent of a variation, else 0.
	 */
	public function stock_set( $id, $parent_id = 0 ) {
		$this->feed->record( 'stock', $id, 'upsert', $parent_id );
	}

	/**
	 * A post was trashed or deleted: products and variations leave tombstones.
	 *
	 * @param int    $id        Post id.
	 * @param string $post_type Its post type.
	 * @param int    $parent_id Its parent.
	 */
	public function post_removed( $id, $post_type, $parent_id = 0 ) {
		if ( 'product' === $post_type ) {
			$this->feed->record( 'product', $id, 'delete' );
		} elseif ( 'product_variation' === $post_type ) {
			$this->feed->record( 'variation', $id, 'delete', $parent_id );
		}
	}

	/**
	 * A trashed product came back.
	 *
	 * @param int    $id        Post id.
	 * @param string $post_type Its post type.
	 * @param int    $parent_id Its parent.
	 */
	public function post_restored( $id, $post_type, $parent_id = 0 ) {
		if ( 'product' === $post_type || 'product_variation' === $post_type ) {
			$this->product_saved( $id, 'product_variation' === $post_type ? $parent_id : 0 );
		}
	}

	/**
	 * Tax rates or a tax option changed: one store-wide change.
	 */
	public function tax_changed() {
		$this->feed->record( 'tax', 0 );
	}

	/**
	 * An option was updated: tax options count as a tax change.
	 *
	 * @param string $option Option name.
	 */
	public function option_updated( $option ) {
		if ( in_array( $option, self::TAX_OPTIONS, true ) ) {
			$this->tax_changed();
		}
	}

	/**
	 * Whether an order with these shipping method ids is collected at the shop.
	 *
	 * @param string[] $method_ids Shipping method ids of its shipping lines.
	 * @return bool
	 */
	public static function is_pickup( array $method_ids ) {
		return (bool) array_intersect( $method_ids, self::PICKUP_METHODS );
	}

	/**
	 * An order was created or saved.
	 *
	 * @param int      $id         Order id.
	 * @param string[] $method_ids Its shipping method ids.
	 */
	public function order_saved( $id, array $method_ids ) {
		if ( self::is_pickup( $method_ids ) ) {
			$this->feed->record( 'order', $id );
		}
	}

	/**
	 * An order was trashed or deleted.
	 *
	 * @param int $id Order id.
	 */
	public function order_removed( $id ) {
		$this->feed->record( 'order', $id, 'delete' );
	}

	/**
	 * A customer was created, updated or deleted.
	 *
	 * @param int  $id      User id.
	 * @param bool $deleted Whether it was deleted.
	 */
	public function customer_changed( $id, $deleted = false ) {
		$this->feed->record( 'customer', $id, $deleted ? 'delete' : 'upsert' );
	}

	/**
	 * Wire the listeners to WordPress's and WooCommerce's actions.
	 */
	public function register() {
		$parent_of = function ( $product ) {
			return $product && $product->is_type( 'variation' ) ? (int) $product->get_parent_id() : 0;
		};
		$saved     = function ( $id ) use ( $parent_of ) {
			$this->product_saved( (int) $id, $parent_of( wc_get_product( $id ) ) );
		};
		foreach ( array( 'woocommerce_new_product', 'woocommerce_update_product', 'woocommerce_new_product_variation', 'woocommerce_update_product_variation' ) as $action ) {
			add_action( $action, $saved, 10, 1 );
		}
		add_action(
			'woocommerce_product_object_updated_props',
			function ( $product, $props ) use ( $parent_of ) {
				$this->product_props( (int) $product->get_id(), $parent_of( $product ), (array) $props );
			},
			10,
			2
		);
		$stock = function ( $product ) use ( $parent_of ) {
			$this->stock_set( (int) $product->get_id(), $parent_of( $product ) );
		};
		add_action( 'woocommerce_product_set_stock', $stock );
		add_action( 'woocommerce_variation_set_stock', $stock );
		$removed = function ( $id ) {
			$post = get_post( $id );
			if ( $post ) {
				$this->post_removed( (int) $id, $post->post_type, (int) $post->post_parent );
			}
		};
		foreach ( array( 'woocommerce_trash_product', 'woocommerce_trash_product_variation', 'trashed_post', 'before_delete_post' ) as $action ) {
			add_action( $action, $removed, 10, 1 );
		}
		add_action(
			'untrashed_post',
			function ( $id ) {
				$post = get_post( $id );
				if ( $post ) {
					$this->post_restored( (int) $id, $post->post_type, (int) $post->post_parent );
				}
			}
		);
		foreach ( array( 'woocommerce_tax_rate_added', 'woocommerce_tax_rate_updated', 'woocommerce_tax_rate_deleted' ) as $action ) {
			add_action( $action, array( $this, 'tax_changed' ), 10, 0 );
		}
		add_action( 'updated_option', array( $this, 'option_updated' ), 10, 1 );
		$order = function ( $id ) {
			$wc_order = wc_get_order( $id );
			if ( $wc_order ) {
				$methods = array();
				foreach ( $wc_order->get_shipping_methods() as $line ) {
					$methods[] = (string) $line->get_method_id();
				}
				$this->order_saved( (int) $id, $methods );
			}
		};
		add_action( 'woocommerce_new_order', $order, 10, 1 );
		add_action( 'woocommerce_update_order', $order, 10, 1 );
		foreach ( array( 'woocommerce_trash_order', 'woocommerce_delete_order' ) as $action ) {
			add_action(
				$action,
				function ( $id ) {
					$this->order_removed( (int) $id );
				},
				10,
				1
			);
		}
		$customer = function ( $id ) {
			$this->customer_changed( (int) $id );
		};
		add_action( 'woocommerce_created_customer', $customer, 10, 1 );
		add_action( 'woocommerce_update_customer', $customer, 10, 1 );
		add_action( 'profile_update', $customer, 10, 1 );
		add_action(
			'delete_user',
			function ( $id ) {
				$this->customer_changed( (int) $id, true );
			},
			10,
			1
		);
	}
}
