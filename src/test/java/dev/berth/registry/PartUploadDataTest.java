package dev.berth.registry;

import static dev.berth.support.RegistryAssertions.assertRegistryError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.support.S3Bucket;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Upload bytes in a bucket (s3proxy): parts, tail and saved digest state, as a request on any instance leaves them. */
class PartUploadDataTest {
    @RegisterExtension
    static final S3Bucket bucket = new S3Bucket("uploads");

    /** A fresh view of the bucket for every request, as if each reached another instance. */
    private PartUploadData instance() {
        return new PartUploadData(bucket.storage(), bucket.storage());
    }

    @Test
    void chunksOnManyInstancesAssembleTheBlobWithoutCopyingIt() throws IOException {
        byte[] blob = TestData.bytes(2 * PartUploadData.PART + 12_345, 1);
        Digest digest = Digest.sha256(blob);
        instance().begin("u1");
        int[] cuts = {0, 1000, PartUploadData.PART + 7, 2 * PartUploadData.PART - 1, blob.length};
        for (int i = 0; i + 1 < cuts.length; i++) {
            byte[] chunk = Arrays.copyOfRange(blob, cuts[i], cuts[i + 1]);
            long size = instance().append("u1", new ByteArrayInputStream(chunk));
            assertEquals(cuts[i + 1], size);
            assertEquals(cuts[i + 1], instance().size("u1"));
        }
        instance().complete("u1", digest);
        instance().delete("u1");

        BlobStore blobs = new BlobStore(bucket.storage());
        assertEquals(Optional.of((long) blob.length), blobs.size(digest));
        assertArrayEquals(blob, blobs.read(digest, blob.length).orElseThrow());
        assertTrue(bucket.storage().stat(Paths.blob(digest)).isEmpty(), "not copied to the canonical key");
        assertTrue(bucket.storage().stat(Paths.assembledBlob("u1")).isPresent(), "served from where it was assembled");
        assertTrue(bucket.storage().list(Paths.upload("u1")).isEmpty(), "the upload's state and tail are gone");
    }

    @Test
    void aChunkThatBreaksOffLeavesTheUploadWhereItWasAndCanBeSentAgain() throws IOException {
        byte[] blob = TestData.bytes(PartUploadData.PART + PartUploadData.PART / 2, 2);
        instance().begin("u2");
        instance().append("u2", new ByteArrayInputStream(blob, 0, 100));
        assertRegistryError(OciError.BLOB_UPLOAD_INVALID,
                () -> instance().append("u2", breakingAfter(Arrays.copyOfRange(blob, 100, blob.length), 6 << 20)));
        assertEquals(100, instance().size("u2"), "nothing of the broken chunk counts");

        instance().append("u2", new ByteArrayInputStream(blob, 100, blob.length - 100));
        instance().complete("u2", Digest.sha256(blob));
        assertArrayEquals(blob, new BlobStore(bucket.storage()).read(Digest.sha256(blob), blob.length).orElseThrow());
    }

    @Test
    void aWrongDigestStoresNothingAndTheUploadCanBeDeleted() {
        byte[] blob = TestData.bytes(PartUploadData.PART + 10, 3);
        instance().begin("u3");
        instance().append("u3", new ByteArrayInputStream(blob));
        Digest other = Digest.sha256(TestData.bytes(10, 4));
        assertRegistryError(OciError.DIGEST_INVALID, () -> instance().complete("u3", other));
        instance().delete("u3");
        assertEquals(Optional.empty(), new BlobStore(bucket.storage()).size(other));
        assertEquals(Optional.empty(), new BlobStore(bucket.storage()).size(Digest.sha256(blob)));
        assertTrue(bucket.storage().stat(Paths.assembledBlob("u3")).isEmpty(), "the assembly was abandoned");
        assertTrue(bucket.storage().list(Paths.upload("u3")).isEmpty());
    }

    @Test
    void aBlobSmallerThanAPartIsOneObjectAtItsOwnKey() {
        byte[] blob = TestData.bytes(3000, 5);
        instance().begin("u4");
        instance().append("u4", new ByteArrayInputStream(blob));
        instance().complete("u4", Digest.sha256(blob));
        assertArrayEquals(blob, bucket.storage().read(Paths.blob(Digest.sha256(blob)), 3000).orElseThrow());
        assertRegistryError(OciError.DIGEST_INVALID, () -> {
            instance().begin("u5");
            instance().complete("u5", Digest.parse("sha512:" + "ab".repeat(64)));
        });
    }

    /** The bytes, then an I/O error once {@code limit} of them were read, as a client gone mid-chunk. */
    private static InputStream breakingAfter(byte[] bytes, int limit) {
        return new ByteArrayInputStream(bytes) {
            private int read;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                if (read >= limit) {
                    throw new java.io.UncheckedIOException(new IOException("connection reset"));
                }
                int n = super.read(b, off, Math.min(len, limit - read));
                read += Math.max(n, 0);
                return n;
            }
        };
    }
}
