package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** The test's own directory, in which malformedRequestsNeverCause500 runs a berth four levels down. */
    @TempDir
    Path sandbox;

    @Test
    void malformedRequestsNeverCause500() throws IOException {
        // A data directory deep inside the test's own directory: a path that climbed out of it by the requests'
        // "../.." would still land inside, where the walk below looks, and nothing else on the machine is read.
        berth.close();
        berth = RunningBerth.start(sandbox.resolve("a/b/c/data"));
        client = berth.client();
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
        List<Path> escaped;
        try (Stream<Path> files = Files.walk(sandbox)) {
            escaped = files.filter(file -> file.getFileName().toString().equals("passwd")).toList();
        }
        assertEquals(List.of(), escaped, "nothing escaped the data directory");
    }

    private List<String> tags() {
        List<String> tags = new ArrayList<>();
        json(client.get("/v2/team/app/tags/list")).path("tags").forEach(tag -> tags.add(tag.asText()));
        return tags;
    }
}
