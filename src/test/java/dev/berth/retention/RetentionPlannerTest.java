package dev.berth.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.oci.Digest;
import dev.berth.oci.NameGlob;
import dev.berth.oci.RepoName;
import dev.berth.registry.ImmutableTags;
import dev.berth.registry.PushedTag;
import dev.berth.registry.StoredImages;
import dev.berth.registry.StoredRevision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What a rule keeps and removes of a repository: tags by push time and glob, manifests by what still needs them. */
class RetentionPlannerTest {
    private static final RepoName APP = RepoName.of("team/app");
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Instant LONG_AGO = NOW.minus(Duration.ofDays(30));

    private static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }

    private static BerthConfig.RetentionRule rule(OptionalInt keepLast, List<String> keepTags, Duration untagged) {
        return new BerthConfig.RetentionRule(List.of(NameGlob.of("team/*")), keepLast,
                keepTags.stream().map(NameGlob::of).toList(), untagged);
    }

    /** Tags t0..t(n-1), each on its own image pushed long ago, t(i) pushed i minutes after t0. */
    private static StoredImages tagsEachOnAnImage(int n) {
        List<PushedTag> tags = new ArrayList<>();
        List<StoredRevision> revisions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tags.add(new PushedTag("t" + i, digest("m" + i), LONG_AGO.plus(Duration.ofMinutes(i))));
            revisions.add(image(digest("m" + i), LONG_AGO));
        }
        return new StoredImages(APP, tags, revisions);
    }

    private static StoredRevision image(Digest digest, Instant pushed) {
        return new StoredRevision(digest, pushed, List.of(), Optional.empty(), true);
    }

    private static List<String> names(List<PushedTag> tags) {
        return tags.stream().map(PushedTag::tag).toList();
    }

    @Test
    void keepsTheMostRecentlyPushedAndTheKeptGlobsAndRemovesTheImagesOfTheRest() {
        RepositoryPlan plan = RetentionPlanner.plan(tagsEachOnAnImage(30), 0,
                rule(OptionalInt.of(10), List.of("t1", "t2*"), Duration.ofDays(1)), ImmutableTags.NONE, NOW);

        // Newest first: t29..t20 by push time; t1 and t2 by keep-tags (t2* also matches t20..t29, kept anyway).
        List<String> kept = new ArrayList<>(IntStream.rangeClosed(20, 29).map(i -> 49 - i)
                .mapToObj(i -> "t" + i).toList());
        kept.addAll(List.of("t2", "t1"));
        assertEquals(kept, names(plan.keptTags()));
        assertEquals(18, plan.removedTags().size());
        assertEquals("t19", plan.removedTags().getFirst().tag(), "the removed ones, newest first");
        List<Digest> removedImages = plan.removedTags().stream().map(PushedTag::digest).toList();
        assertEquals(removedImages.stream().sorted().toList(), plan.removedManifests().stream().sorted().toList());
        assertEquals(30, plan.manifests());
        assertEquals(List.of(), plan.warnings());
    }

    @Test
    void keepLastZeroKeepsOnlyTheKeptGlobsAndSaysWhenNothingIsLeft() {
        RepositoryPlan some = RetentionPlanner.plan(tagsEachOnAnImage(3), 0,
                rule(OptionalInt.of(0), List.of("t1"), Duration.ofDays(1)), ImmutableTags.NONE, NOW);
        assertEquals(List.of("t1"), names(some.keptTags()));
        assertEquals(List.of("t2", "t0"), names(some.removedTags()));

        RepositoryPlan none = RetentionPlanner.plan(tagsEachOnAnImage(3), 0,
                rule(OptionalInt.of(0), List.of(), Duration.ofDays(1)), ImmutableTags.NONE, NOW);
        assertEquals(List.of(), none.keptTags());
        assertEquals(3, none.removedManifests().size());
        assertEquals(List.of("every tag of team/app goes",
                "everything team/app holds goes: no tag and no manifest is left"), none.warnings());
    }

    @Test
    void withoutKeepLastEveryTagStays() {
        RepositoryPlan plan = RetentionPlanner.plan(tagsEachOnAnImage(5), 0,
                rule(OptionalInt.empty(), List.of(), Duration.ofDays(1)), ImmutableTags.NONE, NOW);
        assertEquals(5, plan.keptTags().size());
        assertTrue(!plan.removesAnything());
    }

    @Test
    void immutableTagsAlwaysStay() {
        RepositoryPlan plan = RetentionPlanner.plan(tagsEachOnAnImage(3), 0,
                rule(OptionalInt.of(0), List.of(), Duration.ofDays(1)), (name, tag) -> tag.equals("t0"), NOW);
        assertEquals(List.of("t0"), names(plan.keptTags()));
        assertEquals(List.of(digest("m2"), digest("m1")).stream().sorted().toList(),
                plan.removedManifests().stream().sorted().toList());
    }

    @Test
    void anUntaggedManifestGoesOnlyOnceItWasPushedUntaggedAfterAgo() {
        Digest old = digest("old");
        Digest recent = digest("recent");
        StoredImages images = new StoredImages(APP, List.of(), List.of(image(old, NOW.minus(Duration.ofHours(25))),
                image(recent, NOW.minus(Duration.ofHours(23)))));
        RepositoryPlan plan = RetentionPlanner.plan(images, 0, rule(OptionalInt.empty(), List.of(), Duration.ofDays(1)),
                ImmutableTags.NONE, NOW);
        assertEquals(List.of(old), plan.removedManifests());
    }

    @Test
    void platformsOfAKeptIndexAndReferrersOfAKeptImageStayAndThoseOfARemovedOneGo() {
        Digest keptIndex = digest("index-1");
        Digest removedIndex = digest("index-0");
        Digest keptPlatform = digest("amd64-1");
        Digest removedPlatform = digest("amd64-0");
        Digest keptSignature = digest("sig-1");
        Digest removedSignature = digest("sig-0");
        Digest signatureOfSignature = digest("sig-of-sig-1");
        StoredImages images = new StoredImages(APP, List.of(
                new PushedTag("1", keptIndex, LONG_AGO.plusSeconds(1)),
                new PushedTag("0", removedIndex, LONG_AGO)), List.of(
                new StoredRevision(keptIndex, LONG_AGO, List.of(keptPlatform), Optional.empty(), true),
                new StoredRevision(removedIndex, LONG_AGO, List.of(removedPlatform), Optional.empty(), true),
                image(keptPlatform, LONG_AGO), image(removedPlatform, LONG_AGO),
                new StoredRevision(keptSignature, LONG_AGO, List.of(), Optional.of(keptPlatform), true),
                new StoredRevision(signatureOfSignature, LONG_AGO, List.of(), Optional.of(keptSignature), true),
                new StoredRevision(removedSignature, LONG_AGO, List.of(), Optional.of(removedIndex), true)));

        RepositoryPlan plan = RetentionPlanner.plan(images, 0, rule(OptionalInt.of(1), List.of(), Duration.ZERO),
                ImmutableTags.NONE, NOW);

        assertEquals(List.of("1"), names(plan.keptTags()));
        assertEquals(List.of(removedIndex, removedPlatform, removedSignature), plan.removedManifests());
    }

    @Test
    void aManifestThatCannotBeReadStopsEveryManifestRemovalButNotTheTags() {
        StoredImages images = tagsEachOnAnImage(3);
        List<StoredRevision> revisions = new ArrayList<>(images.revisions());
        revisions.add(new StoredRevision(digest("broken"), LONG_AGO, List.of(), Optional.empty(), false));
        RepositoryPlan plan = RetentionPlanner.plan(new StoredImages(APP, images.tags(), revisions), 0,
                rule(OptionalInt.of(1), List.of(), Duration.ZERO), ImmutableTags.NONE, NOW);
        assertEquals(List.of("t1", "t0"), names(plan.removedTags()));
        assertEquals(List.of(), plan.removedManifests());
        assertTrue(plan.warnings().getFirst().startsWith("manifest " + digest("broken") + " cannot be read"),
                plan.warnings().toString());
    }

    @Test
    void ofTagsPushedAtTheSameMomentTheLaterNameIsTheNewer() {
        List<PushedTag> tags = List.of(new PushedTag("b", digest("b"), LONG_AGO),
                new PushedTag("a", digest("a"), LONG_AGO));
        RepositoryPlan plan = RetentionPlanner.plan(new StoredImages(APP, tags, List.of()), 0,
                rule(OptionalInt.of(1), List.of(), Duration.ZERO), ImmutableTags.NONE, NOW);
        assertEquals(List.of("b"), names(plan.keptTags()), "as build-2 follows build-1");
    }
}
