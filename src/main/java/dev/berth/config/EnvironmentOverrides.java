package dev.berth.config;

import java.lang.System.Logger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration values from the environment, as containers and systemd drop-ins set them: {@code BERTH_} and the
 * key's path in upper case with {@code .} and {@code -} as {@code _} ({@code BERTH_SERVER_PORT} for
 * {@code server.port}, {@code BERTH_CACHE_MAX_BYTES} for {@code cache.max-bytes}); list entries by their index from 0
 * ({@code BERTH_MIRROR_UPSTREAMS_0_URL}, {@code BERTH_PRIVATE_REPOSITORIES_1}); a group's name in lower case
 * ({@code BERTH_AUTH_GROUPS_DEVS_0}). They win over the file.
 */
final class EnvironmentOverrides {
    static final String PREFIX = "BERTH_";
    /**
     * Read by the launch scripts (./berth, the systemd unit) and by {@code berth warm} (the password), not by the
     * configuration.
     */
    private static final Set<String> SCRIPT_VARIABLES = Set.of("BERTH_JAVA", "BERTH_JAVA_OPTS", "BERTH_PASSWORD");
    private static final Logger LOG = System.getLogger(EnvironmentOverrides.class.getName());
    /** Kubernetes' service-link names, whatever their value; the Service's name comes first, in upper case. */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "BERTH(?:_[A-Z0-9_]+)?_(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT_\\d+_(?:TCP|UDP|SCTP)"
                    + "(?:_PROTO|_PORT|_ADDR)?)");
    /** A service link's own address variable, which is one only with a link as its value. */
    private static final Pattern LINK_PORT = Pattern.compile("BERTH(?:_[A-Z0-9_]+)?_PORT");
    private static final Pattern LINK_VALUE = Pattern.compile("(?:tcp|udp|sctp)://[^/\\s]+:\\d+");

    private EnvironmentOverrides() {
    }

    /**
     * The configuration keys and values that {@code environment}'s {@code BERTH_} variables set. Kubernetes' service
     * links of a Service named berth (or berth-anything) are left alone; a variable that names no key stops berth when
     * it is close to one (a typo, which would otherwise leave the key unset without a word), and is logged and left
     * alone otherwise.
     */
    static Map<String, String> from(Map<String, String> environment) {
        Map<String, String> overrides = new LinkedHashMap<>();
        environment.entrySet().stream()
                .filter(e -> e.getKey().startsWith(PREFIX) && !SCRIPT_VARIABLES.contains(e.getKey()))
                .filter(e -> !isServiceLink(e.getKey(), e.getValue()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> key(e.getKey()).ifPresent(key -> overrides.put(key, e.getValue())));
        return overrides;
    }

    /**
     * Whether {@code variable} is one Kubernetes sets in every pod for a Service of the namespace (enableServiceLinks):
     * {@code BERTH_SERVICE_HOST}, {@code BERTH_SERVICE_PORT[_NAME]}, {@code BERTH_PORT=tcp://10.96.0.12:5000},
     * {@code BERTH_PORT_5000_TCP[_PROTO|_PORT|_ADDR]}, and the same after a longer Service name's part
     * ({@code BERTH_UI_SERVICE_HOST}). None is a key's variable; BERTH_SERVER_PORT is one, and is a link only with a
     * link's value.
     */
    static boolean isServiceLink(String variable, String value) {
        return SERVICE_LINK.matcher(variable).matches()
                || (LINK_PORT.matcher(variable).matches() && LINK_VALUE.matcher(value).matches());
    }

    /** The variable that sets {@code key}: {@code mirror.upstreams.0.tag-ttl} → BERTH_MIRROR_UPSTREAMS_0_TAG_TTL. */
    static String variable(String key) {
        return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Optional<String> key(String variable) {
        String rest = variable.substring(PREFIX.length());
        for (ConfigKey key : ConfigKeys.ALL) {
            Optional<String> path = match(key.segments(), rest);
            if (path.isPresent()) {
                return path;
            }
        }
        String how = "a key's variable is " + PREFIX + " and its path in upper case with . and - as _, such as "
                + variable("server.port") + " for server.port; list entries by index: "
                + variable("mirror.upstreams.0.url");
        Optional<String> meant = KeySuggestion.closestVariable(rest).map(name -> PREFIX + name);
        if (meant.isPresent()) {
            throw new IllegalArgumentException(variable + ": no configuration key is set by this variable (did you"
                    + " mean " + meant.get() + "? " + how + ")");
        }
        LOG.log(Logger.Level.WARNING, variable + " is ignored: no configuration key is set by this variable (" + how
                + ")");
        return Optional.empty();
    }

    /** The key of {@code key}'s kind that {@code name} spells, if it spells one. */
    private static Optional<String> match(List<String> segments, String name) {
        StringBuilder regex = new StringBuilder();
        for (String segment : segments) {
            regex.append(regex.isEmpty() ? "" : "_").append(switch (segment) {
                case ConfigKey.INDEX -> "(\\d+)";
                case ConfigKey.NAME -> "([A-Za-z0-9]+)";
                default -> Pattern.quote(segment.toUpperCase(Locale.ROOT).replace('-', '_'));
            });
        }
        Matcher m = Pattern.compile(regex.toString()).matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        StringBuilder key = new StringBuilder();
        int group = 1;
        for (String segment : segments) {
            key.append(key.isEmpty() ? "" : ".").append(switch (segment) {
                case ConfigKey.INDEX -> m.group(group++);
                case ConfigKey.NAME -> m.group(group++).toLowerCase(Locale.ROOT);
                default -> segment;
            });
        }
        return Optional.of(key.toString());
    }
}
