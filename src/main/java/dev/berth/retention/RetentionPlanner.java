package dev.berth.retention;

import dev.berth.config.BerthConfig;
import dev.berth.oci.Digest;
import dev.berth.registry.ImmutableTags;
import dev.berth.registry.PushedTag;
import dev.berth.registry.StoredImages;
import dev.berth.registry.StoredRevision;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, from what a repository holds and its rule, what retention keeps and removes; pure, with the time as input.
 * A tag stays when it is one of the {@code keep-last} most recently pushed, matches {@code keep-tags} or is
 * immutable. A manifest stays when a kept tag names it, when no tag names it but it was pushed less than
 * {@code untagged-after} ago, when a kept index lists it, or when its subject stays (a signature of a kept image); all
 * others go. A repository holding a manifest that cannot be read loses no manifest, since what it needs is unknown.
 */
public final class RetentionPlanner {
    // Tags pushed within the same millisecond: the later name first, as build-2 follows build-1.
    private static final Comparator<PushedTag> NEWEST_FIRST = Comparator.comparing(PushedTag::pushed)
            .thenComparing(PushedTag::tag).reversed();

    private RetentionPlanner() {
    }

    /** The plan for {@code images} under rule number {@code index}, {@code rule}, at {@code now}. */
    public static RepositoryPlan plan(StoredImages images, int index, BerthConfig.RetentionRule rule,
                                      ImmutableTags immutable, Instant now) {
        List<PushedTag> newestFirst = images.tags().stream().sorted(NEWEST_FIRST).toList();
        int keepLast = rule.keepLast().orElse(Integer.MAX_VALUE);
        List<PushedTag> kept = new ArrayList<>();
        List<PushedTag> removed = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            PushedTag tag = newestFirst.get(i);
            boolean keep = i < keepLast || rule.keepTags().stream().anyMatch(glob -> glob.matches(tag.tag()))
                    || immutable.isImmutable(images.name(), tag.tag());
            (keep ? kept : removed).add(tag);
        }
        List<String> warnings = new ArrayList<>();
        List<Digest> removedManifests = List.of();
        List<StoredRevision> unreadable = images.revisions().stream().filter(r -> !r.readable()).toList();
        if (unreadable.isEmpty()) {
            removedManifests = unneeded(images.revisions(), kept, rule, now);
        } else {
            warnings.add("manifest " + unreadable.getFirst().digest() + " cannot be read, so what it needs is"
                    + " unknown: no manifest is removed from " + images.name());
        }
        if (!images.tags().isEmpty() && kept.isEmpty()) {
            warnings.add("every tag of " + images.name() + " goes");
        }
        if (!images.revisions().isEmpty() && removedManifests.size() == images.revisions().size()) {
            warnings.add("everything " + images.name() + " holds goes: no tag and no manifest is left");
        }
        return new RepositoryPlan(images.name(), index, List.copyOf(kept), List.copyOf(removed),
                images.revisions().size(), removedManifests, List.copyOf(warnings));
    }

    /** The revisions that nothing kept needs, in the order stored. */
    private static List<Digest> unneeded(List<StoredRevision> revisions, List<PushedTag> keptTags,
                                         BerthConfig.RetentionRule rule, Instant now) {
        Map<Digest, StoredRevision> byDigest = new HashMap<>();
        Map<Digest, List<Digest>> referrers = new HashMap<>();
        for (StoredRevision revision : revisions) {
            byDigest.put(revision.digest(), revision);
            revision.subject().ifPresent(s -> referrers.computeIfAbsent(s, k -> new ArrayList<>())
                    .add(revision.digest()));
        }
        Set<Digest> tagged = new HashSet<>();
        keptTags.forEach(tag -> tagged.add(tag.digest()));
        Instant untaggedBefore = now.minus(rule.untaggedAfter());
        Deque<Digest> pending = new ArrayDeque<>(tagged);
        // Pushed within untagged-after: perhaps a push under way (an index's platforms come before the index).
        revisions.stream().filter(r -> !r.pushed().isBefore(untaggedBefore)).map(StoredRevision::digest)
                .forEach(pending::add);
        Set<Digest> needed = new HashSet<>();
        while (!pending.isEmpty()) {
            Digest digest = pending.pop();
            if (!needed.add(digest)) {
                continue;
            }
            StoredRevision revision = byDigest.get(digest);
            if (revision != null) {
                pending.addAll(revision.children());
            }
            pending.addAll(referrers.getOrDefault(digest, List.of()));
        }
        return revisions.stream().map(StoredRevision::digest).filter(d -> !needed.contains(d)).toList();
    }
}
