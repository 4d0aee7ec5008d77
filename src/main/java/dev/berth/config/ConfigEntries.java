package dev.berth.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A configuration as a flat map from each value's key ({@code mirror.upstreams.0.url}) to its text: the form in
 * which environment overrides replace values and every value is checked, and from which {@link #toConfig} builds the
 * Helidon Config that {@link ConfigLoader} reads (lists as lists, in index order, which Helidon's own map source
 * does not keep).
 */
final class ConfigEntries {
    private ConfigEntries() {
    }

    /** Every value of {@code root}, in the file's order (an empty list or section has none). */
    static Map<String, String> of(Config root) {
        Map<String, String> entries = new LinkedHashMap<>();
        root.traverse().filter(Config::isLeaf).filter(Config::hasValue)
                .forEach(node -> entries.put(node.key().toString(), node.asString().get()));
        return entries;
    }

    /** The Helidon Config of {@code entries}, which {@link ConfigCheck} has passed. */
    static Config toConfig(Map<String, String> entries) {
        Map<String, Object> tree = new LinkedHashMap<>();
        entries.forEach((key, value) -> put(tree, ConfigKey.split(key), value));
        return Config.builder(ConfigSources.create(object("", tree)))
                .disableEnvironmentVariablesSource().disableSystemPropertiesSource().build();
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, List<String> path, String value) {
        Map<String, Object> node = tree;
        for (String segment : path.subList(0, path.size() - 1)) {
            node = (Map<String, Object>) node.computeIfAbsent(segment, s -> new LinkedHashMap<String, Object>());
        }
        node.put(path.getLast(), value);
    }

    private static ConfigNode.ObjectNode object(String key, Map<String, Object> tree) {
        ConfigNode.ObjectNode.Builder builder = ConfigNode.ObjectNode.builder();
        tree.forEach((name, child) -> builder.addNode(name, node(key.isEmpty() ? name : key + "." + name, child)));
        return builder.build();
    }

    @SuppressWarnings("unchecked")
    private static ConfigNode node(String key, Object child) {
        if (child instanceof String value) {
            return ConfigNode.ValueNode.create(value);
        }
        Map<String, Object> children = (Map<String, Object>) child;
        if (!children.keySet().stream().allMatch(name -> name.chars().allMatch(Character::isDigit))) {
            return object(key, children);
        }
        ConfigNode.ListNode.Builder list = ConfigNode.ListNode.builder();
        for (int i = 0; i < children.size(); i++) {
            Object entry = children.get(Integer.toString(i));
            if (entry == null) {
                // Only environment overrides can leave a gap: a file's lists have none.
                throw new IllegalArgumentException(key + ": list entries are numbered from 0 without gaps, found "
                        + new ArrayList<>(children.keySet()));
            }
            ConfigNode node = node(key + "." + i, entry);
            switch (node) {
                case ConfigNode.ValueNode value -> list.addValue(value);
                case ConfigNode.ListNode inner -> list.addList(inner);
                case ConfigNode.ObjectNode object -> list.addObject(object);
                default -> throw new IllegalStateException("unexpected node " + node);
            }
        }
        return list.build();
    }
}
