<?php
/**
 * WooCommerce > Kiosk POS: the devices seen, their webhooks and the change feed.
 *
 * @package Kiosk_POS_Companion
 */

defined( 'ABSPATH' ) || exit;

/**
 * The admin page. render() builds the HTML from plain arrays (tested without WordPress); only
 * escaping and translation functions are called inside it.
 */
class Kiosk_POS_Admin_Page {

	const SLUG       = 'kiosk-pos-companion';
	const CAPABILITY = 'manage_woocommerce';
	const RESET      = 'kiosk_pos_reset_feed';

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
	 * Add the page under WooCommerce, and the feed reset it posts.
	 */
	public function register() {
		add_action(
			'admin_menu',
			function () {
				add_submenu_page( 'woocommerce', __( 'Kiosk POS', 'kiosk-pos-companion' ), __( 'Kiosk POS', 'kiosk-pos-companion' ), self::CAPABILITY, self::SLUG, array( $this, 'show' ) );
			}
		);
		add_action( 'admin_post_' . self::RESET, array( $this, 'handle_reset' ) );
	}

	/**
	 * Reset the change feed (a nonce-checked form post by a shop manager).
	 */
	public function handle_reset() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'kiosk-pos-companion' ), 403 );
		}
		check_admin_referer( self::RESET );
		$this->feed->reset();
		wp_safe_redirect( admin_url( 'admin.php?page=' . self::SLUG . '&reset=1' ) );
		exit;
	}

	/**
	 * Print the page.
	 */
	public function show() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			return;
		}
		$devices = ( new Kiosk_POS_Devices( $this->platform ) )->all();
		$feed    = array(
			'epoch'    => $this->feed->epoch(),
			'last_seq' => $this->platform->feed_last_seq(),
		);
		$form    = '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">'
			. '<input type="hidden" name="action" value="' . esc_attr( self::RESET ) . '" />'
			. wp_nonce_field( self::RESET, '_wpnonce', true, false )
			. '<button class="button">' . esc_html__( 'Reset the change feed', 'kiosk-pos-companion' ) . '</button></form>';
		// Every dynamic value in render() is escaped there.
		echo $this->render( $devices, $this->platform->device_webhooks(), $feed, $this->platform->now() ) . $form; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
	}

	/**
	 * The page's HTML.
	 *
	 * @param array $devices  id => last_seen, queued.
	 * @param array $webhooks id, name, topic, delivery_url, status.
	 * @param array $feed     epoch, last_seq.
	 * @param int   $now      Unix time.
	 * @return string
	 */
	public function render( array $devices, array $webhooks, array $feed, $now ) {
		$html  = '<div class="wrap"><h1>' . esc_html__( 'Kiosk POS devices', 'kiosk-pos-companion' ) . '</h1>';
		$html .= '<table class="widefat striped"><thead><tr><th>' . esc_html__( 'Device', 'kiosk-pos-companion' ) . '</th><th>' . esc_html__( 'Last contact', 'kiosk-pos-companion' ) . '</th><th>' . esc_html__( 'Sales waiting to upload', 'kiosk-pos-companion' ) . '</th></tr></thead><tbody>';
		if ( ! $devices ) {
			$html .= '<tr><td colspan="3">' . esc_html__( 'No device has contacted the store yet.', 'kiosk-pos-companion' ) . '</td></tr>';
		}
		foreach ( $devices as $id => $row ) {
			$ago   = max( 0, (int) $now - (int) $row['last_seen'] );
			$html .= '<tr><td>' . esc_html( (string) $id ) . '</td><td>' . esc_html( gmdate( 'Y-m-d H:i:s', (int) $row['last_seen'] ) . ' UTC' ) . ' (' . esc_html( sprintf( /* translators: %d: seconds */ __( '%d s ago', 'kiosk-pos-companion' ), $ago ) ) . ')</td><td>' . esc_html( (string) (int) $row['queued'] ) . '</td></tr>';
		}
		$html .= '</tbody></table><h2>' . esc_html__( 'Webhooks for devices', 'kiosk-pos-companion' ) . '</h2>';
		$html .= '<table class="widefat striped"><thead><tr><th>' . esc_html__( 'Topic', 'kiosk-pos-companion' ) . '</th><th>' . esc_html__( 'Delivery URL', 'kiosk-pos-companion' ) . '</th><th>' . esc_html__( 'Status', 'kiosk-pos-companion' ) . '</th></tr></thead><tbody>';
		if ( ! $webhooks ) {
			$html .= '<tr><td colspan="3">' . esc_html__( 'No device has registered a webhook (devices behind NAT use the change feed).', 'kiosk-pos-companion' ) . '</td></tr>';
		}
		foreach ( $webhooks as $hook ) {
			$html .= '<tr><td>' . esc_html( (string) $hook['topic'] ) . '</td><td>' . esc_html( (string) $hook['delivery_url'] ) . '</td><td>' . esc_html( (string) $hook['status'] ) . '</td></tr>';
		}
		$html .= '</tbody></table><h2>' . esc_html__( 'Change feed', 'kiosk-pos-companion' ) . '</h2><p>';
		$html .= esc_html( sprintf( /* translators: 1: epoch id, 2: sequence number */ __( 'Epoch %1$s, last change %2$d.', 'kiosk-pos-companion' ), (string) $feed['epoch'], (int) $feed['last_seq'] ) );
		return $html . '</p></div>';
	}
}
