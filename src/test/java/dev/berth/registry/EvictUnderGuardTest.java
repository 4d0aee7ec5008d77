package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's one eviction primitive, {@link LocalRegistry#evict}: what it refuses to remove, and why. */
class EvictUnderGuardTest {
    private static final Predicate<RepoName> MIRRORED = name -> name.value().startsWith("docker.io/");
    private static final RepoName BUSYBOX = RepoName.of("docker.io/library/busybox");

    @TempDir
    Path root;

    @Test
    void aDigestARepositoryThatIsNotEvictableLinksStaysEverywhere() {
        LocalRegistry registry = new LocalRegistry(new FileSystemStorage(root), 4 << 20, 0);
        WritableRepository busybox = registry.repository(BUSYBOX);
        WritableRepository app = registry.repository(RepoName.of("team/app"));
        Digest shared = store(busybox, 12);
        store(app, 12);

        assertFalse(registry.evict(shared, MIRRORED));

        assertTrue(busybox.blobSize(shared).isPresent(), "the mirror's link stays too");
        assertTrue(app.blobSize(shared).isPresent());
        assertEquals(Set.of(shared), registry.linkedDigests(BUSYBOX));
    }

    @Test
    void onASharedStoreADigestAnotherInstanceIsLinkingIsNotEvicted() throws IOException {
        FileSystemStorage disk = new FileSystemStorage(root);
        LocalRegistry registry = new LocalRegistry(disk, new FileUploadData(disk), 4 << 20, 0, Optional.empty(), true);
        WritableRepository busybox = registry.repository(BUSYBOX);
        Digest beingLinked = store(busybox, 11);
        Digest idle = store(busybox, 13);
        Files.setLastModifiedTime(root.resolve(Paths.linkMark(idle)), FileTime.from(Instant.EPOCH));

        assertFalse(registry.evict(beingLinked, MIRRORED), "its mark is fresh: a link may be under way elsewhere");
        assertTrue(registry.evict(idle, MIRRORED));

        assertTrue(busybox.blobSize(beingLinked).isPresent());
        assertFalse(busybox.blobSize(idle).isPresent());
        assertFalse(registry.blobs().size(idle).isPresent(), "the blob itself is deleted, not only its link");
    }

    private static Digest store(WritableRepository repo, long seed) {
        byte[] content = TestData.bytes(1000, seed);
        Digest digest = Digest.sha256(content);
        repo.putBlob(new ByteArrayInputStream(content), digest);
        return digest;
    }
}
