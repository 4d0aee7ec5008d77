package dev.berth.registry;

import static dev.berth.support.RegistryAssertions.assertRegistryError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.oci.OciError;
import dev.berth.oci.RepoName;
import dev.berth.storage.FileSystemStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slots of upload sessions come back when a session expires, and when another instance on the same store
 * finishes one that this instance counts.
 */
class UploadLimitsTest {
    private static final RepoName NAME = RepoName.of("team/app");

    @TempDir
    Path root;

    @Test
    void anExpiredSessionFreesItsSlot() {
        FileSystemStorage disk = new FileSystemStorage(root);
        Uploads uploads = new Uploads(disk, new FileUploadData(disk), 0, new LinkGuard(), new UploadLimits(10, 1));
        uploads.start(NAME, "10.0.0.1");
        assertRegistryError(OciError.TOOMANYREQUESTS, () -> uploads.start(NAME, "10.0.0.1"));

        assertEquals(0, uploads.purge(Duration.ofHours(24), Instant.now()), "not expired yet");
        assertRegistryError(OciError.TOOMANYREQUESTS, () -> uploads.start(NAME, "10.0.0.1"));
        assertEquals(1, uploads.purge(Duration.ofHours(24), Instant.now().plus(Duration.ofHours(25))));
        uploads.start(NAME, "10.0.0.1");
    }

    @Test
    void aSessionFinishedByAnotherInstanceFreesItsSlotAtThePurgeRound() {
        FileSystemStorage disk = new FileSystemStorage(root);
        Uploads here = new Uploads(disk, new FileUploadData(disk), 0, new LinkGuard(), new UploadLimits(10, 1));
        Uploads there = new Uploads(disk, new FileUploadData(disk), 0, new LinkGuard(), new UploadLimits(10, 1));
        String id = here.start(NAME, "user alice");
        there.cancel(NAME, id);
        assertRegistryError(OciError.TOOMANYREQUESTS, () -> here.start(NAME, "user alice"));

        here.purge(Duration.ofHours(24), Instant.now());
        String next = here.start(NAME, "user alice");
        // The round keeps what it listed: a session open in the store still holds its slot.
        here.purge(Duration.ofHours(24), Instant.now());
        assertRegistryError(OciError.TOOMANYREQUESTS, () -> here.start(NAME, "user alice"));
        here.cancel(NAME, next);
        here.start(NAME, "user alice");
    }

    @Test
    void aMonolithicUploadHoldsNoSlot() {
        FileSystemStorage disk = new FileSystemStorage(root);
        Uploads uploads = new Uploads(disk, new FileUploadData(disk), 0, new LinkGuard(), new UploadLimits(1, 1));
        uploads.start(NAME, "10.0.0.1");
        uploads.start(NAME);
        assertRegistryError(OciError.TOOMANYREQUESTS, () -> uploads.start(NAME, "10.0.0.2"));
    }
}
