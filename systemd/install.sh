#!/usr/bin/env bash
# Installs berth as a systemd service from a built tree (run "./build package" first).
#   sudo systemd/install.sh                   install into this system
#   DESTDIR=/tmp/stage systemd/install.sh     stage the files below /tmp/stage (packaging, tests)
# Environment:
#   DESTDIR      root to install below; with it, no user is created and nothing is chowned,
#                because the berth user belongs to the target system, not this one
#   BERTH_JAVA   java binary (21+) to write into a new /etc/default/berth; without it, a real
#                install looks one up with bin/find-jdk
#   BERTH_AOT    off: make no ahead-of-time cache (with JDK 25+ install.sh trains one for the unit's java)
# Upgrades replace the application but never an existing berth.yaml or /etc/default/berth.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
destdir="${DESTDIR:-}"
destdir="${destdir%/}"
# Fixed paths: berth.service names them, so they cannot vary independently.
app_dir="$destdir/opt/berth"
unit_dir="$destdir/etc/systemd/system"
conf_dir="$destdir/etc/berth"
default_file="$destdir/etc/default/berth"
sysusers_dir="$destdir/usr/lib/sysusers.d"

say() { echo "install.sh: $*"; }
die() { echo "install.sh: $*" >&2; exit 1; }

jar="$src/target/berth.jar"
libs="$src/target/libs"
if [ ! -f "$jar" ] || [ ! -d "$libs" ]; then
  die "no $jar or $libs: run \"./build package\" in $src first"
fi

if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  die "installing into / needs root (or set DESTDIR to stage the files elsewhere)"
fi

# The service user. A system account with no login and /var/lib/berth as home, so that nothing
# the JVM looks up in user.home lands anywhere else.
if [ -n "$destdir" ]; then
  say "DESTDIR is set: not creating the berth user (the sysusers.d file creates it on the target)"
elif getent passwd berth >/dev/null; then
  say "user berth exists"
else
  nologin=$(command -v nologin || echo /usr/sbin/nologin)
  useradd --system --user-group --home-dir /var/lib/berth --no-create-home \
    --shell "$nologin" --comment "berth registry mirror" berth
  say "created system user berth"
fi

# The application. New files are written beside the old ones and renamed into place, so a
# running berth keeps reading the jars it opened until it is restarted.
install -d -m 0755 "$app_dir"
# The old ahead-of-time cache is for the old jar: made again below.
rm -f "$app_dir/berth.aot" "$app_dir/berth.aot.jdk"
cp "$jar" "$app_dir/.berth.jar.new"
chmod 0644 "$app_dir/.berth.jar.new"
rm -rf "$app_dir/.libs.new" "$app_dir/.libs.old"
cp -R "$libs" "$app_dir/.libs.new"
chmod -R u=rwX,go=rX "$app_dir/.libs.new"
mv -f "$app_dir/.berth.jar.new" "$app_dir/berth.jar"
if [ -d "$app_dir/libs" ]; then
  mv "$app_dir/libs" "$app_dir/.libs.old"
fi
mv "$app_dir/.libs.new" "$app_dir/libs"
rm -rf "$app_dir/.libs.old"
say "installed $app_dir/berth.jar and $app_dir/libs/ ($(find "$app_dir/libs" -name '*.jar' | wc -l) jars)"

install -m 0644 "$src/bin/aot-stamp" "$app_dir/aot-stamp"
install -D -m 0644 "$src/systemd/berth.service" "$unit_dir/berth.service"
say "installed $unit_dir/berth.service"

# For systemd-sysusers and packages built from a DESTDIR: the same user as useradd makes above.
install -d -m 0755 "$sysusers_dir"
printf '%s\n' 'u berth - "berth registry mirror" /var/lib/berth /usr/sbin/nologin' \
  >"$sysusers_dir/berth.conf"
chmod 0644 "$sysusers_dir/berth.conf"
say "installed $sysusers_dir/berth.conf"

# The configuration may hold upstream passwords: readable by root and the berth group only.
install -d -m 0755 "$conf_dir"
if [ -e "$conf_dir/berth.yaml" ]; then
  say "kept existing $conf_dir/berth.yaml"
else
  install -m 0640 "$src/systemd/berth.yaml" "$conf_dir/berth.yaml"
  if [ -z "$destdir" ]; then
    chgrp berth "$conf_dir/berth.yaml"
  fi
  say "installed example $conf_dir/berth.yaml"
fi

# /etc/default/berth tells the unit which java to run: the default java may be older than 21.
if [ -e "$default_file" ]; then
  say "kept existing $default_file"
else
  java_bin="${BERTH_JAVA:-}"
  if [ -z "$java_bin" ] && [ -z "$destdir" ]; then
    # find-jdk exits when it finds nothing, so it runs in a subshell.
    # shellcheck source=SCRIPTDIR/../bin/find-jdk
    java_home=$(. "$src/bin/find-jdk" && echo "$JAVA_HOME") || java_home=""
    [ -n "$java_home" ] && java_bin="$java_home/bin/java"
  fi
  install -d -m 0755 "$(dirname "$default_file")"
  {
    echo "# Read by berth.service. berth needs Java 21 or newer; without JAVA the java on PATH runs."
    if [ -n "$java_bin" ]; then
      echo "JAVA=$java_bin"
    else
      echo "#JAVA=/usr/lib/jvm/temurin-21-jdk-amd64/bin/java"
    fi
    echo "# Extra JVM options, split at spaces, e.g. a larger heap than the default 128 MiB:"
    echo "#BERTH_JAVA_OPTS=-Xmx512m"
  } >"$default_file"
  chmod 0644 "$default_file"
  if [ -n "$java_bin" ]; then
    say "wrote $default_file with JAVA=$java_bin"
  else
    say "wrote $default_file; set JAVA there to a Java 21+ binary unless the java on PATH is 21+"
  fi
fi

# The ahead-of-time cache (docs/operations.md, "Start-up"), made with the java the unit runs and the installed jar:
# a training run of 20-40 s. Not for a DESTDIR: the java that will run it is the target system's.
if [ -n "$destdir" ]; then
  say "DESTDIR is set: no ahead-of-time cache (berth starts without one; install.sh on the target makes it)"
else
  unit_java=$(. "$default_file" && echo "${JAVA:-java}")
  "$src/bin/aot-cache" "$unit_java" "$app_dir/berth.jar" "$app_dir/berth.aot" 2>&1 | sed 's/^berth: /install.sh: /'
  [ -f "$app_dir/berth.aot" ] && chmod 0644 "$app_dir/berth.aot" "$app_dir/berth.aot.jdk"
fi

if [ -n "$destdir" ]; then
  say "staged below $destdir; on the target system run:"
  echo "    systemd-sysusers berth.conf && systemctl daemon-reload && systemctl enable --now berth"
else
  say "done. Review /etc/berth/berth.yaml, then start berth (after an upgrade: systemctl restart berth):"
  echo "    systemctl daemon-reload && systemctl enable --now berth"
fi
