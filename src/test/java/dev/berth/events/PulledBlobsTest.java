package dev.berth.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The audit's summary of a pull's blob GETs: one line per manifest pull, ended by the next, by quiet, or at close. */
class PulledBlobsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final Origin CLIENT = new Origin("r1", "10.0.0.9", "berth.lan", "GET", "containerd", false);

    private final PulledBlobs pulls = new PulledBlobs();

    @Test
    void blobsAfterAManifestPullAreSummedOnceTheClientIsQuiet() {
        assertEquals(Optional.empty(), pulls.manifest(manifest("sha256:m1", 0)));
        pulls.blob(blob(100, 1));
        pulls.blob(blob(250, 2));

        assertEquals(List.of(), pulls.quiet(T0.plusSeconds(2).plus(PulledBlobs.QUIET)), "not quiet for long enough");
        List<Event> done = pulls.quiet(T0.plusSeconds(3).plus(PulledBlobs.QUIET));

        assertEquals(1, done.size());
        Target summary = done.getFirst().target();
        assertEquals(Act.BLOB_PULL, done.getFirst().act());
        assertEquals(Optional.of("sha256:m1"), summary.digest());
        assertEquals(OptionalLong.of(2), summary.blobs());
        assertEquals(OptionalLong.of(350), summary.size());
        assertEquals(List.of(), pulls.quiet(null), "summed once");
    }

    @Test
    void theNextManifestPullEndsThePreviousOneAndAPullWithoutBlobsHasNoSummary() {
        pulls.manifest(manifest("sha256:m1", 0));
        pulls.blob(blob(10, 1));
        Optional<Event> first = pulls.manifest(manifest("sha256:m2", 2));

        assertTrue(first.isPresent());
        assertEquals(Optional.of("sha256:m1"), first.get().target().digest());
        assertEquals(List.of(), pulls.quiet(null), "m2 had no blobs");
    }

    private static Event manifest(String digest, int second) {
        return new Event("e", T0.plusSeconds(second), Act.PULL, Target.manifest("team/app", Optional.of("1"), digest,
                "application/vnd.oci.image.manifest.v1+json", 500), CLIENT, Optional.of("bob"), Event.OK);
    }

    private static Event blob(long bytes, int second) {
        return new Event("e", T0.plusSeconds(second), Act.BLOB_PULL, Target.repository("team/app")
                .withDigest("sha256:b" + bytes).withSize(bytes), CLIENT, Optional.of("bob"), Event.OK);
    }
}
