package dev.berth.jobs;

import static dev.berth.support.MockHub.blobPath;
import static dev.berth.support.MockHub.manifestPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.mirror.MirrorTestBase;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.support.MockHub;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.Scrape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirror.sync} with a clock the test moves: the first round caches the kept tags (the one platform asked for),
 * a later round only checks them with HEADs, a moved tag fetches only what changed, and a low rate limit ends a round
 * early. What the hub was asked is counted after each round.
 */
class SyncTest extends MirrorTestBase {
    private static final Map<String, String> SYNCED = Map.of("repository", "docker.io/library/busybox");
    private static final String TAGS_PATH = "/v2/" + BUSYBOX + "/tags/list";

    private MockHub.Image amd64;
    private MockHub.Image arm64;
    private Digest index;
    private MockHub.Image v137;
    private MockHub.Image stable;
    private MockHub.Image v135;
    private MockHub.Image v2;

    @Override
    protected String mirrorYaml() {
        // The hub is seeded before berth starts, whose first round runs at once.
        amd64 = hub.image(BUSYBOX, null, 1);
        arm64 = hub.image(BUSYBOX, null, 2);
        index = hub.manifest(BUSYBOX, "1.36", MockHub.index(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
                amd64, arm64), MediaTypes.OCI_INDEX);
        v137 = hub.image(BUSYBOX, "1.37", 3);
        stable = hub.image(BUSYBOX, "stable", 4);
        v135 = hub.image(BUSYBOX, "1.35", 5);
        v2 = hub.image(BUSYBOX, "2.0", 6);
        hub.image(BUSYBOX, "1.36-musl", 7);
        return "mirror:\n  upstreams:\n" + upstream("docker.io", hub.url(), true) + "  sync:\n    - {repository:"
                + " busybox, versions: '>=1.36 <2', tags: [stab*], platforms: [linux/amd64], interval: 1h}\n";
    }

    private void awaitRounds(int rounds) throws InterruptedException {
        Poll.until(() -> Scrape.of(client).value("berth_sync_rounds_total", SYNCED) == rounds,
                "sync round " + rounds);
        awaitFillsStored(client);
    }

    /** Requests the hub answered with anything but a challenge (token expiry brings those at its own times). */
    private long served() {
        return hub.log().stream().filter(line -> !line.endsWith(" 401")).count();
    }

    private int manifestGets(String reference) {
        return hub.served("GET", manifestPath(BUSYBOX, reference));
    }

    private int blobGets(MockHub.Image image) {
        return hub.served("GET", blobPath(BUSYBOX, image.config()))
                + hub.served("GET", blobPath(BUSYBOX, image.layers().getFirst()));
    }

    @Test
    void roundsCheckWithHeadsAndFetchOnlyWhatChanged() throws InterruptedException {
        awaitRounds(1);
        assertEquals(1, hub.served("GET", TAGS_PATH));
        assertEquals(1, manifestGets(index.toString()), "the index, once");
        assertEquals(1, manifestGets(amd64.ref()));
        assertEquals(2, blobGets(amd64));
        assertEquals(0, manifestGets(arm64.ref()), "not a platform asked for");
        assertEquals(0, blobGets(arm64));
        for (MockHub.Image kept : new MockHub.Image[] {v137, stable}) {
            assertEquals(1, manifestGets(kept.ref()));
            assertEquals(2, blobGets(kept));
        }
        for (MockHub.Image left : new MockHub.Image[] {v135, v2}) {
            assertEquals(0, hub.count("HEAD", manifestPath(BUSYBOX, left.ref())) + manifestGets(left.ref()),
                    "outside the range");
        }
        assertEquals(0, hub.count("HEAD", manifestPath(BUSYBOX, "1.36-musl")), "no version");
        long after1 = served();

        // Within the interval: no round. A whole interval later (past the tags' TTL): a listing and a HEAD per tag.
        clock.advance(Duration.ofMinutes(30));
        clock.advance(Duration.ofMinutes(30));
        awaitRounds(2);
        assertEquals(2, hub.served("GET", TAGS_PATH));
        for (String tag : new String[] {"1.36", "1.37", "stable"}) {
            assertEquals(2, hub.served("HEAD", manifestPath(BUSYBOX, tag)), tag);
        }
        assertEquals(after1 + 4, served(), "nothing but the listing and three HEADs: " + hub.log());

        // Hub moves 1.37: the next round fetches that manifest and its blobs, nothing else.
        MockHub.Image moved = hub.image(BUSYBOX, "1.37", 8);
        clock.advance(Duration.ofHours(1));
        awaitRounds(3);
        assertEquals(1, manifestGets(moved.ref()));
        assertEquals(2, blobGets(moved));
        assertEquals(after1 + 4 + 4 + 3, served(), "a listing, three HEADs, a manifest, two blobs");

        // The first HEAD says 5 of 100 requests are left: the round leaves the other tags to clients.
        hub.override("HEAD", manifestPath(BUSYBOX, "1.36"), () -> new MockResponse.Builder()
                .setHeader("Content-Type", MediaTypes.OCI_INDEX)
                .setHeader("Docker-Content-Digest", index.toString())
                .setHeader("ratelimit-limit", "100;w=21600")
                .setHeader("ratelimit-remaining", "5;w=21600").build());
        clock.advance(Duration.ofHours(1));
        awaitRounds(4);
        assertEquals(4, hub.served("HEAD", manifestPath(BUSYBOX, "1.36")));
        assertEquals(3, hub.served("HEAD", manifestPath(BUSYBOX, "1.37")), "not checked this round");
        assertEquals(3, hub.served("HEAD", manifestPath(BUSYBOX, "stable")));
    }

    @Test
    void anEntryNoUpstreamServesStopsBerthAtStart(@TempDir Path other) {
        String yaml = "mirror:\n  upstreams:\n" + upstream("docker.io", hub.url(), true)
                + "  sync:\n    - {repository: quay.io/org/app, tags: ['*']}\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunningBerth.start(other, yaml, clock));
        assertEquals("mirror.sync[0].repository: berth mirrors no registry named quay.io; it mirrors docker.io",
                e.getMessage());
    }
}
