package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Poll;
import dev.berth.support.S3Bucket;
import dev.berth.support.S3Server;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The storage contract over a real S3 server (s3proxy), one new bucket per test. */
class S3StorageTest extends StorageContract {
    @RegisterExtension
    static final S3Bucket bucket = new S3Bucket("contract");

    @Override
    protected Storage storage() {
        return bucket.storage();
    }

    @Test
    void conditionalWritesCarryVersionsAndAStoreIgnoringThemIsFoundOut() {
        ConditionalWrites cas = bucket.storage().conditionalWrites();
        assertTrue(cas.readVersioned("lease", 100).isEmpty());
        assertTrue(cas.writeIfAbsent("lease", new byte[] {1}));
        ConditionalWrites.Versioned first = cas.readVersioned("lease", 100).orElseThrow();
        assertArrayEquals(new byte[] {1}, first.content());
        assertTrue(cas.writeIfMatch("lease", new byte[] {2}, first.version()));
        ConditionalWrites.Versioned second = cas.readVersioned("lease", 100).orElseThrow();
        assertArrayEquals(new byte[] {2}, second.content());
        assertFalse(first.version().equals(second.version()), "a write makes a new version");
        // s3proxy 2.6.0 accepts If-None-Match and If-Match on PUT and ignores them; AWS S3, MinIO and R2 keep them.
        assertFalse(cas.honoured("probe"), "s3proxy ignores the conditions, and the probe says so");
        assertTrue(bucket.storage().stat("probe").isEmpty(), "the probe cleans up");
    }

    @Test
    void objectsOfSeveralPartsRoundTripAndReadAcrossPartBoundaries() throws IOException {
        int part = S3Storage.PART_SIZE;
        byte[] content = bytes(2 * part + part / 2 + 17);
        try (ObjectWriter w = bucket.storage().create("big/blob")) {
            for (int offset = 0; offset < content.length; offset += 1_000_003) {
                w.write(content, offset, Math.min(1_000_003, content.length - offset));
            }
            assertTrue(bucket.storage().stat("big/blob").isEmpty(), "two parts are up, but nothing is visible before commit");
            w.commit();
        }
        assertEquals(content.length, bucket.storage().stat("big/blob").orElseThrow().size());
        try (ObjectReader r = bucket.storage().open("big/blob").orElseThrow()) {
            for (long offset : new long[] {0, part - 5, part, 2L * part - 1, content.length - 3}) {
                assertArrayEquals(Arrays.copyOfRange(content, (int) offset, (int) Math.min(offset + 10, content.length)),
                        copy(r, offset, Math.min(10, content.length - offset)), "at " + offset);
            }
            assertArrayEquals(content, copy(r, 0, r.size()));
        }
    }

    private static byte[] copy(ObjectReader reader, long offset, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader.copyTo(offset, length, out);
        return out.toByteArray();
    }

    @Test
    void closingWithoutCommitAbortsTheMultipartUpload() throws IOException {
        try (ObjectWriter w = bucket.storage().create("aborted")) {
            w.write(bytes(S3Storage.PART_SIZE + 1000));
        }
        assertTrue(bucket.storage().stat("aborted").isEmpty());
        assertEquals(List.of(), bucket.storage().list(""));
        try (Stream<Path> left = Files.walk(bucket.files())) {
            assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "no part is left in the bucket");
        }
    }

    @Test
    void importedFilesUploadInPartsAndAreDeletedAfterwards() throws IOException {
        for (int size : new int[] {1000, 2 * S3Storage.PART_SIZE + 5}) {
            byte[] content = bytes(size);
            Path file = bucket.storage().newScratchFile();
            Files.write(file, content);
            bucket.storage().importFile("imported/" + size, file);
            assertFalse(Files.exists(file));
            try (ObjectReader r = bucket.storage().open("imported/" + size).orElseThrow()) {
                assertArrayEquals(content, copy(r, 0, r.size()));
            }
        }
    }

    @Test
    void scratchFilesAreLocalUntilRecoverEmptiesTheirDirectory() throws IOException {
        Path file = bucket.storage().newScratchFile();
        assertEquals(bucket.scratch().toAbsolutePath().normalize(), file.getParent());
        Files.write(file, new byte[] {1});
        bucket.storage().recover();
        assertFalse(Files.exists(file));
    }

    @Test
    void partUploadsAssembleStreamsOfKnownLengthInvisiblyUntilComplete() throws IOException {
        byte[] content = bytes((int) PartUploads.MIN_PART + 100_000);
        String id = bucket.storage().begin("assembled");
        List<String> etags = new ArrayList<>();
        etags.add(bucket.storage().uploadPart("assembled", id, 1, unmarkable(content, 0, (int) PartUploads.MIN_PART),
                PartUploads.MIN_PART));
        etags.add(bucket.storage().uploadPart("assembled", id, 2, unmarkable(content, (int) PartUploads.MIN_PART, 100_000),
                100_000));
        assertTrue(bucket.storage().stat("assembled").isEmpty());
        bucket.storage().complete("assembled", id, etags);
        assertArrayEquals(content, bucket.storage().read("assembled", content.length).orElseThrow());

        String abandoned = bucket.storage().begin("abandoned");
        bucket.storage().uploadPart("abandoned", abandoned, 1, unmarkable(content, 0, 1000), 1000);
        bucket.storage().abort("abandoned", abandoned);
        assertTrue(bucket.storage().stat("abandoned").isEmpty());
    }

    /** A request body as it comes off a socket: read once, no mark and reset. */
    private static InputStream unmarkable(byte[] bytes, int offset, int length) {
        return Channels.newInputStream(Channels.newChannel(new ByteArrayInputStream(bytes, offset, length)));
    }

    @Test
    void listingsAndDeletesPagePastAThousandKeys() {
        List<String> names = IntStream.range(0, 1_050).mapToObj(i -> String.format("k%04d", i)).toList();
        names.parallelStream().forEach(name -> bucket.server().put(bucket.name(), "many/" + name, new byte[] {1}));
        bucket.server().put(bucket.name(), "many/sub/x", new byte[] {1});
        List<String> expected = new ArrayList<>(names);
        expected.add("sub");
        assertEquals(expected, bucket.storage().list("many"));
        bucket.storage().deleteAll("many");
        assertEquals(List.of(), bucket.storage().list(""));
    }

    @Test
    void presignedUrlsServeAPlainHttpClientUntilTheyExpire() throws Exception {
        byte[] content = bytes(5000);
        bucket.storage().write("shared/blob", content);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI url = bucket.storage().presign("shared/blob", Duration.ofMinutes(5)).orElseThrow();
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(content, response.body());
        assertFalse(url.toString().contains(S3Server.SECRET_KEY));

        URI brief = bucket.storage().presign("shared/blob", Duration.ofSeconds(1)).orElseThrow();
        Poll.until(() -> {
            try {
                return http.send(HttpRequest.newBuilder(brief).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 403;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "the URL signed for one second to be refused");
    }

    @Test
    void aReaderOfAReplacedObjectFailsRatherThanMixTwoVersions() throws IOException {
        bucket.storage().write("tag", bytes(1000));
        try (ObjectReader r = bucket.storage().open("tag").orElseThrow()) {
            bucket.storage().write("tag", bytes(2000));
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> r.stream(0));
            assertTrue(e.getMessage().startsWith("S3 GetObject tag: PreconditionFailed (HTTP 412)"), e.getMessage());
        }
    }
}
