package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.Storage;
import java.time.Instant;
import java.util.Optional;

/**
 * What tells a garbage collector in another process that a digest is being linked, where {@link LinkGuard}'s locks,
 * which live in one process, cannot: before a link is written, a small mark next to the blob is written anew, and a
 * collector spares a blob whose mark is younger than its grace. After the link, the blob must still be there: a
 * collector that checked the mark just before it was written may have deleted it, and the request then fails, to be
 * sent again, rather than leave a link to nothing.
 */
interface LinkMarks {
    /** For a store only this process writes: no marks. */
    LinkMarks NONE = new LinkMarks() {
        @Override
        public void marking(Digest digest) {
        }

        @Override
        public void confirm(Digest digest) {
        }

        @Override
        public Optional<Instant> markedAt(Digest digest) {
            return Optional.empty();
        }
    };

    /** Writes the digest's mark; called before its link is written. */
    void marking(Digest digest);

    /** Throws when the blob went while it was being linked. */
    void confirm(Digest digest);

    /** When the digest was last linked by any process, if it has a mark. */
    Optional<Instant> markedAt(Digest digest);

    /** Marks in {@code storage}, for instances sharing it. */
    static LinkMarks in(Storage storage, BlobStore blobs) {
        return new LinkMarks() {
            @Override
            public void marking(Digest digest) {
                storage.write(Paths.linkMark(digest), new byte[0]);
            }

            @Override
            public void confirm(Digest digest) {
                if (blobs.stat(digest).isEmpty()) {
                    throw new RegistryException(OciError.UNAVAILABLE, "blob " + digest + " was collected while"
                            + " it was being linked; send the request again").withHeader("Retry-After", "1");
                }
            }

            @Override
            public Optional<Instant> markedAt(Digest digest) {
                return storage.stat(Paths.linkMark(digest)).map(info -> info.modified());
            }
        };
    }
}
