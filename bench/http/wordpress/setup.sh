#!/bin/sh
# Install the WordPress baseline for `bench/http --with-wordpress`, from Debian packages only.
#
#   sudo sh bench/http/wordpress/setup.sh
#
# What it does, and nothing more (safe to run again; it does nothing when all is there):
#
# - apt-get installs Debian 12's `wordpress` (6.1, into /usr/share/wordpress), its default
#   theme package (twentytwentythree), php8.2-fpm and the PHP extensions WordPress uses
#   (mysql, xml, mbstring, curl, gd). Nothing is fetched from anywhere but the Debian archive.
# - It keeps Apache out: `wordpress` depends on "apache2 | httpd" and "libapache2-mod-php |
#   php"; the already installed nginx satisfies httpd and php8.2-fpm satisfies php, and the
#   trailing "-" on apache2 and libapache2-mod-php* tells apt never to pick those.
#   nginx and MariaDB are normally installed already (the benchmark machine has both); the
#   script installs them too when missing (MariaDB then has to be started by hand).
# - Runs `apt-get update` first only when the lists do not know `wordpress` yet.
# - While apt runs, no service may start: if /usr/sbin/policy-rc.d does not exist, a
#   temporary one answering 101 ("action forbidden") is put there and removed on exit, so the
#   Debian php8.2-fpm service is installed but never started. bench/http/wordpress_site.py
#   runs its own php-fpm and nginx as private child processes with configs in a work dir.
# - For php8.2-fpm and nginx, when this run is what installed them, the boot-time service
#   Debian enables with the package is disabled again (update-rc.d, which handles the systemd
#   unit too): no system php-fpm or nginx comes up at the next boot either. Services that
#   were there before the script ran are left as they were.
#
# Nothing else is changed system-wide: no site is enabled, no database or user is created
# here (wordpress_site.py makes and drops them per run), /etc/wordpress gets only the
# Debian package's own files.
set -eu

PACKAGES="wordpress wordpress-theme-twentytwentythree php-fpm php-cli php-mysql php-xml
php-mbstring php-curl php-gd nginx mariadb-server mariadb-client"
FORBIDDEN="apache2- libapache2-mod-php- libapache2-mod-php8.2-"

missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $package"
    fi
done
if [ -z "$missing" ]; then
    echo "setup.sh: WordPress, php-fpm and their extensions are installed already"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: must run as root to install:$missing" >&2
    exit 1
fi

policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
    trap 'exit 1' INT TERM
fi

new_services=""
for service in php8.2-fpm nginx; do
    if ! dpkg-query -W -f='${Status}' "$service" 2>/dev/null | grep -q 'ok installed'; then
        new_services="$new_services $service"
    fi
done

export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show wordpress >/dev/null 2>&1; then
    apt-get update  # the package lists are empty on a fresh image
fi
echo "setup.sh: installing$missing"
# shellcheck disable=SC2086 # word splitting of the package lists is intended
apt-get install -y --no-install-recommends $PACKAGES $FORBIDDEN

for service in $new_services; do
    update-rc.d "$service" disable >/dev/null 2>&1 || true
done

# The packages must not have brought a web server with them or started anything.
if dpkg-query -W -f='${Status}' apache2 2>/dev/null | grep -q 'ok installed'; then
    echo "setup.sh: warning: apache2 is installed (not by this script); it is not started here" >&2
fi
echo "setup.sh: done; WordPress is in /usr/share/wordpress, php-fpm is $(command -v php-fpm8.2)"
