package dev.berth.retention;

import dev.berth.config.BerthConfig;
import dev.berth.oci.RepoName;
import dev.berth.registry.ImmutableTags;
import java.util.List;

/** The {@code immutable} rules of berth.yaml: a tag is immutable when any rule covers it. */
public final class ImmutableRules implements ImmutableTags {
    private final List<BerthConfig.ImmutableRule> rules;

    public ImmutableRules(List<BerthConfig.ImmutableRule> rules) {
        this.rules = List.copyOf(rules);
    }

    @Override
    public boolean isImmutable(RepoName name, String tag) {
        return rules.stream().anyMatch(rule -> rule.covers(name.value(), tag));
    }
}
