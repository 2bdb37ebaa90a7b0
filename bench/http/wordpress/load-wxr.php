<?php
/*
 * Load a WXR 1.2 file into a fresh WordPress install, for the `bench/http --with-wordpress`
 * baseline. Written for Yamabiko's benchmark (not WordPress's importer plugin): it reads the
 * file with XMLReader + SimpleXML one element at a time and writes through WordPress's own
 * API, so the rows look exactly as WordPress itself would have made them.
 *
 *   php load-wxr.php --wxr FILE.wxr --url http://127.0.0.1:8099 --config yamabiko-bench
 *
 * --config names the Debian host config /etc/wordpress/config-<name>.php (the database
 * credentials); wordpress_site.py writes it before running this. The database must exist
 * and be empty: this script runs wp_install(), removes the sample content wp_install()
 * makes (the first post, its comment, the sample and privacy pages), then creates
 *
 * - the authors (the first one is the administrator wp_install() made; its password is
 *   --password, or random),
 * - the categories (parents first, as the file lists them) and tags, keeping their slugs,
 * - the posts, pages and attachments with their original IDs (import_id), slugs, dates,
 *   status, categories, tags and sticky flag, and each post's comments with their parents
 *   and approval (pingbacks and trackbacks keep their type),
 *
 * sets pretty permalinks (/%year%/%monthnum%/%postname%/) and flushes the rewrite rules.
 * Nothing is downloaded: attachments are rows only.
 *
 * The last line of the output is one JSON object for the caller: counts, and the paths of
 * pages worth requesting (a post with many approved comments, the biggest category, a word
 * found in many posts for the search page).
 */

const WXR_NS = 'http://wordpress.org/export/1.2/';
const CONTENT_NS = 'http://purl.org/rss/1.0/modules/content/';
const EXCERPT_NS = 'http://wordpress.org/export/1.2/excerpt/';
const DC_NS = 'http://purl.org/dc/elements/1.1/';
const PERMALINKS = '/%year%/%monthnum%/%postname%/';

function fail( string $message ): void {
	fwrite( STDERR, "load-wxr.php: $message\n" );
	exit( 1 );
}

function arguments(): array {
	$options = getopt( '', array( 'wxr:', 'url:', 'config:', 'password::', 'timezone::' ) );
	foreach ( array( 'wxr', 'url', 'config' ) as $required ) {
		if ( empty( $options[ $required ] ) ) {
			fail( "--$required is required" );
		}
	}
	if ( ! preg_match( '/^[a-zA-Z0-9-]+$/', $options['config'] ) ) {
		fail( '--config must be letters, digits and dashes (Debian wp-config.php allows no more)' );
	}
	return $options;
}

/* Debian's /usr/share/wordpress/wp-config.php picks /etc/wordpress/config-<name>.php from
 * $_SERVER['WORDPRESS_CONFIG'] (else from the Host header); on the command line we set both
 * so WordPress also builds the right URLs. */
function boot_wordpress( string $url, string $config ): void {
	$parts                       = parse_url( $url );
	$host                        = $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
	$_SERVER['HTTP_HOST']        = $host;
	$_SERVER['SERVER_NAME']      = $parts['host'];
	$_SERVER['SERVER_PORT']      = (string) ( $parts['port'] ?? 80 );
	$_SERVER['REQUEST_URI']      = '/';
	$_SERVER['REQUEST_METHOD']   = 'GET';
	$_SERVER['WORDPRESS_CONFIG'] = $config;
	define( 'WP_INSTALLING', true ); // the tables do not exist yet: no redirect to the installer
	define( 'WP_IMPORTING', true );
	$GLOBALS['wp_did_header'] = true;
	require_once '/usr/share/wordpress/wp-load.php';
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	require_once ABSPATH . 'wp-admin/includes/post.php';
	add_filter( 'pre_wp_mail', '__return_false' ); // no "your new site" mail from wp_install()
}

function text( ?SimpleXMLElement $node ): string {
	return null === $node ? '' : trim( (string) $node );
}

/* Each top-level element of <channel>, as a SimpleXMLElement, without reading the whole
 * file into memory. */
function channel_elements( string $path ): Generator {
	$reader = new XMLReader();
	if ( ! $reader->open( $path, null, LIBXML_NONET | LIBXML_PARSEHUGE ) ) {
		fail( "cannot open $path" );
	}
	$depth = null;
	while ( $reader->read() ) {
		if ( XMLReader::ELEMENT !== $reader->nodeType ) {
			continue;
		}
		if ( 'channel' === $reader->localName ) {
			$depth = $reader->depth + 1;
			continue;
		}
		if ( $reader->depth !== $depth ) {
			continue;
		}
		$element = simplexml_load_string( $reader->readOuterXml(), 'SimpleXMLElement', LIBXML_NOCDATA );
		if ( false === $element ) {
			fail( "malformed <{$reader->name}> in $path" );
		}
		yield $reader->name => $element;
	}
	$reader->close();
}

final class Loader {
	public array $authors    = array(); // login => user ID
	public array $categories = array(); // slug => term ID
	public array $tags       = array(); // slug => term ID
	public array $counts     = array(
		'authors'     => 0,
		'categories'  => 0,
		'tags'        => 0,
		'posts'       => 0,
		'pages'       => 0,
		'attachments' => 0,
		'comments'    => 0,
	);
	public array $post_comments = array(); // post ID => approved comments
	public array $words         = array(); // word => posts that contain it

	public function __construct( private int $admin_id, private string $admin_login ) {
		$this->authors[ $admin_login ] = $admin_id;
	}

	public function element( string $name, SimpleXMLElement $element ): void {
		$wp = $element->children( WXR_NS );
		switch ( $name ) {
			case 'title':
				update_option( 'blogname', text( $element ) );
				break;
			case 'description':
				update_option( 'blogdescription', text( $element ) );
				break;
			case 'wp:author':
				$this->author( $wp );
				break;
			case 'wp:category':
				$this->category( $wp );
				break;
			case 'wp:tag':
				$this->tag( $wp );
				break;
			case 'item':
				$this->item( $element, $wp );
				break;
		}
	}

	private function author( SimpleXMLElement $wp ): void {
		$login = text( $wp->author_login );
		$name  = text( $wp->author_display_name );
		if ( $login === $this->admin_login ) {
			wp_update_user( array( 'ID' => $this->admin_id, 'display_name' => $name, 'nickname' => $name ) );
		} else {
			$id = wp_insert_user(
				array(
					'user_login'   => $login,
					'user_email'   => text( $wp->author_email ),
					'user_pass'    => wp_generate_password( 24 ),
					'display_name' => $name,
					'nickname'     => $name,
					'first_name'   => text( $wp->author_first_name ),
					'last_name'    => text( $wp->author_last_name ),
					'role'         => 'author',
				)
			);
			if ( is_wp_error( $id ) ) {
				fail( "author $login: " . $id->get_error_message() );
			}
			$this->authors[ $login ] = $id;
		}
		$this->counts['authors']++;
	}

	private function term( string $taxonomy, string $name, string $slug, int $parent ): int {
		$existing = term_exists( $slug, $taxonomy );
		if ( $existing ) { // "Uncategorized" comes with the install
			return (int) $existing['term_id'];
		}
		$term = wp_insert_term( $name, $taxonomy, array( 'slug' => $slug, 'parent' => $parent ) );
		if ( is_wp_error( $term ) ) {
			fail( "$taxonomy $slug: " . $term->get_error_message() );
		}
		return (int) $term['term_id'];
	}

	private function category( SimpleXMLElement $wp ): void {
		$slug   = text( $wp->category_nicename );
		$parent = text( $wp->category_parent );
		if ( '' !== $parent && ! isset( $this->categories[ $parent ] ) ) {
			fail( "category $slug comes before its parent $parent" );
		}
		$parent_id                  = '' === $parent ? 0 : $this->categories[ $parent ];
		$this->categories[ $slug ] = $this->term( 'category', text( $wp->cat_name ), $slug, $parent_id );
		$this->counts['categories']++;
	}

	private function tag( SimpleXMLElement $wp ): void {
		$slug                = text( $wp->tag_slug );
		$this->tags[ $slug ] = $this->term( 'post_tag', text( $wp->tag_name ), $slug, 0 );
		$this->counts['tags']++;
	}

	private function item( SimpleXMLElement $item, SimpleXMLElement $wp ): void {
		$type = text( $wp->post_type );
		if ( ! in_array( $type, array( 'post', 'page', 'attachment' ), true ) ) {
			return;
		}
		$login   = text( $item->children( DC_NS )->creator );
		$content = (string) $item->children( CONTENT_NS )->encoded;
		$fields  = array(
			'import_id'         => (int) text( $wp->post_id ),
			'post_type'         => $type,
			'post_title'        => text( $item->title ),
			'post_name'         => text( $wp->post_name ),
			'post_content'      => $content,
			'post_excerpt'      => (string) $item->children( EXCERPT_NS )->encoded,
			'post_status'       => text( $wp->status ),
			'post_author'       => $this->authors[ $login ] ?? $this->admin_id,
			'post_date'         => text( $wp->post_date ),
			'post_date_gmt'     => text( $wp->post_date_gmt ),
			'post_modified'     => text( $wp->post_modified ),
			'post_modified_gmt' => text( $wp->post_modified_gmt ),
			'comment_status'    => text( $wp->comment_status ),
			'ping_status'       => text( $wp->ping_status ),
			'post_parent'       => (int) text( $wp->post_parent ),
			'menu_order'        => (int) text( $wp->menu_order ),
			'post_password'     => text( $wp->post_password ),
			'guid'              => text( $item->guid ),
		);
		if ( 'attachment' === $type ) {
			$fields['guid']           = text( $wp->attachment_url );
			$fields['post_mime_type'] = 'image/jpeg';
			$id                       = wp_insert_attachment( wp_slash( $fields ), false, $fields['post_parent'], true );
		} else {
			$id = wp_insert_post( wp_slash( $fields ), true );
		}
		if ( is_wp_error( $id ) ) {
			fail( "$type {$fields['import_id']}: " . $id->get_error_message() );
		}
		foreach ( $wp->postmeta as $meta ) {
			add_post_meta( $id, text( $meta->meta_key ), wp_slash( text( $meta->meta_value ) ) );
		}
		$this->counts[ $type . 's' ]++;
		if ( 'post' !== $type ) {
			return;
		}
		$this->post_terms( $id, $item );
		if ( '1' === text( $wp->is_sticky ) ) {
			stick_post( $id );
		}
		$this->comments( $id, $wp );
		if ( 'publish' === $fields['post_status'] ) {
			$this->count_words( $content );
		}
	}

	private function post_terms( int $id, SimpleXMLElement $item ): void {
		$categories = array();
		$tags       = array();
		foreach ( $item->category as $category ) {
			$slug = (string) $category['nicename'];
			if ( 'category' === (string) $category['domain'] && isset( $this->categories[ $slug ] ) ) {
				$categories[] = $this->categories[ $slug ];
			} elseif ( 'post_tag' === (string) $category['domain'] && isset( $this->tags[ $slug ] ) ) {
				$tags[] = $this->tags[ $slug ];
			}
		}
		if ( $categories ) {
			wp_set_post_categories( $id, $categories );
		}
		if ( $tags ) {
			wp_set_object_terms( $id, $tags, 'post_tag' );
		}
	}

	private function comments( int $post_id, SimpleXMLElement $wp ): void {
		$ids = array(); // the file's comment ID => ours; parents come before their replies
		foreach ( $wp->comment as $comment ) {
			$parent   = (int) text( $comment->comment_parent );
			$approved = text( $comment->comment_approved );
			$id       = wp_insert_comment(
				wp_slash(
					array(
						'comment_post_ID'      => $post_id,
						'comment_author'       => text( $comment->comment_author ),
						'comment_author_email' => text( $comment->comment_author_email ),
						'comment_author_url'   => text( $comment->comment_author_url ),
						'comment_author_IP'    => text( $comment->comment_author_IP ),
						'comment_date'         => text( $comment->comment_date ),
						'comment_date_gmt'     => text( $comment->comment_date_gmt ),
						'comment_content'      => (string) $comment->comment_content,
						'comment_approved'     => $approved,
						'comment_type'         => text( $comment->comment_type ), // '' becomes 'comment'
						'comment_parent'       => $ids[ $parent ] ?? 0,
						'user_id'              => 0,
					)
				)
			);
			if ( ! $id ) {
				fail( "a comment of post $post_id could not be inserted" );
			}
			$ids[ (int) text( $comment->comment_id ) ] = $id;
			$this->counts['comments']++;
			if ( '1' === $approved ) {
				$this->post_comments[ $post_id ] = ( $this->post_comments[ $post_id ] ?? 0 ) + 1;
			}
		}
	}

	private function count_words( string $content ): void {
		preg_match_all( '/\b[a-z]{5,}\b/', strtolower( wp_strip_all_tags( $content ) ), $found );
		foreach ( array_unique( $found[0] ) as $word ) {
			$this->words[ $word ] = ( $this->words[ $word ] ?? 0 ) + 1;
		}
	}
}

/* wp_install() makes a first post with a comment, a sample page and a draft privacy page:
 * not part of the content being compared. */
function remove_sample_content(): void {
	$sample = get_posts( array( 'post_type' => array( 'post', 'page' ), 'post_status' => 'any', 'numberposts' => -1 ) );
	foreach ( $sample as $post ) {
		wp_delete_post( $post->ID, true );
	}
	foreach ( get_comments( array( 'status' => 'all' ) ) as $comment ) {
		wp_delete_comment( $comment->comment_ID, true );
	}
	update_option( 'wp_page_for_privacy_policy', 0 );
}

function pick_paths( Loader $loader ): array {
	arsort( $loader->post_comments );
	$busiest = null;
	foreach ( array_keys( $loader->post_comments ) as $id ) {
		if ( 'publish' === get_post_status( $id ) ) {
			$busiest = $id;
			break;
		}
	}
	if ( null === $busiest ) {
		fail( 'no published post with approved comments' );
	}
	$category = get_terms( array( 'taxonomy' => 'category', 'orderby' => 'count', 'order' => 'DESC', 'number' => 1 ) )[0];
	arsort( $loader->words );
	$word = array_key_first( $loader->words );
	$path = fn( string $url ): string => wp_make_link_relative( $url );
	return array(
		'permalink'          => $path( get_permalink( $busiest ) ),
		'permalink_title'    => get_the_title( $busiest ),
		'permalink_comments' => $loader->post_comments[ $busiest ],
		'home'               => '/',
		'category'           => $path( get_category_link( $category ) ),
		'category_name'      => $category->name,
		'category_posts'     => $category->count,
		'search'             => '/?s=' . rawurlencode( $word ),
		'search_word'        => $word,
		'search_posts'       => $loader->words[ $word ],
		'rss'                => '/feed/',
	);
}

function main(): void {
	$options = arguments();
	$wxr     = $options['wxr'];
	if ( ! is_readable( $wxr ) ) {
		fail( "cannot read $wxr" );
	}
	$url = rtrim( $options['url'], '/' );
	boot_wordpress( $url, $options['config'] );
	if ( is_blog_installed() ) {
		fail( 'WordPress is already installed in this database; give an empty one' );
	}

	// The first author of the file becomes the administrator.
	$first = null;
	foreach ( channel_elements( $wxr ) as $name => $element ) {
		if ( 'wp:author' === $name ) {
			$first = $element->children( WXR_NS );
			break;
		}
	}
	$login    = null === $first ? 'admin' : text( $first->author_login );
	$email    = null === $first ? 'admin@example.org' : text( $first->author_email );
	$password = $options['password'] ?? wp_generate_password( 24 );
	$started  = microtime( true );
	$result   = wp_install( 'Yamabiko benchmark', $login, $email, true, '', wp_slash( $password ) );
	wp_set_current_user( $result['user_id'] ); // an administrator: unfiltered HTML, as an import
	remove_sample_content();
	update_option( 'siteurl', $url );
	update_option( 'home', $url );
	update_option( 'timezone_string', $options['timezone'] ?? 'Asia/Tokyo' );
	update_option( 'gmt_offset', '' );

	// No pings or enclosures for published posts, and counts updated once at the end.
	remove_action( 'publish_post', '_publish_post_hook', 5 );
	wp_defer_term_counting( true );
	wp_defer_comment_counting( true );
	wp_suspend_cache_invalidation( true );

	$loader = new Loader( (int) $result['user_id'], $login );
	foreach ( channel_elements( $wxr ) as $name => $element ) {
		$loader->element( $name, $element );
	}

	wp_suspend_cache_invalidation( false );
	wp_defer_term_counting( false );
	wp_defer_comment_counting( false );
	wp_cache_flush();
	foreach ( get_posts( array( 'post_type' => 'post', 'post_status' => 'any', 'numberposts' => -1, 'fields' => 'ids' ) ) as $id ) {
		wp_update_comment_count_now( $id );
	}

	global $wp_rewrite;
	$wp_rewrite->set_permalink_structure( PERMALINKS );
	create_initial_taxonomies(); // registered without permalinks at boot: again, with them
	flush_rewrite_rules( false ); // rules in the database; nginx needs no .htaccess

	$summary = array_merge(
		$loader->counts,
		array( 'seconds' => round( microtime( true ) - $started, 1 ), 'theme' => get_stylesheet() ),
		pick_paths( $loader )
	);
	echo wp_json_encode( $summary, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ), "\n";
}

main();
