package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidationTest extends ApiTestBase {
    static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void namesOutsideTheGrammarAreRejected() {
        for (String name : List.of("Team/app", "team//app", "team/app-", "-team", "team/%2e%2e/x", "team%2Fapp",
                "team/_layers", "a".repeat(256))) {
            assertError(client.get("/v2/" + name + "/tags/list"), 400, "NAME_INVALID");
        }
    }

    @Test
    void badDigestsAreRejected() {
        assertError(client.get("/v2/team/app/blobs/sha256:xyz"), 400, "DIGEST_INVALID");
        assertError(client.get("/v2/team/app/blobs/md5:" + "a".repeat(32)), 400, "DIGEST_INVALID");
        assertError(client.get("/v2/team/app/blobs/sha256:" + "A".repeat(64)), 400, "DIGEST_INVALID");
        assertError(client.get("/v2/team/app/manifests/sha256:xyz"), 400, "DIGEST_INVALID");
        assertError(client.head("/v2/team/app/manifests/sha256:"), 400, "DIGEST_INVALID");
        assertError(client.get("/v2/Team/app/manifests/.INVALID_MANIFEST_NAME"), 400, "NAME_INVALID");
    }

    @Test
    void theConformanceSuitesInvalidReferenceIsAnUnknownManifest() {
        client.pushImage("team/app", "latest", TestData.utf8("{}"));
        String path = "/v2/team/app/manifests/.INVALID_MANIFEST_NAME";

        HttpResponse<byte[]> get = client.get(path);
        assertEquals(404, get.statusCode());
        assertEquals("application/json", header(get, "Content-Type"));
        assertEquals("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown to registry\","
                + "\"detail\":\"no manifest is named .INVALID_MANIFEST_NAME: it is neither a tag nor a digest\"}]}",
                new String(get.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> head = client.head(path);
        assertEquals(404, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(String.valueOf(get.body().length), header(head, "Content-Length"));
        assertEquals("application/json", header(head, "Content-Type"));
    }

    @Test
    void referencesOutsideTheTagGrammarNameNoManifest() {
        byte[] manifest = client.pushImage("team/app", "latest", TestData.utf8("{}"));
        for (String reference : List.of(".hidden", "-v1", "t".repeat(129), "v1%2F..", ":v1", "v%201")) {
            String path = "/v2/team/app/manifests/" + reference;
            assertError(client.get(path), 404, "MANIFEST_UNKNOWN");
            assertError(client.head(path), 404, "MANIFEST_UNKNOWN");
            assertError(client.delete(path), 404, "MANIFEST_UNKNOWN");
            // A push cannot create such a tag: it is told why rather than that something is missing.
            assertError(client.putManifest("team/app", reference, manifest, MediaTypes.OCI_MANIFEST), 400,
                    "TAG_INVALID");
            assertError(client.send("POST", path, null), 405, "UNSUPPORTED");
        }
        assertEquals(200, client.get("/v2/team/app/manifests/latest").statusCode(), "the repository is untouched");
        assertEquals(List.of("latest"), tags());
    }

    @Test
    void unknownEndpointsAndMethods() {
        assertError(client.get("/v2/team/app/nothing/here"), 404, "NOT_FOUND");
        assertError(client.get("/wp-login.php"), 404, "NOT_FOUND");
        assertError(client.get("/auth/token"), 404, "NOT_FOUND");
        assertError(client.send("POST", "/v2/team/app/manifests/1", null), 405, "UNSUPPORTED");
        assertError(client.send("PUT", "/v2/team/app/blobs/" + DIGEST, new byte[1]), 405, "UNSUPPORTED");
        assertError(client.send("PATCH", "/v2/_catalog", new byte[1]), 405, "UNSUPPORTED");
        assertError(client.send("DELETE", "/v2/team/app/tags/list", null), 405, "UNSUPPORTED");
    }

    @Test
    void malformedRequestsNeverCause500() throws IOException {
        List<String[]> requests = List.of(
                new String[] {"GET", "/v2/team/app/manifests/sha256:"},
                new String[] {"GET", "/v2/team/app/manifests/:"},
                new String[] {"GET", "/v2/team/app/blobs/"},
                new String[] {"GET", "/v2/team/app/blobs/uploads/../../x"},
                new String[] {"PUT", "/v2/team/app/blobs/uploads/00000000-0000-0000-0000-000000000000?digest=" + DIGEST},
                new String[] {"PATCH", "/v2/team/app/blobs/uploads/%2e%2e"},
                new String[] {"POST", "/v2/team/app/blobs/uploads/?mount=nope&from=team/base"},
                new String[] {"POST", "/v2/team/app/blobs/uploads/?mount=" + DIGEST + "&from=../../etc"},
                new String[] {"GET", "/v2/team/app/referrers/nope"},
                new String[] {"GET", "/v2/_catalog?n=99999999999999999999"},
                new String[] {"GET", "/v2/..%2F..%2Fetc/passwd/manifests/x"},
                new String[] {"DELETE", "/v2/team/app/manifests/latest"},
                new String[] {"PUT", "/v2/team/app/manifests/latest"});
        for (String[] request : requests) {
            HttpResponse<byte[]> r = client.send(request[0], request[1], request[0].equals("GET") ? null : new byte[3]);
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500,
                    () -> request[0] + " " + request[1] + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        List<Path> escaped = new ArrayList<>();
        // The parent is shared with other tests' directories, which may vanish while this walks it.
        Files.walkFileTree(root.getParent(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (file.getFileName().toString().equals("passwd")) {
                    escaped.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // Other tests' temporary directories may vanish mid-walk; anything else means the walk did not look.
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        assertEquals(List.of(), escaped, "nothing escaped the root");
    }

    private List<String> tags() {
        List<String> tags = new ArrayList<>();
        json(client.get("/v2/team/app/tags/list")).path("tags").forEach(tag -> tags.add(tag.asText()));
        return tags;
    }
}
