package dev.berth.config;

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

    private EnvironmentOverrides() {
    }

    /** The configuration keys and values that {@code environment}'s {@code BERTH_} variables set. */
    static Map<String, String> from(Map<String, String> environment) {
        Map<String, String> overrides = new LinkedHashMap<>();
        environment.entrySet().stream()
                .filter(e -> e.getKey().startsWith(PREFIX) && !SCRIPT_VARIABLES.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> overrides.put(key(e.getKey()), e.getValue()));
        return overrides;
    }

    /** The variable that sets {@code key}: {@code mirror.upstreams.0.tag-ttl} → BERTH_MIRROR_UPSTREAMS_0_TAG_TTL. */
    static String variable(String key) {
        return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String key(String variable) {
        String rest = variable.substring(PREFIX.length());
        for (ConfigKey key : ConfigKeys.ALL) {
            Optional<String> path = match(key.segments(), rest);
            if (path.isPresent()) {
                return path.get();
            }
        }
        throw new IllegalArgumentException(variable + ": no configuration key is set by this variable (a key's"
                + " variable is " + PREFIX + " and its path in upper case with . and - as _, such as "
                + variable("server.port") + " for server.port; list entries by index: "
                + variable("mirror.upstreams.0.url") + ")");
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
